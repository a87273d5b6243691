//! The made-up demo portfolio.

use sea_orm::DatabaseConnection;

use crate::error::AppResult;

pub async fn load(_db: &DatabaseConnection) -> AppResult<String> {
    Ok(String::new())
}
