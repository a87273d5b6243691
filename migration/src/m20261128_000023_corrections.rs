//! Corrections in the open: a space phase or a level recognition entered in
//! error is voided, not deleted (`voided_at`, `void_reason`): it drops out of
//! every figure from then on and stays readable with its reason, and the
//! audit trail keeps why each correction was made (`audit_event.reason`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = [
            (
                SpacePhase::Table.into_iden(),
                ColumnDef::new(SpacePhase::VoidedAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
            (
                SpacePhase::Table.into_iden(),
                ColumnDef::new(SpacePhase::VoidReason)
                    .text()
                    .null()
                    .to_owned(),
            ),
            (
                LevelRecognition::Table.into_iden(),
                ColumnDef::new(LevelRecognition::VoidedAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ),
            (
                LevelRecognition::Table.into_iden(),
                ColumnDef::new(LevelRecognition::VoidReason)
                    .text()
                    .null()
                    .to_owned(),
            ),
            (
                AuditEvent::Table.into_iden(),
                ColumnDef::new(AuditEvent::Reason).text().null().to_owned(),
            ),
        ];
        for (table, mut column) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (
                AuditEvent::Table.into_iden(),
                AuditEvent::Reason.into_iden(),
            ),
            (
                LevelRecognition::Table.into_iden(),
                LevelRecognition::VoidReason.into_iden(),
            ),
            (
                LevelRecognition::Table.into_iden(),
                LevelRecognition::VoidedAt.into_iden(),
            ),
            (
                SpacePhase::Table.into_iden(),
                SpacePhase::VoidReason.into_iden(),
            ),
            (
                SpacePhase::Table.into_iden(),
                SpacePhase::VoidedAt.into_iden(),
            ),
        ];
        for (table, column) in columns {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SpacePhase {
    Table,
    VoidedAt,
    VoidReason,
}

#[derive(DeriveIden)]
enum LevelRecognition {
    Table,
    VoidedAt,
    VoidReason,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Reason,
}
