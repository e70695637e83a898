//! The GraphQL layer: schema, roots, types, loaders. Resolvers are thin: decode input, call
//! one service function, map the result.

pub mod kernel;

pub mod account;
pub mod approval;
pub mod catalog;
pub mod compliance;
pub mod inventory;
pub mod member;
pub mod order;
pub mod pricing;
pub mod promotion;
pub mod store;
pub mod subscription;

use async_graphql::Schema;

use crate::config::Limits;

/// Read operations. Everything except `viewer` and `permissionMatrix` requires a logged-in
/// staff member whose password change is not pending.
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    account::ViewerQuery,
    kernel::NodeQuery,
    store::StoreQuery,
    account::StaffQuery,
    kernel::AuditQuery,
    account::MatrixQuery,
    compliance::ComplianceCheckQuery,
    catalog::CatalogQuery,
    inventory::InventoryQuery,
    compliance::ComplianceQuery,
    approval::ApprovalQuery,
    pricing::PricingQuery,
    member::MemberQuery,
    order::OrderQuery,
    promotion::PromotionQuery,
    promotion::CouponQuery,
    promotion::QuoteQuery,
);

/// Changes. Each mutation is one transaction that writes its audit-log entry; a refused one
/// changes nothing and says why in `userErrors`.
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    account::SessionMutation,
    store::StoreMutation,
    account::StaffMutation,
    catalog::CatalogMutation,
    inventory::InventoryMutation,
    catalog::ImportMutation,
    compliance::ComplianceMutation,
    pricing::PricingMutation,
    approval::ApprovalMutation,
    order::OrderImportMutation,
    member::MemberMutation,
    promotion::PromotionMutation,
    promotion::CouponMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, subscription::Subscription>;

/// Builds the schema with the configured limits.
pub fn build_schema(limits: &Limits) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        subscription::Subscription,
    )
    .limit_depth(limits.max_depth)
    .limit_recursive_depth(32)
    .limit_directives(10)
    .extension(kernel::cost::QueryCost {
        max: limits.max_complexity,
    });
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The SDL served by the server (what `zhanggui schema` prints).
pub fn sdl() -> String {
    build_schema(&Limits::default()).sdl()
}
