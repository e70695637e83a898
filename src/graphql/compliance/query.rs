use super::*;

#[derive(Default)]
pub struct ComplianceCheckQuery;

#[Object]
impl ComplianceCheckQuery {
    /// Checks a text against the Advertising-Law absolute-term list (极限词): each hit
    /// with its term, rule, severity and position; with a store, its allow-list applies.
    async fn compliance_check(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text to check (at most 25,000 characters).")] text: String,
        #[graphql(desc = "Apply this store's allow-list.")] store_id: Option<ID>,
    ) -> async_graphql::Result<ComplianceCheckResult> {
        let svc = svc(ctx)?;
        svc.viewer.staff().gql()?;
        let allowed: Vec<String> = match decode_opt_id(&store_id, NodeType::Store, "storeId")? {
            Some(s) => crate::service::compliance::list(svc, s)
                .await
                .gql()?
                .into_iter()
                .map(|a| a.phrase)
                .collect(),
            None => Vec::new(),
        };
        if text.chars().count() > cat::DESCRIPTION_MAX {
            return Err(AppError::invalid(
                &["text"],
                crate::error::ErrorCode::TooLong,
                "text must be at most 25,000 characters",
            ))
            .gql();
        }
        let hits = compliance::check(&text, &allowed);
        Ok(ComplianceCheckResult {
            blocked: compliance::blocks(&hits),
            hits: hits.into_iter().map(|h| hit(h, None)).collect(),
        })
    }
}

#[derive(Default)]
pub struct ComplianceQuery;

/// Compliance reads.
#[Object]
impl ComplianceQuery {
    /// A store's allow-listed phrases.
    async fn compliance_allowlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The store.")] store_id: ID,
    ) -> async_graphql::Result<Vec<ComplianceAllowlistEntry>> {
        let store = decode_id(&store_id, NodeType::Store, "storeId").gql()?;
        Ok(crate::service::compliance::list(svc(ctx)?, store)
            .await
            .gql()?
            .into_iter()
            .map(ComplianceAllowlistEntry)
            .collect())
    }
}
