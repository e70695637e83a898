//! Subscription root (WebSocket, `graphql-transport-ws`). A heartbeat stands in until live
//! sales updates arrive.

use std::time::Duration;

use async_graphql::{Context, Subscription};
use futures_util::Stream;

use crate::error::GqlResultExt;
use crate::graphql::kernel::scalars::DateTime;
use crate::graphql::kernel::svc;

#[derive(Default)]
pub struct Subscription;

/// Live updates over WebSocket (`graphql-transport-ws`).
#[Subscription]
impl Subscription {
    /// The server's clock, every `intervalSeconds` (1–60, default 10). Requires a logged-in
    /// viewer (send `{"Authorization": "Bearer …"}` as the `connection_init` payload).
    async fn server_time(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 10,
            validator(minimum = 1, maximum = 60),
            desc = "Seconds between ticks, 1–60."
        )]
        interval_seconds: i32,
    ) -> async_graphql::Result<impl Stream<Item = DateTime>> {
        let service = svc(ctx)?;
        service.viewer.staff().gql()?;
        let clock = service.clock.clone();
        let period = Duration::from_secs(interval_seconds as u64);
        Ok(futures_util::stream::unfold(true, move |first| {
            let clock = clock.clone();
            async move {
                if !first {
                    tokio::time::sleep(period).await;
                }
                Some((DateTime(clock.now()), false))
            }
        }))
    }
}
