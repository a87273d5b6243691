//! Enterprises (企业) and their qualifications.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::{enterprise, qualification};

use super::annual_report::AnnualReport;
use super::connection::{connection, page_args, page_complexity, total_count};
use super::correction::VoidRecordInput;
use super::cost::{RECORDS_PER_OWNER, TENANCIES_PER_ENTERPRISE, list_complexity};
use super::eager::ReadyFields;
use super::enums::{GraduationRoute, Industry, QualificationKind, to_domain};
use super::error::ApiResult;
use super::loaders::{self, many, one, required};
use super::node::{NodeType, expect, global_id};
use super::operator::Operator;
use super::scalars::{Date, DateTime};
use super::tenancy::Tenancy;
use crate::domain::ValidationError;
use crate::domain::access::may_read_enterprise_confidential;
use crate::domain::enterprise::{self as rules, GraduationFacts, Held, routes_met};
use crate::domain::money::Fen;
use crate::domain::text::{optional_text, required_text};
use crate::domain::uscc::Uscc;
use crate::error::{AppError, stored};
use crate::store;
use crate::store::correction::Correction;
use crate::store::enterprise::{
    EnterpriseFacts, EnterpriseFilter as StoreFilter, NewQualification, QualificationAmendment,
};

/// 企业: an enterprise, one record across all carriers, keyed by its unified social credit code.
#[derive(Debug, Clone)]
pub struct Enterprise(pub Arc<enterprise::Model>);

impl Enterprise {
    pub fn new(row: enterprise::Model) -> Self {
        Self(Arc::new(row))
    }
}

/// Revenue of one calendar year.
#[derive(SimpleObject, Debug, Clone)]
pub struct AnnualRevenue {
    /// The calendar year.
    pub year: i32,
    /// Revenue in CNY, as an exact decimal string (e.g. `1234567.89`).
    pub amount: String,
}

impl Enterprise {
    /// Whether the caller may read the confidential figures: ADMIN and the custodian.
    fn may_see_confidential(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let actor = super::actor(ctx)?;
        Ok(may_read_enterprise_confidential(
            actor,
            self.0.custodian_operator_id,
        ))
    }

    async fn held(&self, ctx: &Context<'_>) -> ApiResult<Vec<Held>> {
        let rows = many(&loaders::of(ctx)?.qualifications_of, self.0.id).await?;
        Ok(rows
            .iter()
            .filter(|row| row.voided_at.is_none())
            .map(|row| {
                Ok(Held {
                    kind: stored("qualification.kind", &row.kind)?,
                    valid_from: row.valid_from,
                    valid_until: row.valid_until,
                })
            })
            .collect::<Result<_, AppError>>()?)
    }

    /// What the graduation rules need to know, as far as the caller may see:
    /// confidential figures only for ADMIN and the custodian, so a derived
    /// answer (routes met, graduation due) tells no one what the figure
    /// itself would not.
    pub async fn graduation_facts(&self, ctx: &Context<'_>) -> ApiResult<GraduationFacts> {
        let visible = self.may_see_confidential(ctx)?;
        let revenue = if visible {
            many(&loaders::of(ctx)?.revenue_of, self.0.id).await?
        } else {
            Vec::new()
        };
        Ok(GraduationFacts {
            qualifications: self.held(ctx).await?,
            financing_raised: self.0.financing_raised_fen.filter(|_| visible).map(Fen),
            revenue: revenue
                .iter()
                .map(|row| (row.year, Fen(row.revenue_fen)))
                .collect(),
            exited_on: self.0.exited_on,
        })
    }
}

impl ReadyFields for Enterprise {
    const READY: &'static [&'static str] = &[
        "id",
        "uscc",
        "name",
        "foundedOn",
        "landedOn",
        "industry",
        "headcount",
        "financingRaised",
        "exitedOn",
        "version",
        "createdAt",
        "updatedAt",
    ];
}

/// 企业: an enterprise, one record across all carriers, keyed by its unified social credit code.
#[Object]
impl Enterprise {
    /// The global ID of the enterprise.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Enterprise, self.0.id)
    }

    /// 统一社会信用代码.
    async fn uscc(&self) -> &str {
        &self.0.uscc
    }

    /// Registered name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// 成立日期: date of founding.
    async fn founded_on(&self) -> Date {
        self.0.founded_on.into()
    }

    /// 落地日期: date it landed in the city, when known.
    async fn landed_on(&self) -> Option<Date> {
        self.0.landed_on.map(Date)
    }

    /// Its "465" industrial cluster, when known.
    async fn industry(&self) -> ApiResult<Option<Industry>> {
        let industry = self
            .0
            .industry
            .as_deref()
            .map(|code| stored::<crate::domain::carrier::Industry>("enterprise.industry", code))
            .transpose()?;
        Ok(industry.map(Into::into))
    }

    /// 从业人数: headcount.
    async fn headcount(&self) -> Option<i32> {
        self.0.headcount
    }

    /// Financing raised to date in CNY (exact decimal string). Confidential:
    /// null unless ADMIN or the custodian operator.
    async fn financing_raised(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let visible = self.may_see_confidential(ctx)?;
        Ok(self
            .0
            .financing_raised_fen
            .filter(|_| visible)
            .map(|fen| Fen(fen).to_string()))
    }

    /// Revenue by year. Confidential: empty unless ADMIN or the custodian operator.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn revenue(&self, ctx: &Context<'_>) -> ApiResult<Vec<AnnualRevenue>> {
        if !self.may_see_confidential(ctx)? {
            return Ok(Vec::new());
        }
        let mut rows = many(&loaders::of(ctx)?.revenue_of, self.0.id).await?;
        rows.sort_by_key(|row| row.year);
        Ok(rows
            .into_iter()
            .map(|row| AnnualRevenue {
                year: row.year,
                amount: Fen(row.revenue_fen).to_string(),
            })
            .collect())
    }

    /// 企业年报: its reports by year, oldest first. Confidential: empty unless
    /// ADMIN or the custodian operator.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn annual_reports(&self, ctx: &Context<'_>) -> ApiResult<Vec<AnnualReport>> {
        if !self.may_see_confidential(ctx)? {
            return Ok(Vec::new());
        }
        let loaders = loaders::of(ctx)?;
        let (mut reports, revenue) = futures_util::try_join!(
            many(&loaders.annual_reports_of, self.0.id),
            many(&loaders.revenue_of, self.0.id)
        )?;
        reports.sort_by_key(|row| row.year);
        Ok(reports
            .into_iter()
            .map(|row| {
                let revenue = revenue
                    .iter()
                    .find(|r| r.year == row.year)
                    .map_or(Fen(0), |r| Fen(r.revenue_fen));
                AnnualReport::new(row, revenue)
            })
            .collect())
    }

    /// When it was merged, acquired or listed.
    async fn exited_on(&self) -> Option<Date> {
        self.0.exited_on.map(Date)
    }

    /// 保管方: the operator that keeps its confidential figures and
    /// qualifications (null: kept by the bureau). Only the custodian and
    /// ADMIN read and write them; a carrier that hosts the enterprise does
    /// not, until the custodian or ADMIN hands it over
    /// (`setEnterpriseCustodian`).
    async fn custodian(&self, ctx: &Context<'_>) -> ApiResult<Option<Operator>> {
        let Some(id) = self.0.custodian_operator_id else {
            return Ok(None);
        };
        Ok(loaders::of(ctx)?.operator(id).await?)
    }

    /// Its qualifications, oldest first.
    #[graphql(complexity = "list_complexity(RECORDS_PER_OWNER, child_complexity)")]
    async fn qualifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<Qualification>> {
        let mut rows = many(&loaders::of(ctx)?.qualifications_of, self.0.id).await?;
        rows.retain(|row| include_voided || row.voided_at.is_none());
        rows.sort_by_key(|row| (row.valid_from, row.id));
        Ok(rows
            .into_iter()
            .map(Qualification::try_from)
            .collect::<Result<_, _>>()?)
    }

    /// Whether it held qualification `kind` on date `on` (default today).
    async fn qualified(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The qualification asked about.")] kind: QualificationKind,
        #[graphql(desc = "The date asked about (default today).")] on: Option<Date>,
    ) -> ApiResult<bool> {
        let on = on.map_or_else(store::today, |d| d.0);
        Ok(rules::holds(&self.held(ctx).await?, kind.into(), on))
    }

    /// The graduation routes it meets on `asOf` (default today), from its qualifications and figures.
    async fn graduation_routes_met(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to judge on (default today).")] as_of: Option<Date>,
    ) -> ApiResult<Vec<GraduationRoute>> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let facts = self.graduation_facts(ctx).await?;
        Ok(routes_met(&facts, as_of)
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Its tenancies in every carrier, oldest first.
    #[graphql(complexity = "list_complexity(TENANCIES_PER_ENTERPRISE, child_complexity)")]
    async fn tenancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Also those voided as entered in error (default false); they count nowhere.",
            default
        )]
        include_voided: bool,
    ) -> ApiResult<Vec<Tenancy>> {
        let mut rows = many(&loaders::of(ctx)?.tenancies_of_enterprise, self.0.id).await?;
        rows.retain(|row| include_voided || row.voided_at.is_none());
        rows.sort_by_key(|row| (row.moved_in_on, row.id));
        Ok(rows.into_iter().map(Tenancy::new).collect())
    }

    /// Row version.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the record was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// 资质: a qualification an enterprise holds between two dates.
#[derive(Debug, Clone)]
pub struct Qualification {
    row: qualification::Model,
    kind: rules::QualificationKind,
}

impl TryFrom<qualification::Model> for Qualification {
    type Error = AppError;

    fn try_from(row: qualification::Model) -> Result<Self, AppError> {
        Ok(Self {
            kind: stored("qualification.kind", &row.kind)?,
            row,
        })
    }
}

/// 资质: a qualification an enterprise holds between two dates.
#[Object]
impl Qualification {
    /// The global ID of the qualification.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Qualification, self.row.id)
    }

    /// The enterprise qualified.
    async fn enterprise(&self, ctx: &Context<'_>) -> ApiResult<Enterprise> {
        let row = one(&loaders::of(ctx)?.enterprises, self.row.enterprise_id).await?;
        required(row, "enterprise", self.row.enterprise_id).map(Enterprise::new)
    }

    /// Which qualification.
    async fn kind(&self) -> QualificationKind {
        self.kind.into()
    }

    /// First day of validity.
    async fn valid_from(&self) -> Date {
        self.row.valid_from.into()
    }

    /// Last day of validity; null when open-ended.
    async fn valid_until(&self) -> Option<Date> {
        self.row.valid_until.map(Date)
    }

    /// Certificate number.
    async fn certificate_number(&self) -> Option<&str> {
        self.row.certificate_number.as_deref()
    }

    /// 作废时间: when it was voided as entered in error; it then counts toward
    /// no graduation route. Null while it counts.
    async fn voided_at(&self) -> Option<DateTime> {
        self.row.voided_at.map(DateTime::from)
    }

    /// 作废原因: why it was voided.
    async fn void_reason(&self) -> Option<&str> {
        self.row.void_reason.as_deref()
    }

    /// Row version; pass it back to amend or void the qualification.
    async fn version(&self) -> i32 {
        self.row.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
    }
}

connection!(
    EnterpriseConnection,
    EnterpriseEdge,
    Enterprise,
    "A page of enterprises, sorted by name (Relay cursor connection).",
    "An enterprise in a page, with its cursor."
);

/// Which enterprises to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct EnterpriseFilter {
    /// Name contains this text (case-insensitive).
    pub name_contains: Option<String>,
    /// In any of these industries.
    pub industries: Option<Vec<Industry>>,
    /// Landed in the city on or after this date.
    pub landed_from: Option<Date>,
    /// Landed in the city on or before this date.
    pub landed_until: Option<Date>,
}

/// Revenue of one year, as input.
#[derive(InputObject)]
pub struct AnnualRevenueInput {
    /// The calendar year, from 1980 to the current year.
    pub year: i32,
    /// Revenue in CNY as a decimal string (e.g. `1234567.89`).
    pub amount: String,
}

/// An enterprise to register, or the registered one's facts to bring up to date.
#[derive(InputObject)]
pub struct RegisterEnterpriseInput {
    /// 统一社会信用代码; the key: registering the same code again updates that record.
    pub uscc: String,
    /// Registered name.
    pub name: String,
    /// Date of founding.
    pub founded_on: Date,
    /// Date it landed in the city.
    pub landed_on: Option<Date>,
    /// Its "465" industrial cluster.
    pub industry: Option<Industry>,
    /// Headcount.
    pub headcount: Option<i32>,
    /// Financing raised to date, CNY as a decimal string (confidential);
    /// omitted: left as recorded; null: cleared. Only the custodian and
    /// ADMIN may give it: from anyone else it is refused whatever its value.
    pub financing_raised: MaybeUndefined<String>,
    /// Date it was merged, acquired or listed.
    pub exited_on: Option<Date>,
    /// Revenue by year (confidential); years given replace those recorded.
    /// Only the custodian and ADMIN may give it.
    #[graphql(default)]
    pub revenue: Vec<AnnualRevenueInput>,
}

impl RegisterEnterpriseInput {
    fn validate(self) -> Result<EnterpriseFacts, ValidationError> {
        let founded_on = self.founded_on.0;
        crate::domain::dates::check_plausible("foundedOn", founded_on)?;
        if let Some(landed) = self.landed_on {
            crate::domain::dates::check_plausible("landedOn", landed.0)?;
        }
        if self.headcount.is_some_and(|n| n < 0) {
            return Err(ValidationError::new(
                "headcount",
                "a headcount is not negative",
                "从业人数不能为负数",
            ));
        }
        Ok(EnterpriseFacts {
            uscc: Uscc::parse(&self.uscc)?,
            name: required_text("name", &self.name)?,
            founded_on,
            landed_on: self.landed_on.map(|d| d.0),
            industry: self.industry.map(Into::into),
            headcount: self.headcount,
            financing_raised: match self.financing_raised {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(amount) => {
                    Some(Some(Fen::parse("financingRaised", &amount)?))
                }
            },
            exited_on: self.exited_on.map(|d| d.0),
            revenue: self
                .revenue
                .iter()
                .map(|year| {
                    let today = crate::store::today();
                    crate::domain::dates::check_figure_year("revenue.year", year.year, today)?;
                    Ok((year.year, Fen::parse("revenue.amount", &year.amount)?))
                })
                .collect::<Result<_, ValidationError>>()?,
        })
    }
}

/// Who keeps an enterprise's confidential figures and qualifications from now on.
#[derive(InputObject)]
pub struct SetEnterpriseCustodianInput {
    /// The enterprise, by global ID.
    pub enterprise_id: ID,
    /// The operator that keeps it from now on, by global ID; null: the bureau (ADMIN only).
    pub custodian_operator_id: Option<ID>,
    /// The enterprise's version as read; a stale one gets CONFLICT.
    pub version: i32,
}

/// A qualification to record.
#[derive(InputObject)]
pub struct RecordQualificationInput {
    /// The enterprise, by global ID.
    pub enterprise_id: ID,
    /// Which qualification.
    pub kind: QualificationKind,
    /// First day of validity.
    pub valid_from: Date,
    /// Last day of validity. Every kind expires; by default three years for
    /// HIGH_TECH, PROVINCIAL_SPECIALIZED and LITTLE_GIANT, one year for
    /// TECH_SME, EAGLET, GAZELLE and QUASI_UNICORN (the day before the anniversary).
    pub valid_until: Option<Date>,
    /// Certificate number.
    pub certificate_number: Option<String>,
}

#[derive(Default)]
pub struct EnterpriseQuery;

#[Object]
impl EnterpriseQuery {
    /// One enterprise, by global ID or by USCC.
    async fn enterprise(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The enterprise's global ID.")] id: Option<ID>,
        #[graphql(desc = "The enterprise's unified social credit code.")] uscc: Option<String>,
    ) -> ApiResult<Option<Enterprise>> {
        match (id, uscc) {
            (Some(id), None) => {
                let id = expect("id", &id, NodeType::Enterprise)?;
                Ok(one(&loaders::of(ctx)?.enterprises, id)
                    .await?
                    .map(Enterprise::new))
            }
            (None, Some(uscc)) => {
                let uscc = Uscc::parse(&uscc)?;
                Ok(store::enterprise::by_uscc(super::db(ctx)?, &uscc)
                    .await?
                    .map(Enterprise::new))
            }
            _ => Err(AppError::invalid(
                "id",
                "give either id or uscc",
                "id 与 uscc（统一社会信用代码）只能且必须填写其一",
            )
            .into()),
        }
    }

    /// Enterprises, sorted by name, a page at a time.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn enterprises(
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
        #[graphql(desc = "Conditions the enterprises must meet.")] filter: Option<EnterpriseFilter>,
        #[graphql(desc = "Order of names (default NAME; NAME_PINYIN for pinyin order).")]
        order_by: Option<super::enums::NameOrder>,
    ) -> ApiResult<EnterpriseConnection> {
        let pinyin = order_by == Some(super::enums::NameOrder::NamePinyin);
        let db = super::db(ctx)?;
        let filter = filter.unwrap_or_default();
        let filter = StoreFilter {
            name_contains: crate::domain::text::filter_text(
                "filter.nameContains",
                filter.name_contains,
            )?,
            industries: to_domain(filter.industries),
            landed_from: filter.landed_from.map(|d| d.0),
            landed_until: filter.landed_until.map(|d| d.0),
        };
        let args = page_args(ctx, first, after, last, before);
        let page = store::enterprise::page(db, &filter, pinyin, &args).await?;
        let total = total_count(ctx, store::enterprise::count(db, &filter)).await?;
        Ok(EnterpriseConnection::build(page, total, |row| {
            Ok(Enterprise::new(row))
        })?)
    }
}

#[derive(Default)]
pub struct EnterpriseMutation;

#[Object]
impl EnterpriseMutation {
    /// Registers an enterprise by USCC, or brings the registered one up to the facts given. Idempotent.
    async fn register_enterprise(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: RegisterEnterpriseInput,
    ) -> ApiResult<Enterprise> {
        let facts = input.validate()?;
        let (row, _) =
            store::enterprise::register(super::db(ctx)?, super::actor(ctx)?, facts).await?;
        Ok(Enterprise::new(row))
    }

    /// Hands the keeping of an enterprise's confidential figures and
    /// qualifications to another operator (保管方移交), e.g. when it moved to
    /// that operator's carrier. ADMIN may, and so may the present custodian.
    async fn set_enterprise_custodian(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: SetEnterpriseCustodianInput,
    ) -> ApiResult<Enterprise> {
        let id = expect("enterpriseId", &input.enterprise_id, NodeType::Enterprise)?;
        let custodian = input
            .custodian_operator_id
            .map(|operator| expect("custodianOperatorId", &operator, NodeType::Operator))
            .transpose()?;
        let row = store::enterprise::set_custodian(
            super::db(ctx)?,
            super::actor(ctx)?,
            id,
            input.version,
            custodian,
        )
        .await?;
        Ok(Enterprise::new(row))
    }

    /// Records a qualification of an enterprise (ADMIN or its custodian).
    async fn record_qualification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: RecordQualificationInput,
    ) -> ApiResult<Qualification> {
        crate::domain::dates::check_plausible("validFrom", input.valid_from.0)?;
        let new = NewQualification {
            enterprise_id: expect("enterpriseId", &input.enterprise_id, NodeType::Enterprise)?,
            kind: input.kind.into(),
            valid_from: input.valid_from.0,
            valid_until: input.valid_until.map(|d| d.0),
            certificate_number: optional_text(
                "certificateNumber",
                input.certificate_number.as_deref(),
            )?,
        };
        let row =
            store::enterprise::add_qualification(super::db(ctx)?, super::actor(ctx)?, new).await?;
        Ok(Qualification::try_from(row)?)
    }

    /// 更正: corrects a qualification entered wrongly (its dates or
    /// certificate number), with a reason; ADMIN or the enterprise's
    /// custodian, as recording one. Audited as AMEND.
    async fn amend_qualification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to correct, and why.")] input: AmendQualificationInput,
    ) -> ApiResult<Qualification> {
        let (id, version, amendment, reason) = input.validate()?;
        correct_qualification(ctx, id, version, Correction::Amend(amendment), reason).await
    }

    /// 作废: voids a qualification entered in error, with a reason (ADMIN or
    /// the custodian). It stays readable (`qualifications(includeVoided:
    /// true)`) but counts toward no graduation route. A void is final.
    async fn void_qualification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which qualification, and why.")] input: VoidRecordInput,
    ) -> ApiResult<Qualification> {
        let (id, version, reason) = input.validate(NodeType::Qualification)?;
        correct_qualification(ctx, id, version, Correction::Void, reason).await
    }
}

async fn correct_qualification(
    ctx: &Context<'_>,
    id: i32,
    version: i32,
    correction: Correction<QualificationAmendment>,
    reason: String,
) -> ApiResult<Qualification> {
    let (db, actor) = (super::db(ctx)?, super::actor(ctx)?);
    let row = store::enterprise::correct_qualification(db, actor, id, version, correction, reason)
        .await?;
    Ok(Qualification::try_from(row)?)
}

/// 更正: a correction of a qualification entered wrongly. Give only the fields to change.
#[derive(InputObject)]
pub struct AmendQualificationInput {
    /// The qualification, by global ID.
    pub id: ID,
    /// The version read; a stale one gets CONFLICT.
    pub version: i32,
    /// Why the record is corrected (kept in the audit trail), e.g. 以证书为准.
    pub reason: String,
    /// The right first day of validity.
    pub valid_from: Option<Date>,
    /// The right last day of validity; null: the kind's default term (open for kinds without one).
    pub valid_until: MaybeUndefined<Date>,
    /// The right certificate number; an empty string clears it.
    pub certificate_number: Option<String>,
}

impl AmendQualificationInput {
    fn validate(self) -> Result<(i32, i32, QualificationAmendment, String), AppError> {
        if let Some(from) = &self.valid_from {
            crate::domain::dates::check_plausible("validFrom", from.0)?;
        }
        let amendment = QualificationAmendment {
            valid_from: self.valid_from.map(|date| date.0),
            valid_until: match self.valid_until {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(date) => Some(Some(date.0)),
            },
            certificate_number: self
                .certificate_number
                .map(|text| optional_text("certificateNumber", Some(&text)))
                .transpose()?,
        };
        if amendment.valid_from.is_none()
            && amendment.valid_until.is_none()
            && amendment.certificate_number.is_none()
        {
            return Err(AppError::invalid(
                "input",
                "name at least one field to correct",
                "请至少填写一项要更正的内容",
            ));
        }
        Ok((
            expect("id", &self.id, NodeType::Qualification)?,
            self.version,
            amendment,
            required_text("reason", &self.reason)?,
        ))
    }
}
