//! `/collections/{collectionId}/queryables` (OGC API – Features Part 3): a
//! JSON Schema of the properties a collection's items can be filtered by,
//! each a query parameter of `/items` taking one value or several,
//! comma-separated, and of its one geometry (filtered with `bbox`).

use axum::extract::{Path, State};
use serde_json::{Map, Value, json};

use super::{Answer, AppState, SCHEMA_JSON, base, find_collection, respond};
use crate::features::{Collection, GeometryType};

/// The JSON Schema of `collection`'s queryables.
pub(super) fn schema(base: &str, collection: Collection) -> Value {
    let mut properties = Map::new();
    let geometry = match collection.geometry_type() {
        GeometryType::Point => "geometry-point",
        GeometryType::MultiPolygon => "geometry-multipolygon",
    };
    properties.insert(
        "geometry".into(),
        json!({
            "title": "geometry",
            "description": format!("The feature's {} (filter with bbox and bbox-crs)", collection.geometry_type().as_ref()),
            "format": geometry,
            "x-ogc-role": "primary-geometry",
        }),
    );
    for queryable in collection.queryables() {
        let mut property = json!({
            "title": queryable.as_ref(),
            "description": queryable.description(collection),
            "type": "string",
        });
        if let Some(values) = queryable.values(collection) {
            property["enum"] = json!(values);
        }
        properties.insert(queryable.as_ref().to_owned(), property);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{}/queryables", collection.as_ref()),
        "type": "object",
        "title": collection.title(),
        "description": "The properties this collection's items can be filtered by, as query parameters of /items (several values comma-separated match any of them; several parameters must all match).",
        "properties": properties,
        "additionalProperties": false,
    })
}

pub(super) async fn queryables(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let collection = find_collection(&id)?;
    Ok(respond(SCHEMA_JSON, &schema(&base(&state), collection)))
}
