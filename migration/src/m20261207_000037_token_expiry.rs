//! Tokens that expire and names that identify: `api_token.expires_at` (null:
//! never, as every token issued before this migration), and one active
//! (unrevoked) token per name. Active tokens that shared a name are renamed
//! `<name> #<id>`, the oldest keeping the name, so audit events and the
//! `tokens` list tell them apart.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000006_create_api_token::ApiToken;

#[derive(DeriveMigrationName)]
pub struct Migration;

const RENAME_DUPLICATES: &str = "UPDATE api_token SET name = name || ' #' || CAST(id AS TEXT) \
     WHERE revoked_at IS NULL AND EXISTS (SELECT 1 FROM api_token AS older \
     WHERE older.name = api_token.name AND older.revoked_at IS NULL AND older.id < api_token.id)";
/// A partial index, which both SQLite and PostgreSQL enforce: a revoked
/// token's name is free again.
const UNIQUE_ACTIVE_NAME: &str =
    "CREATE UNIQUE INDEX ux_api_token_active_name ON api_token (name) WHERE revoked_at IS NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiToken::Table)
                    .add_column(timestamp_with_time_zone_null(Alias::new("expires_at")))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(RENAME_DUPLICATES).await?;
        db.execute_unprepared(UNIQUE_ACTIVE_NAME).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_api_token_active_name")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApiToken::Table)
                    .drop_column(Alias::new("expires_at"))
                    .to_owned(),
            )
            .await
    }
}
