//! Level recognitions (级别认定).

use async_graphql::{Context, ID, InputObject, Object};
use chrono::Utc;
use entity::level_recognition;

use super::carrier::Carrier;
use super::correction::VoidRecordInput;
use super::enums::Level;
use super::error::ApiResult;
use super::loaders::{self, required};
use super::node::{NodeType, expect, global_id};
use super::scalars::{Date, DateTime};
use crate::domain::level::{Recognition, check_recognised_on};
use crate::domain::text::{optional_text, required_text};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::correction::Correction;
use crate::store::recognition::{NewRecognition, RecognitionAmendment};

/// 级别认定: a dated recognition of a carrier at a level by an authority.
#[derive(Debug, Clone)]
pub struct LevelRecognition {
    id: i32,
    carrier_id: i32,
    level: crate::domain::carrier::Level,
    recognised_on: chrono::NaiveDate,
    authority: String,
    document_number: Option<String>,
    voided_at: Option<chrono::DateTime<Utc>>,
    void_reason: Option<String>,
    version: i32,
    created_at: chrono::DateTime<Utc>,
}

impl LevelRecognition {
    /// The recognition as the level rule sees it.
    pub fn rule_view(&self) -> Recognition {
        Recognition {
            level: self.level,
            recognised_on: self.recognised_on,
            sequence: i64::from(self.id),
        }
    }
}

impl TryFrom<level_recognition::Model> for LevelRecognition {
    type Error = AppError;

    fn try_from(row: level_recognition::Model) -> Result<Self, AppError> {
        Ok(Self {
            level: stored("level_recognition.level", &row.level)?,
            id: row.id,
            carrier_id: row.carrier_id,
            recognised_on: row.recognised_on,
            authority: row.authority,
            document_number: row.document_number,
            voided_at: row.voided_at,
            void_reason: row.void_reason,
            version: row.version,
            created_at: row.created_at,
        })
    }
}

/// 级别认定: a dated recognition of a carrier at a level by an authority.
#[Object]
impl LevelRecognition {
    /// The global ID of the recognition.
    pub async fn id(&self) -> ID {
        global_id(NodeType::LevelRecognition, self.id)
    }

    /// The carrier recognised.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.carrier_id).await?;
        required(carrier, "carrier", self.carrier_id)
    }

    /// The level recognised; NONE records a withdrawal.
    async fn level(&self) -> Level {
        self.level.into()
    }

    /// The date of the recognition.
    async fn recognised_on(&self) -> Date {
        self.recognised_on.into()
    }

    /// 认定机构: the issuing authority, e.g. 江苏省科学技术厅.
    async fn authority(&self) -> &str {
        &self.authority
    }

    /// 文号: the number of the recognising document, when known.
    async fn document_number(&self) -> Option<&str> {
        self.document_number.as_deref()
    }

    /// 作废时间: when the recognition was voided as entered in error; it then
    /// counts toward no level and no target. Null while it counts.
    async fn voided_at(&self) -> Option<DateTime> {
        self.voided_at.map(DateTime::from)
    }

    /// 作废原因: why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.void_reason.as_deref()
    }

    /// Row version; pass it back to amend or void the recognition.
    async fn version(&self) -> i32 {
        self.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.created_at.into()
    }
}

/// A level recognition to record.
#[derive(InputObject)]
pub struct RecordLevelRecognitionInput {
    /// The carrier, by global ID.
    pub carrier_id: ID,
    /// The level recognised; NONE records a withdrawal.
    pub level: Level,
    /// Date of recognition; not in the future.
    pub recognised_on: Date,
    /// The issuing authority; not empty.
    pub authority: String,
    /// The number of the recognising document.
    pub document_number: Option<String>,
}

impl RecordLevelRecognitionInput {
    fn validate(self) -> Result<NewRecognition, AppError> {
        check_recognised_on(self.recognised_on.0, store::today())?;
        Ok(NewRecognition {
            carrier_id: expect("carrierId", &self.carrier_id, NodeType::Carrier)?,
            level: self.level.into(),
            recognised_on: self.recognised_on.0,
            authority: required_text("authority", &self.authority)?,
            document_number: optional_text("documentNumber", self.document_number.as_deref())?,
        })
    }
}

/// 更正: a correction of a recognition entered wrongly. Give only the fields to change.
#[derive(InputObject)]
pub struct AmendLevelRecognitionInput {
    /// The recognition, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Why the record is corrected (kept in the audit trail).
    pub reason: String,
    /// The right level.
    pub level: Option<Level>,
    /// The right date of recognition; not in the future.
    pub recognised_on: Option<Date>,
    /// The right issuing authority.
    pub authority: Option<String>,
    /// The right document number; an empty string clears it.
    pub document_number: Option<String>,
}

impl AmendLevelRecognitionInput {
    fn validate(self) -> Result<(i32, i32, RecognitionAmendment, String), AppError> {
        if let Some(date) = &self.recognised_on {
            check_recognised_on(date.0, store::today())?;
        }
        let amendment = RecognitionAmendment {
            level: self.level.map(Into::into),
            recognised_on: self.recognised_on.map(|date| date.0),
            authority: self
                .authority
                .map(|text| required_text("authority", &text))
                .transpose()?,
            document_number: self
                .document_number
                .map(|text| optional_text("documentNumber", Some(&text)))
                .transpose()?,
        };
        if amendment.level.is_none()
            && amendment.recognised_on.is_none()
            && amendment.authority.is_none()
            && amendment.document_number.is_none()
        {
            return Err(AppError::invalid(
                "input",
                "name at least one field to correct",
                "请至少填写一项要更正的内容",
            ));
        }
        Ok((
            expect("id", &self.id, NodeType::LevelRecognition)?,
            self.version,
            amendment,
            required_text("reason", &self.reason)?,
        ))
    }
}

#[derive(Default)]
pub struct RecognitionMutation;

#[Object]
impl RecognitionMutation {
    /// Records that a carrier was recognised at a level (or that a recognition was withdrawn).
    async fn record_level_recognition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: RecordLevelRecognitionInput,
    ) -> ApiResult<LevelRecognition> {
        let row =
            store::recognition::record(super::db(ctx)?, super::actor(ctx)?, input.validate()?)
                .await?;
        Ok(LevelRecognition::try_from(row)?)
    }

    /// 更正: corrects a recognition entered wrongly (level, date, authority or
    /// document number), with a reason. ADMIN only, as recording one is.
    /// Audited as AMEND with the reason; `knownAt` before it still gives the
    /// old figures.
    async fn amend_level_recognition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: AmendLevelRecognitionInput,
    ) -> ApiResult<LevelRecognition> {
        let (id, version, amendment, reason) = input.validate()?;
        correct(ctx, id, version, Correction::Amend(amendment), reason).await
    }

    /// 作废: voids a recognition entered in error, with a reason. It stays
    /// readable (with `voidedAt` and `voidReason`, and through
    /// `recognitions(includeVoided: true)`) but counts toward no level and no
    /// target from then on. ADMIN only; a void is final (CONFLICT after).
    async fn void_level_recognition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which recognition, and why.")] input: VoidRecordInput,
    ) -> ApiResult<LevelRecognition> {
        let (id, version, reason) = input.validate(NodeType::LevelRecognition)?;
        correct(ctx, id, version, Correction::Void, reason).await
    }
}

async fn correct(
    ctx: &Context<'_>,
    id: i32,
    version: i32,
    correction: Correction<RecognitionAmendment>,
    reason: String,
) -> ApiResult<LevelRecognition> {
    let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
    let row = store::recognition::correct(db, actor, id, version, correction, reason).await?;
    Ok(LevelRecognition::try_from(row)?)
}
