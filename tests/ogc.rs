//! OGC API – Features at `/ogc`, read as a GIS client would: landing page,
//! conformance, collections, items paged through `next` links, single items,
//! bbox and attribute filters, tokens. On SQLite and PostgreSQL.

mod common;

use std::collections::BTreeSet;

use common::TestApp;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

async fn get(app: &TestApp, secret: Option<&str>, url: &str) -> (u16, String, Value) {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("{}{url}", app.base_url)
    };
    let mut request = app.client.get(&url);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    let response = request.send().await.expect("request reaches the server");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.json().await.expect("a JSON body");
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

/// Item `number` of `collection` under `secret`, checked as a GeoJSON feature
/// with its links; an unknown item of the collection is 404.
async fn single_item(app: &TestApp, secret: &str, collection: &str, number: i64) -> Value {
    let (status, media, item) = get(
        app,
        Some(secret),
        &format!("/ogc/collections/{collection}/items/{number}"),
    )
    .await;
    assert_eq!((status, media.as_str()), (200, "application/geo+json"));
    assert!(href(&item, "self").is_some() && href(&item, "collection").is_some());
    let (status, _, _) = get(
        app,
        Some(secret),
        &format!("/ogc/collections/{collection}/items/999999"),
    )
    .await;
    assert_eq!(status, 404);
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
    let ids: Vec<&str> = collections["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .map(|c| c["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(ids, ["carriers", "districts", "platforms"]);
    let (status, _, one) = get(&app, Some(&app.admin_token), "/ogc/collections/carriers").await;
    assert_eq!(status, 200);
    assert!(href(&one, "items").is_some_and(|h| h.ends_with("/ogc/collections/carriers/items")));
    let (_, _, api) = get(&app, Some(&app.admin_token), "/ogc/api").await;
    assert_eq!(api["openapi"], "3.0.3");

    let (status, _, body) = get(&app, Some(&app.admin_token), "/ogc/collections/parcels").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("NotFound")));
}

async fn items_page_through_every_carrier_and_filter_by_attributes(app: TestApp) {
    let made = carriers(&app).await;
    let everyone: BTreeSet<String> = made.iter().map(|c| c.1.clone()).collect();
    let (_, _, collection) = get(&app, Some(&app.admin_token), "/ogc/collections/carriers").await;
    let east = 120.30 + 22.0 * 0.002;
    assert_near(
        &collection["extent"]["spatial"]["bbox"][0],
        &[120.30, 31.50, east, 31.50],
    );
    let (features, pages) = all_pages(&app, "/ogc/collections/carriers/items?limit=5").await;
    assert_eq!(pages, 5);
    assert_eq!(features.len(), 23, "no carrier twice");
    assert_eq!(names(&features), everyone);
    let first = &features[0];
    assert_eq!(first["type"], "Feature");
    assert_eq!(first["geometry"]["type"], "Point");
    assert_eq!(first["properties"]["district"], "binhu");

    let expect = |keep: &dyn Fn(usize, &'static str, &'static str) -> bool| -> BTreeSet<String> {
        made.iter()
            .enumerate()
            .filter(|(n, c)| keep(*n, c.2, c.3))
            .map(|(_, c)| c.1.clone())
            .collect()
    };
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carriers/items?kind=INCUBATOR&limit=4",
    )
    .await;
    assert_eq!(names(&features), expect(&|_, kind, _| kind == "INCUBATOR"));
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carriers/items?district=binhu&kind=MAKERSPACE",
    )
    .await;
    assert_eq!(
        names(&features),
        expect(&|_, kind, code| kind == "MAKERSPACE" && code == "binhu")
    );
    let (features, _) = all_pages(&app, "/ogc/collections/carriers/items?level=CITY&limit=2").await;
    assert_eq!(names(&features), expect(&|n, _, _| n % 5 == 0));
    assert!(features.iter().all(|f| f["properties"]["level"] == "CITY"));

    // bbox, alone and with an attribute filter: points 0.002° apart from 120.30.
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carriers/items?bbox=120.3039,31.49,120.3121,31.51&limit=2",
    )
    .await;
    assert_eq!(names(&features), expect(&|n, _, _| (2..=6).contains(&n)));
    let (features, _) = all_pages(
        &app,
        "/ogc/collections/carriers/items?bbox=120.3039,31.49,120.3121,31.51&kind=MAKERSPACE",
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
            ("colour=red", "colour"),
        ],
    )
    .await;
}

async fn single_items_and_districts_are_served_under_the_same_tokens(app: TestApp) {
    let made = carriers(&app).await;
    let (_, _, page) = get(
        &app,
        Some(&app.admin_token),
        "/ogc/collections/carriers/items?limit=1",
    )
    .await;
    let feature = &page["features"][0];
    let id = feature["id"].as_i64().expect("an integer id");
    let viewer = app.token("看板", Role::Viewer, None).await;
    let item = single_item(&app, &viewer, "carriers", id).await;
    assert_eq!(item["properties"]["globalId"], made[0].0.as_str());
    assert_eq!(item["geometry"], feature["geometry"]);

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
    assert_eq!(stored["geometry"], boundary);
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
        assert_eq!(properties["openedOn"], "2023-03-01");
        assert!(properties["closedOn"].is_null());
        assert_eq!(properties["services"], json!(["中试熟化", "检验检测"]));
        match platform.host {
            Some(n) => {
                let (carrier, name, _, _, (lon, lat)) = &made[n];
                assert_eq!(properties["carrierId"], carrier.as_str());
                assert_eq!(properties["carrierName"], name.as_str());
                assert_eq!(feature["geometry"]["type"], "Point");
                assert_near(&feature["geometry"]["coordinates"], &[*lon, *lat]);
            }
            None => {
                assert_eq!(properties["carrierName"], "无址载体");
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

    // A single platform, under a viewer's token; unknown ones are 404.
    let viewer = app.token("看板", Role::Viewer, None).await;
    let number = features[5]["id"].as_i64().expect("an integer id");
    let item = single_item(&app, &viewer, "platforms", number).await;
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
        ],
    )
    .await;
}

on_both_databases!(
    the_landing_page_conformance_and_collections_lead_to_the_data,
    items_page_through_every_carrier_and_filter_by_attributes,
    single_items_and_districts_are_served_under_the_same_tokens,
    platforms_page_at_their_hosts_and_filter_by_attributes,
);
