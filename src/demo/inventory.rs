//! The demo's space inventory (房源): for every carrier with delivered space,
//! a building per delivered phase, a unit for each of some tenancies in force
//! (named by the tenancy, of the area it leases), and a few vacant units,
//! all within the phase's area.

use chrono::NaiveDate;
use entity::{building, carrier, space_phase, tenancy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::inventory::{UnitStatus, UnitUse};
use crate::domain::tenancy::Span;
use crate::error::AppResult;
use crate::store;
use crate::store::inventory::{NewBuilding, NewUnit};

/// Tenancies in force per carrier that name a unit: some, not all, so the
/// free-text `unit` of older records stays in use beside them.
const NAMED_PER_CARRIER: usize = 6;
/// Areas of the vacant units offered in each phase, where they fit.
const VACANT_AREAS_M2: [f64; 3] = [60.0, 120.0, 240.0];
/// Units on a floor, for numbering.
const UNITS_PER_FLOOR: usize = 4;

/// A unit the demo writes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UnitPlan {
    /// Index into the phases given to [`plan_units`].
    pub phase: usize,
    pub floor: i32,
    pub code: String,
    pub area_m2: f64,
    pub unit_use: UnitUse,
    /// The tenancy (database id) that names it.
    pub tenancy: Option<i32>,
}

/// The units of one carrier: one for each lease (`(tenancy id, area)`) in the
/// first phase (`area`, in delivery order) with room for it, then the vacant
/// sizes that still fit in each phase. Numbered per phase: floor by floor,
/// four to a floor.
pub(super) fn plan_units(phase_areas: &[f64], leases: &[(i32, f64)]) -> Vec<UnitPlan> {
    let mut room: Vec<f64> = phase_areas.to_vec();
    let mut placed: Vec<(usize, f64, Option<i32>)> = Vec::new();
    for &(tenancy, area) in leases {
        if let Some(phase) = room.iter().position(|&left| left + 1e-6 >= area) {
            room[phase] -= area;
            placed.push((phase, area, Some(tenancy)));
        }
    }
    for (phase, left) in room.iter_mut().enumerate() {
        for area in VACANT_AREAS_M2 {
            if *left + 1e-6 >= area {
                *left -= area;
                placed.push((phase, area, None));
            }
        }
    }
    let mut counts = vec![0usize; phase_areas.len()];
    placed
        .into_iter()
        .map(|(phase, area_m2, tenancy)| {
            let index = counts[phase];
            counts[phase] += 1;
            let floor = i32::try_from(index / UNITS_PER_FLOOR + 1).unwrap_or(i32::MAX);
            let unit_use = match (index % 5, area_m2 >= 240.0) {
                (_, true) => UnitUse::Workshop,
                (4, false) => UnitUse::Lab,
                _ => UnitUse::Office,
            };
            UnitPlan {
                phase,
                floor,
                code: format!("{floor}{:02}", index % UNITS_PER_FLOOR + 1),
                area_m2,
                unit_use,
                tenancy,
            }
        })
        .collect()
}

/// Writes the inventory unless a building exists already; how many
/// buildings and units it wrote, and how many units tenancies name.
pub(super) async fn write(
    db: &DatabaseConnection,
    actor: &Actor,
) -> AppResult<Option<(usize, usize, usize)>> {
    if building::Entity::find().one(db).await?.is_some() {
        return Ok(None);
    }
    let today = store::today();
    let carriers = carrier::Entity::find()
        .order_by_asc(carrier::Column::Id)
        .all(db)
        .await?;
    let (mut buildings, mut units, mut named) = (0, 0, 0);
    for carrier in carriers {
        let phases = space_phase::Entity::find()
            .filter(space_phase::Column::CarrierId.eq(carrier.id))
            .filter(space_phase::Column::VoidedAt.is_null())
            .filter(space_phase::Column::DeliveredOn.lte(today))
            .order_by_asc(space_phase::Column::DeliveredOn)
            .order_by_asc(space_phase::Column::Id)
            .all(db)
            .await?;
        if phases.is_empty() {
            continue;
        }
        let leases = leases_in_force(db, carrier.id, today).await?;
        let areas: Vec<f64> = phases.iter().map(|phase| phase.area_m2).collect();
        let plan = plan_units(&areas, &leases);
        let mut building_ids = vec![None; phases.len()];
        for unit in plan {
            let building_id = match building_ids[unit.phase] {
                Some(id) => id,
                None => {
                    let new = NewBuilding {
                        carrier_id: carrier.id,
                        name: format!("{}号楼", unit.phase + 1),
                        footprint: None,
                    };
                    let id = store::inventory::add_building(db, actor, new).await?.id;
                    buildings += 1;
                    building_ids[unit.phase] = Some(id);
                    id
                }
            };
            let new = NewUnit {
                building_id,
                space_phase_id: phases[unit.phase].id,
                code: unit.code,
                floor: unit.floor,
                area: FloorArea::parse("areaM2", unit.area_m2)?,
                unit_use: unit.unit_use,
                status: UnitStatus::Available,
            };
            let unit_id = store::inventory::add_unit(db, actor, new).await?.id;
            units += 1;
            if let Some(tenancy_id) = unit.tenancy {
                let version = tenancy::Entity::find_by_id(tenancy_id)
                    .one(db)
                    .await?
                    .map_or(1, |row| row.version);
                store::inventory::set_tenancy_units(db, actor, tenancy_id, version, vec![unit_id])
                    .await?;
                named += 1;
            }
        }
    }
    Ok(Some((buildings, units, named)))
}

/// Up to [`NAMED_PER_CARRIER`] tenancies of the carrier in force on `today`,
/// earliest first, as `(id, area)`.
async fn leases_in_force(
    db: &DatabaseConnection,
    carrier_id: i32,
    today: NaiveDate,
) -> AppResult<Vec<(i32, f64)>> {
    Ok(tenancy::Entity::find()
        .filter(tenancy::Column::CarrierId.eq(carrier_id))
        .filter(tenancy::Column::VoidedAt.is_null())
        .order_by_asc(tenancy::Column::MovedInOn)
        .order_by_asc(tenancy::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|row| {
            Span {
                moved_in: row.moved_in_on,
                moved_out: row.moved_out_on,
            }
            .in_force_on(today)
        })
        .take(NAMED_PER_CARRIER)
        .map(|row| (row.id, row.area_m2))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_fit_their_phases_and_leases_get_a_unit_each_where_there_is_room() {
        let plan = plan_units(&[500.0, 300.0], &[(1, 400.0), (2, 200.0), (3, 900.0)]);
        let mut per_phase = [0.0, 0.0];
        for unit in &plan {
            per_phase[unit.phase] += unit.area_m2;
        }
        assert!(per_phase[0] <= 500.0 && per_phase[1] <= 300.0, "{plan:?}");
        let named: Vec<(usize, Option<i32>)> = plan
            .iter()
            .filter(|unit| unit.tenancy.is_some())
            .map(|unit| (unit.phase, unit.tenancy))
            .collect();
        assert_eq!(named, [(0, Some(1)), (1, Some(2))]);
        // 100 m² left in phase 0 takes a 60 m² vacant unit; 100 left in phase 1 too.
        assert_eq!(plan.len(), 4);
        let codes: Vec<&str> = plan.iter().map(|unit| unit.code.as_str()).collect();
        assert_eq!(codes, ["101", "101", "102", "102"]);
    }
}
