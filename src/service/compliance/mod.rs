//! The per-store compliance allow-list (COMPLIANCE_ALLOWLIST): phrases whose hits are dropped,
//! because the 2023 exemptions need human judgement.

use crate::service::kernel::scope::InScope;
use std::collections::HashMap;

use entity::compliance_allowlist as allow;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use crate::auth::Permission;

use crate::domain::text;
use crate::error::{AppError, ErrorCode, on_unique};
use crate::service::ServiceCtx;
use crate::service::kernel::{audit, scope::get_in_scope, write::write};

/// Advertising-Law hits of some named texts (field, text), with the field each is in.
pub fn field_hits(
    texts: &[(&'static str, Option<&str>)],
    allowed: &[String],
) -> Vec<(&'static str, crate::domain::compliance::Hit)> {
    texts
        .iter()
        .filter_map(|(field, text)| text.map(|t| (*field, t)))
        .flat_map(|(field, t)| {
            crate::domain::compliance::check(t, allowed)
                .into_iter()
                .map(move |h| (field, h))
        })
        .collect()
}

/// Refuses with COMPLIANCE_BLOCKED while any hit is of BLOCK severity, naming each term and its
/// field (nobody publishes a BLOCK term: fix the text or allow-list the phrase).
pub fn refuse_blocked(
    hits: &[(&'static str, crate::domain::compliance::Hit)],
) -> Result<(), AppError> {
    let blocked: Vec<String> = hits
        .iter()
        .filter(|(_, h)| h.severity == crate::domain::compliance::Severity::Block)
        .map(|(field, h)| format!("{}（{field}）", h.term))
        .collect();
    if blocked.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(
            &["input", "id"],
            ErrorCode::ComplianceBlocked,
            format!(
                "Advertising-Law absolute terms must be removed first: {}",
                blocked.join("、")
            ),
        ))
    }
}

/// Allowed phrases of a store.
pub async fn phrases(conn: &impl ConnectionTrait, store_id: i64) -> Result<Vec<String>, AppError> {
    Ok(allow::Entity::find()
        .filter(allow::Column::StoreId.eq(store_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.phrase)
        .collect())
}

/// Allowed phrases of several stores in one query (loader), within the viewer's scope.
#[tracing::instrument(skip_all)]
pub async fn phrases_by_store(
    ctx: &ServiceCtx,
    store_ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let q = allow::Entity::find()
        .filter(allow::Column::StoreId.is_in(store_ids.iter().copied()))
        .in_scope(staff);
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for a in q.all(&ctx.db).await? {
        map.entry(a.store_id).or_default().push(a.phrase);
    }
    Ok(map)
}

/// `complianceAllowlist(storeId)`: the store's allowed phrases (everyone in the store).
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn list(ctx: &ServiceCtx, store_id: i64) -> Result<Vec<allow::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, Some(store_id))?;
    Ok(allow::Entity::find()
        .filter(allow::Column::StoreId.eq(store_id))
        .order_by_asc(allow::Column::Phrase)
        .all(&ctx.db)
        .await?)
}

/// One entry in the viewer's scope.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<allow::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    crate::service::kernel::scope::get_in_scope::<allow::Entity>(&ctx.db, staff, id, false).await
}

/// `complianceAllowlistAdd` (directors): a phrase with the reason it is lawful.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn add(
    ctx: &ServiceCtx,
    store_id: i64,
    phrase: &str,
    reason: &str,
) -> Result<allow::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ComplianceAllowlist, Some(store_id))?;
    let phrase = text::required(phrase, &["input", "phrase"], "phrase", 100)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let reason = text::required(reason, &["input", "reason"], "reason", 400)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if phrase.chars().count() < 2 {
        return Err(AppError::invalid(
            &["input", "phrase"],
            ErrorCode::TooShort,
            "a phrase needs at least 2 characters",
        ));
    }
    write(ctx, staff, async |txn| {
        let model = allow::ActiveModel {
            store_id: Set(store_id),
            phrase: Set(phrase),
            reason: Set(reason),
            created_by: Set(staff.actor_id()),
            created_at: Set(ctx.now()),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(|e| {
            on_unique(
                e,
                "ux_allowlist_phrase",
                "compliance_allowlist.phrase",
                || {
                    AppError::invalid(
                        &["input", "phrase"],
                        ErrorCode::Taken,
                        "this phrase is already allowed",
                    )
                },
            )
        })?;
        let entry = audit::Entry {
            action: "compliance.allow",
            target_type: "ComplianceAllowlistEntry",
            target_id: Some(model.id),
            store_id: Some(store_id),
            after: Some(json!({ "phrase": model.phrase, "reason": model.reason })),
            ..Default::default()
        };
        Ok((model, entry))
    })
    .await
}

/// `complianceAllowlistRemove` (directors).
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn remove(ctx: &ServiceCtx, id: i64) -> Result<allow::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        // Locked before the delete: a concurrent second remove waits, then finds nothing.
        let row = get_in_scope::<allow::Entity>(txn, staff, id, true).await?;
        staff.require(Permission::ComplianceAllowlist, Some(row.store_id))?;
        allow::Entity::delete_by_id(id).exec(txn).await?;
        let entry = audit::Entry {
            action: "compliance.disallow",
            target_type: "ComplianceAllowlistEntry",
            target_id: Some(id),
            store_id: Some(row.store_id),
            before: Some(json!({ "phrase": row.phrase, "reason": row.reason })),
            ..Default::default()
        };
        Ok((row, entry))
    })
    .await
}
