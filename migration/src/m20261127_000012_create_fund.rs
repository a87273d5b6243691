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
                        .table(Fund::Table)
                        .if_not_exists()
                        .col(pk_auto(Fund::Id))
                        .col(string(Fund::Name))
                        .col(string(Fund::Manager))
                        // Exact CNY in fen: money is never a float.
                        .col(big_integer(Fund::SizeFen))
                        .col(date(Fund::EstablishedOn))
                        .col(date_null(Fund::ClosedOn)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FundCarrier::Table)
                    .if_not_exists()
                    .col(integer(FundCarrier::FundId))
                    .col(integer(FundCarrier::CarrierId))
                    .primary_key(
                        Index::create()
                            .col(FundCarrier::FundId)
                            .col(FundCarrier::CarrierId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_fund_carrier_fund")
                            .from(FundCarrier::Table, FundCarrier::FundId)
                            .to(Fund::Table, Fund::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_fund_carrier_carrier")
                            .from(FundCarrier::Table, FundCarrier::CarrierId)
                            .to(Carrier::Table, Carrier::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_fund_carrier_carrier")
                    .table(FundCarrier::Table)
                    .col(FundCarrier::CarrierId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FundCarrier::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Fund::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Fund {
    Table,
    Id,
    Name,
    Manager,
    SizeFen,
    EstablishedOn,
    ClosedOn,
}

#[derive(DeriveIden)]
enum FundCarrier {
    Table,
    FundId,
    CarrierId,
}
