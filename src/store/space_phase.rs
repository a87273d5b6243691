//! Space phases: deliveries of floor area, and floor area summed in SQL.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::space_phase::{self, Column};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, QuerySelect,
};

use super::audit::{self, Change, Operation};
use super::correction::{Asked, Correction};
use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::carrier::SpaceSource;
use crate::error::AppResult;

/// A delivery of floor area, validated.
#[derive(Debug, Clone)]
pub struct NewSpacePhase {
    pub carrier_id: i32,
    pub label: Option<String>,
    pub area: FloorArea,
    pub delivered_on: NaiveDate,
    pub source: SpaceSource,
}

#[tracing::instrument(skip_all)]
pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewSpacePhase,
) -> AppResult<space_phase::Model> {
    let txn = super::begin_write(db).await?;
    let carrier = super::carrier::writable(&txn, actor, new.carrier_id).await?;
    let now = Utc::now();
    let row = space_phase::ActiveModel {
        carrier_id: Set(new.carrier_id),
        label: Set(new.label),
        area_m2: Set(new.area.square_metres()),
        delivered_on: Set(new.delivered_on),
        source: Set(new.source.as_ref().to_owned()),
        voided_at: Set(None),
        void_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = space_phase::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    let change = Change::created("SpacePhase", model.id, Some(carrier.operator_id), &model)?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// A correction of a phase entered wrongly: the fields to change, the rest
/// left as they are.
#[derive(Debug, Clone, Default)]
pub struct PhaseAmendment {
    pub label: Option<Option<String>>,
    pub area: Option<FloorArea>,
    pub delivered_on: Option<NaiveDate>,
    pub source: Option<SpaceSource>,
}

/// Corrects phase `id`, read at `version`, for `reason` (see
/// [`super::correction::correct`]): afterwards the carrier's tenants must
/// still fit in its phases that count, on every day.
#[tracing::instrument(skip_all)]
pub async fn correct(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    correction: Correction<PhaseAmendment>,
    reason: String,
) -> AppResult<space_phase::Model> {
    let amend = |row: &mut space_phase::ActiveModel, amendment: PhaseAmendment| {
        if let Some(label) = amendment.label {
            row.label = Set(label);
        }
        if let Some(area) = amendment.area {
            row.area_m2 = Set(area.square_metres());
        }
        if let Some(delivered_on) = amendment.delivered_on {
            row.delivered_on = Set(delivered_on);
        }
        if let Some(source) = amendment.source {
            row.source = Set(source.as_ref().to_owned());
        }
        Ok(())
    };
    let room_for_leases =
        async |txn: &DatabaseTransaction,
               carrier_id: i32,
               corrected: Option<&space_phase::ActiveModel>| {
            let counted = corrected.map(|row| (*row.delivered_on.as_ref(), *row.area_m2.as_ref()));
            super::inventory::check_phase_keeps_units(txn, id, counted).await?;
            let phases: Vec<(NaiveDate, f64)> = space_phase::Entity::find()
                .filter(Column::CarrierId.eq(carrier_id))
                .filter(Column::VoidedAt.is_null())
                .filter(Column::Id.ne(id))
                .all(txn)
                .await?
                .into_iter()
                .map(|phase| (phase.delivered_on, phase.area_m2))
                .chain(counted)
                .collect();
            super::tenancy::check_room_for_leases(txn, carrier_id, &phases).await
        };
    let asked = Asked {
        id,
        version,
        correction,
        reason,
    };
    super::correction::correct::<space_phase::Entity, _>(db, actor, asked, amend, room_for_leases)
        .await
}

#[derive(FromQueryResult)]
struct AreaSum {
    carrier_id: i32,
    area_m2: f64,
}

/// Floor area delivered on or before `as_of`, per carrier, summed in SQL.
/// Carriers with nothing delivered yet are absent. One SQL statement.
pub async fn floor_area_on(
    db: &DatabaseConnection,
    carrier_ids: &[i32],
    as_of: NaiveDate,
) -> AppResult<HashMap<i32, f64>> {
    let sums = space_phase::Entity::find()
        .select_only()
        .column(Column::CarrierId)
        .column_as(Expr::from(Func::sum(Expr::col(Column::AreaM2))), "area_m2")
        .filter(Column::CarrierId.is_in(carrier_ids.iter().copied()))
        .filter(Column::DeliveredOn.lte(as_of))
        .filter(Column::VoidedAt.is_null())
        .group_by(Column::CarrierId)
        .into_model::<AreaSum>()
        .all(db)
        .await?;
    Ok(sums
        .into_iter()
        .map(|sum| (sum.carrier_id, (sum.area_m2 * 100.0).round() / 100.0))
        .collect())
}
