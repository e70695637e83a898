//! Catalog and inventory: categories, products, SKUs, inventory movements.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000002_catalog"
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
        manager
            .create_table(
                Table::create()
                    .table("category")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer_null("parent_id"))
                    .col(string_len("name", 40))
                    .col(string_len("path", 400))
                    .col(integer("depth"))
                    .col(text("key_attributes_json"))
                    .col(text("sales_attributes_json"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_category_store",
                        ("category", "store_id"),
                        ("store", "id"),
                    ))
                    .foreign_key(&mut fk(
                        "fk_category_parent",
                        ("category", "parent_id"),
                        ("category", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_category_path", "category", &["store_id", "path"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_category_parent",
                "category",
                &["parent_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("product")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer("category_id"))
                    .col(string_len("title", 200))
                    .col(string_len_null("subtitle", 600))
                    .col(text_null("description"))
                    .col(text("key_attributes_json"))
                    .col(text("images_json"))
                    .col(string_len_null("video_url", 1000))
                    .col(string_len("status", 16))
                    .col(string_len_null("status_reason", 400))
                    .col(timestamp_with_time_zone_null("scheduled_on_shelf_at"))
                    .col(big_integer_null("submitted_by"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(big_integer_null("reviewed_by"))
                    .col(big_integer_null("min_price_fen"))
                    .col(big_integer_null("max_price_fen"))
                    .col(big_integer("total_on_hand").default(0))
                    .col(big_integer("total_available").default(0))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "fk_product_store",
                        ("product", "store_id"),
                        ("store", "id"),
                    ))
                    .foreign_key(&mut fk(
                        "fk_product_category",
                        ("product", "category_id"),
                        ("category", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_product_store_id", vec!["store_id", "id"]),
            ("ix_product_store_status", vec!["store_id", "status", "id"]),
            (
                "ix_product_store_updated",
                vec!["store_id", "updated_at", "id"],
            ),
            (
                "ix_product_store_created",
                vec!["store_id", "created_at", "id"],
            ),
            ("ix_product_store_title", vec!["store_id", "title", "id"]),
            (
                "ix_product_store_price",
                vec!["store_id", "min_price_fen", "id"],
            ),
            (
                "ix_product_store_stock",
                vec!["store_id", "total_available", "id"],
            ),
            ("ix_product_category", vec!["category_id", "id"]),
            ("ix_product_updated", vec!["updated_at", "id"]),
            ("ix_product_created", vec!["created_at", "id"]),
        ] {
            manager.create_index(index(name, "product", &cols)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("sku")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer("product_id"))
                    .col(string_len("code", 64))
                    .col(text("attributes_json"))
                    .col(string_len("attributes_key", 400))
                    .col(big_integer("price_fen"))
                    .col(big_integer_null("cost_fen"))
                    .col(big_integer_null("floor_price_fen"))
                    .col(big_integer("on_hand").default(0))
                    .col(big_integer("reserved").default(0))
                    .col(integer("low_stock_threshold").default(0))
                    .col(boolean("active").default(true))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust(
                        "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand",
                    ))
                    .foreign_key(&mut fk(
                        "fk_sku_store",
                        ("sku", "store_id"),
                        ("store", "id"),
                    ))
                    .foreign_key(&mut fk(
                        "fk_sku_product",
                        ("sku", "product_id"),
                        ("product", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_sku_code", "sku", &["store_id", "code"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "ux_sku_attributes",
                    "sku",
                    &["product_id", "attributes_key"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_sku_product", "sku", &["product_id", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("inventory_movement")
                    .col(big_pk_auto("id"))
                    .col(big_integer("store_id"))
                    .col(big_integer("sku_id"))
                    .col(string_len("kind", 16))
                    .col(big_integer("quantity"))
                    .col(big_integer("on_hand_after"))
                    .col(big_integer("reserved_after"))
                    .col(string_len_null("reason", 400))
                    .col(string_len_null("reference", 128))
                    .col(big_integer_null("actor_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "fk_movement_sku",
                        ("inventory_movement", "sku_id"),
                        ("sku", "id"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_movement_sku",
                "inventory_movement",
                &["sku_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_movement_store",
                "inventory_movement",
                &["store_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_movement_store_kind",
                "inventory_movement",
                &["store_id", "kind", "id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["inventory_movement", "sku", "product", "category"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
