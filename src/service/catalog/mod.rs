//! Catalog: categories with attribute definitions, products and their listing lifecycle, SKUs.

pub mod import;

use std::collections::{BTreeMap, HashMap};

use entity::{category, product, sku, store};
use sea_orm::sea_query::{ExprTrait, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{Permission, Role, Staff};
use crate::db;
use crate::domain::compliance::{self, Hit};
use crate::domain::text;
use crate::error::{AppError, ErrorCode, UserError, on_unique};
use crate::service::kernel::approval_queue as queue;
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::{ServiceCtx, kernel::audit};

mod categories;
mod lifecycle;
mod products;
mod read;
mod skus;

pub use categories::*;
pub use lifecycle::*;
pub use products::*;
pub use read::*;
pub use skus::*;

/// Most SKUs one product may have (platform limit).
pub const MAX_SKUS: usize = 600;
pub const MAX_IMAGES: usize = 5;
pub const SUBTITLE_MAX: usize = 150;
pub const DESCRIPTION_MAX: usize = 25_000;

/// An attribute definition of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub name: String,
    #[serde(default)]
    pub required: bool,
    /// Allowed values; empty means free text.
    #[serde(default)]
    pub values: Vec<String>,
}

/// A category's attribute definitions (`key_attributes_json` or `sales_attributes_json` of the
/// category row `id`); unreadable JSON is an internal error naming the row.
pub fn parse_defs(json: &str, id: i64) -> Result<Vec<AttributeDef>, AppError> {
    serde_json::from_str(json)
        .map_err(|e| AppError::unreadable("category", id, format!("attribute definitions: {e}")))
}

/// Listing states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductStatus {
    Draft,
    PendingReview,
    OnShelf,
    OffShelf,
    Archived,
}

impl ProductStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::PendingReview => "PENDING_REVIEW",
            Self::OnShelf => "ON_SHELF",
            Self::OffShelf => "OFF_SHELF",
            Self::Archived => "ARCHIVED",
        }
    }
    /// The stored status of `p`; an unknown value is an internal error naming the row.
    pub fn of(p: &product::Model) -> Result<Self, AppError> {
        Ok(match p.status.as_str() {
            "DRAFT" => Self::Draft,
            "PENDING_REVIEW" => Self::PendingReview,
            "ON_SHELF" => Self::OnShelf,
            "OFF_SHELF" => Self::OffShelf,
            "ARCHIVED" => Self::Archived,
            other => {
                let what = format!("unknown status {other:?}");
                return Err(AppError::unreadable("product", p.id, what));
            }
        })
    }
}

/// Title limit and counting by platform: `(limit, wide counts double)`.
pub fn title_rule(platform: &str) -> (usize, bool) {
    match platform {
        "JD" => (90, true),
        "DOUYIN" => (30, false),
        _ => (60, true),
    }
}

fn invalid(field: &[&str], code: ErrorCode, msg: impl Into<String>) -> AppError {
    AppError::invalid(field, code, msg)
}
