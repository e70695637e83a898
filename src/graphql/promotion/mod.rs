//! Promotions in GraphQL: one `Promotion` interface with one type per kind, coupon templates and
//! issued coupons, the price quote and the price guard over the pricing engine.

use crate::domain::{Fen, NodeType};
use crate::engine;
use crate::engine::{ItemMode, ReductionForm, Rule, Threshold, Tier};
use crate::error::{AppError, ErrorCode, GqlResultExt, UserError};
use crate::graphql::account::{StaffMember, staff_member};
use crate::graphql::catalog::{Product, Sku};
use crate::graphql::kernel::loaders::Loaders;
use crate::graphql::kernel::relay::connection;
use crate::graphql::kernel::scalars::{Date, DateTime, Money};
use crate::graphql::kernel::{
    UserErrorObject, decode_id, decode_opt_id, found, gid, loaders, split, svc,
};
use crate::graphql::member::{Member, MemberSegment};
use crate::graphql::store::{Store, store_by_id};
use crate::service::promotion as promos;
use crate::service::promotion::coupon::State;
use crate::service::promotion::quote::{GuardReport, Priced};
use crate::service::promotion::{
    Channel, Control, CouponTerms, Spec, Status, Validity, coupon as coupons, effective_status,
    quote as quote_svc,
};
use async_graphql::{Context, Enum, ID, InputObject, Interface, Object, SimpleObject};
use entity::{coupon as coupon_row, promotion};
use std::sync::Arc;

mod coupon;
mod decode;
mod inputs;
mod kinds;
mod mutation;
mod query;
mod quote;
mod types;

pub use coupon::*;
use decode::*;
pub use inputs::*;
pub use kinds::*;
pub use mutation::*;
pub use query::*;
pub use quote::*;
pub use types::*;
