//! Stores in GraphQL: stores, their settings and platform.

use crate::domain::{GlobalId, NodeType};
use crate::error::GqlResultExt;
use crate::graphql::kernel::scalars::{Date, DateTime, Money};
use crate::graphql::kernel::*;
use crate::graphql::kernel::{UserErrorObject, decode_id, loaders, svc};
use crate::service;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::store;

mod inputs;
mod mutation;
mod query;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;
