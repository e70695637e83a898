//! RFM segments and repurchase, computed in SQL.

use super::*;

// ---------------------------------------------------------------------------------------------
// Days, RFM, repurchase

/// Days since 1970-01-01 of a calendar day.
pub fn epoch_day(d: NaiveDate) -> i32 {
    (d - NaiveDate::default()).num_days() as i32
}

/// The calendar day of an epoch-day number.
pub fn day_date(day: i32) -> NaiveDate {
    NaiveDate::default() + Duration::days(i64::from(day))
}

pub use crate::domain::rfm::Segment;

/// The RFM query of a store as of an epoch day: one row per member with a purchase up to that
/// day (`member_id, days_since, purchases, monetary, r, f, m, segment`). Purchases are paid
/// orders not fully refunded, one per member per paid day; the window is the 365 days
/// ending on the day; M is `ceil(5k/n)` over members with a purchase in the window, where k
/// counts those who spent at most as much (ties share a score).
pub fn rfm_sql(store_id: i64, day: i32) -> (String, Vec<sea_orm::Value>) {
    let window_start = day - 364;
    // p: per member (a purchase = a distinct paid day); w: M ranks among members with a purchase
    // in the window (k: how many spent at most as much, n: how many); s: scores. One pass over
    // the orders, in member order through a covering index (measured: two-level aggregation per
    // member-day was 2–3× slower on both databases). `+paid_day` keeps SQLite from choosing the
    // paid-day index, which would need a sort for the grouping; a NULL day fails `<=` anyway.
    let sql = "WITH p AS (SELECT o.member_id AS member_id, MAX(o.paid_day) AS last_day, MIN(o.paid_day) AS first_day, \
                 COUNT(DISTINCT CASE WHEN o.paid_day >= ? THEN o.paid_day END) AS purchases, \
                 CAST(SUM(CASE WHEN o.paid_day >= ? THEN o.paid_fen - o.refunded_fen ELSE 0 END) AS BIGINT) AS monetary \
               FROM sales_order o \
               WHERE o.store_id = ? AND +o.paid_day <= ? AND o.status <> 'REFUNDED' \
               GROUP BY o.member_id), \
         w AS (SELECT member_id, last_day, first_day, purchases, monetary, \
                 COUNT(*) OVER (PARTITION BY CASE WHEN purchases > 0 THEN 1 ELSE 0 END ORDER BY monetary) AS k, \
                 COUNT(*) OVER (PARTITION BY CASE WHEN purchases > 0 THEN 1 ELSE 0 END) AS n \
               FROM p), \
         s AS (SELECT member_id, ? - last_day AS days_since, ? - first_day AS first_days, \
                 CAST(purchases AS BIGINT) AS purchases, monetary, \
                 CAST(CASE WHEN ? - last_day <= 30 THEN 5 WHEN ? - last_day <= 60 THEN 4 \
                      WHEN ? - last_day <= 90 THEN 3 WHEN ? - last_day <= 180 THEN 2 ELSE 1 END AS BIGINT) AS r, \
                 CAST(CASE WHEN purchases >= 10 THEN 5 WHEN purchases >= 6 THEN 4 \
                      WHEN purchases >= 3 THEN 3 WHEN purchases = 2 THEN 2 ELSE 1 END AS BIGINT) AS f, \
                 CAST(CASE WHEN purchases > 0 THEN (5 * k + n - 1) / n ELSE 1 END AS BIGINT) AS m \
               FROM w) \
         SELECT member_id, days_since, purchases, monetary, r, f, m, \
           CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'HIGH_VALUE' \
                WHEN f >= 4 AND r >= 3 THEN 'LOYAL' \
                WHEN r <= 2 AND (f >= 3 OR m >= 4) THEN 'AT_RISK' \
                WHEN first_days <= 30 AND purchases = 1 THEN 'NEW' \
                WHEN r >= 4 AND f <= 3 THEN 'POTENTIAL' \
                WHEN r = 1 THEN 'LOST' \
                ELSE 'HIBERNATING' END AS segment \
         FROM s"
        .to_owned();
    let d = i64::from(day);
    let ws = i64::from(window_start);
    let values: Vec<sea_orm::Value> = vec![
        ws.into(),
        ws.into(),
        store_id.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
        d.into(),
    ];
    (sql, values)
}

/// One member's RFM figures.
#[derive(Debug, Clone, FromQueryResult)]
pub struct RfmRow {
    pub member_id: i64,
    pub days_since: i64,
    pub purchases: i64,
    pub monetary: i64,
    pub r: i64,
    pub f: i64,
    pub m: i64,
    pub segment: String,
}

/// RFM figures of some members of a store as of a day (members without a purchase by then are
/// absent).
pub async fn rfm_of(
    conn: &impl ConnectionTrait,
    store_id: i64,
    as_of: NaiveDate,
    ids: &[i64],
) -> Result<Vec<RfmRow>, AppError> {
    let (sql, mut values) = rfm_sql(store_id, epoch_day(as_of));
    let mut out = Vec::new();
    for part in ids.chunks(500) {
        let mut v = values.clone();
        v.extend(part.iter().map(|i| sea_orm::Value::from(*i)));
        let q = format!(
            "SELECT * FROM ({sql}) rfm WHERE member_id IN ({})",
            vec!["?"; part.len()].join(",")
        );
        out.extend(
            RfmRow::find_by_statement(db::raw(conn.get_database_backend(), &q, v))
                .all(conn)
                .await?,
        );
    }
    values.clear();
    Ok(out)
}

/// One segment's figures.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SegmentRow {
    pub segment: String,
    pub members: i64,
    pub monetary: i64,
    /// Of them, buyers with a purchase in the window.
    pub buyers: i64,
    /// Of them, buyers with two or more.
    pub repeat_buyers: i64,
}

/// Figures of `memberSegments`.
#[derive(Debug, Clone)]
pub struct SegmentReport {
    pub store_id: i64,
    pub as_of: NaiveDate,
    pub window_start: NaiveDate,
    pub rows: Vec<SegmentRow>,
    pub members: i64,
    pub monetary: i64,
    pub repurchase: Repurchase,
}

/// `memberSegments(storeId, asOf)` (MEMBER_VIEW): counts and net spend per segment, in SQL.
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn segments(
    ctx: &ServiceCtx,
    store_id: i64,
    as_of: Option<NaiveDate>,
) -> Result<SegmentReport, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, Some(store_id))?;
    let store = crate::service::store::load(&ctx.db, store_id).await?;
    let as_of = match as_of {
        Some(d) => d,
        None => crate::service::store::today(&store, ctx.now())?,
    };
    let (sql, values) = rfm_sql(store_id, epoch_day(as_of));
    let q = format!(
        "SELECT segment, COUNT(*) AS members, CAST(SUM(monetary) AS BIGINT) AS monetary, \
         CAST(SUM(CASE WHEN purchases >= 1 THEN 1 ELSE 0 END) AS BIGINT) AS buyers, \
         CAST(SUM(CASE WHEN purchases >= 2 THEN 1 ELSE 0 END) AS BIGINT) AS repeat_buyers \
         FROM ({sql}) rfm GROUP BY segment"
    );
    let found = SegmentRow::find_by_statement(db::raw(ctx.db.get_database_backend(), &q, values))
        .all(&ctx.db)
        .await?;
    let rows: Vec<SegmentRow> = Segment::ALL
        .iter()
        .map(|s| {
            found
                .iter()
                .find(|r| r.segment == s.as_str())
                .cloned()
                .unwrap_or(SegmentRow {
                    segment: s.as_str().to_owned(),
                    members: 0,
                    monetary: 0,
                    buyers: 0,
                    repeat_buyers: 0,
                })
        })
        .collect();
    let window_start = as_of - Duration::days(364);
    // The window's purchases are the RFM window's: 复购率 comes from the same pass.
    let repurchase = Repurchase {
        buyers: found.iter().map(|r| r.buyers).sum(),
        repeat_buyers: found.iter().map(|r| r.repeat_buyers).sum(),
    };
    Ok(SegmentReport {
        store_id,
        as_of,
        window_start,
        members: rows.iter().map(|r| r.members).sum(),
        monetary: rows.iter().map(|r| r.monetary).sum(),
        rows,
        repurchase,
    })
}

/// Repurchase figures of a window.
#[derive(Debug, Clone, Copy, FromQueryResult)]
pub struct Repurchase {
    /// Buyers with at least one purchase in the window.
    pub buyers: i64,
    /// Buyers with at least two.
    pub repeat_buyers: i64,
}

pub(crate) async fn repurchase_in(
    conn: &impl ConnectionTrait,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Repurchase, AppError> {
    let sql = "SELECT COUNT(*) AS buyers, COALESCE(SUM(CASE WHEN p >= 2 THEN 1 ELSE 0 END), 0) AS repeat_buyers \
         FROM (SELECT member_id, COUNT(DISTINCT paid_day) AS p FROM sales_order \
               WHERE store_id = ? AND paid_day >= ? AND paid_day <= ? AND status <> 'REFUNDED' \
               GROUP BY member_id) b";
    let values: Vec<sea_orm::Value> = vec![
        store_id.into(),
        i64::from(epoch_day(from)).into(),
        i64::from(epoch_day(to)).into(),
    ];
    let row = Repurchase::find_by_statement(db::raw(conn.get_database_backend(), sql, values))
        .one(conn)
        .await?;
    Ok(row.unwrap_or(Repurchase {
        buyers: 0,
        repeat_buyers: 0,
    }))
}

/// `repurchaseRate(storeId, from, to)` (MEMBER_VIEW).
#[tracing::instrument(skip_all, fields(store.id = store_id))]
pub async fn repurchase(
    ctx: &ServiceCtx,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Repurchase, AppError> {
    let staff = ctx.viewer.staff()?;
    staff.require(Permission::MemberView, Some(store_id))?;
    crate::service::store::load(&ctx.db, store_id).await?;
    if to < from || (to - from).num_days() > 3660 {
        return Err(AppError::invalid(
            &["to"],
            ErrorCode::Invalid,
            "the window must end on or after its start and span at most 10 years",
        ));
    }
    repurchase_in(&ctx.db, store_id, from, to).await
}
