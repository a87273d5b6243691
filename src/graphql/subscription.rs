//! Live updates: the `Subscription` root, served over WebSocket
//! (`crate::http::ws`), fed by the event bus ([`crate::events`]).
//!
//! A subscription runs outside [`super::execute`], and each of its events is
//! resolved long after the subscribe message arrived. So every execution that
//! has no loaders of its own (each event of a subscription, and a query or
//! mutation sent over the socket) gets fresh [`Loaders`] from the
//! [`EventLoaders`] extension and runs inside [`loaders::drive`], exactly as
//! an HTTP request does: batches are driven, and nothing is cached from one
//! event to the next. A subscription field function itself runs once, before
//! any event and outside that extension, with no loaders: it reads the store
//! directly.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{
    Context, Data, ID, Object, Request, Response, Subscription as GqlSubscription,
};
use chrono::Utc;
use entity::carrier;
use futures_util::FutureExt;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use sea_orm::DatabaseConnection;

use super::ZaitiSchema;
use super::carrier::Carrier;
use super::error::{ApiError, ApiResult, classify_request_error, code, missing_context};
use super::execution::RowBudget;
use super::loaders::{self, BatchQueue, Loaders, required};
use super::node::{NodeType, expect, global_id};
use super::scalars::DateTime;
use crate::domain::access::Actor;
use crate::error::AppError;
use crate::events::Bus;
use crate::store;

/// Live updates of occupancy figures.
#[derive(Default)]
pub struct OccupancySubscription;

/// Live updates of occupancy figures.
#[GqlSubscription]
impl OccupancySubscription {
    /// Fires whenever the occupancy figures of a carrier may have changed
    /// (floor area delivered, tenants moving in or out, level, the carrier's record),
    /// whichever server made the change, even one that stopped right after
    /// committing it (then within about a second). It may fire when nothing
    /// visible changed, e.g. once for every watched carrier when this
    /// subscriber fell far behind, but never for another carrier's change;
    /// bursts are merged into one event.
    /// Refetch what you show when it fires. The subscription completes once
    /// the caller's token is revoked.
    async fn occupancy_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The carrier to watch, by global ID.")] carrier_id: ID,
    ) -> Result<impl Stream<Item = OccupancyChange>, ApiError> {
        let carrier_id = expect("carrierId", &carrier_id, NodeType::Carrier)?;
        let bus = ctx.data::<Bus>().map_err(missing_context)?;
        // Listen first, then look: a change made meanwhile is not missed.
        let notices = bus.subscribe();
        let db = super::db(ctx)?;
        let token_id = super::actor(ctx)?.token_id;
        let events_db = db.clone();
        let found = store::rows_where_in::<carrier::Entity>(db, carrier::Column::Id, [carrier_id])
            .await
            .map_err(AppError::from)?;
        if found.is_empty() {
            return Err(AppError::not_found("carrier", carrier_id).into());
        }
        Ok(futures_util::stream::unfold(notices, move |mut notices| {
            let db = events_db.clone();
            async move {
                loop {
                    let notice = notices.next().await?;
                    if !notice.concerns(carrier_id) {
                        continue;
                    }
                    // A revoked token hears nothing more: revocation takes effect at once.
                    if let Some(token) = token_id
                        && !store::token::is_active(&db, token).await.unwrap_or(false)
                    {
                        return None;
                    }
                    // Notices already waiting are answered by this one event, which
                    // reads the carrier after all of them were published.
                    while let Some(Some(_)) = notices.next().now_or_never() {}
                    return Some((
                        OccupancyChange {
                            carrier_id,
                            at: Utc::now(),
                        },
                        notices,
                    ));
                }
            }
        }))
    }
}

/// The occupancy figures of a carrier may have changed: refetch what you show of it.
#[derive(Debug, Clone)]
pub struct OccupancyChange {
    carrier_id: i32,
    at: chrono::DateTime<Utc>,
}

/// The occupancy figures of a carrier may have changed: refetch what you show of it.
#[Object]
impl OccupancyChange {
    /// The global ID of the carrier whose figures may have changed.
    async fn carrier_id(&self) -> ID {
        global_id(NodeType::Carrier, self.carrier_id)
    }

    /// The carrier as it is now, read when the event is delivered.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.carrier_id).await?;
        required(carrier, "carrier", self.carrier_id)
    }

    /// When this server learned of the change.
    async fn at(&self) -> DateTime {
        self.at.into()
    }
}

/// Executes `request` of `actor` as a stream: a subscription's events, or the
/// single answer of a query or mutation (the WebSocket transport sends both).
/// Errors carry an `extensions.code` as over HTTP.
pub fn execute_stream(
    schema: &ZaitiSchema,
    request: Request,
    db: &DatabaseConnection,
    actor: Actor,
) -> BoxStream<'static, Response> {
    schema
        .execute_stream(request.data(actor).data(db.clone()))
        .map(with_codes)
        .boxed()
}

/// Gives every error a code: request errors (no path: nothing ran) as over
/// HTTP, execution errors without one (input values that failed to parse)
/// BAD_USER_INPUT.
fn with_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        if error.path.is_empty() {
            classify_request_error(error);
        } else {
            let extensions = error.extensions.get_or_insert_with(Default::default);
            if extensions.get("code").is_none() {
                extensions.set("code", code::BAD_USER_INPUT);
            }
        }
    }
    response
}

/// Gives each execution that has no loaders (each event of a subscription, an
/// operation sent over WebSocket) fresh loaders, and drives their batches
/// while it runs. Executions that bring loaders ([`super::execute`]) pass
/// through untouched.
pub struct EventLoaders;

impl ExtensionFactory for EventLoaders {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(EventLoaders)
    }
}

#[async_trait::async_trait]
impl Extension for EventLoaders {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let db = match (
            ctx.data_opt::<Loaders>(),
            ctx.data_opt::<DatabaseConnection>(),
        ) {
            (None, Some(db)) => db,
            _ => return next.run(ctx, operation_name).await,
        };
        let queue = BatchQueue::default();
        let mut data = Data::default();
        // The cost guard counts this execution's fields itself.
        let budget = Arc::new(RowBudget::new(usize::MAX));
        data.insert(Loaders::new(db, &queue, budget));
        loaders::drive(queue, next.run_with_data(ctx, operation_name, data)).await
    }
}
