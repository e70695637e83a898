//! PostgreSQL only: every change to a staff member or their store assignments notifies channel
//! `zhanggui_staff` with the staff id on commit, so each server process evicts them from its
//! viewer cache (SQLite is served by one process, which evicts in process).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000010_staff_notify"
    }
}

const UP: &str = r#"
CREATE FUNCTION zhanggui_notify_staff() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('zhanggui_staff', OLD.id::text);
    ELSE
        PERFORM pg_notify('zhanggui_staff', NEW.id::text);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION zhanggui_notify_staff_store() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('zhanggui_staff', OLD.staff_id::text);
    ELSE
        PERFORM pg_notify('zhanggui_staff', NEW.staff_id::text);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER staff_changed AFTER UPDATE OR DELETE ON staff
    FOR EACH ROW EXECUTE FUNCTION zhanggui_notify_staff();
CREATE TRIGGER staff_store_changed AFTER INSERT OR UPDATE OR DELETE ON staff_store
    FOR EACH ROW EXECUTE FUNCTION zhanggui_notify_staff_store();
"#;

const DOWN: &str = r#"
DROP TRIGGER IF EXISTS staff_store_changed ON staff_store;
DROP TRIGGER IF EXISTS staff_changed ON staff;
DROP FUNCTION IF EXISTS zhanggui_notify_staff_store();
DROP FUNCTION IF EXISTS zhanggui_notify_staff();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
