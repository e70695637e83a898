//! Products: content, validation, creation and edits.

use super::*;
use crate::service::kernel::write::{write, write_as_system};

// ---------------------------------------------------------------------------------------------
// Products

/// Content fields of a product; `None` keeps the current value on update.
#[derive(Debug, Clone, Default)]
pub struct ProductContent {
    pub category_id: Option<i64>,
    pub title: Option<String>,
    pub subtitle: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub key_attributes: Option<BTreeMap<String, String>>,
    pub images: Option<Vec<String>>,
    pub video_url: Option<Option<String>>,
    /// When an approved product goes on the shelf by itself (PRODUCT_SHELVE); `Some(None)` clears.
    pub scheduled_on_shelf_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

/// The listing state at `at`: an OFF_SHELF product whose scheduled time has come reads as
/// ON_SHELF even before the scheduler has run.
pub fn effective_status(
    p: &product::Model,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<ProductStatus, AppError> {
    let stored = ProductStatus::of(p)?;
    Ok(
        if stored == ProductStatus::OffShelf && p.scheduled_on_shelf_at.is_some_and(|t| t <= at) {
            ProductStatus::OnShelf
        } else {
            stored
        },
    )
}

/// Puts products whose scheduled time is at or before `at` on the shelf (run by the server's
/// scheduler); returns how many.
pub async fn apply_due_schedules(
    db: &sea_orm::DatabaseConnection,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<u64, AppError> {
    use sea_orm::sea_query::Expr;
    write_as_system(db, at, async |txn| {
        let due = product::Entity::find()
            .filter(product::Column::Status.eq(ProductStatus::OffShelf.as_str()))
            .filter(product::Column::ScheduledOnShelfAt.lte(at))
            .all(txn)
            .await?;
        let mut entries = Vec::new();
        for p in &due {
            // Conditional, so two servers running the scheduler apply (and audit) it once.
            let done = product::Entity::update_many()
                .col_expr(
                    product::Column::Status,
                    Expr::value(ProductStatus::OnShelf.as_str()),
                )
                .col_expr(
                    product::Column::StatusReason,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    product::Column::ScheduledOnShelfAt,
                    Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
                )
                .col_expr(product::Column::UpdatedAt, Expr::value(at))
                .filter(product::Column::Id.eq(p.id))
                .filter(product::Column::Status.eq(ProductStatus::OffShelf.as_str()))
                .filter(product::Column::ScheduledOnShelfAt.lte(at))
                .exec(txn)
                .await?
                .rows_affected;
            if done == 1 {
                entries.push(audit::Entry {
                    action: "product.on_shelf",
                    target_type: "Product",
                    target_id: Some(p.id),
                    store_id: Some(p.store_id),
                    before: Some(json!({ "status": p.status })),
                    after: Some(
                        json!({ "status": "ON_SHELF", "scheduled": p.scheduled_on_shelf_at }),
                    ),
                    ..Default::default()
                });
            }
        }
        Ok((entries.len() as u64, entries))
    })
    .await
}

pub(crate) fn valid_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 1000
        && !u.chars().any(char::is_whitespace)
}

/// Validates content against the store's platform and the category's definitions.
pub(crate) fn validate_content(
    c: &mut ProductContent,
    platform: &str,
    cat: Option<&category::Model>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if let Some(t) = &c.title {
        // Stored as given, never trimmed; blank is refused.
        let (limit, double) = title_rule(platform);
        let len = compliance::title_length(t, double);
        if text::is_blank(t) {
            errors.push(UserError::new(
                &["input", "title"],
                ErrorCode::Blank,
                "title must not be blank",
            ));
        } else if len > limit {
            errors.push(UserError::new(
                &["input", "title"],
                ErrorCode::TooLong,
                format!("title counts {len} on {platform}; the limit is {limit}"),
            ));
        } else if t.chars().any(char::is_control) || text::check(t).is_err() {
            errors.push(UserError::new(
                &["input", "title"],
                ErrorCode::Invalid,
                "title must not contain control or bidirectional override characters",
            ));
        }
    }
    if let Some(Some(s)) = &c.subtitle
        && s.chars().count() > SUBTITLE_MAX
    {
        errors.push(UserError::new(
            &["input", "subtitle"],
            ErrorCode::TooLong,
            format!("subtitle must be at most {SUBTITLE_MAX} characters"),
        ));
    }
    if let Some(Some(d)) = &c.description
        && d.chars().count() > DESCRIPTION_MAX
    {
        errors.push(UserError::new(
            &["input", "description"],
            ErrorCode::TooLong,
            format!("description must be at most {DESCRIPTION_MAX} characters"),
        ));
    }
    if let Some(images) = &c.images {
        if images.len() > MAX_IMAGES {
            errors.push(UserError::new(
                &["input", "images"],
                ErrorCode::TooLong,
                format!("at most {MAX_IMAGES} main images"),
            ));
        } else if let Some(bad) = images.iter().position(|u| !valid_url(u)) {
            errors.push(UserError::new(
                &["input", "images", &bad.to_string()],
                ErrorCode::Invalid,
                "images must be http(s) URLs",
            ));
        }
    }
    if let Some(Some(v)) = &c.video_url
        && !valid_url(v)
    {
        errors.push(UserError::new(
            &["input", "videoUrl"],
            ErrorCode::Invalid,
            "videoUrl must be an http(s) URL",
        ));
    }
    if let Some(Some(t)) = &c.scheduled_on_shelf_at
        && *t <= at
    {
        errors.push(UserError::new(
            &["input", "scheduledOnShelfAt"],
            ErrorCode::Invalid,
            "scheduledOnShelfAt must be in the future",
        ));
    }
    if let (Some(attrs), Some(cat)) = (&c.key_attributes, cat) {
        key_attribute_errors(attrs, cat, &mut errors)?;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Key attributes must be the category's, with allowed values, and the required ones given.
fn key_attribute_errors(
    attrs: &std::collections::BTreeMap<String, String>,
    cat: &category::Model,
    errors: &mut Vec<UserError>,
) -> Result<(), AppError> {
    let defs = parse_defs(&cat.key_attributes_json, cat.id)?;
    for (name, value) in attrs {
        match defs.iter().find(|d| &d.name == name) {
            None => errors.push(UserError::new(
                &["input", "keyAttributes"],
                ErrorCode::Invalid,
                format!("{name} is not a key attribute of {}", cat.path),
            )),
            Some(d) if !d.values.is_empty() && !d.values.contains(value) => {
                errors.push(UserError::new(
                    &["input", "keyAttributes"],
                    ErrorCode::Invalid,
                    format!("{value} is not an allowed value of {name}"),
                ))
            }
            Some(_) if text::is_blank(value) || value.chars().count() > 60 => {
                errors.push(UserError::new(
                    &["input", "keyAttributes"],
                    ErrorCode::Invalid,
                    format!("{name} must be 1–60 characters"),
                ))
            }
            _ => {}
        }
    }
    for d in defs.iter().filter(|d| d.required) {
        if !attrs.contains_key(&d.name) {
            errors.push(UserError::new(
                &["input", "keyAttributes"],
                ErrorCode::Blank,
                format!("key attribute {} is required", d.name),
            ));
        }
    }
    Ok(())
}

pub(crate) async fn leaf_category(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
    store_id: i64,
) -> Result<category::Model, AppError> {
    let cat = category_in_scope(conn, staff, id)
        .await
        .ok()
        .filter(|c| c.store_id == store_id)
        .ok_or_else(|| {
            invalid(
                &["input", "categoryId"],
                ErrorCode::NotFound,
                "category not found in this store",
            )
        })?;
    let children = category::Entity::find()
        .filter(category::Column::ParentId.eq(id))
        .count(conn)
        .await?;
    if children > 0 {
        return Err(invalid(
            &["input", "categoryId"],
            ErrorCode::Invalid,
            format!(
                "{} is not a leaf category; list products in one of its sub-categories",
                cat.path
            ),
        ));
    }
    Ok(cat)
}

/// A product's stored main-image URLs; unreadable JSON is an internal error naming the row.
pub fn images(p: &product::Model) -> Result<Vec<String>, AppError> {
    serde_json::from_str(&p.images_json)
        .map_err(|e| AppError::unreadable("product", p.id, format!("images JSON: {e}")))
}

/// A product's stored key-attribute values; unreadable JSON is an internal error naming the row.
pub fn key_attributes(p: &product::Model) -> Result<BTreeMap<String, String>, AppError> {
    serde_json::from_str(&p.key_attributes_json)
        .map_err(|e| AppError::unreadable("product", p.id, format!("key attributes JSON: {e}")))
}

/// Audit snapshot of a product's content and state.
pub(crate) fn snapshot(p: &product::Model) -> Result<serde_json::Value, AppError> {
    Ok(json!({
        "title": p.title, "subtitle": p.subtitle, "categoryId": p.category_id, "status": p.status,
        "statusReason": p.status_reason, "images": images(p)?, "keyAttributes": key_attributes(p)?,
    }))
}

/// `productCreate` (PRODUCT_EDIT_DRAFT): a DRAFT. Compliance hits are allowed in drafts.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn product_create(
    ctx: &ServiceCtx,
    store_id: i64,
    mut content: ProductContent,
) -> Result<product::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductEditDraft, Some(store_id))?;
    write(ctx, staff, async |txn| {
        let store = store::Entity::find_by_id(store_id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("store"))?;
        let Some(category_id) = content.category_id else {
            return Err(invalid(
                &["input", "categoryId"],
                ErrorCode::Blank,
                "categoryId is required",
            ));
        };
        let cat = leaf_category(txn, staff, category_id, store_id).await?;
        if content.scheduled_on_shelf_at.is_some() {
            staff.require(Permission::ProductShelve, Some(store_id))?;
        }
        if content.title.is_none() {
            return Err(invalid(
                &["input", "title"],
                ErrorCode::Blank,
                "title must not be blank",
            ));
        }
        content.key_attributes.get_or_insert_with(BTreeMap::new);
        validate_content(&mut content, &store.platform, Some(&cat), ctx.now())?;
        let at = ctx.now();
        let model = product::ActiveModel {
            store_id: Set(store_id),
            category_id: Set(category_id),
            title: Set(content.title.unwrap_or_default()),
            subtitle: Set(content.subtitle.flatten()),
            description: Set(content.description.flatten()),
            key_attributes_json: Set(serde_json::to_string(
                &content.key_attributes.unwrap_or_default(),
            )
            .unwrap_or_else(|_| "{}".into())),
            images_json: Set(serde_json::to_string(&content.images.unwrap_or_default())
                .unwrap_or_else(|_| "[]".into())),
            video_url: Set(content.video_url.flatten()),
            status: Set(ProductStatus::Draft.as_str().into()),
            status_reason: Set(None),
            scheduled_on_shelf_at: Set(content.scheduled_on_shelf_at.flatten()),
            submitted_by: Set(None),
            submitted_at: Set(None),
            reviewed_by: Set(None),
            min_price_fen: Set(None),
            max_price_fen: Set(None),
            total_on_hand: Set(0),
            total_available: Set(0),
            created_by: Set(Some(staff.id)),
            external_ref: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let entry = audit::Entry {
            action: "product.create",
            target_type: "Product",
            target_id: Some(model.id),
            store_id: Some(store_id),
            after: Some(snapshot(&model)?),
            ..Default::default()
        };
        Ok((model, entry))
    })
    .await
}

/// Finds a product in the viewer's scope, locked for update on PostgreSQL.
pub(crate) async fn product_for_update(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
) -> Result<product::Model, AppError> {
    crate::service::kernel::scope::get_in_scope::<product::Entity>(conn, staff, id, true).await
}

/// Who may change a product's content or SKUs: drafts with PRODUCT_EDIT_DRAFT,
/// later states with PRODUCT_REVIEW; archived products are final. Returns the stored state.
pub(crate) fn require_content_edit(
    staff: &Staff,
    p: &product::Model,
    field: &str,
) -> Result<ProductStatus, AppError> {
    let status = ProductStatus::of(p)?;
    match status {
        ProductStatus::Draft => staff.require(Permission::ProductEditDraft, Some(p.store_id))?,
        ProductStatus::Archived => {
            return Err(invalid(
                &["input", field],
                ErrorCode::InvalidStateTransition,
                "archived products cannot be changed",
            ));
        }
        _ => staff.require(Permission::ProductReview, Some(p.store_id))?,
    };
    Ok(status)
}

/// Compliance hits of a product's checked texts, with the field each is in.
pub fn product_hits(p: &product::Model, allowed: &[String]) -> Vec<(&'static str, Hit)> {
    crate::service::compliance::field_hits(
        &[
            ("title", Some(p.title.as_str())),
            ("subtitle", p.subtitle.as_deref()),
            ("description", p.description.as_deref()),
        ],
        allowed,
    )
}

pub(crate) fn refuse_blocked(p: &product::Model, allowed: &[String]) -> Result<(), AppError> {
    crate::service::compliance::refuse_blocked(&product_hits(p, allowed))
}

/// `productUpdate`: drafts need PRODUCT_EDIT_DRAFT; content past DRAFT needs PRODUCT_REVIEW and
/// is refused while a BLOCK term remains. Archived products are final.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn product_update(
    ctx: &ServiceCtx,
    id: i64,
    mut content: ProductContent,
) -> Result<product::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    write(ctx, staff, async |txn| {
        let before = product_for_update(txn, staff, id).await?;
        let status = require_content_edit(staff, &before, "id")?;
        if content.scheduled_on_shelf_at.is_some() {
            staff.require(Permission::ProductShelve, Some(before.store_id))?;
        }
        let store = store::Entity::find_by_id(before.store_id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("store"))?;
        let cat = match content.category_id {
            Some(cid) if cid != before.category_id => {
                leaf_category(txn, staff, cid, before.store_id).await?
            }
            _ => category::Entity::find_by_id(before.category_id)
                .one(txn)
                .await?
                .ok_or(AppError::not_found("category"))?,
        };
        if content.category_id.is_some() && content.key_attributes.is_none() {
            content.key_attributes = Some(key_attributes(&before)?);
        }
        validate_content(&mut content, &store.platform, Some(&cat), ctx.now())?;
        let mut m: product::ActiveModel = before.clone().into();
        if let Some(c) = content.category_id {
            m.category_id = Set(c)
        }
        if let Some(t) = content.title {
            m.title = Set(t)
        }
        if let Some(s) = content.subtitle {
            m.subtitle = Set(s)
        }
        if let Some(d) = content.description {
            m.description = Set(d)
        }
        if let Some(a) = content.key_attributes {
            m.key_attributes_json = Set(serde_json::to_string(&a).unwrap_or_else(|_| "{}".into()))
        }
        if let Some(i) = content.images {
            m.images_json = Set(serde_json::to_string(&i).unwrap_or_else(|_| "[]".into()))
        }
        if let Some(v) = content.video_url {
            m.video_url = Set(v)
        }
        if let Some(t) = content.scheduled_on_shelf_at {
            m.scheduled_on_shelf_at = Set(t)
        }
        m.updated_at = Set(ctx.now());
        let model = m.update(txn).await?;
        if status != ProductStatus::Draft {
            refuse_blocked(
                &model,
                &crate::service::compliance::phrases(txn, model.store_id).await?,
            )?;
        }
        let entry = audit::Entry {
            action: "product.update",
            target_type: "Product",
            target_id: Some(id),
            store_id: Some(model.store_id),
            before: Some(snapshot(&before)?),
            after: Some(snapshot(&model)?),
            ..Default::default()
        };
        Ok((model, entry))
    })
    .await
}
