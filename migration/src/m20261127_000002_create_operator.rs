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
                        .table(Operator::Table)
                        .if_not_exists()
                        .col(pk_auto(Operator::Id))
                        .col(string(Operator::Name))
                        .col(string_len_uniq(Operator::Uscc, 18))
                        .col(string(Operator::Ownership))
                        .col(string_null(Operator::ContactPerson))
                        .col(string_null(Operator::ContactPhone)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_operator_name")
                    .table(Operator::Table)
                    .col(Operator::Name)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Operator::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Operator {
    Table,
    Id,
    Name,
    Uscc,
    Ownership,
    ContactPerson,
    ContactPhone,
}
