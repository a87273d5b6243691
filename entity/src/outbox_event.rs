//! The transactional outbox: one row per audited change, written in the
//! change's own transaction, so an event exists exactly when its change
//! committed. The webhook worker fans each out into deliveries.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `<entity>.<operation>` in lower case, e.g. `carrier.created`.
    pub event_type: String,
    /// As the audit trail names it: `CREATE`, `AMEND`, …
    pub operation: String,
    /// The API type of the record, e.g. `Carrier`.
    pub entity_type: String,
    pub entity_id: i32,
    /// The operator whose data changed.
    pub operator_id: Option<i32>,
    /// The audit event of the same change.
    pub audit_event_id: i64,
    pub occurred_at: DateTimeUtc,
    /// Whether the worker has made this event's deliveries.
    pub fanned_out: bool,
    /// On PostgreSQL, the transaction that wrote the row (set by the
    /// database); null on SQLite. Live updates read the outbox in
    /// `(tx_id, id)` order.
    pub tx_id: Option<i64>,
    /// The carrier the changed record belongs to, if any.
    pub carrier_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
