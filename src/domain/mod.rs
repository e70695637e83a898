//! Domain newtypes that parse their input at the edge.

pub mod compliance;
pub mod id;
pub mod money;
pub mod order_status;
pub mod pii;
pub mod rfm;
pub mod text;

pub use id::{GlobalId, NodeType};
pub use money::Fen;
