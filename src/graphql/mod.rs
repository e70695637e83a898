//! The GraphQL layer: schema, roots, types, loaders. Resolvers are thin: decode input, call
//! one service function, map the result.

pub mod catalog;
pub mod input_guard;
pub mod loaders;
pub mod members;
pub mod mutation;
pub mod pagination;
pub mod pricing;
pub mod promotions;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;

use async_graphql::{Context, Schema};

use crate::config::Limits;
use crate::domain::{GlobalId, NodeType};
use crate::error::{AppError, ErrorCode};
use crate::service::ServiceCtx;

/// Read operations. Everything except `viewer` and `permissionMatrix` requires a logged-in
/// staff member whose password change is not pending.
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    query::Query,
    catalog::CatalogQuery,
    catalog::ComplianceQuery,
    pricing::PricingQuery,
    members::MemberQuery,
    promotions::PromotionQuery,
);

/// Changes. Each mutation is one transaction that writes its audit-log entry; a refused one
/// changes nothing and says why in `userErrors`.
#[derive(async_graphql::MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    mutation::Mutation,
    catalog::CatalogMutation,
    catalog::ImportMutation,
    catalog::ComplianceMutation,
    pricing::PricingMutation,
    members::MemberMutation,
    promotions::PromotionMutation,
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
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32)
    .limit_directives(10)
    .extension(input_guard::InputGuard);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The SDL served by the server (what `zhanggui schema` prints).
pub fn sdl() -> String {
    build_schema(&Limits::default()).sdl()
}

/// The request's service context.
pub fn svc<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a ServiceCtx> {
    ctx.data::<ServiceCtx>()
}

/// Decodes an optional global ID argument of `expected` type (BAD_USER_INPUT when malformed).
pub fn decode_opt_id(
    id: &Option<async_graphql::ID>,
    expected: NodeType,
    field: &'static str,
) -> async_graphql::Result<Option<i64>> {
    use crate::error::GqlResultExt;
    id.as_ref()
        .map(|i| decode_id(i, expected, field))
        .transpose()
        .gql()
}

/// `Ok(None)` for NOT_FOUND (the row does not exist for this viewer), the row otherwise.
pub fn found<T>(res: Result<T, AppError>) -> async_graphql::Result<Option<T>> {
    use crate::error::GqlResultExt;
    match res {
        Ok(v) => Ok(Some(v)),
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e).gql(),
    }
}

/// Decodes a global ID that must be of `expected` type; otherwise BAD_USER_INPUT.
pub fn decode_id(id: &str, expected: NodeType, field: &'static str) -> Result<i64, AppError> {
    GlobalId::decode_as(id, expected).ok_or_else(|| {
        let path: Vec<&str> = field.split('.').collect();
        AppError::invalid(
            &path,
            ErrorCode::BadUserInput,
            format!("{field} is not a valid {} ID", expected.name()),
        )
    })
}
