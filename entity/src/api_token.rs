//! An API token: who may call, in which role. Only a hash of the secret is kept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Who holds the token, e.g. "新吴区科技局 dashboard"; audit events name it.
    pub name: String,
    /// `ADMIN`, `OPERATOR`, `BUREAU` or `VIEWER`.
    pub role: String,
    /// The operator an `OPERATOR` token is scoped to.
    pub operator_id: Option<i32>,
    /// SHA-256 of the secret, lower-case hex.
    #[sea_orm(unique)]
    pub secret_hash: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// When it stops being accepted; `None`: never (tokens issued before expiry existed).
    pub expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
