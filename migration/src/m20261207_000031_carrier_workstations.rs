//! 工位数: the workstations a makerspace offers, which the Torch survey's
//! makerspace form asks for (incubators report areas instead).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Carrier::Table)
                    .add_column(ColumnDef::new(Carrier::Workstations).integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Carrier::Table)
                    .drop_column(Carrier::Workstations)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Carrier {
    Table,
    Workstations,
}
