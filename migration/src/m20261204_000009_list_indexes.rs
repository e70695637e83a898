//! Indexes for the member list's tier filter under every sort, for one store and for all of a
//! director's stores, and for a category's products by listing state and update time.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000009_list_indexes"
    }
}

const INDEXES: [(&str, &str, &[&str]); 11] = [
    (
        "ix_member_all_last_order",
        "member",
        &["last_order_at", "id"],
    ),
    ("ix_member_all_spend", "member", &["total_paid_fen", "id"]),
    ("ix_member_all_points", "member", &["points_balance", "id"]),
    ("ix_member_all_tier", "member", &["tier", "id"]),
    (
        "ix_member_tier_last_order",
        "member",
        &["tier", "last_order_at", "id"],
    ),
    (
        "ix_member_tier_spend",
        "member",
        &["tier", "total_paid_fen", "id"],
    ),
    (
        "ix_member_tier_points",
        "member",
        &["tier", "points_balance", "id"],
    ),
    (
        "ix_member_store_tier_last_order",
        "member",
        &["store_id", "tier", "last_order_at", "id"],
    ),
    (
        "ix_member_store_tier_spend",
        "member",
        &["store_id", "tier", "total_paid_fen", "id"],
    ),
    (
        "ix_member_store_tier_points",
        "member",
        &["store_id", "tier", "points_balance", "id"],
    ),
    (
        "ix_product_category_status_updated",
        "product",
        &["category_id", "status", "updated_at", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            let mut idx = Index::create();
            idx.name(name).table(Alias::new(table));
            for col in cols {
                idx.col(Alias::new(*col));
            }
            manager.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
