//! Level recognitions (级别认定).

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::level_recognition;

use super::carrier::Carrier;
use super::enums::Level;
use super::error::ApiResult;
use super::loaders::{self, required};
use super::node::{NodeType, expect, global_id};
use super::scalars::Date;
use crate::domain::level::{Recognition, check_recognised_on};
use crate::domain::text::{optional_text, required_text};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::recognition::NewRecognition;

/// 级别认定: a dated recognition of a carrier at a level by an authority.
#[derive(Debug, Clone)]
pub struct LevelRecognition {
    id: i32,
    carrier_id: i32,
    level: crate::domain::carrier::Level,
    recognised_on: chrono::NaiveDate,
    authority: String,
    document_number: Option<String>,
    created_at: DateTime<Utc>,
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

    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
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
}
