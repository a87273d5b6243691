//! Space phases: deliveries of floor area to a carrier.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::space_phase;

use super::carrier::Carrier;
use super::enums::SpaceSource;
use super::error::ApiResult;
use super::loaders::{self, required};
use super::node::{NodeType, expect, global_id};
use super::scalars::Date;
use crate::domain::area::FloorArea;
use crate::domain::dates::check_plausible;
use crate::domain::text::optional_text;
use crate::error::{AppError, stored};
use crate::store;
use crate::store::space_phase::NewSpacePhase;

/// A space phase: one delivery of floor area to a carrier. A carrier grows by phases.
#[derive(Debug, Clone)]
pub struct SpacePhase {
    id: i32,
    carrier_id: i32,
    label: Option<String>,
    area_m2: f64,
    delivered_on: chrono::NaiveDate,
    source: crate::domain::carrier::SpaceSource,
    version: i32,
    created_at: DateTime<Utc>,
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

    /// Row version.
    async fn version(&self) -> i32 {
        self.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at
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
        // New floor area changes the leasable area, hence the occupancy rate.
        super::subscription::occupancy_may_have_changed(ctx, row.carrier_id).await;
        Ok(SpacePhase::try_from(row)?)
    }
}
