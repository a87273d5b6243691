use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Audit events are permanent: the database itself refuses to change or
/// delete them, whatever code or person tries.
const SQLITE_GUARDS: [&str; 2] = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event \
     BEGIN SELECT RAISE(ABORT, 'audit events are permanent'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event \
     BEGIN SELECT RAISE(ABORT, 'audit events are permanent'); END",
];
const POSTGRES_GUARDS: [&str; 2] = [
    "CREATE FUNCTION audit_event_is_permanent() RETURNS trigger LANGUAGE plpgsql AS \
     $$ BEGIN RAISE EXCEPTION 'audit events are permanent'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event \
     FOR EACH ROW EXECUTE FUNCTION audit_event_is_permanent()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditEvent::Id))
                    .col(
                        timestamp_with_time_zone(AuditEvent::OccurredAt)
                            .default(Expr::current_timestamp()),
                    )
                    .col(string(AuditEvent::Actor))
                    .col(string(AuditEvent::Role))
                    .col(string(AuditEvent::Operation))
                    .col(string(AuditEvent::EntityType))
                    .col(integer(AuditEvent::EntityId))
                    // The operator whose data changed, so an operator can read its own trail.
                    .col(integer_null(AuditEvent::OperatorId))
                    // Set when a change moved the record away from an operator, who may still read it.
                    .col(integer_null(AuditEvent::FormerOperatorId))
                    .col(text_null(AuditEvent::Before))
                    .col(text_null(AuditEvent::After))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_audit_event_entity",
                vec![AuditEvent::EntityType, AuditEvent::EntityId],
            ),
            ("idx_audit_event_operator", vec![AuditEvent::OperatorId]),
            (
                "idx_audit_event_former_operator",
                vec![AuditEvent::FormerOperatorId],
            ),
            ("idx_audit_event_actor", vec![AuditEvent::Actor]),
            ("idx_audit_event_occurred", vec![AuditEvent::OccurredAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditEvent::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let guards = match manager.get_database_backend() {
            DbBackend::Postgres => &POSTGRES_GUARDS[..],
            _ => &SQLITE_GUARDS[..],
        };
        for sql in guards {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_event_is_permanent()")
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    OccurredAt,
    Actor,
    Role,
    Operation,
    EntityType,
    EntityId,
    OperatorId,
    FormerOperatorId,
    Before,
    After,
}
