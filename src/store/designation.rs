//! Designation requests (认定申请): an operator proposes a fact that counts
//! toward the targets, the bureau decides it once, and only an approval
//! changes what the targets count.
//!
//! Every step is one transaction under the carrier's row lock (see
//! [`super::carrier::writable`]), so two decisions on one request, or two
//! requests for one designation, are serialised: the second sees the first.

use chrono::Utc;
use entity::designation_request::{self, Column};
use entity::{carrier, operating_team, platform};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter,
};

use super::audit::{self, Change, Operation};
use super::page::{self, Page, PageArgs, Sort};
use super::{check_version, versioned_update};
use crate::domain::access::{Actor, WriteRule, may_call};
use crate::domain::carrier::{CarrierKind, Level, check_landmark};
use crate::domain::designation::{
    DesignationKind, DesignationStatus, Proposal, Subject, check_proposal, check_undecided,
};
use crate::domain::message::zh_date;
use crate::error::{AppError, AppResult, stored};

const NAME: &str = "DesignationRequest";

/// Files `proposal` for review: by ADMIN or the operator of the carrier it
/// falls under, when the designation does not already hold and no request
/// for it waits for review.
#[tracing::instrument(skip_all)]
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    proposal: Proposal,
) -> AppResult<designation_request::Model> {
    check_proposal(&proposal, super::today())?;
    let carrier_id = carrier_of(db, &proposal).await?;
    let txn = super::begin_write(db).await?;
    let carrier = super::carrier::writable(&txn, actor, carrier_id).await?;
    let designated = Designated::read(&txn, carrier_id, &proposal).await?;
    check_designable(&carrier, &designated, &proposal)?;
    let subject_id = proposal.kind.subject().map(|_| proposal.subject_id);
    let waiting = designation_request::Entity::find()
        .filter(Column::CarrierId.eq(carrier_id))
        .filter(Column::Kind.eq(proposal.kind.as_ref()))
        .filter(match subject_id {
            Some(id) => Column::SubjectId.eq(id),
            None => Column::SubjectId.is_null(),
        })
        .filter(Column::Status.eq(DesignationStatus::Pending.as_ref()))
        .count(&txn)
        .await?;
    if waiting > 0 {
        return Err(AppError::conflict(
            format!(
                "a {} request for this record already waits for review",
                proposal.kind
            ),
            format!("该事项已有待审批的{}申请", proposal.kind.label_zh()),
        ));
    }
    let now = Utc::now();
    let row = designation_request::ActiveModel {
        carrier_id: Set(carrier_id),
        kind: Set(proposal.kind.as_ref().to_owned()),
        subject_id: Set(subject_id),
        level: Set(proposal.level.map(|level| level.as_ref().to_owned())),
        effective_on: Set(proposal.effective_on),
        authority: Set(proposal.authority),
        document_number: Set(proposal.document_number),
        document_date: Set(proposal.document_date),
        notes: Set(proposal.notes),
        status: Set(DesignationStatus::Pending.as_ref().to_owned()),
        submitted_by: Set(actor.name.clone()),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        recognition_id: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let model = designation_request::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    let change = Change::created(NAME, model.id, Some(carrier.operator_id), &model)?;
    audit::record(&txn, actor, Operation::Create, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// The bureau's decision on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The designation holds from its effective date and counts.
    Approve,
    /// It does not; nothing changes but the request.
    Reject,
}

/// Decides request `id`, read at `version`: ADMIN only, once (a decided
/// request gets CONFLICT). An approval makes the designation in the same
/// transaction, under the rules of making it directly. The reason is
/// required of a rejection (the caller checks it) and kept on the request
/// and in the audit trail.
#[tracing::instrument(skip_all)]
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    version: i32,
    decision: Decision,
    reason: Option<String>,
) -> AppResult<designation_request::Model> {
    let mutation = match decision {
        Decision::Approve => "approveDesignationRequest",
        Decision::Reject => "rejectDesignationRequest",
    };
    may_call(actor, mutation, WriteRule::AdminOnly)?;
    let not_found = || AppError::not_found(NAME, id);
    let txn = super::begin_write(db).await?;
    let found = designation_request::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let carrier = super::carrier::writable(&txn, actor, found.carrier_id).await?;
    // Read again under the carrier's lock: a decision made meanwhile is seen.
    let request = designation_request::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let status: DesignationStatus = stored("designation_request.status", &request.status)?;
    check_undecided(id, status).map_err(AppError::Conflict)?;
    check_version::<designation_request::Entity>(id, request.version, version)?;
    let mut row = request.clone().into_active_model();
    let operation = match decision {
        Decision::Approve => {
            let proposal = proposal_of(&request)?;
            let designated = Designated::read(&txn, carrier.id, &proposal).await?;
            check_designable(&carrier, &designated, &proposal)?;
            let recognition = designate(&txn, actor, &carrier, designated, proposal).await?;
            row.recognition_id = Set(recognition);
            row.status = Set(DesignationStatus::Approved.as_ref().to_owned());
            Operation::Approve
        }
        Decision::Reject => {
            row.status = Set(DesignationStatus::Rejected.as_ref().to_owned());
            Operation::Reject
        }
    };
    row.decided_by = Set(Some(actor.name.clone()));
    row.decided_at = Set(Some(Utc::now()));
    row.decision_reason = Set(reason.clone());
    let after =
        versioned_update::<designation_request::Entity, _>(&txn, row, id, request.version, version)
            .await?;
    let change = Change::updated(NAME, id, Some(carrier.operator_id), &request, &after)?;
    audit::record_with_reason(&txn, actor, operation, change, reason).await?;
    txn.commit().await?;
    Ok(after)
}

/// The carrier `proposal` falls under: the carrier itself, or the one
/// hosting the platform or team it names.
async fn carrier_of(db: &DatabaseConnection, proposal: &Proposal) -> AppResult<i32> {
    let id = proposal.subject_id;
    Ok(match proposal.kind.subject() {
        None => id,
        Some(Subject::Platform) => {
            platform::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("Platform", id))?
                .carrier_id
        }
        Some(Subject::OperatingTeam) => {
            operating_team::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::not_found("OperatingTeam", id))?
                .carrier_id
        }
    })
}

/// What a request designates, read under the carrier's lock.
enum Designated {
    /// The carrier itself (landmark status, its level).
    Carrier,
    Platform(platform::Model),
    Team(operating_team::Model),
}

impl Designated {
    /// The platform or team `proposal` names, which must be carrier
    /// `carrier_id`'s (locked by the caller's transaction) and not voided.
    async fn read(
        txn: &DatabaseTransaction,
        carrier_id: i32,
        proposal: &Proposal,
    ) -> AppResult<Self> {
        let id = proposal.subject_id;
        Ok(match proposal.kind.subject() {
            None => Self::Carrier,
            Some(Subject::Platform) => Self::Platform(
                super::support::carrier_record_in::<platform::Entity>(txn, carrier_id, id).await?,
            ),
            Some(Subject::OperatingTeam) => Self::Team(
                super::support::carrier_record_in::<operating_team::Entity>(txn, carrier_id, id)
                    .await?,
            ),
        })
    }
}

/// Refuses a designation of `designated` under `carrier` that already holds
/// (or cannot hold).
fn check_designable(
    carrier: &carrier::Model,
    designated: &Designated,
    proposal: &Proposal,
) -> AppResult<()> {
    let already = |what: &str, what_zh: &str| {
        AppError::invalid(
            "kind",
            format!("{what} already holds; nothing to designate"),
            format!("{what_zh}已经生效，无需申请"),
        )
    };
    match (proposal.kind, designated) {
        (DesignationKind::Landmark, _) => {
            let kind: CarrierKind = stored("carrier.kind", &carrier.kind)?;
            check_landmark(kind, true)?;
            if carrier.landmark {
                return Err(already("landmark status", "地标型科创综合体认定"));
            }
        }
        (DesignationKind::PlatformLevel, Designated::Platform(platform))
            if proposal
                .level
                .is_some_and(|level| level.as_ref() == platform.level) =>
        {
            return Err(already("the platform's level", "该公共技术服务平台的级别"));
        }
        (DesignationKind::ProfessionalTeam, Designated::Team(team)) => {
            if team.professional_recognised_on.is_some() {
                return Err(already(
                    "the team's recognition",
                    "该团队的专业化运营团队认定",
                ));
            }
            if proposal.effective_on < team.formed_on {
                return Err(AppError::invalid(
                    "effectiveOn",
                    format!(
                        "{} comes before the team was formed on {}",
                        proposal.effective_on, team.formed_on
                    ),
                    format!(
                        "认定日期（{}）早于团队组建日期（{}）",
                        zh_date(proposal.effective_on),
                        zh_date(team.formed_on)
                    ),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Makes the designation `proposal` asks for; the id of the level
/// recognition it recorded, if it recorded one.
async fn designate(
    txn: &DatabaseTransaction,
    actor: &Actor,
    carrier: &carrier::Model,
    designated: Designated,
    proposal: Proposal,
) -> AppResult<Option<i32>> {
    let operator_id = carrier.operator_id;
    let level = || {
        proposal.level.ok_or_else(|| {
            AppError::invalid("level", "the request names no level", "申请未填写级别")
        })
    };
    match (proposal.kind, designated) {
        (DesignationKind::Landmark, _) => {
            super::carrier::designate_landmark(txn, actor, carrier).await?;
        }
        (DesignationKind::CarrierLevel, _) => {
            let new = super::recognition::NewRecognition {
                carrier_id: carrier.id,
                level: level()?,
                recognised_on: proposal.effective_on,
                authority: proposal.authority.clone().unwrap_or_default(),
                document_number: proposal.document_number.clone(),
            };
            let recognition = super::recognition::record_in(txn, actor, operator_id, new).await?;
            return Ok(Some(recognition.id));
        }
        (DesignationKind::PlatformLevel, Designated::Platform(platform)) => {
            let level = level()?;
            super::support::designate_platform_level(txn, actor, operator_id, &platform, level)
                .await?;
        }
        (DesignationKind::ProfessionalTeam, Designated::Team(team)) => {
            let on = proposal.effective_on;
            super::support::designate_professional_team(txn, actor, operator_id, &team, on).await?;
        }
        _ => return Err(AppError::Internal),
    }
    Ok(None)
}

/// The proposal a stored request holds.
fn proposal_of(row: &designation_request::Model) -> AppResult<Proposal> {
    let kind: DesignationKind = stored("designation_request.kind", &row.kind)?;
    let level: Option<Level> = row
        .level
        .as_deref()
        .map(|level| stored("designation_request.level", level))
        .transpose()?;
    Ok(Proposal {
        kind,
        subject_id: row.subject_id.unwrap_or(row.carrier_id),
        level,
        effective_on: row.effective_on,
        authority: row.authority.clone(),
        document_number: row.document_number.clone(),
        document_date: row.document_date,
        notes: row.notes.clone(),
    })
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<DesignationStatus>,
    /// Only these kinds (all when empty).
    pub kinds: Vec<DesignationKind>,
    /// Only this carrier's.
    pub carrier_id: Option<i32>,
    /// Only the carriers of this operator (an OPERATOR token's scope).
    pub operator_id: Option<i32>,
}

impl RequestFilter {
    fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if !self.statuses.is_empty() {
            condition =
                condition.add(Column::Status.is_in(self.statuses.iter().map(AsRef::as_ref)));
        }
        if !self.kinds.is_empty() {
            condition = condition.add(Column::Kind.is_in(self.kinds.iter().map(AsRef::as_ref)));
        }
        if let Some(carrier_id) = self.carrier_id {
            condition = condition.add(Column::CarrierId.eq(carrier_id));
        }
        if let Some(operator_id) = self.operator_id {
            condition = condition.add(
                Column::CarrierId.in_subquery(
                    Query::select()
                        .column(carrier::Column::Id)
                        .from(carrier::Entity)
                        .and_where(carrier::Column::OperatorId.eq(operator_id))
                        .to_owned(),
                ),
            );
        }
        condition
    }
}

/// A page of requests, oldest first (the order a queue is worked through).
/// One SQL statement.
pub async fn page(
    db: &DatabaseConnection,
    filter: &RequestFilter,
    args: &PageArgs,
) -> AppResult<Page<designation_request::Model>> {
    let sort = Sort {
        name: "ID_ASC".into(),
        key: None,
        id: Column::Id,
        descending: false,
    };
    let select = designation_request::Entity::find().filter(filter.condition());
    page::fetch(db, select, &sort, args, |_| None, |row| row.id.into()).await
}

/// Request `id`, if it falls under operator `operator_scope`'s carriers (any
/// operator's when `None`). One SQL statement.
pub async fn find(
    db: &DatabaseConnection,
    id: i32,
    operator_scope: Option<i32>,
) -> AppResult<Option<designation_request::Model>> {
    let filter = RequestFilter {
        operator_id: operator_scope,
        ..RequestFilter::default()
    };
    Ok(designation_request::Entity::find()
        .filter(Column::Id.eq(id))
        .filter(filter.condition())
        .one(db)
        .await?)
}

/// How many requests match `filter`. One SQL statement.
pub async fn count(db: &DatabaseConnection, filter: &RequestFilter) -> AppResult<u64> {
    Ok(designation_request::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}
