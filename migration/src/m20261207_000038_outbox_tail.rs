//! Live updates read the outbox: `outbox_event.carrier_id` names the carrier
//! an event concerns (so subscribers of a carrier hear it without a lookup),
//! and, on PostgreSQL, `outbox_event.tx_id` holds the id of the transaction
//! that wrote the row (`pg_current_xact_id()`, by default).
//!
//! Row ids are taken when a row is inserted, not when it commits, so on
//! PostgreSQL a reader that follows ids alone would skip a row whose
//! transaction commits after a later one's. Ordered by `(tx_id, id)` and
//! read only below the oldest transaction still running, the outbox is
//! append-only for its readers. SQLite runs one writer at a time, so ids
//! follow commits there and `tx_id` stays null.
//!
//! Old outbox rows are pruned once no delivery names them: an index on
//! `webhook_delivery.outbox_event_id` finds those that do.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261207_000036_webhooks::{OutboxEvent, WebhookDelivery};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Column {
    TxId,
    CarrierId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for column in [
            big_integer_null(Column::TxId),
            integer_null(Column::CarrierId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OutboxEvent::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            // Events written before this migration are long committed: they
            // sort first, below any transaction still running.
            db.execute_unprepared("UPDATE outbox_event SET tx_id = 0")
                .await?;
            db.execute_unprepared(
                "ALTER TABLE outbox_event ALTER COLUMN tx_id \
                 SET DEFAULT (pg_current_xact_id()::text::bigint)",
            )
            .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_event_tail")
                    .table(OutboxEvent::Table)
                    .col(Column::TxId)
                    .col(OutboxEvent::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_outbox_event")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::OutboxEventId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (index, table) in [
            (
                "idx_webhook_delivery_outbox_event",
                WebhookDelivery::Table.into_iden(),
            ),
            ("idx_outbox_event_tail", OutboxEvent::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(index).table(table).to_owned())
                .await?;
        }
        for column in [Column::CarrierId, Column::TxId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OutboxEvent::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
