//! Webhooks on a transactional outbox: `outbox_event` gets one row per
//! audited change, in the change's own transaction; `webhook` holds the
//! endpoints; `webhook_delivery` one row per event and subscribed endpoint,
//! with its attempts.

use sea_orm_migration::{prelude::*, schema::*};

use crate::timestamps::with_version_and_timestamps;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEvent::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OutboxEvent::Id))
                    // `<entity>.<operation>`, e.g. `carrier.created`.
                    .col(string(OutboxEvent::EventType))
                    // As the audit trail names it: `CREATE`, `AMEND`, …
                    .col(string(OutboxEvent::Operation))
                    .col(string(OutboxEvent::EntityType))
                    .col(integer(OutboxEvent::EntityId))
                    .col(integer_null(OutboxEvent::OperatorId))
                    .col(big_integer(OutboxEvent::AuditEventId))
                    .col(timestamp_with_time_zone(OutboxEvent::OccurredAt))
                    // Whether the delivery worker has made its deliveries.
                    .col(boolean(OutboxEvent::FannedOut).default(false))
                    // No foreign key to audit_event: the audit trail's own
                    // guards (no update, delete or truncate) must stay the
                    // first to refuse, and both rows come from one transaction.
                    .to_owned(),
            )
            .await?;
        // The worker reads the events not yet fanned out, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_event_fanned_out")
                    .table(OutboxEvent::Table)
                    .col(OutboxEvent::FannedOut)
                    .col(OutboxEvent::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                with_version_and_timestamps(
                    Table::create()
                        .table(Webhook::Table)
                        .if_not_exists()
                        .col(pk_auto(Webhook::Id))
                        .col(string(Webhook::Url))
                        // The event types subscribed to, separated by commas.
                        .col(text(Webhook::EventTypes))
                        // `whsec_<base64>`; never read back through the API.
                        .col(string(Webhook::Secret))
                        .col(string_null(Webhook::Description))
                        .col(boolean(Webhook::Paused).default(false)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .if_not_exists()
                    .col(big_pk_auto(WebhookDelivery::Id))
                    .col(integer(WebhookDelivery::WebhookId))
                    .col(big_integer(WebhookDelivery::OutboxEventId))
                    // The event's record, so that deliveries of one record go in order.
                    .col(string(WebhookDelivery::EntityType))
                    .col(integer(WebhookDelivery::EntityId))
                    .col(string(WebhookDelivery::Status).default("PENDING"))
                    .col(integer(WebhookDelivery::Attempts).default(0))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    // After a failed attempt past this moment the delivery is FAILED.
                    .col(timestamp_with_time_zone(WebhookDelivery::GiveUpAt))
                    .col(string_null(WebhookDelivery::LastError))
                    .col(integer_null(WebhookDelivery::LastResponseCode))
                    .col(integer_null(WebhookDelivery::LatencyMs))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .col(
                        timestamp_with_time_zone(WebhookDelivery::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_delivery_webhook")
                            .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_delivery_outbox_event")
                            .from(WebhookDelivery::Table, WebhookDelivery::OutboxEventId)
                            .to(OutboxEvent::Table, OutboxEvent::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // An event is delivered to an endpoint once: a second fan-out adds nothing.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_event")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::OutboxEventId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Due deliveries, and the earlier ones of the same record each must wait for.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_due")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_record")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::WebhookId)
                    .col(WebhookDelivery::EntityType)
                    .col(WebhookDelivery::EntityId)
                    .col(WebhookDelivery::OutboxEventId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookDelivery::Table.into_iden(),
            Webhook::Table.into_iden(),
            OutboxEvent::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub(crate) enum OutboxEvent {
    Table,
    Id,
    EventType,
    Operation,
    EntityType,
    EntityId,
    OperatorId,
    AuditEventId,
    OccurredAt,
    FannedOut,
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Url,
    EventTypes,
    Secret,
    Description,
    Paused,
}

#[derive(DeriveIden)]
pub(crate) enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    OutboxEventId,
    EntityType,
    EntityId,
    Status,
    Attempts,
    NextAttemptAt,
    GiveUpAt,
    LastError,
    LastResponseCode,
    LatencyMs,
    DeliveredAt,
    CreatedAt,
}
