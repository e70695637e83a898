use super::*;

/// Orderings of `staffMembers`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum StaffMemberSortKeys {
    /// Creation order (default).
    #[default]
    Id,
    /// By display name.
    DisplayName,
    /// By creation time.
    CreatedAt,
}

/// Filters of `staffMembers`; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct StaffMemberFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (true) or deactivated (false) accounts.
    pub active: Option<bool>,
    /// Only staff assigned to this store.
    pub store_id: Option<ID>,
    /// Display name or username contains this text.
    pub search: Option<String>,
}

/// Credentials for `login`.
#[derive(InputObject)]
pub struct LoginInput {
    /// Login name (case-insensitive).
    pub username: String,
    /// Password.
    pub password: String,
}

/// A refresh token.
#[derive(InputObject)]
pub struct TokenRefreshInput {
    /// The refresh token from `login`, `tokenRefresh` or `passwordChange`.
    pub refresh_token: String,
}

/// The refresh token to revoke.
#[derive(InputObject)]
pub struct LogoutInput {
    /// The refresh token of the session to end.
    pub refresh_token: String,
}

/// Input of `passwordChange`.
#[derive(InputObject)]
pub struct PasswordChangeInput {
    /// The current (or one-time) password.
    pub current_password: String,
    /// The new password: 10–128 characters, different from the current one.
    pub new_password: String,
}

/// A new session: tokens and the viewer. On refusal the token fields are null and
/// `userErrors` says why.
#[derive(SimpleObject)]
pub struct SessionPayload {
    /// HS256 JWT for `Authorization: Bearer …`, valid 15 minutes.
    pub access_token: Option<String>,
    /// Opaque refresh token, valid 30 days, single use (`tokenRefresh` rotates it).
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub access_token_expires_at: Option<DateTime>,
    /// The logged-in staff member.
    pub viewer: Option<Viewer>,
    /// Why the request was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}

/// Result of `logout`.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True when a live refresh token of the viewer was revoked.
    pub revoked: bool,
    /// Always empty; kept for the payload convention.
    pub user_errors: Vec<UserErrorObject>,
}

/// Input of `staffCreate`.
#[derive(InputObject)]
pub struct StaffCreateInput {
    /// Login name: 3–32 of a-z 0-9 . _ -, starting with a letter; stored lower-case.
    pub username: String,
    /// Name shown to colleagues (default: the username), 1–40 characters.
    pub display_name: Option<String>,
    /// Staff level.
    pub role: Role,
    /// Stores the member works in (specialists and assistants; directors take none).
    #[graphql(default)]
    pub store_ids: Vec<ID>,
}

/// Input of `staffUpdate`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct StaffUpdateInput {
    /// Global ID of the staff member.
    pub id: ID,
    /// New display name.
    pub display_name: Option<String>,
    /// New role. The last active director cannot be demoted.
    pub role: Option<Role>,
    /// Replaces the store assignments.
    pub store_ids: Option<Vec<ID>>,
    /// Activate or deactivate. Deactivation ends all sessions at once; the last active
    /// director cannot be deactivated.
    pub active: Option<bool>,
}

/// Input of `staffPasswordReset`.
#[derive(InputObject)]
pub struct StaffPasswordResetInput {
    /// Global ID of the staff member.
    pub id: ID,
}

/// Result of staff mutations.
#[derive(SimpleObject)]
pub struct StaffMemberPayload {
    /// The staff member as saved; null when refused.
    pub staff_member: Option<StaffMember>,
    /// A one-time password, shown only in this response (`staffCreate`,
    /// `staffPasswordReset`); the member must replace it at first login.
    pub one_time_password: Option<String>,
    /// Why the change was refused; empty on success.
    pub user_errors: Vec<UserErrorObject>,
}
