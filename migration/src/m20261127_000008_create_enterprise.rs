use sea_orm_migration::{prelude::*, schema::*};

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
                        .table(Enterprise::Table)
                        .if_not_exists()
                        .col(pk_auto(Enterprise::Id))
                        .col(string_len_uniq(Enterprise::Uscc, 18))
                        .col(string(Enterprise::Name))
                        .col(date(Enterprise::FoundedOn))
                        .col(date_null(Enterprise::LandedOn))
                        .col(string_null(Enterprise::Industry))
                        .col(integer_null(Enterprise::Headcount))
                        // Money in integer fen (0.01 CNY): exact, never a float.
                        .col(big_integer_null(Enterprise::FinancingRaisedFen))
                        .col(date_null(Enterprise::ExitedOn)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enterprise_landed")
                    .table(Enterprise::Table)
                    .col(Enterprise::LandedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EnterpriseRevenue::Table)
                    .if_not_exists()
                    .col(integer(EnterpriseRevenue::EnterpriseId))
                    .col(integer(EnterpriseRevenue::Year))
                    .col(big_integer(EnterpriseRevenue::RevenueFen))
                    .primary_key(
                        Index::create()
                            .col(EnterpriseRevenue::EnterpriseId)
                            .col(EnterpriseRevenue::Year),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enterprise_revenue_enterprise")
                            .from(EnterpriseRevenue::Table, EnterpriseRevenue::EnterpriseId)
                            .to(Enterprise::Table, Enterprise::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EnterpriseRevenue::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Enterprise::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Enterprise {
    Table,
    Id,
    Uscc,
    Name,
    FoundedOn,
    LandedOn,
    Industry,
    Headcount,
    FinancingRaisedFen,
    ExitedOn,
}

#[derive(DeriveIden)]
enum EnterpriseRevenue {
    Table,
    EnterpriseId,
    Year,
    RevenueFen,
}
