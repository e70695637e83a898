use super::*;

/// Orderings of `stores`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreSortKeys {
    /// Creation order (default).
    #[default]
    Id,
    /// By name.
    Name,
    /// By creation time.
    CreatedAt,
    /// By last change.
    UpdatedAt,
}

/// Filters of `stores`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct StoreFilter {
    /// Only stores on this marketplace.
    pub platform: Option<Platform>,
    /// Only stores whose name contains this text.
    pub name_contains: Option<String>,
}

/// Store limits and options; omitted fields keep their value (or, on create, the default).
#[derive(InputObject, Default)]
pub struct StoreSettingsInput {
    /// Largest refund a specialist approves alone.
    pub refund_approval_limit_specialist: Option<Money>,
    /// Largest refund an assistant approves alone.
    pub refund_approval_limit_assistant: Option<Money>,
    /// Specialist's largest price cut per change, bp (0–10000).
    pub price_cut_limit_bp: Option<i32>,
    /// Specialist's floor relative to the 30-day high list price, bp (0–10000).
    pub price_recent_high_min_bp: Option<i32>,
    /// Deepest promotion a specialist approves, bp off (0–10000).
    pub promotion_depth_limit_bp: Option<i32>,
    /// Largest coupon face value × quantity a specialist approves per template.
    pub coupon_face_value_limit: Option<Money>,
    /// Largest campaign budget a specialist approves per campaign per month.
    pub campaign_budget_limit: Option<Money>,
    /// Largest manual points adjustment a specialist makes.
    pub points_adjust_limit: Option<i32>,
    /// Minimum margin, bp (0–9999).
    pub min_margin_bp: Option<i32>,
    /// Grant this store's specialists cost and profit view.
    pub specialist_cost_view: Option<bool>,
    /// Member PII reveals per staff member per day.
    pub pii_reveals_per_day: Option<i32>,
    /// Days until a pending approval request expires (1–90).
    pub approval_expiry_days: Option<i32>,
    /// Shipping template (运费模板): the first unit's fee (¥0–¥1,000).
    pub shipping_first_fee: Option<Money>,
    /// Shipping template: the fee of each further unit (¥0–¥1,000).
    pub shipping_extra_fee: Option<Money>,
}

impl From<StoreSettingsInput> for service::store::SettingsPatch {
    fn from(s: StoreSettingsInput) -> Self {
        Self {
            refund_limit_specialist_fen: s.refund_approval_limit_specialist.map(|m| m.0.0),
            refund_limit_assistant_fen: s.refund_approval_limit_assistant.map(|m| m.0.0),
            price_cut_limit_bp: s.price_cut_limit_bp,
            price_recent_high_min_bp: s.price_recent_high_min_bp,
            promo_depth_limit_bp: s.promotion_depth_limit_bp,
            coupon_face_value_limit_fen: s.coupon_face_value_limit.map(|m| m.0.0),
            campaign_budget_limit_fen: s.campaign_budget_limit.map(|m| m.0.0),
            points_adjust_limit: s.points_adjust_limit,
            min_margin_bp: s.min_margin_bp,
            specialist_cost_view: s.specialist_cost_view,
            pii_reveals_per_day: s.pii_reveals_per_day,
            approval_expiry_days: s.approval_expiry_days,
            shipping_first_fen: s.shipping_first_fee.map(|m| m.0.0),
            shipping_extra_fen: s.shipping_extra_fee.map(|m| m.0.0),
        }
    }
}

/// Input of `storeCreate`.
#[derive(InputObject)]
pub struct StoreCreateInput {
    /// Store name, 1–60 characters, unique.
    pub name: String,
    /// Marketplace.
    pub platform: Platform,
    /// IANA time zone (default Asia/Shanghai).
    pub time_zone: Option<String>,
    /// Limits and options; omitted ones take the defaults: refunds ¥2,000 (specialist) and ¥200
    /// (assistant), price cut 20% per change, 60% of the 30-day high, promotion depth 30%, coupon
    /// face value issued ¥20,000, campaign budget ¥5,000 a month, points adjustment 500, minimum
    /// margin 0, no specialist cost view, 20 phone reveals a day, approvals expire after 7 days,
    /// shipping ¥10 for the first unit and ¥2 for each further one.
    pub settings: Option<StoreSettingsInput>,
}

/// Input of `storeUpdate`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct StoreUpdateInput {
    /// Global ID of the store.
    pub id: ID,
    /// New name, 1–60 characters, unique.
    pub name: Option<String>,
    /// New marketplace.
    pub platform: Option<Platform>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// Settings to change.
    pub settings: Option<StoreSettingsInput>,
}

/// Result of `storeCreate` / `storeUpdate`.
#[derive(SimpleObject)]
pub struct StorePayload {
    /// The store as saved; null when refused.
    pub store: Option<Store>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}
