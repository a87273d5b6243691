//! 租赁合同: a tenancy's leases, the leases expiring soon and a carrier's
//! monthly rent roll.
//!
//! Every write runs in one transaction under the carrier's lock
//! ([`super::carrier::writable`]): a tenancy's leases are checked against
//! each other, and a contract number against the carrier's others, with no
//! other write of that carrier in between, on both databases. Corrections
//! and voids follow [`super::correction`].

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{carrier, lease, tenancy};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::audit::{self, Change, Operation};
use super::correction::{Asked, Correction};
use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::lease::{
    Discount, HeldLease, Month, MonthRent, RentRate, RentTerms, TenancyChange, Term, centi_m2,
    check_leases_kept, check_within_tenancy, first_overlap, month_rent,
};
use crate::domain::message::zh_date;
use crate::domain::money::Fen;
use crate::domain::tenancy::Span;
use crate::error::{AppError, AppResult};

/// A lease to record, validated.
#[derive(Debug, Clone)]
pub struct NewLease {
    pub tenancy_id: i32,
    pub contract_number: String,
    pub term: Term,
    /// The leased area; `None`: the tenancy's.
    pub area: Option<FloorArea>,
    pub rate: RentRate,
    pub deposit: Fen,
    pub rent_free_months: u32,
    pub discount: Discount,
    pub signed_on: NaiveDate,
}

#[tracing::instrument(skip_all)]
pub async fn add_lease(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewLease,
) -> AppResult<lease::Model> {
    let txn = super::begin_write(db).await?;
    let model = add_lease_in(&txn, actor, new).await?;
    txn.commit().await?;
    Ok(model)
}

/// [`add_lease`] inside the caller's transaction (bulk imports).
pub async fn add_lease_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    new: NewLease,
) -> AppResult<lease::Model> {
    let find = || async {
        tenancy::Entity::find_by_id(new.tenancy_id)
            .one(txn)
            .await?
            .ok_or_else(|| no_tenancy(new.tenancy_id))
    };
    let carrier = super::carrier::writable(txn, actor, find().await?.carrier_id).await?;
    // Read again under the carrier's lock.
    let tenancy = find().await?;
    check_rules(txn, &tenancy, new.term, &new.contract_number, None).await?;
    let now = Utc::now();
    let row = lease::ActiveModel {
        tenancy_id: Set(tenancy.id),
        carrier_id: Set(tenancy.carrier_id),
        contract_number: Set(new.contract_number),
        starts_on: Set(new.term.starts_on),
        ends_on: Set(new.term.ends_on),
        area_m2: Set(new.area.map(FloorArea::square_metres)),
        rent_rate_e4: Set(new.rate.0),
        deposit_fen: Set(new.deposit.0),
        rent_free_months: Set(i32::try_from(new.rent_free_months).unwrap_or(i32::MAX)),
        discount_bp: Set(i32::try_from(new.discount.0).unwrap_or(i32::MAX)),
        signed_on: Set(new.signed_on),
        voided_at: Set(None),
        void_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = lease::Entity::insert(row).exec_with_returning(txn).await?;
    let change = Change::created("Lease", model.id, Some(carrier.operator_id), &model)?;
    audit::record(txn, actor, Operation::Create, change).await?;
    Ok(model)
}

fn no_tenancy(id: i32) -> AppError {
    AppError::invalid(
        "tenancyId",
        format!("no tenancy with id {id}"),
        format!("未找到编号为 {id} 的入驻记录"),
    )
}

/// The rules a lease of `tenancy` with `term` and `contract_number` (lease
/// `except`, when it is being corrected) must meet: the tenancy counts, the
/// term lies within its dates, no other lease of it overlaps the term
/// (CONFLICT) and no other lease of the carrier has the contract number
/// (CONFLICT). Voided leases count in none. The caller holds the carrier's lock.
async fn check_rules<C: ConnectionTrait>(
    txn: &C,
    tenancy: &tenancy::Model,
    term: Term,
    contract_number: &str,
    except: Option<i32>,
) -> AppResult<()> {
    if tenancy.voided_at.is_some() {
        return Err(AppError::invalid(
            "tenancyId",
            format!("tenancy {} was voided; it takes no lease", tenancy.id),
            format!("入驻记录（编号 {}）已作废，不能登记租赁合同", tenancy.id),
        ));
    }
    let span = Span {
        moved_in: tenancy.moved_in_on,
        moved_out: tenancy.moved_out_on,
    };
    check_within_tenancy(term, span)?;
    let others: Vec<Term> = lease::Entity::find()
        .filter(lease::Column::TenancyId.eq(tenancy.id))
        .filter(lease::Column::VoidedAt.is_null())
        .all(txn)
        .await?
        .into_iter()
        .filter(|row| Some(row.id) != except)
        .map(|row| term_of(&row))
        .collect();
    if let Some(clash) = first_overlap(&others, term) {
        return Err(AppError::conflict(
            format!(
                "another lease of this tenancy runs from {} to {}; a renewal starts after the lease it renews ends",
                clash.starts_on, clash.ends_on
            ),
            format!(
                "该入驻记录已有租期为{}至{}的租赁合同，租期不能重叠；续租合同应在原合同到期后开始",
                zh_date(clash.starts_on),
                zh_date(clash.ends_on)
            ),
        ));
    }
    let taken = lease::Entity::find()
        .filter(lease::Column::CarrierId.eq(tenancy.carrier_id))
        .filter(lease::Column::ContractNumber.eq(contract_number))
        .filter(lease::Column::VoidedAt.is_null())
        .all(txn)
        .await?
        .into_iter()
        .any(|row| Some(row.id) != except);
    if taken {
        return Err(AppError::conflict(
            format!("the carrier already has a lease numbered '{contract_number}'"),
            format!("该载体已有合同编号为“{contract_number}”的租赁合同"),
        ));
    }
    Ok(())
}

/// Refuses `change` to tenancy `tenancy_id` when it would leave one of its
/// non-voided leases outside it ([`check_leases_kept`]). The caller holds
/// the carrier's lock, under which leases are written.
pub(crate) async fn check_tenancy_keeps_leases<C: ConnectionTrait>(
    txn: &C,
    tenancy_id: i32,
    change: TenancyChange<'_>,
) -> AppResult<()> {
    let held: Vec<HeldLease> = lease::Entity::find()
        .filter(lease::Column::TenancyId.eq(tenancy_id))
        .filter(lease::Column::VoidedAt.is_null())
        .order_by_asc(lease::Column::StartsOn)
        .all(txn)
        .await?
        .into_iter()
        .map(|row| HeldLease {
            term: term_of(&row),
            contract_number: row.contract_number,
        })
        .collect();
    Ok(check_leases_kept(&held, change)?)
}

pub fn term_of(row: &lease::Model) -> Term {
    Term {
        starts_on: row.starts_on,
        ends_on: row.ends_on,
    }
}

/// A correction of a lease entered wrongly: the fields to change.
#[derive(Debug, Clone, Default)]
pub struct LeaseAmendment {
    pub contract_number: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// `Some(None)`: the tenancy's area from now on.
    pub area: Option<Option<FloorArea>>,
    pub rate: Option<RentRate>,
    pub deposit: Option<Fen>,
    pub rent_free_months: Option<u32>,
    pub discount: Option<Discount>,
    pub signed_on: Option<NaiveDate>,
}

impl LeaseAmendment {
    pub fn is_empty(&self) -> bool {
        self.contract_number.is_none()
            && self.starts_on.is_none()
            && self.ends_on.is_none()
            && self.area.is_none()
            && self.rate.is_none()
            && self.deposit.is_none()
            && self.rent_free_months.is_none()
            && self.discount.is_none()
            && self.signed_on.is_none()
    }
}

/// Amends or voids lease `id`, read at `version`, for `reason` (see
/// [`super::correction::correct`]): an amended lease meets the rules of
/// adding one; a voided one counts nowhere and frees its term and number.
#[tracing::instrument(skip_all)]
pub async fn correct(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    correction: Correction<LeaseAmendment>,
    reason: String,
) -> AppResult<lease::Model> {
    let amend = |row: &mut lease::ActiveModel, amendment: LeaseAmendment| {
        if let Some(number) = amendment.contract_number {
            row.contract_number = Set(number);
        }
        if let Some(on) = amendment.starts_on {
            row.starts_on = Set(on);
        }
        if let Some(on) = amendment.ends_on {
            row.ends_on = Set(on);
        }
        if let Some(area) = amendment.area {
            row.area_m2 = Set(area.map(FloorArea::square_metres));
        }
        if let Some(rate) = amendment.rate {
            row.rent_rate_e4 = Set(rate.0);
        }
        if let Some(deposit) = amendment.deposit {
            row.deposit_fen = Set(deposit.0);
        }
        if let Some(months) = amendment.rent_free_months {
            row.rent_free_months = Set(i32::try_from(months).unwrap_or(i32::MAX));
        }
        if let Some(discount) = amendment.discount {
            row.discount_bp = Set(i32::try_from(discount.0).unwrap_or(i32::MAX));
        }
        if let Some(on) = amendment.signed_on {
            row.signed_on = Set(on);
        }
        Term::new(*row.starts_on.as_ref(), *row.ends_on.as_ref())?;
        Ok(())
    };
    let rules = async |txn: &DatabaseTransaction,
                       _carrier_id: i32,
                       corrected: Option<&lease::ActiveModel>| {
        let Some(row) = corrected else {
            return Ok(());
        };
        let tenancy_id = *row.tenancy_id.as_ref();
        let tenancy = tenancy::Entity::find_by_id(tenancy_id)
            .one(txn)
            .await?
            .ok_or_else(|| no_tenancy(tenancy_id))?;
        let term = Term {
            starts_on: *row.starts_on.as_ref(),
            ends_on: *row.ends_on.as_ref(),
        };
        check_rules(txn, &tenancy, term, row.contract_number.as_ref(), Some(id)).await
    };
    let asked = Asked {
        id,
        version,
        correction,
        reason,
    };
    super::correction::correct::<lease::Entity, _>(db, actor, asked, amend, rules).await
}

/// Which leases a caller may list: every carrier's (`None`) or those of
/// operator `Some(id)`'s carriers.
pub type OperatorScope = Option<i32>;

/// Leases not voided, of tenancies not voided, of carriers in `scope`, whose
/// last day falls from `from` to `until` (both inclusive).
fn expiring_query(
    scope: OperatorScope,
    from: NaiveDate,
    until: NaiveDate,
) -> sea_orm::Select<lease::Entity> {
    let voided_tenancies = Query::select()
        .column(tenancy::Column::Id)
        .from(tenancy::Entity)
        .and_where(tenancy::Column::VoidedAt.is_not_null())
        .to_owned();
    let mut select = lease::Entity::find()
        .filter(lease::Column::VoidedAt.is_null())
        .filter(lease::Column::EndsOn.gte(from))
        .filter(lease::Column::EndsOn.lte(until))
        .filter(
            Expr::col((lease::Entity, lease::Column::TenancyId)).not_in_subquery(voided_tenancies),
        );
    if let Some(operator_id) = scope {
        let carriers = Query::select()
            .column(carrier::Column::Id)
            .from(carrier::Entity)
            .and_where(carrier::Column::OperatorId.eq(operator_id))
            .to_owned();
        select = select
            .filter(Expr::col((lease::Entity, lease::Column::CarrierId)).in_subquery(carriers));
    }
    select
}

/// 即将到期: up to `limit` leases from `offset` whose last day falls from
/// `from` to `until`, soonest first (then by id), of the carriers in `scope`.
pub async fn expiring(
    db: &DatabaseConnection,
    scope: OperatorScope,
    from: NaiveDate,
    until: NaiveDate,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<lease::Model>> {
    Ok(expiring_query(scope, from, until)
        .order_by_asc(lease::Column::EndsOn)
        .order_by_asc(lease::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?)
}

/// How many leases [`expiring`] would list in all.
pub async fn count_expiring(
    db: &DatabaseConnection,
    scope: OperatorScope,
    from: NaiveDate,
    until: NaiveDate,
) -> AppResult<u64> {
    Ok(expiring_query(scope, from, until).count(db).await?)
}

/// One line of a rent roll: a lease in force in the month and what it charges.
#[derive(Debug, Clone)]
pub struct RentLine {
    pub lease: lease::Model,
    /// The area charged for, m²: the lease's, or its tenancy's.
    pub area_m2: f64,
    pub rent: MonthRent,
}

/// 租金台账: a line for each lease of carrier `carrier_id` (not voided, of a
/// tenancy not voided) in force on some day of `month`, by contract number.
/// Two SQL statements.
pub async fn rent_roll(
    db: &DatabaseConnection,
    carrier_id: i32,
    month: Month,
) -> AppResult<Vec<RentLine>> {
    let leases = lease::Entity::find()
        .filter(lease::Column::CarrierId.eq(carrier_id))
        .filter(lease::Column::VoidedAt.is_null())
        .filter(lease::Column::StartsOn.lte(month.last))
        .filter(lease::Column::EndsOn.gte(month.first))
        .order_by_asc(lease::Column::ContractNumber)
        .order_by_asc(lease::Column::Id)
        .all(db)
        .await?;
    let tenancies: HashMap<i32, tenancy::Model> = super::rows_where_in::<tenancy::Entity>(
        db,
        tenancy::Column::Id,
        leases.iter().map(|row| row.tenancy_id),
    )
    .await?
    .into_iter()
    .map(|row| (row.id, row))
    .collect();
    let mut lines = Vec::with_capacity(leases.len());
    for row in leases {
        let Some(tenancy) = tenancies.get(&row.tenancy_id) else {
            continue;
        };
        if tenancy.voided_at.is_some() {
            continue;
        }
        let area_m2 = row.area_m2.unwrap_or(tenancy.area_m2);
        if let Some(rent) = month_rent(&rent_terms(&row, area_m2), month) {
            lines.push(RentLine {
                lease: row,
                area_m2,
                rent,
            });
        }
    }
    Ok(lines)
}

/// What stored lease `row` charges, on `area_m2`.
pub fn rent_terms(row: &lease::Model, area_m2: f64) -> RentTerms {
    RentTerms {
        term: term_of(row),
        area_centi_m2: centi_m2(area_m2),
        rate: RentRate(row.rent_rate_e4),
        rent_free_months: u32::try_from(row.rent_free_months).unwrap_or(0),
        discount: Discount(i64::from(row.discount_bp)),
    }
}
