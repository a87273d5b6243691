//! How a request runs: on which of the two schemas, under which limits.
//!
//! async-graphql passes every field through the extension chain as soon as a
//! schema has any extension at all: a registry lookup, a boxed future per
//! extension and two formatted type names per list item, for every field of
//! every object. On a page of 100 carriers with their tenants that was a
//! quarter of the server's CPU. So the schema is built twice:
//!
//! - **guarded**, with the extensions (the mutation guard, the cost guard,
//!   the introspection refusal, loaders for subscription events): every
//!   mutation, subscription and refused request runs here;
//! - **plain**, with none: queries that need no per-field hook run here,
//!   and [`execute`] applies the same limits around the execution instead
//!   of inside it.
//!
//! The plain path leaves one limit to the caller: the answer's size, judged
//! as the answer is written (`cost::to_json_within`), so that it is
//! serialised once.
//!
//! A query takes the plain schema unless it asks at its root for a
//! whole-portfolio aggregate (which waits at the aggregate gate) or, where
//! introspection is off, for `__schema` or `__type`. A query the plain
//! schema refuses before executing it runs again on the guarded one, which
//! refuses it the same way but names the figure and the limit; nothing ran
//! the first time, so nothing runs twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_graphql::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Request, Response, Value};
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::cost::{AGGREGATE_FIELDS, CostLimits, MAX_FRAGMENT_NESTING, Refusal, measure_request};
use super::{Limits, ZaitiSchema, loaders};
use crate::domain::access::Actor;

/// The schema built twice (see the module's documentation), and the turns
/// to execute on it.
#[derive(Clone)]
pub struct Schemas {
    /// With every extension: mutations, subscriptions, refusals.
    pub guarded: ZaitiSchema,
    /// Without extensions: the read path.
    pub plain: ZaitiSchema,
    pub limits: Limits,
    turns: Arc<Semaphore>,
}

impl Schemas {
    /// Both schemas; mutations publish live updates on `bus`. No I/O.
    pub fn new(limits: Limits, bus: crate::events::Bus) -> Self {
        let (guarded, plain) = super::schemas(limits, bus);
        Self {
            guarded,
            plain,
            limits,
            turns: Arc::new(Semaphore::new(limits.cost.concurrent_executions.max(1))),
        }
    }

    /// A turn to execute one request and write its answer, waited for in
    /// arrival order within the request time limit.
    ///
    /// Without turns, every request in flight shares the CPU with all the
    /// others: each takes as long as all of them together and holds its
    /// answer tree in memory meanwhile (half a gigabyte at 50 connections
    /// on the page of `bench/`). With a few turns, requests finish one after
    /// another at the same throughput, and memory follows the turns, not
    /// the connections.
    ///
    /// Only queries on the plain path take turns: pages and lookups, whose
    /// answers can be large. Whole-portfolio figures wait at their own gate
    /// (`cost::AggregateGate`) and answer little, and mutations are short and
    /// wait for their row locks; were they to hold turns while they wait,
    /// a small read would queue behind a dozen slow figures.
    pub async fn turn_for(
        &self,
        request: &mut Request,
    ) -> Result<Option<OwnedSemaphorePermit>, Refusal> {
        if takes_plain_path(&self.limits, request) {
            self.turn().await.map(Some)
        } else {
            Ok(None)
        }
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, Refusal> {
        let limits = &self.limits.cost;
        match tokio::time::timeout(limits.request_timeout, self.turns.clone().acquire_owned()).await
        {
            Ok(Ok(turn)) => Ok(turn),
            // The semaphore is never closed; waiting past the limit is the refusal.
            Ok(Err(_)) | Err(_) => Err(limits.busy()),
        }
    }
}

/// Executes a request of `actor` against `db` and tells whether execution
/// began, which separates request errors (parse, validation: nothing ran)
/// from field errors.
pub async fn execute(
    schemas: &Schemas,
    mut request: Request,
    db: &DatabaseConnection,
    actor: Actor,
) -> (Response, bool) {
    let limits = &schemas.limits.cost;
    // An APPLICANT token's root fields are judged by the guard, which only
    // the guarded schema runs.
    let guarded_only = actor.role == crate::domain::access::Role::Applicant;
    if !guarded_only && takes_plain_path(&schemas.limits, &mut request) {
        // Kept to run again should the plain schema refuse it (queries carry no uploads).
        let mut again = Request::new(request.query.clone()).variables(request.variables.clone());
        again.operation_name = request.operation_name.clone();
        again.extensions = request.extensions.clone();
        let response = match run(&schemas.plain, limits, request, db, actor.clone()).await {
            Ok(response) => response,
            Err(refusal) => return (refused(refusal), true),
        };
        if began_executing(&response) {
            if exceeds(&response.data, limits.max_resolved_fields) {
                return (refused(limits.too_many_fields()), true);
            }
            return (response, true);
        }
        tracing::debug!("refused by the plain schema; again on the guarded one, for the reasons");
        request = again;
    }
    let started = Arc::new(ExecutionStarted::default());
    let request = request.data(started.clone());
    match run(&schemas.guarded, limits, request, db, actor).await {
        Ok(response) => (response, started.0.load(Ordering::Acquire)),
        Err(refusal) => (refused(refusal), true),
    }
}

/// Runs `request` on `schema` with fresh loaders, within the time limit and
/// the budget of rows the loaders may read; refused when it overruns either.
async fn run(
    schema: &ZaitiSchema,
    limits: &CostLimits,
    request: Request,
    db: &DatabaseConnection,
    actor: Actor,
) -> Result<Response, Refusal> {
    let queue = loaders::BatchQueue::default();
    let budget = Arc::new(RowBudget::new(limits.max_resolved_fields));
    let request = request
        .data(actor)
        .data(db.clone())
        .data(loaders::Loaders::new(db, &queue, budget.clone()));
    let execution = tokio::time::timeout(
        limits.request_timeout,
        loaders::drive(queue, schema.execute(request)),
    );
    tokio::select! {
        biased;
        () = budget.overspent() => Err(limits.too_many_fields()),
        finished = execution => finished.map_err(|_| limits.timed_out()),
    }
}

/// The answer to a request refused for its cost.
pub fn refused(refusal: Refusal) -> Response {
    Response::from_errors(vec![refusal.into_server_error()])
}

/// Whether the plain schema may run `request`: a query whose root asks for
/// nothing that needs a per-field hook, and that passes the document limits.
fn takes_plain_path(limits: &Limits, request: &mut Request) -> bool {
    if measure_request(&limits.cost, request).is_err() {
        return false;
    }
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    let Some(operation) = chosen_operation(document, operation_name.as_deref()) else {
        return false;
    };
    if operation.node.ty != OperationType::Query {
        return false;
    }
    let needs_hook = |name: &str| {
        AGGREGATE_FIELDS.contains(&name)
            || (!limits.introspection && matches!(name, "__schema" | "__type"))
    };
    root_fields_pass(document, &operation.node.selection_set.node, &needs_hook, 0)
}

/// The operation a request runs: the one named, else the only one (as
/// async-graphql chooses; a document of one named operation holds it among
/// "multiple").
pub fn chosen_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Whether no root field of `set` (fragments spread in place) fails `needs_hook`.
fn root_fields_pass(
    document: &ExecutableDocument,
    set: &SelectionSet,
    needs_hook: &impl Fn(&str) -> bool,
    depth: usize,
) -> bool {
    if depth > MAX_FRAGMENT_NESTING {
        return false;
    }
    set.items.iter().all(|selection| match &selection.node {
        Selection::Field(field) => !needs_hook(field.node.name.node.as_str()),
        Selection::InlineFragment(fragment) => root_fields_pass(
            document,
            &fragment.node.selection_set.node,
            needs_hook,
            depth + 1,
        ),
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|fragment| {
                root_fields_pass(
                    document,
                    &fragment.node.selection_set.node,
                    needs_hook,
                    depth + 1,
                )
            }),
    })
}

/// Whether a response of the plain schema came from an execution: errors
/// of parsing and validation carry no path, field errors always do.
fn began_executing(response: &Response) -> bool {
    response.errors.is_empty()
        || !matches!(response.data, Value::Null)
        || response.errors.iter().any(|error| !error.path.is_empty())
}

/// Whether an answer holds more than `limit` fields and list items: what the
/// cost guard counts, field by field, on the guarded schema.
fn exceeds(data: &Value, limit: usize) -> bool {
    fn count(value: &Value, seen: &mut usize, limit: usize) -> bool {
        match value {
            Value::List(items) => {
                *seen += items.len();
                *seen > limit || items.iter().any(|item| count(item, seen, limit))
            }
            Value::Object(fields) => {
                *seen += fields.len();
                *seen > limit || fields.values().any(|field| count(field, seen, limit))
            }
            _ => false,
        }
    }
    count(data, &mut 0, limit)
}

/// Rows the loaders of one execution may read. Lists can be far longer than
/// complexity assumes; each row read becomes at least one field, so a
/// budget of rows stops an execution that would resolve too many fields
/// before it builds them.
#[derive(Debug)]
pub struct RowBudget {
    limit: usize,
    spent: AtomicUsize,
    overspent: Notify,
}

impl RowBudget {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            spent: AtomicUsize::new(0),
            overspent: Notify::new(),
        }
    }

    /// Counts `rows` read; past the limit, the execution is stopped.
    pub fn spend(&self, rows: usize) {
        let spent = self.spent.fetch_add(rows, Ordering::Relaxed) + rows;
        if spent > self.limit {
            self.overspent.notify_one();
        }
    }

    async fn overspent(&self) {
        self.overspent.notified().await;
    }
}

/// Set once the request passed parsing and validation and began to execute
/// (on the guarded schema, by an extension).
#[derive(Debug, Default)]
pub struct ExecutionStarted(pub(super) AtomicBool);
