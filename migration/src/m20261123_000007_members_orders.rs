//! Members and orders (DOMAIN.md §5, §10): members per buyer per store with encrypted phone,
//! tags, the points ledger and tier changes; imported orders and their lines; the store's
//! membership settings.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000007_members_orders"
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

/// The default tiers of a new store (DOMAIN.md §5.1).
const DEFAULT_TIERS: &str = r#"[{"code":"VIP1","name":"普通会员","minSpendFen":0,"minPurchases":1,"match":"ANY","priceRateBp":9800,"pointsMultiplierBp":10000},{"code":"VIP2","name":"高级会员","minSpendFen":100000,"minPurchases":3,"match":"ANY","priceRateBp":9500,"pointsMultiplierBp":10000},{"code":"VIP3","name":"VIP会员","minSpendFen":300000,"minPurchases":6,"match":"ANY","priceRateBp":9200,"pointsMultiplierBp":12000},{"code":"VIP4","name":"至尊VIP","minSpendFen":800000,"minPurchases":10,"match":"ANY","priceRateBp":8800,"pointsMultiplierBp":15000}]"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let store_columns = [
            ColumnDef::new(Alias::new("tiers_json"))
                .text()
                .not_null()
                .default(DEFAULT_TIERS)
                .to_owned(),
            ColumnDef::new(Alias::new("tier_basis"))
                .string_len(16)
                .not_null()
                .default("ROLLING_12M")
                .to_owned(),
            ColumnDef::new(Alias::new("tier_protection_days"))
                .integer()
                .not_null()
                .default(30)
                .to_owned(),
            ColumnDef::new(Alias::new("points_per_yuan"))
                .integer()
                .not_null()
                .default(1)
                .to_owned(),
            ColumnDef::new(Alias::new("repurchase_cycle_days"))
                .integer()
                .not_null()
                .default(90)
                .to_owned(),
        ];
        for mut col in store_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("store"))
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .exec_stmt(
                Query::insert()
                    .into_table("app_lock")
                    .columns(["name", "version"])
                    .values_panic(["daily_tier_job".into(), 0i64.into()])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("member")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(string_len("buyer_ref", 64))
                    .col(string_len("nick", 64))
                    .col(text_null("phone_cipher"))
                    .col(string_len_null("phone_hash", 64))
                    .col(string_len_null("phone_masked", 32))
                    .col(string_len_null("tier", 16))
                    .col(timestamp_with_time_zone_null("tier_protected_until"))
                    .col(timestamp_with_time_zone_null("tier_locked_until"))
                    .col(big_integer("points_balance").default(0))
                    .col(big_integer("points_deficit").default(0))
                    .col(text_null("note"))
                    .col(timestamp_with_time_zone("first_order_at"))
                    .col(timestamp_with_time_zone("last_order_at"))
                    .col(big_integer("paid_order_count").default(0))
                    .col(big_integer("purchase_count").default(0))
                    .col(big_integer("total_paid_fen").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_member_store",
                        ("member", "store_id"),
                        ("store", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        for idx in [
            index("ux_member_buyer", "member", &["store_id", "buyer_ref"])
                .unique()
                .to_owned(),
            index("ix_member_phone", "member", &["store_id", "phone_hash"]),
            index(
                "ix_member_last_order",
                "member",
                &["store_id", "last_order_at", "id"],
            ),
            index(
                "ix_member_spend",
                "member",
                &["store_id", "total_paid_fen", "id"],
            ),
            index(
                "ix_member_points",
                "member",
                &["store_id", "points_balance", "id"],
            ),
            index("ix_member_tier", "member", &["store_id", "tier", "id"]),
        ] {
            manager.create_index(idx).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("member_tag")
                    .col(big_integer("member_id"))
                    .col(big_integer("store_id"))
                    .col(string_len("tag", 20))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("member_id"))
                            .col(Alias::new("tag")),
                    )
                    .foreign_key(&mut fk(
                        "fk_member_tag_member",
                        ("member_tag", "member_id"),
                        ("member", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_member_tag_store",
                "member_tag",
                &["store_id", "tag", "member_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sales_order")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(string_len("order_no", 64))
                    .col(big_integer("member_id"))
                    .col(string_len("status", 20))
                    .col(string_len("stage", 12))
                    .col(timestamp_with_time_zone("ordered_at"))
                    .col(timestamp_with_time_zone_null("paid_at"))
                    .col(integer_null("paid_day"))
                    .col(boolean("consulted"))
                    .col(string_len_null("channel", 64))
                    .col(big_integer("item_total_fen"))
                    .col(big_integer("discount_fen"))
                    .col(big_integer("paid_fen"))
                    .col(big_integer("refunded_fen").default(0))
                    .col(integer("line_count"))
                    .col(big_integer("oversold_units").default(0))
                    .col(big_integer("points_earned").default(0))
                    .col(big_integer_null("points_rate"))
                    .col(timestamp_with_time_zone("imported_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_order_store",
                        ("sales_order", "store_id"),
                        ("store", "id"),
                    ))
                    .foreign_key(&mut fk(
                        "fk_order_member",
                        ("sales_order", "member_id"),
                        ("member", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        for idx in [
            index("ux_order_no", "sales_order", &["store_id", "order_no"])
                .unique()
                .to_owned(),
            index(
                "ix_order_ordered",
                "sales_order",
                &["store_id", "ordered_at", "id"],
            ),
            index(
                "ix_order_paid",
                "sales_order",
                &["store_id", "paid_at", "id"],
            ),
            index(
                "ix_order_amount",
                "sales_order",
                &["store_id", "paid_fen", "id"],
            ),
            index(
                "ix_order_status",
                "sales_order",
                &["store_id", "status", "ordered_at"],
            ),
            index(
                "ix_order_channel",
                "sales_order",
                &["store_id", "channel", "ordered_at"],
            ),
            index(
                "ix_order_consulted",
                "sales_order",
                &["store_id", "consulted", "ordered_at"],
            ),
            index(
                "ix_order_member",
                "sales_order",
                &["member_id", "ordered_at", "id"],
            ),
            index(
                "ix_order_paid_day",
                "sales_order",
                &["store_id", "paid_day", "member_id"],
            ),
            // Covers the RFM and tier aggregates: per member, per paid day, without the table.
            index(
                "ix_order_rfm",
                "sales_order",
                &[
                    "store_id",
                    "member_id",
                    "paid_day",
                    "status",
                    "paid_fen",
                    "refunded_fen",
                ],
            ),
        ] {
            manager.create_index(idx).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("order_line")
                    .col(big_pk_auto("id"))
                    .col(big_integer("order_id"))
                    .col(big_integer("store_id"))
                    .col(integer("line_no"))
                    .col(big_integer("sku_id"))
                    .col(big_integer("quantity"))
                    .col(big_integer("unit_price_fen"))
                    .col(big_integer("discount_fen"))
                    .col(big_integer("paid_fen"))
                    .col(big_integer("refunded_fen").default(0))
                    .col(big_integer("sold_units").default(0))
                    .col(big_integer("oversold_units").default(0))
                    .col(big_integer("returned_units").default(0))
                    .foreign_key(&mut fk(
                        "fk_order_line_order",
                        ("order_line", "order_id"),
                        ("sales_order", "id"),
                    ))
                    .foreign_key(&mut fk(
                        "fk_order_line_sku",
                        ("order_line", "sku_id"),
                        ("sku", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_order_line", "order_line", &["order_id", "line_no"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_order_line_sku", "order_line", &["sku_id", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("points_entry")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer("member_id"))
                    .col(string_len("kind", 16))
                    .col(big_integer("amount"))
                    .col(big_integer("balance_after"))
                    .col(big_integer("deficit_after"))
                    .col(integer_null("multiplier_bp"))
                    .col(string_len_null("reason", 400))
                    .col(big_integer_null("order_id"))
                    .col(big_integer_null("actor_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_points_member",
                        ("points_entry", "member_id"),
                        ("member", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_points_member",
                "points_entry",
                &["member_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_points_order",
                "points_entry",
                &["order_id", "kind"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("tier_change")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer("member_id"))
                    .col(string_len_null("from_tier", 16))
                    .col(string_len_null("to_tier", 16))
                    .col(string_len("cause", 16))
                    .col(string_len_null("reason", 400))
                    .col(big_integer_null("actor_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_tier_change_member",
                        ("tier_change", "member_id"),
                        ("member", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_tier_change_member",
                "tier_change",
                &["member_id", "id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "tier_change",
            "points_entry",
            "order_line",
            "sales_order",
            "member_tag",
            "member",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        for c in [
            "tiers_json",
            "tier_basis",
            "tier_protection_days",
            "points_per_yuan",
            "repurchase_cycle_days",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("store"))
                        .drop_column(Alias::new(c))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
