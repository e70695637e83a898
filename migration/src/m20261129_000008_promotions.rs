//! Promotions, coupon templates and issued coupons (DOMAIN.md §4): one `promotion` row per tool
//! with its working and approved (live) versions, the items each scope names, and the coupons
//! issued to members; plus the store's shipping template (运费模板).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000008_promotions"
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

fn fk(name: &str, from: (&str, &str), to: (&str, &str)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to.0), Alias::new(to.1))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for (name, default) in [("shipping_first_fen", 1000i64), ("shipping_extra_fen", 200)] {
            manager
                .alter_table(
                    Table::alter()
                        .table("store")
                        .add_column(
                            ColumnDef::new(Alias::new(name))
                                .big_integer()
                                .not_null()
                                .default(default)
                                .to_owned(),
                        )
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("promotion")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(string_len("kind", 16))
                    .col(string_len("name", 80))
                    .col(text_null("copy"))
                    .col(string_len("status", 20))
                    .col(timestamp_with_time_zone("start_at"))
                    .col(timestamp_with_time_zone("end_at"))
                    .col(timestamp_with_time_zone_null("live_start_at"))
                    .col(timestamp_with_time_zone_null("live_end_at"))
                    .col(string_len("funder", 12))
                    .col(integer("merchant_share_bp").default(10000))
                    .col(string_len("level", 12))
                    .col(string_len("scope_mode", 8))
                    .col(text("spec_json"))
                    .col(text_null("live_json"))
                    .col(integer("depth_bp").default(0))
                    .col(integer("version").default(1))
                    .col(integer_null("approved_version"))
                    .col(boolean("revision_pending").default(false))
                    .col(boolean("floor_break_approved").default(false))
                    .col(big_integer_null("total_quantity"))
                    .col(big_integer("issued_count").default(0))
                    .col(big_integer_null("submitted_by"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(big_integer_null("approved_by"))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .col(boolean("self_approved").default(false))
                    .col(text_null("reject_reason"))
                    .col(boolean("ended_early").default(false))
                    .col(big_integer("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_promotion_store",
                        ("promotion", "store_id"),
                        ("store", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("promotion_target")
                    .col(big_pk_auto("id"))
                    .col(big_integer("promotion_id"))
                    .col(big_integer("store_id"))
                    .col(big_integer_null("product_id"))
                    .col(big_integer_null("sku_id"))
                    .col(boolean("excluded").default(false))
                    .foreign_key(&mut fk(
                        "fk_promotion_target_promotion",
                        ("promotion_target", "promotion_id"),
                        ("promotion", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("coupon")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer("template_id"))
                    .col(big_integer("member_id"))
                    .col(string_len("code", 32))
                    .col(string_len("status", 12))
                    .col(timestamp_with_time_zone("valid_from"))
                    .col(timestamp_with_time_zone("valid_until"))
                    .col(timestamp_with_time_zone("claimed_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(string_len_null("order_ref", 64))
                    .col(string_len("client_key", 64))
                    .col(big_integer_null("issued_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_coupon_template",
                        ("coupon", "template_id"),
                        ("promotion", "id"),
                    ))
                    .foreign_key(&mut fk(
                        "fk_coupon_member",
                        ("coupon", "member_id"),
                        ("member", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        for idx in [
            index(
                "ix_promotion_status",
                "promotion",
                &["store_id", "status", "id"],
            ),
            index(
                "ix_promotion_kind",
                "promotion",
                &["store_id", "kind", "id"],
            ),
            index(
                "ix_promotion_start",
                "promotion",
                &["store_id", "start_at", "id"],
            ),
            index(
                "ix_promotion_end",
                "promotion",
                &["store_id", "end_at", "id"],
            ),
            index(
                "ix_promotion_live",
                "promotion",
                &["store_id", "live_end_at", "live_start_at"],
            ),
            index(
                "ix_promotion_due",
                "promotion",
                &["status", "live_start_at"],
            ),
            index(
                "ix_promotion_target_promotion",
                "promotion_target",
                &["promotion_id"],
            ),
            index(
                "ix_promotion_target_sku",
                "promotion_target",
                &["store_id", "sku_id"],
            ),
            index(
                "ix_promotion_target_product",
                "promotion_target",
                &["store_id", "product_id"],
            ),
            index("ux_coupon_code", "coupon", &["code"])
                .unique()
                .to_owned(),
            index(
                "ux_coupon_client_key",
                "coupon",
                &["template_id", "member_id", "client_key"],
            )
            .unique()
            .to_owned(),
            index(
                "ix_coupon_member",
                "coupon",
                &["member_id", "status", "valid_until"],
            ),
            index(
                "ix_coupon_template",
                "coupon",
                &["template_id", "status", "id"],
            ),
        ] {
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["coupon", "promotion_target", "promotion"] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        for c in ["shipping_first_fen", "shipping_extra_fen"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("store")
                        .drop_column(Alias::new(c))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
