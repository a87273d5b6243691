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
                        .table(Platform::Table)
                        .if_not_exists()
                        .col(pk_auto(Platform::Id))
                        .col(integer(Platform::CarrierId))
                        .col(string(Platform::Name))
                        .col(string(Platform::Kind))
                        .col(string(Platform::Level).default("NONE"))
                        .col(date(Platform::OpenedOn))
                        .col(date_null(Platform::ClosedOn))
                        // A JSON array of strings: the services offered.
                        .col(text(Platform::Services).default("[]"))
                        .col(integer_null(Platform::EnterprisesServedPerYear))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_platform_carrier")
                                .from(Platform::Table, Platform::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_platform_carrier")
                    .table(Platform::Table)
                    .col(Platform::CarrierId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_platform_opened")
                    .table(Platform::Table)
                    .col(Platform::OpenedOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Platform::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Platform {
    Table,
    Id,
    CarrierId,
    Name,
    Kind,
    Level,
    OpenedOn,
    ClosedOn,
    Services,
    EnterprisesServedPerYear,
}
