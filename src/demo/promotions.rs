//! Demo promotions and coupons.

use super::*;

/// A 双11-style set of promotions in force now (store 满减 tiers, 跨店满减, a 单品宝, 第二件半价,
/// a store coupon issued to the high-value segment, 满199包邮, 88VIP, a gift), one 单品宝 that a
/// director let break a SKU's floor (so `priceGuard` has something to show), and one deep
/// discount a specialist submitted, waiting for the director. Skipped when the store has
/// promotions.
pub(crate) async fn seed_promotions(
    db: &DatabaseConnection,
    pii: &Arc<PiiCipher>,
    store_id: i64,
) -> Result<(), AppError> {
    use crate::engine::{
        Audience, BundleMember, Funder, ItemMode, ReductionForm, Rounding, Rule, Scope, Threshold,
        Tier,
    };
    use crate::service::promotion::{self as promos, Channel, CouponTerms, Spec, Validity};
    use sea_orm::{PaginatorTrait, QueryOrder};
    if entity::promotion::Entity::find()
        .filter(entity::promotion::Column::StoreId.eq(store_id))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let director = acting_as(db, pii, Role::Director).await?;
    let specialist = acting_as(db, pii, Role::Specialist).await?;
    let skus = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store_id))
        .order_by_asc(entity::sku::Column::Id)
        .all(db)
        .await?;
    let products: Vec<i64> = {
        let mut p: Vec<i64> = skus.iter().map(|s| s.product_id).collect();
        p.dedup();
        p
    };
    let (Some(first), Some(pillow), Some(towel)) = (
        products.first().copied(),
        products.get(8).copied(),
        products.get(14).copied(),
    ) else {
        return Ok(());
    };
    let skus_of = |product: i64| -> Vec<&entity::sku::Model> {
        skus.iter().filter(|s| s.product_id == product).collect()
    };
    let now = crate::service::now();
    let (start, end) = (
        now - chrono::Duration::days(1),
        now + chrono::Duration::days(13),
    );
    let spec = |scope: Scope, rule: Rule| Spec {
        scope,
        audience: Audience::All,
        funder: Funder::Merchant,
        rule,
        coupon: None,
    };
    let only = |products: Vec<i64>, skus: Vec<i64>| Scope::Only { products, skus };
    let draft = |name: &str, spec: Spec| promos::Draft {
        store_id,
        name: name.into(),
        copy: None,
        start_at: start,
        end_at: end,
        spec,
    };
    let live = |d: promos::Draft| {
        let director = &director;
        async move {
            let p = promos::create(director, d).await?;
            promos::submit(director, p.id).await?;
            promos::approve(director, p.id).await
        }
    };
    // A floor on the first pillow SKU, and a 单品宝 the director approved below it.
    let pillow_sku = skus_of(pillow).first().map(|s| (s.id, s.price_fen));
    if let Some((id, price)) = pillow_sku {
        crate::service::pricing::sku_update(
            &director,
            id,
            crate::service::pricing::SkuUpdate {
                floor_price_fen: Some(Some(price * 8 / 10)),
                ..Default::default()
            },
        )
        .await?;
    }
    live(draft(
        "双11 店铺满减 300-30 / 500-60 / 1000-150",
        spec(
            Scope::Store,
            Rule::FullReduction {
                on: Threshold::Amount,
                form: ReductionForm::Tiers(vec![
                    Tier {
                        threshold: 30_000,
                        value: 3_000,
                    },
                    Tier {
                        threshold: 50_000,
                        value: 6_000,
                    },
                    Tier {
                        threshold: 100_000,
                        value: 15_000,
                    },
                ]),
                cross_store: false,
            },
        ),
    ))
    .await?;
    let mut cross = spec(
        Scope::Store,
        Rule::FullReduction {
            on: Threshold::Amount,
            form: ReductionForm::PerEach {
                every: 30_000,
                off: 5_000,
                cap: None,
            },
            cross_store: true,
        },
    );
    cross.funder = Funder::CoFunded { merchant_bp: 5_000 };
    live(draft("双11 跨店满减 每满300减50", cross)).await?;
    live(draft(
        "爆款四件套 单品宝 8.8折",
        spec(
            only(vec![first], vec![]),
            Rule::ItemDiscount {
                mode: ItemMode::Percent(8_800),
                rounding: Rounding::DropJiao,
                per_buyer_limit: Some(2),
            },
        ),
    ))
    .await?;
    live(draft(
        "枕芯秒杀 6.9折",
        spec(
            only(vec![], pillow_sku.map(|p| vec![p.0]).unwrap_or_default()),
            Rule::ItemDiscount {
                mode: ItemMode::Percent(6_900),
                rounding: Rounding::None,
                per_buyer_limit: Some(1),
            },
        ),
    ))
    .await?;
    live(draft(
        "毛巾第二件半价",
        spec(
            only(vec![towel], vec![]),
            Rule::NthItem {
                nth: 2,
                rate_bp: 5_000,
            },
        ),
    ))
    .await?;
    live(draft(
        "满199包邮（偏远地区除外）",
        spec(
            Scope::Store,
            Rule::FreeShipping {
                on: Some(Threshold::Amount),
                threshold: 19_900,
                excluded_regions: ["新疆", "西藏", "青海", "内蒙古", "宁夏", "甘肃"]
                    .map(String::from)
                    .to_vec(),
            },
        ),
    ))
    .await?;
    live(draft(
        "88VIP 专享 95折",
        spec(
            only(vec![first], vec![]),
            Rule::MemberPrice {
                vip88_bp: Some(9_500),
            },
        ),
    ))
    .await?;
    if let (Some(main), Some(companion)) = (
        skus_of(products.get(9).copied().unwrap_or(pillow))
            .first()
            .copied(),
        skus_of(towel).first().copied(),
    ) {
        live(draft(
            "枕芯+毛巾 搭配购",
            spec(
                Scope::Store,
                Rule::Bundle {
                    fixed: true,
                    main_sku: main.id,
                    members: vec![
                        BundleMember {
                            sku_id: main.id,
                            price: main.price_fen - 1_000,
                        },
                        BundleMember {
                            sku_id: companion.id,
                            price: companion.price_fen - 500,
                        },
                    ],
                },
            ),
        ))
        .await?;
    }
    if let Some(gift) = skus_of(towel).last() {
        live(draft(
            "满500赠毛巾",
            spec(
                Scope::Store,
                Rule::Gift {
                    on: Threshold::Amount,
                    threshold: 50_000,
                    gift_sku: gift.id,
                    stock_left: 0,
                },
            ),
        ))
        .await?;
    }
    let mut coupon = spec(
        Scope::Store,
        Rule::Coupon {
            item: false,
            platform: false,
            face: 5_000,
            threshold: 50_000,
            stackable_with_store_activity: true,
        },
    );
    coupon.coupon = Some(CouponTerms {
        total_quantity: 1_000,
        per_buyer_limit: 1,
        claim_start: start,
        claim_end: end,
        validity: Validity::Relative { days: 7 },
        channel: Channel::Public,
    });
    let template = live(draft("双11 店铺券 满500减50", coupon)).await?;
    crate::service::promotion::coupon::issue(
        &specialist,
        crate::service::promotion::coupon::Issue {
            template_id: template.id,
            to: crate::service::promotion::coupon::Recipients::Segment(
                crate::domain::rfm::Segment::HighValue,
            ),
            client_key: "demo-high-value".into(),
        },
    )
    .await
    .or_else(|e| match e {
        // A store without high-value members today issues nothing.
        AppError::Invalid(_) => Ok(Vec::new()),
        other => Err(other),
    })?;
    // A deep discount a specialist submitted: it waits for the director.
    let deep = promos::create(
        &specialist,
        draft(
            "清仓 6折",
            spec(
                only(vec![*products.last().unwrap_or(&first)], vec![]),
                Rule::ItemDiscount {
                    mode: ItemMode::Percent(6_000),
                    rounding: Rounding::None,
                    per_buyer_limit: None,
                },
            ),
        ),
    )
    .await?;
    promos::submit(&specialist, deep.id).await?;
    Ok(())
}
