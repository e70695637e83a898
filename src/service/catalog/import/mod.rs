//! Bulk product import (one CSV row per SKU): every row is validated first; any error rejects the
//! whole file with each bad row and column, and nothing is written. Re-importing the same file
//! changes nothing (products match by `product_ref`, SKUs by `sku_code`). Writes are batched in one
//! transaction, so 100,000 rows take seconds, not minutes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use entity::{category, inventory_movement, price_change, product, sku, store};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use serde_json::json;

use crate::auth::{Access, Permission, Role, Staff};
use crate::db;
use crate::domain::{Fen, compliance, text};
use crate::error::AppError;
use crate::service::catalog::{self, AttributeDef, ProductStatus};
use crate::service::kernel::csv_file::{Cells, CsvFile, Limits};
pub use crate::service::kernel::csv_file::{
    Errors, MAX_REPORTED_ERRORS, Progress, RowError, no_progress,
};
use crate::service::{ServiceCtx, kernel::audit, pricing};

mod apply;
mod check;
mod parse;

pub use apply::*;
pub use parse::*;
