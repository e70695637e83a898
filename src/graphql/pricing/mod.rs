//! List prices in GraphQL: price changes within each role's limits, the price history and SKU
//! price settings.

use crate::domain::{GlobalId, NodeType};
use crate::error::GqlResultExt;
use crate::graphql::account::{StaffMember, staff_member};
use crate::graphql::approval::*;
use crate::graphql::catalog::Sku;
use crate::graphql::kernel::scalars::{DateTime, Money};
use crate::graphql::kernel::{
    UserErrorObject, decode_id, decode_opt_id, loaders, split, split_outcome, svc,
};
use crate::service::pricing;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::price_change;

mod inputs;
mod mutation;
mod query;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;
