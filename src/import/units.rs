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

use super::{Cell, RowError, Sheet, area, carrier_id, empty, normalise, read_sheet_of, required};
use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::inventory::{UnitStatus, UnitUse, check_floor};
use crate::domain::text::required_text;
use crate::domain::{Message, ValidationError};
use crate::error::{AppError, AppResult, entity_name_zh};
use crate::store;
use crate::store::inventory::NewUnit;

/// A column of the units layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    CarrierId,
    Building,
    Floor,
    Code,
    AreaM2,
    Use,
    Status,
    SpacePhaseId,
}

/// (field, English header, Chinese header, other headers, required, input field of the domain rules)
type Column = (
    Field,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static str,
);

const COLUMNS: [Column; 8] = [
    (
        Field::CarrierId,
        "carrier_id",
        "载体ID",
        &["carrier", "载体编号"],
        true,
        "carrierId",
    ),
    (
        Field::Building,
        "building",
        "楼栋",
        &["楼号", "building_name"],
        true,
        "buildingId",
    ),
    (Field::Floor, "floor", "楼层", &["层"], true, "floor"),
    (
        Field::Code,
        "code",
        "房号",
        &["unit", "房间号", "房源编号"],
        true,
        "code",
    ),
    (
        Field::AreaM2,
        "area_m2",
        "面积",
        &["area", "建筑面积", "房源面积"],
        true,
        "areaM2",
    ),
    (
        Field::Use,
        "use",
        "用途",
        &["unit_use", "usage"],
        true,
        "unitUse",
    ),
    (
        Field::Status,
        "status",
        "状态",
        &["房源状态"],
        false,
        "status",
    ),
    (
        Field::SpacePhaseId,
        "space_phase_id",
        "空间分期ID",
        &["space_phase", "分期"],
        false,
        "spacePhaseId",
    ),
];

fn field_of_header(header: &str) -> Option<Field> {
    let wanted = normalise(header);
    COLUMNS
        .iter()
        .find(|(_, name, chinese, aliases, _, api)| {
            [name, chinese, api]
                .into_iter()
                .chain(aliases.iter())
                .any(|name| normalise(name) == wanted)
        })
        .map(|column| column.0)
}

fn field_of_api(api: &str) -> Option<Field> {
    COLUMNS
        .iter()
        .find(|column| column.5 == api)
        .map(|column| column.0)
}

/// One row, valid on its own.
#[derive(Debug, Clone)]
struct Row {
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
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub file_name: String,
    pub rows_read: usize,
    /// Every error found so far; when any, [`run`] touches no database.
    pub errors: Vec<RowError>,
    /// Headers matching no column of the layout: their cells were not read.
    pub ignored_columns: Vec<String>,
    headers: HashMap<Field, String>,
    rows: Vec<Row>,
}

impl Plan {
    fn error(&self, row: u32, field: Field, message: Message) -> RowError {
        let header = self.headers.get(&field).cloned().or_else(|| {
            COLUMNS
                .iter()
                .find(|column| column.0 == field)
                .map(|column| column.1.to_owned())
        });
        RowError {
            row,
            column: header,
            message,
        }
    }

    /// A refusal of the store on `row`, in the terms of the file.
    fn store_error(&self, row: u32, err: AppError) -> RowError {
        match err {
            AppError::Invalid(invalid) => self.error(
                row,
                field_of_api(&invalid.field).unwrap_or(Field::CarrierId),
                invalid.reason(),
            ),
            AppError::NotFound { entity, id } => self.error(
                row,
                Field::CarrierId,
                Message::new(
                    format!("no {} with id {id}", entity.to_lowercase()),
                    format!("未找到编号为 {id} 的{}", entity_name_zh(entity)),
                ),
            ),
            AppError::Conflict(message) => self.error(row, Field::Code, message),
            other => self.error(row, Field::CarrierId, other.message()),
        }
    }
}

/// Reads `bytes` (a file named `file_name`) and checks every row on its own.
/// `Err` only when the file cannot be read at all.
pub fn plan(file_name: &str, bytes: &[u8]) -> Result<Plan, ValidationError> {
    let sheet = read_sheet_of(file_name, bytes, &|header| {
        field_of_header(header).is_some()
    })?;
    Ok(check_sheet(file_name, &sheet))
}

fn check_sheet(file_name: &str, sheet: &Sheet) -> Plan {
    let mut plan = Plan {
        file_name: file_name.to_owned(),
        rows_read: sheet.rows.len(),
        ..Plan::default()
    };
    let mut positions: HashMap<Field, usize> = HashMap::new();
    for (position, header) in sheet.header.iter().enumerate() {
        match field_of_header(header) {
            Some(field) if !positions.contains_key(&field) => {
                positions.insert(field, position);
                plan.headers.insert(field, header.trim().to_owned());
            }
            Some(field) => {
                let message = Message::new(
                    format!("column '{header}' repeats an earlier column; keep one of them"),
                    format!("“{header}”列与前面的列重复，请只保留其中一列"),
                );
                plan.errors
                    .push(plan.error(sheet.header_row, field, message));
            }
            None if header.trim().is_empty() => {}
            None => plan.ignored_columns.push(header.trim().to_owned()),
        }
    }
    for (field, name, chinese, ..) in COLUMNS.iter().filter(|column| column.4) {
        if !positions.contains_key(field) {
            let message = Message::new(
                format!("the file has no {name} column: add one headed {name} (or {chinese})"),
                format!("文件缺少“{chinese}”列：请添加表头为“{chinese}”（或 {name}）的列"),
            );
            plan.errors
                .push(plan.error(sheet.header_row, *field, message));
        }
    }
    if !plan.errors.is_empty() {
        return plan;
    }
    let mut seen: HashMap<(i32, String, String), u32> = HashMap::new();
    for (number, cells) in &sheet.rows {
        let cell = |field: Field| {
            positions
                .get(&field)
                .and_then(|&position| cells.get(position))
                .unwrap_or(&Cell::Empty)
        };
        let mut errors: Vec<(Field, Message)> = Vec::new();
        if let Some(row) = check_row(*number, &cell, &mut errors) {
            let key = (row.carrier_id, row.building.clone(), row.code.clone());
            match seen.get(&key) {
                Some(first) => errors.push((
                    Field::Code,
                    Message::new(
                        format!(
                            "row {first} already has unit {} in {}",
                            row.code, row.building
                        ),
                        format!("第 {first} 行已有{}的房号 {}", row.building, row.code),
                    ),
                )),
                None => {
                    seen.insert(key, *number);
                }
            }
            if errors.is_empty() {
                plan.rows.push(row);
            }
        }
        for (field, message) in errors {
            plan.errors.push(plan.error(*number, field, message));
        }
    }
    plan
}

fn check_row<'a>(
    number: u32,
    cell: &impl Fn(Field) -> &'a Cell,
    errors: &mut Vec<(Field, Message)>,
) -> Option<Row> {
    fn take<T>(
        errors: &mut Vec<(Field, Message)>,
        field: Field,
        result: Result<T, Message>,
    ) -> Option<T> {
        result.map_err(|message| errors.push((field, message))).ok()
    }
    let text = |field: Field, api: &str| {
        required_text(api, &cell(field).text().unwrap_or_default()).map_err(|err| err.reason())
    };
    let carrier = take(errors, Field::CarrierId, carrier_id(cell(Field::CarrierId)));
    let building = take(errors, Field::Building, text(Field::Building, "building"));
    let code = take(errors, Field::Code, text(Field::Code, "code"));
    let floor = whole(cell(Field::Floor))
        .and_then(|floor| check_floor("floor", floor).map_err(|err| err.reason()));
    let floor = take(errors, Field::Floor, floor);
    let area = take(
        errors,
        Field::AreaM2,
        required(cell(Field::AreaM2), "areaM2", area),
    );
    let unit_use = named(cell(Field::Use), UnitUse::from_text, true);
    let unit_use = take(errors, Field::Use, unit_use);
    let status = named(cell(Field::Status), UnitStatus::from_text, false);
    let status = take(errors, Field::Status, status);
    let phase = match cell(Field::SpacePhaseId) {
        Cell::Empty => Some(None),
        other => take(errors, Field::SpacePhaseId, whole(other).map(Some)),
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

/// A whole number: a number cell, or text of digits.
fn whole(cell: &Cell) -> Result<i32, Message> {
    let text = cell.text().ok_or_else(empty)?;
    match cell {
        Cell::Number(number) if number.fract() == 0.0 && number.abs() < 1e9 => Ok(*number as i32),
        _ => text.trim().parse().map_err(|_| {
            Message::new(
                format!("'{text}' is not a whole number"),
                format!("“{text}”不是整数"),
            )
        }),
    }
}

/// A value named in the cell: `None` for a blank optional cell.
fn named<T>(cell: &Cell, parse: fn(&str) -> Option<T>, needed: bool) -> Result<Option<T>, Message> {
    match cell.text() {
        None if needed => Err(empty()),
        None => Ok(None),
        Some(text) => parse(&text).map(Some).ok_or_else(|| {
            Message::new(
                format!("'{text}' is not one of the values this column takes"),
                format!("“{text}”不是该列可填写的值"),
            )
        }),
    }
}

/// What a units import did (or, in a dry run or when refused, would have done).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub file_name: String,
    pub rows_read: usize,
    pub buildings_created: usize,
    pub units_created: usize,
    pub errors: Vec<RowError>,
    pub dry_run: bool,
    pub committed: bool,
    pub ignored_columns: Vec<String>,
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
        file_name: plan.file_name.clone(),
        rows_read: plan.rows_read,
        errors: plan.errors.clone(),
        dry_run,
        ignored_columns: plan.ignored_columns.clone(),
        ..Summary::default()
    };
    if !summary.errors.is_empty() {
        return Ok(summary);
    }
    let txn = store::begin_write(db).await?;
    write(&txn, actor, &plan, &mut summary).await?;
    summary.errors.sort();
    summary.committed = super::settle(txn, &summary.errors, dry_run).await?;
    if !summary.errors.is_empty() {
        summary.buildings_created = 0;
        summary.units_created = 0;
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
    for row in &plan.rows {
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
                        summary.errors.push(plan.store_error(row.number, err));
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
            Ok(_) => summary.units_created += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => summary.errors.push(plan.store_error(row.number, err)),
        }
    }
    Ok(())
}
