//! Bulk import of tenancies (在孵企业入驻): `zaiti import tenancies FILE` and
//! the `importTenancies` mutation (the file as a multipart upload) both end
//! here. The file is read as every import file is (see [`super`]); each row
//! after the header is one tenancy.
//!
//! | column | 中文 | required | value |
//! |---|---|---|---|
//! | `carrier_id` | 载体ID | yes | the carrier: its database id or its global ID |
//! | `uscc` | 统一社会信用代码 | yes | the enterprise's USCC (check character verified) |
//! | `enterprise_name` | 企业名称 | yes | |
//! | `founded_on` | 成立日期 | yes | a date |
//! | `landed_on` | 落地日期 | no | a date: when it landed in the city |
//! | `industry` | 行业 | no | a Chinese name, short form or code, e.g. 生物医药, 人工智能, `SOFTWARE_IT` |
//! | `headcount` | 从业人数 | no | a whole number |
//! | `unit` | 房号 | no | e.g. `B栋302` |
//! | `area_m2` | 租赁面积 | yes | leased floor area, m² |
//! | `moved_in_on` | 入驻日期 | yes | a date |
//! | `moved_out_on` | 迁出日期 | no | a date: the first day no longer leased |
//!
//! An enterprise is registered by its USCC (or brought up to the file's facts
//! when registered already); a blank optional cell keeps what is stored. Rows
//! of one USCC must agree on the enterprise's facts, and may hold several
//! tenancies (in different carriers, or one after another in one).
//!
//! Once every row passes, one transaction registers the enterprises
//! ([`store::enterprise::register_in`]) and moves the tenancies in as a batch
//! ([`store::tenancy::move_in_all_in`]), which checks the rules that need the
//! database (the carrier exists and is the caller's to write, no overlap with
//! stored tenancies, no day leased beyond the carrier's leasable area) in
//! memory after reading each carrier once, so every row those rules refuse is
//! listed, not just the first.
use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enterprise;
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};

use super::cells::{area, carrier_id, date, headcount, industry, optional, required, uscc};
use super::layout::Column;
use super::{Cell, Layout, Progress, RowCheck, RowError, Sheet, Stage, settle};
use crate::domain::Message;
use crate::domain::ValidationError;
use crate::domain::access::{Actor, Role};
use crate::domain::area::FloorArea;
use crate::domain::carrier::Industry;
use crate::domain::message::zh_date;
use crate::domain::tenancy::Span;
use crate::domain::text::{optional_text, required_text};
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult, stored};
use crate::store;
use crate::store::enterprise::EnterpriseFacts;
use crate::store::tenancy::NewTenancy;

/// A column of the tenancies layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    CarrierId,
    Uscc,
    EnterpriseName,
    FoundedOn,
    LandedOn,
    Industry,
    Headcount,
    Unit,
    AreaM2,
    MovedInOn,
    MovedOutOn,
}

const COLUMNS: [Column<Field>; 11] = [
    Column {
        field: Field::CarrierId,
        name: "carrier_id",
        chinese: "载体ID",
        aliases: &["carrier", "载体编号"],
        required: true,
        api: "carrierId",
    },
    Column {
        field: Field::Uscc,
        name: "uscc",
        chinese: "统一社会信用代码",
        aliases: &["信用代码", "enterpriseId"],
        required: true,
        api: "uscc",
    },
    Column {
        field: Field::EnterpriseName,
        name: "enterprise_name",
        chinese: "企业名称",
        aliases: &["enterprise", "name"],
        required: true,
        api: "enterpriseName",
    },
    Column {
        field: Field::FoundedOn,
        name: "founded_on",
        chinese: "成立日期",
        aliases: &["founded"],
        required: true,
        api: "foundedOn",
    },
    Column {
        field: Field::LandedOn,
        name: "landed_on",
        chinese: "落地日期",
        aliases: &["landed"],
        required: false,
        api: "landedOn",
    },
    Column {
        field: Field::Industry,
        name: "industry",
        chinese: "行业",
        aliases: &["所属行业", "产业"],
        required: false,
        api: "industry",
    },
    Column {
        field: Field::Headcount,
        name: "headcount",
        chinese: "从业人数",
        aliases: &["员工人数"],
        required: false,
        api: "headcount",
    },
    Column {
        field: Field::Unit,
        name: "unit",
        chinese: "房号",
        aliases: &["房间号"],
        required: false,
        api: "unit",
    },
    Column {
        field: Field::AreaM2,
        name: "area_m2",
        chinese: "租赁面积",
        aliases: &["area", "面积"],
        required: true,
        api: "areaM2",
    },
    Column {
        field: Field::MovedInOn,
        name: "moved_in_on",
        chinese: "入驻日期",
        aliases: &["moved_in", "入驻时间"],
        required: true,
        api: "movedInOn",
    },
    Column {
        field: Field::MovedOutOn,
        name: "moved_out_on",
        chinese: "迁出日期",
        aliases: &["moved_out", "迁出时间"],
        required: false,
        api: "movedOutOn",
    },
];

const LAYOUT: Layout<Field> = Layout(&COLUMNS);

/// One row, valid on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    number: u32,
    carrier_id: i32,
    uscc: Uscc,
    name: String,
    founded_on: NaiveDate,
    landed_on: Option<NaiveDate>,
    industry: Option<Industry>,
    headcount: Option<i32>,
    unit: Option<String>,
    area: FloorArea,
    span: Span,
}

/// A tenancies file read and checked on its own, ready to [`run`].
pub type Plan = super::Plan<Field, Row>;

/// Reads `bytes` (a file named `file_name`) and checks every row on its own.
/// `Err` only when the file cannot be read at all; bad rows are in
/// [`Plan::errors`](super::Plan::errors).
pub fn plan(file_name: &str, bytes: &[u8]) -> Result<Plan, ValidationError> {
    let sheet = LAYOUT.read(file_name, bytes)?;
    Ok(check_sheet(file_name, &sheet))
}

/// Checks every row of `sheet` on its own, then rows against each other.
pub fn check_sheet(file_name: &str, sheet: &Sheet) -> Plan {
    let mut plan = Plan::check(file_name, LAYOUT, sheet, check_row);
    let across = check_across(plan.rows());
    plan.add_errors(across);
    plan
}

/// Checks one row's cells; pushes (column, reason) for each bad one.
fn check_row<'c>(
    number: u32,
    cell: &dyn Fn(Field) -> &'c Cell,
    check: &mut RowCheck<Field>,
) -> Option<Row> {
    let carrier_id = check.take(Field::CarrierId, carrier_id(cell(Field::CarrierId)));
    let uscc = check.take(Field::Uscc, uscc(cell(Field::Uscc)));
    let name = cell(Field::EnterpriseName).text().unwrap_or_default();
    let name = check.take(
        Field::EnterpriseName,
        required_text("enterpriseName", &name).map_err(|err| err.reason()),
    );
    let founded_on = required(cell(Field::FoundedOn), "foundedOn", date);
    let founded_on = check.take(Field::FoundedOn, founded_on);
    let landed_on = optional(cell(Field::LandedOn), "landedOn", date);
    let landed_on = check.take(Field::LandedOn, landed_on);
    let industry = optional(cell(Field::Industry), "industry", industry);
    let industry = check.take(Field::Industry, industry);
    let headcount = optional(cell(Field::Headcount), "headcount", headcount);
    let headcount = check.take(Field::Headcount, headcount);
    let unit = optional_text("unit", cell(Field::Unit).text().as_deref());
    let unit = check.take(Field::Unit, unit.map_err(|err| err.reason()));
    let area = check.take(Field::AreaM2, required(cell(Field::AreaM2), "areaM2", area));
    let moved_in = required(cell(Field::MovedInOn), "movedInOn", date);
    let moved_in = check.take(Field::MovedInOn, moved_in);
    let moved_out = optional(cell(Field::MovedOutOn), "movedOutOn", date);
    let moved_out = check.take(Field::MovedOutOn, moved_out);
    let span = match (moved_in, moved_out) {
        (Some(moved_in), Some(moved_out)) => match Span::new(moved_in, moved_out) {
            Ok(span) => Some(span),
            Err(err) => {
                let field = LAYOUT.field_of_api(&err.field).unwrap_or(Field::MovedOutOn);
                check.push(field, err.reason());
                None
            }
        },
        _ => None,
    };
    Some(Row {
        number,
        carrier_id: carrier_id?,
        uscc: uscc?,
        name: name?,
        founded_on: founded_on?,
        landed_on: landed_on?,
        industry: industry?,
        headcount: headcount?,
        unit: unit?,
        area: area?,
        span: span?,
    })
}

/// Rows against each other: one enterprise, one set of facts; and no two
/// tenancies of one enterprise in one carrier overlapping.
fn check_across(rows: &[Row]) -> Vec<(u32, Field, Message)> {
    let mut errors = Vec::new();
    let mut first_of: HashMap<&Uscc, &Row> = HashMap::new();
    let mut spans: HashMap<(i32, &Uscc), Vec<&Row>> = HashMap::new();
    for row in rows {
        if let Some(first) = first_of.get(&row.uscc) {
            let differs = |field: Field, mine: Option<String>, theirs: Option<String>| match (
                mine, theirs,
            ) {
                (Some(mine), Some(theirs)) if mine != theirs => Some((
                    row.number,
                    field,
                    Message::new(
                        format!(
                            "'{mine}' differs from '{theirs}' in row {} for the same USCC; an enterprise has one {}",
                            first.number,
                            LAYOUT.column(field).name
                        ),
                        format!(
                            "“{mine}”与第 {} 行的“{theirs}”不一致；同一统一社会信用代码的企业只能有一个{}",
                            first.number,
                            LAYOUT.column(field).chinese
                        ),
                    ),
                )),
                _ => None,
            };
            errors.extend(
                [
                    differs(
                        Field::EnterpriseName,
                        Some(row.name.clone()),
                        Some(first.name.clone()),
                    ),
                    differs(
                        Field::FoundedOn,
                        Some(row.founded_on.to_string()),
                        Some(first.founded_on.to_string()),
                    ),
                    differs(
                        Field::LandedOn,
                        row.landed_on.map(|d| d.to_string()),
                        first.landed_on.map(|d| d.to_string()),
                    ),
                    differs(
                        Field::Industry,
                        row.industry.map(|i| i.to_string()),
                        first.industry.map(|i| i.to_string()),
                    ),
                    differs(
                        Field::Headcount,
                        row.headcount.map(|h| h.to_string()),
                        first.headcount.map(|h| h.to_string()),
                    ),
                ]
                .into_iter()
                .flatten(),
            );
        } else {
            first_of.insert(&row.uscc, row);
        }
        let earlier = spans.entry((row.carrier_id, &row.uscc)).or_default();
        if let Some(clash) = earlier.iter().find(|other| other.span.overlaps(&row.span)) {
            errors.push((
                row.number,
                Field::MovedInOn,
                Message::new(
                    format!(
                        "overlaps the tenancy of row {} ({} to {}) of the same enterprise in the same carrier",
                        clash.number,
                        clash.span.moved_in,
                        clash
                            .span
                            .moved_out
                            .map_or_else(|| "open".to_owned(), |d| d.to_string())
                    ),
                    format!(
                        "与第 {} 行同一企业在同一载体的入驻期间（{}{}）重叠",
                        clash.number,
                        zh_date(clash.span.moved_in),
                        clash
                            .span
                            .moved_out
                            .map_or_else(|| "起".to_owned(), |d| format!("至{}", zh_date(d)))
                    ),
                ),
            ));
        } else {
            earlier.push(row);
        }
    }
    errors
}
/// What an import did (or, in a dry run or when refused, would have done).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub file_name: String,
    pub rows_read: usize,
    /// Enterprises registered because their USCC was new (in a dry run: would be).
    pub enterprises_created: usize,
    /// Tenancies moved in (in a dry run: would be); 0 when refused.
    pub tenancies_created: usize,
    /// Every bad row; empty when the file was (or, in a dry run, would be) accepted.
    pub errors: Vec<RowError>,
    pub dry_run: bool,
    /// Whether anything was written: no errors and not a dry run.
    pub committed: bool,
    /// The carriers the file's rows name (database ids), in order of first mention.
    pub carrier_ids: Vec<i32>,
    /// Headers matching no column of the layout.
    pub ignored_columns: Vec<String>,
}
/// Writes `plan` as `actor` in one transaction, all or nothing (see the
/// module's documentation); with `dry_run`, checks everything and writes
/// nothing. Refusals are in [`Summary::errors`]; `Err` only for failures on
/// our side.
#[tracing::instrument(skip_all, fields(file = %plan.file_name, rows = plan.rows_read, dry_run = dry_run))]
pub async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    plan: Plan,
    dry_run: bool,
    progress: &dyn Progress,
) -> AppResult<Summary> {
    let mut summary = Summary {
        file_name: plan.file_name.clone(),
        rows_read: plan.rows_read,
        errors: plan.errors.clone(),
        dry_run,
        ignored_columns: plan.ignored_columns.clone(),
        ..Summary::default()
    };
    for row in plan.rows() {
        if !summary.carrier_ids.contains(&row.carrier_id) {
            summary.carrier_ids.push(row.carrier_id);
        }
    }
    if !summary.errors.is_empty() {
        return Ok(summary);
    }
    let txn = crate::store::begin_write(db).await?;
    let outcome = write(&txn, actor, &plan, &mut summary, progress).await;
    progress.finish();
    outcome?;
    plan.header().sort(&mut summary.errors);
    summary.committed = settle(txn, &summary.errors, dry_run).await?;
    if summary.committed {
        tracing::info!(
            enterprises = summary.enterprises_created,
            tenancies = summary.tenancies_created,
            "import written"
        );
    } else if !summary.errors.is_empty() {
        summary.enterprises_created = 0;
        summary.tenancies_created = 0;
    }
    Ok(summary)
}
/// The writes of [`run`], inside `txn`; refusals go to `summary.errors`.
async fn write(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan: &Plan,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> AppResult<()> {
    // One registration per enterprise, from its rows; blanks keep what is stored.
    let mut enterprises: Vec<Told> = Vec::new();
    let mut position: HashMap<&Uscc, usize> = HashMap::new();
    for row in plan.rows() {
        match position.get(&row.uscc) {
            Some(&at) => enterprises[at].add(row),
            None => {
                position.insert(&row.uscc, enterprises.len());
                enterprises.push(Told::of(row));
            }
        }
    }
    let registered = registered_enterprises(txn, &enterprises).await?;
    progress.start(Stage::RegisteringEnterprises, enterprises.len() as u64);
    let mut ids: HashMap<&Uscc, i32> = HashMap::with_capacity(enterprises.len());
    let mut created_ids = Vec::new();
    // An OPERATOR keeps the enterprises it registers; those the bureau
    // registers go to the host they move into, below.
    let custodian = actor.operator_id.filter(|_| actor.role == Role::Operator);
    for told in &enterprises {
        let first = told.first;
        let facts = told.facts(registered.get(first.uscc.as_str()))?;
        match store::enterprise::register_in(txn, actor, facts, custodian).await {
            Ok((model, created)) => {
                ids.insert(&first.uscc, model.id);
                if created {
                    created_ids.push(model.id);
                }
                summary.enterprises_created += usize::from(created);
            }
            Err(AppError::Internal) => return Err(AppError::Internal),
            // A failed statement: on PostgreSQL the transaction is lost, so stop here.
            Err(err @ AppError::Conflict(_)) => {
                summary
                    .errors
                    .push(plan.header().store_error(first.number, err, Field::Uscc));
                return Ok(());
            }
            Err(err) => {
                summary
                    .errors
                    .push(plan.header().store_error(first.number, err, Field::Uscc))
            }
        }
        progress.advance();
    }

    let rows: Vec<&Row> = plan
        .rows()
        .iter()
        .filter(|row| ids.contains_key(&row.uscc))
        .collect();
    let batch: Vec<NewTenancy> = rows
        .iter()
        .map(|row| NewTenancy {
            carrier_id: row.carrier_id,
            enterprise_id: ids[&row.uscc],
            unit: row.unit.clone(),
            area: row.area,
            span: row.span,
            unit_ids: Vec::new(),
        })
        .collect();
    progress.start(Stage::MovingIn, batch.len() as u64);
    let mut next = 0;
    let outcome = store::tenancy::move_in_all_in(txn, actor, &batch, |index| {
        next = index + 1;
        progress.advance();
    })
    .await;
    match outcome {
        Ok(Ok(models)) => {
            summary.tenancies_created = models.len();
            store::enterprise::give_to_last_host(txn, &created_ids).await?;
        }
        Ok(Err(refusals)) => summary
            .errors
            .extend(refusals.into_iter().map(|(index, err)| {
                plan.header()
                    .store_error(rows[index].number, err, Field::CarrierId)
            })),
        Err(AppError::Internal) => return Err(AppError::Internal),
        Err(err) => match rows.get(next) {
            Some(row) => {
                summary
                    .errors
                    .push(plan.header().store_error(row.number, err, Field::CarrierId))
            }
            None => return Err(err),
        },
    }
    Ok(())
}

/// What a file tells of one enterprise: its first row, and the optional
/// facts of whichever of its rows give them.
struct Told<'a> {
    first: &'a Row,
    landed_on: Option<NaiveDate>,
    industry: Option<Industry>,
    headcount: Option<i32>,
}

impl<'a> Told<'a> {
    fn of(row: &'a Row) -> Self {
        Self {
            first: row,
            landed_on: row.landed_on,
            industry: row.industry,
            headcount: row.headcount,
        }
    }

    fn add(&mut self, row: &Row) {
        self.landed_on = self.landed_on.or(row.landed_on);
        self.industry = self.industry.or(row.industry);
        self.headcount = self.headcount.or(row.headcount);
    }

    /// The facts to register: the file's, with what is stored where the file
    /// says nothing (blank optional cells, and facts the layout lacks).
    fn facts(&self, registered: Option<&enterprise::Model>) -> AppResult<EnterpriseFacts> {
        let registered_industry = match registered.and_then(|model| model.industry.as_deref()) {
            Some(code) => Some(stored::<Industry>("enterprise.industry", code)?),
            None => None,
        };
        Ok(EnterpriseFacts {
            uscc: self.first.uscc.clone(),
            name: self.first.name.clone(),
            founded_on: self.first.founded_on,
            landed_on: self
                .landed_on
                .or(registered.and_then(|model| model.landed_on)),
            industry: self.industry.or(registered_industry),
            headcount: self
                .headcount
                .or(registered.and_then(|model| model.headcount)),
            // The file says nothing of financing: what is stored stays.
            financing_raised: None,
            exited_on: registered.and_then(|model| model.exited_on),
            revenue: Vec::new(),
        })
    }
}

/// The enterprises already registered under the USCCs `told`, by USCC.
async fn registered_enterprises(
    txn: &DatabaseTransaction,
    told: &[Told<'_>],
) -> AppResult<HashMap<String, enterprise::Model>> {
    let mut found = HashMap::new();
    // Well below the bound parameters SQLite and PostgreSQL take in one statement.
    for chunk in told.chunks(500) {
        let models = enterprise::Entity::find()
            .filter(
                enterprise::Column::Uscc.is_in(chunk.iter().map(|told| told.first.uscc.as_str())),
            )
            .all(txn)
            .await?;
        found.extend(models.into_iter().map(|model| (model.uscc.clone(), model)));
    }
    Ok(found)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::FILE_FIELD;
    use crate::import::cells::parse_date;

    const HEADER: &str =
        "carrier_id,uscc,enterprise_name,founded_on,area_m2,moved_in_on,moved_out_on";

    fn uscc(n: u32) -> String {
        Uscc::with_check_characters(&format!("91320214M{n:07}"))
            .unwrap()
            .to_string()
    }

    fn csv(rows: &[String]) -> Plan {
        let text = std::iter::once(HEADER.to_owned())
            .chain(rows.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n");
        plan("t.csv", text.as_bytes()).unwrap()
    }

    fn good(n: u32) -> String {
        format!("1,{},企业{n},2023-01-01,100,2024-01-01,", uscc(n))
    }

    #[test]
    fn a_good_file_has_no_errors() {
        let plan = csv(&[good(1), good(2)]);
        assert_eq!(plan.errors, vec![]);
        assert_eq!((plan.rows_read, plan.rows().len()), (2, 2));
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let bad_area = format!("1,{},企业2,2023-01-01,-5,2024-01-01,", uscc(2));
        let bad_code = "1,91320214MA0000000X,企业3,2023-01-01,100,2024-13-01,".to_owned();
        let plan = csv(&[good(1), bad_area, bad_code, good(4)]);
        let found: Vec<(u32, Option<&str>)> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, Some("area_m2")),
                (4, Some("uscc")),
                (4, Some("moved_in_on"))
            ]
        );
    }

    #[test]
    fn headers_are_matched_in_chinese_and_in_any_case_or_spacing() {
        let text = format!(
            "载体ID, USCC ,企业名称,成立日期,租赁面积（㎡）,Moved In On,备注\n1,{},企业,2023-01-01,100,2024/1/1,x\n",
            uscc(1)
        );
        let plan = plan("t.csv", text.as_bytes()).unwrap();
        assert_eq!(plan.errors, vec![]);
        assert_eq!(plan.ignored_columns, vec!["备注".to_owned()]);
        assert_eq!(
            plan.rows()[0].span.moved_in,
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
    }

    #[test]
    fn a_missing_required_column_is_reported_on_the_header_row() {
        let plan = plan("t.csv", "carrier_id,uscc\n1,x\n".as_bytes()).unwrap();
        let missing: Vec<_> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.clone().unwrap()))
            .collect();
        assert!(missing.contains(&(1, "area_m2".to_owned())), "{missing:?}");
        assert!(missing.iter().all(|(row, _)| *row == 1));
    }

    #[test]
    fn blank_lines_are_skipped_but_rows_keep_their_numbers() {
        let text = format!("{HEADER}\n{}\n\n{}\n", good(1), good(2).replace("100", "x"));
        let plan = plan("t.csv", text.as_bytes()).unwrap();
        assert_eq!(plan.rows_read, 2);
        assert_eq!(plan.errors[0].row, 4);
    }

    #[test]
    fn a_title_above_the_header_is_skipped() {
        let text = format!(
            "2024年在孵企业台账,,,\n\n{HEADER}\n{}\r\n{}\r\n",
            good(1),
            good(2)
        );
        let plan = plan("t.csv", text.as_bytes()).unwrap();
        assert_eq!(plan.errors, vec![]);
        assert_eq!(
            plan.rows().iter().map(|r| r.number).collect::<Vec<_>>(),
            vec![4, 5]
        );
    }

    #[test]
    fn a_gbk_csv_is_read() {
        let text = format!(
            "载体ID,统一社会信用代码,企业名称,成立日期,租赁面积,入驻日期\n1,{},无锡企业,2023-01-01,100,2024-01-01\n",
            uscc(1)
        );
        let (bytes, _, _) = encoding_rs::GBK.encode(&text);
        let plan = plan("t.csv", &bytes).unwrap();
        assert_eq!(plan.errors, vec![]);
        assert_eq!(plan.rows()[0].name, "无锡企业");
    }

    #[test]
    fn one_enterprise_has_one_set_of_facts_and_no_overlapping_tenancies_in_one_carrier() {
        let other_name = good(1).replace("企业1", "别名");
        let overlapping = good(1).replace("2024-01-01", "2024-06-01");
        let elsewhere = good(1).replacen("1,", "2,", 1);
        let plan = csv(&[good(1), other_name, overlapping, elsewhere]);
        let found: Vec<(u32, Option<&str>)> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, Some("enterprise_name")),
                (3, Some("moved_in_on")),
                (4, Some("moved_in_on"))
            ]
        );
        assert!(
            plan.errors[2].message.en.contains("row 2"),
            "{}",
            plan.errors[2].message
        );
        assert!(
            plan.errors[2].message.zh.contains("第 2 行"),
            "{}",
            plan.errors[2].message.zh
        );
    }

    #[test]
    fn moving_out_before_moving_in_is_named_on_the_moved_out_column() {
        let row = good(1).trim_end_matches(',').to_owned() + ",2023-12-31";
        let plan = csv(&[row]);
        assert_eq!(plan.errors[0].column.as_deref(), Some("moved_out_on"));
    }

    #[test]
    fn dates_are_read_in_the_usual_spellings() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 22).unwrap();
        for text in [
            "2024-03-22",
            "2024/3/22",
            "2024.03.22",
            "2024-03-22 00:00:00",
            "2024-03-22T00:00:00Z",
        ] {
            assert_eq!(parse_date(text), Ok(day), "{text}");
        }
        for text in ["22/03/2024", "2024-02-30", "2024-03-22 12:00", "March 22"] {
            assert!(parse_date(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_carrier_is_named_by_database_id_or_global_id() {
        let global = crate::graphql::node::global_id(crate::graphql::node::NodeType::Carrier, 7);
        assert_eq!(carrier_id(&Cell::Text(global.0)), Ok(7));
        assert_eq!(carrier_id(&Cell::Number(7.0)), Ok(7));
        assert_eq!(carrier_id(&Cell::Text("7".into())), Ok(7));
        let operator = crate::graphql::node::global_id(crate::graphql::node::NodeType::Operator, 7);
        assert!(carrier_id(&Cell::Text(operator.0)).is_err());
        assert!(carrier_id(&Cell::Number(7.5)).is_err());
    }

    #[test]
    fn a_workbook_with_date_cells_is_read() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (column, header) in [
            "载体ID",
            "统一社会信用代码",
            "企业名称",
            "成立日期",
            "租赁面积",
            "入驻日期",
            "从业人数",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, column as u16, *header).unwrap();
        }
        sheet.write_number(2, 0, 3).unwrap();
        sheet.write_string(2, 1, uscc(1)).unwrap();
        sheet.write_string(2, 2, "无锡企业").unwrap();
        sheet
            .write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2023, 5, 1).unwrap(), &date)
            .unwrap();
        sheet.write_number(2, 4, 88.5).unwrap();
        sheet
            .write_datetime_with_format(2, 5, ExcelDateTime::from_ymd(2024, 2, 29).unwrap(), &date)
            .unwrap();
        sheet.write_number(2, 6, 12).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let plan = plan("t.xlsx", &bytes).unwrap();
        assert_eq!(plan.errors, vec![]);
        let row = &plan.rows()[0];
        assert_eq!(row.number, 3);
        assert_eq!(
            (row.carrier_id, row.headcount, row.area.square_metres()),
            (3, Some(12), 88.5)
        );
        assert_eq!(
            row.span.moved_in,
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(row.founded_on, NaiveDate::from_ymd_opt(2023, 5, 1).unwrap());
    }

    #[test]
    fn not_a_spreadsheet_is_refused_as_a_whole() {
        assert_eq!(
            plan("t.xlsx", b"PK\x03\x04garbage").unwrap_err().field,
            FILE_FIELD
        );
        assert_eq!(plan("t.csv", b"").unwrap_err().field, FILE_FIELD);
        assert_eq!(
            plan("t.csv", &[0xff, 0xfe, 0xfd, 0x80]).unwrap_err().field,
            FILE_FIELD
        );
    }
}
