//! Demo orders and members: a year of orders over the demo buyers.

use super::*;

/// One demo buyer: purchase days (days before today, newest first) and how dear the goods are.
pub(crate) struct DemoBuyer {
    pub(crate) nick: &'static str,
    pub(crate) days: Vec<i64>,
    pub(crate) dear: bool,
}

/// Members and about thirteen months of orders, shaped so that every RFM segment has members
/// today: loyal regulars, big spenders, newcomers, buyers slipping away and long gone. Skipped
/// when the store already has orders.
pub(crate) async fn seed_orders(
    db: &DatabaseConnection,
    pii: &Arc<PiiCipher>,
    store_id: i64,
) -> Result<(), AppError> {
    use sea_orm::{PaginatorTrait, QueryOrder};
    if entity::sales_order::Entity::find()
        .filter(entity::sales_order::Column::StoreId.eq(store_id))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let store = store::Entity::find_by_id(store_id)
        .one(db)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let skus = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store_id))
        .filter(entity::sku::Column::OnHand.gte(40))
        .order_by_asc(entity::sku::Column::PriceFen)
        .all(db)
        .await?;
    if skus.len() < 4 {
        return Ok(());
    }
    let (cheap, dear) = skus.split_at(skus.len() / 2);
    let buyers = demo_buyers();
    let mut file = OrderFile {
        csv: format!(
            "{},refunded_amount\n",
            crate::service::order::COLUMNS.join(",")
        ),
        n: 0,
        store_id,
        today: crate::service::store::today(&store, Clock::system().now())?,
        cheap,
        dear,
    };
    for (i, b) in buyers.iter().enumerate() {
        for &day in b.days.iter().rev() {
            let status = match day {
                0..=4 => "PAID",
                5..=14 => "SHIPPED",
                _ => "COMPLETED",
            };
            file.line(i, b, day, status, "");
        }
    }
    // Orders that never became purchases, and refunds.
    file.line(0, &buyers[0], 1, "CREATED", "");
    file.line(9, &buyers[9], 2, "CANCELLED", "");
    file.line(13, &buyers[13], 40, "CLOSED_UNPAID", "");
    file.line(1, &buyers[1], 2, "REFUNDED", "");
    file.line(4, &buyers[4], 78, "PARTIALLY_REFUNDED", "10.00");
    let csv = file.csv;
    let specialist = acting_as(db, pii, Role::Specialist).await?;
    match crate::service::order::import(
        &specialist,
        store_id,
        std::io::Cursor::new(csv.into_bytes()),
        crate::service::catalog::import::no_progress(),
    )
    .await?
    {
        crate::service::order::Outcome::Imported(_) => {}
        crate::service::order::Outcome::Rejected { errors, .. } => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "demo orders rejected: {:?}",
                errors.first()
            )));
        }
    }
    tag_and_reward(db, &specialist, store_id).await
}

/// The demo buyers, so that every RFM segment has members today.
fn demo_buyers() -> Vec<DemoBuyer> {
    let spread = |n: i64, last: i64, step: i64| (0..n).map(|i| last + i * step).collect::<Vec<_>>();
    let table: Vec<(&'static str, Vec<i64>, bool)> = vec![
        // 高价值: recent, frequent, big spenders.
        ("tb_莉莉", spread(12, 4, 25), true),
        ("jd_王先生", spread(10, 9, 30), true),
        ("小鹿家居控", spread(11, 16, 28), true),
        // 忠诚: frequent, a little while ago.
        ("t***8", spread(7, 70, 30), false),
        ("阿飞飞", spread(8, 78, 25), true),
        ("晴天小猪", spread(6, 85, 35), false),
        // 流失预警: used to buy often, quiet for months.
        ("北京老张", spread(4, 110, 40), true),
        ("m***a", spread(5, 140, 30), false),
        ("大橙子", spread(3, 170, 45), true),
        // 新客: first purchase within the month.
        ("新手妈妈", vec![3], true),
        ("z***9", vec![11], false),
        ("布丁", vec![19], true),
        ("考拉", vec![26], false),
        // 潜力: recent, but few purchases.
        ("一只猫", vec![6, 130], false),
        ("冬冬", vec![13, 95], false),
        ("s***1", vec![22, 200], false),
        ("花花世界", vec![29, 64, 300], false),
        // 沉睡: one small purchase three to six months ago.
        ("路人甲", vec![100], false),
        ("q***7", vec![125], false),
        ("夏天", vec![150], false),
        ("石头", vec![175], false),
        // 已流失: nothing for half a year or more.
        ("远方", vec![210], false),
        ("k***2", vec![260], false),
        ("老顾客", vec![320], false),
        ("回忆", vec![395], false),
    ];
    (table.into_iter())
        .map(|(nick, days, dear)| DemoBuyer { nick, days, dear })
        .collect()
}

/// The order file being written: one line per order, numbered in order.
struct OrderFile<'a> {
    csv: String,
    n: usize,
    store_id: i64,
    today: chrono::NaiveDate,
    cheap: &'a [entity::sku::Model],
    dear: &'a [entity::sku::Model],
}

impl OrderFile<'_> {
    /// One single-line order of `b` (the `buyer`-th buyer) `day` days ago.
    fn line(&mut self, buyer: usize, b: &DemoBuyer, day: i64, status: &str, refunded: &str) {
        use std::fmt::Write;
        self.n += 1;
        let (n, store_id) = (self.n, self.store_id);
        let channels = ["ZTC", "YLMF", "", "LIVE-1111", "TBK"];
        let pool = if b.dear { self.dear } else { self.cheap };
        let sku = &pool[(buyer * 7 + n) % pool.len()];
        let date = self.today - chrono::Duration::days(day);
        let hour = 9 + (n % 12);
        let created = format!("{date} {hour:02}:{:02}:00", n % 60);
        let paid = if matches!(status, "CREATED" | "CANCELLED" | "CLOSED_UNPAID") {
            String::new()
        } else {
            format!("{date} {hour:02}:{:02}:30", n % 60)
        };
        let discount = if n.is_multiple_of(4) {
            sku.price_fen / 10
        } else {
            0
        };
        let money = |f: i64| crate::domain::Fen(f).to_string();
        let _ = writeln!(
            self.csv,
            "DEMO{store_id}-{n:05},buyer-{store_id}-{buyer:03},{},1{}{:08},{status},{created},{paid},{},{},1,{},{},{},{},{refunded}",
            b.nick,
            [38, 39, 58, 86][buyer % 4],
            (buyer * 7_919 + 1_234) % 100_000_000,
            n.is_multiple_of(3),
            sku.code,
            money(sku.price_fen),
            money(discount),
            money(sku.price_fen - discount),
            channels[n % channels.len()],
        );
    }
}

/// Tags, and a points goodwill gesture waiting for the director.
async fn tag_and_reward(
    db: &DatabaseConnection,
    specialist: &ServiceCtx,
    store_id: i64,
) -> Result<(), AppError> {
    use sea_orm::QueryOrder;
    let members = entity::member::Entity::find()
        .filter(entity::member::Column::StoreId.eq(store_id))
        .order_by_asc(entity::member::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = members.iter().take(3).map(|m| m.id).collect();
    crate::service::member::tags_set(specialist, &ids, &["高复购".into(), "双11老客".into()], &[])
        .await?;
    if let Some(m) = members.get(6) {
        crate::service::member::points_adjust(
            specialist,
            crate::service::member::PointsAdjust {
                member_id: m.id,
                amount: 800,
                reason: "物流延误补偿".into(),
                request_approval: true,
            },
        )
        .await?;
    }
    Ok(())
}
