//! OGC API – Features at `/ogc`, read as a GIS client would: landing page,
//! conformance, collections of one geometry type each, items paged through
//! `next` links, single items by global id, bbox (in any offered CRS, with
//! or without heights), datetime, property filters and their queryables,
//! coordinates in CRS84, EPSG:4490 and EPSG:4549, links from the public URL,
//! tokens, and the OpenAPI document and queryables through real validators.
//! On SQLite and PostgreSQL.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Backend, TestApp};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const EPSG_4490: &str = "http://www.opengis.net/def/crs/EPSG/0/4490";
const EPSG_4549: &str = "http://www.opengis.net/def/crs/EPSG/0/4549";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// A GET with an optional token and extra headers: status, headers, JSON body.
async fn fetch(
    app: &TestApp,
    secret: Option<&str>,
    url: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("{}{url}", app.base_url)
    };
    let mut request = app.client.get(&url);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request reaches the server");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.expect("a JSON body");
    (status, headers, body)
}

async fn get(app: &TestApp, secret: Option<&str>, url: &str) -> (u16, String, Value) {
    let (status, headers, body) = fetch(app, secret, url, &[]).await;
    let media = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, media, body)
}

fn href<'a>(body: &'a Value, rel: &str) -> Option<&'a str> {
    body["links"].as_array()?.iter().find(|l| l["rel"] == rel)?["href"].as_str()
}

/// A test carrier: global ID, name, kind, district code, location.
type Made = (String, String, &'static str, &'static str, (f64, f64));

/// 23 carriers: kinds alternate, every third in Binhu, every fifth recognised
/// at city level; each at its own point, 0.002° east of the one before.
async fn carriers(app: &TestApp) -> Vec<Made> {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let binhu = app.district_id("binhu").await;
    let mut made = Vec::new();
    for n in 0..23 {
        let kind = if n % 2 == 0 {
            "MAKERSPACE"
        } else {
            "INCUBATOR"
        };
        let (district, code) = if n % 3 == 0 {
            (&binhu, "binhu")
        } else {
            (&xinwu, "xinwu")
        };
        let point = (120.30 + f64::from(n) * 0.002, 31.50);
        let id = app
            .create_carrier(
                &operator,
                district,
                json!({ "name": format!("载体{n:02}"), "kind": kind,
                        "location": { "longitude": point.0, "latitude": point.1 } }),
            )
            .await;
        if n % 5 == 0 {
            app.recognise(&id, "CITY", "2024-06-01").await;
        }
        made.push((id, format!("载体{n:02}"), kind, code, point));
    }
    made
}

/// Every feature of `url`, following `next` links; checks numberMatched.
async fn all_pages(app: &TestApp, url: &str) -> (Vec<Value>, usize) {
    let mut features = Vec::new();
    let mut next = Some(url.to_owned());
    let mut pages = 0;
    let mut matched = None;
    while let Some(url) = next.take() {
        let (status, media, body) = get(app, Some(&app.admin_token), &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        assert_eq!(media, "application/geo+json");
        assert_eq!(body["type"], "FeatureCollection");
        assert_eq!(
            body["numberReturned"].as_u64(),
            Some(body["features"].as_array().expect("features").len() as u64)
        );
        matched = matched.or(body["numberMatched"].as_u64());
        features.extend(
            body["features"]
                .as_array()
                .expect("features")
                .iter()
                .cloned(),
        );
        next = href(&body, "next").map(str::to_owned);
        pages += 1;
        assert!(pages < 100, "paging never ends");
    }
    assert_eq!(matched, Some(features.len() as u64), "{url}: numberMatched");
    (features, pages)
}

/// `actual` is an array of these numbers, each within 1e-9.
fn assert_near(actual: &Value, expected: &[f64]) {
    let numbers: Vec<f64> = actual
        .as_array()
        .expect("an array")
        .iter()
        .map(|n| n.as_f64().expect("a number"))
        .collect();
    assert_eq!(numbers.len(), expected.len(), "{actual}");
    for (got, want) in numbers.iter().zip(expected) {
        assert!((got - want).abs() < 1e-9, "{actual} vs {expected:?}");
    }
}

fn names(features: &[Value]) -> BTreeSet<String> {
    features
        .iter()
        .map(|f| f["properties"]["name"].as_str().expect("a name").to_owned())
        .collect()
}

/// Item `id` (a global id) of `collection` under `secret`, checked as a
/// GeoJSON feature with its links; an unknown item of the collection, and a
/// global id of another type, are 404 in both languages.
async fn single_item(app: &TestApp, secret: &str, collection: &str, id: &str) -> Value {
    let (status, media, item) = get(
        app,
        Some(secret),
        &format!("/ogc/collections/{collection}/items/{id}"),
    )
    .await;
    assert_eq!(
        (status, media.as_str()),
        (200, "application/geo+json"),
        "{item}"
    );
    assert_eq!(item["id"], id);
    assert!(href(&item, "self").is_some_and(|h| h.ends_with(&format!("/items/{id}"))));
    assert!(href(&item, "collection").is_some());
    // A number, global ids of no carrier ("Carrier:999999") and no platform,
    // one of another type ("Operator:1"), and no id at all.
    for unknown in [
        "999999",
        "Q2Fycmllcjo5OTk5OTk",
        "UGxhdGZvcm06OTk5OTk5",
        "T3BlcmF0b3I6MQ",
        "not-an-id",
    ] {
        let (status, _, body) = get(
            app,
            Some(secret),
            &format!("/ogc/collections/{collection}/items/{unknown}"),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("NotFound")),
            "{unknown}"
        );
        assert!(
            body["descriptionEn"]
                .as_str()
                .is_some_and(|d| d.contains(unknown))
        );
        assert!(
            body["descriptionZh"]
                .as_str()
                .is_some_and(|d| d.contains("没有要素"))
        );
    }
    item
}

/// Each query of `cases` on `collection`'s items is refused with a 400 whose
/// description contains the case's word.
async fn refused(app: &TestApp, collection: &str, cases: &[(&str, &str)]) {
    for (query, word) in cases {
        let (status, _, body) = get(
            app,
            Some(&app.admin_token),
            &format!("/ogc/collections/{collection}/items?{query}"),
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["description"]
                .as_str()
                .expect("a description")
                .contains(word),
            "{query}: {body}"
        );
    }
}

async fn the_landing_page_conformance_and_collections_lead_to_the_data(app: TestApp) {
    let (status, media, landing) = get(&app, Some(&app.admin_token), "/ogc").await;
    assert_eq!((status, media.as_str()), (200, "application/json"));
    for rel in ["self", "service-desc", "conformance", "data"] {
        assert!(href(&landing, rel).is_some(), "no {rel} link in {landing}");
    }
    let (_, _, conformance) = get(
        &app,
        Some(&app.admin_token),
        href(&landing, "conformance").expect("a link"),
    )
    .await;
    let classes = conformance["conformsTo"].as_array().expect("classes");
    for class in ["conf/core", "conf/geojson"] {
        assert!(
            classes
                .iter()
                .any(|c| c.as_str().is_some_and(|c| c.ends_with(class)))
        );
    }
    let (_, _, collections) = get(
        &app,
        Some(&app.admin_token),
        href(&landing, "data").expect("a link"),
    )
    .await;
    let listed = collections["collections"].as_array().expect("collections");
    let ids: Vec<&str> = listed
        .iter()
        .map(|c| c["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(
        ids,
        ["carriers", "carrier-locations", "districts", "platforms"]
    );
    // Each declares its one geometry type, the systems offered and where its queryables are.
    for (collection, geometry) in
        listed
            .iter()
            .zip(["MultiPolygon", "Point", "MultiPolygon", "Point"])
    {
        assert_eq!(collection["geometryType"], geometry, "{collection}");
        assert_eq!(collection["crs"], json!([CRS84, EPSG_4490, EPSG_4549]));
        assert_eq!(collection["storageCrs"], CRS84);
        let queryables = href(
            collection,
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
        )
        .expect("a queryables link");
        let (status, media, schema) = get(&app, Some(&app.admin_token), queryables).await;
        assert_eq!((status, media.as_str()), (200, "application/schema+json"));
        let format = format!("geometry-{}", geometry.to_lowercase());
        assert_eq!(schema["properties"]["geometry"]["format"], format.as_str());
    }
    for class in [
        "ogcapi-features-2/1.0/conf/crs",
        "ogcapi-features-3/1.0/conf/queryables",
    ] {
        assert!(
            classes
                .iter()
                .any(|c| c.as_str().is_some_and(|c| c.ends_with(class)))
        );
    }
    let (status, _, one) = get(&app, Some(&app.admin_token), "/ogc/collections/carriers").await;
    assert_eq!(status, 200);
    assert!(href(&one, "items").is_some_and(|h| h.ends_with("/ogc/collections/carriers/items")));

    let (status, _, body) = get(&app, Some(&app.admin_token), "/ogc/collections/parcels").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("NotFound")));
    let (status, _, _) = get(
        &app,
        Some(&app.admin_token),
        "/ogc/collections/parcels/queryables",
    )
    .await;
    assert_eq!(status, 404);
}

async fn items_page_through_every_carrier_and_filter_by_attributes(app: TestApp) {
    let made = carriers(&app).await;
    let everyone: BTreeSet<String> = made.iter().map(|c| c.1.clone()).collect();
    let (_, _, collection) = get(
        &app,
        Some(&app.admin_token),
        "/ogc/collections/carrier-locations",
    )
    .await;
    let east = 120.30 + 22.0 * 0.002;
    assert_near(
        &collection["extent"]["spatial"]["bbox"][0],
        &[120.30, 31.50, east, 31.50],
    );
    let (features, pages) =
        all_pages(&app, "/ogc/collections/carrier-locations/items?limit=5").await;
    assert_eq!(pages, 5);
    assert_eq!(features.len(), 23, "no carrier twice");
    assert_eq!(names(&features), everyone);
    let first = &features[0];
    assert_eq!(first["type"], "Feature");
    assert_eq!(first["geometry"]["type"], "Point");
    assert_eq!(first["properties"]["district"], "binhu");
    assert_eq!(first["properties"]["adminCode"], "320211");
    assert_eq!(first["id"], made[0].0.as_str(), "the GraphQL global id");
    // None of them has a footprint: the footprint collection is empty.
    let (features, _) = all_pages(&app, "/ogc/collections/carriers/items").await;
    assert!(features.is_empty());

    let expect = |keep: &dyn Fn(usize, &'static str, &'static str) -> bool| -> BTreeSet<String> {
        made.iter()
            .enumerate()
            .filter(|(n, c)| keep(*n, c.2, c.3))
            .map(|(_, c)| c.1.clone())
            .collect()
    };
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carrier-locations/items?kind=INCUBATOR&limit=4",
    )
    .await;
    assert_eq!(names(&features), expect(&|_, kind, _| kind == "INCUBATOR"));
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carrier-locations/items?district=binhu&kind=MAKERSPACE",
    )
    .await;
    assert_eq!(
        names(&features),
        expect(&|_, kind, code| kind == "MAKERSPACE" && code == "binhu")
    );
    // A district by its GB/T 2260 code, as `district` or `adminCode` (滨湖区 is 320211).
    for query in [
        "district=320211&kind=MAKERSPACE",
        "adminCode=320211&kind=MAKERSPACE",
    ] {
        let (by_admin_code, _) = all_pages(
            &app,
            &format!("/ogc/collections/carrier-locations/items?{query}"),
        )
        .await;
        assert_eq!(names(&by_admin_code), names(&features), "{query}");
    }
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carrier-locations/items?district=xinwu&adminCode=320211",
    )
    .await;
    assert!(
        features.is_empty(),
        "both must match: no carrier is in both districts"
    );
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carrier-locations/items?level=CITY&limit=2",
    )
    .await;
    assert_eq!(names(&features), expect(&|n, _, _| n % 5 == 0));
    assert!(features.iter().all(|f| f["properties"]["level"] == "CITY"));

    // bbox, alone and with an attribute filter: points 0.002° apart from 120.30.
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carrier-locations/items?bbox=120.3039,31.49,120.3121,31.51&limit=2",
    )
    .await;
    assert_eq!(names(&features), expect(&|n, _, _| (2..=6).contains(&n)));
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carrier-locations/items?bbox=120.3039,31.49,120.3121,31.51&kind=MAKERSPACE",
    )
    .await;
    assert_eq!(
        names(&features),
        expect(&|n, kind, _| (2..=6).contains(&n) && kind == "MAKERSPACE")
    );

    // Bad parameters are refused, saying which.
    refused(
        &app,
        "carriers",
        &[
            ("bbox=1,2,3", "bbox"),
            ("limit=0", "limit"),
            ("kind=CASTLE", "kind"),
            ("district=atlantis", "atlantis"),
            ("adminCode=999999", "999999"),
            ("colour=red", "colour"),
            ("code=binhu", "code"),
        ],
    )
    .await;
}

async fn single_items_and_districts_are_served_under_the_same_tokens(app: TestApp) {
    let made = carriers(&app).await;
    let (_, _, page) = get(
        &app,
        Some(&app.admin_token),
        "/ogc/collections/carrier-locations/items?limit=1",
    )
    .await;
    let feature = &page["features"][0];
    let id = feature["id"].as_str().expect("a global id");
    assert_eq!(id, made[0].0.as_str());
    let viewer = app.token("看板", Role::Viewer, None).await;
    let item = single_item(&app, &viewer, "carrier-locations", id).await;
    assert_eq!(item["properties"]["globalId"], made[0].0.as_str());
    assert_eq!(item["geometry"], feature["geometry"]);
    // The database number still finds it (links made before ids were global).
    let (status, _, by_number) = get(
        &app,
        Some(&viewer),
        "/ogc/collections/carrier-locations/items/1",
    )
    .await;
    assert_eq!((status, &by_number["id"]), (200, &json!(id)));
    // Not in the footprint collection: it has no footprint.
    let (status, _, _) = get(
        &app,
        Some(&viewer),
        &format!("/ogc/collections/carriers/items/{id}"),
    )
    .await;
    assert_eq!(status, 404);

    // No token, no data; a bad token neither.
    let (status, _, body) = get(&app, None, "/ogc/collections/carriers/items").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("Unauthenticated"))
    );
    let (status, _, _) = get(&app, Some("zt_not-a-token"), "/ogc").await;
    assert_eq!(status, 401);

    // Districts: all eight; a stored boundary comes back as GeoJSON.
    let binhu = app.district_id("binhu").await;
    let boundary = json!({ "type": "Polygon", "coordinates": [[[120.1, 31.3], [120.3, 31.3], [120.3, 31.5], [120.1, 31.5], [120.1, 31.3]]] });
    app.data(
        "mutation($input: SetDistrictBoundaryInput!) { setDistrictBoundary(input: $input) { id } }",
        json!({ "input": { "id": binhu, "version": 1, "boundary": boundary } }),
    )
    .await;
    let (features, _) = all_pages(&app, "/ogc/collections/districts/items").await;
    assert_eq!(features.len(), 8);
    let stored = features
        .iter()
        .find(|f| f["properties"]["code"] == "binhu")
        .expect("binhu");
    // A Polygon is served as a MultiPolygon of one part, the collection's one type.
    assert_eq!(
        stored["geometry"],
        json!({ "type": "MultiPolygon", "coordinates": [boundary["coordinates"]] })
    );
    assert_eq!(stored["id"], binhu.as_str());
    assert_eq!(stored["properties"]["adminCode"], "320211");
    let codes = |features: &[Value]| -> BTreeSet<String> {
        features
            .iter()
            .map(|f| f["properties"]["code"].as_str().expect("a code").to_owned())
            .collect()
    };
    let jingkai = features
        .iter()
        .find(|f| f["properties"]["code"] == "jingkai")
        .expect("the development zone");
    assert!(
        jingkai["properties"]["adminCode"].is_null(),
        "a zone has no GB/T 2260 code"
    );
    assert!(jingkai["geometry"].is_null());
    for (query, wanted) in [
        ("adminCode=320211", vec!["binhu"]),
        ("code=binhu,320281", vec!["binhu", "jiangyin"]),
        ("kind=COUNTY_LEVEL_CITY", vec!["jiangyin", "yixing"]),
        (
            "datetime=2020-01-01/..",
            features
                .iter()
                .map(|f| f["properties"]["code"].as_str().expect("a code"))
                .collect(),
        ),
    ] {
        let (found, _) =
            all_pages(&app, &format!("/ogc/collections/districts/items?{query}")).await;
        let wanted: BTreeSet<String> = wanted.into_iter().map(str::to_owned).collect();
        assert_eq!(codes(&found), wanted, "{query}");
    }
    refused(
        &app,
        "districts",
        &[
            ("status=OPERATING", "status"),
            ("adminCode=000000", "000000"),
        ],
    )
    .await;
    single_item(&app, &viewer, "districts", &binhu).await;
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/districts/items?bbox=120.2,31.4,120.25,31.45",
    )
    .await;
    assert_eq!(features.len(), 1);
    let (_, _, collection) = get(&app, Some(&viewer), "/ogc/collections/districts").await;
    assert_eq!(
        collection["extent"]["spatial"]["bbox"][0],
        json!([120.1, 31.3, 120.3, 31.5])
    );
}

const CREATE_PLATFORM: &str =
    "mutation($input: CreatePlatformInput!) { createPlatform(input: $input) { id } }";

/// What a test platform is: its global ID, name, kind, level, and its host
/// (the index of the carrier in `carriers`, or `None` for the carrier with no
/// location).
struct TestPlatform {
    id: String,
    name: String,
    kind: &'static str,
    level: &'static str,
    host: Option<usize>,
}

/// A platform on each of the first 20 of `carriers` (kinds and levels
/// varying), and one on a carrier in Xinwu with no location.
async fn platforms(app: &TestApp, made: &[Made]) -> Vec<TestPlatform> {
    let operator = app.create_operator("无锡市科技创新服务中心", 2).await;
    let xinwu = app.district_id("xinwu").await;
    let nowhere = app
        .create_carrier(&operator, &xinwu, json!({ "name": "无址载体" }))
        .await;
    let mut list = Vec::new();
    for n in 0..21 {
        let host = (n < 20).then_some(n);
        let carrier = host.map_or(nowhere.as_str(), |n| made[n].0.as_str());
        let kind = if n % 3 == 1 {
            "TECH_TRANSFER"
        } else {
            "PILOT_PLANT"
        };
        let level = if n % 4 == 0 { "PROVINCIAL" } else { "NONE" };
        let name = format!("平台{n:02}");
        let input = json!({ "carrierId": carrier, "name": name, "kind": kind, "level": level,
                            "openedOn": "2023-03-01", "services": ["中试熟化", "检验检测"],
                            "enterprisesServedPerYear": 40 + n });
        let data = app.data(CREATE_PLATFORM, json!({ "input": input })).await;
        let id = data["createPlatform"]["id"].as_str().expect("an id");
        list.push(TestPlatform {
            id: id.to_owned(),
            name,
            kind,
            level,
            host,
        });
    }
    list
}

async fn platforms_page_at_their_hosts_and_filter_by_attributes(app: TestApp) {
    let made = carriers(&app).await;
    let platforms = platforms(&app, &made).await;
    let expect = |keep: &dyn Fn(&TestPlatform) -> bool| -> BTreeSet<String> {
        platforms
            .iter()
            .filter(|p| keep(p))
            .map(|p| p.name.clone())
            .collect()
    };
    let district = |p: &TestPlatform| p.host.map_or("xinwu", |n| made[n].3);
    // The extent is the box around the hosts only (the first 20 carriers).
    let (status, _, collection) =
        get(&app, Some(&app.admin_token), "/ogc/collections/platforms").await;
    assert_eq!(status, 200);
    assert!(
        href(&collection, "items").is_some_and(|h| h.ends_with("/ogc/collections/platforms/items"))
    );
    let east = 120.30 + 19.0 * 0.002;
    assert_near(
        &collection["extent"]["spatial"]["bbox"][0],
        &[120.30, 31.50, east, 31.50],
    );

    let (features, pages) = all_pages(&app, "/ogc/collections/platforms/items?limit=4").await;
    assert_eq!(pages, 6);
    assert_eq!(features.len(), 21, "no platform twice");
    assert_eq!(names(&features), expect(&|_| true));
    for (feature, platform) in features.iter().zip(&platforms) {
        let properties = &feature["properties"];
        assert_eq!(properties["globalId"], platform.id.as_str());
        assert_eq!(properties["kind"], platform.kind);
        assert_eq!(properties["level"], platform.level);
        assert_eq!(properties["district"], district(platform));
        let admin_code = if district(platform) == "binhu" {
            "320211"
        } else {
            "320214"
        };
        assert_eq!(properties["adminCode"], admin_code);
        assert_eq!(properties["openedOn"], "2023-03-01");
        assert!(properties["closedOn"].is_null());
        assert_eq!(
            properties["services"], "中试熟化；检验检测",
            "one text, as GIS files hold"
        );
        match platform.host {
            Some(n) => {
                let (carrier, name, _, _, (lon, lat)) = &made[n];
                assert_eq!(properties["carrierId"], carrier.as_str());
                assert_eq!(properties["carrier"], name.as_str());
                assert_eq!(feature["geometry"]["type"], "Point");
                assert_near(&feature["geometry"]["coordinates"], &[*lon, *lat]);
            }
            None => {
                assert_eq!(properties["carrier"], "无址载体");
                assert!(
                    feature["geometry"].is_null(),
                    "no host geometry, no geometry"
                );
            }
        }
    }

    for (query, keep) in [
        (
            "kind=TECH_TRANSFER&limit=3",
            &(|p: &TestPlatform| p.kind == "TECH_TRANSFER") as &dyn Fn(&TestPlatform) -> bool,
        ),
        ("level=PROVINCIAL&limit=2", &|p| p.level == "PROVINCIAL"),
        ("level=NONE,PROVINCIAL", &|_| true),
        ("district=binhu", &|p| district(p) == "binhu"),
        ("adminCode=320211", &|p| district(p) == "binhu"),
        ("datetime=2023-03-01", &|_| true),
        ("datetime=2022-01-01/2023-03-01&kind=PILOT_PLANT", &|p| {
            p.kind == "PILOT_PLANT"
        }),
        ("district=xinwu&kind=PILOT_PLANT", &|p| {
            district(p) == "xinwu" && p.kind == "PILOT_PLANT"
        }),
        // Hosts at 0.002° steps from 120.30: 2 to 6 in the box; none for the unlocated host.
        ("bbox=120.3039,31.49,120.3121,31.51&limit=2", &|p| {
            p.host.is_some_and(|n| (2..=6).contains(&n))
        }),
        (
            "bbox=120.3039,31.49,120.3121,31.51&kind=PILOT_PLANT&district=xinwu",
            &|p| {
                p.host.is_some_and(|n| (2..=6).contains(&n))
                    && p.kind == "PILOT_PLANT"
                    && district(p) == "xinwu"
            },
        ),
    ] {
        let (features, _) =
            all_pages(&app, &format!("/ogc/collections/platforms/items?{query}")).await;
        let wanted = expect(keep);
        assert!(!wanted.is_empty(), "{query}: a test that decides something");
        assert_eq!(names(&features), wanted, "{query}");
    }

    // Opened on 2023-03-01: none was open before.
    let (features_before, _) = all_pages(
        &app,
        "/ogc/collections/platforms/items?datetime=../2023-02-28",
    )
    .await;
    assert!(features_before.is_empty());

    // A single platform, under a viewer's token; unknown ones are 404.
    let viewer = app.token("看板", Role::Viewer, None).await;
    let id = features[5]["id"].as_str().expect("a global id");
    assert_eq!(id, platforms[5].id.as_str());
    let item = single_item(&app, &viewer, "platforms", id).await;
    assert_eq!(item["properties"]["globalId"], platforms[5].id.as_str());
    assert_eq!(item["geometry"], features[5]["geometry"]);
    let (status, _, _) = get(&app, None, "/ogc/collections/platforms/items").await;
    assert_eq!(status, 401);

    // Bad parameters are refused, saying which.
    refused(
        &app,
        "platforms",
        &[
            ("kind=MAKERSPACE", "kind"),
            ("level=GOLD", "level"),
            ("status=OPERATING", "status"),
            ("district=atlantis", "atlantis"),
            ("bbox=1,2,3", "bbox"),
            ("datetime=2023-13-01", "datetime"),
        ],
    )
    .await;
}

const SET_GEOMETRY: &str = r#"
mutation($input: SetCarrierGeometryInput!) {
  setCarrierGeometry(input: $input) { id version }
}"#;

/// A GeoJSON Polygon of the box (west, south, east, north).
fn rect_polygon((w, s, e, n): (f64, f64, f64, f64)) -> Value {
    json!({ "type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]] })
}

async fn footprints_and_locations_are_collections_of_one_geometry_type_each(app: TestApp) {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let mut ids = Vec::new();
    for (n, lon) in [120.30, 120.32, 120.34].into_iter().enumerate() {
        let id = app
            .create_carrier(
                &operator,
                &xinwu,
                json!({ "name": format!("载体{n}"), "location": { "longitude": lon, "latitude": 31.5 } }),
            )
            .await;
        ids.push(id);
    }
    // One footprint a Polygon, one a MultiPolygon of two parts; the third has none.
    let polygon = rect_polygon((120.299, 31.499, 120.301, 31.501));
    let second = rect_polygon((120.319, 31.499, 120.321, 31.501));
    let third = rect_polygon((120.3215, 31.499, 120.3225, 31.501));
    let multi = json!({ "type": "MultiPolygon", "coordinates": [second["coordinates"], third["coordinates"]] });
    for (id, footprint) in ids.iter().zip([&polygon, &multi]) {
        app.data(
            SET_GEOMETRY,
            json!({ "input": { "id": id, "version": 1, "footprint": footprint } }),
        )
        .await;
    }
    let (footprints, _) = all_pages(&app, "/ogc/collections/carriers/items").await;
    let found: Vec<&str> = footprints
        .iter()
        .map(|f| f["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(found, [ids[0].as_str(), ids[1].as_str()]);
    assert!(
        footprints
            .iter()
            .all(|f| f["geometry"]["type"] == "MultiPolygon")
    );
    assert_eq!(
        footprints[0]["geometry"]["coordinates"],
        json!([polygon["coordinates"]])
    );
    assert_eq!(footprints[1]["geometry"], multi);
    assert!(
        footprints[0]["properties"]["siteArea"]
            .as_f64()
            .is_some_and(|a| a > 0.0)
    );
    let (locations, _) = all_pages(&app, "/ogc/collections/carrier-locations/items").await;
    assert_eq!(locations.len(), 1);
    assert_eq!(locations[0]["id"], ids[2].as_str());
    assert_eq!(
        locations[0]["geometry"],
        json!({ "type": "Point", "coordinates": [120.34, 31.5] })
    );
    // Each collection's extent is the box of its own geometry.
    let (_, _, collection) = get(&app, Some(&app.admin_token), "/ogc/collections/carriers").await;
    assert_near(
        &collection["extent"]["spatial"]["bbox"][0],
        &[120.299, 31.499, 120.3225, 31.501],
    );
    let (_, _, collection) = get(
        &app,
        Some(&app.admin_token),
        "/ogc/collections/carrier-locations",
    )
    .await;
    assert_near(
        &collection["extent"]["spatial"]["bbox"][0],
        &[120.34, 31.5, 120.34, 31.5],
    );
    // A footprint carrier is an item of the footprints only.
    single_item(&app, &app.admin_token, "carriers", &ids[0]).await;
    let (status, _, _) = get(
        &app,
        Some(&app.admin_token),
        &format!("/ogc/collections/carrier-locations/items/{}", ids[0]),
    )
    .await;
    assert_eq!(status, 404);
    // The export writes the same collections.
    let export = |collection: &str| {
        let out = app.cli_stdout(&["export", "geojson", "--collection", collection]);
        serde_json::from_slice::<Value>(&out).expect("GeoJSON")
    };
    assert_eq!(export("carriers")["features"], json!(footprints));
    assert_eq!(export("carrier-locations")["features"], json!(locations));
}

const UPDATE_CARRIER: &str =
    "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { id } }";

async fn datetime_keeps_the_carriers_operating_during_it(app: TestApp) {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let located = |n: i32, status: &str, since: &str| {
        json!({ "name": format!("载体{n}"), "status": status, "statusSince": since,
                "location": { "longitude": 120.3 + f64::from(n) * 0.01, "latitude": 31.5 } })
    };
    // 载体0 operating since 2021; 载体1 planned since 2020, never operating;
    // 载体2 operating from 2019 until it closed on 2022-01-01.
    app.create_carrier(&operator, &xinwu, located(0, "OPERATING", "2021-01-01"))
        .await;
    app.create_carrier(&operator, &xinwu, located(1, "PLANNED", "2020-01-01"))
        .await;
    let closed = app
        .create_carrier(&operator, &xinwu, located(2, "OPERATING", "2019-01-01"))
        .await;
    app.data(
        UPDATE_CARRIER,
        json!({ "input": { "id": closed, "version": 1, "status": "CLOSED", "statusSince": "2022-01-01" } }),
    )
    .await;
    for (datetime, wanted) in [
        ("2020-06-01", vec!["载体2"]),
        ("2021-06-01T12:00:00Z", vec!["载体0", "载体2"]),
        ("2022-01-01", vec!["载体0"]),
        ("2020-01-01/2020-12-31", vec!["载体2"]),
        ("2020-01-01/2021-01-01", vec!["载体0", "载体2"]),
        ("../2019-01-01", vec!["载体2"]),
        ("../2018-12-31", vec![]),
        ("2022-01-01/..", vec!["载体0"]),
        ("2021-12-31/", vec!["载体0", "载体2"]),
        // 23:30 in UTC on 2021-12-31 is 2022-01-01 in China: 载体2 had closed.
        ("2021-12-31T23:30:00Z", vec!["载体0"]),
    ] {
        let (features, _) = all_pages(
            &app,
            &format!(
                "/ogc/collections/carrier-locations/items?datetime={}",
                datetime.replace('+', "%2B")
            ),
        )
        .await;
        let wanted: BTreeSet<String> = wanted.into_iter().map(str::to_owned).collect();
        assert_eq!(names(&features), wanted, "{datetime}");
    }
    // Malformed values, and only they, are refused, in both languages.
    for bad in [
        "yesterday",
        "2022-02-30",
        "2022-01-01/2021-01-01",
        "2021-01-01/soon",
    ] {
        let (status, _, body) = get(
            &app,
            Some(&app.admin_token),
            &format!("/ogc/collections/carrier-locations/items?datetime={bad}"),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("InvalidParameterValue")),
            "{bad}"
        );
        assert!(
            body["descriptionEn"]
                .as_str()
                .is_some_and(|d| d.contains("datetime") && d.contains("interval")),
            "{body}"
        );
        assert!(
            body["descriptionZh"]
                .as_str()
                .is_some_and(|d| d.contains("时间区间")),
            "{body}"
        );
    }
}

async fn coordinates_come_in_the_crs_asked_for_and_boxes_in_bbox_crs(app: TestApp) {
    let made = carriers(&app).await;
    let items = "/ogc/collections/carrier-locations/items";
    let (status, headers, body) = fetch(
        &app,
        Some(&app.admin_token),
        &format!("{items}?limit=1"),
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-crs"], format!("<{CRS84}>").as_str());
    assert_near(
        &body["features"][0]["geometry"]["coordinates"],
        &[120.30, 31.50],
    );
    // EPSG:4490 puts latitude first.
    for crs in [EPSG_4490, "EPSG:4490", "[EPSG:4490]"] {
        let (status, headers, body) = fetch(
            &app,
            Some(&app.admin_token),
            &format!("{items}?limit=1&crs={crs}"),
            &[],
        )
        .await;
        assert_eq!(status, 200, "{crs}: {body}");
        assert_eq!(headers["content-crs"], format!("<{EPSG_4490}>").as_str());
        assert_near(
            &body["features"][0]["geometry"]["coordinates"],
            &[31.50, 120.30],
        );
    }
    // EPSG:4549: northing, easting in metres; PROJ's cs2cs gives
    // 3486450.1969 N, 528500.7561 E for 31.5°N 120.3°E.
    let (_, headers, body) = fetch(
        &app,
        Some(&app.admin_token),
        &format!("{items}?limit=1&crs={EPSG_4549}"),
        &[],
    )
    .await;
    assert_eq!(headers["content-crs"], format!("<{EPSG_4549}>").as_str());
    let position = &body["features"][0]["geometry"]["coordinates"];
    let (north, east) = (
        position[0].as_f64().expect("N"),
        position[1].as_f64().expect("E"),
    );
    assert!(
        (north - 3_486_450.197).abs() < 0.002 && (east - 528_500.756).abs() < 0.002,
        "{position}"
    );
    assert!(
        href(&body, "next").is_some_and(|h| h.contains("crs=")),
        "paging keeps the crs"
    );
    let (_, headers, item) = fetch(
        &app,
        Some(&app.admin_token),
        &format!("{items}/{}?crs={EPSG_4549}", made[0].0),
        &[],
    )
    .await;
    assert_eq!(headers["content-crs"], format!("<{EPSG_4549}>").as_str());
    assert_eq!(&item["geometry"]["coordinates"], position);

    // The same box (around carriers 2 to 6) in every system, with or without heights.
    let wanted: BTreeSet<String> = made[2..=6].iter().map(|c| c.1.clone()).collect();
    for query in [
        "bbox=120.3039,31.49,120.3121,31.51".to_owned(),
        "bbox=120.3039,31.49,-5,120.3121,31.51,120.5".to_owned(),
        format!("bbox=31.49,120.3039,31.51,120.3121&bbox-crs={EPSG_4490}"),
        // The box's corners through cs2cs: (31.49, 120.3039) and (31.51, 120.3121) in EPSG:4549.
        format!("bbox=3485342.4,528874.3,3487562.2,529647.1&bbox-crs={EPSG_4549}"),
        format!(
            "bbox=3485342.4,528874.3,0,3487562.2,529647.1,50&bbox-crs={EPSG_4549}&crs={EPSG_4549}"
        ),
    ] {
        let (features, _) = all_pages(&app, &format!("{items}?{query}")).await;
        assert_eq!(names(&features), wanted, "{query}");
    }
    // An unknown system is refused, listing those offered.
    for query in ["crs=EPSG:3857", "bbox=1,2,3,4&bbox-crs=EPSG:4326"] {
        let (status, _, body) =
            get(&app, Some(&app.admin_token), &format!("{items}?{query}")).await;
        assert_eq!(status, 400, "{query}");
        let text = body["descriptionEn"].as_str().expect("a description");
        assert!(
            [CRS84, EPSG_4490, EPSG_4549]
                .iter()
                .all(|uri| text.contains(uri)),
            "{text}"
        );
        assert!(
            body["descriptionZh"]
                .as_str()
                .is_some_and(|d| d.contains("坐标参考系"))
        );
    }
    refused(
        &app,
        "carrier-locations",
        &[
            ("bbox=1,2,3,4,5", "bbox"),
            ("bbox=120.4,31,120.3,32", "bbox"),
        ],
    )
    .await;
}

/// Links start at the configured public URL whatever `Host` says; unset,
/// at the listen address (here the test server's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_start_at_the_public_url_never_at_the_host_header() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn(backend).await;
        let (_, _, landing) = fetch(
            &app,
            Some(&app.admin_token),
            "/ogc",
            &[("host", "evil.example")],
        )
        .await;
        let expected = format!("{}/ogc/collections", app.base_url);
        assert_eq!(href(&landing, "data"), Some(expected.as_str()), "{landing}");

        let options = zaiti::http::HttpOptions {
            public_url: Some("https://gis.example.cn/zaiti".into()),
            ..Default::default()
        };
        let app = TestApp::spawn_with(backend, options).await;
        let (_, _, page) = fetch(
            &app,
            Some(&app.admin_token),
            "/ogc/collections/districts/items",
            &[("host", "evil.example"), ("x-forwarded-proto", "ftp")],
        )
        .await;
        assert_eq!(
            href(&page, "self"),
            Some("https://gis.example.cn/zaiti/ogc/collections/districts/items")
        );
        let (_, _, api) = fetch(
            &app,
            Some(&app.admin_token),
            "/ogc/api",
            &[("host", "evil.example")],
        )
        .await;
        assert_eq!(api["servers"][0]["url"], "https://gis.example.cn/zaiti/ogc");
    }
}

fn validator_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ogc-openapi")
}

/// Runs a command in the validator's directory on the blocking pool, so the
/// server keeps answering while the command (its client) runs.
async fn run(program: &'static str, args: Vec<String>) -> Output {
    let shown = format!("{program} {}", args.join(" "));
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(program)
            .args(&args)
            .current_dir(validator_dir())
            .output()
    })
    .await
    .expect("the command's task does not panic")
    .unwrap_or_else(|err| panic!("cannot run `{shown}` (are Node and npm installed?): {err}"))
}

/// `/ogc/api` passes `@apidevtools/swagger-parser` and Redocly's
/// `recommended` lint (pinned in tests/ogc-openapi/package.json), and every
/// `/queryables` compiles as a JSON Schema; the queryables are the filters.
async fn the_openapi_document_and_queryables_pass_real_validators(app: TestApp) {
    if !validator_dir().join("node_modules").exists() {
        let output = run(
            "npm",
            vec!["ci".into(), "--no-audit".into(), "--no-fund".into()],
        )
        .await;
        assert!(
            output.status.success(),
            "npm ci: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let base = format!("{}/ogc", app.base_url);
    let output = run(
        "node",
        vec!["validate.mjs".into(), base, app.admin_token.clone()],
    )
    .await;
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "no JSON report ({err}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(output.status.success(), "{report:#}");
    assert_eq!(report["openapi"], "valid");
    assert!(report["lint"]["error"].is_null(), "{report:#}");
    assert!(
        report["lint"]["warn"].is_null(),
        "Redocly's warnings too: {report:#}"
    );
    for (collection, filters) in [
        (
            "carriers",
            vec![
                "adminCode",
                "district",
                "geometry",
                "kind",
                "level",
                "status",
            ],
        ),
        (
            "carrier-locations",
            vec![
                "adminCode",
                "district",
                "geometry",
                "kind",
                "level",
                "status",
            ],
        ),
        ("districts", vec!["adminCode", "code", "geometry", "kind"]),
        (
            "platforms",
            vec!["adminCode", "district", "geometry", "kind", "level"],
        ),
    ] {
        assert_eq!(
            report["queryables"][collection],
            json!(filters),
            "{collection}"
        );
    }
}

on_both_databases!(
    the_landing_page_conformance_and_collections_lead_to_the_data,
    items_page_through_every_carrier_and_filter_by_attributes,
    single_items_and_districts_are_served_under_the_same_tokens,
    platforms_page_at_their_hosts_and_filter_by_attributes,
    footprints_and_locations_are_collections_of_one_geometry_type_each,
    datetime_keeps_the_carriers_operating_during_it,
    coordinates_come_in_the_crs_asked_for_and_boxes_in_bbox_crs,
    the_openapi_document_and_queryables_pass_real_validators,
);
