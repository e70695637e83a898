//! Staff accounts (directors, specialists, assistants).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-case login name, unique.
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    /// `DIRECTOR`, `SPECIALIST` or `ASSISTANT`.
    pub role: String,
    /// argon2id PHC string. Never leaves the service layer.
    pub password_hash: String,
    pub must_change_password: bool,
    pub active: bool,
    pub last_login_at: Option<DateTimeUtc>,
    pub password_changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
