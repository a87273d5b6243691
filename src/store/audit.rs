//! The audit trail: one permanent event per change, written in the
//! transaction of the change itself, so a change and its record stand or fall together.

use chrono::{DateTime, Utc};
use entity::audit_event::{self, Column};
use entity::{carrier, outbox_event, qualification, tenancy};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde::Serialize;
use strum::{AsRefStr, EnumString};

use super::page::{self, Page, PageArgs, Sort};
use crate::domain::access::Actor;
use crate::domain::webhook;
use crate::error::{AppError, AppResult};

/// What a change did to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsRefStr, EnumString, strum::EnumIter)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Operation {
    Create,
    Update,
    Delete,
    /// A correction of a record entered wrongly, with a reason.
    Amend,
    /// A record entered in error, kept but counted nowhere, with a reason.
    Void,
    /// A designation request approved by the bureau.
    Approve,
    /// A designation request rejected by the bureau, with a reason.
    Reject,
}

impl Operation {
    /// The operation in an event type: `carrier.created`, `tenancy.voided`.
    pub fn past_tense(self) -> &'static str {
        match self {
            Self::Create => "created",
            Self::Update => "updated",
            Self::Delete => "deleted",
            Self::Amend => "amended",
            Self::Void => "voided",
            Self::Approve => "approved",
            Self::Reject => "rejected",
        }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change {
    /// The API type of the record, e.g. `Carrier`.
    pub entity_type: &'static str,
    pub entity_id: i32,
    /// The operator whose data changed.
    pub operator_id: Option<i32>,
    /// The operator the record belonged to before, when the change moved it to another.
    pub former_operator_id: Option<i32>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    /// The creation of record `entity_id`, stored as `row`, in operator `operator_id`'s data.
    pub fn created(
        entity_type: &'static str,
        entity_id: i32,
        operator_id: Option<i32>,
        row: &impl Serialize,
    ) -> AppResult<Self> {
        Ok(Self {
            entity_type,
            entity_id,
            operator_id,
            former_operator_id: None,
            before: None,
            after: Some(snapshot(row)?),
        })
    }

    /// The update of record `entity_id` from `before` to `after`, in operator `operator_id`'s data.
    pub fn updated(
        entity_type: &'static str,
        entity_id: i32,
        operator_id: Option<i32>,
        before: &impl Serialize,
        after: &impl Serialize,
    ) -> AppResult<Self> {
        Ok(Self {
            entity_type,
            entity_id,
            operator_id,
            former_operator_id: None,
            before: Some(snapshot(before)?),
            after: Some(snapshot(after)?),
        })
    }

    /// The carrier the changed record is or belongs to: the carrier itself,
    /// or the `carrier_id` of its row (after the change, else before it).
    fn carrier_id(&self) -> Option<i32> {
        if self.entity_type == "Carrier" {
            return Some(self.entity_id);
        }
        [&self.after, &self.before]
            .into_iter()
            .flatten()
            .find_map(|row| row.get("carrier_id")?.as_i64())
            .and_then(|id| i32::try_from(id).ok())
    }
}

/// A record as the audit trail keeps it: its row, as JSON.
pub fn snapshot(row: &impl Serialize) -> AppResult<serde_json::Value> {
    serde_json::to_value(row).map_err(|err| {
        tracing::error!(%err, "cannot serialise a record for the audit trail");
        AppError::Internal
    })
}

/// Writes the event of `change` by `actor`, and its outbox row for webhooks
/// (`outbox_event`), inside the caller's transaction: both exist exactly when
/// the change committed.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    operation: Operation,
    change: Change,
) -> AppResult<()> {
    record_with_reason(txn, actor, operation, change, None).await
}

/// [`record`], with why the change was made (corrections give one).
pub async fn record_with_reason<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    operation: Operation,
    change: Change,
    reason: Option<String>,
) -> AppResult<()> {
    let occurred_at = Utc::now();
    let event_type = webhook::event_type(change.entity_type, operation.past_tense());
    let carrier_id = change.carrier_id();
    let (entity_type, entity_id, operator_id) =
        (change.entity_type, change.entity_id, change.operator_id);
    let event = audit_event::ActiveModel {
        occurred_at: Set(occurred_at),
        actor: Set(actor.name.clone()),
        token_id: Set(actor.token_id),
        role: Set(actor.role.as_ref().to_owned()),
        operation: Set(operation.as_ref().to_owned()),
        entity_type: Set(change.entity_type.to_owned()),
        entity_id: Set(change.entity_id),
        operator_id: Set(change.operator_id),
        former_operator_id: Set(change.former_operator_id),
        before: Set(change.before.map(|v| v.to_string())),
        after: Set(change.after.map(|v| v.to_string())),
        reason: Set(reason),
        ..Default::default()
    };
    let audit_event_id = audit_event::Entity::insert(event)
        .exec(txn)
        .await?
        .last_insert_id;
    let outbox = outbox_event::ActiveModel {
        event_type: Set(event_type),
        operation: Set(operation.as_ref().to_owned()),
        entity_type: Set(entity_type.to_owned()),
        entity_id: Set(entity_id),
        operator_id: Set(operator_id),
        audit_event_id: Set(audit_event_id),
        occurred_at: Set(occurred_at),
        fanned_out: Set(false),
        carrier_id: Set(carrier_id),
        ..Default::default()
    };
    outbox_event::Entity::insert(outbox).exec(txn).await?;
    Ok(())
}

/// Which events to list. `operator_scope` restricts to one operator's data.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub operator_scope: Option<i32>,
    pub entity_type: Option<String>,
    pub entity_id: Option<i32>,
    pub actor: Option<String>,
    pub operations: Vec<Operation>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(operator) = self.operator_scope {
            condition = condition.add(
                Condition::any()
                    .add(Column::OperatorId.eq(operator))
                    .add(Column::FormerOperatorId.eq(operator))
                    .add(
                        Condition::all()
                            .add(Column::EntityType.eq("Enterprise"))
                            .add(Column::EntityId.in_subquery(hosted_by(operator))),
                    )
                    .add(
                        Condition::all()
                            .add(Column::EntityType.eq("Qualification"))
                            .add(
                                Column::EntityId.in_subquery(qualifications_of_hosted_by(operator)),
                            ),
                    ),
            );
        }
        if let Some(entity_type) = &self.entity_type {
            condition = condition.add(Column::EntityType.eq(entity_type.as_str()));
        }
        if let Some(entity_id) = self.entity_id {
            condition = condition.add(Column::EntityId.eq(entity_id));
        }
        if let Some(actor) = &self.actor {
            condition = condition.add(Column::Actor.eq(actor.as_str()));
        }
        if !self.operations.is_empty() {
            condition =
                condition.add(Column::Operation.is_in(self.operations.iter().map(|o| o.as_ref())));
        }
        if let Some(from) = self.from {
            condition = condition.add(Column::OccurredAt.gte(from));
        }
        if let Some(until) = self.until {
            condition = condition.add(Column::OccurredAt.lt(until));
        }
        condition
    }
}

/// The enterprises that operator `operator`'s carriers host or hosted: their
/// changes concern it (a competitor writing its tenant's figures shows in its
/// trail), though the figures themselves are shown only to those who may read them.
fn hosted_by(operator: i32) -> SelectStatement {
    Query::select()
        .column((tenancy::Entity, tenancy::Column::EnterpriseId))
        .from(tenancy::Entity)
        .inner_join(
            carrier::Entity,
            Expr::col((carrier::Entity, carrier::Column::Id))
                .equals((tenancy::Entity, tenancy::Column::CarrierId)),
        )
        .and_where(Expr::col((carrier::Entity, carrier::Column::OperatorId)).eq(operator))
        .to_owned()
}

fn qualifications_of_hosted_by(operator: i32) -> SelectStatement {
    Query::select()
        .column(qualification::Column::Id)
        .from(qualification::Entity)
        .and_where(Expr::col(qualification::Column::EnterpriseId).in_subquery(hosted_by(operator)))
        .to_owned()
}

/// Events matching `filter`, newest first.
pub async fn page(
    db: &DatabaseConnection,
    filter: &AuditFilter,
    args: &PageArgs,
) -> AppResult<Page<audit_event::Model>> {
    let sort = Sort {
        name: "NEWEST_FIRST".into(),
        key: None,
        id: Column::Id,
        descending: true,
    };
    let select = audit_event::Entity::find().filter(filter.condition());
    page::fetch(db, select, &sort, args, |_| None, |m| m.id).await
}

pub async fn count(db: &DatabaseConnection, filter: &AuditFilter) -> AppResult<u64> {
    Ok(audit_event::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}
