//! THE role → permission matrix, as one table. `Viewer::require` and
//! `Viewer::can` read it; a test walks every cell over HTTP.

use super::{Permission, Role};

/// What one cell of the matrix grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum Access {
    /// ✓ — allowed in the viewer's stores (directors: every store).
    Full,
    /// ≤X or a narrower scope — allowed up to a store-setting limit or on a subset, checked by the
    /// service with the row in hand (e.g. a specialist's 20% price cut).
    Limited,
    /// Allowed only where the store's settings grant it (cost view for specialists).
    StoreGrant,
    /// req — may only file an approval request.
    RequestOnly,
    /// masked — the fields exist but resolve masked or `null`.
    Masked,
    /// — not allowed.
    None,
}

use Access::{Full as Y, Limited as L, Masked as M, None as N, RequestOnly as R, StoreGrant as G};

/// `(permission, director, specialist, assistant)`, in the trade's order of the rows.
pub const MATRIX: [(Permission, Access, Access, Access); 45] = [
    (Permission::UserManage, Y, N, N),
    (Permission::StoreSettings, Y, N, N),
    (Permission::AuditView, Y, L, N),
    (Permission::ProductView, Y, Y, Y),
    (Permission::ProductEditDraft, Y, Y, Y),
    (Permission::ProductSubmit, Y, Y, Y),
    (Permission::ProductReview, Y, Y, N),
    (Permission::ProductShelve, Y, Y, N),
    (Permission::ProductArchive, Y, Y, N),
    (Permission::CostView, Y, G, M),
    (Permission::CostEdit, Y, N, N),
    (Permission::PriceChange, Y, L, R),
    (Permission::PriceChangeDeep, Y, R, N),
    (Permission::PriceFloorSet, Y, N, N),
    (Permission::StockRestock, Y, Y, Y),
    (Permission::StockAdjust, Y, Y, R),
    (Permission::PromoView, Y, Y, Y),
    (Permission::PromoEdit, Y, Y, L),
    (Permission::PromoApprove, Y, L, N),
    (Permission::PromoControl, Y, Y, N),
    (Permission::PromoCancelIssued, Y, N, N),
    (Permission::EventRegister, Y, Y, N),
    (Permission::EventApprove, Y, N, N),
    (Permission::CampaignView, Y, Y, Y),
    (Permission::CampaignEdit, Y, Y, N),
    (Permission::CampaignBudgetApprove, Y, L, N),
    (Permission::CampaignSpendRecord, Y, Y, Y),
    (Permission::KolManage, Y, Y, L),
    (Permission::MemberView, Y, Y, Y),
    (Permission::MemberPiiView, Y, M, M),
    (Permission::MemberEdit, Y, Y, L),
    (Permission::PointsAdjust, Y, L, N),
    (Permission::TierConfig, Y, N, N),
    (Permission::OrderView, Y, Y, L),
    (Permission::OrderImport, Y, Y, Y),
    (Permission::RefundApprove, Y, L, L),
    (Permission::RefundRefuse, Y, Y, N),
    (Permission::ComplaintHandle, Y, Y, N),
    (Permission::ReviewReply, Y, Y, Y),
    (Permission::CsRecordEdit, Y, Y, L),
    (Permission::CsMetricsView, Y, Y, L),
    (Permission::KpiView, Y, Y, Y),
    (Permission::ProfitView, Y, G, N),
    (Permission::DataExport, Y, L, N),
    (Permission::ComplianceAllowlist, Y, N, N),
];

/// The cell for `role` and `permission`.
pub fn access(role: Role, permission: Permission) -> Access {
    MATRIX
        .iter()
        .find(|row| row.0 == permission)
        .map_or(Access::None, |&(_, d, s, a)| match role {
            Role::Director => d,
            Role::Specialist => s,
            Role::Assistant => a,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_exactly_one_row() {
        for p in Permission::ALL {
            assert_eq!(MATRIX.iter().filter(|r| r.0 == p).count(), 1, "{p:?}");
        }
        assert_eq!(MATRIX.len(), Permission::ALL.len());
    }

    #[test]
    fn directors_hold_every_permission_outright() {
        for p in Permission::ALL {
            assert_eq!(access(Role::Director, p), Access::Full, "{p:?}");
        }
    }
}
