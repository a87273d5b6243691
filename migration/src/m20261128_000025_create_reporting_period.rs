//! Reporting periods (报告期): a closed year keeps the figures reported for
//! it, as known at closing, so later corrections show as restatements.

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
                        .table(ReportingPeriod::Table)
                        .if_not_exists()
                        .col(pk_auto(ReportingPeriod::Id))
                        // One period per year: closing it twice at once is a CONFLICT.
                        .col(integer_uniq(ReportingPeriod::Year))
                        .col(date(ReportingPeriod::PeriodEnd))
                        .col(string(ReportingPeriod::Status))
                        // JSON: each target's figure and its parts by carrier.
                        .col(text(ReportingPeriod::Figures))
                        .col(text(ReportingPeriod::TorchCsv))
                        .col(text_null(ReportingPeriod::Note))
                        .col(string(ReportingPeriod::ClosedBy))
                        .col(timestamp_with_time_zone(ReportingPeriod::ClosedAt))
                        .col(string_null(ReportingPeriod::ReopenedBy))
                        .col(timestamp_with_time_zone_null(ReportingPeriod::ReopenedAt))
                        .col(text_null(ReportingPeriod::ReopenReason)),
                )
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReportingPeriod::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ReportingPeriod {
    Table,
    Id,
    Year,
    PeriodEnd,
    Status,
    Figures,
    TorchCsv,
    Note,
    ClosedBy,
    ClosedAt,
    ReopenedBy,
    ReopenedAt,
    ReopenReason,
}
