//! First start: the JWT secret kept in the database and the initial director `admin`.

use entity::{app_setting, staff};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};
use secrecy::ExposeSecret;

use std::sync::Arc;

use crate::auth::{Role, password};
use crate::config::SecretString;
use crate::db;
use crate::domain::pii::PiiCipher;
use crate::error::AppError;
use crate::service::account::staff as staff_svc;
use crate::service::kernel::{clock::Clock, write::write_as_system};

const JWT_SECRET_KEY: &str = "jwt_secret";
const PII_KEY: &str = "pii_key";

/// Returns the JWT secret stored in the database, generating and storing one on first use.
pub async fn stored_jwt_secret(db: &DatabaseConnection) -> Result<(Vec<u8>, bool), AppError> {
    stored_secret(db, JWT_SECRET_KEY).await
}

/// The cipher for buyers' personal data: from the configured key, else from a key generated on
/// first use and kept in the database. Returns whether the key was generated just now.
pub async fn pii_cipher(
    db: &DatabaseConnection,
    configured: Option<&SecretString>,
) -> Result<(Arc<PiiCipher>, bool), AppError> {
    let (secret, generated) = match configured {
        Some(s) => (s.expose_secret().as_bytes().to_vec(), false),
        None => stored_secret(db, PII_KEY).await?,
    };
    Ok((Arc::new(PiiCipher::new(&secret)), generated))
}

/// A random secret kept in `app_setting` under `name`, generated on first use.
async fn stored_secret(db: &DatabaseConnection, name: &str) -> Result<(Vec<u8>, bool), AppError> {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    // A key's stamp is the real time, whatever a test's clock says.
    let at = Clock::system().now();
    write_as_system(db, at, async |txn| {
        if let Some(row) = app_setting::Entity::find_by_id(name.to_owned())
            .one(txn)
            .await?
        {
            let bytes = engine
                .decode(row.value.as_bytes())
                .map_err(|e| anyhow::anyhow!("stored secret {name} is corrupt: {e}"))?;
            return Ok(((bytes, false), None));
        }
        let secret: [u8; 48] = rand::random();
        app_setting::ActiveModel {
            key: Set(name.to_owned()),
            value: Set(engine.encode(secret)),
            updated_at: Set(at),
        }
        .insert(txn)
        .await?;
        Ok(((secret.to_vec(), true), None))
    })
    .await
}

/// On an empty staff table, creates the director `admin` with a random one-time password that
/// must be changed before anything else. Returns the password to print once.
pub async fn ensure_first_director(
    db: &DatabaseConnection,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<String>, AppError> {
    write_as_system(db, at, async |txn| {
        db::lock(txn, "directors").await?;
        if staff::Entity::find().count(txn).await? > 0 {
            return Ok((None, None));
        }
        let otp = password::generate_one_time();
        let hash = password::hash(otp.clone()).await?;
        let input = staff_svc::CreateInput {
            username: "admin".into(),
            display_name: Some("Administrator".into()),
            role: Role::Director,
            store_ids: Vec::new(),
        };
        let (_, entry) = staff_svc::insert(txn, at, input, hash, true).await?;
        Ok((Some(otp), Some(entry)))
    })
    .await
}
