//! OGC API – Features, Part 1: Core, with GeoJSON, at `/ogc`: the landing
//! page, conformance, the collections (carriers, districts, platforms), their
//! items with `bbox`, `limit` and `next` links, single items, and attribute
//! filters for kind, level, status (carriers) and district. Same tokens and
//! roles as `/graphql`: every role may read, nothing here writes. QGIS and
//! GDAL (`OAPIF:`) read it with no glue code. An exception's `description`
//! is in the language `Accept-Language` prefers (Chinese by default);
//! `descriptionEn` and `descriptionZh` carry both.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use entity::{carrier, district, platform};
use sea_orm::{EntityTrait, PrimaryKeyTrait};
use serde_json::{Value, json};
use strum::IntoEnumIterator;

use super::{AppState, auth};
use crate::domain::geometry::{BBox, SpatialPredicate};
use crate::domain::{Language, Message};
use crate::error::AppError;
use crate::features::{self, CarrierQuery, Collection, FeaturePage, PlatformQuery};
use crate::store;

/// Items per page when the client names no `limit`.
pub const DEFAULT_LIMIT: u64 = 100;
/// Largest `limit` honoured; larger ones are cut to it, as the standard allows.
pub const MAX_LIMIT: u64 = 1000;

const GEOJSON: &str = "application/geo+json";
const JSON: &str = "application/json";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The `/ogc` routes, each behind the same token check and rate limit as `/graphql`.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/ogc", get(landing))
        .route("/ogc/", get(landing))
        .route("/ogc/api", get(api))
        .route("/ogc/conformance", get(conformance))
        .route("/ogc/collections", get(collections))
        .route("/ogc/collections/{collection}", get(collection))
        .route("/ogc/collections/{collection}/items", get(items))
        .route("/ogc/collections/{collection}/items/{feature}", get(item))
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

/// The absolute base of the API, from the request's Host (and X-Forwarded-Proto).
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    format!("{scheme}://{host}/ogc")
}

fn respond(media: &'static str, body: &Value) -> Response {
    ([(header::CONTENT_TYPE, media)], body.to_string()).into_response()
}

fn link(href: String, rel: &str, media: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": media, "title": title })
}

async fn landing(headers: HeaderMap) -> Answer {
    let base = base(&headers);
    Ok(respond(
        JSON,
        &json!({
            "title": "zaiti: science and technology incubation carriers",
            "description": "OGC API - Features over the carrier portfolio: carriers (footprints or locations), district boundaries and public technology service platforms (at their host carrier), GeoJSON in WGS84 (CRS84).",
            "links": [
                link(base.clone(), "self", JSON, "This document"),
                link(format!("{base}/api"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition"),
                link(format!("{base}/conformance"), "conformance", JSON, "Conformance classes"),
                link(format!("{base}/collections"), "data", JSON, "The feature collections"),
            ]
        }),
    ))
}

async fn conformance() -> Answer {
    Ok(respond(
        JSON,
        &json!({
            "conformsTo": [
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
            ]
        }),
    ))
}

/// A small OpenAPI 3.0 description of the paths, for clients that want one.
async fn api(headers: HeaderMap) -> Answer {
    let parameter = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}});
    let ok = |description: &str| json!({"200": {"description": description}});
    Ok(respond(
        "application/vnd.oai.openapi+json;version=3.0",
        &json!({
            "openapi": "3.0.3",
            "info": {"title": "zaiti OGC API - Features", "version": "1.0.0"},
            "servers": [{"url": base(&headers)}],
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "paths": {
                "/": {"get": {"summary": "Landing page", "responses": ok("Links to the API")}},
                "/conformance": {"get": {"summary": "Conformance classes", "responses": ok("The classes")}},
                "/collections": {"get": {"summary": "Collections", "responses": ok("carriers, districts and platforms")}},
                "/collections/{collectionId}": {"get": {"summary": "One collection", "responses": ok("The collection")}},
                "/collections/{collectionId}/items": {"get": {
                    "summary": "Features, a page at a time (follow the `next` link)",
                    "parameters": [
                        parameter("limit", "Items per page (default 100, at most 1000)"),
                        parameter("bbox", "minLon,minLat,maxLon,maxLat (CRS84)"),
                        parameter("cursor", "Opaque position from a `next` link"),
                        parameter("kind", "Carriers: MAKERSPACE, INCUBATOR, ACCELERATOR, SCIENCE_COMPLEX; platforms: PROOF_OF_CONCEPT, RD_DESIGN, ENGINEERING_TEST, TESTING_INSPECTION, TECH_TRANSFER, PILOT_PLANT, OTHER (comma-separated)"),
                        parameter("level", "Carriers and platforms: NONE, DISTRICT, CITY, PROVINCIAL, NATIONAL (comma-separated)"),
                        parameter("status", "Carriers: PLANNED, UNDER_CONSTRUCTION, OPERATING, SUSPENDED, CLOSED (comma-separated)"),
                        parameter("district", "Carriers, and platforms by their host carrier: district codes, e.g. xinwu (comma-separated)"),
                    ],
                    "responses": ok("A GeoJSON FeatureCollection")
                }},
                "/collections/{collectionId}/items/{featureId}": {"get": {"summary": "One feature", "responses": ok("A GeoJSON Feature")}},
            }
        }),
    ))
}

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

/// A collection's description, with the box of its stored geometry.
async fn describe(state: &AppState, base: &str, collection: Collection) -> Result<Value, Problem> {
    let id = collection.as_ref();
    let extent = extent(state, collection).await?;
    Ok(json!({
        "id": id,
        "title": collection.title(),
        "description": collection.description(),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [extent], "crs": CRS84}},
        "links": [
            link(format!("{base}/collections/{id}"), "self", JSON, collection.title()),
            link(format!("{base}/collections/{id}/items"), "items", GEOJSON, "The features"),
        ]
    }))
}

/// The box around a collection's geometry; the city's box if it has none yet.
async fn extent(state: &AppState, collection: Collection) -> Result<[f64; 4], Problem> {
    let extent = match collection {
        Collection::Carriers => store::spatial::carrier_extent(&state.db).await?,
        Collection::Districts => store::spatial::district_extent(&state.db).await?,
        Collection::Platforms => store::spatial::platform_extent(&state.db).await?,
    };
    // Wuxi, roughly.
    Ok(extent.map_or([119.5, 31.1, 120.7, 32.1], |b| {
        [b.min_lon, b.min_lat, b.max_lon, b.max_lat]
    }))
}

async fn collections(State(state): State<AppState>, headers: HeaderMap) -> Answer {
    let base = base(&headers);
    let mut list = Vec::new();
    for collection in Collection::iter() {
        list.push(describe(&state, &base, collection).await?);
    }
    Ok(respond(
        JSON,
        &json!({
            "links": [link(format!("{base}/collections"), "self", JSON, "The collections")],
            "collections": list,
        }),
    ))
}

async fn collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let collection = find_collection(&id)?;
    Ok(respond(
        JSON,
        &describe(&state, &base(&headers), collection).await?,
    ))
}

/// Comma-separated values of a stored enumeration.
fn values<T: std::str::FromStr>(name: &str, text: Option<&String>) -> Result<Vec<T>, Problem> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse().map_err(|_| {
                invalid_parameter(
                    format!("{name}: '{v}' is not a known value"),
                    format!("{name}：“{v}”不是可识别的取值"),
                )
            })
        })
        .collect()
}

/// The query parameters `items` knows; any other is refused, as the standard wants.
const ITEM_PARAMETERS: [&str; 10] = [
    "limit", "bbox", "bbox-crs", "cursor", "kind", "level", "status", "district", "f", "crs",
];

async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Answer {
    let collection = find_collection(&id)?;
    if let Some(unknown) = params
        .keys()
        .find(|k| !ITEM_PARAMETERS.contains(&k.as_str()))
    {
        return Err(invalid_parameter(
            format!(
                "unknown query parameter '{unknown}'; known: {}",
                ITEM_PARAMETERS.join(", ")
            ),
            format!(
                "无法识别的查询参数“{unknown}”；可用参数：{}",
                ITEM_PARAMETERS.join("、")
            ),
        ));
    }
    for crs in ["bbox-crs", "crs"] {
        if let Some(value) = params.get(crs).filter(|v| v.as_str() != CRS84) {
            return Err(invalid_parameter(
                format!("{crs}: only {CRS84} is offered, not {value}"),
                format!("{crs}：只提供 {CRS84} 坐标参考系，不提供 {value}"),
            ));
        }
    }
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                invalid_parameter(
                    format!("limit: '{text}' is not a whole number from 1"),
                    format!("limit：“{text}”不是大于等于 1 的整数"),
                )
            })?
            .min(MAX_LIMIT),
    };
    let bbox = params
        .get("bbox")
        .map(|text| {
            let numbers: Result<Vec<f64>, _> = text.split(',').map(|v| v.trim().parse()).collect();
            let numbers = numbers.map_err(|_| {
                invalid_parameter(
                    format!("bbox: '{text}' is not four comma-separated numbers"),
                    format!("bbox：“{text}”不是以逗号分隔的 4 个数"),
                )
            })?;
            BBox::new("bbox", &numbers).map_err(|err| Problem::from(AppError::from(err)))
        })
        .transpose()?;
    let base = base(&headers);
    let db = &state.db;
    let cursor = params.get("cursor").cloned();
    let page = match collection {
        Collection::Carriers => {
            let query = CarrierQuery {
                kinds: values("kind", params.get("kind"))?,
                statuses: values("status", params.get("status"))?,
                levels: values("level", params.get("level"))?,
                district_codes: values("district", params.get("district"))?,
            };
            let filter = query.filter(db).await?;
            features::items::<carrier::Model>(db, filter, bbox, limit, cursor).await?
        }
        Collection::Platforms => {
            if params.contains_key("status") {
                return Err(invalid_parameter(
                    "status: platforms have no status; filter them by kind, level and district"
                        .into(),
                    "status：公共技术服务平台没有运营状态，请按类型（kind）、级别（level）和行政区（district）筛选"
                        .into(),
                ));
            }
            let query = PlatformQuery {
                kinds: values("kind", params.get("kind"))?,
                levels: values("level", params.get("level"))?,
                district_codes: values("district", params.get("district"))?,
            };
            let filter = query.filter(db).await?;
            features::items::<platform::Model>(db, filter, bbox, limit, cursor).await?
        }
        Collection::Districts => {
            let mut rows = store::district::all(db).await?;
            if let Some(bbox) = bbox {
                let boundaries = store::spatial::boundaries(db).await?;
                let predicate = SpatialPredicate::Intersects(bbox.to_geometry());
                rows.retain(|d| boundaries.get(&d.id).is_some_and(|g| predicate.matches(g)));
            }
            let matched = rows.len() as u64;
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            FeaturePage {
                features: features::district_features(db, &rows).await?,
                matched,
                next: None,
            }
        }
    };
    let mut links = vec![link(
        items_url(&base, collection, &params, None),
        "self",
        GEOJSON,
        "This page",
    )];
    if let Some(cursor) = &page.next {
        links.push(link(
            items_url(&base, collection, &params, Some(cursor)),
            "next",
            GEOJSON,
            "The next page",
        ));
    }
    let body = feature_collection(page.features, page.matched, links);
    Ok(respond(GEOJSON, &body))
}

fn feature_collection(features: Vec<Value>, matched: u64, links: Vec<Value>) -> Value {
    json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": features.len(),
        "timeStamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "features": features,
        "links": links,
    })
}

/// The items URL with the request's parameters, at `cursor` if given.
fn items_url(
    base: &str,
    collection: Collection,
    params: &HashMap<String, String>,
    cursor: Option<&str>,
) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "cursor")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort();
    if let Some(cursor) = cursor {
        pairs.push(("cursor", cursor));
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let mut url = format!("{base}/collections/{}/items", collection.as_ref());
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

async fn item(
    State(state): State<AppState>,
    Path((id, feature)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let collection = find_collection(&id)?;
    let not_found = || {
        Problem(
            StatusCode::NOT_FOUND,
            "NotFound",
            Message::new(
                format!("no feature '{feature}' in {id}"),
                format!("图层集合 {id} 中没有要素“{feature}”"),
            ),
        )
    };
    let number: i32 = feature.parse().map_err(|_| not_found())?;
    let base = base(&headers);
    let db = &state.db;
    let mut found = match collection {
        Collection::Carriers => {
            let row = row::<carrier::Entity>(db, number)
                .await?
                .ok_or_else(not_found)?;
            features::carrier_features(db, &[row]).await?
        }
        Collection::Districts => {
            let row = row::<district::Entity>(db, number)
                .await?
                .ok_or_else(not_found)?;
            features::district_features(db, &[row]).await?
        }
        Collection::Platforms => {
            let row = row::<platform::Entity>(db, number)
                .await?
                .filter(|row| row.voided_at.is_none())
                .ok_or_else(not_found)?;
            features::platform_features(db, &[row]).await?
        }
    };
    let mut feature_value = found.pop().ok_or_else(not_found)?;
    if let Some(object) = feature_value.as_object_mut() {
        object.insert(
            "links".into(),
            json!([
                link(
                    format!("{base}/collections/{id}/items/{number}"),
                    "self",
                    GEOJSON,
                    "This feature"
                ),
                link(
                    format!("{base}/collections/{id}"),
                    "collection",
                    JSON,
                    collection.title()
                ),
            ]),
        );
    }
    Ok(respond(GEOJSON, &feature_value))
}

/// The row of `E` with this id, if there is one.
async fn row<E>(db: &sea_orm::DatabaseConnection, id: i32) -> Result<Option<E::Model>, Problem>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i32>,
{
    Ok(E::find_by_id(id).one(db).await.map_err(AppError::from)?)
}
