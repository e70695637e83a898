//! The trade's worked examples of promotion stacks to the fen, and properties over random carts.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::guard::{GuardInput, ceil_of_sum, guard};
use super::*;

fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 11, h, 0, 0)
        .single()
        .unwrap_or_default()
}

fn item(sku: i64, product: i64, list: i64) -> Item {
    Item {
        sku_id: sku,
        product_id: product,
        list_price: list,
        floor: None,
        cost: None,
        min_margin_price: None,
    }
}

fn promo(id: i64, rule: Rule) -> Promo {
    Promo {
        id,
        start: t(0),
        end: t(23),
        funder: Funder::Merchant,
        scope: Scope::Store,
        audience: Audience::All,
        rule,
    }
}

fn tiers(pairs: &[(i64, i64)]) -> ReductionForm {
    ReductionForm::Tiers(
        pairs
            .iter()
            .map(|&(threshold, value)| Tier { threshold, value })
            .collect(),
    )
}

fn store_coupon(id: i64, threshold: i64, face: i64) -> CouponOffer {
    CouponOffer {
        code: format!("C{id}"),
        template: promo(
            id,
            Rule::Coupon {
                platform: false,
                item: false,
                face,
                threshold,
                stackable_with_store_activity: true,
            },
        ),
        owned: true,
        valid_from: t(0),
        valid_until: t(23),
    }
}

fn run(
    items: &[Item],
    lines: &[(i64, i64)],
    promos: &[Promo],
    buyer: &Buyer,
    coupons: &[CouponOffer],
) -> Quote {
    let lines: Vec<CartLine> = lines
        .iter()
        .map(|&(sku_id, quantity)| CartLine { sku_id, quantity })
        .collect();
    let input = QuoteInput {
        items,
        lines: &lines,
        promotions: promos,
        buyer,
        coupons,
        coupons_named: true,
        region: None,
        shipping: ShippingTemplate {
            first: 1000,
            extra: 500,
        },
        at: t(12),
    };
    match quote(&input) {
        Ok(q) => q,
        Err(e) => panic!("quote failed: {e:?}"),
    }
}

fn store_discount(q: &Quote) -> i64 {
    q.totals.store
}

#[test]
fn e1_full_reduction_forms_on_650() {
    let items = [item(1, 1, 65_000)];
    let amount = |rule: Rule| {
        let q = run(&items, &[(1, 1)], &[promo(1, rule)], &Buyer::default(), &[]);
        store_discount(&q)
    };
    let fr = |form| Rule::FullReduction {
        on: Threshold::Amount,
        form,
        cross_store: false,
    };
    assert_eq!(amount(fr(tiers(&[(30_000, 3_000)]))), 3_000);
    assert_eq!(
        amount(fr(tiers(&[
            (30_000, 3_000),
            (50_000, 6_000),
            (100_000, 15_000)
        ]))),
        6_000
    );
    let each = |off, cap| {
        fr(ReductionForm::PerEach {
            every: 30_000,
            off,
            cap,
        })
    };
    assert_eq!(amount(each(3_000, None)), 6_000);
    assert_eq!(amount(each(5_000, None)), 10_000);
    assert_eq!(amount(each(3_000, Some(5_000))), 5_000);
}

#[test]
fn e1_piece_discounts_and_e3_percent_rounding() {
    let items = [item(1, 1, 10_000), item(2, 2, 33_333)];
    let pieces = Rule::FullDiscount {
        on: Threshold::Pieces,
        tiers: vec![
            Tier {
                threshold: 2,
                value: 9_000,
            },
            Tier {
                threshold: 3,
                value: 8_000,
            },
        ],
    };
    let p = [promo(1, pieces)];
    assert_eq!(
        store_discount(&run(&items, &[(1, 3)], &p, &Buyer::default(), &[])),
        6_000
    );
    assert_eq!(
        store_discount(&run(&items, &[(1, 2)], &p, &Buyer::default(), &[])),
        2_000
    );
    let amount = Rule::FullDiscount {
        on: Threshold::Amount,
        tiers: vec![Tier {
            threshold: 20_000,
            value: 9_500,
        }],
    };
    let q = run(
        &items,
        &[(2, 1)],
        &[promo(1, amount)],
        &Buyer::default(),
        &[],
    );
    assert_eq!(store_discount(&q), 1_667);
}

#[test]
fn e3_item_discount_rounding_modes() {
    let u = |bp, r, list| item_unit_price(ItemMode::Percent(bp), r, list);
    assert_eq!(u(8_500, Rounding::None, 19_900), 16_915);
    assert_eq!(u(8_500, Rounding::DropFen, 19_900), 16_910);
    assert_eq!(u(8_500, Rounding::DropJiao, 19_900), 16_900);
    assert_eq!(u(9_000, Rounding::None, 1_245), 1_121);
    assert_eq!(u(8_800, Rounding::None, 39_900), 35_112);
}

#[test]
fn e2_second_unit_half_price_with_different_sku_prices() {
    let items = [item(1, 7, 8_990), item(2, 7, 9_990)];
    let half = [promo(
        1,
        Rule::NthItem {
            nth: 2,
            rate_bp: 5_000,
        },
    )];
    let b = Buyer::default();
    let net = |q: &Quote| q.lines.iter().map(|l| l.net).sum::<i64>();
    let q = run(&items, &[(1, 1), (2, 1)], &half, &b, &[]);
    assert_eq!(q.lines[0].net, 8_990 - 4_495);
    assert_eq!(net(&q), 14_485);
    assert_eq!(net(&run(&items, &[(1, 1), (2, 2)], &half, &b, &[])), 24_475);
    let q = run(
        &items,
        &[(1, 1), (2, 4)],
        &[promo(
            1,
            Rule::NthItem {
                nth: 2,
                rate_bp: 7_500,
            },
        )],
        &b,
        &[],
    );
    assert_eq!(q.lines[0].shares[0].amount, 2_247);
    assert_eq!(q.lines[1].shares[0].amount, 2_498);
    assert_eq!(net(&q), 44_205);
}

/// E5: 单品宝 + 阶梯满减 + store coupon + 跨店满减 + 88VIP, with 满99包邮 and a floor.
fn e5() -> (Vec<Item>, Vec<Promo>, Vec<CouponOffer>) {
    let mut b1 = item(20, 2, 12_900);
    b1.floor = Some(9_000);
    let items = vec![item(10, 1, 39_900), b1, item(30, 3, 1_990)];
    let mut vip = promo(
        6,
        Rule::MemberPrice {
            vip88_bp: Some(9_500),
        },
    );
    vip.scope = Scope::Only {
        products: vec![],
        skus: vec![10],
    };
    let mut item_discount = promo(
        1,
        Rule::ItemDiscount {
            mode: ItemMode::Percent(8_800),
            rounding: Rounding::None,
            per_buyer_limit: None,
        },
    );
    item_discount.scope = Scope::Only {
        products: vec![1],
        skus: vec![],
    };
    let promos = vec![
        item_discount,
        promo(
            2,
            Rule::FullReduction {
                on: Threshold::Amount,
                form: tiers(&[(30_000, 3_000), (50_000, 6_000), (100_000, 15_000)]),
                cross_store: false,
            },
        ),
        promo(
            4,
            Rule::FullReduction {
                on: Threshold::Amount,
                form: ReductionForm::PerEach {
                    every: 30_000,
                    off: 5_000,
                    cap: None,
                },
                cross_store: true,
            },
        ),
        promo(
            5,
            Rule::FreeShipping {
                on: Some(Threshold::Amount),
                threshold: 9_900,
                excluded_regions: vec!["新疆".into()],
            },
        ),
        vip,
    ];
    (items, promos, vec![store_coupon(3, 50_000, 5_000)])
}

#[test]
fn e5_full_stack_with_largest_remainders() {
    let (items, promos, coupons) = e5();
    let buyer = Buyer {
        vip88: true,
        ..Buyer::default()
    };
    let q = run(
        &items,
        &[(10, 1), (20, 2), (30, 3)],
        &promos,
        &buyer,
        &coupons,
    );
    let shares = |pid: i64| -> Vec<i64> {
        q.lines
            .iter()
            .map(|l| {
                l.shares
                    .iter()
                    .filter(|s| s.promotion_id == pid)
                    .map(|s| s.amount)
                    .sum()
            })
            .collect()
    };
    assert_eq!(q.lines[0].unit_price, 35_112);
    assert_eq!(shares(2), [3_150, 2_314, 536]);
    assert_eq!(shares(3), [2_625, 1_929, 446]);
    assert_eq!(shares(4), [5_250, 3_857, 893]);
    assert_eq!(shares(6), [1_756, 0, 0]);
    let nets: Vec<i64> = q.lines.iter().map(|l| l.net).collect();
    assert_eq!(nets, [22_331, 17_700, 4_095]);
    assert_eq!(q.shipping, 0);
    assert_eq!(q.free_shipping_promotion, Some(5));
    assert_eq!(q.payable, 44_126);
    assert!(q.lines[1].below_floor);
    assert!(!q.lines[0].below_floor);
    assert_eq!(q.coupons[0].amount, 5_000);
    assert_eq!(q.coupons[0].rejected, None);
    assert_eq!(q.totals.cross_store, 10_000);
    assert_eq!(q.totals.member, 1_756);
}

#[test]
fn e5_excluded_region_pays_the_shipping_template() {
    let (items, promos, coupons) = e5();
    let lines = [CartLine {
        sku_id: 30,
        quantity: 3,
    }];
    let q = quote(&QuoteInput {
        items: &items,
        lines: &lines,
        promotions: &promos,
        buyer: &Buyer::default(),
        coupons: &coupons,
        coupons_named: true,
        region: Some("新疆"),
        shipping: ShippingTemplate {
            first: 1_000,
            extra: 500,
        },
        at: t(12),
    });
    let q = q.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(q.shipping, 2_000);
    assert_eq!(q.coupons[0].rejected, Some(CouponReject::ThresholdNotMet));
}

#[test]
fn e6_cap_moves_the_excess_to_the_other_line() {
    let items = [item(1, 1, 5_000), item(2, 2, 10_000)];
    let mut free = promo(1, Rule::NthItem { nth: 2, rate_bp: 0 });
    free.scope = Scope::Only {
        products: vec![1],
        skus: vec![],
    };
    let q = run(
        &items,
        &[(1, 2), (2, 1)],
        &[free],
        &Buyer::default(),
        &[store_coupon(9, 20_000, 12_000)],
    );
    let nets: Vec<i64> = q.lines.iter().map(|l| l.net).collect();
    assert_eq!(nets, [0, 3_000]);
    assert_eq!(q.coupons[0].amount, 12_000);
    assert_eq!(q.payable, 3_000 + q.shipping);
}

#[test]
fn one_store_coupon_per_order_best_for_the_buyer() {
    let items = [item(1, 1, 30_000)];
    let q = run(
        &items,
        &[(1, 1)],
        &[],
        &Buyer::default(),
        &[
            store_coupon(1, 20_000, 2_000),
            store_coupon(2, 30_000, 4_000),
        ],
    );
    assert_eq!(q.coupons[1].amount, 4_000);
    assert_eq!(
        q.coupons[0].rejected,
        Some(CouponReject::OneStoreCouponPerOrder)
    );
}

#[test]
fn units_beyond_the_buyers_remaining_limit_pay_the_list_price() {
    let items = [item(1, 1, 10_000)];
    let limited = promo(
        7,
        Rule::ItemDiscount {
            mode: ItemMode::Fixed(8_000),
            rounding: Rounding::None,
            per_buyer_limit: Some(2),
        },
    );
    let fresh = run(
        &items,
        &[(1, 3)],
        std::slice::from_ref(&limited),
        &Buyer::default(),
        &[],
    );
    assert_eq!(fresh.lines[0].item_amount, 8_000 * 2 + 10_000);
    let mut returning = Buyer::default();
    returning.prior_units.insert(7, 1);
    let q = run(
        &items,
        &[(1, 3)],
        std::slice::from_ref(&limited),
        &returning,
        &[],
    );
    assert_eq!(q.lines[0].item_amount, 8_000 + 10_000 * 2);
    returning.prior_units.insert(7, 5);
    let q = run(&items, &[(1, 3)], &[limited], &returning, &[]);
    assert_eq!(q.lines[0].item_amount, 30_000);
    assert!(q.lines[0].shares.is_empty());
}

#[test]
fn one_platform_coupon_per_order_at_the_cross_store_level() {
    let items = [item(1, 1, 30_000)];
    let platform = |id: i64, face: i64| {
        let mut c = store_coupon(id, 20_000, face);
        c.template.rule = Rule::Coupon {
            platform: true,
            item: false,
            face,
            threshold: 20_000,
            stackable_with_store_activity: true,
        };
        c.template.funder = Funder::Platform;
        c
    };
    let q = run(
        &items,
        &[(1, 1)],
        &[],
        &Buyer::default(),
        &[
            store_coupon(1, 20_000, 2_000),
            platform(2, 1_500),
            platform(3, 1_000),
        ],
    );
    assert_eq!(q.coupons[0].amount, 2_000);
    assert_eq!(q.coupons[1].amount, 1_500);
    assert_eq!(
        q.coupons[2].rejected,
        Some(CouponReject::OnePlatformCouponPerOrder)
    );
    assert_eq!(q.totals.store, 2_000);
    assert_eq!(q.totals.cross_store, 1_500);
    assert_eq!(q.totals.merchant_funded, 2_000);
    assert_eq!(q.lines[0].net, 26_500);
}

#[test]
fn guard_finds_the_stacked_price_below_the_floor() {
    let (mut items, promos, coupons) = e5();
    items[0].floor = Some(30_000);
    let mut all = promos.clone();
    all.extend(coupons.into_iter().map(|c| c.template));
    let f = guard(
        &GuardInput {
            items: &items,
            promotions: &all,
            deepest_tier_bp: None,
            at: Some(t(12)),
        },
        &[10],
    );
    // p = 351.12; rates: 阶梯满减 150/1000 = 15%, coupon 50/500 = 10%, 跨店 50/300, 88VIP 5%.
    assert_eq!(f[0].item_price, 35_112);
    let off = ceil_of_sum(
        35_112,
        &[
            Ratio::new(15, 100),
            Ratio::new(1, 10),
            Ratio::new(1, 6),
            Ratio::new(5, 100),
        ],
    );
    assert_eq!(f[0].reachable, 35_112 - off);
    assert_eq!(off, 16_386);
    assert!(f[0].below_floor);
    assert_eq!(f[0].components.len(), 4);
}

#[test]
fn depth_of_each_kind_matches_the_table() {
    let facts = |lists: Vec<i64>| DepthFacts {
        lists_in_scope: lists,
        ..DepthFacts::default()
    };
    let d = |rule: Rule, lists: Vec<i64>| depth(&rule, &facts(lists)).bp();
    let item = |bp| Rule::ItemDiscount {
        mode: ItemMode::Percent(bp),
        rounding: Rounding::None,
        per_buyer_limit: None,
    };
    assert_eq!(d(item(8_800), vec![39_900]), 1_200);
    assert_eq!(d(item(6_500), vec![10_000]), 3_500);
    let fr = Rule::FullReduction {
        on: Threshold::Amount,
        form: tiers(&[(30_000, 3_000), (50_000, 6_000), (100_000, 15_000)]),
        cross_store: false,
    };
    assert_eq!(d(fr, vec![]), 1_500);
    assert_eq!(
        d(
            Rule::NthItem {
                nth: 2,
                rate_bp: 5_000
            },
            vec![]
        ),
        2_500
    );
    let bundle = Rule::Bundle {
        fixed: true,
        main_sku: 1,
        members: vec![
            BundleMember {
                sku_id: 1,
                price: 17_900,
            },
            BundleMember {
                sku_id: 2,
                price: 6_900,
            },
        ],
    };
    assert_eq!(d(bundle, vec![19_900, 9_900]), 1_678);
    let coupon = |face, threshold| Rule::Coupon {
        platform: false,
        item: false,
        face,
        threshold,
        stackable_with_store_activity: true,
    };
    assert_eq!(d(coupon(2_000, 20_000), vec![5_000]), 1_000);
    assert_eq!(d(coupon(1_000, 0), vec![3_900, 9_900]), 2_564);
    assert!(depth(&coupon(1_000, 0), &facts(vec![3_900])).at_most_bp(2_565));
    assert!(!depth(&coupon(1_000, 0), &facts(vec![3_900])).at_most_bp(2_564));
}

// ---- properties ----

fn arb_rule() -> impl Strategy<Value = Rule> {
    prop_oneof![
        (1_000i64..9_900, 0usize..3).prop_map(|(bp, r)| Rule::ItemDiscount {
            mode: ItemMode::Percent(bp),
            rounding: [Rounding::None, Rounding::DropFen, Rounding::DropJiao][r],
            per_buyer_limit: None,
        }),
        (1i64..5_000).prop_map(|y| Rule::ItemDiscount {
            mode: ItemMode::Minus(y),
            rounding: Rounding::None,
            per_buyer_limit: Some(2),
        }),
        (1_000i64..50_000, 100i64..900, any::<bool>()).prop_map(|(x, y, cross)| {
            Rule::FullReduction {
                on: Threshold::Amount,
                form: ReductionForm::PerEach {
                    every: x,
                    off: y.min(x - 1),
                    cap: None,
                },
                cross_store: cross,
            }
        }),
        (2i64..5, 5_000i64..9_900).prop_map(|(n, bp)| Rule::FullDiscount {
            on: Threshold::Pieces,
            tiers: vec![Tier {
                threshold: n,
                value: bp,
            }],
        }),
        (0i64..9_900).prop_map(|bp| Rule::NthItem {
            nth: 2,
            rate_bp: bp,
        }),
        (1i64..5, 100i64..5_000).prop_map(|(sku, price)| Rule::Bundle {
            fixed: false,
            main_sku: sku,
            members: vec![
                BundleMember { sku_id: sku, price },
                BundleMember {
                    sku_id: sku + 1,
                    price,
                },
            ],
        }),
        (9_000i64..9_900).prop_map(|bp| Rule::MemberPrice { vip88_bp: Some(bp) }),
        Just(Rule::MemberPrice { vip88_bp: None }),
    ]
}

fn arb_cart() -> impl Strategy<Value = (Vec<Item>, Vec<(i64, i64)>)> {
    (
        prop::collection::vec(1i64..100_000, 6),
        prop::collection::vec((1i64..7, 1i64..5), 1..8),
    )
        .prop_map(|(prices, lines)| {
            let items = prices
                .iter()
                .enumerate()
                .map(|(i, &p)| item(i as i64 + 1, (i as i64) / 2 + 1, p))
                .collect();
            (items, lines)
        })
}

fn arb_coupons() -> impl Strategy<Value = Vec<CouponOffer>> {
    prop::collection::vec((0i64..50_000, 1i64..20_000, 0u8..3), 0..4).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(k, (threshold, face, kind))| {
                let mut c = store_coupon(100 + k as i64, threshold, face);
                match kind {
                    1 => {
                        c.template.rule = Rule::Coupon {
                            platform: false,
                            item: true,
                            face,
                            threshold,
                            stackable_with_store_activity: false,
                        };
                        c.template.scope = Scope::Only {
                            products: vec![1, 2],
                            skus: vec![],
                        };
                    }
                    2 => {
                        c.template.rule = Rule::Coupon {
                            platform: true,
                            item: false,
                            face,
                            threshold,
                            stackable_with_store_activity: true,
                        };
                        c.template.funder = Funder::CoFunded { merchant_bp: 3_000 };
                    }
                    _ => {}
                }
                c
            })
            .collect()
    })
}

fn vip_buyer() -> Buyer {
    Buyer {
        member: true,
        vip88: true,
        tier_rank: Some(2),
        tier_price_bp: Some(9_500),
        ..Buyer::default()
    }
}

fn promos_of(rules: Vec<Rule>) -> Vec<Promo> {
    rules
        .into_iter()
        .enumerate()
        .map(|(i, r)| promo(i as i64 + 1, r))
        .collect()
}

proptest! {
    #[test]
    fn shares_add_up_and_nothing_goes_negative(
        (items, lines) in arb_cart(),
        rules in prop::collection::vec(arb_rule(), 0..6),
        coupons in arb_coupons(),
    ) {
        let promos = promos_of(rules);
        let q = run(&items, &lines, &promos, &vip_buyer(), &coupons);
        let mut discounts = 0;
        for l in &q.lines {
            let shares: i64 = l.shares.iter().map(|s| s.amount).sum();
            prop_assert!(l.net >= 0);
            prop_assert!(l.shares.iter().all(|s| s.amount > 0));
            prop_assert_eq!(l.net, l.list_price * l.quantity - shares);
            discounts += shares;
        }
        let t = q.totals;
        prop_assert_eq!(t.item + t.store + t.cross_store + t.member, discounts);
        prop_assert_eq!(q.payable, t.list - discounts + q.shipping);
        prop_assert!(q.payable >= 0);
        for c in &q.coupons {
            let given: i64 = q.lines.iter().flat_map(|l| &l.shares)
                .filter(|s| s.coupon_code.as_deref() == Some(c.code.as_str()))
                .map(|s| s.amount).sum();
            prop_assert_eq!(given, c.amount);
        }
    }

    #[test]
    fn line_order_never_matters(
        (items, lines) in arb_cart(),
        rules in prop::collection::vec(arb_rule(), 0..6),
        coupons in arb_coupons(),
    ) {
        let promos = promos_of(rules);
        let forward = run(&items, &lines, &promos, &vip_buyer(), &coupons);
        let mut reversed_lines = lines.clone();
        reversed_lines.reverse();
        let mut reversed_items = items.clone();
        reversed_items.reverse();
        let backward = run(&reversed_items, &reversed_lines, &promos, &vip_buyer(), &coupons);
        prop_assert_eq!(forward, backward);
    }

    #[test]
    fn adding_a_coupon_never_raises_the_payable(
        (items, lines) in arb_cart(),
        rules in prop::collection::vec(arb_rule(), 0..6),
        coupons in arb_coupons(),
        extra in arb_coupons(),
    ) {
        let promos = promos_of(rules);
        let before = run(&items, &lines, &promos, &vip_buyer(), &coupons);
        let mut more = coupons.clone();
        more.extend(extra.into_iter().take(1));
        let after = run(&items, &lines, &promos, &vip_buyer(), &more);
        prop_assert!(after.payable <= before.payable);
    }

    #[test]
    fn adding_a_cross_store_or_member_discount_never_raises_the_payable(
        (items, lines) in arb_cart(),
        rules in prop::collection::vec(arb_rule(), 0..6),
        every in 1_000i64..50_000,
        off in 1i64..999,
    ) {
        let promos = promos_of(rules);
        let before = run(&items, &lines, &promos, &vip_buyer(), &[]);
        let mut more = promos.clone();
        more.push(promo(99, Rule::FullReduction {
            on: Threshold::Amount,
            form: ReductionForm::PerEach { every, off: off.min(every - 1), cap: None },
            cross_store: true,
        }));
        // Only meaningful when no cross-store reduction was there already (one per line).
        prop_assume!(!promos.iter().any(Promo::is_cross_store));
        let after = run(&items, &lines, &more, &vip_buyer(), &[]);
        prop_assert!(after.payable <= before.payable);
    }

    #[test]
    fn allocation_adds_up_and_respects_room(
        d in 0i64..1_000_000,
        slots in prop::collection::vec((0i64..100_000, 0i64..100_000), 1..10),
    ) {
        let s: Vec<alloc::Slot> = slots.iter().enumerate()
            .map(|(i, &(weight, room))| alloc::Slot { weight, room, sku_id: i as i64 })
            .collect();
        let shares = alloc::allocate(d, &s);
        let room: i64 = s.iter().map(|x| x.room).sum();
        prop_assert_eq!(shares.iter().sum::<i64>(), d.min(room));
        for (sh, sl) in shares.iter().zip(&s) {
            prop_assert!(*sh >= 0 && *sh <= sl.room);
        }
    }

    #[test]
    fn the_guard_bound_is_never_above_a_quoted_unit_price(
        (items, lines) in arb_cart(),
        rules in prop::collection::vec(arb_rule(), 0..6),
        coupons in arb_coupons(),
    ) {
        // A single-SKU cart can never beat the guard's bound for that SKU.
        let promos = promos_of(rules);
        let sku = lines[0].0;
        let q = run(&items, &[(sku, 1)], &promos, &vip_buyer(), &coupons);
        let mut all = promos.clone();
        all.extend(coupons.iter().map(|c| c.template.clone()));
        let f = guard(&GuardInput { items: &items, promotions: &all, deepest_tier_bp: Some(9_500), at: Some(t(12)) }, &[sku]);
        // Exact up to rounding: each tool rounds its own discount half-up (≤ ½ fen more than
        // its rate), while the bound rounds the summed rates once.
        let slack = f[0].components.len() as i64;
        prop_assert!(f[0].reachable <= q.lines[0].net + slack, "bound {} > net {}", f[0].reachable, q.lines[0].net);
    }
}
