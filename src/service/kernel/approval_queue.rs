//! The approval queue as every capability sees it: file a request, lock or close the request
//! about an object, and the typed payload of each kind. A leaf: it depends on nothing but the
//! kernel. Deciding on a request and applying it is `service::approval`, which sits above the
//! capabilities and calls down into each one's `apply_approved`.
//!
//! Lock order: a request row is locked before the row it is about (the approval service locks
//! the request, then the capability locks its subject; a capability resolving its own review
//! locks the pending request first with [`lock_pending_of`]).

use chrono::{DateTime, Duration, Utc};
use entity::approval_request;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{Role, Staff};
use crate::error::AppError;
use crate::service::ServiceCtx;
use crate::service::kernel::audit;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A product in PENDING_REVIEW (resolved by approving or sending back the product).
    ProductReview,
    PriceChange,
    StockAdjust,
    Refund,
    PointsAdjust,
    CampaignBudget,
    /// A promotion (or a new version of one) in PENDING_APPROVAL, resolved by approving or
    /// rejecting the promotion.
    PromotionReview,
}

impl Kind {
    /// The stored name (also the GraphQL enum value).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProductReview => "PRODUCT_REVIEW",
            Self::PriceChange => "PRICE_CHANGE",
            Self::StockAdjust => "STOCK_ADJUST",
            Self::Refund => "REFUND",
            Self::PointsAdjust => "POINTS_ADJUST",
            Self::CampaignBudget => "CAMPAIGN_BUDGET",
            Self::PromotionReview => "PROMOTION_REVIEW",
        }
    }
    pub const ALL: [Kind; 7] = [
        Self::ProductReview,
        Self::PromotionReview,
        Self::PriceChange,
        Self::StockAdjust,
        Self::Refund,
        Self::PointsAdjust,
        Self::CampaignBudget,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// An object's own review: it does not expire and is resolved by the object's transition.
    pub const fn is_review(self) -> bool {
        matches!(self, Self::ProductReview | Self::PromotionReview)
    }
}

/// States of a request. A PENDING request past its expiry reads as EXPIRED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    Expired,
    Cancelled,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Expired => "EXPIRED",
            Self::Cancelled => "CANCELLED",
        }
    }
    const ALL: [Status; 5] = [
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Expired,
        Self::Cancelled,
    ];
}

/// The stored status of `r`; an unknown value is an internal error naming the request.
pub fn stored_status(r: &approval_request::Model) -> Result<Status, AppError> {
    Status::ALL
        .into_iter()
        .find(|s| s.as_str() == r.status)
        .ok_or_else(|| {
            AppError::unreadable(
                "approval request",
                r.id,
                format!("unknown status {:?}", r.status),
            )
        })
}

/// The stored kind of `r`; an unknown value is an internal error naming the request.
pub fn stored_kind(r: &approval_request::Model) -> Result<Kind, AppError> {
    Kind::parse(&r.kind).ok_or_else(|| {
        AppError::unreadable(
            "approval request",
            r.id,
            format!("unknown kind {:?}", r.kind),
        )
    })
}

/// What an action with an approval limit did: applied at once, or filed as an approval request
/// for someone with the authority to resolve it.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one value per mutation, moved once into its payload"
)]
pub enum Outcome<T> {
    Applied(T),
    Requested(approval_request::Model),
}

/// The effective status of a request at `at` (a pending one past its expiry is EXPIRED).
pub fn effective_status(
    r: &approval_request::Model,
    at: DateTime<Utc>,
) -> Result<Status, AppError> {
    Ok(match stored_status(r)? {
        Status::Pending if r.expires_at <= at => Status::Expired,
        s => s,
    })
}

/// A price change beyond the requester's limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceChange {
    pub new_price_fen: i64,
    pub old_price_fen: i64,
    pub reason: String,
    /// The limits the change breaks, as the requester was told.
    pub breaches: Vec<String>,
}

/// What a stock request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StockChange {
    /// Sets the counted quantity.
    Stocktake,
    /// Adds (or removes) a quantity.
    Adjust,
}

/// A stock adjustment or stocktake an assistant asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StockAdjust {
    pub change: StockChange,
    pub quantity: i64,
    pub reference: Option<String>,
}

/// A points adjustment beyond the store's limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PointsAdjust {
    pub amount: i64,
}

/// A product waiting for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductReview {
    pub title: String,
}

/// A promotion version waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PromotionReview {
    pub version: i32,
    /// The promotion kind's stored name.
    pub kind: String,
    pub depth_bp: i32,
    /// The specialist limits this version goes beyond (then only a director approves).
    pub beyond_specialist_limits: Vec<String>,
}

/// The typed payload of a request, one variant per kind that can be filed. Stored as the
/// variant's JSON object (the kind is its own column); the shapes are pinned by golden files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    ProductReview(ProductReview),
    PriceChange(PriceChange),
    StockAdjust(StockAdjust),
    PointsAdjust(PointsAdjust),
    PromotionReview(PromotionReview),
}

impl Payload {
    pub const fn kind(&self) -> Kind {
        match self {
            Self::ProductReview(_) => Kind::ProductReview,
            Self::PriceChange(_) => Kind::PriceChange,
            Self::StockAdjust(_) => Kind::StockAdjust,
            Self::PointsAdjust(_) => Kind::PointsAdjust,
            Self::PromotionReview(_) => Kind::PromotionReview,
        }
    }

    /// The stored JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            Self::ProductReview(p) => serde_json::to_value(p),
            Self::PriceChange(p) => serde_json::to_value(p),
            Self::StockAdjust(p) => serde_json::to_value(p),
            Self::PointsAdjust(p) => serde_json::to_value(p),
            Self::PromotionReview(p) => serde_json::to_value(p),
        };
        v.unwrap_or_else(|e| json!({ "unserializable": e.to_string() }))
    }

    /// Reads a stored payload of kind `kind`.
    pub fn parse(kind: Kind, raw: &str) -> Result<Self, String> {
        fn de<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, String> {
            serde_json::from_str(raw).map_err(|e| e.to_string())
        }
        Ok(match kind {
            Kind::ProductReview => Self::ProductReview(de(raw)?),
            Kind::PriceChange => Self::PriceChange(de(raw)?),
            Kind::StockAdjust => Self::StockAdjust(de(raw)?),
            Kind::PointsAdjust => Self::PointsAdjust(de(raw)?),
            Kind::PromotionReview => Self::PromotionReview(de(raw)?),
            Kind::Refund | Kind::CampaignBudget => {
                return Err(format!("{} requests cannot be filed yet", kind.as_str()));
            }
        })
    }

    /// The payload of a stored request; unreadable is an internal error naming the request,
    /// never a default (a missing price must not become ¥0).
    pub fn of(r: &approval_request::Model) -> Result<Self, AppError> {
        let kind = stored_kind(r)?;
        Self::parse(kind, &r.payload_json).map_err(|what| {
            AppError::unreadable(
                "approval request",
                r.id,
                format!("unreadable {} payload: {what}", r.kind),
            )
        })
    }
}

/// A request to file.
pub struct NewRequest {
    pub store_id: i64,
    pub subject_type: &'static str,
    pub subject_id: i64,
    pub payload: Payload,
    pub reason: Option<String>,
    /// Lowest role that may resolve it.
    pub approver_role: Role,
}

/// Files a request on the caller's transaction (with its audit row). Action requests expire
/// after the store's approval expiry; an object's own review does not.
pub async fn file(
    txn: &impl ConnectionTrait,
    ctx: &ServiceCtx,
    staff: &Staff,
    req: NewRequest,
) -> Result<approval_request::Model, AppError> {
    let store = entity::store::Entity::find_by_id(req.store_id)
        .one(txn)
        .await?
        .ok_or(AppError::not_found("store"))?;
    let at = ctx.now();
    let kind = req.payload.kind();
    let payload = req.payload.to_json();
    let model = approval_request::ActiveModel {
        store_id: Set(req.store_id),
        kind: Set(kind.as_str().to_owned()),
        subject_type: Set(req.subject_type.to_owned()),
        subject_id: Set(req.subject_id),
        payload_json: Set(payload.to_string()),
        reason: Set(req.reason),
        status: Set(Status::Pending.as_str().to_owned()),
        approver_role: Set(req.approver_role.as_str().to_owned()),
        requested_by: Set(staff.id),
        requested_at: Set(at),
        expires_at: Set(if kind.is_review() {
            at + Duration::days(3650)
        } else {
            at + Duration::days(i64::from(store.approval_expiry_days))
        }),
        resolved_by: Set(None),
        resolved_at: Set(None),
        note: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record_as(txn, ctx, staff, audit::Entry {
        action: "approval.request", target_type: "ApprovalRequest", target_id: Some(model.id), store_id: Some(model.store_id),
        after: Some(json!({ "kind": model.kind, "subjectType": model.subject_type, "subjectId": model.subject_id, "payload": payload, "approverRole": model.approver_role })),
        ..Default::default()
    }).await?;
    Ok(model)
}

/// Locks the pending requests of kind `kind` about `subject_id`, before the subject itself is
/// locked (the queue's lock order).
pub async fn lock_pending_of(
    txn: &impl ConnectionTrait,
    kind: Kind,
    subject_id: i64,
) -> Result<(), AppError> {
    approval_request::Entity::find()
        .filter(approval_request::Column::Kind.eq(kind.as_str()))
        .filter(approval_request::Column::SubjectId.eq(subject_id))
        .filter(approval_request::Column::Status.eq(Status::Pending.as_str()))
        .lock_exclusive()
        .all(txn)
        .await?;
    Ok(())
}

/// Closes the pending request of kind `kind` about `subject_id` (an object's own review).
pub async fn close_subject(
    txn: &impl ConnectionTrait,
    kind: Kind,
    subject_id: i64,
    status: Status,
    by: i64,
    at: DateTime<Utc>,
    note: Option<String>,
) -> Result<(), AppError> {
    approval_request::Entity::update_many()
        .col_expr(
            approval_request::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(approval_request::Column::ResolvedBy, Expr::value(by))
        .col_expr(approval_request::Column::ResolvedAt, Expr::value(at))
        .col_expr(approval_request::Column::Note, Expr::value(note))
        .filter(approval_request::Column::Kind.eq(kind.as_str()))
        .filter(approval_request::Column::SubjectId.eq(subject_id))
        .filter(approval_request::Column::Status.eq(Status::Pending.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored JSON of every payload kind, pinned: a change of shape is a migration.
    const GOLDEN: &str = include_str!("../../../tests/golden/approval_payloads.json");

    fn samples() -> Vec<Payload> {
        vec![
            Payload::ProductReview(ProductReview {
                title: "真丝连衣裙".into(),
            }),
            Payload::PriceChange(PriceChange {
                new_price_fen: 9900,
                old_price_fen: 19900,
                reason: "清仓".into(),
                breaches: vec!["the price breaks one of the store's price limits".into()],
            }),
            Payload::StockAdjust(StockAdjust {
                change: StockChange::Adjust,
                quantity: -8,
                reference: None,
            }),
            Payload::StockAdjust(StockAdjust {
                change: StockChange::Stocktake,
                quantity: 7,
                reference: Some("PD-2026-11".into()),
            }),
            Payload::PointsAdjust(PointsAdjust { amount: -1200 }),
            Payload::PromotionReview(PromotionReview {
                version: 2,
                kind: "ITEM_DISCOUNT".into(),
                depth_bp: 3500,
                beyond_specialist_limits: vec!["depth 35% is beyond the store's limit".into()],
            }),
        ]
    }

    #[test]
    fn stored_payloads_match_the_golden_file_both_ways() {
        let golden: Vec<serde_json::Value> =
            serde_json::from_str(GOLDEN).expect("golden file is JSON");
        let samples = samples();
        assert_eq!(golden.len(), samples.len());
        for (stored, typed) in golden.iter().zip(samples) {
            let kind = Kind::parse(stored["kind"].as_str().expect("kind")).expect("known kind");
            assert_eq!(kind, typed.kind());
            assert_eq!(
                &typed.to_json(),
                &stored["payload"],
                "{kind:?} writes the pinned shape"
            );
            let read = Payload::parse(kind, &stored["payload"].to_string()).expect("readable");
            assert_eq!(read, typed, "{kind:?} reads the pinned shape");
        }
    }

    #[test]
    fn an_incomplete_or_unknown_payload_is_refused_not_defaulted() {
        assert!(Payload::parse(Kind::PriceChange, r#"{"reason":"清仓"}"#).is_err());
        assert!(Payload::parse(Kind::PointsAdjust, r#"{"amount":"12"}"#).is_err());
        assert!(
            Payload::parse(
                Kind::StockAdjust,
                r#"{"change":"SELL","quantity":1,"reference":null}"#
            )
            .is_err()
        );
        assert!(Payload::parse(Kind::PointsAdjust, r#"{"amount":1,"extra":true}"#).is_err());
        assert!(Payload::parse(Kind::Refund, "{}").is_err());
    }
}
