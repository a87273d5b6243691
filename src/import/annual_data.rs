//! Bulk import of tenants' annual data (企业年报) from a spreadsheet:
//! `zaiti import annual-data FILE`. Read like the other imports of the
//! parent module, all or nothing the same way: every row is checked on its
//! own, then one transaction writes the reports through the store's rules
//! (the writer keeps the enterprise's confidential figures, the year is over
//! and not before its founding) and rolls everything back if any row is
//! refused, listing every refusal. A row for a year already reported
//! replaces that report (audited as an update).
//!
//! | column | 中文 | required | value |
//! |---|---|---|---|
//! | `uscc` | 统一社会信用代码 | yes | the enterprise, registered already |
//! | `year` | 年度 | yes | the calendar year reported |
//! | `revenue` | 营业收入 | yes | yuan |
//! | `rd_spend` | 研发投入 | yes | yuan |
//! | `tax` | 上缴税费 | yes | yuan |
//! | `staff` | 从业人员 | yes | at the year's end |
//! | `rd_staff` | 研发人员 | yes | of staff |
//! | `new_graduates` | 吸纳应届毕业生 | no | of staff (default 0) |
//! | `new_patents` | 知识产权授权数 | no | granted in the year (default 0) |
//! | `new_invention_patents` | 发明专利授权数 | no | of those (default 0) |
//! | `financing_rounds` | 投融资轮次 | no | rounds closed in the year (default 0) |
//! | `financing` | 投融资金额 | no | yuan (default 0) |
//! | `reported_on` | 填报日期 | no | a date (default today) |

use std::collections::HashMap;

use entity::{annual_report, enterprise};
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};

use super::cells::{date, optional, required, uscc, whole};
use super::layout::Column;
use super::{Cell, Layout, Outcome, RowCheck};
use crate::domain::access::Actor;
use crate::domain::annual_report::AnnualFigures;
use crate::domain::money::Fen;
use crate::domain::uscc::Uscc;
use crate::domain::{Message, ValidationError};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::annual_report::Report;

/// A column of the annual-data layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Uscc,
    Year,
    Revenue,
    RdSpend,
    Tax,
    Staff,
    RdStaff,
    NewGraduates,
    NewPatents,
    NewInventionPatents,
    FinancingRounds,
    Financing,
    ReportedOn,
}

const COLUMNS: [Column<Field>; 13] = [
    Column::new(
        Field::Uscc,
        "uscc",
        "统一社会信用代码",
        &["信用代码", "enterpriseId"],
        true,
        "uscc",
    ),
    Column::new(
        Field::Year,
        "year",
        "年度",
        &["年份", "报告年度"],
        true,
        "year",
    ),
    Column::new(
        Field::Revenue,
        "revenue",
        "营业收入",
        &["收入", "总收入"],
        true,
        "revenue",
    ),
    Column::new(
        Field::RdSpend,
        "rd_spend",
        "研发投入",
        &["研发费用"],
        true,
        "rdSpend",
    ),
    Column::new(
        Field::Tax,
        "tax",
        "上缴税费",
        &["纳税", "税费"],
        true,
        "tax",
    ),
    Column::new(
        Field::Staff,
        "staff",
        "从业人员",
        &["从业人数", "员工人数"],
        true,
        "staff",
    ),
    Column::new(
        Field::RdStaff,
        "rd_staff",
        "研发人员",
        &["研发人数"],
        true,
        "rdStaff",
    ),
    Column::new(
        Field::NewGraduates,
        "new_graduates",
        "吸纳应届毕业生",
        &["应届毕业生"],
        false,
        "newGraduates",
    ),
    Column::new(
        Field::NewPatents,
        "new_patents",
        "知识产权授权数",
        &["知识产权", "专利授权数"],
        false,
        "newPatents",
    ),
    Column::new(
        Field::NewInventionPatents,
        "new_invention_patents",
        "发明专利授权数",
        &["发明专利"],
        false,
        "newInventionPatents",
    ),
    Column::new(
        Field::FinancingRounds,
        "financing_rounds",
        "投融资轮次",
        &["融资轮次"],
        false,
        "financingRounds",
    ),
    Column::new(
        Field::Financing,
        "financing",
        "投融资金额",
        &["融资金额", "获得投融资"],
        false,
        "financing",
    ),
    Column::new(
        Field::ReportedOn,
        "reported_on",
        "填报日期",
        &["reported"],
        false,
        "reportedOn",
    ),
];

const LAYOUT: Layout<Field> = Layout(&COLUMNS);

/// One row, valid on its own.
#[derive(Debug, Clone)]
pub struct Row {
    number: u32,
    uscc: Uscc,
    year: i32,
    figures: AnnualFigures,
    reported_on: Option<chrono::NaiveDate>,
}

/// An annual-data file read and checked on its own, ready to [`run`].
pub type Plan = super::Plan<Field, Row>;

/// Reads `bytes` (a file named `file_name`) and checks every row on its
/// own, and the rows against each other (one enterprise's year twice).
/// `Err` only when the file cannot be read at all.
pub fn plan(file_name: &str, bytes: &[u8]) -> Result<Plan, ValidationError> {
    let sheet = LAYOUT.read(file_name, bytes)?;
    let mut seen: HashMap<(Uscc, i32), u32> = HashMap::new();
    Ok(Plan::check(
        file_name,
        LAYOUT,
        &sheet,
        |number, cell, check| {
            let row = check_row(number, cell, check)?;
            match seen.get(&(row.uscc.clone(), row.year)) {
                Some(first) => check.push(
                    Field::Year,
                    Message::new(
                        format!(
                            "row {first} already reports {} of this enterprise",
                            row.year
                        ),
                        format!("第 {first} 行已填报该企业{}年的年报", row.year),
                    ),
                ),
                None => {
                    seen.insert((row.uscc.clone(), row.year), number);
                }
            }
            Some(row)
        },
    ))
}

fn check_row<'c>(
    number: u32,
    cell: &dyn Fn(Field) -> &'c Cell,
    check: &mut RowCheck<Field>,
) -> Option<Row> {
    let money = |field: Field, api: &str, needed: bool| {
        let parse = |c: &Cell, api: &str| {
            let text = c.text().unwrap_or_default().replace([',', '，'], "");
            Fen::parse(api, &text).map_err(|err| err.reason())
        };
        if needed {
            required(cell(field), api, parse)
        } else {
            optional(cell(field), api, parse).map(Option::unwrap_or_default)
        }
    };
    let count = |field: Field, needed: bool| match cell(field) {
        Cell::Empty if !needed => Ok(0),
        other => whole(other),
    };
    let enterprise = required(cell(Field::Uscc), "uscc", |c, _| uscc(c));
    let enterprise = check.take(Field::Uscc, enterprise);
    let year = check.take(Field::Year, whole(cell(Field::Year)));
    let revenue = check.take(Field::Revenue, money(Field::Revenue, "revenue", true));
    let rd_spend = check.take(Field::RdSpend, money(Field::RdSpend, "rdSpend", true));
    let tax = check.take(Field::Tax, money(Field::Tax, "tax", true));
    let staff = check.take(Field::Staff, count(Field::Staff, true));
    let rd_staff = check.take(Field::RdStaff, count(Field::RdStaff, true));
    let graduates = check.take(Field::NewGraduates, count(Field::NewGraduates, false));
    let patents = check.take(Field::NewPatents, count(Field::NewPatents, false));
    let inventions = count(Field::NewInventionPatents, false);
    let inventions = check.take(Field::NewInventionPatents, inventions);
    let rounds = check.take(Field::FinancingRounds, count(Field::FinancingRounds, false));
    let financing = check.take(
        Field::Financing,
        money(Field::Financing, "financing", false),
    );
    let reported_on = optional(cell(Field::ReportedOn), "reportedOn", date);
    let reported_on = check.take(Field::ReportedOn, reported_on);
    let figures = AnnualFigures {
        revenue: revenue?,
        rd_spend: rd_spend?,
        tax: tax?,
        staff: staff?,
        rd_staff: rd_staff?,
        new_graduates: graduates?,
        new_patents: patents?,
        new_invention_patents: inventions?,
        financing_rounds: rounds?,
        financing: financing?,
    };
    if let Err(err) = figures.check() {
        let field = LAYOUT.field_of_api(&err.field).unwrap_or(Field::Staff);
        check.push(field, err.reason());
        return None;
    }
    Some(Row {
        number,
        uscc: enterprise?,
        year: year?,
        figures,
        reported_on: reported_on?,
    })
}

/// Writes `plan` as `actor` in one transaction, all or nothing; with
/// `dry_run`, checks everything and writes nothing. `written` counts reports.
#[tracing::instrument(skip_all, fields(file = %plan.file_name, rows = plan.rows_read, dry_run = dry_run))]
pub async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    plan: Plan,
    dry_run: bool,
) -> AppResult<Outcome> {
    let mut outcome = plan.outcome(dry_run);
    if !outcome.errors.is_empty() {
        return Ok(outcome);
    }
    let txn = store::begin_write(db).await?;
    for row in plan.rows() {
        match write_row(&txn, actor, row).await {
            Ok(()) => outcome.written += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => {
                outcome
                    .errors
                    .push(plan.header().store_error(row.number, err, Field::Uscc))
            }
        }
    }
    plan.finish(txn, &mut outcome).await?;
    Ok(outcome)
}

/// One report: the enterprise found by its USCC, a stored report of the
/// year replaced at its current version.
async fn write_row(txn: &DatabaseTransaction, actor: &Actor, row: &Row) -> AppResult<()> {
    let enterprise = enterprise::Entity::find()
        .filter(enterprise::Column::Uscc.eq(row.uscc.as_str()))
        .one(txn)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "uscc",
                format!("no enterprise is registered under {}", row.uscc.as_str()),
                format!("统一社会信用代码 {} 未登记企业", row.uscc.as_str()),
            )
        })?;
    let stored = annual_report::Entity::find()
        .filter(annual_report::Column::EnterpriseId.eq(enterprise.id))
        .filter(annual_report::Column::Year.eq(row.year))
        .one(txn)
        .await?;
    let report = Report {
        enterprise_id: enterprise.id,
        year: row.year,
        figures: row.figures,
        reported_on: row.reported_on.unwrap_or_else(store::today),
        version: stored.map(|stored| stored.version),
    };
    store::annual_report::report_in(txn, actor, &report).await?;
    Ok(())
}
