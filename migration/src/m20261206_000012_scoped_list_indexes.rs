//! Indexes found missing by the query-plan test: members in creation order and one SKU's stock
//! movements for staff of some stores (their scope is `store_id IN (…)`); the order list's
//! channel, consulted and order-number filters across all stores; and the id as the last column
//! of the store-scoped status, channel and consulted indexes, so a page in time order needs no
//! sort of rows with the same time.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000012_scoped_list_indexes"
    }
}

type Columns = &'static [&'static str];

/// New indexes: name, table, columns.
const NEW: [(&str, &str, Columns); 5] = [
    ("ix_member_store_id", "member", &["store_id", "id"]),
    (
        "ix_movement_store_sku",
        "inventory_movement",
        &["store_id", "sku_id", "id"],
    ),
    (
        "ix_order_all_channel",
        "sales_order",
        &["channel", "ordered_at", "id"],
    ),
    (
        "ix_order_all_consulted",
        "sales_order",
        &["consulted", "ordered_at", "id"],
    ),
    (
        "ix_order_all_no",
        "sales_order",
        &["order_no", "ordered_at", "id"],
    ),
];

/// Indexes replaced by one with the id: the new name, the old name, table, columns (the old
/// index had the same without `id`). New names, because SQLite may check a new index's name
/// against a connection's view of the schema from before the drop.
const REPLACED: [(&str, &str, &str, Columns); 3] = [
    (
        "ix_order_store_status",
        "ix_order_status",
        "sales_order",
        &["store_id", "status", "ordered_at", "id"],
    ),
    (
        "ix_order_store_channel",
        "ix_order_channel",
        "sales_order",
        &["store_id", "channel", "ordered_at", "id"],
    ),
    (
        "ix_order_store_consulted",
        "ix_order_consulted",
        "sales_order",
        &["store_id", "consulted", "ordered_at", "id"],
    ),
];

fn create(name: &str, table: &str, cols: Columns) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new(table));
    for col in cols {
        idx.col(Alias::new(*col));
    }
    idx.to_owned()
}

fn drop(name: &str, table: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in NEW {
            manager.create_index(create(name, table, cols)).await?;
        }
        for (name, old, table, cols) in REPLACED {
            manager.create_index(create(name, table, cols)).await?;
            manager.drop_index(drop(old, table)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, old, table, cols) in REPLACED {
            let before = &cols[..cols.len() - 1];
            manager.create_index(create(old, table, before)).await?;
            manager.drop_index(drop(name, table)).await?;
        }
        for (name, table, _) in NEW {
            manager.drop_index(drop(name, table)).await?;
        }
        Ok(())
    }
}
