//! Orders in GraphQL: imported orders with their lines, and the order import.

use crate::domain::order_status::OrderStatus as Status;
use crate::domain::{Fen, NodeType};
use crate::error::{AppError, GqlResultExt};
use crate::graphql::catalog::Sku;
use crate::graphql::kernel::loaders::Loaders;
use crate::graphql::kernel::relay::connection;
use crate::graphql::kernel::scalars::{DateTime, Money};
use crate::graphql::kernel::{
    UserErrorObject, decode_id, decode_opt_id, found, gid, loaders, split, svc,
};
use crate::graphql::member::*;
use crate::graphql::store::{Store, store_by_id};
use crate::service::order as orders;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{order_line, sales_order};

mod import;
mod inputs;
mod query;
mod types;

pub use import::*;
pub use inputs::*;
pub use query::*;
pub use types::*;
