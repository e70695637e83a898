//! Promotions and coupon templates: drafts, the lifecycle
//! `DRAFT → PENDING_APPROVAL → SCHEDULED → ACTIVE → ENDED` (with PAUSED and CANCELLED), approval
//! within the approver's limits and the four-eyes rule, and the activation checks (overlap,
//! floors, Advertising-Law terms). Every promotion keeps its working version and, once approved,
//! the version in force; depth, scope, audience, funder or dates of an approved promotion change
//! only through a new approval.

pub mod coupon;
pub mod quote;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{coupon as coupon_row, product, promotion, promotion_target as target, sku, store};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::{Access, Permission, Role, Staff};
use crate::domain::text;
use crate::engine::guard::{self, GuardInput};
use crate::engine::{
    self, Audience, DepthFacts, Funder, Item, Kind, Level, Promo, ReductionForm, Rule, Scope,
    Threshold,
};
use crate::error::{AppError, ErrorCode, UserError};
use crate::service::kernel::approval_queue as queue;
use crate::service::kernel::page::{self, CursorKey, Page, PageArgs};
use crate::service::{ServiceCtx, kernel::audit};

mod draft;
mod lifecycle;
mod read;
mod review;
mod validate;

pub use draft::*;
pub use lifecycle::*;
pub use read::*;
pub use review::*;
pub use validate::*;

/// Stored (and effective) states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    PendingApproval,
    Scheduled,
    Active,
    Paused,
    Ended,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::Draft,
        Self::PendingApproval,
        Self::Scheduled,
        Self::Active,
        Self::Paused,
        Self::Ended,
        Self::Cancelled,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::PendingApproval => "PENDING_APPROVAL",
            Self::Scheduled => "SCHEDULED",
            Self::Active => "ACTIVE",
            Self::Paused => "PAUSED",
            Self::Ended => "ENDED",
            Self::Cancelled => "CANCELLED",
        }
    }
    /// The stored status of `m`; an unknown value is an internal error naming the row.
    pub fn of(m: &promotion::Model) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == m.status)
            .ok_or_else(|| {
                AppError::unreadable("promotion", m.id, format!("unknown status {:?}", m.status))
            })
    }
}

/// The state a promotion is in now: a SCHEDULED one whose window has opened reads ACTIVE, and
/// one past its end reads ENDED, before the scheduler writes it.
pub fn effective_status(m: &promotion::Model, at: DateTime<Utc>) -> Result<Status, AppError> {
    let stored = Status::of(m)?;
    let (Some(start), Some(end)) = (m.live_start_at, m.live_end_at) else {
        return Ok(stored);
    };
    Ok(match stored {
        Status::Scheduled | Status::Active | Status::Paused if end <= at => Status::Ended,
        Status::Scheduled if start <= at => Status::Active,
        s => s,
    })
}

/// How issued coupons are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Validity {
    /// From `start` to `end`.
    Absolute {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// For this many days after the claim (never past the template's end).
    Relative { days: i64 },
}

/// Where a coupon can be claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    Public,
    PrivateLink,
    CsOnly,
    Live,
}

/// A COUPON template's issuing terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponTerms {
    pub total_quantity: i64,
    pub per_buyer_limit: i64,
    pub claim_start: DateTime<Utc>,
    pub claim_end: DateTime<Utc>,
    pub validity: Validity,
    pub channel: Channel,
}

impl CouponTerms {
    /// The terms with their defaults: claimable, and valid, over the promotion's window unless
    /// given otherwise.
    pub fn with_defaults(
        total_quantity: i64,
        per_buyer_limit: i64,
        claim: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
        validity: Option<Validity>,
        channel: Channel,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Self {
        Self {
            total_quantity,
            per_buyer_limit,
            claim_start: claim.0.unwrap_or(window.0),
            claim_end: claim.1.unwrap_or(window.1),
            validity: validity.unwrap_or(Validity::Absolute {
                start: window.0,
                end: window.1,
            }),
            channel,
        }
    }
}

/// What a promotion does: everything whose change needs a new approval besides the dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    pub scope: Scope,
    pub audience: Audience,
    pub funder: Funder,
    pub rule: Rule,
    #[serde(default)]
    pub coupon: Option<CouponTerms>,
}

impl Spec {
    pub fn parse(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }

    /// The engine's promotion for this spec over a window.
    pub fn promo(self, id: i64, start: DateTime<Utc>, end: DateTime<Utc>) -> Promo {
        Promo {
            id,
            start,
            end,
            funder: self.funder,
            scope: self.scope,
            audience: self.audience,
            rule: self.rule,
        }
    }

    /// Whether the spec covers an item, whatever the window.
    pub(crate) fn covers(&self, item: &Item) -> bool {
        self.rule.covers(&self.scope, item.product_id, item.sku_id)
    }
}

/// The working version of a model (what an editor sees); unreadable is an internal error
/// naming the row, never a default rule.
pub fn working_spec(m: &promotion::Model) -> Result<Spec, AppError> {
    Spec::parse(&m.spec_json).ok_or_else(|| unreadable_spec(m, "spec"))
}

/// The stored version in force of `m` (its `live` JSON), read loudly.
pub fn live_spec(m: &promotion::Model, live: &str) -> Result<Spec, AppError> {
    Spec::parse(live).ok_or_else(|| unreadable_spec(m, "version in force"))
}

fn unreadable_spec(m: &promotion::Model, what: &str) -> AppError {
    AppError::unreadable("promotion", m.id, format!("unreadable {what} JSON"))
}

/// The engine's view of the version in force (None before approval).
pub fn live_promo(m: &promotion::Model) -> Result<Option<Promo>, AppError> {
    let (Some(live), Some(start), Some(end)) =
        (m.live_json.as_deref(), m.live_start_at, m.live_end_at)
    else {
        return Ok(None);
    };
    Ok(Some(live_spec(m, live)?.promo(m.id, start, end)))
}

/// The versions in force of `ms` (those approved), read loudly.
pub fn live_promos(ms: &[promotion::Model]) -> Result<Vec<Promo>, AppError> {
    let mut out = Vec::with_capacity(ms.len());
    for m in ms {
        out.extend(live_promo(m)?);
    }
    Ok(out)
}

/// A new promotion.
#[derive(Debug, Clone)]
pub struct Draft {
    pub store_id: i64,
    pub name: String,
    pub copy: Option<String>,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub spec: Spec,
}

/// `promotionUpdate`: only the given parts change.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub id: i64,
    pub name: Option<String>,
    /// `Some(None)` clears the copy.
    pub copy: Option<Option<String>>,
    pub start_at: Option<DateTime<Utc>>,
    pub end_at: Option<DateTime<Utc>>,
    pub scope: Option<Scope>,
    pub audience: Option<Audience>,
    pub funder: Option<Funder>,
    /// The kind-specific part (same kind).
    pub rule: Option<Rule>,
    pub coupon: Option<CouponTerms>,
}

#[cfg(test)]
mod stored_shape {
    use super::*;

    /// The stored JSON of every promotion kind (and of each scope, audience and funder shape),
    /// pinned: renaming a field or variant of the engine's types changes what is stored, so it
    /// is a migration, not a refactoring.
    const GOLDEN: &str = include_str!("../../../tests/golden/promotion_specs.json");

    #[test]
    fn stored_specs_of_every_kind_read_and_write_the_pinned_shape() {
        let golden: Vec<serde_json::Value> = serde_json::from_str(GOLDEN).expect("golden JSON");
        let mut kinds: Vec<&str> = Vec::new();
        for entry in &golden {
            let kind = entry["kind"].as_str().expect("kind");
            let stored = entry["spec"].to_string();
            let spec = Spec::parse(&stored).unwrap_or_else(|| panic!("{kind}: unreadable"));
            assert_eq!(
                spec.rule.kind().as_str(),
                kind,
                "{kind}: rule of another kind"
            );
            let written = serde_json::to_value(&spec).expect("serializable");
            assert_eq!(written, entry["spec"], "{kind}: the stored shape changed");
            kinds.push(kind);
        }
        for k in engine::Kind::ALL {
            assert!(
                kinds.contains(&k.as_str()),
                "no golden spec of {}",
                k.as_str()
            );
        }
    }
}
