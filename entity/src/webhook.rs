//! A webhook endpoint: where events of the subscribed types are POSTed, signed with its secret.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// An http or https URL.
    pub url: String,
    /// The event types subscribed to, separated by commas.
    pub event_types: String,
    /// The signing secret, `whsec_<base64>`; never read back through the API.
    pub secret: String,
    pub description: Option<String>,
    /// A paused endpoint keeps its deliveries waiting.
    pub paused: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
