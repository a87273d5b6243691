//! Districts: seeded by migration, read by everyone.

use entity::district;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{AppError, AppResult};

/// All districts, in their seeded order.
pub async fn all(db: &DatabaseConnection) -> AppResult<Vec<district::Model>> {
    Ok(district::Entity::find()
        .order_by_asc(district::Column::Id)
        .all(db)
        .await?)
}

/// The ids of the districts with these codes, each either the short code
/// (`xinwu`) or the GB/T 2260 administrative code (`320214`); an unknown
/// code is an input error that lists both kinds.
pub async fn ids_for_codes(
    db: &DatabaseConnection,
    field: &str,
    codes: &[String],
) -> AppResult<Vec<i32>> {
    let found = district::Entity::find()
        .filter(
            Condition::any()
                .add(district::Column::Code.is_in(codes.iter().cloned()))
                .add(district::Column::DivisionCode.is_in(codes.iter().cloned())),
        )
        .all(db)
        .await?;
    let known_as = |d: &district::Model, code: &str| {
        d.code == code || d.division_code.as_deref() == Some(code)
    };
    if let Some(unknown) = codes
        .iter()
        .find(|code| !found.iter().any(|d| known_as(d, code)))
    {
        let known: Vec<String> = all(db)
            .await?
            .into_iter()
            .map(|d| match d.division_code {
                Some(admin) => format!("{} ({admin})", d.code),
                None => d.code,
            })
            .collect();
        return Err(AppError::invalid(
            field,
            format!(
                "unknown district code '{unknown}'; known codes (GB/T 2260 codes in brackets): {}",
                known.join(", ")
            ),
            format!(
                "无法识别的行政区代码“{unknown}”；可用代码（括号内为 GB/T 2260 行政区划代码）：{}",
                known.join("、")
            ),
        ));
    }
    Ok(found.into_iter().map(|d| d.id).collect())
}
