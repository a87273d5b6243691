//! Bulk import of leases (租赁合同) from a spreadsheet: `zaiti import leases FILE`.
//! Read like the other imports of the parent module (CSV or workbook, header
//! found by name in English or Chinese, rows numbered as the spreadsheet
//! numbers them), and all or nothing the same way: every row is checked on
//! its own, then one transaction writes them through the store's rules
//! (term within the tenancy, renewals not overlapping, contract numbers
//! unique in the carrier) and rolls everything back if any row is refused,
//! listing every refusal.
//!
//! A row names its tenancy by carrier and tenant: the tenancy (not voided)
//! of the enterprise with that USCC in that carrier whose dates hold the
//! term's first day.
//!
//! | column | 中文 | required | value |
//! |---|---|---|---|
//! | `carrier_id` | 载体ID | yes | the carrier: its database id or its global ID |
//! | `uscc` | 统一社会信用代码 | yes | the tenant |
//! | `contract_number` | 合同编号 | yes | unique within the carrier |
//! | `starts_on` | 租期开始 | yes | the term's first day |
//! | `ends_on` | 租期结束 | yes | the term's last day (inclusive) |
//! | `rent_rate` | 租金单价 | yes | 元/㎡·天, e.g. `1.35` |
//! | `signed_on` | 签订日期 | yes | |
//! | `deposit` | 押金 | no | yuan (default 0) |
//! | `rent_free_months` | 免租期 | no | whole months (default 0) |
//! | `incubation_discount_percent` | 孵化优惠 | no | percent, 0 to 100 (default 0) |
//! | `area_m2` | 租赁面积 | no | m²; blank: the tenancy's area |

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{enterprise, tenancy};
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};

use super::{
    Cell, RowError, Sheet, area, carrier_id, date, normalise, optional, read_sheet_of, required,
    uscc,
};
use crate::domain::access::Actor;
use crate::domain::lease::{Discount, RentRate, Term, check_rent_free_months};
use crate::domain::message::zh_date;
use crate::domain::money::Fen;
use crate::domain::tenancy::Span;
use crate::domain::text::required_text;
use crate::domain::uscc::Uscc;
use crate::domain::{Message, ValidationError};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::lease::NewLease;

/// A column of the leases layout: its API field (how the store's refusals
/// name it), English header, Chinese header, other headers, and whether it is required.
struct Column {
    api: &'static str,
    name: &'static str,
    chinese: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

const fn column(
    api: &'static str,
    name: &'static str,
    chinese: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> Column {
    Column {
        api,
        name,
        chinese,
        aliases,
        required,
    }
}

const CARRIER: usize = 0;
const USCC: usize = 1;
const NUMBER: usize = 2;
const STARTS: usize = 3;
const ENDS: usize = 4;
const RATE: usize = 5;
const SIGNED: usize = 6;
const DEPOSIT: usize = 7;
const FREE: usize = 8;
const DISCOUNT: usize = 9;
const AREA: usize = 10;

const COLUMNS: [Column; 11] = [
    column(
        "carrierId",
        "carrier_id",
        "载体ID",
        &["carrier", "载体编号"],
        true,
    ),
    column(
        "tenancyId",
        "uscc",
        "统一社会信用代码",
        &["信用代码", "企业信用代码"],
        true,
    ),
    column(
        "contractNumber",
        "contract_number",
        "合同编号",
        &["合同号", "contract"],
        true,
    ),
    column(
        "startsOn",
        "starts_on",
        "租期开始",
        &["起租日", "租期起始日", "开始日期"],
        true,
    ),
    column(
        "endsOn",
        "ends_on",
        "租期结束",
        &["到期日", "租期截止日", "结束日期"],
        true,
    ),
    column("rentRate", "rent_rate", "租金单价", &["单价", "rate"], true),
    column("signedOn", "signed_on", "签订日期", &["签约日期"], true),
    column("deposit", "deposit", "押金", &["保证金"], false),
    column(
        "rentFreeMonths",
        "rent_free_months",
        "免租期",
        &["免租月数"],
        false,
    ),
    column(
        "incubationDiscountPercent",
        "incubation_discount_percent",
        "孵化优惠",
        &["discount", "优惠比例"],
        false,
    ),
    column("areaM2", "area_m2", "租赁面积", &["area", "面积"], false),
];

fn column_of_header(header: &str) -> Option<usize> {
    let wanted = normalise(header);
    COLUMNS.iter().position(|column| {
        [column.name, column.chinese, column.api]
            .iter()
            .chain(column.aliases)
            .any(|name| normalise(name) == wanted)
    })
}

/// One row, valid on its own.
#[derive(Debug, Clone)]
struct Row {
    number: u32,
    carrier_id: i32,
    uscc: Uscc,
    lease: NewLease,
}

/// A leases file read and checked on its own, ready to [`run`].
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub file_name: String,
    pub rows_read: usize,
    /// Every error found so far; when any, [`run`] touches no database.
    pub errors: Vec<RowError>,
    /// Headers matching no column of the layout: their cells were not read.
    pub ignored_columns: Vec<String>,
    headers: HashMap<usize, String>,
    rows: Vec<Row>,
}

impl Plan {
    fn error(&self, row: u32, column: usize, message: Message) -> RowError {
        RowError {
            row,
            column: Some(
                self.headers
                    .get(&column)
                    .cloned()
                    .unwrap_or_else(|| COLUMNS[column].name.to_owned()),
            ),
            message,
        }
    }

    /// A refusal of the store on `row`, in the terms of the file.
    fn store_error(&self, row: u32, err: AppError) -> RowError {
        let column_of = |api: &str| COLUMNS.iter().position(|c| c.api == api);
        match err {
            AppError::Invalid(invalid) => self.error(
                row,
                column_of(&invalid.field).unwrap_or(CARRIER),
                invalid.reason(),
            ),
            AppError::Conflict(message) => self.error(row, NUMBER, message),
            other => self.error(row, CARRIER, other.message()),
        }
    }
}

/// Reads `bytes` (a file named `file_name`) and checks every row on its own.
/// `Err` only when the file cannot be read at all.
pub fn plan(file_name: &str, bytes: &[u8]) -> Result<Plan, ValidationError> {
    let sheet = read_sheet_of(file_name, bytes, &|header| {
        column_of_header(header).is_some()
    })?;
    Ok(check_sheet(file_name, &sheet))
}

fn check_sheet(file_name: &str, sheet: &Sheet) -> Plan {
    let mut plan = Plan {
        file_name: file_name.to_owned(),
        rows_read: sheet.rows.len(),
        ..Plan::default()
    };
    let mut positions: HashMap<usize, usize> = HashMap::new();
    for (position, header) in sheet.header.iter().enumerate() {
        match column_of_header(header) {
            Some(column) if !positions.contains_key(&column) => {
                positions.insert(column, position);
                plan.headers.insert(column, header.trim().to_owned());
            }
            Some(column) => {
                let message = Message::new(
                    format!("column '{header}' repeats an earlier column; keep one of them"),
                    format!("“{header}”列与前面的列重复，请只保留其中一列"),
                );
                plan.errors
                    .push(plan.error(sheet.header_row, column, message));
            }
            None if header.trim().is_empty() => {}
            None => plan.ignored_columns.push(header.trim().to_owned()),
        }
    }
    for (index, column) in COLUMNS.iter().enumerate().filter(|(_, c)| c.required) {
        if !positions.contains_key(&index) {
            let (name, chinese) = (column.name, column.chinese);
            let message = Message::new(
                format!("the file has no {name} column: add one headed {name} (or {chinese})"),
                format!("文件缺少“{chinese}”列：请添加表头为“{chinese}”（或 {name}）的列"),
            );
            plan.errors
                .push(plan.error(sheet.header_row, index, message));
        }
    }
    if !plan.errors.is_empty() {
        return plan;
    }
    let mut seen: HashMap<(i32, String), u32> = HashMap::new();
    for (number, cells) in &sheet.rows {
        let cell = |column: usize| {
            positions
                .get(&column)
                .and_then(|&position| cells.get(position))
                .unwrap_or(&Cell::Empty)
        };
        let mut errors: Vec<(usize, Message)> = Vec::new();
        if let Some(row) = check_row(*number, &cell, &mut errors) {
            let key = (row.carrier_id, row.lease.contract_number.clone());
            match seen.get(&key) {
                Some(first) => errors.push((
                    NUMBER,
                    Message::new(
                        format!("row {first} already has contract {}", key.1),
                        format!("第 {first} 行已有合同编号 {}", key.1),
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
        for (column, message) in errors {
            plan.errors.push(plan.error(*number, column, message));
        }
    }
    plan
}

fn check_row<'a>(
    number: u32,
    cell: &impl Fn(usize) -> &'a Cell,
    errors: &mut Vec<(usize, Message)>,
) -> Option<Row> {
    fn take<T>(
        errors: &mut Vec<(usize, Message)>,
        column: usize,
        result: Result<T, Message>,
    ) -> Option<T> {
        result
            .map_err(|message| errors.push((column, message)))
            .ok()
    }
    let reason = |err: ValidationError| err.reason();
    let text = |column: usize| cell(column).text().unwrap_or_default();
    let carrier = take(errors, CARRIER, carrier_id(cell(CARRIER)));
    let tenant = take(errors, USCC, required(cell(USCC), "uscc", |c, _| uscc(c)));
    let contract = required_text("contractNumber", &text(NUMBER)).map_err(reason);
    let contract = take(errors, NUMBER, contract);
    let starts = take(errors, STARTS, required(cell(STARTS), "startsOn", date));
    let ends = take(errors, ENDS, required(cell(ENDS), "endsOn", date));
    let term = match (starts, ends) {
        (Some(starts), Some(ends)) => take(errors, ENDS, Term::new(starts, ends).map_err(reason)),
        _ => None,
    };
    let rate = required(cell(RATE), "rentRate", |c, api| {
        RentRate::parse(api, &c.text().unwrap_or_default()).map_err(reason)
    });
    let rate = take(errors, RATE, rate);
    let signed = take(errors, SIGNED, required(cell(SIGNED), "signedOn", date));
    let deposit = optional(cell(DEPOSIT), "deposit", |c, api| {
        Fen::parse(api, &c.text().unwrap_or_default()).map_err(reason)
    });
    let deposit = take(errors, DEPOSIT, deposit);
    let free = optional(cell(FREE), "rentFreeMonths", |c, api| {
        let months = c
            .text()
            .unwrap_or_default()
            .trim()
            .parse::<i32>()
            .unwrap_or(-1);
        check_rent_free_months(api, months).map_err(reason)
    });
    let free = take(errors, FREE, free);
    let discount = optional(cell(DISCOUNT), "incubationDiscountPercent", |c, api| {
        let text = c.text().unwrap_or_default();
        Discount::parse(api, text.trim().trim_end_matches(['%', '％'])).map_err(reason)
    });
    let discount = take(errors, DISCOUNT, discount);
    let area = take(errors, AREA, optional(cell(AREA), "areaM2", area));
    Some(Row {
        number,
        carrier_id: carrier?,
        uscc: tenant?,
        lease: NewLease {
            // Found when the file is written, from the carrier and the tenant.
            tenancy_id: 0,
            contract_number: contract?,
            term: term?,
            area: area?,
            rate: rate?,
            deposit: deposit?.unwrap_or_default(),
            rent_free_months: free?.unwrap_or(0),
            discount: discount?.unwrap_or(Discount::NONE),
            signed_on: signed?,
        },
    })
}

/// What a leases import did (or, in a dry run or when refused, would have done).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub file_name: String,
    pub rows_read: usize,
    pub leases_created: usize,
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
    for row in &plan.rows {
        let written = match tenancy_of(&txn, row).await {
            Ok(tenancy_id) => {
                let lease = NewLease {
                    tenancy_id,
                    ..row.lease.clone()
                };
                store::lease::add_lease_in(&txn, actor, lease).await
            }
            Err(err) => Err(err),
        };
        match written {
            Ok(_) => summary.leases_created += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => summary.errors.push(plan.store_error(row.number, err)),
        }
    }
    summary.errors.sort();
    summary.committed = super::settle(txn, &summary.errors, dry_run).await?;
    if !summary.errors.is_empty() {
        summary.leases_created = 0;
    }
    Ok(summary)
}

/// The tenancy `row` names: the one (not voided) of the enterprise with its
/// USCC in its carrier whose dates hold the term's first day.
async fn tenancy_of(txn: &DatabaseTransaction, row: &Row) -> AppResult<i32> {
    let starts_on: NaiveDate = row.lease.term.starts_on;
    let enterprise = enterprise::Entity::find()
        .filter(enterprise::Column::Uscc.eq(row.uscc.as_str()))
        .one(txn)
        .await?;
    let tenancies = match &enterprise {
        Some(enterprise) => {
            tenancy::Entity::find()
                .filter(tenancy::Column::CarrierId.eq(row.carrier_id))
                .filter(tenancy::Column::EnterpriseId.eq(enterprise.id))
                .filter(tenancy::Column::VoidedAt.is_null())
                .all(txn)
                .await?
        }
        None => Vec::new(),
    };
    tenancies
        .iter()
        .find(|tenancy| {
            Span {
                moved_in: tenancy.moved_in_on,
                moved_out: tenancy.moved_out_on,
            }
            .in_force_on(starts_on)
        })
        .map(|tenancy| tenancy.id)
        .ok_or_else(|| {
            let code = row.uscc.as_str();
            AppError::invalid(
                "tenancyId",
                format!(
                    "the enterprise {code} has no tenancy in carrier {} on {starts_on}, the term's first day",
                    row.carrier_id
                ),
                format!(
                    "统一社会信用代码为 {code} 的企业在载体（编号 {}）中没有包含租期起始日（{}）的入驻记录",
                    row.carrier_id,
                    zh_date(starts_on)
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_are_read_and_every_bad_cell_is_listed() {
        let code = Uscc::with_check_characters("91320214M0000017").unwrap();
        let text = format!(
            "载体ID,统一社会信用代码,合同编号,租期开始,租期结束,租金单价（元/㎡·天）,签订日期,押金（元）,免租期（月）,孵化优惠（%）\n\
            1,{code},HT-1,2025-01-01,2027-12-31,1.35,2024-12-20,12150,2,20%\n\
            1,bad,HT-2,2025-01-01,2024-12-31,1.234567,2024-12-20,-5,x,120\n\
            1,{code},HT-1,2028-01-01,2028-12-31,1.4,2027-12-20,,,\n"
        );
        let plan = plan("leases.csv", text.as_bytes()).unwrap();
        let found: Vec<(u32, Option<&str>)> = plan
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (3, Some("统一社会信用代码")),
                (3, Some("租期结束")),
                (3, Some("租金单价（元/㎡·天）")),
                (3, Some("押金（元）")),
                (3, Some("免租期（月）")),
                (3, Some("孵化优惠（%）")),
                (4, Some("合同编号")),
            ],
            "{:#?}",
            plan.errors
        );
        let first = &plan.rows[0].lease;
        assert_eq!(first.rate, RentRate(13_500));
        assert_eq!(first.discount, Discount(2_000));
        assert_eq!(first.rent_free_months, 2);
        assert_eq!(first.deposit, Fen::yuan(12_150));
    }
}
