use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000003_create_carrier::Carrier;
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
                        .table(LevelRecognition::Table)
                        .if_not_exists()
                        .col(pk_auto(LevelRecognition::Id))
                        .col(integer(LevelRecognition::CarrierId))
                        .col(string(LevelRecognition::Level))
                        .col(date(LevelRecognition::RecognisedOn))
                        .col(string(LevelRecognition::Authority))
                        .col(string_null(LevelRecognition::DocumentNumber))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_level_recognition_carrier")
                                .from(LevelRecognition::Table, LevelRecognition::CarrierId)
                                .to(Carrier::Table, Carrier::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_level_recognition_carrier_date")
                    .table(LevelRecognition::Table)
                    .col(LevelRecognition::CarrierId)
                    .col(LevelRecognition::RecognisedOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LevelRecognition::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LevelRecognition {
    Table,
    Id,
    CarrierId,
    Level,
    RecognisedOn,
    Authority,
    DocumentNumber,
}
