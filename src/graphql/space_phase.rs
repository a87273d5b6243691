//! Space phases: deliveries of floor area to a carrier.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::Utc;
use entity::space_phase;

use super::carrier::Carrier;
use super::correction::VoidRecordInput;
use super::enums::SpaceSource;
use super::error::ApiResult;
use super::loaders::{self, required};
use super::node::{NodeType, expect, global_id};
use super::scalars::{Date, DateTime};
use crate::domain::area::FloorArea;
use crate::domain::dates::check_plausible;
use crate::domain::text::{optional_text, required_text};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::correction::Correction;
use crate::store::space_phase::{NewSpacePhase, PhaseAmendment};

/// A space phase: one delivery of floor area to a carrier. A carrier grows by phases.
#[derive(Debug, Clone)]
pub struct SpacePhase {
    id: i32,
    carrier_id: i32,
    label: Option<String>,
    area_m2: f64,
    delivered_on: chrono::NaiveDate,
    source: crate::domain::carrier::SpaceSource,
    voided_at: Option<chrono::DateTime<Utc>>,
    void_reason: Option<String>,
    version: i32,
    created_at: chrono::DateTime<Utc>,
}

impl TryFrom<space_phase::Model> for SpacePhase {
    type Error = AppError;

    fn try_from(row: space_phase::Model) -> Result<Self, AppError> {
        Ok(Self {
            source: stored("space_phase.source", &row.source)?,
            id: row.id,
            carrier_id: row.carrier_id,
            label: row.label,
            area_m2: row.area_m2,
            delivered_on: row.delivered_on,
            voided_at: row.voided_at,
            void_reason: row.void_reason,
            version: row.version,
            created_at: row.created_at,
        })
    }
}

/// A space phase: one delivery of floor area to a carrier. A carrier grows by phases.
#[Object]
impl SpacePhase {
    /// The global ID of the phase.
    pub async fn id(&self) -> ID {
        global_id(NodeType::SpacePhase, self.id)
    }

    /// The carrier the space belongs to.
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.carrier_id).await?;
        required(carrier, "carrier", self.carrier_id)
    }

    /// Free label, e.g. 一期 (phase one).
    async fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// Floor area delivered, in m².
    async fn area_m2(&self) -> f64 {
        self.area_m2
    }

    /// Date the space was (or is planned to be) delivered.
    async fn delivered_on(&self) -> Date {
        self.delivered_on.into()
    }

    /// Where the space came from.
    async fn source(&self) -> SpaceSource {
        self.source.into()
    }

    /// 作废时间: when the phase was voided as entered in error; a voided
    /// phase counts in no figure from then on. Null while it counts.
    async fn voided_at(&self) -> Option<DateTime> {
        self.voided_at.map(DateTime::from)
    }

    /// 作废原因: why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.void_reason.as_deref()
    }

    /// Row version; pass it back to amend or void the phase.
    async fn version(&self) -> i32 {
        self.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.created_at.into()
    }
}

/// A delivery of floor area to record.
#[derive(InputObject)]
pub struct AddSpacePhaseInput {
    /// The carrier, by global ID.
    pub carrier_id: ID,
    /// Floor area in m²: positive, at most 2,000,000.
    pub area_m2: f64,
    /// Delivery date (a future date records a planned delivery).
    pub delivered_on: Date,
    /// Where the space came from.
    pub source: SpaceSource,
    /// Free label, e.g. 一期.
    pub label: Option<String>,
}

impl AddSpacePhaseInput {
    fn validate(self) -> Result<NewSpacePhase, AppError> {
        check_plausible("deliveredOn", self.delivered_on.0)?;
        Ok(NewSpacePhase {
            carrier_id: expect("carrierId", &self.carrier_id, NodeType::Carrier)?,
            label: optional_text("label", self.label.as_deref())?,
            area: FloorArea::parse("areaM2", self.area_m2)?,
            delivered_on: self.delivered_on.0,
            source: self.source.into(),
        })
    }
}

/// 更正: a correction of a phase entered wrongly. Give only the fields to change.
#[derive(InputObject)]
pub struct AmendSpacePhaseInput {
    /// The phase, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Why the record is corrected (kept in the audit trail), e.g. the document that shows the right figure.
    pub reason: String,
    /// The right floor area in m².
    pub area_m2: Option<f64>,
    /// The right delivery date.
    pub delivered_on: Option<Date>,
    /// The right source of the space.
    pub source: Option<SpaceSource>,
    /// The right label; an empty string clears it.
    pub label: Option<String>,
}

impl AmendSpacePhaseInput {
    fn validate(self) -> Result<(i32, i32, Correction<PhaseAmendment>, String), AppError> {
        if let Some(date) = &self.delivered_on {
            check_plausible("deliveredOn", date.0)?;
        }
        let amendment = PhaseAmendment {
            label: self
                .label
                .map(|label| optional_text("label", Some(&label)))
                .transpose()?,
            area: self
                .area_m2
                .map(|area| FloorArea::parse("areaM2", area))
                .transpose()?,
            delivered_on: self.delivered_on.map(|date| date.0),
            source: self.source.map(Into::into),
        };
        if amendment.label.is_none()
            && amendment.area.is_none()
            && amendment.delivered_on.is_none()
            && amendment.source.is_none()
        {
            return Err(AppError::invalid(
                "input",
                "name at least one field to correct",
                "请至少填写一项要更正的内容",
            ));
        }
        Ok((
            expect("id", &self.id, NodeType::SpacePhase)?,
            self.version,
            Correction::Amend(amendment),
            required_text("reason", &self.reason)?,
        ))
    }
}

#[derive(Default)]
pub struct SpacePhaseMutation;

#[Object]
impl SpacePhaseMutation {
    /// Records a delivery of floor area to a carrier.
    async fn add_space_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: AddSpacePhaseInput,
    ) -> ApiResult<SpacePhase> {
        let row =
            store::space_phase::add(super::db(ctx)?, super::actor(ctx)?, input.validate()?).await?;
        Ok(SpacePhase::try_from(row)?)
    }

    /// 更正: corrects a phase entered wrongly (area, date, source or label),
    /// with a reason, under the rules of adding one: the carrier's leases
    /// must still fit in its space on every day. Audited as AMEND with the
    /// reason; `knownAt` before it still gives the old figures.
    async fn amend_space_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: AmendSpacePhaseInput,
    ) -> ApiResult<SpacePhase> {
        let (id, version, correction, reason) = input.validate()?;
        correct(ctx, id, version, correction, reason).await
    }

    /// 作废: voids a phase entered in error, with a reason. It stays readable
    /// (with `voidedAt` and `voidReason`) but counts in no figure from then
    /// on; `knownAt` before the void still counts it. A voided phase cannot
    /// be corrected again (CONFLICT).
    async fn void_space_phase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which phase, and why.")] input: VoidRecordInput,
    ) -> ApiResult<SpacePhase> {
        let (id, version, reason) = input.validate(NodeType::SpacePhase)?;
        correct(ctx, id, version, Correction::Void, reason).await
    }
}

async fn correct(
    ctx: &Context<'_>,
    id: i32,
    version: i32,
    correction: Correction<PhaseAmendment>,
    reason: String,
) -> ApiResult<SpacePhase> {
    let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
    let row = store::space_phase::correct(db, actor, id, version, correction, reason).await?;
    Ok(SpacePhase::try_from(row)?)
}
