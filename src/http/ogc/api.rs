//! `/ogc/api`: the API as an OpenAPI 3.0 document, one set of paths per
//! collection, so each states its own filters and its one geometry type
//! (as the collection's metadata and `/queryables` do). Checked by a real
//! validator in `tests/ogc.rs`.

use axum::extract::State;
use serde_json::{Map, Value, json};
use strum::IntoEnumIterator;

use super::items::COMMON_PARAMETERS;
use super::{Answer, AppState, DEFAULT_LIMIT, GEOJSON, JSON, MAX_LIMIT, OPENAPI, SCHEMA_JSON};
use super::{base, respond};
use crate::domain::crs::Crs;
use crate::features::{Collection, GeometryType};

/// JSON types of each collection's feature properties: name, type, whether it may be null.
fn feature_properties(collection: Collection) -> &'static [(&'static str, &'static str, bool)] {
    match collection {
        Collection::Carriers | Collection::CarrierLocations => &[
            ("globalId", "string", false),
            ("name", "string", false),
            ("kind", "string", false),
            ("status", "string", false),
            ("level", "string", false),
            ("district", "string", true),
            ("adminCode", "string", true),
            ("districtZh", "string", true),
            ("address", "string", false),
            ("landmark", "boolean", false),
            ("longitude", "number", true),
            ("latitude", "number", true),
            ("floorArea", "number", false),
            ("siteArea", "number", true),
            ("updatedOn", "string", false),
        ],
        Collection::Districts => &[
            ("globalId", "string", false),
            ("code", "string", false),
            ("adminCode", "string", true),
            ("nameZh", "string", false),
            ("nameEn", "string", false),
            ("kind", "string", false),
            ("areaKm2", "number", true),
        ],
        Collection::Platforms => &[
            ("globalId", "string", false),
            ("name", "string", false),
            ("kind", "string", false),
            ("level", "string", false),
            ("openedOn", "string", false),
            ("closedOn", "string", true),
            ("services", "string", false),
            ("carrierId", "string", false),
            ("carrier", "string", true),
            ("district", "string", true),
            ("adminCode", "string", true),
            ("served", "integer", true),
            ("updatedOn", "string", false),
        ],
    }
}

/// The schema name of a collection's feature, e.g. `carrierLocationsFeature`.
fn feature_schema_name(collection: Collection) -> String {
    let id = collection.as_ref();
    let mut name = String::new();
    let mut upper = false;
    for c in id.chars() {
        match c {
            '-' => upper = true,
            c if upper => {
                name.extend(c.to_uppercase());
                upper = false;
            }
            c => name.push(c),
        }
    }
    format!("{name}Feature")
}

fn reference(kind: &str, name: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{name}") })
}

/// The component schemas: geometries, features per collection, links, exceptions.
fn schemas() -> Map<String, Value> {
    let mut schemas = Map::new();
    let number = json!({ "type": "number" });
    let position = json!({ "type": "array", "minItems": 2, "maxItems": 3, "items": number });
    let ring = json!({ "type": "array", "minItems": 4, "items": position });
    let polygon = json!({ "type": "array", "items": ring });
    schemas.insert(
        "Point".into(),
        json!({
            "type": "object", "required": ["type", "coordinates"],
            "properties": { "type": { "type": "string", "enum": ["Point"] }, "coordinates": position },
        }),
    );
    schemas.insert(
        "MultiPolygon".into(),
        json!({
            "type": "object", "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": ["MultiPolygon"] },
                "coordinates": { "type": "array", "items": polygon },
            },
        }),
    );
    schemas.insert(
        "link".into(),
        json!({
            "type": "object", "required": ["href", "rel"],
            "properties": {
                "href": { "type": "string" }, "rel": { "type": "string" },
                "type": { "type": "string" }, "title": { "type": "string" },
            },
        }),
    );
    schemas.insert(
        "exception".into(),
        json!({
            "type": "object", "required": ["code", "description"],
            "properties": {
                "code": { "type": "string" },
                "description": { "type": "string", "description": "In the language Accept-Language prefers (Chinese by default)" },
                "descriptionEn": { "type": "string" },
                "descriptionZh": { "type": "string" },
            },
        }),
    );
    for collection in Collection::iter() {
        let mut properties = Map::new();
        for (name, kind, nullable) in feature_properties(collection) {
            let property = json!({ "type": kind, "nullable": nullable });
            properties.insert((*name).to_owned(), property);
        }
        let geometry = collection.geometry_type();
        schemas.insert(
            feature_schema_name(collection),
            json!({
                "type": "object", "required": ["type", "id", "geometry", "properties"],
                "properties": {
                    "type": { "type": "string", "enum": ["Feature"] },
                    "id": { "type": "string", "description": "The GraphQL global id, as node(id:) takes it" },
                    "geometry": { "type": "object", "nullable": true, "allOf": [reference("schemas", geometry.as_ref())] },
                    "properties": { "type": "object", "properties": properties },
                    "links": { "type": "array", "items": reference("schemas", "link") },
                },
            }),
        );
    }
    schemas
}

/// The query parameters: those every collection takes, then each queryable.
fn parameters() -> Map<String, Value> {
    let uris = Crs::uris();
    let query = |name: &str, description: &str, schema: Value| {
        json!({ "name": name, "in": "query", "required": false, "description": description,
                "style": "form", "explode": false, "schema": schema })
    };
    let mut parameters = Map::new();
    parameters.insert("limit".into(), query("limit", &format!("Items per page (default {DEFAULT_LIMIT}; more than {MAX_LIMIT} is cut to {MAX_LIMIT})"),
        json!({ "type": "integer", "minimum": 1, "default": DEFAULT_LIMIT })));
    parameters.insert("bbox".into(), query("bbox", "Only features meeting this box: two corners (4 numbers) or with heights (6, heights ignored), in bbox-crs's axis order (CRS84: minLon,minLat,maxLon,maxLat)",
        json!({ "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } })));
    parameters.insert(
        "bbox-crs".into(),
        query(
            "bbox-crs",
            "The system of bbox (default CRS84)",
            json!({ "type": "string", "format": "uri", "enum": uris, "default": Crs::Crs84.uri() }),
        ),
    );
    parameters.insert(
        "crs".into(),
        query(
            "crs",
            "The system of the coordinates sent (default CRS84); Content-Crs says which",
            json!({ "type": "string", "format": "uri", "enum": uris, "default": Crs::Crs84.uri() }),
        ),
    );
    parameters.insert("datetime".into(), query("datetime", "An instant (2025-01-01, 2025-01-01T08:00:00Z) or interval (2024-01-01/2024-12-31, ../2025-01-01, 2024-01-01/..), by China's calendar days: carriers operating, platforms open, on one of its days; districts are not narrowed",
        json!({ "type": "string" })));
    parameters.insert(
        "cursor".into(),
        query(
            "cursor",
            "Opaque position from a next link",
            json!({ "type": "string" }),
        ),
    );
    parameters.insert(
        "f".into(),
        query(
            "f",
            "The format: GeoJSON (json) only",
            json!({ "type": "string", "enum": ["json"] }),
        ),
    );
    for collection in Collection::iter() {
        for queryable in collection.queryables() {
            let mut schema = json!({ "type": "array", "items": { "type": "string" } });
            if let Some(values) = queryable.values(collection) {
                schema["items"]["enum"] = json!(values);
            }
            parameters.insert(
                format!("{}.{}", collection.as_ref(), queryable.as_ref()),
                query(
                    queryable.as_ref(),
                    &format!(
                        "{} (comma-separated: any of them)",
                        queryable.description(collection)
                    ),
                    schema,
                ),
            );
        }
    }
    parameters.insert(
        "featureId".into(),
        json!({ "name": "featureId", "in": "path", "required": true,
                "description": "The feature's GraphQL global id (its database number is accepted too)",
                "schema": { "type": "string" } }),
    );
    parameters
}

/// A GET operation answering `media` with `schema`, or an exception.
fn operation(id: &str, summary: &str, parameters: Vec<Value>, media: &str, schema: Value) -> Value {
    let exception = json!({ "description": "An exception (bilingual)",
                            "content": { JSON: { "schema": reference("schemas", "exception") } } });
    json!({ "get": {
        "operationId": id,
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": { "description": summary, "content": { media: { "schema": schema } } },
            "400": exception.clone(),
            "401": exception.clone(),
            "404": exception,
        },
    }})
}

/// The OpenAPI 3.0 document of the API under `base`.
pub(super) fn document(base: &str) -> Value {
    let object = json!({ "type": "object" });
    let mut paths = Map::new();
    paths.insert(
        "/".into(),
        operation(
            "getLandingPage",
            "Landing page",
            vec![],
            JSON,
            object.clone(),
        ),
    );
    paths.insert(
        "/api".into(),
        operation(
            "getApi",
            "This API definition",
            vec![],
            OPENAPI,
            object.clone(),
        ),
    );
    paths.insert(
        "/conformance".into(),
        operation(
            "getConformance",
            "Conformance classes",
            vec![],
            JSON,
            object.clone(),
        ),
    );
    paths.insert(
        "/collections".into(),
        operation(
            "getCollections",
            "The collections",
            vec![],
            JSON,
            object.clone(),
        ),
    );
    for collection in Collection::iter() {
        let id = collection.as_ref();
        let name = feature_schema_name(collection);
        let operation_name = name.trim_end_matches("Feature").to_owned();
        let mut item_parameters: Vec<Value> = COMMON_PARAMETERS
            .iter()
            .map(|p| reference("parameters", p))
            .collect();
        item_parameters.extend(
            collection
                .queryables()
                .iter()
                .map(|q| reference("parameters", &format!("{id}.{}", q.as_ref()))),
        );
        let geometry = match collection.geometry_type() {
            GeometryType::Point => "Points",
            GeometryType::MultiPolygon => "MultiPolygons",
        };
        paths.insert(
            format!("/collections/{id}"),
            operation(
                &format!("describe_{operation_name}"),
                collection.title(),
                vec![],
                JSON,
                object.clone(),
            ),
        );
        paths.insert(
            format!("/collections/{id}/queryables"),
            operation(
                &format!("queryables_{operation_name}"),
                "The properties items can be filtered by (JSON Schema)",
                vec![],
                SCHEMA_JSON,
                object.clone(),
            ),
        );
        paths.insert(
            format!("/collections/{id}/items"),
            operation(
                &format!("items_{operation_name}"),
                &format!(
                    "{}: {geometry}, a page at a time (follow the next link)",
                    collection.title()
                ),
                item_parameters,
                GEOJSON,
                json!({
                    "type": "object", "required": ["type", "features"],
                    "properties": {
                        "type": { "type": "string", "enum": ["FeatureCollection"] },
                        "features": { "type": "array", "items": reference("schemas", &name) },
                        "numberMatched": { "type": "integer" },
                        "numberReturned": { "type": "integer" },
                        "timeStamp": { "type": "string", "format": "date-time" },
                        "links": { "type": "array", "items": reference("schemas", "link") },
                    },
                }),
            ),
        );
        paths.insert(
            format!("/collections/{id}/items/{{featureId}}"),
            operation(
                &format!("item_{operation_name}"),
                &format!("One feature of {id}"),
                vec![
                    reference("parameters", "featureId"),
                    reference("parameters", "crs"),
                    reference("parameters", "f"),
                ],
                GEOJSON,
                reference("schemas", &name),
            ),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "zaiti OGC API - Features",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Science and technology incubation carriers of Wuxi as OGC API - Features (Parts 1, 2 and 3's queryables). Every request needs a bearer token, as /graphql does.",
            "license": { "name": "MIT", "url": "https://opensource.org/license/mit" },
        },
        "servers": [{ "url": base }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "parameters": parameters(),
            "schemas": schemas(),
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
    })
}

pub(super) async fn api(State(state): State<AppState>) -> Answer {
    Ok(respond(OPENAPI, &document(&base(&state))))
}
