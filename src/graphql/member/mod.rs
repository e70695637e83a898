//! Members in GraphQL: tiers, the points ledger, tags, RFM segments and repurchase.

use crate::domain::{Fen, NodeType};
use crate::error::{AppError, GqlResultExt};
use crate::graphql::account::{StaffMember, staff_member};
use crate::graphql::approval::ApprovalRequest;
use crate::graphql::kernel::loaders::Loaders;
use crate::graphql::kernel::relay::connection;
use crate::graphql::kernel::scalars::{Date, DateTime, Money};
use crate::graphql::kernel::{
    UserErrorObject, decode_id, decode_opt_id, found, gid, loaders, split, split_outcome, svc,
};
use crate::graphql::order::*;
use crate::graphql::store::{Store, store_by_id};
use crate::service::member::Segment;
use crate::service::{member as members, order as orders, store as store_svc};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{member, points_entry, tier_change};

mod inputs;
mod mutation;
mod query;
mod segments;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use segments::*;
pub use types::*;
