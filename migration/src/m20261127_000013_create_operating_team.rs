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
                        .table(OperatingTeam::Table)
                        .if_not_exists()
                        .col(pk_auto(OperatingTeam::Id))
                        .col(integer(OperatingTeam::CarrierId))
                        .col(string(OperatingTeam::Name))
                        .col(integer(OperatingTeam::StaffCount))
                        .col(integer(OperatingTeam::MentorCount))
                        .col(date(OperatingTeam::FormedOn))
                        .col(date_null(OperatingTeam::DisbandedOn))
                        .col(date_null(OperatingTeam::ProfessionalRecognisedOn))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_operating_team_carrier")
                                .from(OperatingTeam::Table, OperatingTeam::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_operating_team_carrier")
                    .table(OperatingTeam::Table)
                    .col(OperatingTeam::CarrierId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OperatingTeam::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OperatingTeam {
    Table,
    Id,
    CarrierId,
    Name,
    StaffCount,
    MentorCount,
    FormedOn,
    DisbandedOn,
    ProfessionalRecognisedOn,
}
