//! 房源: a carrier's buildings (楼栋) and their units, and the units a
//! tenancy occupies. Floors are the units' floor numbers, not a table.

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
                        .table(Building::Table)
                        .if_not_exists()
                        .col(pk_auto(Building::Id))
                        .col(integer(Building::CarrierId))
                        .col(string(Building::Name))
                        .col(text_null(Building::FootprintGeojson))
                        .col(double_null(Building::FootprintAreaM2))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_building_carrier")
                                .from(Building::Table, Building::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_building_carrier_name")
                    .table(Building::Table)
                    .col(Building::CarrierId)
                    .col(Building::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                with_version_and_timestamps(
                    Table::create()
                        .table(Unit::Table)
                        .if_not_exists()
                        .col(pk_auto(Unit::Id))
                        .col(integer(Unit::BuildingId))
                        .col(integer(Unit::CarrierId))
                        .col(integer(Unit::SpacePhaseId))
                        .col(string(Unit::Code))
                        .col(integer(Unit::Floor))
                        .col(double(Unit::AreaM2))
                        .col(string(Unit::UseKind))
                        .col(string(Unit::Status))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_unit_building")
                                .from(Unit::Table, Unit::BuildingId)
                                .to(Building::Table, Building::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_unit_carrier")
                                .from(Unit::Table, Unit::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_unit_space_phase")
                                .from(Unit::Table, Unit::SpacePhaseId)
                                .to(SpacePhase::Table, SpacePhase::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_unit_building_code", vec![Unit::BuildingId, Unit::Code]),
            ("idx_unit_carrier", vec![Unit::CarrierId]),
            ("idx_unit_space_phase", vec![Unit::SpacePhaseId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Unit::Table);
            for column in columns {
                index.col(column);
            }
            if name == "idx_unit_building_code" {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(TenancyUnit::Table)
                    .if_not_exists()
                    .col(integer(TenancyUnit::TenancyId))
                    .col(integer(TenancyUnit::UnitId))
                    .primary_key(
                        Index::create()
                            .col(TenancyUnit::TenancyId)
                            .col(TenancyUnit::UnitId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenancy_unit_tenancy")
                            .from(TenancyUnit::Table, TenancyUnit::TenancyId)
                            .to(Tenancy::Table, Tenancy::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenancy_unit_unit")
                            .from(TenancyUnit::Table, TenancyUnit::UnitId)
                            .to(Unit::Table, Unit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tenancy_unit_unit")
                    .table(TenancyUnit::Table)
                    .col(TenancyUnit::UnitId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TenancyUnit::Table.into_iden(),
            Unit::Table.into_iden(),
            Building::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Building {
    Table,
    Id,
    CarrierId,
    Name,
    FootprintGeojson,
    FootprintAreaM2,
}

#[derive(DeriveIden)]
enum Unit {
    Table,
    Id,
    BuildingId,
    CarrierId,
    SpacePhaseId,
    Code,
    Floor,
    AreaM2,
    #[sea_orm(iden = "unit_use")]
    UseKind,
    Status,
}

#[derive(DeriveIden)]
enum TenancyUnit {
    Table,
    TenancyId,
    UnitId,
}

#[derive(DeriveIden)]
enum SpacePhase {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tenancy {
    Table,
    Id,
}
