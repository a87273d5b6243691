//! One change, kept for good: who did what to which record, with the values
//! before and after. The database refuses updates and deletes of these rows.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// The token name of the caller.
    pub actor: String,
    /// The unique id of the caller's token (absent for the command line and the system).
    pub token_id: Option<i32>,
    /// The caller's role at the time.
    pub role: String,
    /// `CREATE`, `UPDATE` or `DELETE`.
    pub operation: String,
    /// The API type of the record, e.g. `Carrier`.
    pub entity_type: String,
    pub entity_id: i32,
    /// The operator whose data changed.
    pub operator_id: Option<i32>,
    /// The operator the record belonged to before, when the change moved it to another.
    pub former_operator_id: Option<i32>,
    /// The record before the change (JSON), absent for creations.
    pub before: Option<String>,
    /// The record after the change (JSON), absent for deletions.
    pub after: Option<String>,
    /// Why the change was made, for corrections (amendments and voids).
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
