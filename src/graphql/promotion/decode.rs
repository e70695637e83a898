use super::*;

pub(crate) fn bad(field: &[&str], msg: &str) -> UserError {
    UserError::new(field, ErrorCode::Invalid, msg)
}

pub(crate) fn amount_or_pieces(
    unit: ThresholdUnit,
    amount: Option<Money>,
    pieces: Option<i32>,
    field: &[&str],
) -> Result<i64, UserError> {
    match (unit, amount, pieces) {
        (ThresholdUnit::Amount, Some(m), None) => Ok(m.0.0),
        (ThresholdUnit::Pieces, None, Some(p)) => Ok(i64::from(p)),
        (ThresholdUnit::Amount, _, _) => Err(bad(
            field,
            "give the money threshold (and no pieces) for AMOUNT",
        )),
        (ThresholdUnit::Pieces, _, _) => Err(bad(
            field,
            "give pieces (and no money threshold) for PIECES",
        )),
    }
}

pub(crate) fn decode_ids(
    ids: &[ID],
    t: NodeType,
    field: &'static str,
) -> Result<Vec<i64>, AppError> {
    let mut out: Vec<i64> = ids
        .iter()
        .map(|i| decode_id(i, t, field))
        .collect::<Result<_, _>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

pub(crate) fn scope_of(s: Option<PromotionScopeInput>) -> Result<engine::Scope, AppError> {
    let Some(s) = s else {
        return Ok(engine::Scope::Store);
    };
    let products = decode_ids(&s.product_ids, NodeType::Product, "input.scope.productIds")?;
    let skus = decode_ids(&s.sku_ids, NodeType::Sku, "input.scope.skuIds")?;
    Ok(match s.mode {
        ScopeMode::Store if products.is_empty() && skus.is_empty() => engine::Scope::Store,
        ScopeMode::Store => {
            return Err(AppError::invalid(
                &["input", "scope"],
                ErrorCode::Invalid,
                "a whole-store scope names no items",
            ));
        }
        ScopeMode::Only => engine::Scope::Only { products, skus },
        ScopeMode::Except => engine::Scope::Except { products, skus },
    })
}

pub(crate) fn audience_of(a: Option<PromotionAudienceInput>) -> Result<engine::Audience, AppError> {
    let Some(a) = a else {
        return Ok(engine::Audience::All);
    };
    let need = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(AppError::invalid(
                &["input", "audience"],
                ErrorCode::Invalid,
                format!("this audience needs {what}"),
            ))
        }
    };
    Ok(match a.kind {
        AudienceKind::All => engine::Audience::All,
        AudienceKind::NewCustomers => engine::Audience::NewCustomers,
        AudienceKind::TierAtLeast => {
            need(
                a.tier_rank.is_some_and(|r| (1..=10).contains(&r)),
                "a tier rank of 1–10",
            )?;
            engine::Audience::TierAtLeast(i64::from(a.tier_rank.unwrap_or(1)))
        }
        AudienceKind::Tag => {
            let tag = a.tag.map(|t| t.trim().to_owned()).unwrap_or_default();
            need(
                !tag.is_empty() && tag.chars().count() <= 20,
                "a tag of 1–20 characters",
            )?;
            engine::Audience::Tag(tag)
        }
        AudienceKind::Segment => {
            need(a.segment.is_some(), "a segment")?;
            let seg: crate::domain::rfm::Segment =
                a.segment.unwrap_or(MemberSegment::HighValue).into();
            engine::Audience::Segment(seg.as_str().to_owned())
        }
    })
}

pub(crate) fn funder_of(f: Option<FundingInput>) -> engine::Funder {
    match f {
        None => engine::Funder::Merchant,
        Some(f) => match f.funder {
            Funder::Merchant => engine::Funder::Merchant,
            Funder::Platform => engine::Funder::Platform,
            Funder::Brand => engine::Funder::Brand,
            Funder::CoFunded => engine::Funder::CoFunded {
                merchant_bp: i64::from(f.merchant_share_bp.unwrap_or(0)),
            },
        },
    }
}

type Window = (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>);

fn inv(e: UserError) -> AppError {
    AppError::Invalid(vec![e])
}

impl KindParts {
    fn given(&self) -> usize {
        [
            self.item_discount.is_some(),
            self.full_reduction.is_some(),
            self.full_discount.is_some(),
            self.nth_item.is_some(),
            self.bundle.is_some(),
            self.gift.is_some(),
            self.free_shipping.is_some(),
            self.coupon.is_some(),
            self.member_price.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count()
    }
}

/// The kind-specific part as a rule (and coupon terms), given the window for coupon defaults;
/// `None` when no part is given (an update that keeps the rule).
pub(crate) fn rule_of(
    parts: KindParts,
    window: Window,
) -> Result<Option<(Rule, Option<CouponTerms>)>, AppError> {
    match parts.given() {
        0 => return Ok(None),
        1 => {}
        _ => {
            return Err(AppError::invalid(
                &["input"],
                ErrorCode::Invalid,
                "give exactly one kind-specific part",
            ));
        }
    }
    let KindParts {
        item_discount,
        full_reduction,
        full_discount,
        nth_item,
        bundle,
        gift,
        free_shipping,
        coupon,
        member_price,
    } = parts;
    let part = if let Some(d) = item_discount {
        item_discount_rule(d)?
    } else if let Some(r) = full_reduction {
        full_reduction_rule(r)?
    } else if let Some(d) = full_discount {
        full_discount_rule(d)?
    } else if let Some(n) = nth_item {
        nth_item_rule(n)?
    } else if let Some(b) = bundle {
        bundle_rule(b)?
    } else if let Some(g) = gift {
        gift_rule(g)?
    } else if let Some(f) = free_shipping {
        free_shipping_rule(f)?
    } else if let Some(c) = coupon {
        coupon_rule(c, window)?
    } else {
        let m = member_price.unwrap_or_default();
        let vip88_bp = m.vip88_rate_bp.map(i64::from);
        (Rule::MemberPrice { vip88_bp }, None)
    };
    Ok(Some(part))
}

fn item_discount_rule(d: ItemDiscountInput) -> Result<(Rule, Option<CouponTerms>), AppError> {
    let mode = match d.mode {
        ItemDiscountMode::Percent => ItemMode::Percent(i64::from(d.rate_bp.ok_or_else(|| {
            inv(bad(
                &["input", "itemDiscount", "rateBp"],
                "PERCENT needs rateBp",
            ))
        })?)),
        ItemDiscountMode::Minus => ItemMode::Minus(
            d.amount
                .ok_or_else(|| {
                    inv(bad(
                        &["input", "itemDiscount", "amount"],
                        "MINUS needs amount",
                    ))
                })?
                .0
                .0,
        ),
        ItemDiscountMode::FixedPrice => ItemMode::Fixed(
            d.amount
                .ok_or_else(|| {
                    inv(bad(
                        &["input", "itemDiscount", "amount"],
                        "FIXED_PRICE needs amount",
                    ))
                })?
                .0
                .0,
        ),
    };
    let rounding = match d.rounding {
        PriceRounding::None => engine::Rounding::None,
        PriceRounding::DropFen => engine::Rounding::DropFen,
        PriceRounding::DropJiao => engine::Rounding::DropJiao,
    };
    Ok((
        Rule::ItemDiscount {
            mode,
            rounding,
            per_buyer_limit: d.per_buyer_limit.map(i64::from),
        },
        None,
    ))
}

fn full_reduction_rule(r: FullReductionInput) -> Result<(Rule, Option<CouponTerms>), AppError> {
    let form = match (r.tiers, r.per_each) {
        (Some(tiers), None) => ReductionForm::Tiers(
            tiers
                .into_iter()
                .map(|t| {
                    Ok(Tier {
                        threshold: amount_or_pieces(
                            r.unit,
                            t.threshold,
                            t.pieces,
                            &["input", "fullReduction", "tiers"],
                        )?,
                        value: t.amount_off.0.0,
                    })
                })
                .collect::<Result<_, UserError>>()
                .map_err(inv)?,
        ),
        (None, Some(p)) => ReductionForm::PerEach {
            every: amount_or_pieces(
                r.unit,
                p.every,
                p.every_pieces,
                &["input", "fullReduction", "perEach"],
            )
            .map_err(inv)?,
            off: p.amount_off.0.0,
            cap: p.cap.map(|c| c.0.0),
        },
        _ => {
            return Err(inv(bad(
                &["input", "fullReduction"],
                "give tiers or perEach",
            )));
        }
    };
    Ok((
        Rule::FullReduction {
            on: r.unit.into(),
            form,
            cross_store: r.cross_store,
        },
        None,
    ))
}

fn full_discount_rule(d: FullDiscountInput) -> Result<(Rule, Option<CouponTerms>), AppError> {
    let tiers = d
        .tiers
        .into_iter()
        .map(|t| {
            Ok(Tier {
                threshold: amount_or_pieces(
                    d.unit,
                    t.threshold,
                    t.pieces,
                    &["input", "fullDiscount", "tiers"],
                )?,
                value: i64::from(t.rate_bp),
            })
        })
        .collect::<Result<_, UserError>>()
        .map_err(inv)?;
    Ok((
        Rule::FullDiscount {
            on: d.unit.into(),
            tiers,
        },
        None,
    ))
}

fn nth_item_rule(n: NthItemInput) -> Result<(Rule, Option<CouponTerms>), AppError> {
    Ok((
        Rule::NthItem {
            nth: i64::from(n.nth),
            rate_bp: i64::from(n.rate_bp),
        },
        None,
    ))
}

fn bundle_rule(b: BundleInput) -> Result<(Rule, Option<CouponTerms>), AppError> {
    let main_sku = decode_id(&b.main_sku_id, NodeType::Sku, "input.bundle.mainSkuId")?;
    let members = b
        .members
        .iter()
        .map(|m| {
            Ok(engine::BundleMember {
                sku_id: decode_id(&m.sku_id, NodeType::Sku, "input.bundle.members")?,
                price: m.bundle_price.0.0,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok((
        Rule::Bundle {
            fixed: b.fixed,
            main_sku,
            members,
        },
        None,
    ))
}

fn gift_rule(g: GiftInput) -> Result<(Rule, Option<CouponTerms>), AppError> {
    let threshold = match (g.unit, g.threshold, g.pieces) {
        (ThresholdUnit::Amount, None, None) => 0,
        (u, a, p) => amount_or_pieces(u, a, p, &["input", "gift", "threshold"]).map_err(inv)?,
    };
    let gift_sku = decode_id(&g.gift_sku_id, NodeType::Sku, "input.gift.giftSkuId")?;
    Ok((
        Rule::Gift {
            on: g.unit.into(),
            threshold,
            gift_sku,
            stock_left: 0,
        },
        None,
    ))
}

fn free_shipping_rule(f: FreeShippingInput) -> Result<(Rule, Option<CouponTerms>), AppError> {
    let threshold = match f.unit {
        None => 0,
        Some(u) => amount_or_pieces(
            u,
            f.threshold,
            f.pieces,
            &["input", "freeShipping", "threshold"],
        )
        .map_err(inv)?,
    };
    let regions = f
        .excluded_regions
        .iter()
        .map(|r| r.trim().to_owned())
        .collect();
    Ok((
        Rule::FreeShipping {
            on: f.unit.map(Into::into),
            threshold,
            excluded_regions: regions,
        },
        None,
    ))
}

fn coupon_rule(
    c: CouponTemplateInput,
    window: Window,
) -> Result<(Rule, Option<CouponTerms>), AppError> {
    let validity = match (c.valid_from, c.valid_until, c.valid_days) {
        (Some(s), Some(e), None) => Some(Validity::Absolute {
            start: s.0,
            end: e.0,
        }),
        (None, None, Some(d)) => Some(Validity::Relative { days: i64::from(d) }),
        (None, None, None) => None,
        _ => {
            return Err(inv(bad(
                &["input", "coupon", "validity"],
                "give validFrom and validUntil, or validDays",
            )));
        }
    };
    let terms = CouponTerms::with_defaults(
        c.total_quantity,
        c.per_buyer_limit,
        (c.claim_start.map(|d| d.0), c.claim_end.map(|d| d.0)),
        validity,
        c.channel.into(),
        window,
    );
    let rule = Rule::Coupon {
        item: c.coupon_type == CouponType::Item,
        platform: c.coupon_type == CouponType::Platform,
        face: c.face_value.0.0,
        threshold: c.threshold.map_or(0, |t| t.0.0),
        stackable_with_store_activity: c.stackable_with_store_activity,
    };
    Ok((rule, Some(terms)))
}

pub(crate) fn create_draft(input: PromotionCreateInput) -> Result<promos::Draft, AppError> {
    let store_id = decode_id(&input.store_id, NodeType::Store, "input.storeId")?;
    let window = (input.start_at.0, input.end_at.0);
    let (rule, coupon) = rule_of(input.parts, window)?.ok_or_else(|| {
        AppError::invalid(
            &["input"],
            ErrorCode::Invalid,
            "give exactly one kind-specific part (itemDiscount, fullReduction, …)",
        )
    })?;
    Ok(promos::Draft {
        store_id,
        name: input.name,
        copy: input.copy,
        start_at: input.start_at.0,
        end_at: input.end_at.0,
        spec: Spec {
            scope: scope_of(input.scope)?,
            audience: audience_of(input.audience)?,
            funder: funder_of(input.funding),
            rule,
            coupon,
        },
    })
}

pub(crate) fn update_patch(
    input: PromotionUpdateInput,
    current: Option<&promotion::Model>,
) -> Result<promos::Patch, AppError> {
    let id = decode_id(&input.id, NodeType::Promotion, "input.id")?;
    let window = match current {
        Some(m) => (
            input.start_at.as_ref().map_or(m.start_at, |d| d.0),
            input.end_at.as_ref().map_or(m.end_at, |d| d.0),
        ),
        None => (
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
        ),
    };
    let part = rule_of(input.parts, window)?;
    let (rule, coupon) = match part {
        Some((r, c)) => (Some(r), c),
        None => (None, None),
    };
    Ok(promos::Patch {
        id,
        name: input.name,
        copy: input.copy.map(|c| Some(c).filter(|c| !c.trim().is_empty())),
        start_at: input.start_at.map(|d| d.0),
        end_at: input.end_at.map(|d| d.0),
        scope: input.scope.map(|s| scope_of(Some(s))).transpose()?,
        audience: input.audience.map(|a| audience_of(Some(a))).transpose()?,
        funder: input.funding.map(|f| funder_of(Some(f))),
        rule,
        coupon,
    })
}
