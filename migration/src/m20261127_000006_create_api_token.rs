use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000002_create_operator::Operator;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .if_not_exists()
                    .col(pk_auto(ApiToken::Id))
                    .col(string(ApiToken::Name))
                    .col(string(ApiToken::Role))
                    .col(integer_null(ApiToken::OperatorId))
                    // SHA-256 of the secret, hex; the secret itself is never stored.
                    .col(string_len_uniq(ApiToken::SecretHash, 64))
                    .col(
                        timestamp_with_time_zone(ApiToken::CreatedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_token_operator")
                            .from(ApiToken::Table, ApiToken::OperatorId)
                            .to(Operator::Table, Operator::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiToken::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ApiToken {
    Table,
    Id,
    Name,
    Role,
    OperatorId,
    SecretHash,
    CreatedAt,
    RevokedAt,
}
