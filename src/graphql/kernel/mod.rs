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
pub use zhanggui_macros::relay_pages;

/// The four Relay pagination arguments of a connection field as one value. A resolver takes
/// `page: RelayPage` and `#[relay_pages]` on its impl block writes the arguments, their
/// descriptions and the field's cost in its place, so every connection offers the same four.
#[derive(Debug, Clone, Default)]
pub struct RelayPage {
    /// Page size counted from the start.
    pub first: Option<i32>,
    /// Cursor after which the page starts.
    pub after: Option<String>,
    /// Page size counted from the end.
    pub last: Option<i32>,
    /// Cursor before which the page ends.
    pub before: Option<String>,
}

impl RelayPage {
    /// The arguments as the services take them.
    pub fn window(&self) -> Window<'_> {
        Window {
            first: self.first,
            after: self.after.as_deref(),
            last: self.last,
            before: self.before.as_deref(),
        }
    }
}

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
