use super::*;

pub(crate) fn request_payload(
    res: Result<approval_request::Model, AppError>,
) -> async_graphql::Result<ApprovalRequestPayload> {
    let (r, user_errors) = split(res)?;
    Ok(ApprovalRequestPayload {
        approval_request: r.map(ApprovalRequest),
        user_errors,
    })
}

#[derive(Default)]
pub struct ApprovalMutation;

#[Object]
impl ApprovalMutation {
    /// Approves a pending request and applies its action in one transaction, recording
    /// requester and approver. Checks are re-run (except the limit that caused the request);
    /// if one fails nothing is applied and the request stays PENDING.
    async fn approval_request_approve(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ApprovalRequestResolveInput,
    ) -> async_graphql::Result<ApprovalRequestPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ApprovalRequest, "input.id") {
            Ok(id) => approval::approve(svc, id, input.note.as_deref()).await,
            Err(e) => Err(e),
        };
        request_payload(res)
    }

    /// Rejects a pending request with a note; nothing is applied.
    async fn approval_request_reject(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ApprovalRequestResolveInput,
    ) -> async_graphql::Result<ApprovalRequestPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ApprovalRequest, "input.id") {
            Ok(id) => approval::reject(svc, id, input.note.as_deref()).await,
            Err(e) => Err(e),
        };
        request_payload(res)
    }

    /// Withdraws one's own pending request.
    async fn approval_request_cancel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ApprovalRequestResolveInput,
    ) -> async_graphql::Result<ApprovalRequestPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ApprovalRequest, "input.id") {
            Ok(id) => approval::cancel(svc, id).await,
            Err(e) => Err(e),
        };
        request_payload(res)
    }
}
