//! Tiers: thresholds, evaluation (on import and daily), manual tier changes, store tier settings.

use super::*;
use crate::service::kernel::write::{write, write_as_system};

// ---------------------------------------------------------------------------------------------
// Tiers

/// One tier of a store's tier list (`TIER_CONFIG`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierDef {
    pub code: String,
    pub name: String,
    pub min_spend_fen: i64,
    pub min_purchases: i64,
    /// `ANY` (either threshold) or `ALL` (both).
    #[serde(rename = "match")]
    pub match_rule: String,
    pub price_rate_bp: i32,
    pub points_multiplier_bp: i32,
}

impl TierDef {
    /// A threshold of 0 is no condition; a tier without conditions needs one purchase (no
    /// member holds a tier without buying).
    pub(crate) fn holds(&self, spend: i64, purchases: i64) -> bool {
        let mut conditions = Vec::with_capacity(2);
        if self.min_spend_fen > 0 {
            conditions.push(spend >= self.min_spend_fen);
        }
        if self.min_purchases > 0 {
            conditions.push(purchases >= self.min_purchases);
        }
        if conditions.is_empty() {
            return purchases >= 1;
        }
        if self.match_rule == "ALL" {
            conditions.iter().all(|c| *c)
        } else {
            conditions.iter().any(|c| *c)
        }
    }
}

/// The store's tiers, lowest first.
pub fn tiers(store: &store::Model) -> Result<Vec<TierDef>, AppError> {
    serde_json::from_str(&store.tiers_json)
        .map_err(|e| AppError::unreadable("store", store.id, format!("tiers JSON: {e}")))
}

/// The tier the rule gives for a net spend and purchase count: the highest that holds.
pub fn tier_for(tiers: &[TierDef], spend: i64, purchases: i64) -> Option<&TierDef> {
    tiers.iter().rev().find(|t| t.holds(spend, purchases))
}

pub(crate) fn rank(tiers: &[TierDef], code: Option<&str>) -> i64 {
    code.and_then(|c| tiers.iter().position(|t| t.code == c))
        .map_or(-1, |i| i as i64)
}

/// Points multiplier of a tier (10,000 bp = ×1 below the lowest tier).
pub fn multiplier_bp(tiers: &[TierDef], code: Option<&str>) -> i32 {
    code.and_then(|c| tiers.iter().find(|t| t.code == c))
        .map_or(10_000, |t| t.points_multiplier_bp)
}

/// Why a tier changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierCause {
    OrderPaid,
    Refund,
    DailyReeval,
    Manual,
}

impl TierCause {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OrderPaid => "ORDER_PAID",
            Self::Refund => "REFUND",
            Self::DailyReeval => "DAILY_REEVAL",
            Self::Manual => "MANUAL",
        }
    }
}

#[derive(Debug, FromQueryResult)]
pub(crate) struct TierBasisRow {
    pub(crate) id: i64,
    pub(crate) tier: Option<String>,
    pub(crate) tier_protected_until: Option<DateTime<Utc>>,
    pub(crate) tier_locked_until: Option<DateTime<Utc>>,
    pub(crate) spend: i64,
    pub(crate) purchases: i64,
}

/// Re-evaluates the tiers of the store's members (all of them, or `only`): net spend and
/// purchases in the basis window are summed in SQL; upgrades apply at once (and start the
/// protection period), downgrades only after it (保级期); a manual tier holds until its lock
/// ends. Each change is recorded. `event` is the cause of upgrades (downgrades of an order
/// event are REFUND). Returns how many tiers changed.
pub async fn reevaluate_tiers(
    conn: &impl ConnectionTrait,
    store: &store::Model,
    only: Option<&[i64]>,
    event: TierCause,
    at: DateTime<Utc>,
) -> Result<usize, AppError> {
    let defs = tiers(store)?;
    let since = if store.tier_basis == "LIFETIME" {
        DateTime::<Utc>::MIN_UTC
    } else {
        at - Duration::days(365)
    };
    let sql = "SELECT m.id AS id, m.tier AS tier, m.tier_protected_until AS tier_protected_until, \
         m.tier_locked_until AS tier_locked_until, \
         CAST(COALESCE(SUM(o.paid_fen - o.refunded_fen), 0) AS BIGINT) AS spend, \
         COUNT(DISTINCT CASE WHEN o.status <> 'REFUNDED' THEN o.paid_day END) AS purchases \
         FROM member m LEFT JOIN sales_order o ON o.member_id = m.id AND o.paid_at IS NOT NULL AND o.paid_at >= ? \
         WHERE m.store_id = ? {only} \
         GROUP BY m.id, m.tier, m.tier_protected_until, m.tier_locked_until";
    let mut changed = 0;
    let chunks: Vec<Option<&[i64]>> = match only {
        None => vec![None],
        Some(ids) => ids.chunks(1000).map(Some).collect(),
    };
    for chunk in chunks {
        let (filter, mut values): (String, Vec<sea_orm::Value>) = match chunk {
            None => (String::new(), Vec::new()),
            Some(ids) => (
                format!("AND m.id IN ({})", vec!["?"; ids.len()].join(",")),
                ids.iter().map(|i| (*i).into()).collect(),
            ),
        };
        let mut all: Vec<sea_orm::Value> = vec![since.into(), store.id.into()];
        all.append(&mut values);
        let rows = TierBasisRow::find_by_statement(db::raw(
            conn.get_database_backend(),
            &sql.replace("{only}", &filter),
            all,
        ))
        .all(conn)
        .await?;
        let mut groups: HashMap<(Option<String>, bool), Vec<i64>> = HashMap::new();
        let mut log = Vec::new();
        for r in rows {
            let target = tier_for(&defs, r.spend, r.purchases).map(|t| t.code.clone());
            if target == r.tier || r.tier_locked_until.is_some_and(|l| l > at) {
                continue;
            }
            let up = rank(&defs, target.as_deref()) > rank(&defs, r.tier.as_deref());
            if !up && r.tier_protected_until.is_some_and(|p| p > at) {
                continue;
            }
            let cause = match (up, event) {
                (_, TierCause::DailyReeval) => TierCause::DailyReeval,
                (true, _) => TierCause::OrderPaid,
                (false, _) => TierCause::Refund,
            };
            log.push(tier_change::ActiveModel {
                store_id: Set(store.id),
                member_id: Set(r.id),
                from_tier: Set(r.tier.clone()),
                to_tier: Set(target.clone()),
                cause: Set(cause.as_str().to_owned()),
                reason: Set(None),
                actor_id: Set(None),
                created_at: Set(at),
                ..Default::default()
            });
            groups.entry((target, up)).or_default().push(r.id);
        }
        changed += log.len();
        for part in log.chunks(2000) {
            tier_change::Entity::insert_many(part.to_vec())
                .exec(conn)
                .await?;
        }
        let protect = at + Duration::days(i64::from(store.tier_protection_days));
        for ((target, up), ids) in groups {
            for part in ids.chunks(1000) {
                let mut q = member::Entity::update_many()
                    .col_expr(member::Column::Tier, Expr::value(target.clone()))
                    .col_expr(member::Column::UpdatedAt, Expr::value(at));
                if up {
                    q = q.col_expr(member::Column::TierProtectedUntil, Expr::value(protect));
                }
                q.filter(member::Column::Id.is_in(part.to_vec()))
                    .exec(conn)
                    .await?;
            }
        }
    }
    Ok(changed)
}

/// The daily job: re-evaluates every store's tiers (rolling windows move, protection ends).
pub async fn daily_tier_job(
    db: &sea_orm::DatabaseConnection,
    at: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut changed = 0;
    for s in store::Entity::find().all(db).await? {
        changed += write_as_system(db, at, async |txn| {
            let n = reevaluate_tiers(txn, &s, None, TierCause::DailyReeval, at).await?;
            Ok((n, None))
        })
        .await?;
    }
    Ok(changed)
}

/// Runs the daily tier job once per UTC day (the day of `at`): the server that claims the day
/// (one conditional write of `app_setting`) runs it; the others skip. Returns the changes when
/// it ran.
pub async fn daily_tier_job_if_due(
    db: &sea_orm::DatabaseConnection,
    at: DateTime<Utc>,
) -> Result<Option<usize>, AppError> {
    use entity::app_setting;
    const KEY: &str = "daily_tier_job";
    let today = at.date_naive().to_string();
    let claimed = write_as_system(db, at, async |txn| {
        db::lock(txn, KEY).await?;
        let row = app_setting::Entity::find_by_id(KEY.to_owned())
            .one(txn)
            .await?;
        if row.as_ref().is_some_and(|r| r.value == today) {
            return Ok((false, None));
        }
        let value = app_setting::ActiveModel {
            key: Set(KEY.to_owned()),
            value: Set(today),
            updated_at: Set(at),
        };
        if row.is_some() {
            value.update(txn).await?;
        } else {
            value.insert(txn).await?;
        }
        Ok((true, None))
    })
    .await?;
    if !claimed {
        return Ok(None);
    }
    daily_tier_job(db, at).await.map(Some)
}

/// Recomputes members' order aggregates and points balance from the orders and the ledger
/// (set-based, in SQL).
pub async fn refresh_aggregates(
    conn: &impl ConnectionTrait,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    for part in ids.chunks(1000) {
        let sql = format!(
            "UPDATE member SET \
             paid_order_count = (SELECT COUNT(*) FROM sales_order o WHERE o.member_id = member.id AND o.paid_at IS NOT NULL), \
             purchase_count = (SELECT COUNT(DISTINCT o.paid_day) FROM sales_order o WHERE o.member_id = member.id AND o.paid_at IS NOT NULL AND o.status <> 'REFUNDED'), \
             total_paid_fen = (SELECT CAST(COALESCE(SUM(o.paid_fen - o.refunded_fen), 0) AS BIGINT) FROM sales_order o WHERE o.member_id = member.id AND o.paid_at IS NOT NULL), \
             first_order_at = COALESCE((SELECT MIN(o.ordered_at) FROM sales_order o WHERE o.member_id = member.id), first_order_at), \
             last_order_at = COALESCE((SELECT MAX(o.ordered_at) FROM sales_order o WHERE o.member_id = member.id), last_order_at), \
             points_balance = COALESCE((SELECT p.balance_after FROM points_entry p WHERE p.member_id = member.id ORDER BY p.id DESC LIMIT 1), 0), \
             points_deficit = COALESCE((SELECT p.deficit_after FROM points_entry p WHERE p.member_id = member.id ORDER BY p.id DESC LIMIT 1), 0), \
             updated_at = ? \
             WHERE id IN ({})",
            vec!["?"; part.len()].join(",")
        );
        let mut values: Vec<sea_orm::Value> = vec![at.into()];
        values.extend(part.iter().map(|i| sea_orm::Value::from(*i)));
        conn.execute_raw(db::raw(conn.get_database_backend(), &sql, values))
            .await?;
    }
    Ok(())
}

/// `memberTierSet` (TIER_CONFIG): a director sets a tier by hand with a reason; it holds for
/// one protection period.
#[tracing::instrument(skip_all, fields(subject.id = id))]
pub async fn tier_set(
    ctx: &ServiceCtx,
    id: i64,
    tier: Option<&str>,
    reason: &str,
) -> Result<member::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::TierConfig, None)?;
    let reason = text::required(reason, &["input", "reason"], "reason", 400)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    write(ctx, staff, async |txn| {
        let m = member_in_scope(txn, staff, id).await?;
        let store = crate::service::store::load(txn, m.store_id).await?;
        let defs = tiers(&store)?;
        if let Some(t) = tier
            && !defs.iter().any(|d| d.code == t)
        {
            return Err(AppError::invalid(
                &["input", "tier"],
                ErrorCode::Invalid,
                format!(
                    "no tier {t} in this store (tiers: {})",
                    defs.iter()
                        .map(|d| d.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let at = ctx.now();
        let until = at + Duration::days(i64::from(store.tier_protection_days.max(1)));
        tier_change::ActiveModel {
            store_id: Set(m.store_id),
            member_id: Set(m.id),
            from_tier: Set(m.tier.clone()),
            to_tier: Set(tier.map(str::to_owned)),
            cause: Set(TierCause::Manual.as_str().to_owned()),
            reason: Set(Some(reason.clone())),
            actor_id: Set(staff.actor_id()),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let mut am: member::ActiveModel = m.clone().into();
        am.tier = Set(tier.map(str::to_owned));
        am.tier_locked_until = Set(Some(until));
        am.tier_protected_until = Set(Some(until));
        am.updated_at = Set(at);
        let after = am.update(txn).await?;
        let entry = audit::Entry {
            action: "member.tierSet",
            target_type: "Member",
            target_id: Some(m.id),
            store_id: Some(m.store_id),
            before: Some(json!({ "tier": m.tier })),
            after: Some(json!({ "tier": after.tier, "reason": reason, "until": until })),
            ..Default::default()
        };
        Ok((after, entry))
    })
    .await
}

/// `storeTiersSet` (TIER_CONFIG): replaces a store's tier list and basis, then re-evaluates
/// every member at once.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn store_tiers_set(
    ctx: &ServiceCtx,
    store_id: i64,
    defs: Vec<TierDef>,
    basis: Option<&str>,
    points_per_yuan: Option<i32>,
) -> Result<store::Model, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::TierConfig, Some(store_id))?;
    let mut errors = Vec::new();
    if defs.is_empty() || defs.len() > 10 {
        errors.push(UserError::new(
            &["input", "tiers"],
            ErrorCode::Invalid,
            "give 1 to 10 tiers",
        ));
    }
    for (i, d) in defs.iter().enumerate() {
        let idx = i.to_string();
        let f = |name: &str| vec!["input".to_owned(), "tiers".into(), idx.clone(), name.into()];
        let bad = |name: &str, msg: &str| UserError {
            field: f(name),
            code: ErrorCode::Invalid,
            message: msg.to_owned(),
        };
        if d.code.is_empty()
            || d.code.len() > 16
            || !d
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            errors.push(bad("code", "a code is 1–16 letters, digits or _"));
        }
        if defs[..i].iter().any(|o| o.code == d.code) {
            errors.push(bad("code", "codes must differ"));
        }
        if text::is_blank(&d.name) || d.name.chars().count() > 20 {
            errors.push(bad("name", "a name is 1–20 characters"));
        }
        if d.min_spend_fen < 0 || d.min_purchases < 0 {
            errors.push(bad("minSpend", "thresholds must not be negative"));
        }
        if !(100..=10_000).contains(&d.price_rate_bp) {
            errors.push(bad(
                "priceRate",
                "the tier discount is 0.1–10折 (100–10000 bp)",
            ));
        }
        if !(0..=100_000).contains(&d.points_multiplier_bp) {
            errors.push(bad(
                "pointsMultiplier",
                "the points multiplier is 0–10× (0–100000 bp)",
            ));
        }
        if i > 0 {
            let p = &defs[i - 1];
            if d.min_spend_fen < p.min_spend_fen || d.min_purchases < p.min_purchases {
                errors.push(bad(
                    "minSpend",
                    "each tier's thresholds must be at least the previous tier's",
                ));
            }
        }
    }
    if let Some(b) = basis
        && b != "ROLLING_12M"
        && b != "LIFETIME"
    {
        errors.push(UserError::new(
            &["input", "basis"],
            ErrorCode::Invalid,
            "ROLLING_12M or LIFETIME",
        ));
    }
    if let Some(p) = points_per_yuan
        && !(0..=100).contains(&p)
    {
        errors.push(UserError::new(
            &["input", "pointsPerYuan"],
            ErrorCode::Invalid,
            "0 to 100 points per yuan",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    write(ctx, staff, async |txn| {
        let s = crate::service::store::load(txn, store_id).await?;
        let mut am: store::ActiveModel = s.clone().into();
        am.tiers_json = Set(serde_json::to_string(&defs).map_err(|e| AppError::Internal(e.into()))?);
        if let Some(b) = basis {
            am.tier_basis = Set(b.to_owned());
        }
        if let Some(p) = points_per_yuan {
            am.points_per_yuan = Set(p);
        }
        am.updated_at = Set(ctx.now());
        let after = am.update(txn).await?;
        let changed = reevaluate_tiers(txn, &after, None, TierCause::DailyReeval, ctx.now()).await?;
        let entry = audit::Entry {
            action: "store.tiersSet", target_type: "Store", target_id: Some(s.id), store_id: Some(s.id),
            before: Some(serde_json::from_str(&s.tiers_json).map_err(|e| {
                AppError::unreadable("store", s.id, format!("tiers JSON: {e}"))
            })?),
            after: Some(json!({ "tiers": defs, "basis": after.tier_basis, "pointsPerYuan": after.points_per_yuan, "membersChanged": changed })),
            ..Default::default()
        };
        Ok((after, entry))
    })
    .await
}
