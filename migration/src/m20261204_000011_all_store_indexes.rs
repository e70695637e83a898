//! Indexes for a director's order and stock-movement lists across all stores (no store filter):
//! every sort of `orders`, its status filter, and the movement-kind filter.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000011_all_store_indexes"
    }
}

const INDEXES: [(&str, &str, &[&str]); 5] = [
    ("ix_order_all_ordered", "sales_order", &["ordered_at", "id"]),
    ("ix_order_all_paid", "sales_order", &["paid_at", "id"]),
    ("ix_order_all_amount", "sales_order", &["paid_fen", "id"]),
    (
        "ix_order_all_status",
        "sales_order",
        &["status", "ordered_at", "id"],
    ),
    (
        "ix_movement_all_kind",
        "inventory_movement",
        &["kind", "id"],
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
