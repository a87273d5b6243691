//! Trust between parties that compete:
//!
//! - an enterprise's confidential figures get one keeper, its custodian
//!   operator (`enterprise.custodian_operator_id`). Enterprises already
//!   registered are given to the operator of the carrier they moved into
//!   last: the host most likely to be collecting their figures now.
//! - audit events name the token that made the change by its unique id
//!   (`audit_event.token_id`), not only by its name, which may repeat.
//! - the audit trail's guard closes two holes: on SQLite `INSERT OR REPLACE`
//!   (and `REPLACE INTO`) deleted the old row without firing the delete
//!   trigger; on PostgreSQL `TRUNCATE` fired no row trigger at all.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const BACKFILL_CUSTODIANS: &str = "UPDATE enterprise SET custodian_operator_id = (\
     SELECT carrier.operator_id FROM tenancy JOIN carrier ON carrier.id = tenancy.carrier_id \
     WHERE tenancy.enterprise_id = enterprise.id \
     ORDER BY tenancy.moved_in_on DESC, tenancy.id DESC LIMIT 1)";

/// SQLite resolves `INSERT OR REPLACE` by deleting the old row, and fires
/// delete triggers only with `recursive_triggers` on; refusing any insert
/// whose id is taken closes that door whatever the connection's settings.
const SQLITE_GUARDS: [&str; 1] = [
    "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event \
     WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) \
     BEGIN SELECT RAISE(ABORT, 'audit events are permanent'); END",
];
const POSTGRES_GUARDS: [&str; 1] = [
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event \
     FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_permanent()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Enterprise::Table)
                    .add_column(
                        ColumnDef::new(Enterprise::CustodianOperatorId)
                            .integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enterprise_custodian")
                    .table(Enterprise::Table)
                    .col(Enterprise::CustodianOperatorId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(BACKFILL_CUSTODIANS).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .add_column(ColumnDef::new(AuditEvent::TokenId).integer().null())
                    .to_owned(),
            )
            .await?;
        let guards = match manager.get_database_backend() {
            DbBackend::Postgres => &POSTGRES_GUARDS[..],
            _ => &SQLITE_GUARDS[..],
        };
        for sql in guards {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
                )
                .await?
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_event_no_replace")
                    .await?
            }
        };
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .drop_column(AuditEvent::TokenId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_enterprise_custodian")
                    .table(Enterprise::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Enterprise::Table)
                    .drop_column(Enterprise::CustodianOperatorId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    CustodianOperatorId,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    TokenId,
}
