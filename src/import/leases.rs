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

use super::cells::{area, carrier_id, date, optional, required, uscc};
use super::layout::Column;
use super::{Cell, Layout, Outcome, RowCheck, RowError};
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

/// A column of the leases layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    CarrierId,
    Uscc,
    ContractNumber,
    StartsOn,
    EndsOn,
    RentRate,
    SignedOn,
    Deposit,
    RentFreeMonths,
    Discount,
    AreaM2,
}

const COLUMNS: [Column<Field>; 11] = [
    Column::new(
        Field::CarrierId,
        "carrier_id",
        "载体ID",
        &["carrier", "载体编号"],
        true,
        "carrierId",
    ),
    Column::new(
        Field::Uscc,
        "uscc",
        "统一社会信用代码",
        &["信用代码", "企业信用代码", "tenancyId"],
        true,
        "uscc",
    ),
    Column::new(
        Field::ContractNumber,
        "contract_number",
        "合同编号",
        &["合同号", "contract"],
        true,
        "contractNumber",
    ),
    Column::new(
        Field::StartsOn,
        "starts_on",
        "租期开始",
        &["起租日", "租期起始日", "开始日期"],
        true,
        "startsOn",
    ),
    Column::new(
        Field::EndsOn,
        "ends_on",
        "租期结束",
        &["到期日", "租期截止日", "结束日期"],
        true,
        "endsOn",
    ),
    Column::new(
        Field::RentRate,
        "rent_rate",
        "租金单价",
        &["单价", "rate"],
        true,
        "rentRate",
    ),
    Column::new(
        Field::SignedOn,
        "signed_on",
        "签订日期",
        &["签约日期"],
        true,
        "signedOn",
    ),
    Column::new(
        Field::Deposit,
        "deposit",
        "押金",
        &["保证金"],
        false,
        "deposit",
    ),
    Column::new(
        Field::RentFreeMonths,
        "rent_free_months",
        "免租期",
        &["免租月数"],
        false,
        "rentFreeMonths",
    ),
    Column::new(
        Field::Discount,
        "incubation_discount_percent",
        "孵化优惠",
        &["discount", "优惠比例"],
        false,
        "incubationDiscountPercent",
    ),
    Column::new(
        Field::AreaM2,
        "area_m2",
        "租赁面积",
        &["area", "面积"],
        false,
        "areaM2",
    ),
];

const LAYOUT: Layout<Field> = Layout(&COLUMNS);

/// One row, valid on its own.
#[derive(Debug, Clone)]
pub struct Row {
    number: u32,
    carrier_id: i32,
    uscc: Uscc,
    lease: NewLease,
}

/// A leases file read and checked on its own, ready to [`run`].
pub type Plan = super::Plan<Field, Row>;

/// Reads `bytes` (a file named `file_name`) and checks every row on its
/// own, and the rows against each other (a contract number twice in a carrier).
/// `Err` only when the file cannot be read at all.
pub fn plan(file_name: &str, bytes: &[u8]) -> Result<Plan, ValidationError> {
    let sheet = LAYOUT.read(file_name, bytes)?;
    let mut seen: HashMap<(i32, String), u32> = HashMap::new();
    Ok(Plan::check(
        file_name,
        LAYOUT,
        &sheet,
        |number, cell, check| {
            let row = check_row(cell, check, number)?;
            let key = (row.carrier_id, row.lease.contract_number.clone());
            if let Some(first) = seen.get(&key) {
                check.push(
                    Field::ContractNumber,
                    Message::new(
                        format!("row {first} already has contract {}", key.1),
                        format!("第 {first} 行已有合同编号 {}", key.1),
                    ),
                );
            } else {
                seen.insert(key, number);
            }
            Some(row)
        },
    ))
}

/// A refusal of the store on `row` (with `contract_number`), in the terms of
/// the file: a contract number taken on that column, another clash (a term
/// overlapping another lease of the tenancy) on the start date, anything
/// else on the carrier unless it names an input.
fn store_error(plan: &Plan, row: u32, contract_number: &str, err: AppError) -> RowError {
    let fallback = match &err {
        // The store's refusal of a taken number quotes the number; an overlap quotes dates.
        AppError::Conflict(message) if message.en.contains(&format!("'{contract_number}'")) => {
            Field::ContractNumber
        }
        AppError::Conflict(_) => Field::StartsOn,
        _ => Field::CarrierId,
    };
    plan.header().store_error(row, err, fallback)
}

fn check_row<'c>(
    cell: &dyn Fn(Field) -> &'c Cell,
    check: &mut RowCheck<Field>,
    number: u32,
) -> Option<Row> {
    let reason = |err: ValidationError| err.reason();
    let text = |field: Field| cell(field).text().unwrap_or_default();
    let carrier = check.take(Field::CarrierId, carrier_id(cell(Field::CarrierId)));
    let tenant = required(cell(Field::Uscc), "uscc", |c, _| uscc(c));
    let tenant = check.take(Field::Uscc, tenant);
    let contract = required_text("contractNumber", &text(Field::ContractNumber)).map_err(reason);
    let contract = check.take(Field::ContractNumber, contract);
    let starts = required(cell(Field::StartsOn), "startsOn", date);
    let starts = check.take(Field::StartsOn, starts);
    let ends = check.take(Field::EndsOn, required(cell(Field::EndsOn), "endsOn", date));
    let term = match (starts, ends) {
        (Some(starts), Some(ends)) => {
            check.take(Field::EndsOn, Term::new(starts, ends).map_err(reason))
        }
        _ => None,
    };
    let rate = required(cell(Field::RentRate), "rentRate", |c, api| {
        RentRate::parse(api, &c.text().unwrap_or_default()).map_err(reason)
    });
    let rate = check.take(Field::RentRate, rate);
    let signed = required(cell(Field::SignedOn), "signedOn", date);
    let signed = check.take(Field::SignedOn, signed);
    let deposit = optional(cell(Field::Deposit), "deposit", |c, api| {
        Fen::parse(api, &c.text().unwrap_or_default()).map_err(reason)
    });
    let deposit = check.take(Field::Deposit, deposit);
    let free = optional(cell(Field::RentFreeMonths), "rentFreeMonths", |c, api| {
        let text = c.text().unwrap_or_default();
        let months = text.trim().parse::<i32>().unwrap_or(-1);
        check_rent_free_months(api, months).map_err(reason)
    });
    let free = check.take(Field::RentFreeMonths, free);
    let discount = optional(
        cell(Field::Discount),
        "incubationDiscountPercent",
        |c, api| {
            let text = c.text().unwrap_or_default();
            Discount::parse(api, text.trim().trim_end_matches(['%', '％'])).map_err(reason)
        },
    );
    let discount = check.take(Field::Discount, discount);
    let area = check.take(Field::AreaM2, optional(cell(Field::AreaM2), "areaM2", area));
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

/// Writes `plan` as `actor` in one transaction, all or nothing; with
/// `dry_run`, checks everything and writes nothing.
#[tracing::instrument(skip_all, fields(file = %plan.file_name, rows = plan.rows_read, dry_run = dry_run))]
pub async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    plan: Plan,
    dry_run: bool,
) -> AppResult<Outcome> {
    let mut summary = plan.outcome(dry_run);
    if !summary.errors.is_empty() {
        return Ok(summary);
    }
    let txn = store::begin_write(db).await?;
    for row in plan.rows() {
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
            Ok(_) => summary.written += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => summary.errors.push(store_error(
                &plan,
                row.number,
                &row.lease.contract_number,
                err,
            )),
        }
    }
    plan.finish(txn, &mut summary).await?;
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
        let first = &plan.rows()[0].lease;
        assert_eq!(first.rate, RentRate(13_500));
        assert_eq!(first.discount, Discount(2_000));
        assert_eq!(first.rent_free_months, 2);
        assert_eq!(first.deposit, Fen::yuan(12_150));
    }
}
