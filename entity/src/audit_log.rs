//! Append-only audit trail, written by every mutation inside its transaction.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    /// Staff member who acted; `None` for the system (first start, CLI).
    pub actor_id: Option<i64>,
    pub actor_role: Option<String>,
    /// Dotted action name, e.g. `store.create`.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub store_id: Option<i64>,
    /// JSON text of the state before; never holds secrets or buyers' personal data.
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
    pub self_approved: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
