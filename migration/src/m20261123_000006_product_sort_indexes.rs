//! Indexes for sorting products across all of a director's stores (no store filter).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000006_product_sort_indexes"
    }
}

const INDEXES: [(&str, &[&str]); 3] = [
    ("ix_product_title", &["title", "id"]),
    ("ix_product_price", &["min_price_fen", "id"]),
    ("ix_product_stock", &["total_available", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in INDEXES {
            let mut idx = Index::create();
            idx.name(name).table(Alias::new("product"));
            for col in cols {
                idx.col(Alias::new(*col));
            }
            manager.create_index(idx.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Alias::new("product"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
