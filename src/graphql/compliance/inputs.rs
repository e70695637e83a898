use super::*;

/// Input of `complianceAllowlistAdd`.
#[derive(InputObject)]
pub struct ComplianceAllowlistAddInput {
    /// The store.
    pub store_id: ID,
    /// The phrase (2–100 characters), as it appears in the copy.
    pub phrase: String,
    /// Why it is lawful (trademark, standard grade, dated provable claim, …).
    pub reason: String,
}

/// Input of `complianceAllowlistRemove`.
#[derive(InputObject)]
pub struct ComplianceAllowlistRemoveInput {
    /// The entry.
    pub id: ID,
}

/// Result of the allow-list mutations.
#[derive(SimpleObject)]
pub struct ComplianceAllowlistPayload {
    /// The entry added or removed; null when refused.
    pub entry: Option<ComplianceAllowlistEntry>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}
