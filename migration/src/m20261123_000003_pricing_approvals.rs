//! Price history and the general approval-request queue (DOMAIN.md §9.4).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000003_pricing_approvals"
    }
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new(table));
    for col in cols {
        idx.col(Alias::new(*col));
    }
    idx.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("approval_request")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(string_len("kind", 32))
                    .col(string_len("subject_type", 32))
                    .col(big_integer("subject_id"))
                    .col(text("payload_json"))
                    .col(string_len_null("reason", 400))
                    .col(string_len("status", 16))
                    .col(string_len("approver_role", 16))
                    .col(big_integer("requested_by"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(big_integer_null("resolved_by"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .col(string_len_null("note", 400))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_approval_request_store")
                            .from(Alias::new("approval_request"), Alias::new("store_id"))
                            .to(Alias::new("store"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_approval_store_status",
                "approval_request",
                &["store_id", "status", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_approval_status",
                "approval_request",
                &["status", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_approval_subject",
                "approval_request",
                &["subject_type", "subject_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("price_change")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer("sku_id"))
                    .col(big_integer("old_price_fen"))
                    .col(big_integer("new_price_fen"))
                    .col(string_len("reason", 400))
                    .col(big_integer_null("changed_by"))
                    .col(big_integer_null("approved_by"))
                    .col(big_integer_null("approval_request_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_price_change_sku")
                            .from(Alias::new("price_change"), Alias::new("sku_id"))
                            .to(Alias::new("sku"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_price_change_sku",
                "price_change",
                &["sku_id", "created_at", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_price_change_store",
                "price_change",
                &["store_id", "id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["price_change", "approval_request"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
