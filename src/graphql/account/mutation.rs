use super::*;

pub(crate) fn session_payload(
    res: Result<Session, AppError>,
) -> async_graphql::Result<SessionPayload> {
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

pub(crate) fn decode_ids(ids: &[ID], field: &'static str) -> Result<Vec<i64>, AppError> {
    ids.iter()
        .map(|id| decode_id(id, NodeType::Store, field))
        .collect()
}

pub(crate) fn staff_payload(
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

#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
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
}

#[derive(Default)]
pub struct StaffMutation;

#[Object]
impl StaffMutation {
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
