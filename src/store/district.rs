//! Districts: seeded by migration, read by everyone.

use entity::district;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{AppError, AppResult};

/// All districts, in their seeded order.
pub async fn all(db: &DatabaseConnection) -> AppResult<Vec<district::Model>> {
    Ok(district::Entity::find()
        .order_by_asc(district::Column::Id)
        .all(db)
        .await?)
}

/// The ids of the districts with these codes; an unknown code is an input error.
pub async fn ids_for_codes(
    db: &DatabaseConnection,
    field: &str,
    codes: &[String],
) -> AppResult<Vec<i32>> {
    let found = district::Entity::find()
        .filter(district::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?;
    if let Some(unknown) = codes
        .iter()
        .find(|code| !found.iter().any(|d| &d.code == *code))
    {
        let known: Vec<_> = all(db).await?.into_iter().map(|d| d.code).collect();
        return Err(AppError::invalid(
            field,
            format!(
                "unknown district code '{unknown}'; known codes: {}",
                known.join(", ")
            ),
            format!(
                "无法识别的行政区代码“{unknown}”；可用代码：{}",
                known.join("、")
            ),
        ));
    }
    Ok(found.into_iter().map(|d| d.id).collect())
}
