//! Indexes that let the figures on a date (tenants per carrier and industry,
//! occupancy) read leases and enterprises from indexes alone, without
//! visiting the table rows: the 五有 check of a whole portfolio joins every
//! lease in force to its enterprise.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_tenancy_carrier_in_force")
                    .table(Tenancy::Table)
                    .col(Tenancy::CarrierId)
                    .col(Tenancy::MovedInOn)
                    .col(Tenancy::MovedOutOn)
                    .col(Tenancy::EnterpriseId)
                    .to_owned(),
            )
            .await?;
        // The new index starts with the same columns, so it serves every
        // query the old one did.
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tenancy_carrier_dates")
                    .table(Tenancy::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enterprise_industry")
                    .table(Enterprise::Table)
                    .col(Enterprise::Id)
                    .col(Enterprise::Industry)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_enterprise_industry")
                    .table(Enterprise::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tenancy_carrier_dates")
                    .table(Tenancy::Table)
                    .col(Tenancy::CarrierId)
                    .col(Tenancy::MovedInOn)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tenancy_carrier_in_force")
                    .table(Tenancy::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Tenancy {
    Table,
    CarrierId,
    MovedInOn,
    MovedOutOn,
    EnterpriseId,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
    Industry,
}
