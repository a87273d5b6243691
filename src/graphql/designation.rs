//! Designation requests (认定申请): the review queue of facts that count
//! toward the plan's targets, proposed by operators and decided by the bureau.

use async_graphql::{Context, Enum, ID, InputObject, Object, Subscription};
use entity::designation_request;
use futures_util::stream::{Stream, StreamExt};

use super::carrier::Carrier;
use super::connection::{connection, page_args, page_complexity, total_count};
use super::enums::Level;
use super::error::{ApiError, ApiResult, missing_context};
use super::loaders::{self, one, required};
use super::node::{NodeType, expect, global_id};
use super::recognition::LevelRecognition;
use super::scalars::{Date, DateTime};
use super::support::{OperatingTeam, Platform};
use crate::domain::access::{Actor, designation_scope};
use crate::domain::designation::{self as domain, Proposal, Subject};
use crate::domain::text::{optional_text, required_text};
use crate::error::{AppError, stored};
use crate::events::{Bus, Notice};
use crate::store;
use crate::store::designation::{Decision, RequestFilter};

/// 认定类型: what a request asks the bureau to designate.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::DesignationKind")]
pub enum DesignationKind {
    /// 地标型科创综合体: a science complex as a landmark (the landmark target
    /// counts it). `subjectId` is the carrier.
    Landmark,
    /// 载体级别认定: a carrier's level (the city-level and provincial
    /// targets count it); approval records the level recognition.
    /// `subjectId` is the carrier; `level` and `authority` are required.
    CarrierLevel,
    /// 平台级别: a public technology service platform's level. `subjectId` is
    /// the platform; `level` is required.
    PlatformLevel,
    /// 高水平专业化运营团队: an operating team as professional (the operating-team
    /// target counts it). `subjectId` is the team.
    ProfessionalTeam,
}

/// 审批状态: where a request is in review.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::DesignationStatus")]
pub enum DesignationStatus {
    /// 待审批: waiting for the bureau.
    Pending,
    /// 已批准: approved; the designation holds and counts.
    Approved,
    /// 已驳回: rejected, with a reason; nothing changed.
    Rejected,
}

/// 认定申请: an operator's request that the bureau designate a fact counting
/// toward the plan's targets, with its evidence and, once decided, the decision.
#[derive(Debug, Clone)]
pub struct DesignationRequest {
    row: designation_request::Model,
    kind: domain::DesignationKind,
    status: domain::DesignationStatus,
    level: Option<crate::domain::carrier::Level>,
}

impl TryFrom<designation_request::Model> for DesignationRequest {
    type Error = AppError;

    fn try_from(row: designation_request::Model) -> Result<Self, AppError> {
        Ok(Self {
            kind: stored("designation_request.kind", &row.kind)?,
            status: stored("designation_request.status", &row.status)?,
            level: row
                .level
                .as_deref()
                .map(|level| stored("designation_request.level", level))
                .transpose()?,
            row,
        })
    }
}

/// 认定申请: an operator's request that the bureau designate a fact counting
/// toward the plan's targets, with its evidence and, once decided, the decision.
#[Object]
impl DesignationRequest {
    /// The global ID of the request.
    pub async fn id(&self) -> ID {
        global_id(NodeType::DesignationRequest, self.row.id)
    }

    /// What is asked for.
    async fn kind(&self) -> DesignationKind {
        self.kind.into()
    }

    /// 认定类型, in the bureau's words, e.g. 地标型科创综合体认定.
    async fn kind_zh(&self) -> &'static str {
        self.kind.label_zh()
    }

    /// Where the request is in review.
    async fn status(&self) -> DesignationStatus {
        self.status.into()
    }

    /// The carrier the designation falls under (the one designated, or the
    /// host of the platform or team).
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Carrier> {
        let carrier = loaders::of(ctx)?.carrier(self.row.carrier_id).await?;
        required(carrier, "carrier", self.row.carrier_id)
    }

    /// The global ID of what is designated: the carrier, platform or team.
    async fn subject_id(&self) -> ID {
        match (self.kind.subject(), self.row.subject_id) {
            (Some(Subject::Platform), Some(id)) => global_id(NodeType::Platform, id),
            (Some(Subject::OperatingTeam), Some(id)) => global_id(NodeType::OperatingTeam, id),
            _ => global_id(NodeType::Carrier, self.row.carrier_id),
        }
    }

    /// The platform designated (PLATFORM_LEVEL requests).
    async fn platform(&self, ctx: &Context<'_>) -> ApiResult<Option<Platform>> {
        let (Some(Subject::Platform), Some(id)) = (self.kind.subject(), self.row.subject_id) else {
            return Ok(None);
        };
        let row = one(&loaders::of(ctx)?.platforms, id).await?;
        Ok(row.map(Platform::try_from).transpose()?)
    }

    /// The operating team designated (PROFESSIONAL_TEAM requests).
    async fn operating_team(&self, ctx: &Context<'_>) -> ApiResult<Option<OperatingTeam>> {
        let (Some(Subject::OperatingTeam), Some(id)) = (self.kind.subject(), self.row.subject_id)
        else {
            return Ok(None);
        };
        Ok(one(&loaders::of(ctx)?.teams, id).await?.map(Into::into))
    }

    /// The level asked for (CARRIER_LEVEL, PLATFORM_LEVEL).
    async fn level(&self) -> Option<Level> {
        self.level.map(Into::into)
    }

    /// The date the designation takes effect once approved (the date of recognition).
    async fn effective_on(&self) -> Date {
        self.row.effective_on.into()
    }

    /// 认定机构: the authority named in the evidence.
    async fn authority(&self) -> Option<&str> {
        self.row.authority.as_deref()
    }

    /// 文号: the number of the supporting document.
    async fn document_number(&self) -> Option<&str> {
        self.row.document_number.as_deref()
    }

    /// The date of the supporting document.
    async fn document_date(&self) -> Option<Date> {
        self.row.document_date.map(Into::into)
    }

    /// 说明: the operator's notes for the reviewer.
    async fn notes(&self) -> Option<&str> {
        self.row.notes.as_deref()
    }

    /// The token that submitted the request.
    async fn submitted_by(&self) -> &str {
        &self.row.submitted_by
    }

    /// When the request was submitted.
    async fn submitted_at(&self) -> DateTime {
        self.row.created_at.into()
    }

    /// The token that decided the request; null while pending.
    async fn decided_by(&self) -> Option<&str> {
        self.row.decided_by.as_deref()
    }

    /// When the request was decided; null while pending.
    async fn decided_at(&self) -> Option<DateTime> {
        self.row.decided_at.map(DateTime::from)
    }

    /// 审批意见: why it was approved or rejected (always given for a rejection).
    async fn decision_reason(&self) -> Option<&str> {
        self.row.decision_reason.as_deref()
    }

    /// The level recognition an approved CARRIER_LEVEL request recorded.
    async fn recognition(&self, ctx: &Context<'_>) -> ApiResult<Option<LevelRecognition>> {
        match self.row.recognition_id {
            Some(id) => Ok(loaders::of(ctx)?.recognition(id).await?),
            None => Ok(None),
        }
    }

    /// Row version; pass it back to decide the request.
    async fn version(&self) -> i32 {
        self.row.version
    }
}

connection!(
    DesignationRequestConnection,
    DesignationRequestEdge,
    DesignationRequest,
    "A page of designation requests.",
    "A designation request in a page."
);

/// Whether `actor` may see request `row`: ADMIN every one, an OPERATOR
/// those under its own carriers.
pub async fn visible(
    ctx: &Context<'_>,
    actor: &Actor,
    row: &designation_request::Model,
) -> ApiResult<bool> {
    let Ok(scope) = designation_scope(actor) else {
        return Ok(false);
    };
    let Some(operator_id) = scope else {
        return Ok(true);
    };
    let carrier = loaders::of(ctx)?.carrier(row.carrier_id).await?;
    Ok(carrier.is_some_and(|carrier| carrier.operator_id() == operator_id))
}

#[derive(Default)]
pub struct DesignationQuery;

#[Object]
impl DesignationQuery {
    /// 认定申请审批队列: designation requests, oldest first. ADMIN sees every
    /// request; an OPERATOR those under its own carriers.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn designation_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only requests in this status, e.g. PENDING for the review queue.")]
        status: Option<DesignationStatus>,
        #[graphql(desc = "Only requests of this kind.")] kind: Option<DesignationKind>,
        #[graphql(desc = "Only requests under this carrier, by global ID.")] carrier_id: Option<ID>,
        #[graphql(desc = "Page size, reading forward.")] first: Option<i32>,
        #[graphql(desc = "Read after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read before this cursor.")] before: Option<String>,
    ) -> ApiResult<DesignationRequestConnection> {
        let db = super::db(ctx)?;
        let operator_id = designation_scope(super::actor(ctx)?).map_err(AppError::from)?;
        let filter = RequestFilter {
            statuses: status.into_iter().map(Into::into).collect(),
            kinds: kind.into_iter().map(Into::into).collect(),
            carrier_id: carrier_id
                .map(|id| expect("carrierId", &id, NodeType::Carrier))
                .transpose()?,
            operator_id,
        };
        let args = page_args(ctx, first, after, last, before);
        let page = store::designation::page(db, &filter, &args).await?;
        let total = total_count(ctx, store::designation::count(db, &filter)).await?;
        Ok(DesignationRequestConnection::build(
            page,
            total,
            DesignationRequest::try_from,
        )?)
    }
}

/// 认定申请: what an operator asks the bureau to designate, with its evidence.
#[derive(InputObject)]
pub struct RequestDesignationInput {
    /// What is asked for.
    pub kind: DesignationKind,
    /// What is designated, by global ID: the carrier (LANDMARK, CARRIER_LEVEL),
    /// the platform (PLATFORM_LEVEL) or the operating team (PROFESSIONAL_TEAM).
    pub subject_id: ID,
    /// The level asked for: required for CARRIER_LEVEL and PLATFORM_LEVEL, refused otherwise.
    pub level: Option<Level>,
    /// The date the designation takes effect (the date of recognition); not in the future.
    pub effective_on: Date,
    /// 认定机构: the issuing authority (required for CARRIER_LEVEL), e.g. 江苏省科学技术厅.
    pub authority: Option<String>,
    /// 文号: the number of the supporting document, e.g. 苏科高发〔2025〕88号.
    pub document_number: Option<String>,
    /// The date of the supporting document; not in the future.
    pub document_date: Option<Date>,
    /// 说明: notes for the reviewer.
    pub notes: Option<String>,
}

impl RequestDesignationInput {
    fn validate(self) -> Result<Proposal, AppError> {
        let kind: domain::DesignationKind = self.kind.into();
        let subject_type = match kind.subject() {
            None => NodeType::Carrier,
            Some(Subject::Platform) => NodeType::Platform,
            Some(Subject::OperatingTeam) => NodeType::OperatingTeam,
        };
        Ok(Proposal {
            kind,
            subject_id: expect("subjectId", &self.subject_id, subject_type)?,
            level: self.level.map(Into::into),
            effective_on: self.effective_on.0,
            authority: optional_text("authority", self.authority.as_deref())?,
            document_number: optional_text("documentNumber", self.document_number.as_deref())?,
            document_date: self.document_date.map(|date| date.0),
            notes: optional_text("notes", self.notes.as_deref())?,
        })
    }
}

/// 批准: the bureau approves a request.
#[derive(InputObject)]
pub struct ApproveDesignationRequestInput {
    /// The request, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// 审批意见: why, if worth saying.
    pub reason: Option<String>,
}

/// 驳回: the bureau rejects a request, saying why.
#[derive(InputObject)]
pub struct RejectDesignationRequestInput {
    /// The request, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// 驳回理由: why it is rejected; required.
    pub reason: String,
}

#[derive(Default)]
pub struct DesignationMutation;

#[Object]
impl DesignationMutation {
    /// 提交认定申请: asks the bureau to designate a fact that counts toward the
    /// plan's targets (landmark status, a carrier's or platform's level, a
    /// professional operating team). By the carrier's OPERATOR (or ADMIN);
    /// nothing counts until ADMIN approves. One pending request per
    /// designation (CONFLICT for a second).
    async fn request_designation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to designate, with its evidence.")] input: RequestDesignationInput,
    ) -> ApiResult<DesignationRequest> {
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::designation::submit(db, actor, input.validate()?).await?;
        Ok(DesignationRequest::try_from(row)?)
    }

    /// 批准: approves a pending request: the designation is made at once, in
    /// the same transaction, and counts from its effective date. ADMIN only;
    /// a decided request cannot be decided again (CONFLICT).
    async fn approve_designation_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which request.")] input: ApproveDesignationRequestInput,
    ) -> ApiResult<DesignationRequest> {
        let id = expect("id", &input.id, NodeType::DesignationRequest)?;
        let reason = optional_text("reason", input.reason.as_deref())?;
        decide(ctx, id, input.version, Decision::Approve, reason).await
    }

    /// 驳回: rejects a pending request, with a reason; nothing else changes.
    /// ADMIN only; a decided request cannot be decided again (CONFLICT).
    async fn reject_designation_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which request, and why not.")] input: RejectDesignationRequestInput,
    ) -> ApiResult<DesignationRequest> {
        let id = expect("id", &input.id, NodeType::DesignationRequest)?;
        let reason = required_text("reason", &input.reason)?;
        decide(ctx, id, input.version, Decision::Reject, Some(reason)).await
    }
}

async fn decide(
    ctx: &Context<'_>,
    id: i32,
    version: i32,
    decision: Decision,
    reason: Option<String>,
) -> ApiResult<DesignationRequest> {
    let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
    let row = store::designation::decide(db, actor, id, version, decision, reason).await?;
    Ok(DesignationRequest::try_from(row)?)
}

/// The review queue's live updates.
#[derive(Default)]
pub struct DesignationSubscription;

#[Subscription]
impl DesignationSubscription {
    /// Fires with the request, as it is then, whenever a designation request
    /// the caller may see is submitted or decided, on any server: ADMIN hears
    /// every request, an OPERATOR those under its own carriers. Every change
    /// committed while the socket is open is heard, even one whose server
    /// stopped right after committing it (then within about a second).
    /// Changes made while the socket was closed are not replayed: refetch
    /// `designationRequests` after reconnecting.
    async fn designation_request_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only requests in this status, e.g. PENDING for new submissions.")]
        status: Option<DesignationStatus>,
    ) -> Result<impl Stream<Item = DesignationRequest>, ApiError> {
        let actor = super::actor(ctx)?.clone();
        let operator_scope = designation_scope(&actor).map_err(AppError::from)?;
        let bus = ctx.data::<Bus>().map_err(missing_context)?;
        let db = super::db(ctx)?.clone();
        let wanted: Option<domain::DesignationStatus> = status.map(Into::into);
        let notices = bus.subscribe();
        Ok(futures_util::stream::unfold(notices, move |mut notices| {
            let db = db.clone();
            let token_id = actor.token_id;
            async move {
                loop {
                    let Notice::DesignationChanged(id) = notices.next().await? else {
                        continue;
                    };
                    // A revoked token hears nothing more: the subscription completes.
                    if let Some(token) = token_id
                        && !store::token::is_active(&db, token).await.unwrap_or(false)
                    {
                        return None;
                    }
                    let Ok(Some(row)) = store::designation::find(&db, id, operator_scope).await
                    else {
                        continue;
                    };
                    let Ok(request) = DesignationRequest::try_from(row) else {
                        continue;
                    };
                    if wanted.is_none_or(|status| status == request.status) {
                        return Some((request, notices));
                    }
                }
            }
        }))
    }
}

/// A request by its global ID, for `node(id)`: null when absent or not the caller's to see.
pub async fn load(ctx: &Context<'_>, id: i32) -> ApiResult<Option<DesignationRequest>> {
    let Some(row) = one(&loaders::of(ctx)?.designation_requests, id).await? else {
        return Ok(None);
    };
    if !visible(ctx, super::actor(ctx)?, &row).await? {
        return Ok(None);
    }
    Ok(Some(DesignationRequest::try_from(row)?))
}
