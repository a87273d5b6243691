//! Webhooks: endpoints that are told of every change of the types they
//! subscribe to, signed by the Standard Webhooks rules, with a delivery log
//! and replay. ADMIN only: every other token is refused (FORBIDDEN), before
//! anything is looked up, so a refusal tells nothing about what exists.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::webhook;
use strum::IntoEnumIterator;

use super::error::ApiResult;
use super::node::{NodeType, expect, expect_wide, global_id, global_id_wide};
use super::operator::optional_patch;
use super::scalars::DateTime;
use crate::domain::access::{Actor, Role};
use crate::domain::text::optional_text;
use crate::domain::webhook::{endpoint_url, event_types, generate_secret, secret_key};
use crate::domain::{ValidationError, webhook as rules};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::audit::Operation;
use crate::store::page::DEFAULT_PAGE_SIZE;
use crate::store::webhook::{DeliveryFilter, NewWebhook, WebhookPatch};

/// Every event type there is: `<entity>.<operation>` for each record type
/// of the audit trail and each operation, e.g. `carrier.created`,
/// `tenancy.amended`, `designation_request.approved`.
pub fn known_event_types() -> Vec<String> {
    NodeType::iter()
        .flat_map(|kind| {
            Operation::iter()
                .map(move |operation| rules::event_type(kind.as_ref(), operation.past_tense()))
        })
        .collect()
}

/// Refuses every caller but ADMIN.
fn admin_only<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    let actor = super::actor(ctx)?;
    if actor.role == Role::Admin {
        Ok(actor)
    } else {
        Err(AppError::forbidden(
            "webhooks are managed by ADMIN tokens only",
            "Webhook 仅限 ADMIN 令牌管理",
        )
        .into())
    }
}

/// A webhook endpoint: where zaiti POSTs the events of the types it
/// subscribes to, signed with its secret (Standard Webhooks). The secret is
/// shown once, when the endpoint is created.
#[derive(Debug, Clone)]
pub struct Webhook(webhook::Model);

/// A webhook endpoint: where zaiti POSTs the events of the types it
/// subscribes to, signed with its secret (Standard Webhooks). The secret is
/// shown once, when the endpoint is created.
#[Object]
impl Webhook {
    /// The global ID of the endpoint.
    async fn id(&self) -> ID {
        global_id(NodeType::Webhook, self.0.id)
    }

    /// Where events are POSTed (http or https; redirects are not followed).
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The event types it subscribes to, e.g. `carrier.created`.
    async fn events(&self) -> Vec<String> {
        store::webhook::event_types(&self.0)
    }

    /// What the endpoint is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Whether deliveries are held: they wait, and go out once it is resumed.
    async fn paused(&self) -> bool {
        self.0.paused
    }

    /// Row version; pass it back to `updateWebhook` and `deleteWebhook`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the endpoint was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the endpoint was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A new endpoint and its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreatedWebhook {
    /// The endpoint.
    webhook: Webhook,
    /// The signing secret, `whsec_<base64>`: verify each request's
    /// `webhook-signature` with it. Shown only now; it cannot be read again.
    secret: String,
}

/// Where a delivery stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "store::webhook::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet: attempted when due, retried with growing waits.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed until the retry window closed; replay sends it again.
    Failed,
}

/// One event to one endpoint, with its attempts.
#[derive(Debug, Clone)]
pub struct WebhookDelivery(store::webhook::Delivery);

/// One event to one endpoint, with its attempts.
#[Object]
impl WebhookDelivery {
    /// The global ID of the delivery; pass it to `replayWebhookDelivery`.
    async fn id(&self) -> ID {
        delivery_id(self.0.row.id)
    }

    /// The endpoint's global ID.
    async fn webhook_id(&self) -> ID {
        global_id(NodeType::Webhook, self.0.row.webhook_id)
    }

    /// The `webhook-id` header the event is sent with, the same on every attempt.
    async fn message_id(&self) -> String {
        crate::webhooks::message_id(self.0.event.id)
    }

    /// The event type, e.g. `carrier.created`.
    async fn event_type(&self) -> &str {
        &self.0.event.event_type
    }

    /// The type of the record changed, e.g. `Carrier`.
    async fn entity_type(&self) -> &str {
        &self.0.event.entity_type
    }

    /// The global ID of the record changed.
    async fn entity_id(&self) -> ApiResult<ID> {
        let kind: NodeType = stored("outbox_event.entity_type", &self.0.event.entity_type)?;
        Ok(global_id(kind, self.0.event.entity_id))
    }

    /// When the change was made.
    async fn occurred_at(&self) -> DateTime {
        self.0.event.occurred_at.into()
    }

    /// Where the delivery stands.
    async fn status(&self) -> ApiResult<WebhookDeliveryStatus> {
        let status: store::webhook::DeliveryStatus =
            stored("webhook_delivery.status", &self.0.row.status)?;
        Ok(status.into())
    }

    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.row.attempts
    }

    /// Why the last attempt failed (at most 500 characters); null once delivered.
    async fn last_error(&self) -> Option<&str> {
        self.0.row.last_error.as_deref()
    }

    /// The HTTP status of the last answer; null if none came.
    async fn last_response_code(&self) -> Option<i32> {
        self.0.row.last_response_code
    }

    /// How long the last attempt took, in milliseconds.
    async fn latency_ms(&self) -> Option<i32> {
        self.0.row.latency_ms
    }

    /// When the next attempt is due; null unless PENDING.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        (self.0.row.status == store::webhook::DeliveryStatus::Pending.as_ref())
            .then(|| self.0.row.next_attempt_at.into())
    }

    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime> {
        self.0.row.delivered_at.map(Into::into)
    }

    /// When the delivery was made (or last replayed).
    async fn created_at(&self) -> DateTime {
        self.0.row.created_at.into()
    }
}

fn delivery_id(id: i64) -> ID {
    global_id_wide(NodeType::WebhookDelivery, id)
}

/// A page of an endpoint's deliveries, newest first.
#[derive(SimpleObject)]
pub struct WebhookDeliveryPage {
    /// How many deliveries match in all (across every page).
    total_count: u64,
    /// The deliveries of this page.
    deliveries: Vec<WebhookDelivery>,
}

/// A new webhook endpoint.
#[derive(InputObject)]
pub struct CreateWebhookInput {
    /// Where to POST events: an http or https URL (at most 2,048 characters).
    pub url: String,
    /// The event types to send, e.g. `["carrier.created", "tenancy.amended"]`
    /// (`webhookEventTypes` lists them all).
    pub events: Vec<String>,
    /// The signing secret, `whsec_` and the base64 of 24 to 64 random bytes;
    /// left out, one is generated. Either way it is shown once, in the answer.
    pub secret: Option<String>,
    /// What the endpoint is for.
    pub description: Option<String>,
}

/// Changes to an endpoint. Omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateWebhookInput {
    /// The endpoint to change.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// New URL.
    pub url: Option<String>,
    /// New event types (replacing the old list).
    pub events: Option<Vec<String>>,
    /// New description; null clears it.
    pub description: MaybeUndefined<String>,
    /// Pause (true: deliveries wait) or resume (false: they go out).
    pub paused: Option<bool>,
}

impl CreateWebhookInput {
    fn validate(self) -> Result<NewWebhook, AppError> {
        let secret = match self.secret {
            Some(secret) => {
                let secret = secret.trim().to_owned();
                secret_key("secret", &secret)?;
                secret
            }
            None => generate_secret().map_err(|err| {
                tracing::error!(%err, "no randomness from the operating system");
                AppError::Internal
            })?,
        };
        Ok(NewWebhook {
            url: endpoint_url("url", &self.url)?,
            event_types: event_types("events", &self.events, &known_event_types())?,
            secret,
            description: optional_text("description", self.description.as_deref())?,
        })
    }
}

impl UpdateWebhookInput {
    fn validate(self) -> Result<WebhookPatch, ValidationError> {
        Ok(WebhookPatch {
            url: self
                .url
                .as_deref()
                .map(|url| endpoint_url("url", url))
                .transpose()?,
            event_types: self
                .events
                .as_deref()
                .map(|given| event_types("events", given, &known_event_types()))
                .transpose()?,
            description: optional_patch("description", self.description)?,
            paused: self.paused,
        })
    }
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The webhook endpoints, oldest first (a server keeps at most 50). ADMIN only.
    #[graphql(complexity = "super::cost::list_complexity(50, child_complexity)")]
    async fn webhooks(&self, ctx: &Context<'_>) -> ApiResult<Vec<Webhook>> {
        admin_only(ctx)?;
        let rows = store::webhook::list(super::db(ctx)?).await?;
        Ok(rows.into_iter().map(Webhook).collect())
    }

    /// Every event type an endpoint may subscribe to. ADMIN only.
    async fn webhook_event_types(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        admin_only(ctx)?;
        Ok(known_event_types())
    }

    /// An endpoint's deliveries, newest first, with each one's attempts. ADMIN only.
    #[graphql(complexity = "super::connection::page_complexity(first, None, child_complexity)")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint, by global ID.")] webhook_id: ID,
        #[graphql(desc = "Only deliveries in this state.")] status: Option<WebhookDeliveryStatus>,
        #[graphql(
            desc = "Page size (default 20; at most the server's page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Deliveries to skip, for the next page (default 0).")] offset: Option<i32>,
    ) -> ApiResult<WebhookDeliveryPage> {
        admin_only(ctx)?;
        let webhook_id = expect("webhookId", &webhook_id, NodeType::Webhook)?;
        let db = super::db(ctx)?;
        store::webhook::by_id(db, webhook_id).await?;
        let args = super::connection::page_args(ctx, first, None, None, None);
        let limit = first
            .map_or(DEFAULT_PAGE_SIZE, |n| u64::try_from(n).unwrap_or(0))
            .min(args.max_size);
        let offset = u64::try_from(offset.unwrap_or(0)).map_err(|_| {
            AppError::invalid(
                "offset",
                "the offset must be zero or more",
                "偏移量（offset）应为零或正整数",
            )
        })?;
        let filter = DeliveryFilter {
            webhook_id,
            status: status.map(Into::into),
        };
        let deliveries = store::webhook::deliveries(db, filter, limit, offset).await?;
        let total_count =
            super::connection::total_count(ctx, store::webhook::count_deliveries(db, filter))
                .await?;
        Ok(WebhookDeliveryPage {
            total_count,
            deliveries: deliveries.into_iter().map(WebhookDelivery).collect(),
        })
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers a webhook endpoint; the answer holds its signing secret,
    /// shown this once. ADMIN only.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateWebhookInput,
    ) -> ApiResult<CreatedWebhook> {
        let actor = admin_only(ctx)?;
        let new = input.validate()?;
        let secret = new.secret.clone();
        let row = store::webhook::create(super::db(ctx)?, actor, new).await?;
        Ok(CreatedWebhook {
            webhook: Webhook(row),
            secret,
        })
    }

    /// Changes an endpoint (URL, events, description, paused), if it is
    /// still at the given `version`. ADMIN only.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: UpdateWebhookInput,
    ) -> ApiResult<Webhook> {
        let actor = admin_only(ctx)?;
        let id = expect("id", &input.id, NodeType::Webhook)?;
        let version = input.version;
        let patch = input.validate()?;
        let row = store::webhook::update(super::db(ctx)?, actor, id, version, patch).await?;
        Ok(Webhook(row))
    }

    /// Deletes an endpoint and its delivery log, if it is still at the given
    /// `version`; answers its global ID. ADMIN only.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint, by global ID.")] id: ID,
        #[graphql(desc = "The `version` the deletion is based on; a stale one gets CONFLICT.")]
        version: i32,
    ) -> ApiResult<ID> {
        let actor = admin_only(ctx)?;
        let number = expect("id", &id, NodeType::Webhook)?;
        store::webhook::delete(super::db(ctx)?, actor, number, version).await?;
        Ok(id)
    }

    /// Sends a FAILED (or DELIVERED) delivery again, as a fresh PENDING one
    /// with a new retry window; a PENDING one gets CONFLICT. ADMIN only.
    async fn replay_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery, by global ID.")] id: ID,
    ) -> ApiResult<WebhookDelivery> {
        let actor = admin_only(ctx)?;
        let id = expect_wide("id", &id, NodeType::WebhookDelivery)?;
        let delivery = store::webhook::replay(super::db(ctx)?, actor, id).await?;
        Ok(WebhookDelivery(delivery))
    }

    /// Sends every FAILED delivery of an endpoint again; answers how many. ADMIN only.
    async fn replay_failed_webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint, by global ID.")] webhook_id: ID,
    ) -> ApiResult<u64> {
        let actor = admin_only(ctx)?;
        let webhook_id = expect("webhookId", &webhook_id, NodeType::Webhook)?;
        Ok(store::webhook::replay_failed(super::db(ctx)?, actor, webhook_id).await?)
    }
}
