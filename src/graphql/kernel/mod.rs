//! Machinery every capability shares: IDs and `Node` resolution, Relay connections, payloads
//! and userErrors, loaders, scalars, the audit log and the input guard.

use crate::auth::Role;
use crate::domain::{GlobalId, NodeType};
use crate::error::{AppError, ErrorCode, GqlResultExt, UserError};
use crate::graphql::account::StaffMember;
use crate::graphql::account::*;
use crate::graphql::catalog;
use crate::graphql::kernel::scalars::DateTime;
use crate::graphql::store::Store;
use crate::graphql::store::*;
use crate::service;
use crate::service::ServiceCtx;
use crate::service::kernel::page::Window;
use async_graphql::{Context, ID, InputObject, Interface, Json, Object, SimpleObject};
use entity::audit_log;

pub mod cost;
pub mod input_guard;
pub mod loaders;
pub mod relay;
pub mod scalars;

mod audit;
mod node;
mod payload;

pub use audit::*;
pub use node::*;
pub use payload::*;

/// The opaque global ID of a row of type `t`.
pub fn gid(t: NodeType, id: i64) -> ID {
    ID(GlobalId::new(t, id).encode())
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
