//! The catalog in GraphQL: categories with attribute definitions, products and their listing
//! lifecycle, SKUs, and the bulk product import.

use crate::domain::{NodeType, compliance};
use crate::error::{AppError, GqlResultExt};
use crate::graphql::compliance::*;
use crate::graphql::kernel::scalars::{DateTime, Money};
use crate::graphql::kernel::{UserErrorObject, decode_id, decode_opt_id, gid, loaders, split, svc};
use crate::graphql::store::{Store, store_by_id};
use crate::service::catalog as cat;
use crate::service::catalog::{ProductStatus as Status, Transition};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{category, product, sku};

mod import;
mod inputs;
mod mutation;
mod query;
mod types;

pub use import::*;
pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;
