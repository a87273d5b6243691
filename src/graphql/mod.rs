//! The GraphQL API: types and thin resolvers per area, merged into one schema.
//!
//! Building the schema needs no database and reads no environment, so
//! `zaiti schema` prints the SDL anywhere; the database and the per-request
//! loaders go in as request data ([`execute`]).

pub mod access;
pub mod annual_report;
pub mod answer;
pub mod application;
pub mod audit;
pub mod carrier;
pub mod compliance;
pub mod connection;
pub mod correction;
pub mod cost;
pub mod designation;
pub mod district;
pub mod eager;
pub mod enterprise;
pub mod enums;
pub mod error;
pub mod execution;
pub mod goals;
pub mod import;
pub mod inventory;
pub mod lease;
pub mod loaders;
pub mod node;
pub mod operator;
pub mod period;
pub mod recognition;
pub mod scalars;
pub mod space_phase;
pub mod spatial;
pub mod statistics;
pub mod subscription;
pub mod support;
pub mod tenancy;
pub mod token;
pub mod torch;
pub mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{
    Context, MergedObject, MergedSubscription, Response, SDLExportOptions, Schema,
};
use sea_orm::DatabaseConnection;

use crate::domain::access::Actor;

use self::error::{ApiResult, missing_context};
pub use self::execution::{ExecutionStarted, Schemas, execute};

/// The root of all reads.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    carrier::CarrierQuery,
    district::DistrictQuery,
    operator::OperatorQuery,
    audit::AuditQuery,
    enterprise::EnterpriseQuery,
    tenancy::TenancyQuery,
    inventory::InventoryQuery,
    lease::LeaseQuery,
    support::SupportQuery,
    compliance::ComplianceQuery,
    goals::GoalQuery,
    torch::TorchQuery,
    designation::DesignationQuery,
    period::PeriodQuery,
    statistics::StatisticsQuery,
    annual_report::AnnualReportQuery,
    application::ApplicationQuery,
    token::TokenQuery,
    webhook::WebhookQuery,
);

/// The root of all writes. Each mutation runs in one transaction.
#[derive(MergedObject, Default)]
pub struct Mutation(
    operator::OperatorMutation,
    carrier::CarrierMutation,
    space_phase::SpacePhaseMutation,
    recognition::RecognitionMutation,
    enterprise::EnterpriseMutation,
    tenancy::TenancyMutation,
    inventory::InventoryMutation,
    lease::LeaseMutation,
    import::ImportMutation,
    support::SupportMutation,
    compliance::ComplianceMutation,
    goals::GoalMutation,
    spatial::SpatialMutation,
    designation::DesignationMutation,
    period::PeriodMutation,
    annual_report::AnnualReportMutation,
    application::ApplicationMutation,
    token::TokenMutation,
    webhook::WebhookMutation,
);

/// The root of live updates, served over WebSocket (graphql-transport-ws) at `/graphql`.
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    subscription::OccupancySubscription,
    designation::DesignationSubscription,
);

pub type ZaitiSchema = Schema<Query, Mutation, Subscription>;

/// Deepest query accepted. The standard introspection query of front-end
/// tools (GraphiQL, graphql-codegen) nests about 13 deep, so stay above that.
pub const DEFAULT_MAX_DEPTH: usize = 16;
pub use cost::DEFAULT_MAX_COMPLEXITY;

/// Limits that protect the server from expensive queries.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    /// Whether clients may introspect the schema (front-end tools need it).
    pub introspection: bool,
    /// What one request may cost: complexity, selections, expensive fields,
    /// time, answer size.
    pub cost: cost::CostLimits,
    /// Most vertices of any GeoJSON input (filters, footprints, boundaries).
    pub max_polygon_vertices: usize,
    /// Days an API token issued through the API lasts when it names no last day.
    pub token_lifetime_days: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            introspection: true,
            cost: cost::CostLimits::default(),
            max_polygon_vertices: crate::domain::geometry::DEFAULT_MAX_VERTICES,
            token_lifetime_days: crate::domain::token::DEFAULT_LIFETIME_DAYS,
        }
    }
}

/// The schema with every extension: what mutations, subscriptions and
/// refused requests run on (see [`execution`]). Mutations publish live
/// updates on `bus`. No I/O.
pub fn schema(limits: Limits, bus: crate::events::Bus) -> ZaitiSchema {
    let gate = cost::AggregateGate::new(limits.cost.concurrent_aggregates);
    guarded_schema(limits, bus, gate)
}

/// [`schema`], sharing the aggregate gate `gate`.
fn guarded_schema(
    limits: Limits,
    bus: crate::events::Bus,
    gate: cost::AggregateGate,
) -> ZaitiSchema {
    let builder = builder(limits, bus, gate.clone())
        // No `limit_complexity`: `cost::CostGuard` judges complexity, and its
        // refusal gives the figure and the limit.
        .extension(MarkExecution)
        .extension(cost::CostGuard {
            limits: limits.cost,
            gate,
        })
        .extension(access::MutationGuard)
        .extension(subscription::EventLoaders);
    if limits.introspection {
        builder.finish()
    } else {
        // async-graphql's own switch answers `__schema` with a silent null;
        // a refusal with a code tells the client why.
        builder.extension(access::IntrospectionRefusal).finish()
    }
}

/// The same schema without extensions, for queries that need no per-field
/// hook (see [`execution`]). It refuses what the guarded one refuses,
/// without saying as much; such requests run again on the guarded schema.
fn plain_schema(limits: Limits, bus: crate::events::Bus, gate: cost::AggregateGate) -> ZaitiSchema {
    let builder = builder(limits, bus, gate).limit_complexity(limits.cost.max_complexity);
    if limits.introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

/// What both schemas share: types, depth limit, data (one aggregate gate for both).
fn builder(
    limits: Limits,
    bus: crate::events::Bus,
    gate: cost::AggregateGate,
) -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(limits.max_depth)
    .data(connection::MaxPageSize(limits.cost.max_page_size))
    .data(limits)
    .data(gate)
    .data(bus);
    if limits.introspection {
        builder
    } else {
        // Suggestions ("Did you mean …") would name fields the schema no longer shows.
        builder.disable_suggestions()
    }
}

/// The schema in SDL, as `schema.graphql` holds it.
pub fn sdl() -> String {
    schema(Limits::default(), crate::events::Bus::idle()).sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_enum_items()
            .include_specified_by(),
    )
}

/// Apollo Client's `possibleTypes` map: each interface and union of the
/// schema with the object types that can stand for it, read from [`sdl`]
/// (so it cannot drift from the schema), names sorted. An `InMemoryCache`
/// needs it to match a fragment on an interface (`... on Node`) to the
/// objects in its cache.
pub fn possible_types() -> BTreeMap<String, Vec<String>> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let Ok(document) = async_graphql::parser::parse_schema(sdl()) else {
        // The SDL comes from the schema itself; it always parses.
        return BTreeMap::new();
    };
    let mut possible = BTreeMap::<String, Vec<String>>::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else {
            continue;
        };
        let name = definition.node.name.node.to_string();
        match definition.node.kind {
            TypeKind::Interface(_) => {
                possible.entry(name).or_default();
            }
            TypeKind::Object(object) => {
                for interface in object.implements {
                    possible
                        .entry(interface.node.to_string())
                        .or_default()
                        .push(name.clone());
                }
            }
            TypeKind::Union(union) => possible
                .entry(name)
                .or_default()
                .extend(union.members.iter().map(|member| member.node.to_string())),
            _ => {}
        }
    }
    possible.values_mut().for_each(|types| types.sort());
    possible
}

/// Both schemas over one aggregate gate.
fn schemas(limits: Limits, bus: crate::events::Bus) -> (ZaitiSchema, ZaitiSchema) {
    let gate = cost::AggregateGate::new(limits.cost.concurrent_aggregates);
    (
        guarded_schema(limits, bus.clone(), gate.clone()),
        plain_schema(limits, bus, gate),
    )
}

/// Marks the request's [`ExecutionStarted`] once it passed parsing and validation.
struct MarkExecution;

impl ExtensionFactory for MarkExecution {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(MarkExecution)
    }
}

#[async_trait::async_trait]
impl Extension for MarkExecution {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(started) = ctx.data_opt::<Arc<ExecutionStarted>>() {
            started.0.store(true, Ordering::Release);
        }
        next.run(ctx, operation_name).await
    }
}

/// The caller of the request.
pub(crate) fn actor<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    ctx.data::<Actor>().map_err(missing_context)
}

/// The language the request asked its messages in (see
/// [`crate::domain::Language::from_accept_language`]); Chinese when the
/// transport named none.
pub(crate) fn language(ctx: &Context<'_>) -> crate::domain::Language {
    ctx.data_opt::<crate::domain::Language>()
        .copied()
        .unwrap_or_default()
}

/// The server's limits (the defaults where a schema was built without them).
pub(crate) fn limits(ctx: &Context<'_>) -> Limits {
    ctx.data_opt::<Limits>().copied().unwrap_or_default()
}

/// The request's database connection.
pub(crate) fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>().map_err(missing_context)
}
