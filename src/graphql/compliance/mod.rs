//! Advertising-Law compliance in GraphQL: checking texts against the absolute-term list and
//! each store's allow-list.

use crate::domain::compliance::{Group, Hit, Severity};
use crate::domain::{NodeType, compliance};
use crate::error::{AppError, GqlResultExt};
use crate::graphql::kernel::scalars::DateTime;
use crate::graphql::kernel::{UserErrorObject, decode_id, decode_opt_id, gid, split, svc};
use crate::service::catalog as cat;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

mod inputs;
mod mutation;
mod query;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;
