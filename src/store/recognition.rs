//! Level recognitions (级别认定).

use chrono::{NaiveDate, Utc};
use entity::level_recognition;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait};

use super::audit::{self, Change, Operation};
use super::correction::{Asked, Correction};
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
    let model = record_in(&txn, actor, carrier.operator_id, new).await?;
    txn.commit().await?;
    Ok(model)
}

/// Records `new` inside the caller's transaction, which holds the lock of
/// the carrier (of operator `operator_id`), with its audit event.
pub(crate) async fn record_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    operator_id: i32,
    new: NewRecognition,
) -> AppResult<level_recognition::Model> {
    let now = Utc::now();
    let row = level_recognition::ActiveModel {
        carrier_id: Set(new.carrier_id),
        level: Set(new.level.as_ref().to_owned()),
        recognised_on: Set(new.recognised_on),
        authority: Set(new.authority),
        document_number: Set(new.document_number),
        voided_at: Set(None),
        void_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = level_recognition::Entity::insert(row)
        .exec_with_returning(txn)
        .await?;
    let change = Change::created("LevelRecognition", model.id, Some(operator_id), &model)?;
    audit::record(txn, actor, Operation::Create, change).await?;
    Ok(model)
}

/// A correction of a recognition entered wrongly: the fields to change.
#[derive(Debug, Clone, Default)]
pub struct RecognitionAmendment {
    pub level: Option<Level>,
    pub recognised_on: Option<NaiveDate>,
    pub authority: Option<String>,
    pub document_number: Option<Option<String>>,
}

/// Corrects recognition `id`, read at `version`, for `reason` (see
/// [`super::correction::correct`]). Recording a level is the bureau's, and
/// so is correcting one; no rule spans other rows.
#[tracing::instrument(skip_all)]
pub async fn correct(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    correction: Correction<RecognitionAmendment>,
    reason: String,
) -> AppResult<level_recognition::Model> {
    let amend = |row: &mut level_recognition::ActiveModel, amendment: RecognitionAmendment| {
        if let Some(level) = amendment.level {
            row.level = Set(level.as_ref().to_owned());
        }
        if let Some(recognised_on) = amendment.recognised_on {
            row.recognised_on = Set(recognised_on);
        }
        if let Some(authority) = amendment.authority {
            row.authority = Set(authority);
        }
        if let Some(document_number) = amendment.document_number {
            row.document_number = Set(document_number);
        }
        Ok(())
    };
    let no_rule_spans_rows =
        async |_: &sea_orm::DatabaseTransaction,
               _: i32,
               _: Option<&level_recognition::ActiveModel>| Ok(());
    let asked = Asked {
        id,
        version,
        correction,
        reason,
    };
    super::correction::correct::<level_recognition::Entity, _>(
        db,
        actor,
        asked,
        amend,
        no_rule_spans_rows,
    )
    .await
}
