//! Login, token refresh with rotation and reuse detection, logout, password change, and
//! turning a bearer token into a viewer.

use chrono::{DateTime, Duration, Utc};
use entity::{login_throttle, refresh_token, staff, staff_store};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::auth::cache::{self, ViewerCache};
use crate::auth::jwt::JwtKeys;
use crate::auth::{Role, Staff, Viewer, password};
use crate::domain::text;
use crate::error::{AppError, ErrorCode};
use crate::service::kernel::write::{write, write_as_system};
use crate::service::{ServiceCtx, kernel::audit};

/// Failed attempts that lock a username.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// Window in which failures count, and lock duration.
pub const LOCK_MINUTES: i64 = 15;
/// Refresh token lifetime.
pub const REFRESH_TTL_DAYS: i64 = 30;

/// Tokens handed to a client after login, refresh or password change.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub staff: staff::Model,
}

const BAD_CREDENTIALS: &str = "username or password is incorrect";

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_refresh_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

pub fn role_of(model: &staff::Model) -> Role {
    Role::parse(&model.role).unwrap_or(Role::Assistant)
}

/// Loads an active staff member and their store assignments.
pub async fn load_staff(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<(staff::Model, Staff)>, AppError> {
    let Some(model) = staff::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if !model.active {
        return Ok(None);
    }
    let stores = staff_store::Entity::find()
        .filter(staff_store::Column::StaffId.eq(id))
        .order_by_asc(staff_store::Column::StoreId)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.store_id)
        .collect();
    let viewer = Staff {
        id: model.id,
        username: model.username.clone(),
        role: role_of(&model),
        stores,
        must_change_password: model.must_change_password,
    };
    Ok(Some((model, viewer)))
}

/// Resolves an `Authorization` header value into a viewer. Any presented credential that is not
/// a valid, current access token of an active account yields `Viewer::Invalid`.
///
/// The viewer comes from `cache` when it holds them (no database round trip); otherwise from
/// the database, and is then cached.
pub async fn viewer_from_header(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    cache: &ViewerCache,
    header: Option<&str>,
) -> Result<Viewer, AppError> {
    let Some(header) = header else {
        return Ok(Viewer::Anonymous);
    };
    let Some(token) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Ok(Viewer::Invalid);
    };
    let Some(claims) = keys.verify(token) else {
        return Ok(Viewer::Invalid);
    };
    let Ok(id) = claims.sub.parse::<i64>() else {
        return Ok(Viewer::Invalid);
    };
    let entry = match cache.get(id) {
        Some(entry) => entry,
        None => {
            let epoch = cache.epoch();
            let Some((model, staff)) = load_staff(db, id).await? else {
                return Ok(Viewer::Invalid);
            };
            let entry = cache::Entry {
                staff,
                password_changed_at: model.password_changed_at,
            };
            cache.insert(epoch, entry.clone());
            entry
        }
    };
    // Tokens issued before the last password change or reset are void.
    if claims.issued_before(entry.password_changed_at) {
        return Ok(Viewer::Invalid);
    }
    Ok(Viewer::Staff(entry.staff))
}

async fn issue_session(
    txn: &impl ConnectionTrait,
    keys: &JwtKeys,
    model: staff::Model,
    family: Option<String>,
    at: DateTime<Utc>,
) -> Result<Session, AppError> {
    let (access_token, access_token_expires_at) = keys.issue(model.id, role_of(&model), at)?;
    let refresh = new_refresh_token();
    refresh_token::ActiveModel {
        staff_id: Set(model.id),
        family_id: Set(family.unwrap_or_else(|| uuid::Uuid::new_v4().to_string())),
        token_hash: Set(hash_token(&refresh)),
        created_at: Set(at),
        expires_at: Set(at + Duration::days(REFRESH_TTL_DAYS)),
        rotated_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(Session {
        access_token,
        access_token_expires_at,
        refresh_token: refresh,
        staff: model,
    })
}

/// The outcome of counting one login attempt.
enum Attempt {
    /// The password may be checked; this is the `n`th check of the window.
    Check(i32),
    /// Locked: no check; seconds until the lock ends.
    Locked(i64),
}

/// Counts a login attempt *before* its password is checked, in one atomic statement (an upsert
/// on the username's row, safe across concurrent requests and server processes): at most
/// [`MAX_FAILED_LOGINS`] checks per username in a window of [`LOCK_MINUTES`]; the attempt after
/// them locks the username for [`LOCK_MINUTES`] without a check.
async fn count_attempt(
    db: &DatabaseConnection,
    username: &str,
    at: DateTime<Utc>,
) -> Result<Attempt, AppError> {
    use sea_orm::sea_query::Cond;
    let window_start = at - Duration::minutes(LOCK_MINUTES);
    let t = |c: login_throttle::Column| Expr::col((login_throttle::Entity, c));
    // A new window starts when the last one is over and no lock is in force.
    let fresh = Cond::all()
        .add(t(login_throttle::Column::WindowStartedAt).lt(window_start))
        .add(
            Cond::any()
                .add(t(login_throttle::Column::LockedUntil).is_null())
                .add(t(login_throttle::Column::LockedUntil).lte(at)),
        );
    let insert = Query::insert()
        .into_table(login_throttle::Entity)
        .columns([
            login_throttle::Column::Username,
            login_throttle::Column::Failures,
            login_throttle::Column::WindowStartedAt,
        ])
        .values_panic([username.into(), 1.into(), at.into()])
        .on_conflict(
            OnConflict::column(login_throttle::Column::Username)
                .value(
                    login_throttle::Column::Failures,
                    Expr::case(fresh.clone(), 1)
                        .finally(t(login_throttle::Column::Failures).add(1)),
                )
                .value(
                    login_throttle::Column::WindowStartedAt,
                    Expr::case(fresh.clone(), at)
                        .finally(t(login_throttle::Column::WindowStartedAt)),
                )
                .value(
                    login_throttle::Column::LockedUntil,
                    Expr::case(fresh, Expr::val(Option::<DateTime<Utc>>::None))
                        .finally(t(login_throttle::Column::LockedUntil)),
                )
                .to_owned(),
        )
        .returning(Query::returning().columns([
            login_throttle::Column::Failures,
            login_throttle::Column::LockedUntil,
        ]))
        .to_owned();
    let row = db
        .query_one(&insert)
        .await?
        .ok_or_else(|| anyhow::anyhow!("login_throttle upsert returned no row"))?;
    let n: i32 = row.try_get("", "failures")?;
    let locked_until: Option<DateTime<Utc>> = row.try_get("", "locked_until")?;
    if let Some(until) = locked_until.filter(|u| *u > at) {
        return Ok(Attempt::Locked(Ord::max((until - at).num_seconds(), 1)));
    }
    if n > MAX_FAILED_LOGINS {
        return Ok(Attempt::Locked(lock(db, username, at).await?));
    }
    Ok(Attempt::Check(n))
}

/// No lock on the row is in force at `at`.
fn unlocked_at(at: DateTime<Utc>) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(login_throttle::Column::LockedUntil)
        .is_null()
        .or(Expr::col(login_throttle::Column::LockedUntil).lte(at))
}

/// Locks `username` for [`LOCK_MINUTES`] unless a lock is already in force; the seconds left.
async fn lock(db: &DatabaseConnection, username: &str, at: DateTime<Utc>) -> Result<i64, AppError> {
    let until = at + Duration::minutes(LOCK_MINUTES);
    let stmt = Query::update()
        .table(login_throttle::Entity)
        .value(login_throttle::Column::LockedUntil, until)
        .and_where(Expr::col(login_throttle::Column::Username).eq(username))
        .and_where(unlocked_at(at))
        .to_owned();
    db.execute(&stmt).await?;
    Ok(LOCK_MINUTES * 60)
}

/// After a successful check: the failures are forgotten, but only if no other attempt was
/// counted since this one (`failures` still equals its number `n`) and no lock is in force. A
/// success inside a burst of guesses, or inside a locked window, clears nothing.
async fn clear_after_success(
    conn: &impl ConnectionTrait,
    username: &str,
    n: i32,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let stmt = Query::delete()
        .from_table(login_throttle::Entity)
        .and_where(Expr::col(login_throttle::Column::Username).eq(username))
        .and_where(Expr::col(login_throttle::Column::Failures).eq(n))
        .and_where(unlocked_at(at))
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// `login`: unknown user and wrong password answer the same userError. Every attempt is
/// counted before its password is checked: at most five checks per username in 15 minutes,
/// whatever the concurrency; the fifth failure, and every attempt after it, is RATE_LIMITED
/// and locks the username for 15 minutes (also for the right password).
#[tracing::instrument(skip_all)]
pub async fn login(
    ctx: &ServiceCtx,
    username: &str,
    password_in: &str,
) -> Result<Session, AppError> {
    let key = username.trim().to_lowercase();
    if key.is_empty()
        || key.chars().count() > 64
        || password_in.chars().count() > password::MAX_PASSWORD_CHARS
        || text::check(&key).is_err()
    {
        return Err(AppError::invalid(
            &["input"],
            ErrorCode::Invalid,
            BAD_CREDENTIALS,
        ));
    }
    let n = match count_attempt(&ctx.db, &key, ctx.now()).await? {
        Attempt::Locked(secs) => {
            return Err(AppError::RateLimited {
                retry_after_secs: secs,
            });
        }
        Attempt::Check(n) => n,
    };
    let found = staff::Entity::find()
        .filter(staff::Column::Username.eq(key.clone()))
        .one(&ctx.db)
        .await?;
    let ok = password::verify(
        password_in.to_owned(),
        found.as_ref().map(|s| s.password_hash.clone()),
    )
    .await?;
    let Some(model) = found.filter(|m| ok && m.active) else {
        // The failure that reaches the limit is already refused as rate limited.
        if n >= MAX_FAILED_LOGINS {
            return Err(AppError::RateLimited {
                retry_after_secs: lock(&ctx.db, &key, ctx.now()).await?,
            });
        }
        return Err(AppError::invalid(
            &["input"],
            ErrorCode::Invalid,
            BAD_CREDENTIALS,
        ));
    };
    let at = ctx.now();
    write_as_system(&ctx.db, at, async |txn| {
        clear_after_success(txn, &key, n, at).await?;
        let mut active: staff::ActiveModel = model.into();
        active.last_login_at = Set(Some(at));
        let model = active.update(txn).await?;
        Ok((issue_session(txn, &ctx.jwt, model, None, at).await?, None))
    })
    .await
}

/// `tokenRefresh`: exchanges a refresh token for a new pair. A token that was already rotated
/// revokes its whole family (someone else holds a copy).
#[tracing::instrument(skip_all)]
pub async fn refresh(ctx: &ServiceCtx, token: &str) -> Result<Session, AppError> {
    const INVALID: AppError =
        AppError::Unauthenticated("the refresh token is invalid, expired or revoked");
    if token.is_empty() || token.len() > 256 {
        return Err(INVALID);
    }
    let hash = hash_token(token);
    let at = ctx.now();
    // A reused token is refused, but its family's revocation is kept: `Ok(Err(_))` commits.
    write_as_system(&ctx.db, at, async |txn| {
        let Some(row) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(hash))
            .one(txn)
            .await?
        else {
            return Err(INVALID);
        };
        if row.revoked_at.is_some() || row.expires_at <= at {
            return Err(INVALID);
        }
        // Claim the token atomically: of two concurrent uses only one succeeds.
        let claimed = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RotatedAt, Expr::value(at))
            .filter(refresh_token::Column::Id.eq(row.id))
            .filter(refresh_token::Column::RotatedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(txn)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            revoke_family(txn, &row.family_id, at).await?;
            tracing::warn!(
                staff.id = row.staff_id,
                "refresh token reuse detected; token family revoked"
            );
            return Ok((Err(INVALID), None));
        }
        let Some((model, _)) = load_staff(txn, row.staff_id).await? else {
            return Err(INVALID);
        };
        let session = issue_session(txn, &ctx.jwt, model, Some(row.family_id), at).await?;
        Ok((Ok(session), None))
    })
    .await?
}

async fn revoke_family(
    conn: &impl ConnectionTrait,
    family: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(at))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Revokes every refresh token of a staff member (password change, reset, deactivation).
pub async fn revoke_all(
    conn: &impl ConnectionTrait,
    staff_id: i64,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(at))
        .filter(refresh_token::Column::StaffId.eq(staff_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// `logout`: revokes the presented refresh token (its family, so rotated copies die too).
/// Returns whether a live token was revoked.
#[tracing::instrument(skip_all)]
pub async fn logout(ctx: &ServiceCtx, token: &str) -> Result<bool, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    write(ctx, staff, async |txn| {
        let row = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
            .filter(refresh_token::Column::StaffId.eq(staff.id))
            .one(txn)
            .await?;
        let Some(row) = row.filter(|r| r.revoked_at.is_none()) else {
            return Ok((false, None));
        };
        revoke_family(txn, &row.family_id, ctx.now()).await?;
        let entry = audit::Entry {
            action: "session.logout",
            target_type: "StaffMember",
            target_id: Some(staff.id),
            ..Default::default()
        };
        Ok((true, Some(entry)))
    })
    .await
}

/// `passwordChange`: needs the current password; revokes all sessions and returns a new one.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    ctx: &ServiceCtx,
    current: &str,
    new: &str,
) -> Result<Session, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let new = text::new_password(new, &["input", "newPassword"])
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let Some((model, _)) = load_staff(&ctx.db, staff.id).await? else {
        return Err(AppError::Unauthenticated("the account is no longer active"));
    };
    if !password::verify(current.to_owned(), Some(model.password_hash.clone())).await? {
        return Err(AppError::invalid(
            &["input", "currentPassword"],
            ErrorCode::WrongPassword,
            "the current password is incorrect",
        ));
    }
    if new == current {
        return Err(AppError::invalid(
            &["input", "newPassword"],
            ErrorCode::PasswordReused,
            "the new password must differ from the current one",
        ));
    }
    let hash = password::hash(new).await?;
    // Tokens issued before this instant (to the microsecond) are void from now on.
    let changed = ctx.now();
    let session = write(ctx, staff, async |txn| {
        revoke_all(txn, model.id, changed).await?;
        let mut active: staff::ActiveModel = model.into();
        active.password_hash = Set(hash);
        active.must_change_password = Set(false);
        active.password_changed_at = Set(changed);
        active.updated_at = Set(changed);
        let model = active.update(txn).await?;
        let session = issue_session(txn, &ctx.jwt, model, None, changed).await?;
        let entry = audit::Entry {
            action: "staff.password_change",
            target_type: "StaffMember",
            target_id: Some(staff.id),
            ..Default::default()
        };
        Ok((session, entry))
    })
    .await?;
    ctx.viewers.evict(staff.id);
    Ok(session)
}

/// Deletes refresh tokens that expired more than a day before `at` (maintenance).
pub async fn purge_expired(db: &DatabaseConnection, at: DateTime<Utc>) -> Result<u64, AppError> {
    let res = refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::ExpiresAt.lt(at - Duration::days(1)))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
