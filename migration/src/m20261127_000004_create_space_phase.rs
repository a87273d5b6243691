use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000003_create_carrier::Carrier;
use crate::timestamps::with_version_and_timestamps;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                with_version_and_timestamps(
                    Table::create()
                        .table(SpacePhase::Table)
                        .if_not_exists()
                        .col(pk_auto(SpacePhase::Id))
                        .col(integer(SpacePhase::CarrierId))
                        .col(string_null(SpacePhase::Label))
                        .col(double(SpacePhase::AreaM2))
                        .col(date(SpacePhase::DeliveredOn))
                        .col(string(SpacePhase::Source))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_space_phase_carrier")
                                .from(SpacePhase::Table, SpacePhase::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_space_phase_carrier_delivered")
                    .table(SpacePhase::Table)
                    .col(SpacePhase::CarrierId)
                    .col(SpacePhase::DeliveredOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SpacePhase::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SpacePhase {
    Table,
    Id,
    CarrierId,
    Label,
    AreaM2,
    DeliveredOn,
    Source,
}
