//! Foundation: settings, locks, stores, staff and their store assignments, refresh tokens,
//! login throttling and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_foundation"
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
                    .table("app_setting")
                    .col(string_len("key", 64).primary_key())
                    .col(text("value"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("app_lock")
                    .col(string_len("name", 64).primary_key())
                    .col(big_integer("version").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("app_lock")
                    .columns(["name", "version"])
                    .values_panic(["directors".into(), 0i64.into()])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("store")
                    .col(big_pk_auto("id"))
                    .col(string_len("name", 60))
                    .col(string_len("platform", 16))
                    .col(string_len("time_zone", 64))
                    .col(big_integer("refund_limit_specialist_fen"))
                    .col(big_integer("refund_limit_assistant_fen"))
                    .col(integer("price_cut_limit_bp"))
                    .col(integer("price_recent_high_min_bp"))
                    .col(integer("promo_depth_limit_bp"))
                    .col(big_integer("coupon_face_value_limit_fen"))
                    .col(big_integer("campaign_budget_limit_fen"))
                    .col(integer("points_adjust_limit"))
                    .col(integer("min_margin_bp"))
                    .col(boolean("specialist_cost_view"))
                    .col(integer("pii_reveals_per_day"))
                    .col(integer("approval_expiry_days"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_store_name", "store", &["name"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_store_created", "store", &["created_at", "id"]))
            .await?;
        manager
            .create_index(index("ix_store_updated", "store", &["updated_at", "id"]))
            .await?;
        manager
            .create_index(index("ix_store_platform", "store", &["platform", "id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("staff")
                    .col(big_pk_auto("id"))
                    .col(string_len("username", 32))
                    .col(string_len("display_name", 40))
                    .col(string_len("role", 16))
                    .col(text("password_hash"))
                    .col(boolean("must_change_password"))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone_null("last_login_at"))
                    .col(timestamp_with_time_zone("password_changed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_staff_username", "staff", &["username"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_staff_role_active", "staff", &["role", "active"]))
            .await?;
        manager
            .create_index(index("ix_staff_created", "staff", &["created_at", "id"]))
            .await?;
        manager
            .create_index(index(
                "ix_staff_display_name",
                "staff",
                &["display_name", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("staff_store")
                    .col(big_integer("staff_id"))
                    .col(big_integer("store_id"))
                    .primary_key(Index::create().col("staff_id").col("store_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_store_staff")
                            .from("staff_store", "staff_id")
                            .to("staff", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_store_store")
                            .from("staff_store", "store_id")
                            .to("store", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_staff_store_store",
                "staff_store",
                &["store_id", "staff_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("refresh_token")
                    .col(big_pk_auto("id"))
                    .col(big_integer("staff_id"))
                    .col(string_len("family_id", 64))
                    .col(string_len("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("rotated_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_token_staff")
                            .from("refresh_token", "staff_id")
                            .to("staff", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("ux_refresh_token_hash", "refresh_token", &["token_hash"])
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_refresh_token_family",
                "refresh_token",
                &["family_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_refresh_token_staff",
                "refresh_token",
                &["staff_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("login_throttle")
                    .col(string_len("username", 64).primary_key())
                    .col(integer("failures"))
                    .col(timestamp_with_time_zone("window_started_at"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(big_integer_null("actor_id"))
                    .col(string_len_null("actor_role", 16))
                    .col(string_len("action", 64))
                    .col(string_len("target_type", 32))
                    .col(big_integer_null("target_id"))
                    .col(big_integer_null("store_id"))
                    .col(text_null("before_json"))
                    .col(text_null("after_json"))
                    .col(string_len_null("request_id", 64))
                    .col(boolean("self_approved").default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_audit_log_created",
                "audit_log",
                &["created_at", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_audit_log_store",
                "audit_log",
                &["store_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_audit_log_actor",
                "audit_log",
                &["actor_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_audit_log_target",
                "audit_log",
                &["target_type", "target_id", "id"],
            ))
            .await?;
        manager
            .create_index(index("ix_audit_log_action", "audit_log", &["action", "id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "audit_log",
            "login_throttle",
            "refresh_token",
            "staff_store",
            "staff",
            "store",
            "app_lock",
            "app_setting",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
