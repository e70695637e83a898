use super::*;

/// Input of `productsImport`.
#[derive(InputObject)]
pub struct ProductsImportInput {
    /// The store.
    pub store_id: ID,
    /// The CSV file (GraphQL multipart upload), UTF-8, one row per SKU with the columns
    /// `product_ref,title,category_path,status,sku_code,sales_attrs,price,cost,stock`.
    pub file: async_graphql::Upload,
}

/// What an import did.
#[derive(SimpleObject)]
pub struct ProductImportReport {
    /// Data rows read.
    pub rows: i32,
    /// Categories created (missing `category_path` segments).
    pub categories_created: i32,
    /// Products created.
    pub products_created: i32,
    /// Existing products whose title or status changed.
    pub products_updated: i32,
    /// SKUs created.
    pub skus_created: i32,
    /// Existing SKUs whose price, cost or stock changed.
    pub skus_updated: i32,
    /// Rows that matched what is stored (a re-import changes nothing).
    pub rows_unchanged: i32,
}

/// One bad cell of an import file.
#[derive(SimpleObject)]
pub struct ImportRowError {
    /// Line number in the file (the header is line 1).
    pub row: i32,
    /// Column name.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

/// Result of `productsImport`.
#[derive(SimpleObject)]
pub struct ProductsImportPayload {
    /// What was imported; null when the file was rejected.
    pub report: Option<ProductImportReport>,
    /// Each bad row and column (at most 1,000); any makes the whole file rejected with nothing
    /// written.
    pub row_errors: Vec<ImportRowError>,
    /// Number of row errors, including those not listed.
    pub total_row_errors: i32,
    /// Why the import was refused as a whole; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(Default)]
pub struct ImportMutation;

/// Bulk imports.
#[Object]
impl ImportMutation {
    /// Imports products from a CSV file (PRODUCT_EDIT_DRAFT; rows setting ON_SHELF or OFF_SHELF need
    /// PRODUCT_SHELVE, a non-empty cost COST_EDIT, price changes of existing SKUs the PRICE_CHANGE
    /// limits, stock changes of existing SKUs STOCK_ADJUST). Every row is validated first; any
    /// error rejects the whole file and nothing is written. Products match by `product_ref` and
    /// SKUs by `sku_code`, so re-importing a file changes nothing. `category_path` (`女装/连衣裙`)
    /// is created if missing; `sales_attrs` is `颜色:红;尺码:M`; money is decimal.
    async fn products_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ProductsImportInput,
    ) -> async_graphql::Result<ProductsImportPayload> {
        use crate::service::catalog::import::{self, Outcome};
        let svc = svc(ctx)?;
        let store = match decode_id(&input.store_id, NodeType::Store, "input.storeId") {
            Ok(s) => s,
            Err(AppError::Invalid(e)) => {
                return Ok(ProductsImportPayload {
                    report: None,
                    row_errors: Vec::new(),
                    total_row_errors: 0,
                    user_errors: e.into_iter().map(Into::into).collect(),
                });
            }
            Err(e) => return Err(e).gql(),
        };
        let upload = input
            .file
            .value(ctx)
            .map_err(|_| {
                AppError::invalid(
                    &["input", "file"],
                    crate::error::ErrorCode::Invalid,
                    "the file could not be read",
                )
            })
            .gql()?;
        let outcome = import::import(svc, store, upload.into_read(), import::no_progress()).await;
        let (v, user_errors) = split(outcome)?;
        Ok(match v {
            Some(Outcome::Imported(r)) => ProductsImportPayload {
                report: Some(ProductImportReport {
                    rows: r.rows as i32,
                    categories_created: r.categories_created as i32,
                    products_created: r.products_created as i32,
                    products_updated: r.products_updated as i32,
                    skus_created: r.skus_created as i32,
                    skus_updated: r.skus_updated as i32,
                    rows_unchanged: r.rows_unchanged as i32,
                }),
                row_errors: Vec::new(),
                total_row_errors: 0,
                user_errors,
            },
            Some(Outcome::Rejected {
                errors,
                total_errors,
            }) => ProductsImportPayload {
                report: None,
                row_errors: errors
                    .into_iter()
                    .map(|e| ImportRowError {
                        row: e.row as i32,
                        column: e.column,
                        message: e.message,
                    })
                    .collect(),
                total_row_errors: total_errors as i32,
                user_errors: vec![UserErrorObject {
                    field: Some(vec!["input".into(), "file".into()]),
                    code: crate::error::ErrorCode::Invalid,
                    message: format!(
                        "the file has {total_errors} invalid cells; nothing was imported"
                    ),
                }],
            },
            None => ProductsImportPayload {
                report: None,
                row_errors: Vec::new(),
                total_row_errors: 0,
                user_errors,
            },
        })
    }
}
