use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000003_create_carrier::Carrier;
use crate::m20261127_000008_create_enterprise::Enterprise;
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
                        .table(Tenancy::Table)
                        .if_not_exists()
                        .col(pk_auto(Tenancy::Id))
                        .col(integer(Tenancy::CarrierId))
                        .col(integer(Tenancy::EnterpriseId))
                        .col(string_null(Tenancy::Unit))
                        .col(double(Tenancy::AreaM2))
                        .col(date(Tenancy::MovedInOn))
                        // Exclusive: the first day the space is no longer leased.
                        .col(date_null(Tenancy::MovedOutOn))
                        // Where incubation began, carried over when an area change splits a tenancy.
                        .col(date(Tenancy::IncubationStartedOn))
                        .col(date_null(Tenancy::GraduatedOn))
                        .col(string_null(Tenancy::GraduationRoute))
                        .col(integer_null(Tenancy::PreviousTenancyId))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_tenancy_carrier")
                                .from(Tenancy::Table, Tenancy::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_tenancy_enterprise")
                                .from(Tenancy::Table, Tenancy::EnterpriseId)
                                .to(Enterprise::Table, Enterprise::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_tenancy_carrier_dates",
                vec![Tenancy::CarrierId, Tenancy::MovedInOn],
            ),
            ("idx_tenancy_enterprise", vec![Tenancy::EnterpriseId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Tenancy::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Tenancy::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Tenancy {
    Table,
    Id,
    CarrierId,
    EnterpriseId,
    Unit,
    AreaM2,
    MovedInOn,
    MovedOutOn,
    IncubationStartedOn,
    GraduatedOn,
    GraduationRoute,
    PreviousTenancyId,
}
