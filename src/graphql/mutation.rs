//! Mutation root. Each mutation takes one `input`, runs one service call (one transaction with
//! its audit row) and returns a payload with `userErrors`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::scalars::{DateTime, Money};
use super::types::{Platform, StaffMember, Store, UserErrorObject, Viewer};
use super::{decode_id, svc};
use crate::auth::Role;
use crate::domain::NodeType;
use crate::error::{AppError, GqlResultExt};
use crate::service::{self, account::auth::Session};

#[derive(Default)]
pub struct Mutation;

/// Splits a service result into the payload's object or its userErrors; other errors become
/// top-level errors with their code.
pub fn split<T>(
    res: Result<T, AppError>,
) -> async_graphql::Result<(Option<T>, Vec<UserErrorObject>)> {
    match res {
        Ok(v) => Ok((Some(v), Vec::new())),
        Err(AppError::Invalid(errors)) => Ok((None, errors.into_iter().map(Into::into).collect())),
        Err(other) => Err(other).gql(),
    }
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

fn session_payload(res: Result<Session, AppError>) -> async_graphql::Result<SessionPayload> {
    let (session, user_errors) = split(res)?;
    let Some(s) = session else {
        return Ok(SessionPayload {
            access_token: None,
            refresh_token: None,
            access_token_expires_at: None,
            viewer: None,
            user_errors,
        });
    };
    let staff = crate::auth::Staff {
        id: s.staff.id,
        username: s.staff.username.clone(),
        role: service::account::auth::role_of(&s.staff),
        stores: Vec::new(),
        must_change_password: s.staff.must_change_password,
    };
    Ok(SessionPayload {
        access_token: Some(s.access_token),
        refresh_token: Some(s.refresh_token),
        access_token_expires_at: Some(s.access_token_expires_at.into()),
        viewer: Some(Viewer {
            staff,
            model: s.staff,
        }),
        user_errors,
    })
}

/// Result of `logout`.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True when a live refresh token of the viewer was revoked.
    pub revoked: bool,
    /// Always empty; kept for the payload convention.
    pub user_errors: Vec<UserErrorObject>,
}

/// Store limits and options; omitted fields keep their value (or, on create, the default).
#[derive(InputObject, Default)]
pub struct StoreSettingsInput {
    /// Largest refund a specialist approves alone.
    pub refund_approval_limit_specialist: Option<Money>,
    /// Largest refund an assistant approves alone.
    pub refund_approval_limit_assistant: Option<Money>,
    /// Specialist's largest price cut per change, bp (0–10000).
    pub price_cut_limit_bp: Option<i32>,
    /// Specialist's floor relative to the 30-day high list price, bp (0–10000).
    pub price_recent_high_min_bp: Option<i32>,
    /// Deepest promotion a specialist approves, bp off (0–10000).
    pub promotion_depth_limit_bp: Option<i32>,
    /// Largest coupon face value × quantity a specialist approves per template.
    pub coupon_face_value_limit: Option<Money>,
    /// Largest campaign budget a specialist approves per campaign per month.
    pub campaign_budget_limit: Option<Money>,
    /// Largest manual points adjustment a specialist makes.
    pub points_adjust_limit: Option<i32>,
    /// Minimum margin, bp (0–9999).
    pub min_margin_bp: Option<i32>,
    /// Grant this store's specialists cost and profit view.
    pub specialist_cost_view: Option<bool>,
    /// Member PII reveals per staff member per day.
    pub pii_reveals_per_day: Option<i32>,
    /// Days until a pending approval request expires (1–90).
    pub approval_expiry_days: Option<i32>,
    /// Shipping template (运费模板): the first unit's fee (¥0–¥1,000).
    pub shipping_first_fee: Option<Money>,
    /// Shipping template: the fee of each further unit (¥0–¥1,000).
    pub shipping_extra_fee: Option<Money>,
}

impl From<StoreSettingsInput> for service::store::SettingsPatch {
    fn from(s: StoreSettingsInput) -> Self {
        Self {
            refund_limit_specialist_fen: s.refund_approval_limit_specialist.map(|m| m.0.0),
            refund_limit_assistant_fen: s.refund_approval_limit_assistant.map(|m| m.0.0),
            price_cut_limit_bp: s.price_cut_limit_bp,
            price_recent_high_min_bp: s.price_recent_high_min_bp,
            promo_depth_limit_bp: s.promotion_depth_limit_bp,
            coupon_face_value_limit_fen: s.coupon_face_value_limit.map(|m| m.0.0),
            campaign_budget_limit_fen: s.campaign_budget_limit.map(|m| m.0.0),
            points_adjust_limit: s.points_adjust_limit,
            min_margin_bp: s.min_margin_bp,
            specialist_cost_view: s.specialist_cost_view,
            pii_reveals_per_day: s.pii_reveals_per_day,
            approval_expiry_days: s.approval_expiry_days,
            shipping_first_fen: s.shipping_first_fee.map(|m| m.0.0),
            shipping_extra_fen: s.shipping_extra_fee.map(|m| m.0.0),
        }
    }
}

/// Input of `storeCreate`.
#[derive(InputObject)]
pub struct StoreCreateInput {
    /// Store name, 1–60 characters, unique.
    pub name: String,
    /// Marketplace.
    pub platform: Platform,
    /// IANA time zone (default Asia/Shanghai).
    pub time_zone: Option<String>,
    /// Limits and options; omitted ones take the defaults: refunds ¥2,000 (specialist) and ¥200
    /// (assistant), price cut 20% per change, 60% of the 30-day high, promotion depth 30%, coupon
    /// face value issued ¥20,000, campaign budget ¥5,000 a month, points adjustment 500, minimum
    /// margin 0, no specialist cost view, 20 phone reveals a day, approvals expire after 7 days,
    /// shipping ¥10 for the first unit and ¥2 for each further one.
    pub settings: Option<StoreSettingsInput>,
}

/// Input of `storeUpdate`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct StoreUpdateInput {
    /// Global ID of the store.
    pub id: ID,
    /// New name, 1–60 characters, unique.
    pub name: Option<String>,
    /// New marketplace.
    pub platform: Option<Platform>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// Settings to change.
    pub settings: Option<StoreSettingsInput>,
}

/// Result of `storeCreate` / `storeUpdate`.
#[derive(SimpleObject)]
pub struct StorePayload {
    /// The store as saved; null when refused.
    pub store: Option<Store>,
    /// Why the change was refused; empty on success.
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

fn decode_ids(ids: &[ID], field: &'static str) -> Result<Vec<i64>, AppError> {
    ids.iter()
        .map(|id| decode_id(id, NodeType::Store, field))
        .collect()
}

fn staff_payload(
    res: Result<(entity::staff::Model, Option<String>), AppError>,
) -> async_graphql::Result<StaffMemberPayload> {
    let (v, user_errors) = split(res)?;
    let (staff_member, one_time_password) = match v {
        Some((m, otp)) => (Some(StaffMember(m)), otp),
        None => (None, None),
    };
    Ok(StaffMemberPayload {
        staff_member,
        one_time_password,
        user_errors,
    })
}

/// Session, store and staff changes.
#[Object(name = "CoreMutation")]
impl Mutation {
    /// Logs in. Unknown user and wrong password answer the same userError. Five failed
    /// attempts for one username within 15 minutes lock it for 15 minutes: then every attempt,
    /// even with the right password, is a top-level RATE_LIMITED error.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: LoginInput,
    ) -> async_graphql::Result<SessionPayload> {
        session_payload(
            service::account::auth::login(svc(ctx)?, &input.username, &input.password).await,
        )
    }

    /// Exchanges a refresh token for a new access and refresh token (rotation). The old refresh
    /// token stops working; presenting an already-rotated token revokes its whole family
    /// (theft detection). Invalid tokens are UNAUTHENTICATED.
    async fn token_refresh(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: TokenRefreshInput,
    ) -> async_graphql::Result<SessionPayload> {
        session_payload(service::account::auth::refresh(svc(ctx)?, &input.refresh_token).await)
    }

    /// Ends a session: revokes the presented refresh token (and its rotated family).
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: LogoutInput,
    ) -> async_graphql::Result<LogoutPayload> {
        let revoked = service::account::auth::logout(svc(ctx)?, &input.refresh_token)
            .await
            .gql()?;
        Ok(LogoutPayload {
            revoked,
            user_errors: Vec::new(),
        })
    }

    /// Changes the viewer's password (also a pending one-time password). Every existing session
    /// is revoked and a new one returned.
    async fn password_change(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: PasswordChangeInput,
    ) -> async_graphql::Result<SessionPayload> {
        session_payload(
            service::account::auth::change_password(
                svc(ctx)?,
                &input.current_password,
                &input.new_password,
            )
            .await,
        )
    }

    /// Creates a store (STORE_SETTINGS: directors).
    async fn store_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StoreCreateInput,
    ) -> async_graphql::Result<StorePayload> {
        let cmd = service::store::StoreInput {
            name: Some(input.name),
            platform: Some(input.platform.as_str().to_owned()),
            time_zone: input.time_zone,
            settings: input.settings.map(Into::into).unwrap_or_default(),
        };
        let (store, user_errors) = split(service::store::create(svc(ctx)?, cmd).await)?;
        Ok(StorePayload {
            store: store.map(Store),
            user_errors,
        })
    }

    /// Changes a store's name, platform, time zone or settings (STORE_SETTINGS: directors).
    async fn store_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StoreUpdateInput,
    ) -> async_graphql::Result<StorePayload> {
        let svc = svc(ctx)?;
        let res = match decode_id(&input.id, NodeType::Store, "input.id") {
            Ok(id) => {
                let cmd = service::store::StoreInput {
                    name: input.name,
                    platform: input.platform.map(|p| p.as_str().to_owned()),
                    time_zone: input.time_zone,
                    settings: input.settings.map(Into::into).unwrap_or_default(),
                };
                service::store::update(svc, id, cmd).await
            }
            Err(e) => Err(e),
        };
        let (store, user_errors) = split(res)?;
        Ok(StorePayload {
            store: store.map(Store),
            user_errors,
        })
    }

    /// Creates a staff member with a one-time password (USER_MANAGE: directors).
    async fn staff_create(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StaffCreateInput,
    ) -> async_graphql::Result<StaffMemberPayload> {
        let svc = svc(ctx)?;
        let res = async {
            let cmd = service::account::staff::CreateInput {
                username: input.username,
                display_name: input.display_name,
                role: input.role,
                store_ids: decode_ids(&input.store_ids, "input.storeIds")?,
            };
            service::account::staff::create(svc, cmd)
                .await
                .map(|(m, otp)| (m, Some(otp)))
        }
        .await;
        staff_payload(res)
    }

    /// Changes a staff member's display name, role, store assignments or active flag
    /// (USER_MANAGE: directors).
    async fn staff_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StaffUpdateInput,
    ) -> async_graphql::Result<StaffMemberPayload> {
        let svc = svc(ctx)?;
        let res = async {
            let id = decode_id(&input.id, NodeType::StaffMember, "input.id")?;
            let cmd = service::account::staff::UpdateInput {
                display_name: input.display_name,
                role: input.role,
                store_ids: input
                    .store_ids
                    .as_deref()
                    .map(|ids| decode_ids(ids, "input.storeIds"))
                    .transpose()?,
                active: input.active,
            };
            service::account::staff::update(svc, id, cmd)
                .await
                .map(|m| (m, None))
        }
        .await;
        staff_payload(res)
    }

    /// Issues a new one-time password, ends all sessions and lifts a login lock
    /// (USER_MANAGE: directors).
    async fn staff_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: StaffPasswordResetInput,
    ) -> async_graphql::Result<StaffMemberPayload> {
        let svc = svc(ctx)?;
        let res = async {
            let id = decode_id(&input.id, NodeType::StaffMember, "input.id")?;
            service::account::staff::reset_password(svc, id)
                .await
                .map(|(m, otp)| (m, Some(otp)))
        }
        .await;
        staff_payload(res)
    }
}
