use super::*;

/// Filters of `approvalRequests`.
#[derive(InputObject, Default)]
pub struct ApprovalRequestFilter {
    /// Only this store.
    pub store_id: Option<ID>,
    /// Only this state.
    pub status: Option<ApprovalRequestStatus>,
    /// Only this kind.
    pub kind: Option<ApprovalRequestKind>,
    /// Only requests the viewer may resolve.
    #[graphql(default)]
    pub resolvable_by_me: bool,
}

/// Input of the approval-request mutations.
#[derive(InputObject)]
pub struct ApprovalRequestResolveInput {
    /// The request.
    pub id: ID,
    /// Note (required to reject).
    pub note: Option<String>,
}

/// Result of the approval-request mutations.
#[derive(SimpleObject)]
pub struct ApprovalRequestPayload {
    /// The request after the change; null when refused.
    pub approval_request: Option<ApprovalRequest>,
    /// Why it was refused (if approving fails a re-run check, the request stays PENDING).
    pub user_errors: Vec<UserErrorObject>,
}
