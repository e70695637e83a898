//! Stores and their settings (STORE_SETTINGS), scoped reads for everyone else.

use entity::store;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::auth::{Permission, StoreScope};

use crate::domain::text;
use crate::error::{AppError, ErrorCode, UserError, on_unique};
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::kernel::write::write;
use crate::service::{ServiceCtx, kernel::audit};

/// Marketplaces a store sells on.
pub const PLATFORMS: [&str; 6] = ["TMALL", "TAOBAO", "JD", "DOUYIN", "PINDUODUO", "OWN_SITE"];
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
pub const NAME_MAX: usize = 60;

/// A store by id with no permission check (for services that checked the viewer already),
/// NOT_FOUND when absent.
pub async fn load(conn: &impl ConnectionTrait, id: i64) -> Result<store::Model, AppError> {
    store::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::not_found("store"))
}

/// Store settings; `None` keeps the current value (or the default on create).
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub refund_limit_specialist_fen: Option<i64>,
    pub refund_limit_assistant_fen: Option<i64>,
    pub price_cut_limit_bp: Option<i32>,
    pub price_recent_high_min_bp: Option<i32>,
    pub promo_depth_limit_bp: Option<i32>,
    pub coupon_face_value_limit_fen: Option<i64>,
    pub campaign_budget_limit_fen: Option<i64>,
    pub points_adjust_limit: Option<i32>,
    pub min_margin_bp: Option<i32>,
    pub specialist_cost_view: Option<bool>,
    pub pii_reveals_per_day: Option<i32>,
    pub approval_expiry_days: Option<i32>,
    pub shipping_first_fen: Option<i64>,
    pub shipping_extra_fen: Option<i64>,
}

/// Input of `storeCreate` (`None` fields take defaults) and `storeUpdate` (`None` keeps).
#[derive(Debug, Clone, Default)]
pub struct StoreInput {
    pub name: Option<String>,
    pub platform: Option<String>,
    pub time_zone: Option<String>,
    pub settings: SettingsPatch,
}

fn check_range<T: PartialOrd + std::fmt::Display + Copy>(
    errors: &mut Vec<UserError>,
    value: Option<T>,
    field: &str,
    min: T,
    max: T,
) {
    if let Some(v) = value
        && (v < min || v > max)
    {
        errors.push(UserError::new(
            &["input", "settings", field],
            ErrorCode::Invalid,
            format!("{field} must be between {min} and {max}"),
        ));
    }
}

const MAX_FEN: i64 = 100_000_000_000; // ¥1,000,000,000.00

fn validate_settings(s: &SettingsPatch, errors: &mut Vec<UserError>) {
    check_range(
        errors,
        s.refund_limit_specialist_fen,
        "refundApprovalLimitSpecialist",
        0,
        MAX_FEN,
    );
    check_range(
        errors,
        s.refund_limit_assistant_fen,
        "refundApprovalLimitAssistant",
        0,
        MAX_FEN,
    );
    check_range(errors, s.price_cut_limit_bp, "priceCutLimitBp", 0, 10_000);
    check_range(
        errors,
        s.price_recent_high_min_bp,
        "priceRecentHighMinBp",
        0,
        10_000,
    );
    check_range(
        errors,
        s.promo_depth_limit_bp,
        "promotionDepthLimitBp",
        0,
        10_000,
    );
    check_range(
        errors,
        s.coupon_face_value_limit_fen,
        "couponFaceValueLimit",
        0,
        MAX_FEN,
    );
    check_range(errors, s.shipping_first_fen, "shippingFirstFee", 0, 100_000);
    check_range(errors, s.shipping_extra_fen, "shippingExtraFee", 0, 100_000);
    check_range(
        errors,
        s.campaign_budget_limit_fen,
        "campaignBudgetLimit",
        0,
        MAX_FEN,
    );
    check_range(
        errors,
        s.points_adjust_limit,
        "pointsAdjustLimit",
        0,
        1_000_000,
    );
    check_range(errors, s.min_margin_bp, "minMarginBp", 0, 9_999);
    check_range(errors, s.pii_reveals_per_day, "piiRevealsPerDay", 0, 10_000);
    check_range(errors, s.approval_expiry_days, "approvalExpiryDays", 1, 90);
}

/// Validates the input; returns it with the name and time zone trimmed.
fn validate(input: StoreInput, creating: bool) -> Result<StoreInput, AppError> {
    let mut errors = Vec::new();
    let name = match &input.name {
        Some(n) => text::required(n, &["input", "name"], "name", NAME_MAX)
            .map_err(|e| errors.push(e))
            .ok(),
        None if creating => {
            errors.push(UserError::new(
                &["input", "name"],
                ErrorCode::Blank,
                "name must not be blank",
            ));
            None
        }
        None => None,
    };
    if let Some(p) = &input.platform
        && !PLATFORMS.contains(&p.as_str())
    {
        errors.push(UserError::new(
            &["input", "platform"],
            ErrorCode::Invalid,
            "unknown platform",
        ));
    }
    let time_zone = input.time_zone.as_deref().map(str::trim).map(str::to_owned);
    if let Some(tz) = &time_zone
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        errors.push(UserError::new(
            &["input", "timeZone"],
            ErrorCode::Invalid,
            "time zone must be an IANA name such as Asia/Shanghai",
        ));
    }
    validate_settings(&input.settings, &mut errors);
    if errors.is_empty() {
        Ok(StoreInput {
            name,
            time_zone,
            ..input
        })
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Sets the settings given in `s` (`None` keeps the current value).
pub fn apply_settings(m: &mut store::ActiveModel, s: &SettingsPatch) {
    macro_rules! set_given {
        ($($field:ident),* $(,)?) => {
            $(if let Some(v) = s.$field {
                m.$field = Set(v)
            })*
        };
    }
    set_given!(
        refund_limit_specialist_fen,
        refund_limit_assistant_fen,
        price_cut_limit_bp,
        price_recent_high_min_bp,
        promo_depth_limit_bp,
        coupon_face_value_limit_fen,
        campaign_budget_limit_fen,
        points_adjust_limit,
        min_margin_bp,
        specialist_cost_view,
        pii_reveals_per_day,
        approval_expiry_days,
        shipping_first_fen,
        shipping_extra_fen,
    );
}

/// A new store with the default settings (the limits and options the trade starts from).
pub fn new_store(
    name: String,
    platform: String,
    time_zone: String,
    at: chrono::DateTime<chrono::Utc>,
) -> store::ActiveModel {
    store::ActiveModel {
        name: Set(name),
        platform: Set(platform),
        time_zone: Set(time_zone),
        refund_limit_specialist_fen: Set(200_000),
        refund_limit_assistant_fen: Set(20_000),
        price_cut_limit_bp: Set(2_000),
        price_recent_high_min_bp: Set(6_000),
        promo_depth_limit_bp: Set(3_000),
        coupon_face_value_limit_fen: Set(2_000_000),
        campaign_budget_limit_fen: Set(500_000),
        points_adjust_limit: Set(500),
        min_margin_bp: Set(0),
        specialist_cost_view: Set(false),
        pii_reveals_per_day: Set(20),
        approval_expiry_days: Set(7),
        shipping_first_fen: Set(1_000),
        shipping_extra_fen: Set(200),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
}

/// Audit snapshot of a store.
pub fn snapshot(m: &store::Model) -> serde_json::Value {
    json!({
        "name": m.name,
        "platform": m.platform,
        "timeZone": m.time_zone,
        "refundLimitSpecialistFen": m.refund_limit_specialist_fen,
        "refundLimitAssistantFen": m.refund_limit_assistant_fen,
        "priceCutLimitBp": m.price_cut_limit_bp,
        "priceRecentHighMinBp": m.price_recent_high_min_bp,
        "promoDepthLimitBp": m.promo_depth_limit_bp,
        "couponFaceValueLimitFen": m.coupon_face_value_limit_fen,
        "campaignBudgetLimitFen": m.campaign_budget_limit_fen,
        "pointsAdjustLimit": m.points_adjust_limit,
        "minMarginBp": m.min_margin_bp,
        "specialistCostView": m.specialist_cost_view,
        "piiRevealsPerDay": m.pii_reveals_per_day,
        "approvalExpiryDays": m.approval_expiry_days,
        "shippingFirstFen": m.shipping_first_fen,
        "shippingExtraFen": m.shipping_extra_fen,
    })
}

fn duplicate_name() -> AppError {
    AppError::invalid(
        &["input", "name"],
        ErrorCode::Taken,
        "a store with this name already exists",
    )
}

/// `storeCreate` (STORE_SETTINGS).
#[tracing::instrument(skip_all)]
pub async fn create(ctx: &ServiceCtx, input: StoreInput) -> Result<store::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::StoreSettings, None)?;
    let StoreInput {
        name,
        platform,
        time_zone,
        settings,
    } = validate(input, true)?;
    let Some(platform) = platform else {
        return Err(AppError::invalid(
            &["input", "platform"],
            ErrorCode::Blank,
            "platform is required",
        ));
    };
    let mut m = new_store(
        name.unwrap_or_default(),
        platform,
        time_zone.unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
        ctx.now(),
    );
    apply_settings(&mut m, &settings);
    write(ctx, staff, async |txn| {
        let model = m
            .insert(txn)
            .await
            .map_err(|e| on_unique(e, "ux_store_name", "store.name", duplicate_name))?;
        let entry = audit::Entry {
            action: "store.create",
            target_type: "Store",
            target_id: Some(model.id),
            store_id: Some(model.id),
            after: Some(snapshot(&model)),
            ..Default::default()
        };
        Ok((model, entry))
    })
    .await
}

/// `storeUpdate` (STORE_SETTINGS). Only the given fields change.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn update(
    ctx: &ServiceCtx,
    id: i64,
    input: StoreInput,
) -> Result<store::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::StoreSettings, Some(id))?;
    let StoreInput {
        name,
        platform,
        time_zone,
        settings,
    } = validate(input, false)?;
    write(ctx, staff, async |txn| {
        let before = store::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(AppError::not_found("store"))?;
        let mut m: store::ActiveModel = before.clone().into();
        if let Some(n) = name {
            m.name = Set(n)
        }
        if let Some(p) = platform {
            m.platform = Set(p)
        }
        if let Some(tz) = time_zone {
            m.time_zone = Set(tz)
        }
        apply_settings(&mut m, &settings);
        m.updated_at = Set(ctx.now());
        let model = m
            .update(txn)
            .await
            .map_err(|e| on_unique(e, "ux_store_name", "store.name", duplicate_name))?;
        let entry = audit::Entry {
            action: "store.update",
            target_type: "Store",
            target_id: Some(id),
            store_id: Some(id),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&model)),
            ..Default::default()
        };
        Ok((model, entry))
    })
    .await
}

/// One store the viewer may see; others are NOT_FOUND.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn get(ctx: &ServiceCtx, id: i64) -> Result<store::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    if !staff.sees_store(id) {
        return Err(AppError::not_found("store"));
    }
    store::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .ok_or(AppError::not_found("store"))
}

/// Loads stores by id within the viewer's scope (for DataLoaders).
#[tracing::instrument(skip_all)]
pub async fn by_ids(ctx: &ServiceCtx, ids: &[i64]) -> Result<Vec<store::Model>, AppError> {
    let staff = ctx.viewer.staff_pending_password()?;
    let visible: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| staff.sees_store(*id))
        .collect();
    if visible.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store::Entity::find()
        .filter(store::Column::Id.is_in(visible))
        .all(&ctx.db)
        .await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

impl SortKey {
    /// The ordering's name inside cursors: fixed, so renaming a variant cannot break the
    /// cursors clients hold.
    pub const fn cursor_name(self) -> &'static str {
        match self {
            Self::Id => "Id",
            Self::Name => "Name",
            Self::CreatedAt => "CreatedAt",
            Self::UpdatedAt => "UpdatedAt",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub platform: Option<String>,
    pub name_contains: Option<String>,
}

/// The store's time zone; an unreadable one is an internal error naming the store.
pub fn tz(store: &store::Model) -> Result<chrono_tz::Tz, AppError> {
    store.time_zone.parse().map_err(|e| {
        AppError::unreadable(
            "store",
            store.id,
            format!("time zone {:?}: {e}", store.time_zone),
        )
    })
}

/// The calendar day of `at` in the store's time zone.
pub fn today(
    store: &store::Model,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<chrono::NaiveDate, AppError> {
    Ok(at.with_timezone(&tz(store)?).date_naive())
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
pub fn like_pattern(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// `stores`: the viewer's stores (directors: all).
#[tracing::instrument(skip_all)]
pub async fn list(
    ctx: &ServiceCtx,
    filter: Filter,
    sort: SortKey,
    window: page::Window<'_>,
    reverse: bool,
) -> Result<Page<store::Entity>, AppError> {
    let staff = ctx.viewer.staff()?;
    let sort_name = sort.cursor_name();
    let args = PageArgs::parse(window, reverse, sort_name)?;
    let mut q = store::Entity::find();
    if let StoreScope::Only(ids) = staff.scope() {
        q = q.filter(store::Column::Id.is_in(ids));
    }
    if let Some(p) = filter.platform {
        q = q.filter(store::Column::Platform.eq(p));
    }
    if let Some(n) = filter.name_contains.filter(|n| !n.trim().is_empty()) {
        q = q.filter(
            sea_orm::sea_query::Expr::col(store::Column::Name)
                .like(sea_orm::sea_query::LikeExpr::new(like_pattern(n.trim())).escape('\\')),
        );
    }
    let key: (&str, store::Column, fn(&store::Model) -> CursorKey) = match sort {
        SortKey::Id => (sort_name, store::Column::Id, |m| CursorKey::Int(m.id)),
        SortKey::Name => (sort_name, store::Column::Name, |m| {
            CursorKey::Text(m.name.clone())
        }),
        SortKey::CreatedAt => (sort_name, store::Column::CreatedAt, |m| {
            CursorKey::Time(m.created_at)
        }),
        SortKey::UpdatedAt => (sort_name, store::Column::UpdatedAt, |m| {
            CursorKey::Time(m.updated_at)
        }),
    };
    page::fetch(&ctx.db, q, key, store::Column::Id, |m| m.id, &args).await
}

/// The stores a staff member works in: every store for a director, the assigned ones otherwise.
pub async fn for_staff(
    db: &sea_orm::DatabaseConnection,
    staff: &crate::auth::Staff,
) -> Result<Vec<store::Model>, AppError> {
    use sea_orm::QueryOrder;
    let mut q = store::Entity::find().order_by_asc(store::Column::Id);
    if let StoreScope::Only(ids) = staff.scope() {
        q = q.filter(store::Column::Id.is_in(ids));
    }
    Ok(q.all(db).await?)
}
