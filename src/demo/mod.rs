//! `--demo`: a demo company with one login per role, and one seed file per capability. Idempotent; later capabilities add their
//! share (catalog, members, orders, promotions, …).

use std::sync::Arc;

use entity::{staff, store};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::auth::{Role, password};
use crate::domain::pii::PiiCipher;
use crate::error::AppError;
use crate::service::kernel::{clock::Clock, write::write_as_system};
use crate::service::{
    ServiceCtx, account::auth as auth_svc, account::staff as staff_svc, catalog as catalog_svc,
    inventory, pricing, store as store_svc,
};

mod catalog;
mod orders;
mod promotions;

use catalog::*;
use orders::*;
use promotions::*;

/// A demo login to print at start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
}

/// The demo logins (documented in the README; demo data only, never for production).
pub const LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        username: "demo.director",
        password: "director-demo-2026",
        role: Role::Director,
    },
    DemoLogin {
        username: "demo.specialist",
        password: "specialist-demo-2026",
        role: Role::Specialist,
    },
    DemoLogin {
        username: "demo.assistant",
        password: "assistant-demo-2026",
        role: Role::Assistant,
    },
];

const STORES: [(&str, &str); 3] = [
    ("掌柜家居天猫旗舰店", "TMALL"),
    ("掌柜家居淘宝店", "TAOBAO"),
    ("掌柜家居京东自营", "JD"),
];

async fn ensure_store(
    txn: &impl sea_orm::ConnectionTrait,
    name: &str,
    platform: &str,
) -> Result<i64, AppError> {
    if let Some(s) = store::Entity::find()
        .filter(store::Column::Name.eq(name))
        .one(txn)
        .await?
    {
        return Ok(s.id);
    }
    let mut m = store_svc::new_store(
        name.to_owned(),
        platform.to_owned(),
        "Asia/Shanghai".to_owned(),
        Clock::system().now(),
    );
    store_svc::apply_settings(
        &mut m,
        &store_svc::SettingsPatch {
            min_margin_bp: Some(1_000),
            specialist_cost_view: Some(name.contains("天猫")),
            ..Default::default()
        },
    );
    let m = m.insert(txn).await?;
    Ok(m.id)
}

/// Seeds the demo company; returns the logins.
pub async fn seed(
    db: &DatabaseConnection,
    pii: Arc<PiiCipher>,
) -> Result<Vec<DemoLogin>, AppError> {
    let at = Clock::system().now();
    let store_ids = write_as_system(db, at, async |txn| {
        let mut ids = Vec::new();
        for (name, platform) in STORES {
            ids.push(ensure_store(txn, name, platform).await?);
        }
        Ok((ids, None))
    })
    .await?;
    for login in LOGINS {
        let exists = staff::Entity::find()
            .filter(staff::Column::Username.eq(login.username))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let stores = match login.role {
            Role::Director => Vec::new(),
            Role::Specialist => store_ids[..2].to_vec(),
            Role::Assistant => store_ids[..1].to_vec(),
        };
        let hash = password::hash(login.password.to_owned()).await?;
        let display_name = match login.role {
            Role::Director => "王总监",
            Role::Specialist => "李专员",
            Role::Assistant => "张助理",
        };
        let input = staff_svc::CreateInput {
            username: login.username.to_owned(),
            display_name: Some(display_name.to_owned()),
            role: login.role,
            store_ids: stores,
        };
        write_as_system(db, at, async |txn| {
            let (model, entry) = staff_svc::insert(txn, at, input, hash, false).await?;
            Ok((model, entry))
        })
        .await?;
    }
    for store_id in &store_ids[..2] {
        seed_catalog(db, &pii, *store_id).await?;
        seed_orders(db, &pii, *store_id).await?;
        seed_promotions(db, &pii, *store_id).await?;
    }
    Ok(LOGINS.to_vec())
}

/// A service context acting as the demo login of `role`.
async fn acting_as(
    db: &DatabaseConnection,
    pii: &Arc<PiiCipher>,
    role: Role,
) -> Result<ServiceCtx, AppError> {
    let login = LOGINS
        .iter()
        .find(|l| l.role == role)
        .ok_or(AppError::not_found("demo login"))?;
    let model = staff::Entity::find()
        .filter(staff::Column::Username.eq(login.username))
        .one(db)
        .await?
        .ok_or(AppError::not_found("demo staff"))?;
    let (_, viewer) = auth_svc::load_staff(db, model.id)
        .await?
        .ok_or(AppError::not_found("demo staff"))?;
    Ok(ServiceCtx::acting_as(
        db.clone(),
        pii.clone(),
        viewer,
        "demo",
    ))
}
