//! 企业年报: a tenant enterprise's figures for one calendar year, as it
//! reports them to its carrier for the 火炬统计 survey. Revenue stays in
//! `enterprise_revenue` (the graduation rules read it there); this table
//! holds the rest, one row per enterprise and year.

use sea_orm_migration::{prelude::*, schema::*};

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
                        .table(AnnualReport::Table)
                        .if_not_exists()
                        .col(pk_auto(AnnualReport::Id))
                        .col(integer(AnnualReport::EnterpriseId))
                        .col(integer(AnnualReport::Year))
                        .col(big_integer(AnnualReport::RdSpendFen))
                        .col(big_integer(AnnualReport::TaxFen))
                        .col(integer(AnnualReport::Staff))
                        .col(integer(AnnualReport::RdStaff))
                        .col(integer(AnnualReport::NewGraduates))
                        .col(integer(AnnualReport::NewPatents))
                        .col(integer(AnnualReport::NewInventionPatents))
                        .col(integer(AnnualReport::FinancingRounds))
                        .col(big_integer(AnnualReport::FinancingFen))
                        .col(date(AnnualReport::ReportedOn))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_annual_report_enterprise")
                                .from(AnnualReport::Table, AnnualReport::EnterpriseId)
                                .to(Enterprise::Table, Enterprise::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_annual_report_enterprise_year")
                    .table(AnnualReport::Table)
                    .col(AnnualReport::EnterpriseId)
                    .col(AnnualReport::Year)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_annual_report_year")
                    .table(AnnualReport::Table)
                    .col(AnnualReport::Year)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AnnualReport::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AnnualReport {
    Table,
    Id,
    EnterpriseId,
    Year,
    RdSpendFen,
    TaxFen,
    Staff,
    RdStaff,
    NewGraduates,
    NewPatents,
    NewInventionPatents,
    FinancingRounds,
    FinancingFen,
    ReportedOn,
}
