use super::*;

#[derive(Default)]
pub struct StoreMutation;

#[Object]
impl StoreMutation {
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
            store: store.map(Store::from),
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
            store: store.map(Store::from),
            user_errors,
        })
    }
}
