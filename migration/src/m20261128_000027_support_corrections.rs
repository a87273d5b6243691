//! Platforms, operating teams, facilities, funds and qualifications are
//! corrected in the open too: one entered in error is voided (`voided_at`,
//! `void_reason`), kept and counted in no figure.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Voided {
    VoidedAt,
    VoidReason,
}

const TABLES: [&str; 5] = [
    "platform",
    "operating_team",
    "facility",
    "fund",
    "qualification",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for table in TABLES {
            let columns = [
                ColumnDef::new(Voided::VoidedAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
                ColumnDef::new(Voided::VoidReason).text().null().to_owned(),
            ];
            for mut column in columns {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .add_column(&mut column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for column in [Voided::VoidReason, Voided::VoidedAt] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .drop_column(column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
