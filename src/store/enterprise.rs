//! Enterprises (企业): registered once by USCC, shared by every carrier that hosts them.

use chrono::{NaiveDate, Utc};
use entity::{enterprise, enterprise_revenue, qualification, tenancy};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, TryIntoModel,
};

use super::audit::{self, Change, Operation, snapshot};
use super::page::{self, Page, PageArgs, Sort};
use super::{like_contains, versioned_update};
use crate::domain::access::{Actor, may_write_enterprise};
use crate::domain::carrier::Industry;
use crate::domain::enterprise::QualificationKind;
use crate::domain::money::Fen;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};

/// What is known of an enterprise, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseFacts {
    pub uscc: Uscc,
    pub name: String,
    pub founded_on: NaiveDate,
    pub landed_on: Option<NaiveDate>,
    pub industry: Option<Industry>,
    pub headcount: Option<i32>,
    pub financing_raised: Option<Fen>,
    pub exited_on: Option<NaiveDate>,
    /// Revenue by year; years given replace those stored, others stay.
    pub revenue: Vec<(i32, Fen)>,
}

/// Registers an enterprise by USCC, or brings the registered one up to these
/// facts. Idempotent: the same facts twice change nothing and audit nothing.
/// Returns the record and whether it was created.
#[tracing::instrument(skip(db))]
pub async fn register(
    db: &DatabaseConnection,
    actor: &Actor,
    facts: EnterpriseFacts,
) -> AppResult<(enterprise::Model, bool)> {
    let txn = super::begin_write(db).await?;
    let result = register_in(&txn, actor, facts).await?;
    txn.commit().await?;
    Ok(result)
}

/// [`register`] inside the caller's transaction (bulk imports).
pub async fn register_in<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    facts: EnterpriseFacts,
) -> AppResult<(enterprise::Model, bool)> {
    let existing = enterprise::Entity::find()
        .filter(enterprise::Column::Uscc.eq(facts.uscc.as_str()))
        .one(txn)
        .await?;
    let now = Utc::now();
    let (model, created) = match existing {
        None => {
            let row = enterprise::ActiveModel {
                uscc: Set(facts.uscc.to_string()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..fields(&facts)
            };
            let model = enterprise::Entity::insert(row)
                .exec_with_returning(txn)
                .await?;
            (model, true)
        }
        Some(current) => {
            let mut wanted = current.clone().into_active_model();
            let changes = fields(&facts);
            wanted.name = changes.name;
            wanted.founded_on = changes.founded_on;
            wanted.landed_on = changes.landed_on;
            wanted.industry = changes.industry;
            wanted.headcount = changes.headcount;
            wanted.financing_raised_fen = changes.financing_raised_fen;
            wanted.exited_on = changes.exited_on;
            let unchanged = wanted.clone().try_into_model().is_ok_and(|m| m == current);
            if unchanged && revenue_unchanged(txn, current.id, &facts.revenue).await? {
                return Ok((current, false));
            }
            may_write_enterprise(actor, &hosts(txn, current.id).await?)?;
            let model = versioned_update::<enterprise::Entity, _>(
                txn,
                wanted,
                current.id,
                current.version,
                current.version,
            )
            .await?;
            audit::record(
                txn,
                actor,
                Operation::Update,
                change(Some(&current), &model)?,
            )
            .await?;
            store_revenue(txn, model.id, &facts.revenue).await?;
            return Ok((model, false));
        }
    };
    audit::record(txn, actor, Operation::Create, change(None, &model)?).await?;
    store_revenue(txn, model.id, &facts.revenue).await?;
    Ok((model, created))
}

fn fields(facts: &EnterpriseFacts) -> enterprise::ActiveModel {
    enterprise::ActiveModel {
        name: Set(facts.name.clone()),
        founded_on: Set(facts.founded_on),
        landed_on: Set(facts.landed_on),
        industry: Set(facts.industry.map(|i| i.as_ref().to_owned())),
        headcount: Set(facts.headcount),
        financing_raised_fen: Set(facts.financing_raised.map(|fen| fen.0)),
        exited_on: Set(facts.exited_on),
        ..Default::default()
    }
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

async fn store_revenue<C: ConnectionTrait>(
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

/// The operators whose carriers host (or hosted) enterprise `id`.
pub async fn hosts<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<i32>> {
    let carrier_ids: Vec<i32> = tenancy::Entity::find()
        .select_only()
        .column(tenancy::Column::CarrierId)
        .filter(tenancy::Column::EnterpriseId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let operators: Vec<i32> = entity::carrier::Entity::find()
        .select_only()
        .column(entity::carrier::Column::OperatorId)
        .filter(entity::carrier::Column::Id.is_in(carrier_ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(operators)
}

fn change(before: Option<&enterprise::Model>, after: &enterprise::Model) -> AppResult<Change> {
    Ok(Change {
        entity_type: "Enterprise",
        entity_id: after.id,
        operator_id: None,
        former_operator_id: None,
        before: before.map(snapshot).transpose()?,
        after: Some(snapshot(after)?),
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

#[tracing::instrument(skip(db))]
pub async fn add_qualification(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewQualification,
) -> AppResult<qualification::Model> {
    let txn = super::begin_write(db).await?;
    enterprise::Entity::find_by_id(new.enterprise_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Enterprise", new.enterprise_id))?;
    may_write_enterprise(actor, &hosts(&txn, new.enterprise_id).await?)?;
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
    let change = Change::created("Qualification", model.id, None, &model)?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok(model)
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

/// Enterprises sorted by name.
pub async fn page(
    db: &DatabaseConnection,
    filter: &EnterpriseFilter,
    args: &PageArgs,
) -> AppResult<Page<enterprise::Model>> {
    let sort = Sort {
        name: "NAME_ASC".into(),
        key: Some(enterprise::Column::Name),
        id: enterprise::Column::Id,
        descending: false,
    };
    let select = enterprise::Entity::find().filter(filter.condition());
    page::fetch(
        db,
        select,
        &sort,
        args,
        |m| Some(m.name.clone()),
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
