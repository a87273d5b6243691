//! Spatial data through the API: geometry writes and their rules, geodesic
//! areas, GCJ-02, and spatial filters checked against a reference computed
//! here, independently of the server's `geo`, on the same geometries. The CLI
//! import and export too. On SQLite and PostgreSQL.

mod common;

use std::collections::BTreeSet;

use common::{TestApp, error_code};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const SET_GEOMETRY: &str = r#"
mutation($input: SetCarrierGeometryInput!) {
  setCarrierGeometry(input: $input) { id version footprintArea location { longitude latitude } }
}"#;

const SET_BOUNDARY: &str = r#"
mutation($input: SetDistrictBoundaryInput!) {
  setDistrictBoundary(input: $input) { id code version boundaryArea }
}"#;

const CARRIER: &str = r#"
query($id: ID!, $cs: CoordinateSystem) {
  carrier(id: $id) {
    version footprintArea floorArea floorToFootprintRatio
    footprint(coordinateSystem: $cs) locationGeometry(coordinateSystem: $cs)
  }
}"#;

/// An axis-aligned rectangle in degrees: west, south, east, north.
type Rect = (f64, f64, f64, f64);

fn polygon(rings: &[Vec<(f64, f64)>]) -> Value {
    let rings: Vec<Vec<[f64; 2]>> = rings
        .iter()
        .map(|ring| ring.iter().map(|&(x, y)| [x, y]).collect())
        .collect();
    json!({ "type": "Polygon", "coordinates": rings })
}

fn rect_polygon((w, s, e, n): Rect) -> Value {
    polygon(&[vec![(w, s), (e, s), (e, n), (w, n), (w, s)]])
}

async fn carrier_version(app: &TestApp, id: &str) -> i64 {
    app.data(CARRIER, json!({ "id": id })).await["carrier"]["version"]
        .as_i64()
        .expect("a version")
}

async fn district_version(app: &TestApp, code: &str) -> i64 {
    let data = app.data("{ districts { code version } }", json!({})).await;
    data["districts"]
        .as_array()
        .expect("districts")
        .iter()
        .find(|d| d["code"] == code)
        .expect("the district")["version"]
        .as_i64()
        .expect("a version")
}

/// Sets a carrier's footprint as the admin; returns the response body.
async fn set_footprint(app: &TestApp, secret: &str, id: &str, footprint: Value) -> Value {
    let version = carrier_version(app, id).await;
    app.graphql_as(
        secret,
        SET_GEOMETRY,
        json!({ "input": { "id": id, "version": version, "footprint": footprint } }),
    )
    .await
}

/// The area of a small lon/lat rectangle on the WGS84 ellipsoid, by the
/// local radii of curvature (exact enough for a few hundred metres).
fn reference_area((w, s, e, n): Rect) -> f64 {
    let a = 6_378_137.0_f64;
    let e2 = 0.006_694_379_990_14_f64;
    let phi = ((s + n) / 2.0).to_radians();
    let k = 1.0 - e2 * phi.sin().powi(2);
    let meridional = a * (1.0 - e2) / k.powf(1.5);
    let normal = a / k.sqrt();
    let height = meridional * (n - s).to_radians();
    let width = normal * phi.cos() * (e - w).to_radians();
    height * width
}

async fn a_footprint_is_stored_with_its_geodesic_area_beside_the_floor_area(app: TestApp) {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let id = app.create_carrier(&operator, &xinwu, json!({})).await;
    app.add_phase(&id, 12_000.0, "2024-05-01", "NEW_BUILD")
        .await;
    let rect = (120.36, 31.49, 120.3615, 31.4912);
    let body = set_footprint(&app, &app.admin_token, &id, rect_polygon(rect)).await;
    assert!(body.get("errors").is_none(), "{body}");
    let area = body["data"]["setCarrierGeometry"]["footprintArea"]
        .as_f64()
        .expect("an area");
    let expected = reference_area(rect);
    assert!(
        (area - expected).abs() / expected < 0.001,
        "{area} vs {expected}"
    );
    let carrier = &app.data(CARRIER, json!({ "id": id })).await["carrier"];
    assert_eq!(carrier["version"], 2, "a geometry write bumps the version");
    let ratio = carrier["floorToFootprintRatio"].as_f64().expect("a ratio");
    assert!((ratio - 12_000.0 / area).abs() < 1e-6);
    assert_eq!(carrier["footprint"], rect_polygon(rect));

    // A stale version is refused and nothing changes.
    let stale = app
        .graphql(
            SET_GEOMETRY,
            json!({ "input": { "id": id, "version": 1, "footprint": null } }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT");
    // Clearing it.
    let cleared = app
        .data(
            SET_GEOMETRY,
            json!({ "input": { "id": id, "version": 2, "footprint": null } }),
        )
        .await;
    assert!(cleared["setCarrierGeometry"]["footprintArea"].is_null());
    assert_eq!(app.count_rows("carrier_footprint").await, 0);
    // The trail keeps both changes.
    let events = app
        .count_rows("audit_event WHERE entity_type = 'Carrier' AND operation = 'UPDATE'")
        .await;
    assert_eq!(events, 2);
}

async fn invalid_polygons_are_refused_with_a_message_naming_the_problem(app: TestApp) {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let id = app.create_carrier(&operator, &xinwu, json!({})).await;
    let cases = [
        (
            polygon(&[vec![
                (120.0, 31.0),
                (120.1, 31.1),
                (120.1, 31.0),
                (120.0, 31.1),
                (120.0, 31.0),
            ]]),
            "self-intersection",
        ),
        (
            polygon(&[vec![
                (120.0, 31.0),
                (120.1, 31.0),
                (120.1, 31.1),
                (120.0, 31.1),
            ]]),
            "not closed",
        ),
        (
            polygon(&[vec![
                (31.0, 120.0),
                (31.1, 120.0),
                (31.1, 120.1),
                (31.0, 120.0),
            ]]),
            "latitude must be between -90 and 90",
        ),
        (
            json!({ "type": "Point", "coordinates": [120.0, 31.0] }),
            "expected a Polygon or MultiPolygon, got a Point",
        ),
        (json!({ "type": "Polygon" }), "not a GeoJSON geometry"),
    ];
    for (footprint, expected) in cases {
        let body = set_footprint(&app, &app.admin_token, &id, footprint).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        let message = body["errors"][0]["message"].as_str().expect("a message");
        assert!(
            message.starts_with("footprint: ") && message.contains(expected),
            "'{message}' should name the field and say '{expected}'"
        );
    }
    assert_eq!(carrier_version(&app, &id).await, 1, "nothing was written");
}

async fn the_bureau_writes_any_geometry_and_an_operator_only_its_own(app: TestApp) {
    let own = app.create_operator("无锡产业发展集团", 1).await;
    let other = app.create_operator("无锡市太湖新城发展集团", 2).await;
    let xinwu = app.district_id("xinwu").await;
    let mine = app.create_carrier(&own, &xinwu, json!({})).await;
    let theirs = app.create_carrier(&other, &xinwu, json!({})).await;
    let bureau = app.token("自然资源规划局", Role::Bureau, None).await;
    let operator = app.token("集团", Role::Operator, Some(&own)).await;
    let viewer = app.token("看板", Role::Viewer, None).await;
    let footprint = rect_polygon((120.36, 31.49, 120.361, 31.491));

    for id in [&mine, &theirs] {
        let body = set_footprint(&app, &bureau, id, footprint.clone()).await;
        assert!(body.get("errors").is_none(), "bureau: {body}");
    }
    let body = set_footprint(&app, &operator, &mine, footprint.clone()).await;
    assert!(body.get("errors").is_none(), "own carrier: {body}");
    let body = set_footprint(&app, &operator, &theirs, footprint.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = set_footprint(&app, &viewer, &mine, footprint.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("a message")
            .contains("BUREAU")
    );
    // The bureau writes geometry, not the carrier's other fields.
    let body = app
        .graphql_as(
            &bureau,
            "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { id } }",
            json!({ "input": { "id": mine, "version": 3, "name": "改名" } }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");

    // District boundaries: ADMIN and BUREAU only.
    let district = app.district_id("binhu").await;
    let boundary = rect_polygon((120.2, 31.4, 120.3, 31.5));
    let input = |version: i64| json!({ "input": { "id": district, "version": version, "boundary": boundary } });
    let body = app.graphql_as(&operator, SET_BOUNDARY, input(1)).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app.graphql_as(&bureau, SET_BOUNDARY, input(1)).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["setDistrictBoundary"]["version"], 2);
    let body = app.graphql_as(&bureau, SET_BOUNDARY, input(1)).await;
    assert_eq!(error_code(&body), "CONFLICT");
}

async fn gcj02_output_and_input_match_the_reference_points(app: TestApp) {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    // Published pair (eviltransform, coordtransform): WGS84 (116.404, 39.915)
    // is GCJ-02 (116.41024449916938, 39.91640428150164).
    let id = app
        .create_carrier(
            &operator,
            &xinwu,
            json!({ "location": { "longitude": 116.404, "latitude": 39.915 } }),
        )
        .await;
    let carrier = &app.data(CARRIER, json!({ "id": id, "cs": "GCJ02" })).await["carrier"];
    let point = &carrier["locationGeometry"]["coordinates"];
    let off = metres(
        (
            point[0].as_f64().expect("lon"),
            point[1].as_f64().expect("lat"),
        ),
        (116.410_244_499_169_38, 39.916_404_281_501_64),
    );
    assert!(off < 1.0, "{off} m from the reference");
    // WGS84 stays the default.
    let carrier = &app.data(CARRIER, json!({ "id": id })).await["carrier"];
    assert_eq!(
        carrier["locationGeometry"],
        json!({ "type": "Point", "coordinates": [116.404, 39.915] })
    );

    // Given in GCJ-02, stored in WGS84.
    let body = app
        .graphql(
            SET_GEOMETRY,
            json!({ "input": { "id": id, "version": 1, "coordinateSystem": "GCJ02",
                               "location": { "type": "Point", "coordinates": [116.410_244_499_169_38, 39.916_404_281_501_64] } } }),
        )
        .await;
    let location = &body["data"]["setCarrierGeometry"]["location"];
    let off = metres(
        (
            location["longitude"].as_f64().expect("lon"),
            location["latitude"].as_f64().expect("lat"),
        ),
        (116.404, 39.915),
    );
    assert!(off < 1.0, "{body}");

    // Outside China no offset applies.
    let paris = app
        .create_carrier(
            &operator,
            &xinwu,
            json!({ "location": { "longitude": 2.2945, "latitude": 48.8584 } }),
        )
        .await;
    let carrier = &app
        .data(CARRIER, json!({ "id": paris, "cs": "GCJ02" }))
        .await["carrier"];
    assert_eq!(
        carrier["locationGeometry"]["coordinates"],
        json!([2.2945, 48.8584])
    );
}

/// Haversine distance in metres (a sphere of the WGS84 mean radius): the
/// test's own, independent of the server's geodesic.
fn metres((lon1, lat1): (f64, f64), (lon2, lat2): (f64, f64)) -> f64 {
    let r = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// A small deterministic generator for the test portfolio.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the test portfolio holds of each carrier.
#[derive(Debug, Clone)]
enum Shape {
    Footprint(Rect),
    Point(f64, f64),
    Nothing,
}

fn rect_meets((aw, as_, ae, an): Rect, (bw, bs, be, bn): Rect) -> bool {
    aw <= be && bw <= ae && as_ <= bn && bs <= an
}

fn rect_inside((aw, as_, ae, an): Rect, (bw, bs, be, bn): Rect) -> bool {
    bw <= aw && ae <= be && bs <= as_ && an <= bn
}

/// Whether two rectangles share interior points.
fn rect_overlaps_open((aw, as_, ae, an): Rect, (bw, bs, be, bn): Rect) -> bool {
    aw < be && bw < ae && as_ < bn && bs < an
}

/// The L-shaped test district: `OUTER` without its north-east `NOTCH`.
const OUTER: Rect = (120.30, 31.40, 120.40, 31.50);
const NOTCH: Rect = (120.35, 31.45, 120.40, 31.50);
/// A parcel, the L's mirror image across the box.
const PARCEL_A: Rect = (120.33, 31.42, 120.37, 31.44);
const PARCEL_B: Rect = (120.33, 31.44, 120.345, 31.48);

fn l_shape() -> Value {
    let (w, s, e, n) = OUTER;
    let (nw, ns, _, _) = NOTCH;
    polygon(&[vec![
        (w, s),
        (e, s),
        (e, ns),
        (nw, ns),
        (nw, n),
        (w, n),
        (w, s),
    ]])
}

fn parcel() -> Value {
    let (aw, as_, ae, an) = PARCEL_A;
    let (_, _, be, bn) = PARCEL_B;
    polygon(&[vec![
        (aw, as_),
        (ae, as_),
        (ae, an),
        (be, an),
        (be, bn),
        (aw, bn),
        (aw, as_),
    ]])
}

fn as_rect(shape: &Shape) -> Option<Rect> {
    match *shape {
        Shape::Footprint(rect) => Some(rect),
        Shape::Point(x, y) => Some((x, y, x, y)),
        Shape::Nothing => None,
    }
}

/// Reference decisions, by rectangle arithmetic alone.
fn within_l(shape: &Shape) -> bool {
    as_rect(shape).is_some_and(|r| rect_inside(r, OUTER) && !rect_overlaps_open(r, NOTCH))
}

fn meets_parcel(shape: &Shape) -> bool {
    as_rect(shape).is_some_and(|r| rect_meets(r, PARCEL_A) || rect_meets(r, PARCEL_B))
}

fn meets_box(shape: &Shape, bbox: Rect) -> bool {
    as_rect(shape).is_some_and(|r| rect_meets(r, bbox))
}

/// 48 carriers around the L: footprints (most), points, and one with
/// neither; kinds alternate. Returns (id, kind, shape) of each.
async fn portfolio(app: &TestApp) -> Vec<(String, &'static str, Shape)> {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let mut rng = Lcg(7);
    let mut carriers = Vec::new();
    for n in 0..48 {
        let kind = if n % 2 == 0 {
            "MAKERSPACE"
        } else {
            "INCUBATOR"
        };
        let lon = 120.28 + rng.unit() * 0.14;
        let lat = 31.38 + rng.unit() * 0.14;
        let shape = match n % 6 {
            0 => Shape::Point(lon, lat),
            5 if n == 47 => Shape::Nothing,
            _ => {
                let (dx, dy) = (0.0005 + rng.unit() * 0.004, 0.0005 + rng.unit() * 0.004);
                Shape::Footprint((lon, lat, lon + dx, lat + dy))
            }
        };
        let location = match shape {
            Shape::Point(x, y) => json!({ "longitude": x, "latitude": y }),
            _ => Value::Null,
        };
        let id = app
            .create_carrier(
                &operator,
                &xinwu,
                json!({ "name": format!("载体{n:02}"), "kind": kind, "location": location }),
            )
            .await;
        if let Shape::Footprint(rect) = shape {
            let body = set_footprint(app, &app.admin_token, &id, rect_polygon(rect)).await;
            assert!(body.get("errors").is_none(), "{body}");
        }
        carriers.push((id, kind, shape));
    }
    let version = district_version(app, "xinwu").await;
    let district = app.district_id("xinwu").await;
    app.data(
        SET_BOUNDARY,
        json!({ "input": { "id": district, "version": version, "boundary": l_shape() } }),
    )
    .await;
    carriers
}

/// A query for a page of the ids in the connection `field` (carriers,
/// platforms), filtered by a `filter_type`.
fn ids_query(field: &str, filter_type: &str) -> String {
    format!(
        "query($filter: {filter_type}, $first: Int, $after: String) {{
           {field}(filter: $filter, first: $first, after: $after) {{
             totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }}
           }}
         }}"
    )
}

/// Every carrier matching `filter`, paging 7 at a time; checks totalCount on the way.
async fn matching(app: &TestApp, filter: Value) -> BTreeSet<String> {
    listed(app, "carriers", "CarrierFilter", filter).await
}

/// Every platform matching `filter` (decided on its host carrier's geometry),
/// paging 7 at a time; checks totalCount on the way.
async fn matching_platforms(app: &TestApp, filter: Value) -> BTreeSet<String> {
    listed(app, "platforms", "PlatformFilter", filter).await
}

/// Every node of the connection `field` matching `filter`, paging 7 at a
/// time; checks totalCount on the way.
async fn listed(app: &TestApp, field: &str, filter_type: &str, filter: Value) -> BTreeSet<String> {
    let query = ids_query(field, filter_type);
    let mut found = BTreeSet::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let body = app
            .graphql(
                &query,
                json!({ "filter": filter, "first": 7, "after": after }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{filter}: {body}");
        let connection = &body["data"][field];
        total = total.or(connection["totalCount"].as_u64());
        for edge in connection["edges"].as_array().expect("edges") {
            found.insert(edge["node"]["id"].as_str().expect("an id").to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(total, Some(found.len() as u64), "{filter}: totalCount");
    found
}

fn expected(
    carriers: &[(String, &'static str, Shape)],
    keep: impl Fn(&'static str, &Shape) -> bool,
) -> BTreeSet<String> {
    carriers
        .iter()
        .filter(|(_, kind, shape)| keep(kind, shape))
        .map(|(id, _, _)| id.clone())
        .collect()
}

async fn spatial_filters_agree_with_an_independent_reference(app: TestApp) {
    let carriers = portfolio(&app).await;
    let l_ids = expected(&carriers, |_, s| within_l(s));
    assert!(
        l_ids.len() >= 5 && l_ids.len() < 40,
        "a test that decides something: {}",
        l_ids.len()
    );

    assert_eq!(
        matching(&app, json!({ "withinDistrict": "xinwu" })).await,
        l_ids
    );
    assert_eq!(matching(&app, json!({ "within": l_shape() })).await, l_ids);
    let parcel_ids = expected(&carriers, |_, s| meets_parcel(s));
    assert!(!parcel_ids.is_empty() && parcel_ids.len() < carriers.len());
    assert_eq!(
        matching(&app, json!({ "intersects": parcel() })).await,
        parcel_ids
    );
    let bbox: Rect = (120.31, 31.41, 120.36, 31.47);
    assert_eq!(
        matching(&app, json!({ "bbox": [bbox.0, bbox.1, bbox.2, bbox.3] })).await,
        expected(&carriers, |_, s| meets_box(s, bbox))
    );
    // Combined with each other and with attribute filters.
    assert_eq!(
        matching(
            &app,
            json!({ "withinDistrict": "xinwu", "intersects": parcel(), "kinds": ["INCUBATOR"] })
        )
        .await,
        expected(&carriers, |k, s| k == "INCUBATOR"
            && within_l(s)
            && meets_parcel(s))
    );
    assert_eq!(
        matching(
            &app,
            json!({ "withinDistrict": "xinwu", "nameContains": "载体1" })
        )
        .await,
        carriers
            .iter()
            .filter(|(_, _, s)| within_l(s))
            .filter(|(id, _, _)| {
                let n = carriers.iter().position(|(c, _, _)| c == id).unwrap_or(0);
                (10..20).contains(&n)
            })
            .map(|(id, _, _)| id.clone())
            .collect::<BTreeSet<_>>()
    );

    // near: the carriers' points (locations; footprints' centres) against a
    // haversine reference; a carrier within 1% of the radius may go either way.
    let centre = (120.35, 31.45);
    let radius = 3_000.0;
    let found = matching(
        &app,
        json!({ "near": { "longitude": centre.0, "latitude": centre.1, "radiusMeters": radius } }),
    )
    .await;
    for (id, _, shape) in &carriers {
        let point = match *shape {
            Shape::Point(x, y) => (x, y),
            Shape::Footprint((w, s, e, n)) => ((w + e) / 2.0, (s + n) / 2.0),
            Shape::Nothing => {
                assert!(!found.contains(id));
                continue;
            }
        };
        let d = metres(centre, point);
        if d < radius * 0.99 {
            assert!(found.contains(id), "{d} m should be near");
        } else if d > radius * 1.01 {
            assert!(!found.contains(id), "{d} m should not be near");
        }
    }

    // Bad spatial input is refused with a clear message.
    let carriers = ("carriers", "CarrierFilter");
    let message = refused(&app, carriers, json!({ "withinDistrict": "binhu" })).await;
    assert!(message.contains("no stored boundary"), "{message}");
    refused(
        &app,
        carriers,
        json!({ "bbox": [120.4, 31.0, 120.3, 31.5] }),
    )
    .await;
}

/// The message of the BAD_USER_INPUT error a listing (`field`, `filter_type`) gives `filter`.
async fn refused(app: &TestApp, (field, filter_type): (&str, &str), filter: Value) -> String {
    let body = app
        .graphql(&ids_query(field, filter_type), json!({ "filter": filter }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{filter}: {body}");
    body["errors"][0]["message"]
        .as_str()
        .expect("a message")
        .to_owned()
}

async fn a_page_of_footprints_costs_a_constant_number_of_statements(app: TestApp) {
    portfolio(&app).await;
    let query = "query($first: Int) { carriers(first: $first) { edges { node { footprint footprintArea district { boundary } } } } }";
    let mut counts = Vec::new();
    for first in [3, 30] {
        app.reset_statement_count();
        app.data(query, json!({ "first": first })).await;
        counts.push(app.statements().len());
    }
    assert_eq!(counts[0], counts[1], "{:?}", app.statements());
}

async fn the_cli_imports_district_boundaries_and_exports_geojson(app: TestApp) {
    let dir = std::env::temp_dir().join(format!("zaiti-spatial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join(format!("districts-{:?}.geojson", app.backend));
    let collection = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "code": "xinwu" }, "geometry": l_shape() },
        { "type": "Feature", "properties": { "name": "滨湖区" }, "geometry": rect_polygon((120.1, 31.3, 120.3, 31.5)) },
    ]});
    std::fs::write(&file, collection.to_string()).expect("write the file");
    let zaiti = |args: &[&str]| app.cli(args);
    let path = file.to_str().expect("a path");
    let out = zaiti(&["import", "districts", path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 district boundaries written"));
    assert_eq!(app.count_rows("district_boundary").await, 2);

    // A bad file is refused whole, naming each problem.
    let bad = json!({ "type": "FeatureCollection", "features": [
        { "type": "Feature", "properties": { "code": "liangxi" }, "geometry": rect_polygon((120.2, 31.5, 120.3, 31.6)) },
        { "type": "Feature", "properties": { "code": "atlantis" }, "geometry": rect_polygon((120.2, 31.5, 120.3, 31.6)) },
        { "type": "Feature", "properties": { "code": "xishan" }, "geometry": polygon(&[vec![(120.0, 31.0), (120.1, 31.1), (120.1, 31.0), (120.0, 31.1), (120.0, 31.0)]]) },
    ]});
    std::fs::write(&file, bad.to_string()).expect("write the file");
    let out = zaiti(&["import", "districts", path]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("features[1]") && stderr.contains("features[2].geometry"));
    assert!(stderr.contains("self-intersection"), "{stderr}");
    assert_eq!(app.count_rows("district_boundary").await, 2);

    let out = zaiti(&["export", "geojson", "--collection", "districts"]);
    assert!(out.status.success());
    let exported: Value = serde_json::from_slice(&out.stdout).expect("GeoJSON");
    assert_eq!(exported["type"], "FeatureCollection");
    let xinwu = exported["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["code"] == "xinwu")
        .expect("xinwu");
    // A Polygon is exported as a MultiPolygon of one part, as /ogc serves it.
    assert_eq!(
        xinwu["geometry"],
        json!({ "type": "MultiPolygon", "coordinates": [l_shape()["coordinates"]] })
    );

    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let district = app.district_id("xinwu").await;
    app.create_carrier(
        &operator,
        &district,
        json!({ "location": { "longitude": 120.35, "latitude": 31.42 } }),
    )
    .await;
    let out = zaiti(&["export", "geojson", "--collection", "carrier-locations"]);
    let exported: Value = serde_json::from_slice(&out.stdout).expect("GeoJSON");
    assert_eq!(
        exported["features"][0]["geometry"],
        json!({ "type": "Point", "coordinates": [120.35, 31.42] })
    );
    let _ = std::fs::remove_file(&file);
}

/// Equal JSON but for numbers, which may differ by 1e-9 (a last digit of a
/// coordinate written and read back).
fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap_or(f64::NAN) - y.as_f64().unwrap_or(f64::NAN)).abs() < 1e-9
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
        }
        _ => a == b,
    }
}

const CREATE_PLATFORM: &str =
    "mutation($input: CreatePlatformInput!) { createPlatform(input: $input) { id } }";

async fn platform_spatial_filters_follow_their_host_carriers(app: TestApp) {
    let carriers = portfolio(&app).await;
    // Platforms on two carriers in three (two on every ninth, one on the
    // carrier with no geometry), kinds in pairs: (platform id, kind, host's shape).
    let hosts = |n: usize| match n {
        47 => 1,
        n if n % 9 == 0 => 2,
        n if n % 3 == 2 => 0,
        _ => 1,
    };
    let mut platforms: Vec<(String, &'static str, Shape)> = Vec::new();
    for (n, (carrier, _, shape)) in carriers.iter().enumerate() {
        let copies = hosts(n);
        for copy in 0..copies {
            let kind = if platforms.len() % 4 < 2 {
                "PILOT_PLANT"
            } else {
                "TECH_TRANSFER"
            };
            let input = json!({ "carrierId": carrier, "name": format!("平台{n:02}-{copy}"),
                                "kind": kind, "openedOn": "2024-01-01", "services": ["中试"] });
            let body = app
                .graphql(CREATE_PLATFORM, json!({ "input": input }))
                .await;
            assert!(body.get("errors").is_none(), "{body}");
            let id = body["data"]["createPlatform"]["id"]
                .as_str()
                .expect("an id");
            platforms.push((id.to_owned(), kind, shape.clone()));
        }
    }
    let l_ids = expected(&platforms, |_, s| within_l(s));
    assert!(
        l_ids.len() >= 3 && l_ids.len() < platforms.len(),
        "a test that decides something: {}",
        l_ids.len()
    );
    assert_eq!(
        matching_platforms(&app, json!({ "withinDistrict": "xinwu" })).await,
        l_ids
    );
    assert_eq!(
        matching_platforms(&app, json!({ "within": l_shape() })).await,
        l_ids
    );
    assert_eq!(
        matching_platforms(&app, json!({ "intersects": parcel() })).await,
        expected(&platforms, |_, s| meets_parcel(s))
    );
    for bbox in [
        (120.31, 31.41, 120.36, 31.47),
        (120.36, 31.38, 120.42, 31.45),
    ] {
        let inside = expected(&platforms, |_, s| meets_box(s, bbox));
        assert!(!inside.is_empty() && inside.len() < platforms.len());
        assert_eq!(
            matching_platforms(&app, json!({ "bbox": [bbox.0, bbox.1, bbox.2, bbox.3] })).await,
            inside
        );
    }
    // Combined with the platform's own filters and with each other.
    let both = expected(&platforms, |k, s| k == "TECH_TRANSFER" && within_l(s));
    assert!(!both.is_empty() && both != l_ids);
    assert_eq!(
        matching_platforms(
            &app,
            json!({ "withinDistrict": "xinwu", "kinds": ["TECH_TRANSFER"] })
        )
        .await,
        both
    );
    assert_eq!(
        matching_platforms(
            &app,
            json!({ "within": l_shape(), "intersects": parcel(), "kinds": ["PILOT_PLANT"] })
        )
        .await,
        expected(&platforms, |k, s| k == "PILOT_PLANT"
            && within_l(s)
            && meets_parcel(s))
    );
    let (_, (host, _, host_shape)) = carriers
        .iter()
        .enumerate()
        .find(|(n, (_, _, s))| within_l(s) && hosts(*n) > 0)
        .expect("a host inside");
    let on_host = matching_platforms(&app, json!({ "carrierIds": [host] })).await;
    assert!(!on_host.is_empty());
    assert_eq!(
        matching_platforms(
            &app,
            json!({ "carrierIds": [host], "withinDistrict": "xinwu" })
        )
        .await,
        on_host
    );
    assert!(within_l(host_shape));
    assert!(
        matching_platforms(
            &app,
            json!({ "carrierIds": [host], "intersects": rect_polygon((120.0, 31.0, 120.01, 31.01)) })
        )
        .await
        .is_empty()
    );

    // Bad spatial input is refused as on carriers.
    let message = refused(
        &app,
        ("platforms", "PlatformFilter"),
        json!({ "withinDistrict": "binhu" }),
    )
    .await;
    assert!(message.contains("no stored boundary"), "{message}");

    // The CLI exports platforms as Points at their host.
    let out = app.cli_stdout(&["export", "geojson", "--collection", "platforms"]);
    let exported: Value = serde_json::from_slice(&out).expect("GeoJSON");
    assert_eq!(exported["name"], "platforms");
    let features = exported["features"].as_array().expect("features");
    assert_eq!(features.len(), platforms.len());
    for (feature, (_, kind, shape)) in features.iter().zip(&platforms) {
        assert_eq!(feature["properties"]["kind"], *kind);
        let geometry = &feature["geometry"];
        match *shape {
            // A Point, the collection's one type: the centre of a footprint-only host.
            Shape::Footprint((w, s, e, n)) => {
                let centre =
                    json!({ "type": "Point", "coordinates": [(w + e) / 2.0, (s + n) / 2.0] });
                assert!(close(geometry, &centre), "{geometry}");
            }
            Shape::Point(x, y) => {
                let point = json!({ "type": "Point", "coordinates": [x, y] });
                assert!(close(geometry, &point), "{geometry}");
            }
            Shape::Nothing => assert!(geometry.is_null()),
        }
    }
}

on_both_databases!(
    a_footprint_is_stored_with_its_geodesic_area_beside_the_floor_area,
    invalid_polygons_are_refused_with_a_message_naming_the_problem,
    the_bureau_writes_any_geometry_and_an_operator_only_its_own,
    gcj02_output_and_input_match_the_reference_points,
    spatial_filters_agree_with_an_independent_reference,
    a_page_of_footprints_costs_a_constant_number_of_statements,
    the_cli_imports_district_boundaries_and_exports_geojson,
    platform_spatial_filters_follow_their_host_carriers,
);
