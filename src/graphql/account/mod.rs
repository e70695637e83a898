//! Staff accounts in GraphQL: the viewer, logging in and tokens, staff members and the
//! role → permission matrix.

use crate::auth::{Access, Permission, Role, Staff, matrix};
use crate::domain::{GlobalId, NodeType};
use crate::error::{AppError, GqlResultExt};
use crate::graphql::kernel::scalars::DateTime;
use crate::graphql::kernel::*;
use crate::graphql::kernel::{UserErrorObject, decode_id, decode_opt_id, loaders, svc};
use crate::graphql::store::Store;
use crate::service;
use crate::service::account::auth::Session;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::staff;

mod inputs;
mod mutation;
mod query;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;
