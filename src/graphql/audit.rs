//! The audit trail, read-only: no path of the API edits or deletes it.

use async_graphql::{Context, ID, InputObject, Object};
use entity::audit_event;

use super::connection::{connection, page_args, page_complexity, total_count};
use super::enums::{AuditOperation, Role, to_domain};
use super::error::ApiResult;
use super::loaders::{self, one};
use super::node::{NodeType, decode, global_id};
use super::scalars::{DateTime, Json};
use crate::domain::access::{audit_scope, may_read_confidential, may_read_enterprise_confidential};
use crate::error::{AppError, stored};
use crate::store;
use crate::store::audit::AuditFilter as StoreFilter;

/// One change to the registry, kept for good: who did what to which record, with the values before and after.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    row: audit_event::Model,
    role: crate::domain::access::Role,
    operation: crate::store::audit::Operation,
    entity_type: NodeType,
}

impl TryFrom<audit_event::Model> for AuditEvent {
    type Error = AppError;

    fn try_from(row: audit_event::Model) -> Result<Self, AppError> {
        Ok(Self {
            role: stored("audit_event.role", &row.role)?,
            operation: stored("audit_event.operation", &row.operation)?,
            entity_type: stored("audit_event.entity_type", &row.entity_type)?,
            row,
        })
    }
}

fn json(text: Option<&str>) -> Result<Option<serde_json::Value>, AppError> {
    text.map(|text| {
        serde_json::from_str(text).map_err(|_| AppError::corrupt("audit_event snapshot", text))
    })
    .transpose()
}

/// The fields of an enterprise's snapshot that only ADMIN and its custodian read.
const CONFIDENTIAL_ENTERPRISE_FIELDS: [&str; 3] =
    ["financing_raised_fen", "revenue", "annual_report"];

/// The fields of a lease's snapshot that only ADMIN and its carrier's OPERATOR read.
const CONFIDENTIAL_LEASE_FIELDS: [&str; 3] = ["rent_rate_e4", "deposit_fen", "discount_bp"];

/// The figures of an annual report's snapshot that only ADMIN and the
/// enterprise's custodian read.
const CONFIDENTIAL_REPORT_FIELDS: [&str; 10] = [
    "revenue_fen",
    "rd_spend_fen",
    "tax_fen",
    "staff",
    "rd_staff",
    "new_graduates",
    "new_patents",
    "new_invention_patents",
    "financing_rounds",
    "financing_fen",
];

/// What a redacted field reads as: that there is a value, not what it is.
const REDACTED: &str = "CONFIDENTIAL";

impl AuditEvent {
    /// Snapshot `text` as the caller may see it: an enterprise's confidential
    /// figures are masked unless the caller may read them today.
    async fn visible(&self, ctx: &Context<'_>, text: Option<&str>) -> ApiResult<Option<Json>> {
        let Some(mut value) = json(text)? else {
            return Ok(None);
        };
        let masked: &[&str] = match self.entity_type {
            NodeType::Enterprise if !self.may_read_figures(ctx).await? => {
                &CONFIDENTIAL_ENTERPRISE_FIELDS
            }
            NodeType::Lease if !self.may_read_lease_terms(ctx).await? => &CONFIDENTIAL_LEASE_FIELDS,
            NodeType::AnnualReport => {
                let enterprise = value["enterprise_id"]
                    .as_i64()
                    .and_then(|id| i32::try_from(id).ok());
                if self.may_read_figures_of(ctx, enterprise).await? {
                    &[]
                } else {
                    &CONFIDENTIAL_REPORT_FIELDS
                }
            }
            _ => &[],
        };
        if let Some(fields) = value.as_object_mut() {
            for &key in masked {
                if let Some(field) = fields.get_mut(key)
                    && !field.is_null()
                {
                    *field = serde_json::Value::from(REDACTED);
                }
            }
        }
        Ok(Some(Json(value)))
    }

    /// Whether the caller may read the rent of the lease the event is
    /// about: ADMIN and the OPERATOR of its carrier today.
    async fn may_read_lease_terms(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let actor = super::actor(ctx)?;
        let loaders = loaders::of(ctx)?;
        let Some(lease) = one(&loaders.leases, self.row.entity_id).await? else {
            return Ok(false);
        };
        let carrier = loaders.carrier(lease.carrier_id).await?;
        Ok(carrier.is_some_and(|carrier| may_read_confidential(actor, carrier.operator_id())))
    }

    async fn may_read_figures(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        self.may_read_figures_of(ctx, Some(self.row.entity_id))
            .await
    }

    /// Whether the caller may read enterprise `id`'s confidential figures
    /// today (ADMIN, its custodian); only ADMIN when the enterprise is unknown.
    async fn may_read_figures_of(&self, ctx: &Context<'_>, id: Option<i32>) -> ApiResult<bool> {
        let actor = super::actor(ctx)?;
        let enterprise = match id {
            Some(id) => one(&loaders::of(ctx)?.enterprises, id).await?,
            None => None,
        };
        Ok(may_read_enterprise_confidential(
            actor,
            enterprise.and_then(|row| row.custodian_operator_id),
        ))
    }
}

/// One change to the registry, kept for good: who did what to which record, with the values before and after.
#[Object]
impl AuditEvent {
    /// The event's number; later events have larger numbers.
    async fn sequence(&self) -> i64 {
        self.row.id
    }

    /// When the change was committed.
    async fn occurred_at(&self) -> DateTime {
        self.row.occurred_at.into()
    }

    /// The name of the token that made the change.
    async fn actor(&self) -> &str {
        &self.row.actor
    }

    /// The unique id of that token, as `zaiti token list` shows it (token
    /// names may repeat); null for changes made from the command line.
    async fn token_id(&self) -> Option<i32> {
        self.row.token_id
    }

    /// The role of that token.
    async fn role(&self) -> Role {
        self.role.into()
    }

    /// Created, updated, deleted, amended or voided.
    async fn operation(&self) -> AuditOperation {
        self.operation.into()
    }

    /// Why the change was made: given with every amendment and void.
    async fn reason(&self) -> Option<&str> {
        self.row.reason.as_deref()
    }

    /// The type of the record changed, e.g. `Carrier`.
    async fn entity_type(&self) -> &str {
        self.entity_type.as_ref()
    }

    /// The global ID of the record changed.
    async fn entity_id(&self) -> ID {
        global_id(self.entity_type, self.row.entity_id)
    }

    /// The record before the change, as stored (absent for a creation). An
    /// enterprise's confidential figures read `"CONFIDENTIAL"` unless the
    /// caller is ADMIN or the enterprise's custodian.
    async fn before(&self, ctx: &Context<'_>) -> ApiResult<Option<Json>> {
        self.visible(ctx, self.row.before.as_deref()).await
    }

    /// The record after the change, as stored (absent for a deletion). An
    /// enterprise's confidential figures read `"CONFIDENTIAL"` unless the
    /// caller is ADMIN or the enterprise's custodian.
    async fn after(&self, ctx: &Context<'_>) -> ApiResult<Option<Json>> {
        self.visible(ctx, self.row.after.as_deref()).await
    }
}

connection!(
    AuditEventConnection,
    AuditEventEdge,
    AuditEvent,
    "A page of audit events, newest first (Relay cursor connection).",
    "An audit event in a page, with its cursor."
);

/// Which audit events to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Changes to this record (any type's global ID).
    pub entity_id: Option<ID>,
    /// Changes to records of this type, e.g. `Carrier`.
    pub entity_type: Option<String>,
    /// Changes made by the token of this name.
    pub actor: Option<String>,
    /// Changes of these kinds.
    pub operations: Option<Vec<AuditOperation>>,
    /// Changes at or after this moment.
    pub from: Option<DateTime>,
    /// Changes before this moment.
    pub until: Option<DateTime>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first. ADMIN sees every event; an OPERATOR the events of its own operator's records.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Page size when paging forward (default 20; at most the server's page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "Page size when paging backward (at most the server's page size, 100 unless configured)."
        )]
        last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
        #[graphql(desc = "Conditions the events must meet.")] filter: Option<AuditEventFilter>,
    ) -> ApiResult<AuditEventConnection> {
        let db = super::db(ctx)?;
        let operator_scope = audit_scope(super::actor(ctx)?).map_err(AppError::from)?;
        let filter = filter.unwrap_or_default();
        let entity = filter
            .entity_id
            .as_ref()
            .map(|id| decode("filter.entityId", id))
            .transpose()?;
        let filter = StoreFilter {
            operator_scope,
            entity_type: filter
                .entity_type
                .or_else(|| entity.map(|(kind, _)| kind.as_ref().to_owned())),
            entity_id: entity.map(|(_, id)| id),
            actor: filter.actor,
            operations: to_domain(filter.operations),
            from: filter.from.map(DateTime::utc),
            until: filter.until.map(DateTime::utc),
        };
        let args = page_args(ctx, first, after, last, before);
        let page = store::audit::page(db, &filter, &args).await?;
        let total = total_count(ctx, store::audit::count(db, &filter)).await?;
        Ok(AuditEventConnection::build(
            page,
            total,
            AuditEvent::try_from,
        )?)
    }
}
