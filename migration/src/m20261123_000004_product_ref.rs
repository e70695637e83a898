//! Products get an external reference (the import file's `product_ref`), unique per store.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000004_product_ref"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("product"))
                    .add_column(
                        ColumnDef::new(Alias::new("external_ref"))
                            .string_len(64)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_product_external_ref")
                    .table(Alias::new("product"))
                    .col(Alias::new("store_id"))
                    .col(Alias::new("external_ref"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_product_external_ref")
                    .table(Alias::new("product"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("product"))
                    .drop_column(Alias::new("external_ref"))
                    .to_owned(),
            )
            .await
    }
}
