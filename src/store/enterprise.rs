//! Enterprises (企业): registered once by USCC, shared by every carrier that hosts them.

use chrono::{NaiveDate, Utc};
use entity::{enterprise, enterprise_revenue, qualification, tenancy};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect,
    TryInsertResult, TryIntoModel,
};

use super::audit::{self, Change, Operation, snapshot};
use super::correction::{Asked, Correction};
use super::page::{self, Page, PageArgs, Sort};
use super::{check_version, like_contains, versioned_update};
use crate::domain::Message;
use crate::domain::access::{Actor, Denied, Role, may_keep_enterprise};
use crate::domain::carrier::Industry;
use crate::domain::enterprise::QualificationKind;
use crate::domain::money::Fen;
use crate::domain::text::pinyin_key;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};

/// What is known of an enterprise, validated.
#[derive(Clone, PartialEq)]
pub struct EnterpriseFacts {
    pub uscc: Uscc,
    pub name: String,
    pub founded_on: NaiveDate,
    pub landed_on: Option<NaiveDate>,
    pub industry: Option<Industry>,
    pub headcount: Option<i32>,
    /// Financing raised to date (confidential): `None` leaves what is
    /// stored, `Some(None)` clears it.
    pub financing_raised: Option<Option<Fen>>,
    pub exited_on: Option<NaiveDate>,
    /// Revenue by year (confidential); years given replace those stored, others stay.
    pub revenue: Vec<(i32, Fen)>,
}

impl EnterpriseFacts {
    /// Whether these facts say anything of the confidential figures.
    fn tell_confidential(&self) -> bool {
        self.financing_raised.is_some() || !self.revenue.is_empty()
    }
}

/// Written by hand so that no log or error message can print the figures.
impl std::fmt::Debug for EnterpriseFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnterpriseFacts")
            .field("uscc", &self.uscc)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Registers an enterprise by USCC, or brings the registered one up to these
/// facts. Idempotent: the same facts twice change nothing and audit nothing.
/// An enterprise an OPERATOR registers is kept by that operator (its custodian).
/// Returns the record and whether it was created.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &DatabaseConnection,
    actor: &Actor,
    facts: EnterpriseFacts,
) -> AppResult<(enterprise::Model, bool)> {
    let custodian = actor.operator_id.filter(|_| actor.role == Role::Operator);
    let txn = super::begin_write(db).await?;
    let result = register_in(&txn, actor, facts, custodian).await?;
    txn.commit().await?;
    Ok(result)
}

/// [`register`] inside the caller's transaction (bulk imports); a new
/// enterprise is kept by `custodian`.
///
/// Simultaneous registrations of one new USCC are safe on PostgreSQL too: the
/// insert skips a USCC that is taken (`ON CONFLICT DO NOTHING` waits for the
/// writer that took it to commit), and the registration then goes on as one
/// of an existing enterprise, which the same facts leave unchanged.
pub async fn register_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    facts: EnterpriseFacts,
    custodian: Option<i32>,
) -> AppResult<(enterprise::Model, bool)> {
    let existing = by_uscc_in(txn, &facts.uscc).await?;
    let current = match existing {
        Some(current) => current,
        None => {
            let now = Utc::now();
            let mut row = public_fields(&facts);
            row.uscc = Set(facts.uscc.to_string());
            row.financing_raised_fen = Set(facts.financing_raised.flatten().map(|fen| fen.0));
            row.custodian_operator_id = Set(custodian);
            row.version = Set(1);
            row.created_at = Set(now);
            row.updated_at = Set(now);
            // No RETURNING: on PostgreSQL a skipped row would read as an error.
            let inserted = enterprise::Entity::insert(row)
                .on_conflict_do_nothing_on([enterprise::Column::Uscc])
                .exec_without_returning(txn)
                .await?;
            let model = by_uscc_in(txn, &facts.uscc).await?.ok_or_else(|| {
                tracing::error!("an enterprise's USCC was taken, yet no row has it");
                AppError::Internal
            })?;
            if matches!(inserted, TryInsertResult::Inserted(rows) if rows > 0) {
                store_revenue(txn, model.id, &facts.revenue).await?;
                let change = change(txn, None, &model).await?;
                audit::record(txn, actor, Operation::Create, change).await?;
                return Ok((model, true));
            }
            model
        }
    };
    update_in(txn, actor, current, facts).await
}

/// Brings registered enterprise `current` up to `facts`.
///
/// A caller that does not keep the enterprise (another operator, hosting it
/// or not) may name it only as it is: public facts that differ are refused,
/// and so is any confidential figure, whatever its value, before anything is
/// compared with what is stored, so the answer never tells a right guess from
/// a wrong one.
async fn update_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    current: enterprise::Model,
    facts: EnterpriseFacts,
) -> AppResult<(enterprise::Model, bool)> {
    let keeps = may_keep_enterprise(actor, current.custodian_operator_id);
    if keeps.is_err() && facts.tell_confidential() {
        return Err(confidential_refusal().into());
    }
    let mut wanted = current.clone().into_active_model();
    let changes = public_fields(&facts);
    wanted.name = changes.name;
    wanted.name_pinyin = changes.name_pinyin;
    wanted.founded_on = changes.founded_on;
    wanted.landed_on = changes.landed_on;
    wanted.industry = changes.industry;
    wanted.headcount = changes.headcount;
    wanted.exited_on = changes.exited_on;
    if let Some(financing) = facts.financing_raised {
        wanted.financing_raised_fen = Set(financing.map(|fen| fen.0));
    }
    let unchanged = wanted.clone().try_into_model().is_ok_and(|m| m == current);
    if unchanged && revenue_unchanged(txn, current.id, &facts.revenue).await? {
        return Ok((current, false));
    }
    keeps?;
    let before = change_snapshot(txn, &current).await?;
    let model = versioned_update::<enterprise::Entity, _>(
        txn,
        wanted,
        current.id,
        current.version,
        current.version,
    )
    .await?;
    store_revenue(txn, model.id, &facts.revenue).await?;
    let mut change = change(txn, None, &model).await?;
    change.before = Some(before);
    audit::record(txn, actor, Operation::Update, change).await?;
    Ok((model, false))
}

fn confidential_refusal() -> Denied {
    Denied(Message::new(
        "this enterprise's confidential figures (financing, revenue) are kept by another operator; only it or ADMIN may write them",
        "该企业的保密数据（融资额、营业收入）由其他运营主体保管，仅保管方或管理员可填报",
    ))
}

/// The enterprise's public facts as a row to write.
fn public_fields(facts: &EnterpriseFacts) -> enterprise::ActiveModel {
    enterprise::ActiveModel {
        name: Set(facts.name.clone()),
        name_pinyin: Set(Some(pinyin_key(&facts.name))),
        founded_on: Set(facts.founded_on),
        landed_on: Set(facts.landed_on),
        industry: Set(facts.industry.map(|i| i.as_ref().to_owned())),
        headcount: Set(facts.headcount),
        exited_on: Set(facts.exited_on),
        ..Default::default()
    }
}

pub(crate) async fn by_uscc_in<C: ConnectionTrait>(
    txn: &C,
    uscc: &Uscc,
) -> AppResult<Option<enterprise::Model>> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Uscc.eq(uscc.as_str()))
        .one(txn)
        .await?)
}

async fn revenue_unchanged<C: ConnectionTrait>(
    txn: &C,
    id: i32,
    revenue: &[(i32, Fen)],
) -> AppResult<bool> {
    if revenue.is_empty() {
        return Ok(true);
    }
    let stored = enterprise_revenue::Entity::find()
        .filter(enterprise_revenue::Column::EnterpriseId.eq(id))
        .all(txn)
        .await?;
    Ok(revenue.iter().all(|(year, fen)| {
        stored
            .iter()
            .any(|row| row.year == *year && row.revenue_fen == fen.0)
    }))
}

pub(crate) async fn store_revenue<C: ConnectionTrait>(
    txn: &C,
    id: i32,
    revenue: &[(i32, Fen)],
) -> AppResult<()> {
    if revenue.is_empty() {
        return Ok(());
    }
    let rows = revenue
        .iter()
        .map(|(year, fen)| enterprise_revenue::ActiveModel {
            enterprise_id: Set(id),
            year: Set(*year),
            revenue_fen: Set(fen.0),
        });
    enterprise_revenue::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                enterprise_revenue::Column::EnterpriseId,
                enterprise_revenue::Column::Year,
            ])
            .update_column(enterprise_revenue::Column::RevenueFen)
            .to_owned(),
        )
        .exec(txn)
        .await?;
    Ok(())
}

/// Hands the keeping of enterprise `id`'s confidential figures and
/// qualifications to operator `custodian` (or to no operator: ADMIN only).
/// ADMIN may; so may the operator that keeps them now. Moving a tenant in
/// never does it: a host that is not the custodian sees and writes nothing
/// confidential until the custodian or ADMIN hands it over.
#[tracing::instrument(skip_all)]
pub async fn set_custodian(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    custodian: Option<i32>,
) -> AppResult<enterprise::Model> {
    let txn = super::begin_write(db).await?;
    let current = enterprise::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Enterprise", id))?;
    may_keep_enterprise(actor, current.custodian_operator_id)?;
    check_version::<enterprise::Entity>(id, current.version, version)?;
    if let Some(operator_id) = custodian
        && entity::operator::Entity::find_by_id(operator_id)
            .one(&txn)
            .await?
            .is_none()
    {
        return Err(AppError::invalid(
            "custodianOperatorId",
            format!("no operator with id {operator_id}"),
            format!("未找到编号为 {operator_id} 的运营主体"),
        ));
    }
    let before = change_snapshot(&txn, &current).await?;
    let mut row = current.clone().into_active_model();
    row.custodian_operator_id = Set(custodian);
    let model =
        versioned_update::<enterprise::Entity, _>(&txn, row, id, current.version, version).await?;
    let mut change = change(&txn, None, &model).await?;
    change.before = Some(before);
    change.former_operator_id = current.custodian_operator_id;
    audit::record(&txn, actor, Operation::Update, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// Gives each of `ids` that no operator keeps to the operator of the carrier
/// it moved into last. For enterprises registered in the same transaction as
/// their tenancies (imports, the demo): their figures came with them.
pub async fn give_to_last_host<C: ConnectionTrait>(txn: &C, ids: &[i32]) -> AppResult<()> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    for chunk in ids.chunks(500) {
        let last_host = Query::select()
            .column((entity::carrier::Entity, entity::carrier::Column::OperatorId))
            .from(tenancy::Entity)
            .inner_join(
                entity::carrier::Entity,
                Expr::col((entity::carrier::Entity, entity::carrier::Column::Id))
                    .equals((tenancy::Entity, tenancy::Column::CarrierId)),
            )
            .and_where(
                Expr::col((tenancy::Entity, tenancy::Column::EnterpriseId))
                    .equals((enterprise::Entity, enterprise::Column::Id)),
            )
            .order_by(
                (tenancy::Entity, tenancy::Column::MovedInOn),
                sea_orm::Order::Desc,
            )
            .order_by((tenancy::Entity, tenancy::Column::Id), sea_orm::Order::Desc)
            .limit(1)
            .to_owned();
        enterprise::Entity::update_many()
            .col_expr(
                enterprise::Column::CustodianOperatorId,
                Expr::expr(sea_orm::sea_query::SimpleExpr::SubQuery(
                    None,
                    Box::new(last_host.into()),
                )),
            )
            .filter(enterprise::Column::Id.is_in(chunk.iter().copied()))
            .filter(enterprise::Column::CustodianOperatorId.is_null())
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// An enterprise as the audit trail keeps it: its row and its revenue by
/// year, so a change of either shows before and after.
#[derive(serde::Serialize)]
struct EnterpriseSnapshot<'a> {
    #[serde(flatten)]
    row: &'a enterprise::Model,
    revenue: std::collections::BTreeMap<i32, i64>,
}

async fn change_snapshot<C: ConnectionTrait>(
    txn: &C,
    model: &enterprise::Model,
) -> AppResult<serde_json::Value> {
    let revenue = enterprise_revenue::Entity::find()
        .filter(enterprise_revenue::Column::EnterpriseId.eq(model.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| (row.year, row.revenue_fen))
        .collect();
    snapshot(&EnterpriseSnapshot {
        row: model,
        revenue,
    })
}

/// The audit change of enterprise `after` (created when `before` is `None`),
/// in the data of the operator that keeps it.
async fn change<C: ConnectionTrait>(
    txn: &C,
    before: Option<&enterprise::Model>,
    after: &enterprise::Model,
) -> AppResult<Change> {
    let before = match before {
        Some(model) => Some(change_snapshot(txn, model).await?),
        None => None,
    };
    Ok(Change {
        entity_type: "Enterprise",
        entity_id: after.id,
        operator_id: after.custodian_operator_id,
        former_operator_id: None,
        before,
        after: Some(change_snapshot(txn, after).await?),
    })
}

/// A qualification to record, validated.
#[derive(Debug, Clone)]
pub struct NewQualification {
    pub enterprise_id: i32,
    pub kind: QualificationKind,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub certificate_number: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn add_qualification(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewQualification,
) -> AppResult<qualification::Model> {
    let txn = super::begin_write(db).await?;
    let enterprise = enterprise::Entity::find_by_id(new.enterprise_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Enterprise", new.enterprise_id))?;
    may_keep_enterprise(actor, enterprise.custodian_operator_id)?;
    let now = Utc::now();
    let row = qualification::ActiveModel {
        enterprise_id: Set(new.enterprise_id),
        kind: Set(new.kind.as_ref().to_owned()),
        valid_from: Set(new.valid_from),
        valid_until: Set(new.kind.valid_until(new.valid_from, new.valid_until)?),
        certificate_number: Set(new.certificate_number),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = qualification::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    let change = Change::created(
        "Qualification",
        model.id,
        enterprise.custodian_operator_id,
        &model,
    )?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// Enterprise `id`, if `actor` may keep it (see [`may_keep_enterprise`]),
/// its row locked until the transaction ends so that writes to it run one
/// after another. Refused before the lock is taken, and checked again under it.
pub(crate) async fn keepable<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    id: i32,
) -> AppResult<enterprise::Model> {
    let not_found = || AppError::not_found("Enterprise", id);
    let unlocked = enterprise::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    may_keep_enterprise(actor, unlocked.custodian_operator_id)?;
    let locked = enterprise::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    may_keep_enterprise(actor, locked.custodian_operator_id)?;
    Ok(locked)
}

/// A correction of a qualification entered wrongly: the fields to change.
#[derive(Debug, Clone, Default)]
pub struct QualificationAmendment {
    pub valid_from: Option<NaiveDate>,
    /// `Some(None)`: valid until the kind's default term ends (or open).
    pub valid_until: Option<Option<NaiveDate>>,
    pub certificate_number: Option<Option<String>>,
}

/// Corrects qualification `id`, read at `version`, for `reason` (see
/// [`super::correction::correct`]): by ADMIN or the enterprise's custodian,
/// as recording one is; the dates must stay in order.
#[tracing::instrument(skip_all)]
pub async fn correct_qualification(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    correction: Correction<QualificationAmendment>,
    reason: String,
) -> AppResult<qualification::Model> {
    let amend = |row: &mut qualification::ActiveModel, amendment: QualificationAmendment| {
        let kind: QualificationKind =
            crate::error::stored("qualification.kind", row.kind.as_ref())?;
        let valid_from = amendment.valid_from.unwrap_or(*row.valid_from.as_ref());
        let valid_until = match amendment.valid_until {
            Some(given) => kind.valid_until(valid_from, given)?,
            None => *row.valid_until.as_ref(),
        };
        kind.valid_until(valid_from, valid_until)?;
        row.valid_from = Set(valid_from);
        row.valid_until = Set(valid_until);
        if let Some(number) = amendment.certificate_number {
            row.certificate_number = Set(number);
        }
        Ok(())
    };
    let no_rule =
        async |_: &DatabaseTransaction, _: i32, _: Option<&qualification::ActiveModel>| Ok(());
    let asked = Asked {
        id,
        version,
        correction,
        reason,
    };
    super::correction::correct::<qualification::Entity, _>(db, actor, asked, amend, no_rule).await
}

/// Which enterprises to list.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    pub name_contains: Option<String>,
    pub industries: Vec<Industry>,
    /// Landed in the city on or after this date.
    pub landed_from: Option<NaiveDate>,
    /// Landed in the city on or before this date.
    pub landed_until: Option<NaiveDate>,
}

impl EnterpriseFilter {
    fn condition(&self) -> Condition {
        use sea_orm::sea_query::{Expr, ExprTrait, Func};
        let mut condition = Condition::all();
        if let Some(text) = &self.name_contains {
            condition = condition.add(
                Expr::expr(Func::lower(Expr::col(enterprise::Column::Name)))
                    .like(like_contains(text)),
            );
        }
        if !self.industries.is_empty() {
            condition = condition.add(
                enterprise::Column::Industry
                    .is_in(self.industries.iter().map(|i| i.as_ref().to_owned())),
            );
        }
        if let Some(from) = self.landed_from {
            condition = condition.add(enterprise::Column::LandedOn.gte(from));
        }
        if let Some(until) = self.landed_until {
            condition = condition.add(enterprise::Column::LandedOn.lte(until));
        }
        condition
    }
}

/// Enterprises sorted by name, or by its pinyin (`pinyin`).
pub async fn page(
    db: &DatabaseConnection,
    filter: &EnterpriseFilter,
    pinyin: bool,
    args: &PageArgs,
) -> AppResult<Page<enterprise::Model>> {
    let (sort_name, key) = if pinyin {
        ("NAME_PINYIN_ASC", enterprise::Column::NamePinyin)
    } else {
        ("NAME_ASC", enterprise::Column::Name)
    };
    let sort = Sort {
        name: sort_name.into(),
        key: Some(key),
        id: enterprise::Column::Id,
        descending: false,
    };
    let select = enterprise::Entity::find().filter(filter.condition());
    page::fetch(
        db,
        select,
        &sort,
        args,
        |m| {
            if pinyin {
                m.name_pinyin.clone()
            } else {
                Some(m.name.clone())
            }
        },
        |m| m.id.into(),
    )
    .await
}

pub async fn count(db: &DatabaseConnection, filter: &EnterpriseFilter) -> AppResult<u64> {
    Ok(enterprise::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}

/// The enterprise with this USCC, if registered.
pub async fn by_uscc(db: &DatabaseConnection, uscc: &Uscc) -> AppResult<Option<enterprise::Model>> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Uscc.eq(uscc.as_str()))
        .one(db)
        .await?)
}
