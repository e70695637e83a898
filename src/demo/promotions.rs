//! Demo promotions and coupons.

use super::*;
use crate::engine::{
    Audience, BundleMember, Funder, ItemMode, ReductionForm, Rounding, Rule, Scope, Threshold, Tier,
};
use crate::service::promotion::{self as promos, Channel, CouponTerms, Spec, Validity};

type Sku = entity::sku::Model;

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
    use sea_orm::{PaginatorTrait, QueryOrder};
    if entity::promotion::Entity::find()
        .filter(entity::promotion::Column::StoreId.eq(store_id))
        .count(db)
        .await?
        > 0
    {
        return Ok(());
    }
    let skus = entity::sku::Entity::find()
        .filter(entity::sku::Column::StoreId.eq(store_id))
        .order_by_asc(entity::sku::Column::Id)
        .all(db)
        .await?;
    let mut products: Vec<i64> = skus.iter().map(|s| s.product_id).collect();
    products.dedup();
    let (Some(first), Some(pillow), Some(towel)) = (
        products.first().copied(),
        products.get(8).copied(),
        products.get(14).copied(),
    ) else {
        return Ok(());
    };
    let skus_of =
        |product: i64| -> Vec<&Sku> { skus.iter().filter(|s| s.product_id == product).collect() };
    let now = crate::service::kernel::clock::Clock::system().now();
    let d = Drafts {
        director: acting_as(db, pii, Role::Director).await?,
        specialist: acting_as(db, pii, Role::Specialist).await?,
        store_id,
        start: now - chrono::Duration::days(1),
        end: now + chrono::Duration::days(13),
    };
    // A floor on the first pillow SKU, and a 单品宝 the director approved below it.
    let pillow_sku = skus_of(pillow).first().map(|s| (s.id, s.price_fen));
    if let Some((id, price)) = pillow_sku {
        crate::service::pricing::sku_update(
            &d.director,
            id,
            crate::service::pricing::SkuUpdate {
                floor_price_fen: Some(Some(price * 8 / 10)),
                ..Default::default()
            },
        )
        .await?;
    }
    store_promotions(&d, first, pillow_sku.map(|p| p.0), towel).await?;
    let main = skus_of(products.get(9).copied().unwrap_or(pillow))
        .first()
        .copied();
    let towels = skus_of(towel);
    if let (Some(main), Some(companion)) = (main, towels.first().copied()) {
        bundle(&d, main, companion).await?;
    }
    if let Some(gift) = towels.last() {
        d.live(d.draft(
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
    coupon(&d).await?;
    deep_discount(&d, *products.last().unwrap_or(&first)).await
}

/// A merchant-funded promotion for everyone.
fn spec(scope: Scope, rule: Rule) -> Spec {
    Spec {
        scope,
        audience: Audience::All,
        funder: Funder::Merchant,
        rule,
        coupon: None,
    }
}

fn only(products: Vec<i64>, skus: Vec<i64>) -> Scope {
    Scope::Only { products, skus }
}

/// Who writes the demo promotions, and their window (yesterday to in 13 days).
struct Drafts {
    director: ServiceCtx,
    specialist: ServiceCtx,
    store_id: i64,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
}

impl Drafts {
    fn draft(&self, name: &str, spec: Spec) -> promos::Draft {
        promos::Draft {
            store_id: self.store_id,
            name: name.into(),
            copy: None,
            start_at: self.start,
            end_at: self.end,
            spec,
        }
    }

    /// Created, submitted and approved by the director.
    async fn live(&self, d: promos::Draft) -> Result<entity::promotion::Model, AppError> {
        let p = promos::create(&self.director, d).await?;
        promos::submit(&self.director, p.id).await?;
        promos::approve(&self.director, p.id).await
    }
}

/// 满减 tiers, 跨店满减, two 单品宝, 第二件半价, 满199包邮 and 88VIP.
async fn store_promotions(
    d: &Drafts,
    first: i64,
    pillow_sku: Option<i64>,
    towel: i64,
) -> Result<(), AppError> {
    d.live(d.draft(
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
    d.live(d.draft("双11 跨店满减 每满300减50", cross)).await?;
    d.live(d.draft(
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
    d.live(d.draft(
        "枕芯秒杀 6.9折",
        spec(
            only(vec![], pillow_sku.into_iter().collect()),
            Rule::ItemDiscount {
                mode: ItemMode::Percent(6_900),
                rounding: Rounding::None,
                per_buyer_limit: Some(1),
            },
        ),
    ))
    .await?;
    d.live(d.draft(
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
    d.live(
        d.draft(
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
        ),
    )
    .await?;
    d.live(d.draft(
        "88VIP 专享 95折",
        spec(
            only(vec![first], vec![]),
            Rule::MemberPrice {
                vip88_bp: Some(9_500),
            },
        ),
    ))
    .await?;
    Ok(())
}

/// 枕芯+毛巾 搭配购, a fixed-price bundle.
async fn bundle(d: &Drafts, main: &Sku, companion: &Sku) -> Result<(), AppError> {
    d.live(d.draft(
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
    Ok(())
}

/// 双11 店铺券 满500减50, issued to today's high-value members.
async fn coupon(d: &Drafts) -> Result<(), AppError> {
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
        claim_start: d.start,
        claim_end: d.end,
        validity: Validity::Relative { days: 7 },
        channel: Channel::Public,
    });
    let template = d.live(d.draft("双11 店铺券 满500减50", coupon)).await?;
    crate::service::promotion::coupon::issue(
        &d.specialist,
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
    Ok(())
}

/// A deep discount a specialist submitted: it waits for the director.
async fn deep_discount(d: &Drafts, product: i64) -> Result<(), AppError> {
    let deep = promos::create(
        &d.specialist,
        d.draft(
            "清仓 6折",
            spec(
                only(vec![product], vec![]),
                Rule::ItemDiscount {
                    mode: ItemMode::Percent(6_000),
                    rounding: Rounding::None,
                    per_buyer_limit: None,
                },
            ),
        ),
    )
    .await?;
    promos::submit(&d.specialist, deep.id).await?;
    Ok(())
}
