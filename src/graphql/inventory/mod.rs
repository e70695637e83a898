//! Stock in GraphQL: the stock ledger (movements), low-stock SKUs and stock changes.

use crate::domain::NodeType;
use crate::error::GqlResultExt;
use crate::graphql::catalog::*;
use crate::graphql::kernel::scalars::DateTime;
use crate::graphql::kernel::{UserErrorObject, decode_id, decode_opt_id, gid, split_outcome, svc};
use crate::service::inventory::{Change, MovementKind};
use crate::service::{catalog as cat, inventory};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::inventory_movement;

mod inputs;
mod mutation;
mod query;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;
