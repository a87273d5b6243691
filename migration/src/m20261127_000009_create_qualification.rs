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
                        .table(Qualification::Table)
                        .if_not_exists()
                        .col(pk_auto(Qualification::Id))
                        .col(integer(Qualification::EnterpriseId))
                        .col(string(Qualification::Kind))
                        .col(date(Qualification::ValidFrom))
                        .col(date_null(Qualification::ValidUntil))
                        .col(string_null(Qualification::CertificateNumber))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_qualification_enterprise")
                                .from(Qualification::Table, Qualification::EnterpriseId)
                                .to(Enterprise::Table, Enterprise::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_qualification_enterprise")
                    .table(Qualification::Table)
                    .col(Qualification::EnterpriseId)
                    .col(Qualification::Kind)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Qualification::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Qualification {
    Table,
    Id,
    EnterpriseId,
    Kind,
    ValidFrom,
    ValidUntil,
    CertificateNumber,
}
