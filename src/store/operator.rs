//! Operators (运营主体): listing, creating and updating.

use chrono::Utc;
use entity::operator::{self, Column};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, sea_query::Expr, sea_query::ExprTrait, sea_query::Func,
};

use super::audit::{self, Change, Operation, snapshot};
use super::page::{self, Page, PageArgs, Sort};
use super::{check_version, like_contains, versioned_update};
use crate::domain::access::{Actor, may_write_for};
use crate::domain::carrier::Ownership;
use crate::domain::text::pinyin_key;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};

/// Which operators to list.
#[derive(Debug, Clone, Default)]
pub struct OperatorFilter {
    pub ownerships: Vec<Ownership>,
    pub name_contains: Option<String>,
}

/// A new operator, validated.
#[derive(Debug, Clone)]
pub struct NewOperator {
    pub name: String,
    pub uscc: Uscc,
    pub ownership: Ownership,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
}

/// Changes to an operator; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OperatorPatch {
    pub name: Option<String>,
    pub uscc: Option<Uscc>,
    pub ownership: Option<Ownership>,
    pub contact_person: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
}

impl OperatorFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if !self.ownerships.is_empty() {
            condition =
                condition.add(Column::Ownership.is_in(self.ownerships.iter().map(|o| o.as_ref())));
        }
        if let Some(text) = &self.name_contains {
            condition = condition
                .add(Expr::expr(Func::lower(Expr::col(Column::Name))).like(like_contains(text)));
        }
        condition
    }
}

/// Operators sorted by name, or by its pinyin (`pinyin`).
pub async fn page(
    db: &DatabaseConnection,
    filter: &OperatorFilter,
    pinyin: bool,
    args: &PageArgs,
) -> AppResult<Page<operator::Model>> {
    let (sort_name, key) = if pinyin {
        ("NAME_PINYIN_ASC", Column::NamePinyin)
    } else {
        ("NAME_ASC", Column::Name)
    };
    let sort = Sort {
        name: sort_name.into(),
        key: Some(key),
        id: Column::Id,
        descending: false,
    };
    let select = operator::Entity::find().filter(filter.condition());
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

pub async fn count(db: &DatabaseConnection, filter: &OperatorFilter) -> AppResult<u64> {
    Ok(operator::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewOperator,
) -> AppResult<operator::Model> {
    let txn = super::begin_write(db).await?;
    ensure_uscc_free(&txn, &new.uscc, None).await?;
    let now = Utc::now();
    let row = operator::ActiveModel {
        name_pinyin: Set(Some(pinyin_key(&new.name))),
        name: Set(new.name),
        uscc: Set(new.uscc.to_string()),
        ownership: Set(new.ownership.as_ref().to_owned()),
        contact_person: Set(new.contact_person),
        contact_phone: Set(new.contact_phone),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = operator::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    audit::record(&txn, actor, Operation::Create, change(None, &model)?).await?;
    txn.commit().await?;
    Ok(model)
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    patch: OperatorPatch,
) -> AppResult<operator::Model> {
    let txn = super::begin_write(db).await?;
    let current = operator::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Operator", id))?;
    may_write_for(actor, current.id)?;
    check_version::<operator::Entity>(id, current.version, version)?;
    if let Some(uscc) = &patch.uscc {
        ensure_uscc_free(&txn, uscc, Some(id)).await?;
    }
    let mut row = current.clone().into_active_model();
    if let Some(name) = patch.name {
        row.name_pinyin = Set(Some(pinyin_key(&name)));
        row.name = Set(name);
    }
    if let Some(uscc) = patch.uscc {
        row.uscc = Set(uscc.to_string());
    }
    if let Some(ownership) = patch.ownership {
        row.ownership = Set(ownership.as_ref().to_owned());
    }
    if let Some(person) = patch.contact_person {
        row.contact_person = Set(person);
    }
    if let Some(phone) = patch.contact_phone {
        row.contact_phone = Set(phone);
    }
    let model =
        versioned_update::<operator::Entity, _>(&txn, row, id, current.version, version).await?;
    audit::record(
        &txn,
        actor,
        Operation::Update,
        change(Some(&current), &model)?,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn change(before: Option<&operator::Model>, after: &operator::Model) -> AppResult<Change> {
    Ok(Change {
        entity_type: "Operator",
        entity_id: after.id,
        operator_id: Some(after.id),
        former_operator_id: None,
        before: before.map(snapshot).transpose()?,
        after: Some(snapshot(after)?),
    })
}

async fn ensure_uscc_free<C: sea_orm::ConnectionTrait>(
    db: &C,
    uscc: &Uscc,
    except: Option<i32>,
) -> AppResult<()> {
    let holder = operator::Entity::find()
        .filter(Column::Uscc.eq(uscc.as_str()))
        .one(db)
        .await?;
    match holder {
        Some(other) if Some(other.id) != except => Err(AppError::conflict(
            format!("operator '{}' already has the USCC {uscc}", other.name),
            format!("统一社会信用代码 {uscc} 已由运营主体“{}”使用", other.name),
        )),
        _ => Ok(()),
    }
}
