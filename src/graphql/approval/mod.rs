//! The approval queue in GraphQL: requests beyond an actor's limit, their approval, rejection
//! and cancellation.

use crate::domain::{GlobalId, NodeType};
use crate::error::{AppError, GqlResultExt};
use crate::graphql::account::{StaffMember, staff_member};
use crate::graphql::kernel::scalars::{DateTime, Money};
use crate::graphql::kernel::{UserErrorObject, decode_id, decode_opt_id, split, svc};
use crate::graphql::store::{Store, store_by_id};
use crate::service::approval;
use crate::service::kernel::approval_queue::{self as queue, Kind, Status};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Union};
use entity::approval_request;

mod inputs;
mod mutation;
mod query;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;
