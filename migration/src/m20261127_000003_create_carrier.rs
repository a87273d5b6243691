use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000001_create_district::District;
use crate::m20261127_000002_create_operator::Operator;
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
                        .table(Carrier::Table)
                        .if_not_exists()
                        .col(pk_auto(Carrier::Id))
                        .col(string(Carrier::Name))
                        .col(string(Carrier::Kind))
                        .col(string(Carrier::Status))
                        .col(integer(Carrier::DistrictId))
                        .col(integer(Carrier::OperatorId))
                        .col(string(Carrier::Address))
                        .col(boolean(Carrier::Landmark).default(false))
                        .col(double_null(Carrier::Longitude))
                        .col(double_null(Carrier::Latitude))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_carrier_district")
                                .from(Carrier::Table, Carrier::DistrictId)
                                .to(District::Table, District::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_carrier_operator")
                                .from(Carrier::Table, Carrier::OperatorId)
                                .to(Operator::Table, Operator::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_carrier_name", Carrier::Name),
            ("idx_carrier_kind", Carrier::Kind),
            ("idx_carrier_district", Carrier::DistrictId),
            ("idx_carrier_operator", Carrier::OperatorId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Carrier::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(CarrierIndustry::Table)
                    .if_not_exists()
                    .col(integer(CarrierIndustry::CarrierId))
                    .col(string(CarrierIndustry::Industry))
                    .primary_key(
                        Index::create()
                            .col(CarrierIndustry::CarrierId)
                            .col(CarrierIndustry::Industry),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_carrier_industry_carrier")
                            .from(CarrierIndustry::Table, CarrierIndustry::CarrierId)
                            .to(Carrier::Table, Carrier::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_carrier_industry_industry")
                    .table(CarrierIndustry::Table)
                    .col(CarrierIndustry::Industry)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CarrierIndustry::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Carrier::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Carrier {
    Table,
    Id,
    Name,
    Kind,
    Status,
    DistrictId,
    OperatorId,
    Address,
    Landmark,
    Longitude,
    Latitude,
}

#[derive(DeriveIden)]
enum CarrierIndustry {
    Table,
    CarrierId,
    Industry,
}
