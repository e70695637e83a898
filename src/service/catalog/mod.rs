//! Catalog: categories with attribute definitions, products and their listing lifecycle, SKUs.

pub mod import;

use std::collections::{BTreeMap, HashMap};

use entity::{category, product, sku, store};
use sea_orm::sea_query::{ExprTrait, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{Permission, Role, Staff, StoreScope};
use crate::db;
use crate::domain::compliance::{self, Hit};
use crate::domain::text;
use crate::error::{AppError, ErrorCode, UserError, on_unique};
use crate::service::kernel::approval_queue as queue;
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::{ServiceCtx, kernel::audit, now};

/// Most SKUs one product may have (platform limit).
pub const MAX_SKUS: usize = 600;
pub const MAX_IMAGES: usize = 5;
pub const SUBTITLE_MAX: usize = 150;
pub const DESCRIPTION_MAX: usize = 25_000;

/// An attribute definition of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub name: String,
    #[serde(default)]
    pub required: bool,
    /// Allowed values; empty means free text.
    #[serde(default)]
    pub values: Vec<String>,
}

pub fn parse_defs(json: &str) -> Vec<AttributeDef> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Listing states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductStatus {
    Draft,
    PendingReview,
    OnShelf,
    OffShelf,
    Archived,
}

impl ProductStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::PendingReview => "PENDING_REVIEW",
            Self::OnShelf => "ON_SHELF",
            Self::OffShelf => "OFF_SHELF",
            Self::Archived => "ARCHIVED",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "PENDING_REVIEW" => Self::PendingReview,
            "ON_SHELF" => Self::OnShelf,
            "OFF_SHELF" => Self::OffShelf,
            "ARCHIVED" => Self::Archived,
            _ => Self::Draft,
        }
    }
}

/// Title limit and counting by platform: `(limit, wide counts double)`.
pub fn title_rule(platform: &str) -> (usize, bool) {
    match platform {
        "JD" => (90, true),
        "DOUYIN" => (30, false),
        _ => (60, true),
    }
}

fn invalid(field: &[&str], code: ErrorCode, msg: impl Into<String>) -> AppError {
    AppError::invalid(field, code, msg)
}

// ---------------------------------------------------------------------------------------------
// Categories

/// Input of `categoryCreate`.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub store_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub key_attributes: Vec<AttributeDef>,
    pub sales_attributes: Vec<AttributeDef>,
}

fn validate_defs(
    defs: &[AttributeDef],
    field: &'static str,
) -> Result<Vec<AttributeDef>, AppError> {
    let mut out: Vec<AttributeDef> = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        let idx = i.to_string();
        let path = ["input", field, idx.as_str(), "name"];
        let name = text::required(&d.name, &path, "attribute name", 20)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        if out.iter().any(|o| o.name == name) {
            return Err(invalid(
                &path,
                ErrorCode::Taken,
                format!("attribute {name} is defined twice"),
            ));
        }
        let mut values = Vec::new();
        for v in &d.values {
            let v = text::required(
                v,
                &["input", field, idx.as_str(), "values"],
                "attribute value",
                40,
            )
            .map_err(|e| AppError::Invalid(vec![e]))?;
            if v.contains([':', ';']) {
                return Err(invalid(
                    &["input", field, idx.as_str(), "values"],
                    ErrorCode::Invalid,
                    "values must not contain ':' or ';'",
                ));
            }
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if name.contains([':', ';', '/']) {
            return Err(invalid(
                &path,
                ErrorCode::Invalid,
                "attribute names must not contain ':', ';' or '/'",
            ));
        }
        out.push(AttributeDef {
            name,
            required: d.required,
            values,
        });
    }
    Ok(out)
}

/// Finds a category in the viewer's scope.
pub async fn category_in_scope(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
) -> Result<category::Model, AppError> {
    category::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|c| staff.sees_store(c.store_id))
        .ok_or(AppError::not_found("category"))
}

/// `categoryCreate` (PRODUCT_EDIT_DRAFT in the store).
pub async fn category_create(
    ctx: &ServiceCtx,
    input: CategoryInput,
) -> Result<category::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductEditDraft, Some(input.store_id))?;
    let name = text::required(&input.name, &["input", "name"], "name", 40)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if name.contains('/') {
        return Err(invalid(
            &["input", "name"],
            ErrorCode::Invalid,
            "category names must not contain '/'",
        ));
    }
    let key = validate_defs(&input.key_attributes, "keyAttributes")?;
    let sales = validate_defs(&input.sales_attributes, "salesAttributes")?;
    let txn = db::begin_write(&ctx.db).await?;
    store::Entity::find_by_id(input.store_id)
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let (path, depth) = match input.parent_id {
        Some(pid) => {
            let parent = category_in_scope(&txn, staff, pid)
                .await
                .ok()
                .filter(|p| p.store_id == input.store_id)
                .ok_or_else(|| {
                    invalid(
                        &["input", "parentId"],
                        ErrorCode::NotFound,
                        "parent category not found in this store",
                    )
                })?;
            let has_products = product::Entity::find()
                .filter(product::Column::CategoryId.eq(pid))
                .count(&txn)
                .await?
                > 0;
            if has_products {
                return Err(invalid(
                    &["input", "parentId"],
                    ErrorCode::Invalid,
                    "the parent category holds products; products are listed only in leaf categories",
                ));
            }
            (format!("{}/{}", parent.path, name), parent.depth + 1)
        }
        None => (name.clone(), 1),
    };
    let at = now();
    let model = category::ActiveModel {
        store_id: Set(input.store_id),
        parent_id: Set(input.parent_id),
        name: Set(name),
        path: Set(path),
        depth: Set(depth),
        key_attributes_json: Set(serde_json::to_string(&key).unwrap_or_else(|_| "[]".into())),
        sales_attributes_json: Set(serde_json::to_string(&sales).unwrap_or_else(|_| "[]".into())),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        on_unique(e, "ux_category_path", "category.path", || {
            invalid(
                &["input", "name"],
                ErrorCode::Taken,
                "a category with this path exists in the store",
            )
        })
    })?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "category.create",
            target_type: "Category",
            target_id: Some(model.id),
            store_id: Some(model.store_id),
            after: Some(
                json!({ "path": model.path, "keyAttributes": key, "salesAttributes": sales }),
            ),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// One category in the viewer's scope.
pub async fn category_get(ctx: &ServiceCtx, id: i64) -> Result<category::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, None)?;
    category_in_scope(&ctx.db, staff, id).await
}

/// `categories` of a store, by path (tree order).
pub async fn category_list(
    ctx: &ServiceCtx,
    store_id: i64,
    parent_id: Option<i64>,
    window: page::Window<'_>,
) -> Result<Page<category::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, Some(store_id))?;
    let args = PageArgs::parse(window, false, "PATH")?;
    let mut q = category::Entity::find().filter(category::Column::StoreId.eq(store_id));
    if let Some(p) = parent_id {
        q = q.filter(category::Column::ParentId.eq(p));
    }
    page::fetch(
        &ctx.db,
        q,
        ("PATH", category::Column::Path, |m| {
            CursorKey::Text(m.path.clone())
        }),
        category::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// Categories by id within scope (loader).
pub async fn categories_by_ids(
    ctx: &ServiceCtx,
    ids: &[i64],
) -> Result<Vec<category::Model>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let mut q = category::Entity::find().filter(category::Column::Id.is_in(ids.iter().copied()));
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(category::Column::StoreId.is_in(stores));
    }
    Ok(q.all(&ctx.db).await?)
}

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

/// The listing state as of now: an OFF_SHELF product whose scheduled time has come reads as
/// ON_SHELF even before the scheduler has run.
pub fn effective_status(p: &product::Model) -> ProductStatus {
    let stored = ProductStatus::parse(&p.status);
    if stored == ProductStatus::OffShelf && p.scheduled_on_shelf_at.is_some_and(|t| t <= now()) {
        ProductStatus::OnShelf
    } else {
        stored
    }
}

/// Puts due scheduled products on the shelf (run by the server's scheduler); returns how many.
pub async fn apply_due_schedules(db: &sea_orm::DatabaseConnection) -> Result<u64, AppError> {
    let at = now();
    let txn = db::begin_write(db).await?;
    let due = product::Entity::find()
        .filter(product::Column::Status.eq(ProductStatus::OffShelf.as_str()))
        .filter(product::Column::ScheduledOnShelfAt.lte(at))
        .all(&txn)
        .await?;
    let mut applied = 0;
    for p in &due {
        // Conditional, so two servers running the scheduler apply (and audit) it once.
        let done = product::Entity::update_many()
            .col_expr(
                product::Column::Status,
                sea_orm::sea_query::Expr::value(ProductStatus::OnShelf.as_str()),
            )
            .col_expr(
                product::Column::StatusReason,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .col_expr(
                product::Column::ScheduledOnShelfAt,
                sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(
                product::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(at),
            )
            .filter(product::Column::Id.eq(p.id))
            .filter(product::Column::Status.eq(ProductStatus::OffShelf.as_str()))
            .filter(product::Column::ScheduledOnShelfAt.lte(at))
            .exec(&txn)
            .await?
            .rows_affected;
        if done == 0 {
            continue;
        }
        applied += 1;
        audit::record(
            &txn,
            None,
            None,
            audit::Entry {
                action: "product.on_shelf",
                target_type: "Product",
                target_id: Some(p.id),
                store_id: Some(p.store_id),
                before: Some(json!({ "status": p.status })),
                after: Some(json!({ "status": "ON_SHELF", "scheduled": p.scheduled_on_shelf_at })),
                ..Default::default()
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(applied)
}

fn valid_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 1000
        && !u.chars().any(char::is_whitespace)
}

/// Validates content against the store's platform and the category's definitions.
fn validate_content(
    c: &mut ProductContent,
    platform: &str,
    cat: Option<&category::Model>,
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
        && *t <= now()
    {
        errors.push(UserError::new(
            &["input", "scheduledOnShelfAt"],
            ErrorCode::Invalid,
            "scheduledOnShelfAt must be in the future",
        ));
    }
    if let (Some(attrs), Some(cat)) = (&c.key_attributes, cat) {
        let defs = parse_defs(&cat.key_attributes_json);
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
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

async fn leaf_category(
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

/// Audit snapshot of a product's content and state.
fn snapshot(p: &product::Model) -> serde_json::Value {
    json!({
        "title": p.title, "subtitle": p.subtitle, "categoryId": p.category_id, "status": p.status,
        "statusReason": p.status_reason, "images": serde_json::from_str::<serde_json::Value>(&p.images_json).unwrap_or_default(),
        "keyAttributes": serde_json::from_str::<serde_json::Value>(&p.key_attributes_json).unwrap_or_default(),
    })
}

/// `productCreate` (PRODUCT_EDIT_DRAFT): a DRAFT. Compliance hits are allowed in drafts.
pub async fn product_create(
    ctx: &ServiceCtx,
    store_id: i64,
    mut content: ProductContent,
) -> Result<product::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductEditDraft, Some(store_id))?;
    let txn = db::begin_write(&ctx.db).await?;
    let store = store::Entity::find_by_id(store_id)
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let Some(category_id) = content.category_id else {
        return Err(invalid(
            &["input", "categoryId"],
            ErrorCode::Blank,
            "categoryId is required",
        ));
    };
    let cat = leaf_category(&txn, staff, category_id, store_id).await?;
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
    validate_content(&mut content, &store.platform, Some(&cat))?;
    let at = now();
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
    .insert(&txn)
    .await?;
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "product.create",
            target_type: "Product",
            target_id: Some(model.id),
            store_id: Some(store_id),
            after: Some(snapshot(&model)),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Finds a product in the viewer's scope, locked for update on PostgreSQL.
async fn product_for_update(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
) -> Result<product::Model, AppError> {
    use sea_orm::QuerySelect;
    product::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|p| staff.sees_store(p.store_id))
        .ok_or(AppError::not_found("product"))
}

/// Who may change a product's content or SKUs: drafts with PRODUCT_EDIT_DRAFT,
/// later states with PRODUCT_REVIEW; archived products are final. Returns the stored state.
fn require_content_edit(
    staff: &Staff,
    p: &product::Model,
    field: &str,
) -> Result<ProductStatus, AppError> {
    let status = ProductStatus::parse(&p.status);
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

fn refuse_blocked(p: &product::Model, allowed: &[String]) -> Result<(), AppError> {
    crate::service::compliance::refuse_blocked(&product_hits(p, allowed))
}

/// `productUpdate`: drafts need PRODUCT_EDIT_DRAFT; content past DRAFT needs PRODUCT_REVIEW and
/// is refused while a BLOCK term remains. Archived products are final.
pub async fn product_update(
    ctx: &ServiceCtx,
    id: i64,
    mut content: ProductContent,
) -> Result<product::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let txn = db::begin_write(&ctx.db).await?;
    let before = product_for_update(&txn, staff, id).await?;
    let status = require_content_edit(staff, &before, "id")?;
    if content.scheduled_on_shelf_at.is_some() {
        staff.require(Permission::ProductShelve, Some(before.store_id))?;
    }
    let store = store::Entity::find_by_id(before.store_id)
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let cat = match content.category_id {
        Some(cid) if cid != before.category_id => {
            leaf_category(&txn, staff, cid, before.store_id).await?
        }
        _ => category::Entity::find_by_id(before.category_id)
            .one(&txn)
            .await?
            .ok_or(AppError::not_found("category"))?,
    };
    if content.category_id.is_some() && content.key_attributes.is_none() {
        content.key_attributes = serde_json::from_str(&before.key_attributes_json).ok();
    }
    validate_content(&mut content, &store.platform, Some(&cat))?;
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
    m.updated_at = Set(now());
    let model = m.update(&txn).await?;
    if status != ProductStatus::Draft {
        refuse_blocked(
            &model,
            &crate::service::compliance::phrases(&txn, model.store_id).await?,
        )?;
    }
    audit::record_as(
        &txn,
        ctx,
        staff,
        audit::Entry {
            action: "product.update",
            target_type: "Product",
            target_id: Some(id),
            store_id: Some(model.store_id),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&model)),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Lifecycle actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Submit,
    Approve { list_now: bool },
    SendBack { reason: String },
    PutOnShelf,
    TakeOffShelf { reason: String },
    Archive,
}

pub const OFF_SHELF_REASONS: [&str; 4] = ["MANUAL", "SOLD_OUT", "PLATFORM_VIOLATION", "SEASON_END"];

/// Applies a lifecycle action; invalid transitions and compliance blocks are userErrors.
pub async fn product_transition(
    ctx: &ServiceCtx,
    id: i64,
    action: Transition,
) -> Result<product::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let txn = db::begin_write(&ctx.db).await?;
    let model = transition_in(&txn, ctx, staff, id, action).await?;
    txn.commit().await?;
    Ok(model)
}

/// A decision on a product's review, taken from the approval queue.
pub enum Review {
    Approve,
    SendBack { reason: String },
}

/// Applies a review decided in the approval queue, on the queue's transaction (the same checks
/// as `productApprove` / `productSendBack`; the product's transition closes the request).
pub async fn apply_review(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    review: Review,
) -> Result<product::Model, AppError> {
    let action = match review {
        Review::Approve => Transition::Approve { list_now: true },
        Review::SendBack { reason } => Transition::SendBack { reason },
    };
    transition_in(txn, ctx, staff, id, action).await
}

async fn transition_in(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    id: i64,
    action: Transition,
) -> Result<product::Model, AppError> {
    use ProductStatus::*;
    if matches!(
        action,
        Transition::Approve { .. } | Transition::SendBack { .. }
    ) {
        queue::lock_pending_of(txn, queue::Kind::ProductReview, id).await?;
    }
    let before = product_for_update(txn, staff, id).await?;
    let from = effective_status(&before);
    let (permission, allowed_from, action_name): (Permission, &[ProductStatus], &'static str) =
        match &action {
            Transition::Submit => (Permission::ProductSubmit, &[Draft], "product.submit"),
            Transition::Approve { .. } => (
                Permission::ProductReview,
                &[PendingReview],
                "product.approve",
            ),
            Transition::SendBack { .. } => (
                Permission::ProductReview,
                &[PendingReview],
                "product.send_back",
            ),
            Transition::PutOnShelf => (Permission::ProductShelve, &[OffShelf], "product.on_shelf"),
            Transition::TakeOffShelf { .. } => {
                (Permission::ProductShelve, &[OnShelf], "product.off_shelf")
            }
            Transition::Archive => (
                Permission::ProductArchive,
                &[Draft, OffShelf],
                "product.archive",
            ),
        };
    staff.require(permission, Some(before.store_id))?;
    let allowed = crate::service::compliance::phrases(txn, before.store_id).await?;
    if !allowed_from.contains(&from) {
        return Err(invalid(
            &["input", "id"],
            ErrorCode::InvalidStateTransition,
            format!(
                "a product in {} cannot be {}",
                from.as_str(),
                action_name.trim_start_matches("product.").replace('_', " ")
            ),
        ));
    }
    let mut self_approved = false;
    let mut m: product::ActiveModel = before.clone().into();
    let at = now();
    match &action {
        Transition::Submit => {
            refuse_blocked(&before, &allowed)?;
            let skus = sku::Entity::find()
                .filter(sku::Column::ProductId.eq(id))
                .filter(sku::Column::Active.eq(true))
                .count(txn)
                .await?;
            if skus == 0 {
                return Err(invalid(
                    &["input", "id"],
                    ErrorCode::Invalid,
                    "generate at least one SKU before submitting",
                ));
            }
            m.status = Set(PendingReview.as_str().into());
            m.submitted_by = Set(Some(staff.id));
            m.submitted_at = Set(Some(at));
            m.status_reason = Set(None);
        }
        Transition::Approve { list_now } => {
            if before.submitted_by == Some(staff.id) {
                if staff.role == Role::Director {
                    self_approved = true;
                } else {
                    return Err(invalid(
                        &["input", "id"],
                        ErrorCode::FourEyes,
                        "you cannot approve your own submission; another specialist or a director must",
                    ));
                }
            }
            refuse_blocked(&before, &allowed)?;
            let scheduled = before.scheduled_on_shelf_at.is_some_and(|t| t > at);
            m.status = Set(if *list_now && !scheduled {
                OnShelf
            } else {
                OffShelf
            }
            .as_str()
            .into());
            m.reviewed_by = Set(Some(staff.id));
            m.status_reason = Set(None);
        }
        Transition::SendBack { reason } => {
            let reason = text::required(reason, &["input", "reason"], "reason", 400)
                .map_err(|e| AppError::Invalid(vec![e]))?;
            m.status = Set(Draft.as_str().into());
            m.status_reason = Set(Some(reason));
            m.reviewed_by = Set(Some(staff.id));
        }
        Transition::PutOnShelf => {
            refuse_blocked(&before, &allowed)?;
            m.status = Set(OnShelf.as_str().into());
            m.status_reason = Set(None);
        }
        Transition::TakeOffShelf { reason } => {
            if !OFF_SHELF_REASONS.contains(&reason.as_str()) {
                return Err(invalid(
                    &["input", "reason"],
                    ErrorCode::Invalid,
                    "reason must be MANUAL, SOLD_OUT, PLATFORM_VIOLATION or SEASON_END",
                ));
            }
            m.status = Set(OffShelf.as_str().into());
            m.status_reason = Set(Some(reason.clone()));
            m.scheduled_on_shelf_at = Set(None);
        }
        Transition::Archive => {
            m.status = Set(Archived.as_str().into());
        }
    }
    m.updated_at = Set(at);
    let model = m.update(txn).await?;
    // Products in review sit in the shared approval queue.
    match &action {
        Transition::Submit => {
            queue::file(
                txn,
                ctx,
                staff,
                queue::NewRequest {
                    store_id: model.store_id,
                    subject_type: "Product",
                    subject_id: model.id,
                    payload: queue::Payload::ProductReview(queue::ProductReview {
                        title: model.title.clone(),
                    }),
                    reason: None,
                    approver_role: Role::Specialist,
                },
            )
            .await?;
        }
        Transition::Approve { .. } => {
            let approved = queue::Status::Approved;
            queue::close_subject(
                txn,
                queue::Kind::ProductReview,
                model.id,
                approved,
                staff.id,
                None,
            )
            .await?;
        }
        Transition::SendBack { reason } => {
            let rejected = queue::Status::Rejected;
            let note = Some(reason.clone());
            queue::close_subject(
                txn,
                queue::Kind::ProductReview,
                model.id,
                rejected,
                staff.id,
                note,
            )
            .await?;
        }
        _ => {}
    }
    audit::record_as(
        txn,
        ctx,
        staff,
        audit::Entry {
            action: action_name,
            target_type: "Product",
            target_id: Some(id),
            store_id: Some(model.store_id),
            before: Some(json!({ "status": before.status })),
            after: Some(json!({ "status": model.status, "reason": model.status_reason })),
            self_approved,
        },
    )
    .await?;
    Ok(model)
}

/// One product in scope.
pub async fn product_get(ctx: &ServiceCtx, id: i64) -> Result<product::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, None)?;
    product::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .filter(|p| staff.sees_store(p.store_id))
        .ok_or(AppError::not_found("product"))
}

/// Products by id within scope (loader).
pub async fn products_by_ids(
    ctx: &ServiceCtx,
    ids: &[i64],
) -> Result<Vec<product::Model>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let mut q = product::Entity::find().filter(product::Column::Id.is_in(ids.iter().copied()));
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(product::Column::StoreId.is_in(stores));
    }
    Ok(q.all(&ctx.db).await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    UpdatedAt,
    CreatedAt,
    Title,
    Price,
    Stock,
}

impl ProductSort {
    /// The ordering's name inside cursors: fixed, so renaming a variant cannot break the
    /// cursors clients hold.
    pub const fn cursor_name(self) -> &'static str {
        match self {
            Self::UpdatedAt => "UpdatedAt",
            Self::CreatedAt => "CreatedAt",
            Self::Title => "Title",
            Self::Price => "Price",
            Self::Stock => "Stock",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub store_id: Option<i64>,
    pub category_id: Option<i64>,
    pub status: Option<ProductStatus>,
    pub title_contains: Option<String>,
    pub price_min_fen: Option<i64>,
    pub price_max_fen: Option<i64>,
    pub low_stock: Option<bool>,
}

/// `products`.
pub async fn product_list(
    ctx: &ServiceCtx,
    filter: ProductFilter,
    sort: ProductSort,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<product::Entity>, AppError> {
    use sea_orm::sea_query::{Expr, Query};
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, filter.store_id)?;
    let sort_name = sort.cursor_name();
    let args = PageArgs::parse(window, reverse, sort_name)?;
    let mut q = product::Entity::find();
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(product::Column::StoreId.is_in(stores));
    }
    if let Some(s) = filter.store_id {
        q = q.filter(product::Column::StoreId.eq(s))
    }
    if let Some(c) = filter.category_id {
        q = q.filter(product::Column::CategoryId.eq(c))
    }
    if let Some(s) = filter.status {
        // Scheduled products whose time has come read as ON_SHELF.
        let due = Condition::all()
            .add(product::Column::Status.eq(ProductStatus::OffShelf.as_str()))
            .add(product::Column::ScheduledOnShelfAt.lte(now()));
        q = match s {
            ProductStatus::OnShelf => q.filter(
                Condition::any()
                    .add(product::Column::Status.eq(s.as_str()))
                    .add(due),
            ),
            ProductStatus::OffShelf => q
                .filter(product::Column::Status.eq(s.as_str()))
                .filter(due.not()),
            _ => q.filter(product::Column::Status.eq(s.as_str())),
        };
    }
    if let Some(t) = filter.title_contains.filter(|t| !t.trim().is_empty()) {
        q = q.filter(
            sea_orm::sea_query::Expr::col(product::Column::Title)
                .like(LikeExpr::new(crate::service::store::like_pattern(t.trim())).escape('\\')),
        );
    }
    // A price range matches products with an active SKU priced inside it.
    if filter.price_min_fen.is_some() || filter.price_max_fen.is_some() {
        let mut sub = Query::select();
        sub.column(sku::Column::ProductId)
            .from(sku::Entity)
            .and_where(sku::Column::Active.eq(true));
        if let Some(min) = filter.price_min_fen {
            sub.and_where(sku::Column::PriceFen.gte(min));
        }
        if let Some(max) = filter.price_max_fen {
            sub.and_where(sku::Column::PriceFen.lte(max));
        }
        q = q.filter(product::Column::Id.in_subquery(sub.to_owned()));
    }
    if let Some(low) = filter.low_stock {
        let sub = Query::select()
            .column(sku::Column::ProductId)
            .from(sku::Entity)
            .and_where(sku::Column::Active.eq(true))
            .and_where(Expr::cust("on_hand - reserved <= low_stock_threshold"))
            .to_owned();
        q = q.filter(if low {
            product::Column::Id.in_subquery(sub)
        } else {
            product::Column::Id.not_in_subquery(sub)
        });
    }
    let key: page::SortSpec<'_, product::Entity, product::Column> = match sort {
        ProductSort::UpdatedAt => (sort_name, product::Column::UpdatedAt, |m| {
            CursorKey::Time(m.updated_at)
        }),
        ProductSort::CreatedAt => (sort_name, product::Column::CreatedAt, |m| {
            CursorKey::Time(m.created_at)
        }),
        ProductSort::Title => (sort_name, product::Column::Title, |m| {
            CursorKey::Text(m.title.clone())
        }),
        ProductSort::Price => (sort_name, product::Column::MinPriceFen, |m| {
            CursorKey::Int(m.min_price_fen.unwrap_or(i64::MAX))
        }),
        ProductSort::Stock => (sort_name, product::Column::TotalAvailable, |m| {
            CursorKey::Int(m.total_available)
        }),
    };
    if sort == ProductSort::Price {
        // Products without SKUs have no price; they are left out of a price ordering.
        q = q.filter(product::Column::MinPriceFen.is_not_null());
    }
    page::fetch(&ctx.db, q, key, product::Column::Id, |m| m.id, &args).await
}

// ---------------------------------------------------------------------------------------------
// SKUs

/// Input of `skusGenerate`.
#[derive(Debug, Clone)]
pub struct SkusGenerate {
    pub product_id: i64,
    /// Chosen sales attributes and their values, in display order.
    pub attributes: Vec<(String, Vec<String>)>,
    pub price_fen: i64,
    pub cost_fen: Option<i64>,
    pub low_stock_threshold: i32,
    pub code_prefix: Option<String>,
}

/// Canonical key of a combination: `k=v;k=v` in attribute order of the category.
pub fn attributes_key(combo: &[(String, String)]) -> String {
    combo
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn cartesian(attrs: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut out: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (name, values) in attrs {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push((name.clone(), v.clone()));
                    next
                })
            })
            .collect();
    }
    out
}

/// Recomputes a product's price range and stock totals from its SKUs (same transaction).
pub async fn refresh_product_totals(
    conn: &impl ConnectionTrait,
    product_id: i64,
) -> Result<(), AppError> {
    let stmt = db::raw(
        conn.get_database_backend(),
        "UPDATE product SET \
           min_price_fen = (SELECT MIN(price_fen) FROM sku WHERE product_id = ? AND active = ?), \
           max_price_fen = (SELECT MAX(price_fen) FROM sku WHERE product_id = ? AND active = ?), \
           total_on_hand = (SELECT COALESCE(SUM(on_hand), 0) FROM sku WHERE product_id = ?), \
           total_available = (SELECT COALESCE(SUM(on_hand - reserved), 0) FROM sku WHERE product_id = ?) \
         WHERE id = ?",
        vec![
            product_id.into(),
            true.into(),
            product_id.into(),
            true.into(),
            product_id.into(),
            product_id.into(),
            product_id.into(),
        ],
    );
    conn.execute_raw(stmt).await?;
    Ok(())
}

/// `skusGenerate`: the Cartesian product of the chosen sales-attribute values; existing
/// combinations are kept, none is duplicated. Without attributes: the one default SKU.
pub async fn skus_generate(
    ctx: &ServiceCtx,
    input: SkusGenerate,
) -> Result<(product::Model, Vec<sku::Model>), AppError> {
    let staff = ctx.viewer.staff()?;
    let txn = db::begin_write(&ctx.db).await?;
    let product = product_for_update(&txn, staff, input.product_id).await?;
    require_content_edit(staff, &product, "productId")?;
    if input.cost_fen.is_some() {
        staff.require(Permission::CostEdit, Some(product.store_id))?;
    }
    if input.price_fen <= 0 {
        return Err(invalid(
            &["input", "price"],
            ErrorCode::Invalid,
            "price must be positive",
        ));
    }
    if input.cost_fen.is_some_and(|c| c < 0) {
        return Err(invalid(
            &["input", "cost"],
            ErrorCode::Invalid,
            "cost must not be negative",
        ));
    }
    if input.low_stock_threshold < 0 {
        return Err(invalid(
            &["input", "lowStockThreshold"],
            ErrorCode::Invalid,
            "lowStockThreshold must not be negative",
        ));
    }
    let prefix = match &input.code_prefix {
        Some(p) => {
            let p = text::required(p, &["input", "codePrefix"], "code prefix", 40)
                .map_err(|e| AppError::Invalid(vec![e]))?;
            if !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(invalid(
                    &["input", "codePrefix"],
                    ErrorCode::Invalid,
                    "codePrefix may use only A-Z, a-z, 0-9, '-', '_' and '.'",
                ));
            }
            p
        }
        None => format!("P{}", product.id),
    };
    let cat = category::Entity::find_by_id(product.category_id)
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("category"))?;
    let defs = parse_defs(&cat.sales_attributes_json);
    // Validate and put the attributes in the category's order.
    let mut chosen: Vec<(String, Vec<String>)> = Vec::new();
    for (name, values) in &input.attributes {
        let Some(def) = defs.iter().find(|d| &d.name == name) else {
            return Err(invalid(
                &["input", "attributes"],
                ErrorCode::Invalid,
                format!("{name} is not a sales attribute of {}", cat.path),
            ));
        };
        if values.is_empty() {
            return Err(invalid(
                &["input", "attributes"],
                ErrorCode::Blank,
                format!("choose at least one value of {name}"),
            ));
        }
        let mut vs: Vec<String> = Vec::new();
        for v in values {
            let v = v.trim().to_owned();
            if !def.values.is_empty() && !def.values.contains(&v) {
                return Err(invalid(
                    &["input", "attributes"],
                    ErrorCode::Invalid,
                    format!("{v} is not an allowed value of {name}"),
                ));
            }
            if v.is_empty() || v.chars().count() > 40 || v.contains([':', ';', '=']) {
                return Err(invalid(
                    &["input", "attributes"],
                    ErrorCode::Invalid,
                    format!("values of {name} must be 1–40 characters without ':', ';' or '='"),
                ));
            }
            if !vs.contains(&v) {
                vs.push(v);
            }
        }
        if chosen.iter().any(|(n, _)| n == name) {
            return Err(invalid(
                &["input", "attributes"],
                ErrorCode::Taken,
                format!("{name} is chosen twice"),
            ));
        }
        chosen.push((name.clone(), vs));
    }
    chosen.sort_by_key(|(n, _)| defs.iter().position(|d| &d.name == n));
    let combos = cartesian(&chosen);
    let existing: HashMap<String, sku::Model> = sku::Entity::find()
        .filter(sku::Column::ProductId.eq(product.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| (s.attributes_key.clone(), s))
        .collect();
    let new: Vec<&Vec<(String, String)>> = combos
        .iter()
        .filter(|c| !existing.contains_key(&attributes_key(c)))
        .collect();
    // Combinations no longer chosen: removed when nothing refers to them (no stock, no ledger,
    // price history or order lines), otherwise deactivated. Chosen again: reactivated.
    let wanted: std::collections::HashSet<String> =
        combos.iter().map(|c| attributes_key(c)).collect();
    let mut removed = Vec::new();
    let mut deactivated = Vec::new();
    let mut reactivated = Vec::new();
    for s in existing.values() {
        if wanted.contains(&s.attributes_key) {
            if !s.active {
                reactivated.push(s.id);
            }
            continue;
        }
        let referenced = s.on_hand != 0
            || s.reserved != 0
            || entity::inventory_movement::Entity::find()
                .filter(entity::inventory_movement::Column::SkuId.eq(s.id))
                .count(&txn)
                .await?
                > 0
            || entity::price_change::Entity::find()
                .filter(entity::price_change::Column::SkuId.eq(s.id))
                .count(&txn)
                .await?
                > 0
            || entity::order_line::Entity::find()
                .filter(entity::order_line::Column::SkuId.eq(s.id))
                .count(&txn)
                .await?
                > 0;
        if referenced {
            if s.active {
                deactivated.push(s.id);
            }
        } else {
            removed.push(s.id);
        }
    }
    for (ids, active) in [(&deactivated, false), (&reactivated, true)] {
        if !ids.is_empty() {
            sku::Entity::update_many()
                .col_expr(sku::Column::Active, sea_orm::sea_query::Expr::value(active))
                .col_expr(
                    sku::Column::UpdatedAt,
                    sea_orm::sea_query::Expr::value(now()),
                )
                .filter(sku::Column::Id.is_in(ids.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }
    if !removed.is_empty() {
        sku::Entity::delete_many()
            .filter(sku::Column::Id.is_in(removed.iter().copied()))
            .exec(&txn)
            .await?;
    }
    let kept = existing.len() - removed.len();
    if kept + new.len() > MAX_SKUS {
        return Err(invalid(
            &["input", "attributes"],
            ErrorCode::TooLong,
            format!("a product may have at most {MAX_SKUS} SKUs"),
        ));
    }
    let at = now();
    let mut created = Vec::new();
    // Codes continue after the highest number used so far, so a removed code is never reused.
    let used = existing
        .values()
        .filter_map(|s| {
            s.code
                .rsplit_once('-')
                .and_then(|(_, n)| n.parse::<usize>().ok())
        })
        .max()
        .unwrap_or(0)
        .max(existing.len());
    for (next, combo) in (used + 1..).zip(new) {
        let code = format!("{prefix}-{next:03}");
        let model = sku::ActiveModel {
            store_id: Set(product.store_id),
            product_id: Set(product.id),
            code: Set(code.clone()),
            attributes_json: Set(serde_json::to_string(
                &combo
                    .iter()
                    .map(|(k, v)| json!({ "name": k, "value": v }))
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_else(|_| "[]".into())),
            attributes_key: Set(attributes_key(combo)),
            price_fen: Set(input.price_fen),
            cost_fen: Set(input.cost_fen),
            floor_price_fen: Set(None),
            on_hand: Set(0),
            reserved: Set(0),
            low_stock_threshold: Set(input.low_stock_threshold),
            active: Set(true),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            on_unique(e, "ux_sku_code", "sku.code", || {
                invalid(
                    &["input", "codePrefix"],
                    ErrorCode::Taken,
                    format!("SKU code {code} is already used in this store"),
                )
            })
        })?;
        created.push(model);
    }
    refresh_product_totals(&txn, product.id).await?;
    let product = product::Entity::find_by_id(product.id)
        .one(&txn)
        .await?
        .ok_or(AppError::not_found("product"))?;
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "sku.generate", target_type: "Product", target_id: Some(product.id), store_id: Some(product.store_id),
        after: Some(json!({
            "created": created.iter().map(|s| &s.code).collect::<Vec<_>>(),
            "kept": kept, "removed": removed.len(), "deactivated": deactivated.len(), "reactivated": reactivated.len(),
        })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok((product, created))
}

/// Active and inactive SKUs of each product, within scope (loader).
pub async fn skus_by_products(
    ctx: &ServiceCtx,
    product_ids: &[i64],
) -> Result<HashMap<i64, Vec<sku::Model>>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let mut q = sku::Entity::find()
        .filter(sku::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(sku::Column::Id);
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(sku::Column::StoreId.is_in(stores));
    }
    let mut map: HashMap<i64, Vec<sku::Model>> = HashMap::new();
    for s in q.all(&ctx.db).await? {
        map.entry(s.product_id).or_default().push(s);
    }
    Ok(map)
}

/// A SKU in scope.
pub async fn sku_in_scope(
    conn: &impl ConnectionTrait,
    staff: &Staff,
    id: i64,
) -> Result<sku::Model, AppError> {
    sku::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|s| staff.sees_store(s.store_id))
        .ok_or(AppError::not_found("SKU"))
}

/// One SKU by id.
pub async fn sku_get(ctx: &ServiceCtx, id: i64) -> Result<sku::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, None)?;
    sku_in_scope(&ctx.db, staff, id).await
}

/// SKUs by id within the viewer's stores (loader).
pub async fn skus_by_ids(ctx: &ServiceCtx, ids: &[i64]) -> Result<Vec<sku::Model>, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, None)?;
    let mut q = sku::Entity::find().filter(sku::Column::Id.is_in(ids.to_vec()));
    if let StoreScope::Only(stores) = staff.scope() {
        q = q.filter(sku::Column::StoreId.is_in(stores));
    }
    Ok(q.all(&ctx.db).await?)
}

/// `skuByCode(storeId, code)`.
pub async fn sku_by_code(
    ctx: &ServiceCtx,
    store_id: i64,
    code: &str,
) -> Result<sku::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, Some(store_id))?;
    sku::Entity::find()
        .filter(sku::Column::StoreId.eq(store_id))
        .filter(sku::Column::Code.eq(code.trim()))
        .one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("SKU"))
}

/// `lowStockSkus(storeId)`: active SKUs whose available stock is at or below their threshold,
/// lowest available first.
pub async fn low_stock_skus(
    ctx: &ServiceCtx,
    store_id: i64,
    window: page::Window<'_>,
) -> Result<Page<sku::Entity>, AppError> {
    use sea_orm::sea_query::Expr;
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::ProductView, Some(store_id))?;
    let args = PageArgs::parse(window, false, "ID")?;
    let q = sku::Entity::find()
        .filter(sku::Column::StoreId.eq(store_id))
        .filter(sku::Column::Active.eq(true))
        .filter(Condition::all().add(Expr::cust("on_hand - reserved <= low_stock_threshold")));
    page::fetch(
        &ctx.db,
        q,
        ("ID", sku::Column::Id, |m| CursorKey::Int(m.id)),
        sku::Column::Id,
        |m| m.id,
        &args,
    )
    .await
}

/// Whether the viewer sees cost in `store` (COST_VIEW; specialists where the store grants it).
pub fn cost_visible(staff: &Staff, store: &store::Model) -> bool {
    staff.can(Permission::CostView, store.id, store.specialist_cost_view)
}

/// Input of `categoryUpdate`; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct CategoryUpdate {
    pub name: Option<String>,
    pub key_attributes: Option<Vec<AttributeDef>>,
    pub sales_attributes: Option<Vec<AttributeDef>>,
}

/// `categoryUpdate` (PRODUCT_REVIEW): rename (paths below follow) or replace attribute
/// definitions. Sales attributes and values that SKUs of the category use cannot be dropped.
pub async fn category_update(
    ctx: &ServiceCtx,
    id: i64,
    input: CategoryUpdate,
) -> Result<category::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    let txn = db::begin_write(&ctx.db).await?;
    let before = category_in_scope(&txn, staff, id).await?;
    staff.require(Permission::ProductReview, Some(before.store_id))?;
    let mut m: category::ActiveModel = before.clone().into();
    if let Some(defs) = &input.key_attributes {
        m.key_attributes_json = Set(
            serde_json::to_string(&validate_defs(defs, "keyAttributes")?)
                .unwrap_or_else(|_| "[]".into()),
        );
    }
    if let Some(defs) = &input.sales_attributes {
        let defs = validate_defs(defs, "salesAttributes")?;
        // Every attribute value in use by the category's SKUs must stay defined.
        let used = sku::Entity::find()
            .filter(
                sku::Column::ProductId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(product::Column::Id)
                        .from(product::Entity)
                        .and_where(product::Column::CategoryId.eq(id))
                        .to_owned(),
                ),
            )
            .all(&txn)
            .await?;
        for s in &used {
            for pair in s.attributes_key.split(';').filter(|p| !p.is_empty()) {
                let Some((k, v)) = pair.split_once('=') else {
                    continue;
                };
                let kept = defs.iter().any(|d| {
                    d.name == k && (d.values.is_empty() || d.values.iter().any(|x| x == v))
                });
                if !kept {
                    return Err(invalid(
                        &["input", "salesAttributes"],
                        ErrorCode::Invalid,
                        format!(
                            "{k}: {v} is used by SKU {}; deactivate or regenerate its SKUs first",
                            s.code
                        ),
                    ));
                }
            }
        }
        m.sales_attributes_json = Set(serde_json::to_string(&defs).unwrap_or_else(|_| "[]".into()));
    }
    let mut new_path = before.path.clone();
    if let Some(name) = &input.name {
        let name = text::required(name, &["input", "name"], "name", 40)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        if name.contains('/') {
            return Err(invalid(
                &["input", "name"],
                ErrorCode::Invalid,
                "category names must not contain '/'",
            ));
        }
        new_path = match before.path.rsplit_once('/') {
            Some((parent, _)) => format!("{parent}/{name}"),
            None => name.clone(),
        };
        m.name = Set(name);
        m.path = Set(new_path.clone());
    }
    m.updated_at = Set(now());
    let taken = || {
        invalid(
            &["input", "name"],
            ErrorCode::Taken,
            "a category with this path exists in the store",
        )
    };
    let model = m
        .update(&txn)
        .await
        .map_err(|e| on_unique(e, "ux_category_path", "category.path", taken))?;
    if new_path != before.path {
        // Descendants' paths follow: new prefix + the rest.
        let stmt = db::raw(
            txn.get_database_backend(),
            "UPDATE category SET path = ? || substr(path, ?) WHERE store_id = ? AND path LIKE ? ESCAPE '!'",
            vec![
                new_path.clone().into(),
                (before.path.chars().count() as i32 + 1).into(),
                before.store_id.into(),
                format!(
                    "{}/%",
                    before
                        .path
                        .replace('!', "!!")
                        .replace('%', "!%")
                        .replace('_', "!_")
                )
                .into(),
            ],
        );
        txn.execute_raw(stmt).await.map_err(|e| {
            if e.sql_err().is_some() {
                taken()
            } else {
                e.into()
            }
        })?;
    }
    audit::record_as(&txn, ctx, staff, audit::Entry {
        action: "category.update", target_type: "Category", target_id: Some(id), store_id: Some(before.store_id),
        before: Some(json!({ "path": before.path, "keyAttributes": parse_defs(&before.key_attributes_json), "salesAttributes": parse_defs(&before.sales_attributes_json) })),
        after: Some(json!({ "path": model.path, "keyAttributes": parse_defs(&model.key_attributes_json), "salesAttributes": parse_defs(&model.sales_attributes_json) })),
        ..Default::default()
    }).await?;
    txn.commit().await?;
    Ok(model)
}
