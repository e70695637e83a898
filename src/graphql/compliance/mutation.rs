use super::*;

#[derive(Default)]
pub struct ComplianceMutation;

/// Compliance changes.
#[Object]
impl ComplianceMutation {
    /// Allows a phrase in the store's copy (COMPLIANCE_ALLOWLIST: directors; audited with the
    /// reason). The 2023 SAMR exemptions need human judgement, hence a director.
    async fn compliance_allowlist_add(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ComplianceAllowlistAddInput,
    ) -> async_graphql::Result<ComplianceAllowlistPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.store_id, NodeType::Store, "input.storeId") {
            Ok(store) => {
                crate::service::compliance::add(svc, store, &input.phrase, &input.reason).await
            }
            Err(e) => Err(e),
        };
        let (entry, user_errors) = split(res)?;
        Ok(ComplianceAllowlistPayload {
            entry: entry.map(ComplianceAllowlistEntry),
            user_errors,
        })
    }

    /// Removes an allowed phrase (COMPLIANCE_ALLOWLIST).
    async fn compliance_allowlist_remove(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ComplianceAllowlistRemoveInput,
    ) -> async_graphql::Result<ComplianceAllowlistPayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::ComplianceAllowlistEntry, "input.id") {
            Ok(id) => crate::service::compliance::remove(svc, id).await,
            Err(e) => Err(e),
        };
        let (entry, user_errors) = split(res)?;
        Ok(ComplianceAllowlistPayload {
            entry: entry.map(ComplianceAllowlistEntry),
            user_errors,
        })
    }
}
