//! Bounded cost per request, whatever its shape.
//!
//! Four gates, each refusing with a code:
//!
//! 1. **The document** ([`DocumentCost`]), parsed once and measured before
//!    async-graphql's own checks and validation, which walk every fragment
//!    spread again and again: the field selections the document expands to
//!    (each fragment counted once per spread but measured once, in time
//!    linear in the document), how deeply fragments spread inside one
//!    another, and the uses of expensive fields ([`KNOWN_AT`],
//!    [`AGGREGATE_FIELDS`]).
//! 2. **Complexity**, after validation: async-graphql sums each field's
//!    complexity, and every list multiplies its items' by its size (a page's
//!    `first`/`last`, `nodes(ids)` by the ids, other lists by an assumed size,
//!    see [`list_complexity`]).
//! 3. **Whole-portfolio aggregates** run at most a few at a time in the
//!    process ([`AggregateGate`]), so they cannot take every pooled
//!    connection from other callers.
//! 4. **Execution**: dropped at the request's deadline (`TIMEOUT`) or once it
//!    resolved more fields than allowed (real lists can be far longer than
//!    complexity assumes), and an answer whose JSON would pass the size limit
//!    is withheld (both `RESPONSE_TOO_LARGE`); `data: null` either way.
//!
//! Every refusal says the figure and the limit, in English and Chinese.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextResolve,
    NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, Selection, SelectionSet,
};
use async_graphql::{
    Context, Name, Positioned, Request, Response, ServerError, ServerResult, ValidationResult,
    Variables,
};
use async_graphql_value::{ConstValue, Value};
use futures_util::FutureExt;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::error::{ApiError, ApiResult, code, server_error};
use crate::domain::Message;
use crate::error::AppError;

// ---------------------------------------------------------------------------
// Defaults (each is a `zaiti serve` flag; see `crate::config::ServeArgs`)
// ---------------------------------------------------------------------------

/// Largest complexity: the first 100 carriers with their operator, district,
/// phases and tenancies with their enterprises (a front end's main page)
/// count 13,200, a page of 50 with 五有 and its evidence about 10,000; lists
/// nested in lists reach hundreds of thousands.
pub const DEFAULT_MAX_COMPLEXITY: usize = 30_000;
/// Most fields and directives a document may expand to, fragments spread in
/// place. The introspection query of graphql-js (GraphiQL, graphql-codegen)
/// expands to 469.
pub const DEFAULT_MAX_SELECTIONS: usize = 10_000;
/// Most `knownAt` uses a document may hold: each rebuilds the records known
/// at that moment in memory from the audit trail. Two compare two moments.
pub const DEFAULT_MAX_KNOWN_AT: usize = 2;
/// Most whole-portfolio aggregates a document may ask for ([`AGGREGATE_FIELDS`]
/// and the 五有 carrier filters): a dashboard asks for a handful.
pub const DEFAULT_MAX_AGGREGATES: usize = 10;
/// How many aggregates run at once in a process; the rest wait their turn
/// (within the request's time limit). Each runs up to five reads side by
/// side, so two leave most of a pool of eight to ten connections to others.
pub const DEFAULT_CONCURRENT_AGGREGATES: u32 = 2;

/// Executions run at once by default: two per core. A page is mostly the
/// server's own CPU, so more at once only makes each slower and holds more
/// answers in memory; two per core still overlap one's database waits with
/// another's work.
pub fn default_concurrent_executions() -> u32 {
    std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .saturating_mul(2)
        .try_into()
        .unwrap_or(u32::MAX)
}

/// Longest a request may run: far above any real query (goal progress on
/// 5,000 carriers takes about 60 ms, a replay for `knownAt` on the demo data
/// 0.2 s), and room for a large `importTenancies`.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest answer, in bytes of JSON: ten times the largest request body; a
/// page of 100 carriers with all their tenants is well under 1 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 10 * 1024 * 1024;
/// Most fields one execution may resolve. Complexity assumes the size of
/// lists that are not paged; where real lists are far longer (an incubator
/// with 300 tenants, nested twice), this stops the execution as it runs,
/// before it builds an answer of hundreds of MB. The main page resolves
/// about 7,000 on the demo data.
pub const DEFAULT_MAX_RESOLVED_FIELDS: usize = 200_000;

/// Fragments spread inside fragments deeper than this are refused: no real
/// document comes near, and validation walks such chains recursively.
pub const MAX_FRAGMENT_NESTING: usize = 64;
/// Most argument values a document may hold at all its uses, fragments
/// spread in place. A request body of the default 1 MiB holds at most about
/// 500,000 values, so any single copy passes (a polygon past the vertex
/// limit still gets its own refusal); a fragment carrying a large value
/// spread thousands of times does not.
pub const MAX_INPUT_VALUES: u64 = 2_000_000;

// ---------------------------------------------------------------------------
// Assumed sizes of lists that are not paged
// ---------------------------------------------------------------------------

/// A carrier's tenancies (`Carrier.tenancies`). The demo's carriers hold up
/// to 22, ever; a large incubator holds more, but nesting is what multiplies.
pub const TENANCIES_PER_CARRIER: usize = 20;
/// An enterprise's tenancies (`Enterprise.tenancies`): a move, a change of area.
pub const TENANCIES_PER_ENTERPRISE: usize = 3;
/// The carriers a fund serves (`Fund.carriers`; demo: up to 9, 3 on average).
pub const CARRIERS_PER_FUND: usize = 5;
/// A record's dated history or side records: a carrier's phases,
/// recognitions, status changes, platforms, funds, teams and facilities (and
/// those a 五有 criterion shows as evidence); an enterprise's qualifications
/// and years of revenue (demo: at most 6).
pub const RECORDS_PER_OWNER: usize = 5;
/// The criteria of 五有 (`CarrierCompliance.criteria`).
pub const COMPLIANCE_CRITERIA: usize = 5;
/// Lists whose size the domain fixes and keeps small: goal targets and their
/// breakdowns by district, kind, year and source, level rule sets, their
/// requirements and checks, districts, occupancy groups, an import's errors.
pub const FIXED_SMALL_LIST: usize = 10;
/// The units on one floor of a building (`Floor.units`; a building's floors count as a small fixed list).
pub const UNITS_PER_FLOOR: usize = 20;
/// Rows of the torch statistics: one per incubator and makerspace.
pub const TORCH_ROWS: usize = 200;

/// The complexity of a list field that is not paged: its items' selection
/// counted once per item it is assumed to hold, plus the field itself.
pub fn list_complexity(assumed_items: usize, child_complexity: usize) -> usize {
    assumed_items
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

// ---------------------------------------------------------------------------
// Expensive fields, counted in the document
// ---------------------------------------------------------------------------

/// The argument that replays the audit trail (`goalProgress(knownAt:)`).
pub const KNOWN_AT: &str = "knownAt";
/// Root fields that read the whole portfolio.
pub const AGGREGATE_FIELDS: [&str; 4] = [
    "goalProgress",
    "torchStatistics",
    "occupancySummary",
    "carrierStatistics",
];
/// The arguments that size a page (every connection takes them).
pub const PAGE_SIZE_ARGUMENTS: [&str; 2] = ["first", "last"];
/// Carrier filter conditions that judge 五有 for the whole portfolio.
pub const AGGREGATE_FILTER_KEYS: [&str; 2] = ["fullyFunctional", "failing"];

/// What a document costs before anything runs, fragments counted once per spread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentCost {
    /// Field selections and directives, fragments expanded in place, over
    /// every operation and fragment definition (what validation walks).
    pub selections: u64,
    /// Argument values (every list item and object field counted), at every
    /// use once fragments are spread in place, variables counted where used:
    /// validation walks each copy, and execution parses each.
    pub input_values: u64,
    /// Fields given a non-null `knownAt`, over every operation.
    pub known_at: u64,
    /// Whole-portfolio aggregates, over every operation.
    pub aggregates: u64,
    /// The longest chain of fragments spread inside one another.
    pub fragment_nesting: usize,
    /// The largest page any field asks for, so a page past the server's
    /// page size is refused before complexity counts it.
    pub largest_page: PageSize,
}

/// A page's size as a document asks for it: the items and the argument
/// (`first` or `last`) that asks. Ordered by the items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageSize {
    pub items: u64,
    pub argument: &'static str,
}

impl DocumentCost {
    fn add(&mut self, other: DocumentCost) {
        self.selections = self.selections.saturating_add(other.selections);
        self.input_values = self.input_values.saturating_add(other.input_values);
        self.known_at = self.known_at.saturating_add(other.known_at);
        self.aggregates = self.aggregates.saturating_add(other.aggregates);
        self.fragment_nesting = self.fragment_nesting.max(other.fragment_nesting);
        self.largest_page = self.largest_page.max(other.largest_page);
    }
}

/// The fragment chain of a document is deeper than [`MAX_FRAGMENT_NESTING`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentsTooDeep;

/// Measures `document` with `variables` (for `knownAt: $moment` and filters
/// given as variables). Each fragment is measured once and its measure
/// reused at every spread, so the time is linear in the document whatever
/// it expands to; the figures saturate rather than overflow.
pub fn measure(
    document: &ExecutableDocument,
    variables: &Variables,
) -> Result<DocumentCost, FragmentsTooDeep> {
    let mut measurer = Measurer {
        document,
        variables,
        defaults: variable_defaults(document),
        variable_sizes: HashMap::new(),
        fragments: HashMap::new(),
    };
    let mut total = DocumentCost::default();
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    };
    for operation in operations {
        total.add(measurer.selection_set(&operation.node.selection_set.node, 0)?);
    }
    // Validation also walks every fragment definition on its own: count
    // their selections (their expensive fields count where they are spread).
    for name in document.fragments.keys() {
        let fragment = measurer.fragment(name, 0)?;
        total.selections = total.selections.saturating_add(fragment.selections);
        total.input_values = total.input_values.saturating_add(fragment.input_values);
        total.fragment_nesting = total.fragment_nesting.max(fragment.fragment_nesting);
        total.largest_page = total.largest_page.max(fragment.largest_page);
    }
    Ok(total)
}

enum Measured {
    InProgress,
    Done(DocumentCost),
}

struct Measurer<'a> {
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Variables with a non-null default in some operation, and that default.
    defaults: Vec<(&'a Name, &'a ConstValue)>,
    /// The values each variable holds, counted once.
    variable_sizes: HashMap<&'a Name, u64>,
    fragments: HashMap<&'a Name, Measured>,
}

impl<'a> Measurer<'a> {
    /// The cost of `set`, reached through `nesting` fragment spreads.
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        nesting: usize,
    ) -> Result<DocumentCost, FragmentsTooDeep> {
        let mut total = DocumentCost::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    total.add(self.field(&field.node));
                    total.add(self.selection_set(&field.node.selection_set.node, nesting)?);
                }
                Selection::InlineFragment(inline) => {
                    total.add(self.directives(&inline.node.directives));
                    total.add(self.selection_set(&inline.node.selection_set.node, nesting)?);
                }
                Selection::FragmentSpread(spread) => {
                    total.add(self.directives(&spread.node.directives));
                    total.add(self.fragment(&spread.node.fragment_name.node, nesting)?);
                }
            }
        }
        Ok(total)
    }

    /// The cost of one spread of fragment `name`, measured once. A fragment
    /// met again while being measured is a cycle, which validation refuses:
    /// it counts nothing here. An unknown fragment, likewise refused, too.
    fn fragment(
        &mut self,
        name: &'a Name,
        nesting: usize,
    ) -> Result<DocumentCost, FragmentsTooDeep> {
        let nesting = nesting + 1;
        if nesting > MAX_FRAGMENT_NESTING {
            return Err(FragmentsTooDeep);
        }
        match self.fragments.get(name) {
            Some(Measured::Done(cost)) => {
                if nesting + cost.fragment_nesting > MAX_FRAGMENT_NESTING {
                    return Err(FragmentsTooDeep);
                }
                let mut cost = *cost;
                cost.fragment_nesting += 1;
                return Ok(cost);
            }
            Some(Measured::InProgress) => return Ok(DocumentCost::default()),
            None => {}
        }
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(DocumentCost::default());
        };
        self.fragments.insert(name, Measured::InProgress);
        let mut cost = self.selection_set(&definition.node.selection_set.node, nesting)?;
        // Stored as the chain below this fragment; each spread adds one.
        self.fragments.insert(name, Measured::Done(cost));
        cost.fragment_nesting += 1;
        Ok(cost)
    }

    /// The cost of one field, without its selection.
    fn field(&mut self, field: &'a Field) -> DocumentCost {
        let known_at = field
            .arguments
            .iter()
            .any(|(name, value)| name.node.as_str() == KNOWN_AT && self.is_given(&value.node));
        let aggregate = AGGREGATE_FIELDS.contains(&field.name.node.as_str())
            || field
                .arguments
                .iter()
                .any(|(_, value)| self.names_aggregate_condition(&value.node));
        let input_values = field.arguments.iter().fold(0, |sum: u64, (_, value)| {
            sum.saturating_add(self.values_in(&value.node))
        });
        let largest_page = field
            .arguments
            .iter()
            .filter_map(|(name, value)| {
                let argument = PAGE_SIZE_ARGUMENTS
                    .into_iter()
                    .find(|known| *known == name.node.as_str())?;
                let items = u64::try_from(self.integer(&value.node)?).unwrap_or(0);
                Some(PageSize { items, argument })
            })
            .max()
            .unwrap_or_default();
        let mut cost = DocumentCost {
            selections: 1,
            input_values,
            known_at: u64::from(known_at),
            aggregates: u64::from(aggregate),
            fragment_nesting: 0,
            largest_page,
        };
        cost.add(self.directives(&field.directives));
        cost
    }

    /// The cost of directives (`@include(if: …)`): each counts as a selection.
    fn directives(&mut self, directives: &'a [Positioned<Directive>]) -> DocumentCost {
        let mut cost = DocumentCost::default();
        for directive in directives {
            cost.selections = cost.selections.saturating_add(1);
            for (_, value) in &directive.node.arguments {
                cost.input_values = cost
                    .input_values
                    .saturating_add(self.values_in(&value.node));
            }
        }
        cost
    }

    /// The values in an argument: 1, plus those in each list item and object
    /// field; a variable's as it was given (counted once, then remembered).
    fn values_in(&mut self, value: &'a Value) -> u64 {
        match value {
            Value::List(items) => items
                .iter()
                .fold(1, |sum: u64, item| sum.saturating_add(self.values_in(item))),
            Value::Object(fields) => fields.values().fold(1, |sum: u64, field| {
                sum.saturating_add(self.values_in(field))
            }),
            Value::Variable(name) => {
                if let Some(size) = self.variable_sizes.get(name) {
                    return *size;
                }
                let size = self.variables.get(name).map_or(1, const_values_in);
                self.variable_sizes.insert(name, size);
                size
            }
            _ => 1,
        }
    }

    /// Whether an argument's value is given and not null.
    fn is_given(&self, value: &Value) -> bool {
        match value {
            Value::Null => false,
            Value::Variable(name) => match self.variables.get(name) {
                Some(value) => !matches!(value, ConstValue::Null),
                None => self.default_of(name).is_some(),
            },
            _ => true,
        }
    }

    /// The integer an argument holds, given inline, as a variable or by the
    /// variable's default.
    fn integer(&self, value: &Value) -> Option<i64> {
        let number = match value {
            Value::Number(number) => number,
            Value::Variable(name) => match self.variables.get(name).or(self.default_of(name))? {
                ConstValue::Number(number) => number,
                _ => return None,
            },
            _ => return None,
        };
        number.as_i64()
    }

    /// The non-null default some operation gives variable `name`.
    fn default_of(&self, name: &Name) -> Option<&'a ConstValue> {
        self.defaults
            .iter()
            .find(|(defined, _)| *defined == name)
            .map(|(_, value)| *value)
    }

    /// Whether an input object (given inline or as a variable) sets one of
    /// [`AGGREGATE_FILTER_KEYS`].
    fn names_aggregate_condition(&self, value: &Value) -> bool {
        match value {
            Value::Object(fields) => fields.iter().any(|(key, value)| {
                AGGREGATE_FILTER_KEYS.contains(&key.as_str()) && self.is_given(value)
            }),
            Value::Variable(name) => match self.variables.get(name) {
                Some(ConstValue::Object(fields)) => fields.iter().any(|(key, value)| {
                    AGGREGATE_FILTER_KEYS.contains(&key.as_str())
                        && !matches!(value, ConstValue::Null)
                }),
                _ => false,
            },
            _ => false,
        }
    }
}

/// The values in a variable's value: 1, plus those in each list item and object field.
fn const_values_in(value: &ConstValue) -> u64 {
    match value {
        ConstValue::List(items) => items.iter().fold(1, |sum: u64, item| {
            sum.saturating_add(const_values_in(item))
        }),
        ConstValue::Object(fields) => fields.values().fold(1, |sum: u64, field| {
            sum.saturating_add(const_values_in(field))
        }),
        _ => 1,
    }
}

/// Variables that some operation of `document` gives a non-null default, with it.
fn variable_defaults(document: &ExecutableDocument) -> Vec<(&Name, &ConstValue)> {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    };
    operations
        .into_iter()
        .flat_map(|operation| &operation.node.variable_definitions)
        .filter_map(|definition| {
            let default = &definition.node.default_value.as_ref()?.node;
            (!matches!(default, ConstValue::Null)).then_some((&definition.node.name.node, default))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The limits and their refusals
// ---------------------------------------------------------------------------

/// The cost limits of a server (`zaiti serve` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostLimits {
    pub max_complexity: usize,
    /// Largest page of any connection; complexity counts a page by its size.
    pub max_page_size: u64,
    pub max_selections: usize,
    pub max_known_at: usize,
    pub max_aggregates: usize,
    pub concurrent_aggregates: usize,
    /// Requests executed at once in this process; the others wait their turn.
    pub concurrent_executions: usize,
    pub request_timeout: Duration,
    pub max_response_bytes: usize,
    pub max_resolved_fields: usize,
}

impl Default for CostLimits {
    fn default() -> Self {
        Self {
            max_complexity: DEFAULT_MAX_COMPLEXITY,
            max_page_size: crate::store::page::DEFAULT_MAX_PAGE_SIZE,
            max_selections: DEFAULT_MAX_SELECTIONS,
            max_known_at: DEFAULT_MAX_KNOWN_AT,
            max_aggregates: DEFAULT_MAX_AGGREGATES,
            concurrent_aggregates: DEFAULT_CONCURRENT_AGGREGATES as usize,
            concurrent_executions: default_concurrent_executions() as usize,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_resolved_fields: DEFAULT_MAX_RESOLVED_FIELDS,
        }
    }
}

/// A request refused for its cost: the code, and the message in English and
/// Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: Message,
    /// The figure found, where known.
    pub actual: Option<u64>,
    pub limit: u64,
    /// The argument refused, where one is (as `BAD_USER_INPUT` names it).
    pub field: Option<&'static str>,
}

impl Refusal {
    fn new(
        code: &'static str,
        english: String,
        chinese: String,
        actual: Option<u64>,
        limit: u64,
    ) -> Self {
        Self {
            code,
            message: Message::new(english, chinese),
            actual,
            limit,
            field: None,
        }
    }

    /// The refusal as an error: its code, its message in both languages
    /// (`message` in English until the transport chooses), the figure and the limit.
    pub(crate) fn into_server_error(self) -> ServerError {
        let mut error = server_error(self.code, &self.message);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if let Some(actual) = self.actual {
            extensions.set("actual", actual);
        }
        extensions.set("limit", self.limit);
        if let Some(field) = self.field {
            extensions.set("field", field);
        }
        error
    }
}

impl CostLimits {
    /// Judges a document's measure against the limits.
    pub fn judge_document(
        &self,
        measured: Result<DocumentCost, FragmentsTooDeep>,
    ) -> Result<(), Refusal> {
        let Ok(cost) = measured else {
            return Err(Refusal::new(
                code::QUERY_TOO_DEEP,
                format!(
                    "fragments are spread inside one another more than {MAX_FRAGMENT_NESTING} deep"
                ),
                format!("片段嵌套展开超过 {MAX_FRAGMENT_NESTING} 层"),
                None,
                MAX_FRAGMENT_NESTING as u64,
            ));
        };
        let over = |actual: u64, limit: usize| actual > limit as u64;
        let page = cost.largest_page;
        if page.items > self.max_page_size {
            return Err(Refusal {
                code: code::BAD_USER_INPUT,
                message: crate::store::page::oversized(self.max_page_size, page.items),
                actual: Some(page.items),
                limit: self.max_page_size,
                field: Some(page.argument),
            });
        }
        if over(cost.selections, self.max_selections) {
            return Err(Refusal::new(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "the document selects {} fields and directives once its fragments are spread in place, over the limit of {}",
                    cost.selections, self.max_selections
                ),
                format!(
                    "展开片段后文档共选择 {} 个字段和指令，超过上限 {}",
                    cost.selections, self.max_selections
                ),
                Some(cost.selections),
                self.max_selections as u64,
            ));
        }
        if cost.input_values > MAX_INPUT_VALUES {
            return Err(Refusal::new(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "the document's arguments hold {} values once its fragments are spread in place, over the limit of {MAX_INPUT_VALUES}",
                    cost.input_values
                ),
                format!(
                    "展开片段后文档的参数共含 {} 个值，超过上限 {MAX_INPUT_VALUES}",
                    cost.input_values
                ),
                Some(cost.input_values),
                MAX_INPUT_VALUES,
            ));
        }
        if over(cost.known_at, self.max_known_at) {
            return Err(Refusal::new(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "the document asks for figures as known at a past moment (knownAt) {} times, over the limit of {}",
                    cost.known_at, self.max_known_at
                ),
                format!(
                    "文档使用 knownAt（按过去某一时刻已知的记录计算）{} 次，超过上限 {}",
                    cost.known_at, self.max_known_at
                ),
                Some(cost.known_at),
                self.max_known_at as u64,
            ));
        }
        if over(cost.aggregates, self.max_aggregates) {
            return Err(Refusal::new(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "the document asks for {} whole-portfolio figures (goalProgress, torchStatistics, occupancySummary, carrierStatistics, 五有 carrier filters), over the limit of {}",
                    cost.aggregates, self.max_aggregates
                ),
                format!(
                    "文档请求全市载体汇总 {} 次（goalProgress、torchStatistics、occupancySummary、carrierStatistics、五有筛选），超过上限 {}",
                    cost.aggregates, self.max_aggregates
                ),
                Some(cost.aggregates),
                self.max_aggregates as u64,
            ));
        }
        Ok(())
    }

    /// Judges a validated query's complexity.
    pub fn judge_complexity(&self, complexity: usize) -> Result<(), Refusal> {
        if complexity <= self.max_complexity {
            return Ok(());
        }
        Err(Refusal::new(
            code::QUERY_TOO_COMPLEX,
            format!(
                "the query's complexity is {complexity}, over the limit of {}; ask for smaller pages or fewer nested lists",
                self.max_complexity
            ),
            format!(
                "查询复杂度为 {complexity}，超过上限 {}；请减小分页或减少嵌套列表",
                self.max_complexity
            ),
            Some(complexity as u64),
            self.max_complexity as u64,
        ))
    }

    pub(crate) fn timed_out(&self) -> Refusal {
        let seconds = self.request_timeout.as_secs_f64();
        Refusal::new(
            code::TIMEOUT,
            format!("the request ran longer than the limit of {seconds} s and was stopped"),
            format!("请求运行超过 {seconds} 秒的上限，已被中止"),
            None,
            self.request_timeout
                .as_millis()
                .try_into()
                .unwrap_or(u64::MAX),
        )
    }

    pub(crate) fn busy(&self) -> Refusal {
        let seconds = self.request_timeout.as_secs_f64();
        Refusal::new(
            code::SERVER_BUSY,
            format!(
                "the server is busy: this request got no turn to run within {seconds} s; retry shortly"
            ),
            format!("服务器繁忙：等待执行已达 {seconds} 秒的上限，请稍后重试"),
            None,
            self.concurrent_executions as u64,
        )
    }

    pub(crate) fn too_many_fields(&self) -> Refusal {
        Refusal::new(
            code::RESPONSE_TOO_LARGE,
            format!(
                "the answer would hold more than {} fields and was stopped; ask for smaller pages or fewer nested lists",
                self.max_resolved_fields
            ),
            format!(
                "答复将超过 {} 个字段的上限，已被中止；请减小分页或减少嵌套列表",
                self.max_resolved_fields
            ),
            None,
            self.max_resolved_fields as u64,
        )
    }

    pub(crate) fn too_large(&self) -> Refusal {
        Refusal::new(
            code::RESPONSE_TOO_LARGE,
            format!(
                "the answer would be larger than the limit of {} bytes; ask for smaller pages or fewer fields",
                self.max_response_bytes
            ),
            format!(
                "答复将超过 {} 字节的上限；请减小分页或减少字段",
                self.max_response_bytes
            ),
            None,
            self.max_response_bytes as u64,
        )
    }
}

/// Judges the document of `request` against `limits`. Measured before
/// async-graphql's own parse step, whose recursion-depth check already walks
/// every fragment spread again. The parsed document stays in the request: it
/// is parsed once. One that does not parse is left for async-graphql to report.
pub fn measure_request(limits: &CostLimits, request: &mut Request) -> Result<(), Refusal> {
    let variables = std::mem::take(&mut request.variables);
    let judged = match request.parsed_query() {
        Ok(document) => limits.judge_document(measure(document, &variables)),
        Err(_) => Ok(()),
    };
    request.variables = variables;
    judged
}

/// `body` as JSON, unless that is longer than `limit` bytes: one
/// serialisation, stopped at the limit.
pub fn to_json_within(body: &impl serde::Serialize, limit: usize) -> Option<Vec<u8>> {
    struct Capped {
        bytes: Vec<u8>,
        limit: usize,
    }
    impl io::Write for Capped {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            if self.bytes.len() + bytes.len() > self.limit {
                return Err(io::Error::other("over the limit"));
            }
            self.bytes.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut capped = Capped {
        bytes: Vec::with_capacity(limit.min(64 * 1024)),
        limit,
    };
    serde_json::to_writer(&mut capped, body).ok()?;
    Some(capped.bytes)
}

/// Whether `response` serialises to more than `limit` bytes of JSON. Counts
/// without keeping the bytes, and stops at the limit.
pub fn larger_than(response: &Response, limit: usize) -> bool {
    struct Counter {
        written: usize,
        limit: usize,
    }
    impl io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.written = self.written.saturating_add(bytes.len());
            if self.written > self.limit {
                return Err(io::Error::other("over the limit"));
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(&mut Counter { written: 0, limit }, response).is_err()
}

// ---------------------------------------------------------------------------
// The gate for whole-portfolio aggregates
// ---------------------------------------------------------------------------

/// Lets at most a few whole-portfolio aggregates run at once in the
/// process; the others wait their turn, within the request's time limit.
#[derive(Clone)]
pub struct AggregateGate(Arc<Semaphore>);

impl AggregateGate {
    pub fn new(permits: usize) -> Self {
        Self(Arc::new(Semaphore::new(permits.max(1))))
    }

    /// Waits for a turn; the turn ends when the permit is dropped.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, AppError> {
        // The semaphore is never closed.
        self.0
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Internal)
    }
}

/// A turn at the aggregate gate for a resolver (the carrier filters on 五有).
pub async fn aggregate_turn(ctx: &Context<'_>) -> ApiResult<Option<OwnedSemaphorePermit>> {
    match ctx.data_opt::<AggregateGate>() {
        Some(gate) => Ok(Some(gate.enter().await.map_err(ApiError)?)),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------
// The extension that applies it all
// ---------------------------------------------------------------------------

/// Applies [`CostLimits`] to every request and every WebSocket operation.
pub struct CostGuard {
    pub limits: CostLimits,
    pub gate: AggregateGate,
}

impl ExtensionFactory for CostGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostGuardOfRequest {
            limits: self.limits,
            gate: self.gate.clone(),
            resolved: AtomicUsize::new(0),
            over_budget: Notify::new(),
        })
    }
}

/// [`CostGuard`] for one request (or one subscription, event after event).
struct CostGuardOfRequest {
    limits: CostLimits,
    gate: AggregateGate,
    /// Fields resolved by the current execution.
    resolved: AtomicUsize,
    /// Told once the execution resolved more than its share of fields.
    over_budget: Notify,
}

#[async_trait::async_trait]
impl Extension for CostGuardOfRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        measure_request(&self.limits, &mut request).map_err(Refusal::into_server_error)?;
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.limits
            .judge_complexity(result.complexity)
            .map_err(|refusal| vec![refusal.into_server_error()])?;
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        // Counted per execution: a subscription executes once per event.
        self.resolved.store(0, Ordering::Relaxed);
        // A notice left by an earlier execution that finished anyway.
        let _ = self.over_budget.notified().now_or_never();
        let run = tokio::time::timeout(self.limits.request_timeout, next.run(ctx, operation_name));
        let finished = tokio::select! {
            biased;
            () = self.over_budget.notified() => None,
            finished = run => Some(finished),
        };
        let response = match finished {
            Some(Ok(response))
                if self.resolved.load(Ordering::Relaxed) <= self.limits.max_resolved_fields =>
            {
                response
            }
            Some(Err(_)) => {
                return Response::from_errors(vec![self.limits.timed_out().into_server_error()]);
            }
            None | Some(Ok(_)) => {
                return Response::from_errors(vec![
                    self.limits.too_many_fields().into_server_error(),
                ]);
            }
        };
        if larger_than(&response, self.limits.max_response_bytes) {
            return Response::from_errors(vec![self.limits.too_large().into_server_error()]);
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<ConstValue>> {
        if self.resolved.fetch_add(1, Ordering::Relaxed) >= self.limits.max_resolved_fields {
            // Stops the whole execution (see `execute`); this field's error is never seen.
            self.over_budget.notify_one();
            return Err(ServerError::new("too many fields", None));
        }
        if info.parent_type == "Query" && AGGREGATE_FIELDS.contains(&info.name) {
            let _turn = self.gate.enter().await.map_err(|err| {
                async_graphql::Error::from(ApiError(err)).into_server_error(Default::default())
            })?;
            return next.run(ctx, info).await;
        }
        next.run(ctx, info).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The complexity async-graphql computes for `query` against the real schema.
    async fn complexity_of(query: &str) -> u64 {
        let mut limits = super::super::Limits::default();
        limits.cost.max_complexity = 0;
        let schema = super::super::schema(limits, crate::events::Bus::idle());
        let response = schema.execute(query).await;
        let error = response
            .errors
            .first()
            .unwrap_or_else(|| panic!("refused: {query}"));
        let extensions = error.extensions.as_ref().expect("extensions");
        match extensions.get("actual") {
            Some(async_graphql::Value::Number(n)) => n.as_u64().expect("a count"),
            _ => panic!("no figure in {error:?}"),
        }
    }

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).expect("a document")
    }

    fn measured(query: &str, variables: serde_json::Value) -> DocumentCost {
        measure(&parse(query), &Variables::from_json(variables)).expect("not too deep")
    }

    #[test]
    fn the_largest_page_is_read_inline_from_variables_from_defaults_and_in_fragments() {
        let pages = |query: &str, variables| measured(query, variables).largest_page.items;
        let two = "{ a: carriers(first: 5) { totalCount } b: carriers(last: 30) { totalCount } }";
        assert_eq!(pages(two, serde_json::json!({})), 30);
        let variable = "query($n: Int) { carriers(first: $n) { totalCount } }";
        assert_eq!(pages(variable, serde_json::json!({ "n": 7 })), 7);
        assert_eq!(
            pages(variable, serde_json::json!({})),
            0,
            "not given: the default page"
        );
        let default = "query($n: Int = 9) { carriers(first: $n) { totalCount } }";
        assert_eq!(pages(default, serde_json::json!({})), 9);
        assert_eq!(pages(default, serde_json::json!({ "n": 4 })), 4);
        let fragment = "{ ...F } fragment F on Query { carriers(first: 12) { totalCount } }";
        assert_eq!(pages(fragment, serde_json::json!({})), 12);
        assert_eq!(
            pages("{ carriers { nodes { id } } }", serde_json::json!({})),
            0
        );
    }

    #[test]
    fn fragments_spread_twice_at_each_of_25_levels_are_counted_without_expanding_them() {
        let mut query =
            String::from("{ carriers { nodes { ...F25 } } } fragment F0 on Carrier { id name }");
        for level in 1..=25 {
            let below = level - 1;
            query.push_str(&format!(
                " fragment F{level} on Carrier {{ ...F{below} ...F{below} }}"
            ));
        }
        let cost = measured(&query, serde_json::json!({}));
        // The operation: carriers, nodes and 2^25 copies of F0's two fields;
        // then every definition once: F_i holds 2^i copies of them.
        let operation = 2 + (1u64 << 25) * 2;
        let definitions: u64 = (0..=25).map(|i| (1u64 << i) * 2).sum();
        assert_eq!(cost.selections, operation + definitions);
        assert_eq!(cost.fragment_nesting, 26);
        assert!(CostLimits::default().judge_document(Ok(cost)).is_err());
    }

    #[test]
    fn known_at_is_counted_through_fragments_literals_variables_and_defaults() {
        let query = r#"query($k: DateTime, $none: DateTime) {
            a: goalProgress(knownAt: "2025-06-30T00:00:00Z") { asOf }
            b: goalProgress(knownAt: $none) { asOf }
            c: goalProgress(knownAt: null) { asOf }
            d: goalProgress { asOf }
            ...Known ...Known
        }
        fragment Known on Query { e: goalProgress(knownAt: $k) { asOf } }"#;
        let cost = measured(query, serde_json::json!({ "k": "2025-06-30T00:00:00Z" }));
        assert_eq!(cost.known_at, 3, "a, and e twice");
        assert_eq!(cost.aggregates, 6, "a to d, and e twice");
        let without_k = measured(query, serde_json::json!({}));
        assert_eq!(without_k.known_at, 1);
        let by_default = measured(
            r#"query($k: DateTime = "2025-06-30T00:00:00Z") { goalProgress(knownAt: $k) { asOf } }"#,
            serde_json::json!({}),
        );
        assert_eq!(by_default.known_at, 1);
    }

    #[test]
    fn the_five_you_carrier_filters_count_as_aggregates_inline_or_as_variables() {
        let cost = measured(
            r#"query($f: CarrierFilter, $g: CarrierFilter) {
                a: carriers(filter: { fullyFunctional: true }) { totalCount }
                b: carriers(filter: { failing: [INVESTMENT_FUND] }) { totalCount }
                c: carriers(filter: $f) { totalCount }
                d: carriers(filter: $g) { totalCount }
                e: carriers(filter: { kinds: [INCUBATOR] }) { totalCount }
                torchStatistics(year: 2025) { year }
                occupancySummary(groupBy: DISTRICT) { occupancy { rate } }
            }"#,
            serde_json::json!({ "f": { "fullyFunctional": false }, "g": { "landmark": true } }),
        );
        assert_eq!(
            cost.aggregates, 5,
            "a, b, c, torchStatistics, occupancySummary"
        );
    }

    #[test]
    fn fragments_nested_past_the_limit_are_refused_even_when_measured_from_the_middle_first() {
        let chain = |length: usize| {
            (1..=length)
                .map(|i| {
                    let next = if i < length {
                        format!("...F{}", i + 1)
                    } else {
                        "id".into()
                    };
                    format!("fragment F{i} on Carrier {{ {next} }}")
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let document = |length: usize, spreads: &str| {
            parse(&format!(
                "{{ carrier(id: \"x\") {{ {spreads} }} }} {}",
                chain(length)
            ))
        };
        let variables = Variables::default();
        assert!(measure(&document(MAX_FRAGMENT_NESTING, "...F1"), &variables).is_ok());
        assert_eq!(
            measure(&document(MAX_FRAGMENT_NESTING + 1, "...F1"), &variables),
            Err(FragmentsTooDeep)
        );
        // F30 is measured (and remembered) first, within the limit; reached
        // again through F1 to F29 its chain passes the limit all the same.
        assert_eq!(
            measure(
                &document(MAX_FRAGMENT_NESTING + 1, "...F30 ...F1"),
                &variables
            ),
            Err(FragmentsTooDeep)
        );
        let refusal = CostLimits::default()
            .judge_document(Err(FragmentsTooDeep))
            .unwrap_err();
        assert_eq!(refusal.code, code::QUERY_TOO_DEEP);
    }

    #[test]
    fn argument_values_count_at_every_use_and_directives_as_selections() {
        let mut query = String::from(
            r#"query($ids: [ID!]!) { a: nodes(ids: $ids) { id } b: nodes(ids: $ids) { id } ...F3 }
               fragment F0 on Query { carriers(filter: { districtCodes: ["xinwu", "binhu"] }) { totalCount } }"#,
        );
        for level in 1..=3 {
            let below = level - 1;
            query.push_str(&format!(
                " fragment F{level} on Query {{ ...F{below} ...F{below} }}"
            ));
        }
        let cost = measured(&query, serde_json::json!({ "ids": ["x", "y", "z"] }));
        // $ids: the list and its three ids, at each of two uses; F0's filter:
        // the object, the list and its two codes, in 8 copies of F0 and in
        // the definitions of F0 to F3 (1 + 2 + 4 + 8 copies).
        assert_eq!(cost.input_values, 2 * 4 + 8 * 4 + 15 * 4);
        let cost = measured(
            "{ districts @include(if: true) { code @skip(if: false) } }",
            serde_json::json!({}),
        );
        assert_eq!((cost.selections, cost.input_values), (4, 2));
    }

    #[test]
    fn a_large_value_spread_thousands_of_times_is_refused_one_copy_is_not() {
        let codes: Vec<String> = (0..5_000).map(|i| format!("\"d{i}\"")).collect();
        let mut query = format!(
            "{{ ...F10 }} fragment F0 on Query {{ carriers(filter: {{ districtCodes: [{}] }}) {{ totalCount }} }}",
            codes.join(",")
        );
        let once = measured(&query.replace("...F10", "...F0"), serde_json::json!({}));
        assert!(
            CostLimits::default().judge_document(Ok(once)).is_ok(),
            "{once:?}"
        );
        for level in 1..=10 {
            let below = level - 1;
            query.push_str(&format!(
                " fragment F{level} on Query {{ ...F{below} ...F{below} }}"
            ));
        }
        let spread = measured(&query, serde_json::json!({}));
        assert!(
            spread.selections < DEFAULT_MAX_SELECTIONS as u64,
            "{spread:?}"
        );
        let refusal = CostLimits::default()
            .judge_document(Ok(spread))
            .unwrap_err();
        assert_eq!(refusal.code, code::QUERY_TOO_COMPLEX);
        assert!(refusal.message.en.contains("values"), "{}", refusal.message);
        assert!(
            refusal.message.zh.contains("上限"),
            "{}",
            refusal.message.zh
        );
    }

    #[test]
    fn a_fragment_cycle_is_left_to_validation() {
        let cost = measured(
            "{ carriers { nodes { ...A } } } fragment A on Carrier { id ...B } fragment B on Carrier { name ...A }",
            serde_json::json!({}),
        );
        assert!(cost.selections < 10, "{cost:?}");
    }

    #[test]
    fn each_refusal_names_the_figure_and_the_limit_in_english_and_chinese() {
        let limits = CostLimits {
            max_selections: 100,
            max_known_at: 2,
            max_aggregates: 4,
            ..CostLimits::default()
        };
        let cases = [
            (
                DocumentCost {
                    selections: 101,
                    ..Default::default()
                },
                "101",
                "100",
            ),
            (
                DocumentCost {
                    known_at: 3,
                    ..Default::default()
                },
                "3",
                "2",
            ),
            (
                DocumentCost {
                    aggregates: 5,
                    ..Default::default()
                },
                "5",
                "4",
            ),
        ];
        for (cost, actual, limit) in cases {
            let refusal = limits.judge_document(Ok(cost)).unwrap_err();
            assert_eq!(refusal.code, code::QUERY_TOO_COMPLEX);
            let (english, chinese) = (&refusal.message.en, &refusal.message.zh);
            for text in [english, chinese] {
                assert!(
                    text.contains(actual) && text.contains(limit),
                    "{}",
                    refusal.message
                );
            }
            assert!(chinese.contains("上限"), "{}", refusal.message.zh);
        }
        let within = DocumentCost {
            selections: 100,
            input_values: MAX_INPUT_VALUES,
            known_at: 2,
            aggregates: 4,
            fragment_nesting: 3,
            largest_page: PageSize {
                items: 100,
                argument: "first",
            },
        };
        assert!(limits.judge_document(Ok(within)).is_ok());
        let oversized = DocumentCost {
            largest_page: PageSize {
                items: 101,
                argument: "last",
            },
            ..within
        };
        let refusal = limits.judge_document(Ok(oversized)).unwrap_err();
        assert_eq!(refusal.code, code::BAD_USER_INPUT);
        assert_eq!((refusal.actual, refusal.limit), (Some(101), 100));
        assert_eq!(refusal.field, Some("last"));
        let refusal = limits
            .judge_complexity(DEFAULT_MAX_COMPLEXITY + 1)
            .unwrap_err();
        assert!(
            refusal
                .message
                .en
                .contains(&format!("{}", DEFAULT_MAX_COMPLEXITY + 1))
        );
        assert!(limits.judge_complexity(DEFAULT_MAX_COMPLEXITY).is_ok());
    }

    #[test]
    fn the_expensive_names_are_root_query_fields_and_arguments_of_the_schema() {
        // The document is measured before validation, by names alone: those
        // names must mean what they say in the schema.
        let sdl = super::super::sdl();
        let mut current_type = "";
        let mut found = Vec::new();
        for line in sdl.lines() {
            if let Some(rest) = line.strip_prefix("type ") {
                current_type = rest.split_whitespace().next().unwrap_or_default();
            }
            let field = line
                .trim_start()
                .split(['(', ':'])
                .next()
                .unwrap_or_default();
            if line.starts_with('\t')
                && !line.starts_with("\t\t")
                && AGGREGATE_FIELDS.contains(&field)
            {
                found.push((current_type.to_owned(), field.to_owned()));
            }
        }
        let expected: Vec<_> = AGGREGATE_FIELDS
            .iter()
            .map(|f| ("Query".to_owned(), (*f).to_owned()))
            .collect();
        found.sort();
        let mut expected_sorted = expected.clone();
        expected_sorted.sort();
        assert_eq!(found, expected_sorted);
        assert!(sdl.contains("knownAt: DateTime"));
        for key in AGGREGATE_FILTER_KEYS {
            assert!(sdl.contains(&format!("\t{key}: ")), "{key}");
        }
    }

    #[test]
    fn an_answer_is_measured_up_to_the_limit() {
        let response = Response::new(async_graphql::Value::String("载".repeat(100)));
        let size = serde_json::to_vec(&response).expect("JSON").len();
        assert!(!larger_than(&response, size));
        assert!(larger_than(&response, size - 1));
    }

    #[tokio::test]
    async fn whole_portfolio_figures_wait_for_a_turn_and_other_reads_do_not() {
        let db = crate::store::connect("sqlite::memory:")
            .await
            .expect("a database");
        crate::store::migrate(&db).await.expect("migrated");
        let mut limits = super::super::Limits::default();
        limits.cost.concurrent_aggregates = 1;
        limits.cost.request_timeout = Duration::from_millis(300);
        let schemas = super::super::Schemas::new(limits, crate::events::Bus::idle());
        let run = async |query: &str| {
            let actor = crate::domain::access::Actor::anonymous();
            super::super::execute(&schemas, Request::new(query), &db, actor)
                .await
                .0
        };
        let code_of = |response: &Response| {
            response.errors.first().and_then(|error| {
                error
                    .extensions
                    .as_ref()
                    .and_then(|ext| match ext.get("code") {
                        Some(async_graphql::Value::String(code)) => Some(code.clone()),
                        _ => None,
                    })
            })
        };
        // Another request has the only turn (both schemas share the gate:
        // the 五有 filter runs on the plain one).
        let gate = schemas
            .guarded
            .data::<AggregateGate>()
            .expect("the gate")
            .clone();
        let turn = gate.enter().await.expect("a turn");
        for waiting in [
            "{ goalProgress { elapsedShare } }",
            "{ occupancySummary(groupBy: KIND) { kind } }",
            "{ carriers(filter: { fullyFunctional: true }) { totalCount } }",
        ] {
            let response = run(waiting).await;
            assert_eq!(
                code_of(&response).as_deref(),
                Some(code::TIMEOUT),
                "{waiting}"
            );
        }
        let response = run("{ carriers { totalCount } districts { code } }").await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        drop(turn);
        let response = run("{ goalProgress { elapsedShare } }").await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
    }

    /// The front end's main page: the first 100 carriers with operator,
    /// district, phases and their tenants with each one's enterprise.
    pub const MAIN_PAGE: &str =
        "{ carriers(first: 100) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id name kind status level floorArea operator { name } district { nameZh }
                phases { areaM2 deliveredOn source }
                tenancies { areaM2 movedInOn enterprise { name industry } } } } }";

    #[tokio::test]
    async fn real_pages_pass_the_default_complexity_and_nested_lists_do_not() {
        let main_page = complexity_of(MAIN_PAGE).await;
        assert!(main_page <= DEFAULT_MAX_COMPLEXITY as u64, "{main_page}");
        // Every level of lists multiplies: 100 carriers × 20 tenancies × 3 × 20 × …
        let nested = "{ carriers(first: 100) { nodes { tenancies { enterprise { tenancies {
            carrier { tenancies { enterprise { tenancies { carrier { name } } } } } } } } } } }";
        let complexity = complexity_of(nested).await;
        assert!(
            complexity > 10 * DEFAULT_MAX_COMPLEXITY as u64,
            "{complexity}"
        );
        // nodes(ids) counts its selection once per id.
        let one = complexity_of(r#"{ nodes(ids: ["a"]) { id } }"#).await;
        let three = complexity_of(r#"{ nodes(ids: ["a", "b", "c"]) { id } }"#).await;
        assert_eq!((one, three), (2, 4));
    }
}
