//! Opaque global IDs: base64url (no padding) of `Type:id`, e.g. `U3RvcmU6NDI` = `Store:42`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Types that have global IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeType {
    Store,
    StaffMember,
    AuditLogEntry,
    Category,
    Product,
    Sku,
    InventoryMovement,
    ApprovalRequest,
    PriceChange,
    ComplianceAllowlistEntry,
    Member,
    Order,
    OrderLine,
    PointsEntry,
    TierChange,
    Promotion,
    Coupon,
}

impl NodeType {
    pub const fn name(self) -> &'static str {
        match self {
            Self::Store => "Store",
            Self::StaffMember => "StaffMember",
            Self::AuditLogEntry => "AuditLogEntry",
            Self::Category => "Category",
            Self::Product => "Product",
            Self::Sku => "Sku",
            Self::InventoryMovement => "InventoryMovement",
            Self::ApprovalRequest => "ApprovalRequest",
            Self::PriceChange => "PriceChange",
            Self::ComplianceAllowlistEntry => "ComplianceAllowlistEntry",
            Self::Member => "Member",
            Self::Order => "Order",
            Self::OrderLine => "OrderLine",
            Self::PointsEntry => "PointsEntry",
            Self::TierChange => "TierChange",
            Self::Promotion => "Promotion",
            Self::Coupon => "Coupon",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Store,
            Self::StaffMember,
            Self::AuditLogEntry,
            Self::Category,
            Self::Product,
            Self::Sku,
            Self::InventoryMovement,
            Self::ApprovalRequest,
            Self::PriceChange,
            Self::ComplianceAllowlistEntry,
            Self::Member,
            Self::Order,
            Self::OrderLine,
            Self::PointsEntry,
            Self::TierChange,
            Self::Promotion,
            Self::Coupon,
        ]
        .into_iter()
        .find(|t| t.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalId {
    pub node_type: NodeType,
    pub id: i64,
}

impl GlobalId {
    pub const fn new(node_type: NodeType, id: i64) -> Self {
        Self { node_type, id }
    }

    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.node_type.name(), self.id))
    }

    /// Decodes any global ID; `None` when malformed.
    pub fn decode(s: &str) -> Option<Self> {
        if s.len() > 64 {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()?;
        let text = std::str::from_utf8(&raw).ok()?;
        let (ty, id) = text.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        if id <= 0 || id.to_string().len() != text.len() - ty.len() - 1 {
            return None;
        }
        Some(Self::new(NodeType::parse(ty)?, id))
    }

    /// Decodes an ID that must be of `expected` type.
    pub fn decode_as(s: &str, expected: NodeType) -> Option<i64> {
        Self::decode(s)
            .filter(|g| g.node_type == expected)
            .map(|g| g.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let g = GlobalId::new(NodeType::Store, 42);
        assert_eq!(GlobalId::decode(&g.encode()), Some(g));
        assert_eq!(GlobalId::decode_as(&g.encode(), NodeType::Store), Some(42));
        assert_eq!(
            GlobalId::decode_as(&g.encode(), NodeType::StaffMember),
            None
        );
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "!!!",
            "U3RvcmU",
            "U3RvcmU6",
            "U3RvcmU6LTE",
            "Store:1",
            "Rm9vOjE",
        ] {
            assert_eq!(GlobalId::decode(bad), None, "{bad}");
        }
        // Non-canonical numbers (leading zeros, plus sign) are rejected too.
        let padded = URL_SAFE_NO_PAD.encode("Store:007");
        assert_eq!(GlobalId::decode(&padded), None);
    }
}
