//! A closed year keeps its 火炬统计 cell by cell, per carrier, so that a
//! later change is shown as a restatement of named indicators of named
//! carriers rather than only as a different CSV.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Null for periods closed before this column existed: their CSV stands,
        // their itemised restatement is unknown until they are closed again.
        manager
            .alter_table(
                Table::alter()
                    .table(ReportingPeriod::Table)
                    .add_column(ColumnDef::new(ReportingPeriod::TorchRows).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ReportingPeriod::Table)
                    .drop_column(ReportingPeriod::TorchRows)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ReportingPeriod {
    Table,
    TorchRows,
}
