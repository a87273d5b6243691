//! One outbox event to one webhook endpoint, with its attempts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub webhook_id: i32,
    pub outbox_event_id: i64,
    /// The event's record: deliveries of one record to one endpoint go in order.
    pub entity_type: String,
    pub entity_id: i32,
    /// `PENDING`, `DELIVERED` or `FAILED`.
    pub status: String,
    pub attempts: i32,
    /// When the next attempt is due (while PENDING); pushed ahead while an attempt is in flight.
    pub next_attempt_at: DateTimeUtc,
    /// A failed attempt after this moment marks the delivery FAILED.
    pub give_up_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub last_response_code: Option<i32>,
    pub latency_ms: Option<i32>,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
