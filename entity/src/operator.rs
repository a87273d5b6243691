//! 运营主体: the organisation that runs carriers.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "operator")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// 统一社会信用代码, validated and upper-cased before it gets here.
    #[sea_orm(unique)]
    pub uscc: String,
    /// Ownership kind, e.g. `CITY_STATE_OWNED`.
    pub ownership: String,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The pinyin sort key of `name` (`zaiti::domain::text::pinyin_key`);
    /// null only until the server fills it for rows older than the column.
    pub name_pinyin: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
