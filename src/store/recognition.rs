//! Level recognitions (级别认定).

use chrono::{NaiveDate, Utc};
use entity::level_recognition;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use super::audit::{self, Change, Operation};
use crate::domain::access::Actor;
use crate::domain::carrier::Level;
use crate::error::AppResult;

/// A recognition to record, validated.
#[derive(Debug, Clone)]
pub struct NewRecognition {
    pub carrier_id: i32,
    pub level: Level,
    pub recognised_on: NaiveDate,
    pub authority: String,
    pub document_number: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn record(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewRecognition,
) -> AppResult<level_recognition::Model> {
    let txn = super::begin_write(db).await?;
    let carrier = super::carrier::writable(&txn, actor, new.carrier_id).await?;
    let now = Utc::now();
    let row = level_recognition::ActiveModel {
        carrier_id: Set(new.carrier_id),
        level: Set(new.level.as_ref().to_owned()),
        recognised_on: Set(new.recognised_on),
        authority: Set(new.authority),
        document_number: Set(new.document_number),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = level_recognition::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    let change = Change::created(
        "LevelRecognition",
        model.id,
        Some(carrier.operator_id),
        &model,
    )?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok(model)
}
