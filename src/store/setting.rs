//! Settings the ADMIN changes through the API (五有 thresholds, targets):
//! one row a setting, its value as JSON, versioned and audited like any record.
//! A setting never written takes the defaults in the code.

use chrono::Utc;
use entity::setting::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit::{self, Change, Operation};
use super::versioned_update;
use crate::domain::access::Actor;
use crate::error::{AppError, AppResult};

/// A setting's value and the version a writer must quote (0: never written,
/// the defaults apply).
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: i32,
}

/// Setting `key`, or its defaults when never written.
pub async fn read<T, C>(db: &C, key: &str) -> AppResult<Versioned<T>>
where
    T: DeserializeOwned + Default,
    C: ConnectionTrait,
{
    let Some(row) = setting::Entity::find()
        .filter(Column::Key.eq(key))
        .one(db)
        .await?
    else {
        return Ok(Versioned {
            value: T::default(),
            version: 0,
        });
    };
    let value = serde_json::from_str(&row.value).map_err(|err| {
        tracing::error!(key, %err, "a stored setting does not read as its type");
        AppError::Internal
    })?;
    Ok(Versioned {
        value,
        version: row.version,
    })
}

/// Writes setting `key` if it is still at `version` (0 for a setting never
/// written), with its audit event. One transaction.
#[tracing::instrument(skip_all)]
pub async fn write<T>(
    db: &DatabaseConnection,
    actor: &Actor,
    key: &str,
    value: &T,
    version: i32,
) -> AppResult<Versioned<T>>
where
    T: Serialize + Clone,
{
    let json = serde_json::to_string(value).map_err(|_| AppError::Internal)?;
    let txn = super::begin_write(db).await?;
    let current = setting::Entity::find()
        .filter(Column::Key.eq(key))
        .one(&txn)
        .await?;
    let (model, operation, change) = match current {
        None if version != 0 => {
            return Err(AppError::conflict(
                format!("setting {key} was never written, so its version is 0, not {version}"),
                format!("配置项 {key} 尚未保存过，其版本为 0，而不是 {version}"),
            ));
        }
        None => {
            let now = Utc::now();
            let row = setting::ActiveModel {
                key: Set(key.to_owned()),
                value: Set(json),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            let model = setting::Entity::insert(row)
                .exec_with_returning(&txn)
                .await?;
            let change = Change::created("Setting", model.id, None, &model)?;
            (model, Operation::Create, change)
        }
        Some(current) => {
            let row = setting::ActiveModel {
                value: Set(json),
                ..Default::default()
            };
            let model = versioned_update::<setting::Entity, _>(
                &txn,
                row,
                current.id,
                current.version,
                version,
            )
            .await?;
            let change = Change::updated("Setting", model.id, None, &current, &model)?;
            (model, Operation::Update, change)
        }
    };
    audit::record(&txn, actor, operation, change).await?;
    txn.commit().await?;
    Ok(Versioned {
        value: value.clone(),
        version: model.version,
    })
}
