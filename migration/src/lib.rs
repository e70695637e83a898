//! Explicit, append-only migrations. The same migrations run on SQLite and PostgreSQL.
//! Never edit a released migration; add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_catalog;
mod m20261123_000003_pricing_approvals;
mod m20261123_000004_product_ref;
mod m20261123_000005_compliance_allowlist;
mod m20261123_000006_product_sort_indexes;
mod m20261123_000007_members_orders;
mod m20261129_000008_promotions;
mod m20261204_000009_list_indexes;
mod m20261204_000010_staff_notify;
mod m20261204_000011_all_store_indexes;
mod m20261206_000012_scoped_list_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_catalog::Migration),
            Box::new(m20261123_000003_pricing_approvals::Migration),
            Box::new(m20261123_000004_product_ref::Migration),
            Box::new(m20261123_000005_compliance_allowlist::Migration),
            Box::new(m20261123_000006_product_sort_indexes::Migration),
            Box::new(m20261123_000007_members_orders::Migration),
            Box::new(m20261129_000008_promotions::Migration),
            Box::new(m20261204_000009_list_indexes::Migration),
            Box::new(m20261204_000010_staff_notify::Migration),
            Box::new(m20261204_000011_all_store_indexes::Migration),
            Box::new(m20261206_000012_scoped_list_indexes::Migration),
        ]
    }
}
