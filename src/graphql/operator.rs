//! Operators (运营主体): the organisations that run carriers.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::Utc;
use entity::operator;

use super::access::confidential;
use super::connection::{connection, page_args, page_complexity, total_count};
use super::enums::{Ownership, to_domain};
use super::error::{ApiError, ApiResult};
use super::loaders;
use super::node::{NodeType, expect, global_id};
use super::scalars::DateTime;
use crate::domain::ValidationError;
use crate::domain::text::{filter_text, optional_text, required_text};
use crate::domain::uscc::Uscc;
use crate::error::{AppError, stored};
use crate::store;
use crate::store::operator::{NewOperator, OperatorFilter as StoreFilter, OperatorPatch};

/// 运营主体: an organisation that runs carriers, such as a city or district state-owned enterprise.
#[derive(Debug, Clone)]
pub struct Operator {
    id: i32,
    name: String,
    uscc: String,
    ownership: crate::domain::carrier::Ownership,
    contact_person: Option<String>,
    contact_phone: Option<String>,
    version: i32,
    created_at: chrono::DateTime<Utc>,
    updated_at: chrono::DateTime<Utc>,
}

impl TryFrom<operator::Model> for Operator {
    type Error = AppError;

    fn try_from(row: operator::Model) -> Result<Self, AppError> {
        Ok(Self {
            ownership: stored("operator.ownership", &row.ownership)?,
            id: row.id,
            name: row.name,
            uscc: row.uscc,
            contact_person: row.contact_person,
            contact_phone: row.contact_phone,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// 运营主体: an organisation that runs carriers, such as a city or district state-owned enterprise.
#[Object]
impl Operator {
    /// The global ID of the operator.
    pub async fn id(&self) -> ID {
        global_id(NodeType::Operator, self.id)
    }

    /// Registered name.
    async fn name(&self) -> &str {
        &self.name
    }

    /// 统一社会信用代码: the 18-character unified social credit code.
    async fn uscc(&self) -> &str {
        &self.uscc
    }

    /// Who owns the operator.
    async fn ownership(&self) -> Ownership {
        self.ownership.into()
    }

    /// 联系人: the contact person. Confidential: null unless the caller is ADMIN or this operator.
    async fn contact_person(&self, ctx: &Context<'_>) -> Option<&str> {
        confidential(ctx, self.id, self.contact_person.as_deref())
    }

    /// 联系电话: the contact telephone number. Confidential: null unless the caller is ADMIN or this operator.
    async fn contact_phone(&self, ctx: &Context<'_>) -> Option<&str> {
        confidential(ctx, self.id, self.contact_phone.as_deref())
    }

    /// Row version; pass it back to `updateOperator`.
    async fn version(&self) -> i32 {
        self.version
    }

    /// When the record was created.
    async fn created_at(&self) -> DateTime {
        self.created_at.into()
    }

    /// When the record was last changed.
    async fn updated_at(&self) -> DateTime {
        self.updated_at.into()
    }
}

connection!(
    OperatorConnection,
    OperatorEdge,
    Operator,
    "A page of operators, sorted by name (Relay cursor connection).",
    "An operator in a page, with its cursor."
);

/// Which operators to list; all conditions must hold.
#[derive(InputObject, Default)]
pub struct OperatorFilter {
    /// Any of these ownership kinds.
    pub ownerships: Option<Vec<Ownership>>,
    /// Name contains this text (case-insensitive).
    pub name_contains: Option<String>,
}

/// A new operator.
#[derive(InputObject)]
pub struct CreateOperatorInput {
    /// Registered name; not empty.
    pub name: String,
    /// Unified social credit code; its GB 32100-2015 check character must be right.
    pub uscc: String,
    /// Who owns the operator.
    pub ownership: Ownership,
    /// Contact person.
    pub contact_person: Option<String>,
    /// Contact telephone number.
    pub contact_phone: Option<String>,
}

/// Changes to an operator. Omitted fields stay as they are; `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateOperatorInput {
    /// The operator to change.
    pub id: ID,
    /// The `version` the change is based on; a stale one gets CONFLICT.
    pub version: i32,
    /// New registered name.
    pub name: Option<String>,
    /// New unified social credit code.
    pub uscc: Option<String>,
    /// New ownership.
    pub ownership: Option<Ownership>,
    /// New contact person.
    pub contact_person: MaybeUndefined<String>,
    /// New contact telephone number.
    pub contact_phone: MaybeUndefined<String>,
}

impl CreateOperatorInput {
    fn validate(self) -> Result<NewOperator, ValidationError> {
        Ok(NewOperator {
            name: required_text("name", &self.name)?,
            uscc: Uscc::parse(&self.uscc)?,
            ownership: self.ownership.into(),
            contact_person: optional_text("contactPerson", self.contact_person.as_deref())?,
            contact_phone: optional_text("contactPhone", self.contact_phone.as_deref())?,
        })
    }
}

impl UpdateOperatorInput {
    fn validate(self) -> Result<OperatorPatch, ValidationError> {
        Ok(OperatorPatch {
            name: self
                .name
                .as_deref()
                .map(|n| required_text("name", n))
                .transpose()?,
            uscc: self.uscc.as_deref().map(Uscc::parse).transpose()?,
            ownership: self.ownership.map(Into::into),
            contact_person: optional_patch("contactPerson", self.contact_person)?,
            contact_phone: optional_patch("contactPhone", self.contact_phone)?,
        })
    }
}

/// Reads an optional text field of a patch: absent keeps, null clears.
pub(crate) fn optional_patch(
    field: &str,
    value: MaybeUndefined<String>,
) -> Result<Option<Option<String>>, ValidationError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(text) => optional_text(field, Some(&text)).map(Some),
    }
}

#[derive(Default)]
pub struct OperatorQuery;

#[Object]
impl OperatorQuery {
    /// One operator by global ID, or null.
    async fn operator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operator's global ID.")] id: ID,
    ) -> ApiResult<Option<Operator>> {
        let id = expect("id", &id, NodeType::Operator)?;
        Ok(loaders::of(ctx)?.operator(id).await?)
    }

    /// Operators, sorted by name, a page at a time.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn operators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size when paging forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size when paging backward (at most 100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
        #[graphql(desc = "Conditions the operators must meet.")] filter: Option<OperatorFilter>,
        #[graphql(desc = "Order of names (default NAME; NAME_PINYIN for pinyin order).")]
        order_by: Option<super::enums::NameOrder>,
    ) -> ApiResult<OperatorConnection> {
        let pinyin = order_by == Some(super::enums::NameOrder::NamePinyin);
        let db = super::db(ctx)?;
        let filter = filter.unwrap_or_default();
        let filter = StoreFilter {
            ownerships: to_domain(filter.ownerships),
            name_contains: filter_text("filter.nameContains", filter.name_contains)?,
        };
        let args = page_args(ctx, first, after, last, before);
        let page = store::operator::page(db, &filter, pinyin, &args).await?;
        let total = total_count(ctx, store::operator::count(db, &filter)).await?;
        Ok(OperatorConnection::build(page, total, Operator::try_from)?)
    }
}

#[derive(Default)]
pub struct OperatorMutation;

#[Object]
impl OperatorMutation {
    /// Registers an operator. A USCC already registered gets CONFLICT.
    async fn create_operator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateOperatorInput,
    ) -> ApiResult<Operator> {
        let row =
            store::operator::create(super::db(ctx)?, super::actor(ctx)?, input.validate()?).await?;
        Ok(Operator::try_from(row)?)
    }

    /// Changes an operator, if it is still at the given `version`.
    async fn update_operator(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: UpdateOperatorInput,
    ) -> ApiResult<Operator> {
        let id = expect("id", &input.id, NodeType::Operator)?;
        let version = input.version;
        let patch = input.validate()?;
        let row = store::operator::update(super::db(ctx)?, super::actor(ctx)?, id, version, patch)
            .await?;
        Operator::try_from(row).map_err(ApiError)
    }
}
