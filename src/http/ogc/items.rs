//! A collection's items, a page at a time, and single items: the query
//! parameters (Part 1's `limit`, `bbox`, `datetime`; Part 2's `crs` and
//! `bbox-crs`; Part 3's property filters) read and checked, the features in
//! the system asked for with `Content-Crs` saying which.

use std::collections::HashMap;

use async_graphql::ID;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use entity::{carrier, platform};
use serde_json::json;

use super::{
    Answer, AppState, DEFAULT_LIMIT, GEOJSON, JSON, MAX_LIMIT, Problem, base, find_collection,
    invalid_parameter, link, respond,
};
use crate::domain::Message;
use crate::domain::crs::Crs;
use crate::domain::geometry::SpatialPredicate;
use crate::domain::temporal::{DateSpan, parse_datetime};
use crate::features::{
    self, CarrierQuery, Collection, DistrictQuery, FeaturePage, PageRequest, PlatformQuery,
};
use crate::graphql::node;
use crate::store;
use crate::store::carrier::CarrierRestriction;

/// The query parameters every collection's items take, beside its queryables.
pub(super) const COMMON_PARAMETERS: [&str; 7] = [
    "limit", "bbox", "bbox-crs", "crs", "datetime", "cursor", "f",
];

/// The query parameters of a request, by name.
type Params = HashMap<String, String>;

/// Refuses a parameter neither common nor a queryable of `collection`, as the standard wants.
fn check_known(collection: Collection, params: &Params) -> Result<(), Problem> {
    let known: Vec<&str> = COMMON_PARAMETERS
        .into_iter()
        .chain(collection.queryables().iter().map(|q| q.as_ref()))
        .collect();
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(unknown) => Err(invalid_parameter(
            format!(
                "unknown query parameter '{unknown}'; {} takes {}",
                collection.as_ref(),
                known.join(", ")
            ),
            format!(
                "无法识别的查询参数“{unknown}”；{} 可用参数：{}",
                collection.as_ref(),
                known.join("、")
            ),
        )),
    }
}

/// The system `name` (`crs` or `bbox-crs`) asks for; CRS84 when absent.
fn crs(params: &Params, name: &str) -> Result<Crs, Problem> {
    params.get(name).map_or(Ok(Crs::Crs84), |text| {
        Crs::parse(name, text).map_err(Problem::from)
    })
}

fn limit(params: &Params) -> Result<u64, Problem> {
    let Some(text) = params.get("limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    text.parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .map(|n| n.min(MAX_LIMIT))
        .ok_or_else(|| {
            invalid_parameter(
                format!("limit: '{text}' is not a whole number from 1"),
                format!("limit：“{text}”不是大于等于 1 的整数"),
            )
        })
}

/// The area `bbox` covers, in WGS84, read in the system `bbox-crs` names.
fn area(params: &Params) -> Result<Option<geo::Geometry>, Problem> {
    let Some(text) = params.get("bbox") else {
        return Ok(None);
    };
    let numbers: Result<Vec<f64>, _> = text.split(',').map(|v| v.trim().parse()).collect();
    let numbers = numbers.map_err(|_| {
        invalid_parameter(
            format!("bbox: '{text}' is not four (or six, with heights) comma-separated numbers"),
            format!("bbox：“{text}”不是以逗号分隔的 4 个（含高程为 6 个）数"),
        )
    })?;
    Ok(Some(crs(params, "bbox-crs")?.bbox_area("bbox", &numbers)?))
}

fn datetime(params: &Params) -> Result<Option<DateSpan>, Problem> {
    params
        .get("datetime")
        .map(|text| parse_datetime("datetime", text).map_err(Problem::from))
        .transpose()
}

/// Comma-separated values of a stored enumeration.
fn values<T: std::str::FromStr>(name: &str, params: &Params) -> Result<Vec<T>, Problem> {
    list(name, params)
        .into_iter()
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

/// Comma-separated words of parameter `name`, none when it is absent.
fn list(name: &str, params: &Params) -> Vec<String> {
    params.get(name).map_or_else(Vec::new, |text| {
        text.split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn carrier_query(params: &Params, span: Option<DateSpan>) -> Result<CarrierQuery, Problem> {
    Ok(CarrierQuery {
        kinds: values("kind", params)?,
        statuses: values("status", params)?,
        levels: values("level", params)?,
        district_codes: list("district", params),
        admin_codes: list("adminCode", params),
        operating: span,
    })
}

/// `Content-Crs` (Part 2): the system of the coordinates sent.
fn with_content_crs(mut response: Response, crs: Crs) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        response.headers_mut().insert("content-crs", value);
    }
    response
}

pub(super) async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Answer {
    let collection = find_collection(&id)?;
    check_known(collection, &params)?;
    let crs = crs(&params, "crs")?;
    let request = PageRequest {
        collection,
        area: area(&params)?,
        limit: limit(&params)?,
        after: params.get("cursor").cloned(),
        crs,
    };
    let span = datetime(&params)?;
    let db = &state.db;
    let page = match collection {
        Collection::Carriers | Collection::CarrierLocations => {
            let filter = carrier_query(&params, span)?.filter(db, collection).await?;
            features::items::<carrier::Model>(db, filter, request).await?
        }
        Collection::Platforms => {
            let query = PlatformQuery {
                kinds: values("kind", &params)?,
                levels: values("level", &params)?,
                district_codes: list("district", &params),
                admin_codes: list("adminCode", &params),
                open: span,
            };
            let filter = query.filter(db).await?;
            features::items::<platform::Model>(db, filter, request).await?
        }
        // Eight of them, today's: `datetime` does not narrow them.
        Collection::Districts => {
            let query = DistrictQuery {
                kinds: values("kind", &params)?,
                codes: list("code", &params),
                admin_codes: list("adminCode", &params),
            };
            let mut rows = query.rows(db).await?;
            if let Some(area) = request.area {
                let boundaries = store::spatial::boundaries(db).await?;
                let predicate = SpatialPredicate::Intersects(area);
                rows.retain(|d| boundaries.get(&d.id).is_some_and(|g| predicate.matches(g)));
            }
            let matched = rows.len() as u64;
            rows.truncate(usize::try_from(request.limit).unwrap_or(usize::MAX));
            FeaturePage {
                features: features::district_features(db, &rows, crs).await?,
                matched,
                next: None,
            }
        }
    };
    let base = base(&state);
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
    let body = json!({
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": page.features.len(),
        "timeStamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "features": page.features,
        "links": links,
    });
    Ok(with_content_crs(respond(GEOJSON, &body), crs))
}

/// The items URL with the request's parameters, at `cursor` if given.
fn items_url(base: &str, collection: Collection, params: &Params, cursor: Option<&str>) -> String {
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

/// The database id a feature id names in `collection`: the GraphQL global
/// id of the collection's type, or (for links made before ids were global)
/// the plain number.
fn feature_number(collection: Collection, text: &str) -> Option<i32> {
    if let Ok(number) = text.parse() {
        return Some(number);
    }
    match node::decode("featureId", &ID(text.to_owned())) {
        Ok((kind, number)) if kind == collection.node_type() => Some(number),
        _ => None,
    }
}

pub(super) async fn item(
    State(state): State<AppState>,
    Path((id, feature)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Answer {
    let collection = find_collection(&id)?;
    let known = ["crs", "f"];
    if let Some(unknown) = params.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(invalid_parameter(
            format!("unknown query parameter '{unknown}'; a feature takes crs and f"),
            format!("无法识别的查询参数“{unknown}”；单个要素可用参数：crs、f"),
        ));
    }
    let crs = crs(&params, "crs")?;
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
    let number = feature_number(collection, &feature).ok_or_else(not_found)?;
    let db = &state.db;
    let mut found = match collection {
        Collection::Carriers | Collection::CarrierLocations => {
            // In this collection only if its geometry is of the collection's kind.
            let mut filter = CarrierQuery::default().filter(db, collection).await?;
            filter.restrict_to([number]);
            let request = PageRequest {
                collection,
                area: None,
                limit: 1,
                after: None,
                crs,
            };
            features::items::<carrier::Model>(db, filter, request)
                .await?
                .features
        }
        Collection::Districts => {
            let rows: Vec<_> = store::district::all(db)
                .await?
                .into_iter()
                .filter(|d| d.id == number)
                .collect();
            features::district_features(db, &rows, crs).await?
        }
        Collection::Platforms => {
            let row = store::rows_where_in::<platform::Entity>(db, platform::Column::Id, [number])
                .await
                .map_err(crate::error::AppError::from)?
                .into_iter()
                .find(|row| row.voided_at.is_none())
                .ok_or_else(not_found)?;
            features::platform_features(db, &[row], crs).await?
        }
    };
    let mut feature_value = found.pop().ok_or_else(not_found)?;
    let base = base(&state);
    let global = feature_value["id"].as_str().unwrap_or_default().to_owned();
    if let Some(object) = feature_value.as_object_mut() {
        object.insert(
            "links".into(),
            json!([
                link(
                    format!("{base}/collections/{id}/items/{global}"),
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
    Ok(with_content_crs(respond(GEOJSON, &feature_value), crs))
}
