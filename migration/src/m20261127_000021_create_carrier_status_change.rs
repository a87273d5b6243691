//! Dated carrier status: a carrier's status changes are kept with the day
//! each took effect, so "operating on the as-of date" reads the status then,
//! not now.
//!
//! Carriers already registered get one change: their status as recorded,
//! from their first space delivery or their registration, whichever came
//! first. What happened before zaiti kept the history is not known; this
//! reading leaves every figure of a date on which the carrier had space as
//! it was.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CarrierStatusChange::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CarrierStatusChange::CarrierId)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierStatusChange::EffectiveOn)
                            .date()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierStatusChange::Status)
                            .string()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CarrierStatusChange::CarrierId)
                            .col(CarrierStatusChange::EffectiveOn),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_carrier_status_change_carrier")
                            .from(CarrierStatusChange::Table, CarrierStatusChange::CarrierId)
                            .to(Carrier::Table, Carrier::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let registered_on = match manager.get_database_backend() {
            DbBackend::Postgres => "CAST(carrier.created_at AS DATE)",
            _ => "date(carrier.created_at)",
        };
        let earliest = match manager.get_database_backend() {
            DbBackend::Postgres => "LEAST",
            _ => "MIN",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO carrier_status_change (carrier_id, effective_on, status) \
                 SELECT carrier.id, \
                        {earliest}({registered_on}, \
                                   COALESCE((SELECT MIN(space_phase.delivered_on) FROM space_phase \
                                             WHERE space_phase.carrier_id = carrier.id), \
                                            {registered_on})), \
                        carrier.status \
                 FROM carrier"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CarrierStatusChange::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CarrierStatusChange {
    Table,
    CarrierId,
    EffectiveOn,
    Status,
}

#[derive(DeriveIden)]
enum Carrier {
    Table,
    Id,
}
