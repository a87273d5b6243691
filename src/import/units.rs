//! Bulk import of units (房源) from a spreadsheet: `zaiti import units FILE`.
//! Read like the tenancy files of the parent module (CSV or workbook, header
//! found by name in English or Chinese, rows numbered as the spreadsheet
//! numbers them), and all or nothing the same way: every row is checked on
//! its own, then one transaction writes them through the store's rules and
//! rolls everything back if any row is refused, listing every refusal.
//!
//! | column | 中文 | required | value |
//! |---|---|---|---|
//! | `carrier_id` | 载体ID | yes | the carrier: its database id or its global ID |
//! | `building` | 楼栋 | yes | the building's name, e.g. `A栋`; recorded if the carrier has none of that name |
//! | `floor` | 楼层 | yes | 1 and up above ground, -1 and down below |
//! | `code` | 房号 | yes | unique within the building, e.g. `301` |
//! | `area_m2` | 面积 | yes | m² |
//! | `use` | 用途 | yes | 办公, 实验室, 厂房, 共享空间, 仓储, 其他 or the code (`OFFICE`, …) |
//! | `status` | 状态 | no | 可出租 (default), 装修中, 停用 or the code |
//! | `space_phase_id` | 空间分期ID | no | the phase the unit is carved out of; blank: the carrier's first delivered phase with room for it |

use std::collections::HashMap;

use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::cells::{area, carrier_id, named, required, whole};
use super::layout::Column;
use super::{Cell, Layout, Outcome, RowCheck, RowError};
use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::inventory::{UnitStatus, UnitUse, check_floor};
use crate::domain::text::required_text;
use crate::domain::{Message, ValidationError};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::inventory::NewUnit;

/// A column of the units layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    CarrierId,
    Building,
    Floor,
    Code,
    AreaM2,
    Use,
    Status,
    SpacePhaseId,
}

const COLUMNS: [Column<Field>; 8] = [
    Column::new(
        Field::CarrierId,
        "carrier_id",
        "载体ID",
        &["carrier", "载体编号"],
        true,
        "carrierId",
    ),
    Column::new(
        Field::Building,
        "building",
        "楼栋",
        &["楼号", "building_name"],
        true,
        "buildingId",
    ),
    Column::new(Field::Floor, "floor", "楼层", &["层"], true, "floor"),
    Column::new(
        Field::Code,
        "code",
        "房号",
        &["unit", "房间号", "房源编号"],
        true,
        "code",
    ),
    Column::new(
        Field::AreaM2,
        "area_m2",
        "面积",
        &["area", "建筑面积", "房源面积"],
        true,
        "areaM2",
    ),
    Column::new(
        Field::Use,
        "use",
        "用途",
        &["unit_use", "usage"],
        true,
        "unitUse",
    ),
    Column::new(
        Field::Status,
        "status",
        "状态",
        &["房源状态"],
        false,
        "status",
    ),
    Column::new(
        Field::SpacePhaseId,
        "space_phase_id",
        "空间分期ID",
        &["space_phase", "分期"],
        false,
        "spacePhaseId",
    ),
];

const LAYOUT: Layout<Field> = Layout(&COLUMNS);

/// One row, valid on its own.
#[derive(Debug, Clone)]
pub struct Row {
    number: u32,
    carrier_id: i32,
    building: String,
    floor: i32,
    code: String,
    area: FloorArea,
    unit_use: UnitUse,
    status: UnitStatus,
    space_phase_id: Option<i32>,
}

/// A units file read and checked on its own, ready to [`run`].
pub type Plan = super::Plan<Field, Row>;

/// Reads `bytes` (a file named `file_name`) and checks every row on its own.
/// `Err` only when the file cannot be read at all.
pub fn plan(file_name: &str, bytes: &[u8]) -> Result<Plan, ValidationError> {
    let sheet = LAYOUT.read(file_name, bytes)?;
    let mut seen: HashMap<(i32, String, String), u32> = HashMap::new();
    Ok(Plan::check(
        file_name,
        LAYOUT,
        &sheet,
        |number, cell, check| {
            let row = check_row(number, cell, check)?;
            let key = (row.carrier_id, row.building.clone(), row.code.clone());
            if let Some(first) = seen.get(&key) {
                check.push(
                    Field::Code,
                    Message::new(
                        format!(
                            "row {first} already has unit {} in {}",
                            row.code, row.building
                        ),
                        format!("第 {first} 行已有{}的房号 {}", row.building, row.code),
                    ),
                );
            } else {
                seen.insert(key, number);
            }
            Some(row)
        },
    ))
}

/// A refusal of the store on `row`, in the terms of the file: a clash on
/// the unit's code, anything else on the carrier unless it names an input.
fn store_error(plan: &Plan, row: u32, err: AppError) -> RowError {
    let fallback = if matches!(err, AppError::Conflict(_)) {
        Field::Code
    } else {
        Field::CarrierId
    };
    plan.header().store_error(row, err, fallback)
}

fn check_row<'c>(
    number: u32,
    cell: &dyn Fn(Field) -> &'c Cell,
    check: &mut RowCheck<Field>,
) -> Option<Row> {
    let text = |field: Field, api: &str| {
        required_text(api, &cell(field).text().unwrap_or_default()).map_err(|err| err.reason())
    };
    let carrier = check.take(Field::CarrierId, carrier_id(cell(Field::CarrierId)));
    let building = check.take(Field::Building, text(Field::Building, "building"));
    let code = check.take(Field::Code, text(Field::Code, "code"));
    let floor = whole(cell(Field::Floor))
        .and_then(|floor| check_floor("floor", floor).map_err(|err| err.reason()));
    let floor = check.take(Field::Floor, floor);
    let area = check.take(Field::AreaM2, required(cell(Field::AreaM2), "areaM2", area));
    let unit_use = named(cell(Field::Use), UnitUse::from_text, true);
    let unit_use = check.take(Field::Use, unit_use);
    let status = named(cell(Field::Status), UnitStatus::from_text, false);
    let status = check.take(Field::Status, status);
    let phase = match cell(Field::SpacePhaseId) {
        Cell::Empty => Some(None),
        other => check.take(Field::SpacePhaseId, whole(other).map(Some)),
    };
    Some(Row {
        number,
        carrier_id: carrier?,
        building: building?,
        floor: floor?,
        code: code?,
        area: area?,
        unit_use: unit_use??,
        status: status?.unwrap_or(UnitStatus::Available),
        space_phase_id: phase?,
    })
}

/// What a units import did (or, in a dry run or when refused, would have
/// done): `outcome.written` counts units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub outcome: Outcome,
    pub buildings_created: usize,
}

/// Writes `plan` as `actor` in one transaction, all or nothing; with
/// `dry_run`, checks everything and writes nothing.
#[tracing::instrument(skip_all, fields(file = %plan.file_name, rows = plan.rows_read, dry_run = dry_run))]
pub async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    plan: Plan,
    dry_run: bool,
) -> AppResult<Summary> {
    let mut summary = Summary {
        outcome: plan.outcome(dry_run),
        buildings_created: 0,
    };
    if !summary.outcome.errors.is_empty() {
        return Ok(summary);
    }
    let txn = store::begin_write(db).await?;
    write(&txn, actor, &plan, &mut summary).await?;
    plan.finish(txn, &mut summary.outcome).await?;
    if !summary.outcome.errors.is_empty() {
        summary.buildings_created = 0;
    }
    Ok(summary)
}

/// The writes of [`run`]. The store refuses before it writes (its checks
/// are reads), so a refused row leaves the transaction usable on
/// PostgreSQL and every refused row is listed.
async fn write(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan: &Plan,
    summary: &mut Summary,
) -> AppResult<()> {
    let mut buildings: HashMap<(i32, &str), i32> = HashMap::new();
    for row in plan.rows() {
        let key = (row.carrier_id, row.building.as_str());
        let building_id = match buildings.get(&key) {
            Some(&id) => id,
            None => {
                match store::inventory::building_named_in(txn, actor, row.carrier_id, &row.building)
                    .await
                {
                    Ok((building, created)) => {
                        summary.buildings_created += usize::from(created);
                        buildings.insert(key, building.id);
                        building.id
                    }
                    Err(AppError::Internal) => return Err(AppError::Internal),
                    Err(err) => {
                        summary
                            .outcome
                            .errors
                            .push(store_error(plan, row.number, err));
                        continue;
                    }
                }
            }
        };
        let phase = match row.space_phase_id {
            Some(id) => Ok(id),
            None => store::inventory::phase_with_room_in(txn, row.carrier_id, row.area).await,
        };
        let new = |space_phase_id| NewUnit {
            building_id,
            space_phase_id,
            code: row.code.clone(),
            floor: row.floor,
            area: row.area,
            unit_use: row.unit_use,
            status: row.status,
        };
        let written = match phase {
            Ok(phase) => store::inventory::add_unit_in(txn, actor, new(phase)).await,
            Err(err) => Err(err),
        };
        match written {
            Ok(_) => summary.outcome.written += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => summary
                .outcome
                .errors
                .push(store_error(plan, row.number, err)),
        }
    }
    Ok(())
}
