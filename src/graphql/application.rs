//! 入驻申请: entry applications to a carrier, their review queue with the
//! pre-checks shown to the reviewer, and the decisions on them.
//!
//! Applications hold personal data (the contact person and phone): ADMIN
//! reads all, an OPERATOR those of its own carriers, an APPLICANT token those
//! it submitted (without the reviewer's view), BUREAU and VIEWER none.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use entity::entry_application;
use sea_orm::DatabaseConnection;

use super::carrier::Carrier;
use super::connection::{connection, page_args, page_complexity, total_count};
use super::cost::{FIXED_SMALL_LIST, list_complexity};
use super::enterprise::Enterprise;
use super::enums::Industry;
use super::error::ApiResult;
use super::inventory::Unit;
use super::loaders::{self, one};
use super::node::{NodeType, expect, expect_all, global_id};
use super::scalars::{Date, DateTime};
use super::tenancy::Tenancy;
use crate::domain::access::{ApplicationScope, Role, application_scope};
use crate::domain::application::{self as domain, Applicant, Step, check_reason};
use crate::domain::area::FloorArea;
use crate::domain::text::required_text;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult, stored};
use crate::store;
use crate::store::application::ApplicationFilter;

/// 申请状态: where an entry application is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::ApplicationStatus")]
pub enum EntryApplicationStatus {
    /// 已提交: waiting for the operator to take it up.
    Submitted,
    /// 审核中: being reviewed; it can now be approved or rejected.
    UnderReview,
    /// 已批准: approved; the tenancy from the wanted date was created with the approval.
    Approved,
    /// 已驳回: rejected, with a reason.
    Rejected,
    /// 已撤回: withdrawn at the applicant's wish, with a reason.
    Withdrawn,
    /// 已入驻: the approved enterprise has arrived.
    MovedIn,
}

/// 预审项: what a pre-check looks at.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::PreCheckKind")]
pub enum EntryPreCheckKind {
    /// 成立时间: founded within the entry window of the carrier's rules by the
    /// wanted move-in date (24 months for an incubator, 国科发区〔2018〕300号 第九条).
    FoundedWithinWindow,
    /// 主导产业: the applicant's industry is among the carrier's leading industries.
    LeadingIndustry,
    /// 空间: the wanted area (and units) are free from the wanted move-in date.
    SpaceFree,
}

/// 预审结果: one check shown to the reviewer. Checks inform the decision;
/// only a space that is not free also stops an approval (by the tenancy rules).
#[derive(Debug, Clone)]
pub struct EntryPreCheck(domain::PreCheck);

/// 预审结果: one check shown to the reviewer. Checks inform the decision;
/// only a space that is not free also stops an approval (by the tenancy rules).
#[Object]
impl EntryPreCheck {
    /// What is checked.
    async fn kind(&self) -> EntryPreCheckKind {
        self.0.kind.into()
    }

    /// Whether the check passed.
    async fn passed(&self) -> bool {
        self.0.passed
    }

    /// 说明: why, in Chinese.
    async fn reason_zh(&self) -> &str {
        &self.0.reason.zh
    }

    /// Why, in English.
    async fn reason_en(&self) -> &str {
        &self.0.reason.en
    }
}

/// 入驻申请: an enterprise's application to enter a carrier.
#[derive(Debug, Clone)]
pub struct EntryApplication {
    row: entry_application::Model,
    status: domain::ApplicationStatus,
    industry: crate::domain::carrier::Industry,
}

impl TryFrom<entry_application::Model> for EntryApplication {
    type Error = AppError;

    fn try_from(row: entry_application::Model) -> Result<Self, AppError> {
        Ok(Self {
            status: stored("entry_application.status", &row.status)?,
            industry: stored("entry_application.industry", &row.industry)?,
            row,
        })
    }
}

/// Whether the caller reviews applications (ADMIN, OPERATOR), rather than
/// reading back its own (APPLICANT): the reviewer's fields are null for an applicant.
fn reviewer(ctx: &Context<'_>) -> ApiResult<bool> {
    Ok(super::actor(ctx)?.role != Role::Applicant)
}

/// 入驻申请: an enterprise's application to enter a carrier.
#[Object]
impl EntryApplication {
    /// The global ID of the application.
    pub async fn id(&self) -> ID {
        global_id(NodeType::EntryApplication, self.row.id)
    }

    /// Where the application is.
    async fn status(&self) -> EntryApplicationStatus {
        self.status.into()
    }

    /// 状态, as Chinese forms name it, e.g. 审核中.
    async fn status_zh(&self) -> &'static str {
        self.status.label_zh()
    }

    /// The global ID of the carrier applied to.
    async fn carrier_id(&self) -> ID {
        global_id(NodeType::Carrier, self.row.carrier_id)
    }

    /// The carrier applied to; null for an APPLICANT token, which reads
    /// nothing of the portfolio (see `carrierName`).
    async fn carrier(&self, ctx: &Context<'_>) -> ApiResult<Option<Carrier>> {
        if !reviewer(ctx)? {
            return Ok(None);
        }
        Ok(loaders::of(ctx)?.carrier(self.row.carrier_id).await?)
    }

    /// 载体名称: the name of the carrier applied to.
    async fn carrier_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let carrier = loaders::of(ctx)?.carrier(self.row.carrier_id).await?;
        Ok(carrier
            .map(|carrier| carrier.name_text().to_owned())
            .unwrap_or_default())
    }

    /// 企业名称: the applicant's registered name.
    async fn enterprise_name(&self) -> &str {
        &self.row.enterprise_name
    }

    /// 统一社会信用代码 of the applicant.
    async fn uscc(&self) -> &str {
        &self.row.uscc
    }

    /// 成立日期: when the applicant was founded.
    async fn founded_on(&self) -> Date {
        self.row.founded_on.into()
    }

    /// 所属产业: the applicant's industry.
    async fn industry(&self) -> Industry {
        self.industry.into()
    }

    /// 从业人数: the applicant's headcount.
    async fn headcount(&self) -> i32 {
        self.row.headcount
    }

    /// 联系人: personal data, read only by ADMIN, the carrier's operator and the submitting token.
    async fn contact_person(&self) -> &str {
        &self.row.contact_person
    }

    /// 联系电话: personal data, as `contactPerson`.
    async fn contact_phone(&self) -> &str {
        &self.row.contact_phone
    }

    /// 拟租面积: the area wanted, m².
    async fn wanted_area_m2(&self) -> f64 {
        self.row.wanted_area_m2
    }

    /// 意向房源: the units wanted, by building and code; empty when only an
    /// area is wanted, and for an APPLICANT token.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn wanted_units(&self, ctx: &Context<'_>) -> ApiResult<Vec<Unit>> {
        if !reviewer(ctx)? {
            return Ok(Vec::new());
        }
        let ids = store::application::wanted_units(&self.row)?;
        let found = loaders::by_id(&loaders::of(ctx)?.units, ids).await?;
        let mut rows: Vec<entity::unit::Model> =
            found.into_values().map(|row| (*row).clone()).collect();
        rows.sort_by(|a, b| (a.building_id, &a.code).cmp(&(b.building_id, &b.code)));
        Ok(rows
            .into_iter()
            .map(Unit::try_from)
            .collect::<Result<_, _>>()?)
    }

    /// The global IDs of the units wanted, as submitted.
    async fn wanted_unit_ids(&self) -> ApiResult<Vec<ID>> {
        Ok(store::application::wanted_units(&self.row)?
            .into_iter()
            .map(|id| global_id(NodeType::Unit, id))
            .collect())
    }

    /// 拟入驻日期: when the applicant wants to move in; the tenancy an
    /// approval creates begins on it.
    async fn wanted_move_in_on(&self) -> Date {
        self.row.wanted_move_in_on.into()
    }

    /// 经营范围/项目简介: what the applicant does, in its words.
    async fn business_description(&self) -> &str {
        &self.row.business_description
    }

    /// 预审: the checks shown to the reviewer, computed now for the wanted
    /// move-in date: founded within the entry window, industry among the
    /// carrier's leading industries, space free. Null for an APPLICANT token.
    #[graphql(complexity = "list_complexity(FIXED_SMALL_LIST, child_complexity)")]
    async fn pre_checks(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<EntryPreCheck>>> {
        if !reviewer(ctx)? {
            return Ok(None);
        }
        let checks = loaders::of(ctx)?
            .entry_pre_checks
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(Some(checks.iter().cloned().map(EntryPreCheck).collect()))
    }

    /// The token that submitted the application; null for an APPLICANT token.
    async fn submitted_by(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        Ok(reviewer(ctx)?.then_some(self.row.submitted_by.as_str()))
    }

    /// When it was submitted.
    async fn submitted_at(&self) -> DateTime {
        self.row.created_at.into()
    }

    /// The token that approved, rejected or withdrew it; null before, and for an APPLICANT token.
    async fn decided_by(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        Ok(self
            .row
            .decided_by
            .as_deref()
            .filter(|_| reviewer(ctx).unwrap_or(false)))
    }

    /// When it was approved, rejected or withdrawn.
    async fn decided_at(&self) -> Option<DateTime> {
        self.row.decided_at.map(DateTime::from)
    }

    /// 审批意见/驳回理由: why it was approved, rejected or withdrawn (always given for a rejection or withdrawal).
    async fn decision_reason(&self) -> Option<&str> {
        self.row.decision_reason.as_deref()
    }

    /// The enterprise an approval registered or found by USCC; null for an APPLICANT token.
    async fn enterprise(&self, ctx: &Context<'_>) -> ApiResult<Option<Enterprise>> {
        let Some(id) = self
            .row
            .enterprise_id
            .filter(|_| reviewer(ctx).unwrap_or(false))
        else {
            return Ok(None);
        };
        let row = one(&loaders::of(ctx)?.enterprises, id).await?;
        Ok(row.map(|row| Enterprise(Arc::new(row))))
    }

    /// The tenancy an approval created; null for an APPLICANT token.
    async fn tenancy(&self, ctx: &Context<'_>) -> ApiResult<Option<Tenancy>> {
        let Some(id) = self
            .row
            .tenancy_id
            .filter(|_| reviewer(ctx).unwrap_or(false))
        else {
            return Ok(None);
        };
        Ok(one(&loaders::of(ctx)?.tenancies, id)
            .await?
            .map(Tenancy::new))
    }

    /// Row version; pass it back with the next step.
    async fn version(&self) -> i32 {
        self.row.version
    }
}

connection!(
    EntryApplicationConnection,
    EntryApplicationEdge,
    EntryApplication,
    "A page of entry applications.",
    "An entry application in a page."
);

/// The pre-checks of applications, by application id: seven SQL statements
/// for any number of applications in a request.
pub struct PreChecks(pub DatabaseConnection);

impl Loader<i32> for PreChecks {
    type Value = Arc<Vec<domain::PreCheck>>;
    type Error = AppError;

    async fn load(&self, keys: &[i32]) -> AppResult<HashMap<i32, Self::Value>> {
        let rows = store::application::by_ids(&self.0, keys).await?;
        let rows: Vec<entry_application::Model> = rows.into_values().collect();
        Ok(store::application::pre_checks(&self.0, &rows)
            .await?
            .into_iter()
            .map(|(id, checks)| (id, Arc::new(checks)))
            .collect())
    }
}

#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    /// 入驻申请审批队列: entry applications, oldest first. ADMIN sees every
    /// application, an OPERATOR those of its own carriers; BUREAU and VIEWER
    /// tokens see none (applications hold personal data): an empty page.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn entry_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only applications to this carrier, by global ID.")] carrier_id: Option<
            ID,
        >,
        #[graphql(desc = "Only applications in this state, e.g. SUBMITTED for the queue.")]
        status: Option<EntryApplicationStatus>,
        #[graphql(desc = "Page size, reading forward.")] first: Option<i32>,
        #[graphql(desc = "Read after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read before this cursor.")] before: Option<String>,
    ) -> ApiResult<EntryApplicationConnection> {
        let filter = ApplicationFilter {
            scope: application_scope(super::actor(ctx)?),
            carrier_id: carrier_id
                .map(|id| expect("carrierId", &id, NodeType::Carrier))
                .transpose()?,
            status: status.map(Into::into),
        };
        list(ctx, filter, first, after, last, before).await
    }

    /// 我的申请: the applications submitted with the caller's token, oldest
    /// first: what an APPLICANT token (the public form) reads back. Empty
    /// without a token.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn my_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward.")] first: Option<i32>,
        #[graphql(desc = "Read after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read before this cursor.")] before: Option<String>,
    ) -> ApiResult<EntryApplicationConnection> {
        let scope = match super::actor(ctx)?.token_id {
            Some(token) => ApplicationScope::Token(token),
            None => ApplicationScope::Nothing,
        };
        let filter = ApplicationFilter {
            scope,
            carrier_id: None,
            status: None,
        };
        list(ctx, filter, first, after, last, before).await
    }
}

/// Application `id` for `node(id)`, if the caller may read it (ADMIN, the
/// carrier's OPERATOR, the token that submitted it); else null, as for an
/// application that does not exist.
pub async fn load(ctx: &Context<'_>, id: i32) -> ApiResult<Option<EntryApplication>> {
    let scope = application_scope(super::actor(ctx)?);
    let row = store::application::visible(super::db(ctx)?, scope, id).await?;
    Ok(row.map(EntryApplication::try_from).transpose()?)
}

async fn list(
    ctx: &Context<'_>,
    filter: ApplicationFilter,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> ApiResult<EntryApplicationConnection> {
    let db = super::db(ctx)?;
    let args = page_args(ctx, first, after, last, before);
    let page = store::application::page(db, &filter, &args).await?;
    let total = total_count(ctx, store::application::count(db, &filter)).await?;
    Ok(EntryApplicationConnection::build(
        page,
        total,
        EntryApplication::try_from,
    )?)
}

/// 入驻申请表: what an applicant tells the carrier.
#[derive(InputObject)]
pub struct SubmitApplicationInput {
    /// The carrier applied to, by global ID; it must be the token's operator's (but for ADMIN).
    pub carrier_id: ID,
    /// 企业名称: the registered name.
    pub enterprise_name: String,
    /// 统一社会信用代码 (18 characters, checked).
    pub uscc: String,
    /// 成立日期; not in the future.
    pub founded_on: Date,
    /// 所属产业.
    pub industry: Industry,
    /// 从业人数, at least 1.
    pub headcount: i32,
    /// 联系人 (personal data).
    pub contact_person: String,
    /// 联系电话 (personal data), e.g. 0510-85000000.
    pub contact_phone: String,
    /// 拟租面积, m².
    pub wanted_area_m2: f64,
    /// 意向房源: units of the carrier, by global ID (optional).
    pub wanted_unit_ids: Option<Vec<ID>>,
    /// 拟入驻日期: not before the founding date.
    pub wanted_move_in_on: Date,
    /// 经营范围/项目简介, up to 2,000 characters.
    pub business_description: String,
}

impl SubmitApplicationInput {
    fn validate(self) -> Result<Applicant, AppError> {
        let description = self.business_description.trim();
        if description.is_empty() {
            return Err(AppError::invalid(
                "businessDescription",
                "must not be empty",
                "不能为空",
            ));
        }
        Ok(Applicant {
            carrier_id: expect("carrierId", &self.carrier_id, NodeType::Carrier)?,
            enterprise_name: required_text("enterpriseName", &self.enterprise_name)?,
            uscc: Uscc::parse(&self.uscc)?,
            founded_on: self.founded_on.0,
            industry: self.industry.into(),
            headcount: self.headcount,
            contact_person: required_text("contactPerson", &self.contact_person)?,
            contact_phone: self.contact_phone.trim().to_owned(),
            wanted_area: FloorArea::parse("wantedAreaM2", self.wanted_area_m2)?,
            wanted_unit_ids: expect_all(
                "wantedUnitIds",
                &self.wanted_unit_ids.unwrap_or_default(),
                NodeType::Unit,
            )?,
            wanted_move_in_on: self.wanted_move_in_on.0,
            business_description: description.to_owned(),
        })
    }
}

/// A step on an application read at `version`.
#[derive(InputObject)]
pub struct EntryApplicationStepInput {
    /// The application, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
}

/// 批准: approve an application under review.
#[derive(InputObject)]
pub struct ApproveEntryApplicationInput {
    /// The application, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// 审批意见: why, if worth saying.
    pub reason: Option<String>,
}

/// 驳回/撤回: end an application, saying why.
#[derive(InputObject)]
pub struct EndEntryApplicationInput {
    /// The application, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// 理由: why; required, and told to the applicant.
    pub reason: String,
}

#[derive(Default)]
pub struct ApplicationMutation;

#[Object]
impl ApplicationMutation {
    /// 提交入驻申请: files an application to a carrier, SUBMITTED. By an
    /// APPLICANT token (the public form) or the OPERATOR token of the
    /// carrier's operator (entering it on the applicant's behalf), or ADMIN.
    async fn submit_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application form.")] input: SubmitApplicationInput,
    ) -> ApiResult<EntryApplication> {
        let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
        let row = store::application::submit(db, actor, input.validate()?).await?;
        Ok(EntryApplication::try_from(row)?)
    }

    /// 开始审核: SUBMITTED → UNDER_REVIEW. By the carrier's OPERATOR or ADMIN.
    async fn start_entry_application_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which application.")] input: EntryApplicationStepInput,
    ) -> ApiResult<EntryApplication> {
        step(ctx, &input.id, input.version, Step::StartReview, None).await
    }

    /// 批准: UNDER_REVIEW → APPROVED, and in the same transaction the
    /// enterprise is registered by USCC (if new) and moved in from the wanted
    /// date with the wanted area and units, by the rules of `moveIn`
    /// (capacity: BAD_USER_INPUT; a unit let to another tenancy: CONFLICT).
    /// When those rules refuse, nothing changes. Deciding twice is CONFLICT.
    async fn approve_entry_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which application.")] input: ApproveEntryApplicationInput,
    ) -> ApiResult<EntryApplication> {
        let reason = check_reason(Step::Approve, input.reason.as_deref())?;
        let row = step(ctx, &input.id, input.version, Step::Approve, reason).await?;
        Ok(row)
    }

    /// 驳回: UNDER_REVIEW → REJECTED, with a reason (required). Deciding twice is CONFLICT.
    async fn reject_entry_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which application, and why not.")] input: EndEntryApplicationInput,
    ) -> ApiResult<EntryApplication> {
        let reason = check_reason(Step::Reject, Some(&input.reason))?;
        step(ctx, &input.id, input.version, Step::Reject, reason).await
    }

    /// 撤回: SUBMITTED or UNDER_REVIEW → WITHDRAWN at the applicant's wish,
    /// recorded by the carrier's OPERATOR (or ADMIN), with a reason (required).
    async fn withdraw_entry_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which application, and why.")] input: EndEntryApplicationInput,
    ) -> ApiResult<EntryApplication> {
        let reason = check_reason(Step::Withdraw, Some(&input.reason))?;
        step(ctx, &input.id, input.version, Step::Withdraw, reason).await
    }

    /// 确认入驻: APPROVED → MOVED_IN once the enterprise has arrived, on or
    /// after the wanted move-in date (the tenancy already runs from it).
    async fn confirm_entry_application_move_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which application.")] input: EntryApplicationStepInput,
    ) -> ApiResult<EntryApplication> {
        step(ctx, &input.id, input.version, Step::ConfirmMoveIn, None).await
    }
}

async fn step(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
    step: Step,
    reason: Option<String>,
) -> ApiResult<EntryApplication> {
    let id = expect("id", id, NodeType::EntryApplication)?;
    let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
    let row = store::application::advance(db, actor, id, version, step, reason).await?;
    Ok(EntryApplication::try_from(row)?)
}
