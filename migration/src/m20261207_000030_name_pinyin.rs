//! A pinyin sort key beside the names of carriers, operators and
//! enterprises, so lists can come in the order a Chinese reader expects
//! (滨湖 before 宜兴) with keyset paging intact. The server fills it on every
//! write, and on start for rows written before this column existed (null).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Carrier {
    Table,
    Id,
    NamePinyin,
}

#[derive(DeriveIden)]
enum Operator {
    Table,
    Id,
    NamePinyin,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
    NamePinyin,
}

/// Each table, its key column, its id column and the index over both.
fn tables() -> [(DynIden, DynIden, DynIden, &'static str); 3] {
    [
        (
            Carrier::Table.into_iden(),
            Carrier::NamePinyin.into_iden(),
            Carrier::Id.into_iden(),
            "idx_carrier_name_pinyin",
        ),
        (
            Operator::Table.into_iden(),
            Operator::NamePinyin.into_iden(),
            Operator::Id.into_iden(),
            "idx_operator_name_pinyin",
        ),
        (
            Enterprise::Table.into_iden(),
            Enterprise::NamePinyin.into_iden(),
            Enterprise::Id.into_iden(),
            "idx_enterprise_name_pinyin",
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, key, id, index) in tables() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(ColumnDef::new(key.clone()).text().null())
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(index)
                        .table(table)
                        .col(key)
                        .col(id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, key, _, index) in tables() {
            manager
                .drop_index(Index::drop().name(index).table(table.clone()).to_owned())
                .await?;
            manager
                .alter_table(Table::alter().table(table).drop_column(key).to_owned())
                .await?;
        }
        Ok(())
    }
}
