use super::*;

/// Severity of a compliance hit.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceSeverity {
    /// Refuses submit, approve and publish.
    Block,
    /// Shown only.
    Warn,
}

/// Term group of the Advertising-Law (广告法) absolute-term list.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceGroup {
    /// 最… superlatives.
    Superlative,
    /// 第一 / 唯一 / NO.1.
    First,
    /// 国家级 / 世界级 grades.
    Grade,
    /// 顶级 / 极致 / 绝对.
    Top,
    /// 首 / 独家.
    FirstExclusive,
    /// 100% / 零风险 guarantees.
    Guarantee,
    /// 全网最低价 / 清仓 price and urgency claims.
    PriceUrgency,
    /// 国家机关推荐 / 驰名商标 authority claims.
    Authority,
    /// 治愈 / 特效 medical claims outside drug categories.
    Medical,
}

/// One Advertising-Law hit in a text.
#[derive(SimpleObject)]
pub struct ComplianceHit {
    /// The listed term that matched (as listed, e.g. `NO.1` for "ＮＯ．１").
    pub term: String,
    /// Term group.
    pub group: ComplianceGroup,
    /// BLOCK refuses submit / approve / publish; WARN is shown only.
    pub severity: ComplianceSeverity,
    /// The rule the term breaks.
    pub rule: String,
    /// Start in characters (Unicode scalar values) of the original text, inclusive.
    pub start: i32,
    /// End in characters of the original text, exclusive.
    pub end: i32,
    /// Which field of the object the hit is in (`title`, `subtitle`, `description`), or null
    /// for free text.
    pub field: Option<String>,
}

pub(crate) fn hit(h: Hit, field: Option<&str>) -> ComplianceHit {
    ComplianceHit {
        term: h.term,
        group: match h.group {
            Group::Superlative => ComplianceGroup::Superlative,
            Group::First => ComplianceGroup::First,
            Group::Grade => ComplianceGroup::Grade,
            Group::Top => ComplianceGroup::Top,
            Group::FirstExclusive => ComplianceGroup::FirstExclusive,
            Group::Guarantee => ComplianceGroup::Guarantee,
            Group::PriceUrgency => ComplianceGroup::PriceUrgency,
            Group::Authority => ComplianceGroup::Authority,
            Group::Medical => ComplianceGroup::Medical,
        },
        severity: match h.severity {
            Severity::Block => ComplianceSeverity::Block,
            Severity::Warn => ComplianceSeverity::Warn,
        },
        rule: h.group.rule().to_owned(),
        start: h.start as i32,
        end: h.end as i32,
        field: field.map(str::to_owned),
    }
}

/// Result of `complianceCheck`.
#[derive(SimpleObject)]
pub struct ComplianceCheckResult {
    /// Every hit, in text order.
    pub hits: Vec<ComplianceHit>,
    /// Whether a BLOCK hit would refuse publication.
    pub blocked: bool,
}

/// A phrase allowed in a store's copy although it contains listed terms (a trademark, a standard
/// grade, a provable dated claim such as "2023年天猫连衣裙类目销量第一"); hits inside it are dropped.
#[derive(Clone)]
pub struct ComplianceAllowlistEntry(pub entity::compliance_allowlist::Model);

/// A phrase allowed in a store's copy although it contains listed terms (a trademark, a standard
/// grade, a provable dated claim such as "2023年天猫连衣裙类目销量第一"); hits inside it are dropped.
#[Object]
impl ComplianceAllowlistEntry {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        gid(NodeType::ComplianceAllowlistEntry, self.0.id)
    }
    /// The allowed phrase.
    async fn phrase(&self) -> &str {
        &self.0.phrase
    }
    /// Why it is lawful.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// When it was allowed.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}
