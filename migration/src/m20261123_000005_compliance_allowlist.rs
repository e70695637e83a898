//! Per-store allow-list of phrases exempt from the Advertising-Law term check (DOMAIN.md §8.1).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000005_compliance_allowlist"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("compliance_allowlist")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(string_len("phrase", 100))
                    .col(string_len("reason", 400))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_allowlist_store")
                            .from(Alias::new("compliance_allowlist"), Alias::new("store_id"))
                            .to(Alias::new("store"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_allowlist_phrase")
                    .table(Alias::new("compliance_allowlist"))
                    .col(Alias::new("store_id"))
                    .col(Alias::new("phrase"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("compliance_allowlist"))
                    .to_owned(),
            )
            .await
    }
}
