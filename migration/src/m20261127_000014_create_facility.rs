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
                        .table(Facility::Table)
                        .if_not_exists()
                        .col(pk_auto(Facility::Id))
                        .col(integer(Facility::CarrierId))
                        .col(string(Facility::Kind))
                        .col(string_null(Facility::Name))
                        // Public-service floor area, when the facility is such space.
                        .col(double_null(Facility::AreaM2))
                        .col(date(Facility::OpenedOn))
                        .col(date_null(Facility::ClosedOn))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_facility_carrier")
                                .from(Facility::Table, Facility::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_facility_carrier")
                    .table(Facility::Table)
                    .col(Facility::CarrierId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Facility::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Facility {
    Table,
    Id,
    CarrierId,
    Kind,
    Name,
    AreaM2,
    OpenedOn,
    ClosedOn,
}
