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
    use std::fmt::Write;
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
    let spread = |n: i64, last: i64, step: i64| (0..n).map(|i| last + i * step).collect::<Vec<_>>();
    let buyers: Vec<DemoBuyer> = vec![
        // 高价值: recent, frequent, big spenders.
        DemoBuyer {
            nick: "tb_莉莉",
            days: spread(12, 4, 25),
            dear: true,
        },
        DemoBuyer {
            nick: "jd_王先生",
            days: spread(10, 9, 30),
            dear: true,
        },
        DemoBuyer {
            nick: "小鹿家居控",
            days: spread(11, 16, 28),
            dear: true,
        },
        // 忠诚: frequent, a little while ago.
        DemoBuyer {
            nick: "t***8",
            days: spread(7, 70, 30),
            dear: false,
        },
        DemoBuyer {
            nick: "阿飞飞",
            days: spread(8, 78, 25),
            dear: true,
        },
        DemoBuyer {
            nick: "晴天小猪",
            days: spread(6, 85, 35),
            dear: false,
        },
        // 流失预警: used to buy often, quiet for months.
        DemoBuyer {
            nick: "北京老张",
            days: spread(4, 110, 40),
            dear: true,
        },
        DemoBuyer {
            nick: "m***a",
            days: spread(5, 140, 30),
            dear: false,
        },
        DemoBuyer {
            nick: "大橙子",
            days: spread(3, 170, 45),
            dear: true,
        },
        // 新客: first purchase within the month.
        DemoBuyer {
            nick: "新手妈妈",
            days: vec![3],
            dear: true,
        },
        DemoBuyer {
            nick: "z***9",
            days: vec![11],
            dear: false,
        },
        DemoBuyer {
            nick: "布丁",
            days: vec![19],
            dear: true,
        },
        DemoBuyer {
            nick: "考拉",
            days: vec![26],
            dear: false,
        },
        // 潜力: recent, but few purchases.
        DemoBuyer {
            nick: "一只猫",
            days: vec![6, 130],
            dear: false,
        },
        DemoBuyer {
            nick: "冬冬",
            days: vec![13, 95],
            dear: false,
        },
        DemoBuyer {
            nick: "s***1",
            days: vec![22, 200],
            dear: false,
        },
        DemoBuyer {
            nick: "花花世界",
            days: vec![29, 64, 300],
            dear: false,
        },
        // 沉睡: one small purchase three to six months ago.
        DemoBuyer {
            nick: "路人甲",
            days: vec![100],
            dear: false,
        },
        DemoBuyer {
            nick: "q***7",
            days: vec![125],
            dear: false,
        },
        DemoBuyer {
            nick: "夏天",
            days: vec![150],
            dear: false,
        },
        DemoBuyer {
            nick: "石头",
            days: vec![175],
            dear: false,
        },
        // 已流失: nothing for half a year or more.
        DemoBuyer {
            nick: "远方",
            days: vec![210],
            dear: false,
        },
        DemoBuyer {
            nick: "k***2",
            days: vec![260],
            dear: false,
        },
        DemoBuyer {
            nick: "老顾客",
            days: vec![320],
            dear: false,
        },
        DemoBuyer {
            nick: "回忆",
            days: vec![395],
            dear: false,
        },
    ];
    let today = crate::service::store::today(&store);
    let channels = ["ZTC", "YLMF", "", "LIVE-1111", "TBK"];
    let mut csv = crate::service::order::COLUMNS.join(",");
    csv.push_str(",refunded_amount\n");
    let mut n = 0usize;
    let mut line = |csv: &mut String,
                    buyer: usize,
                    b: &DemoBuyer,
                    day: i64,
                    status: &str,
                    refunded: &str| {
        n += 1;
        let pool = if b.dear { dear } else { cheap };
        let sku = &pool[(buyer * 7 + n) % pool.len()];
        let date = today - chrono::Duration::days(day);
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
            csv,
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
    };
    for (i, b) in buyers.iter().enumerate() {
        for &day in b.days.iter().rev() {
            let status = match day {
                0..=4 => "PAID",
                5..=14 => "SHIPPED",
                _ => "COMPLETED",
            };
            line(&mut csv, i, b, day, status, "");
        }
    }
    // Orders that never became purchases, and refunds.
    line(&mut csv, 0, &buyers[0], 1, "CREATED", "");
    line(&mut csv, 9, &buyers[9], 2, "CANCELLED", "");
    line(&mut csv, 13, &buyers[13], 40, "CLOSED_UNPAID", "");
    line(&mut csv, 1, &buyers[1], 2, "REFUNDED", "");
    line(&mut csv, 4, &buyers[4], 78, "PARTIALLY_REFUNDED", "10.00");
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
    // Tags, and a points goodwill gesture waiting for the director.
    let members = entity::member::Entity::find()
        .filter(entity::member::Column::StoreId.eq(store_id))
        .order_by_asc(entity::member::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = members.iter().take(3).map(|m| m.id).collect();
    crate::service::member::tags_set(
        &specialist,
        &ids,
        &["高复购".into(), "双11老客".into()],
        &[],
    )
    .await?;
    if let Some(m) = members.get(6) {
        crate::service::member::points_adjust(
            &specialist,
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
