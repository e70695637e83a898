use super::*;

// ---------------------------------------------------------------------------------------------
// Mutations

/// Input of `ordersImport`.
#[derive(InputObject)]
pub struct OrdersImportInput {
    /// The store.
    pub store_id: ID,
    /// The CSV file (GraphQL multipart upload), UTF-8, one row per order line with the columns
    /// `order_no,buyer_ref,buyer_nick,buyer_phone,status,created_at,paid_at,consulted,sku_code,quantity,unit_price,discount,paid_amount,channel`
    /// and optionally `refunded_amount`.
    pub file: async_graphql::Upload,
}

/// What an order import did.
#[derive(SimpleObject)]
pub struct OrderImportReport {
    /// Data rows (order lines) read.
    pub rows: i32,
    /// Orders created.
    pub orders_created: i32,
    /// Existing orders whose status or times changed.
    pub orders_updated: i32,
    /// Existing orders the file left as they were.
    pub orders_unchanged: i32,
    /// Members created for new buyers.
    pub members_created: i32,
    /// SALE movements written (paid lines).
    pub sale_movements: i32,
    /// RETURN movements written (lines refunded before shipping).
    pub return_movements: i32,
    /// Lines the SALE could not fully take from stock (超卖).
    pub oversold_lines: i32,
    /// Members whose tier changed.
    pub tier_changes: i32,
}

/// Result of `ordersImport`.
#[derive(SimpleObject)]
pub struct OrdersImportPayload {
    /// What was imported; null when the file was rejected.
    pub report: Option<OrderImportReport>,
    /// Each bad row and column (at most 1,000); any makes the whole file rejected with nothing
    /// written.
    pub row_errors: Vec<crate::graphql::catalog::ImportRowError>,
    /// Number of row errors, including those not listed.
    pub total_row_errors: i32,
    /// Why the import was refused as a whole; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

#[derive(Default)]
pub struct OrderImportMutation;

#[Object]
impl OrderImportMutation {
    /// Imports orders from a CSV file (ORDER_IMPORT), one row per order line. Every row is
    /// validated first; any error rejects the whole file and nothing is written. Orders match
    /// by `order_no`: re-importing updates status and times only, and only along the allowed
    /// transitions. Paid orders take stock (SALE, never refused: shortfalls are flagged
    /// oversold), earn points and move tiers; refunds reverse points and, before shipping, give
    /// stock back (RETURN) — each once per line. Times are RFC 3339 or local
    /// `2026-11-11 00:00:05` in the store's time zone; money is decimal.
    async fn orders_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: OrdersImportInput,
    ) -> async_graphql::Result<OrdersImportPayload> {
        let svc = svc(ctx)?;
        let rejected = |user_errors: Vec<UserErrorObject>| OrdersImportPayload {
            report: None,
            row_errors: Vec::new(),
            total_row_errors: 0,
            user_errors,
        };
        let store = match decode_id(&input.store_id, NodeType::Store, "input.storeId") {
            Ok(s) => s,
            Err(AppError::Invalid(e)) => {
                return Ok(rejected(e.into_iter().map(Into::into).collect()));
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
        let outcome = orders::import(
            svc,
            store,
            upload.into_read(),
            crate::service::catalog::import::no_progress(),
        )
        .await;
        let (v, user_errors) = split(outcome)?;
        Ok(match v {
            Some(orders::Outcome::Imported(r)) => OrdersImportPayload {
                report: Some(OrderImportReport {
                    rows: r.rows as i32,
                    orders_created: r.orders_created as i32,
                    orders_updated: r.orders_updated as i32,
                    orders_unchanged: r.orders_unchanged as i32,
                    members_created: r.members_created as i32,
                    sale_movements: r.sale_movements as i32,
                    return_movements: r.return_movements as i32,
                    oversold_lines: r.oversold_lines as i32,
                    tier_changes: r.tier_changes as i32,
                }),
                row_errors: Vec::new(),
                total_row_errors: 0,
                user_errors,
            },
            Some(orders::Outcome::Rejected {
                errors,
                total_errors,
            }) => OrdersImportPayload {
                report: None,
                row_errors: errors
                    .into_iter()
                    .map(|e| crate::graphql::catalog::ImportRowError {
                        row: e.row as i32,
                        column: e.column,
                        message: e.message,
                    })
                    .collect(),
                total_row_errors: total_errors as i32,
                user_errors,
            },
            None => rejected(user_errors),
        })
    }
}
