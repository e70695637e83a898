//! Approval requests: actions beyond the actor's limit, waiting for a resolver.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "approval_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub store_id: i64,
    /// `PRICE_CHANGE`, `STOCK_ADJUST`, `REFUND`, `POINTS_ADJUST`, `CAMPAIGN_BUDGET`.
    pub kind: String,
    pub subject_type: String,
    pub subject_id: i64,
    /// JSON of the original mutation's input, applied on approval.
    pub payload_json: String,
    pub reason: Option<String>,
    /// `PENDING`, `APPROVED`, `REJECTED`, `EXPIRED`, `CANCELLED`.
    pub status: String,
    /// Lowest role that may resolve it: `SPECIALIST` or `DIRECTOR`.
    pub approver_role: String,
    pub requested_by: i64,
    pub requested_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<DateTimeUtc>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
