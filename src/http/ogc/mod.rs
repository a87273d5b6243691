//! OGC API – Features at `/ogc`: Part 1 (Core, GeoJSON, OpenAPI 3.0),
//! Part 2 (coordinate reference systems by reference: CRS84, EPSG:4490,
//! EPSG:4549) and Part 3's queryables with property filters. The landing
//! page, conformance, the collections (carrier footprints, carrier
//! locations, districts, platforms; one geometry type each), their items
//! with `bbox`, `bbox-crs`, `crs`, `datetime`, `limit` and `next` links,
//! single items by GraphQL global id, and `/queryables`. Same tokens and
//! roles as `/graphql`: every role may read, nothing here writes. QGIS and
//! GDAL (`OAPIF:`) read it with no glue code. Links start at the configured
//! public URL (`--public-url`), never at the request's `Host`. An
//! exception's `description` is in the language `Accept-Language` prefers
//! (Chinese by default); `descriptionEn` and `descriptionZh` carry both.

mod api;
mod items;
mod queryables;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use strum::IntoEnumIterator;

use super::{AppState, auth};
use crate::domain::crs::Crs;
use crate::domain::{Language, Message, ValidationError};
use crate::error::AppError;
use crate::features::Collection;
use crate::store;

/// Items per page when the client names no `limit`.
pub const DEFAULT_LIMIT: u64 = 100;
/// Largest `limit` honoured; larger ones are cut to it, as the standard allows.
pub const MAX_LIMIT: u64 = 1000;

const GEOJSON: &str = "application/geo+json";
const JSON: &str = "application/json";
const SCHEMA_JSON: &str = "application/schema+json";
const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// The `/ogc` routes, each behind the same token check and rate limit as `/graphql`.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/ogc", get(landing))
        .route("/ogc/", get(landing))
        .route("/ogc/api", get(api::api))
        .route("/ogc/conformance", get(conformance))
        .route("/ogc/collections", get(collections))
        .route("/ogc/collections/{collection}", get(collection))
        .route(
            "/ogc/collections/{collection}/queryables",
            get(queryables::queryables),
        )
        .route("/ogc/collections/{collection}/items", get(items::items))
        .route(
            "/ogc/collections/{collection}/items/{feature}",
            get(items::item),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), admit))
}

/// An OGC API exception: `{"code", "description"}` with an HTTP status, the
/// description in both languages.
#[derive(Debug, Clone)]
struct Problem(StatusCode, &'static str, Message);

impl Problem {
    /// The exception as sent: `description` in `language`, and both languages beside it.
    fn render(&self, language: Language) -> Response {
        let Problem(status, code, description) = self;
        let body = json!({
            "code": code,
            "description": description.in_language(language),
            "descriptionEn": description.en,
            "descriptionZh": description.zh,
        });
        let mut response =
            (*status, [(header::CONTENT_TYPE, JSON)], body.to_string()).into_response();
        if *status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Written in the default language, and kept in the response for [`admit`],
/// which writes it again in the request's.
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = self.render(Language::default());
        response.extensions_mut().insert(self);
        response
    }
}

impl From<AppError> for Problem {
    fn from(err: AppError) -> Self {
        let message = err.message();
        match err {
            AppError::Invalid(_) => {
                Problem(StatusCode::BAD_REQUEST, "InvalidParameterValue", message)
            }
            AppError::NotFound { .. } => Problem(StatusCode::NOT_FOUND, "NotFound", message),
            AppError::Unauthenticated(_) => {
                Problem(StatusCode::UNAUTHORIZED, "Unauthenticated", message)
            }
            AppError::Forbidden(_) => Problem(StatusCode::FORBIDDEN, "Forbidden", message),
            AppError::Conflict(_) => Problem(StatusCode::CONFLICT, "Conflict", message),
            AppError::Internal => Problem(StatusCode::INTERNAL_SERVER_ERROR, "Internal", message),
        }
    }
}

/// A query parameter refused (400, `InvalidParameterValue`).
fn invalid_parameter(en: String, zh: String) -> Problem {
    Problem(
        StatusCode::BAD_REQUEST,
        "InvalidParameterValue",
        Message::new(en, zh),
    )
}

impl From<ValidationError> for Problem {
    fn from(err: ValidationError) -> Self {
        Problem::from(AppError::from(err))
    }
}

type Answer = Result<Response, Problem>;

/// Lets the caller in under the same token rules and rate limit as
/// `/graphql`, and writes any exception in the language the request prefers.
async fn admit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let language = super::language(&state, &headers);
    let admitted = async {
        let actor = auth::caller(&state, &headers).await?;
        // An APPLICANT token reads nothing but its own applications.
        crate::domain::access::may_use_other_interfaces(&actor).map_err(AppError::from)?;
        let caller = match actor.token_id {
            Some(token) => format!("token:{token}"),
            None => format!("address:{}", peer.ip()),
        };
        state.rate_limits.check(&caller).map_err(|wait| {
            Problem(
                StatusCode::TOO_MANY_REQUESTS,
                "RateLimited",
                super::rate_limit::too_many(wait.as_secs().max(1)),
            )
        })
    };
    if let Err(problem) = admitted.await {
        return problem.render(language);
    }
    let response = next.run(request).await;
    match response.extensions().get::<Problem>() {
        Some(problem) => problem.render(language),
        None => response,
    }
}

/// The absolute base of the API: the configured public URL, never the
/// request's `Host` (which a client or a proxy may set to anything).
fn base(state: &AppState) -> String {
    format!("{}/ogc", state.public_url)
}

fn respond(media: &'static str, body: &Value) -> Response {
    ([(header::CONTENT_TYPE, media)], body.to_string()).into_response()
}

fn link(href: String, rel: &str, media: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": media, "title": title })
}

async fn landing(State(state): State<AppState>) -> Answer {
    let base = base(&state);
    Ok(respond(
        JSON,
        &json!({
            "title": "zaiti: science and technology incubation carriers",
            "description": "OGC API - Features over the carrier portfolio: carrier footprints, carrier locations, district boundaries and public technology service platforms, GeoJSON in CRS84 by default, EPSG:4490 (CGCS2000) and EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E) on request.",
            "links": [
                link(base.clone(), "self", JSON, "This document"),
                link(format!("{base}/api"), "service-desc", OPENAPI, "The API definition"),
                link(format!("{base}/conformance"), "conformance", JSON, "Conformance classes"),
                link(format!("{base}/collections"), "data", JSON, "The feature collections"),
            ]
        }),
    ))
}

/// The conformance classes claimed: Part 1 core, GeoJSON and OpenAPI 3.0,
/// Part 2 CRS, Part 3 queryables and their query parameters.
const CONFORMANCE: [&str; 6] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
];

async fn conformance() -> Answer {
    Ok(respond(JSON, &json!({ "conformsTo": CONFORMANCE })))
}

/// The collection `id` names; 404 listing those there are.
fn find_collection(id: &str) -> Result<Collection, Problem> {
    id.parse().map_err(|_| {
        let known: Vec<String> = Collection::iter().map(|c| c.as_ref().to_owned()).collect();
        Problem(
            StatusCode::NOT_FOUND,
            "NotFound",
            Message::new(
                format!("no collection '{id}'; there are {}", known.join(", ")),
                format!("没有图层集合“{id}”；现有：{}", known.join("、")),
            ),
        )
    })
}

/// The relation of a link to a collection's queryables (Part 3).
const QUERYABLES_REL: &str = "http://www.opengis.net/def/rel/ogc/1.0/queryables";

/// A collection's description: its one geometry type, the systems offered
/// (Part 2), the box of its stored geometry, and its links.
async fn describe(state: &AppState, collection: Collection) -> Result<Value, Problem> {
    let base = base(state);
    let id = collection.as_ref();
    let extent = extent(state, collection).await?;
    Ok(json!({
        "id": id,
        "title": collection.title(),
        "description": collection.description(),
        "itemType": "feature",
        "geometryType": collection.geometry_type().as_ref(),
        "crs": Crs::uris(),
        "storageCrs": Crs::Crs84.uri(),
        "extent": {"spatial": {"bbox": [extent], "crs": Crs::Crs84.uri()}},
        "links": [
            link(format!("{base}/collections/{id}"), "self", JSON, collection.title()),
            link(format!("{base}/collections/{id}/items"), "items", GEOJSON, "The features"),
            link(format!("{base}/collections/{id}/queryables"), QUERYABLES_REL, SCHEMA_JSON, "The properties items can be filtered by"),
        ]
    }))
}

/// The box around a collection's geometry; the city's box if it has none yet.
async fn extent(state: &AppState, collection: Collection) -> Result<[f64; 4], Problem> {
    let extent = match collection {
        Collection::Carriers => store::spatial::footprint_extent(&state.db).await?,
        Collection::CarrierLocations => store::spatial::location_only_extent(&state.db).await?,
        Collection::Districts => store::spatial::district_extent(&state.db).await?,
        Collection::Platforms => store::spatial::platform_extent(&state.db).await?,
    };
    // Wuxi, roughly.
    Ok(extent.map_or([119.5, 31.1, 120.7, 32.1], |b| {
        [b.min_lon, b.min_lat, b.max_lon, b.max_lat]
    }))
}

async fn collections(State(state): State<AppState>) -> Answer {
    let base = base(&state);
    let mut list = Vec::new();
    for collection in Collection::iter() {
        list.push(describe(&state, collection).await?);
    }
    Ok(respond(
        JSON,
        &json!({
            "links": [link(format!("{base}/collections"), "self", JSON, "The collections")],
            "crs": Crs::uris(),
            "collections": list,
        }),
    ))
}

async fn collection(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let collection = find_collection(&id)?;
    Ok(respond(JSON, &describe(&state, collection).await?))
}
