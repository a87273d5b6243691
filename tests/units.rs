//! 房源: buildings, floors and units, the tenancies that let them, the
//! vacancy map and occupancy by building and floor, on SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;

use common::{TestApp, error_code, uscc};
use futures_util::future::join_all;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const ADD_BUILDING: &str = "mutation($input: AddBuildingInput!) { addBuilding(input: $input) { id name version footprintArea } }";
const AMEND_BUILDING: &str = "mutation($input: AmendBuildingInput!) { amendBuilding(input: $input) { id name version footprint } }";
const ADD_UNIT: &str = "mutation($input: AddUnitInput!) { addUnit(input: $input) { id code floor areaM2 unitUse status version } }";
const AMEND_UNIT: &str =
    "mutation($input: AmendUnitInput!) { amendUnit(input: $input) { id areaM2 status version } }";
const SET_UNITS: &str =
    "mutation($input: SetTenancyUnitsInput!) { setTenancyUnits(input: $input) { id version } }";
const REGISTER: &str =
    "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";
const MOVE_IN: &str = "mutation($input: MoveInInput!) { moveIn(input: $input) { id version } }";

/// A rectangle of about 100 m by 50 m in Wuxi, as a GeoJSON Polygon.
fn footprint() -> Value {
    json!({ "type": "Polygon", "coordinates": [[
        [120.3000, 31.5000], [120.3010, 31.5000], [120.3010, 31.5005], [120.3000, 31.5005], [120.3000, 31.5000]
    ]] })
}

/// An incubator of a new operator with a phase of `area` m² delivered in
/// 2022; the operator, the carrier and the phase.
async fn incubator(app: &TestApp, n: u32, area: f64) -> (String, String, String) {
    let operator = app.create_operator(&format!("房源运营{n}"), 900 + n).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": format!("房源载体{n}"), "kind": "INCUBATOR" }),
        )
        .await;
    let phase = app
        .add_phase(&carrier, area, "2022-01-01", "NEW_BUILD")
        .await;
    (operator, carrier, phase)
}

async fn building(app: &TestApp, carrier: &str, name: &str) -> String {
    let input = json!({ "carrierId": carrier, "name": name });
    app.data(ADD_BUILDING, json!({ "input": input })).await["addBuilding"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

fn unit_input(building: &str, phase: &str, code: &str, floor: i32, area: f64) -> Value {
    json!({ "input": { "buildingId": building, "spacePhaseId": phase, "code": code,
                       "floor": floor, "areaM2": area, "unitUse": "OFFICE" } })
}

async fn unit(
    app: &TestApp,
    building: &str,
    phase: &str,
    code: &str,
    floor: i32,
    area: f64,
) -> String {
    app.data(ADD_UNIT, unit_input(building, phase, code, floor, area))
        .await["addUnit"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

async fn enterprise(app: &TestApp, n: u32) -> String {
    let input =
        json!({ "uscc": uscc(n), "name": format!("房源企业{n}"), "foundedOn": "2021-01-01" });
    app.data(REGISTER, json!({ "input": input })).await["registerEnterprise"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// A tenancy of a new enterprise; its id and version.
async fn tenancy(
    app: &TestApp,
    carrier: &str,
    n: u32,
    area: f64,
    moved_in: &str,
    moved_out: Option<&str>,
) -> (String, i64) {
    let enterprise = enterprise(app, n).await;
    let input = json!({ "carrierId": carrier, "enterpriseId": enterprise, "areaM2": area,
                        "movedInOn": moved_in, "movedOutOn": moved_out });
    let moved = app.data(MOVE_IN, json!({ "input": input })).await;
    (
        moved["moveIn"]["id"].as_str().expect("an id").to_owned(),
        moved["moveIn"]["version"].as_i64().expect("a version"),
    )
}

async fn set_units(app: &TestApp, tenancy: &str, version: i64, units: &[&str]) -> Value {
    let input = json!({ "tenancyId": tenancy, "version": version, "unitIds": units });
    app.graphql(SET_UNITS, json!({ "input": input })).await
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn units_are_carved_out_of_a_delivered_phase_and_cannot_exceed_it(app: TestApp) {
    let (_, carrier, phase) = incubator(&app, 1, 1000.0).await;
    let planned = app
        .add_phase(&carrier, 500.0, "2030-01-01", "NEW_BUILD")
        .await;
    let (_, elsewhere, foreign_phase) = incubator(&app, 2, 1000.0).await;
    let input = json!({ "carrierId": carrier, "name": "A栋", "footprint": footprint() });
    let added = app.data(ADD_BUILDING, json!({ "input": input })).await;
    let building = added["addBuilding"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let footprint_area = added["addBuilding"]["footprintArea"]
        .as_f64()
        .expect("an area");
    assert!((4000.0..6000.0).contains(&footprint_area), "{added}");
    // A second building of the same name in the carrier is a CONFLICT, not in another carrier.
    let again = app
        .graphql(
            ADD_BUILDING,
            json!({ "input": { "carrierId": carrier, "name": "A栋" } }),
        )
        .await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
    building_as_admin(&app, &elsewhere).await;

    unit(&app, &building, &phase, "101", 1, 600.0).await;
    let last = unit(&app, &building, &phase, "102", 1, 400.0).await;
    // The phase is full: 0.01 m² more is refused with the figures, in both languages.
    let over = app
        .graphql(ADD_UNIT, unit_input(&building, &phase, "103", 1, 0.01))
        .await;
    assert_eq!(error_code(&over), "BAD_USER_INPUT", "{over}");
    assert!(message(&over).contains("1000.01"), "{over}");
    assert!(message(&over).contains("1000.00"), "{over}");
    let zh: Value = reqwest::Client::new()
        .post(app.graphql_url())
        .bearer_auth(&app.admin_token)
        .json(&json!({ "query": ADD_UNIT, "variables": unit_input(&building, &phase, "103", 1, 0.01) }))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert!(message(&zh).contains("超出分期面积"), "{zh}");
    // Not a delivered phase; another carrier's phase; floor 0; a code taken.
    let planned_unit = app
        .graphql(ADD_UNIT, unit_input(&building, &planned, "201", 2, 10.0))
        .await;
    assert_eq!(
        error_code(&planned_unit),
        "BAD_USER_INPUT",
        "{planned_unit}"
    );
    let foreign = app
        .graphql(
            ADD_UNIT,
            unit_input(&building, &foreign_phase, "201", 2, 10.0),
        )
        .await;
    assert_eq!(error_code(&foreign), "BAD_USER_INPUT", "{foreign}");
    let ground = app
        .graphql(ADD_UNIT, unit_input(&building, &phase, "001", 0, 1.0))
        .await;
    assert_eq!(error_code(&ground), "BAD_USER_INPUT", "{ground}");
    let taken = app
        .graphql(ADD_UNIT, unit_input(&building, &phase, "101", 1, 1.0))
        .await;
    assert_eq!(error_code(&taken), "CONFLICT", "{taken}");
    assert_eq!(app.count_rows("unit").await, 2);

    // Amending with the version read; a stale version is a CONFLICT.
    let amend = json!({ "input": { "id": last, "version": 1, "areaM2": 300.0, "status": "UNDER_RENOVATION" } });
    let amended = app.data(AMEND_UNIT, amend.clone()).await;
    assert_eq!(amended["amendUnit"]["version"], 2);
    assert_eq!(amended["amendUnit"]["areaM2"], 300.0);
    assert_eq!(amended["amendUnit"]["status"], "UNDER_RENOVATION");
    let stale = app.graphql(AMEND_UNIT, amend).await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    let grow = json!({ "input": { "id": last, "version": 2, "areaM2": 400.01 } });
    assert_eq!(
        error_code(&app.graphql(AMEND_UNIT, grow).await),
        "BAD_USER_INPUT"
    );
    let renamed = app
        .data(
            AMEND_BUILDING,
            json!({ "input": { "id": building, "version": 1, "name": "A座", "footprint": null } }),
        )
        .await;
    assert_eq!(renamed["amendBuilding"]["version"], 2);
    assert_eq!(renamed["amendBuilding"]["footprint"], Value::Null);

    // The phase cannot shrink below its units, nor be voided under them.
    let shrink =
        "mutation($input: AmendSpacePhaseInput!) { amendSpacePhase(input: $input) { id } }";
    let body = app
        .graphql(
            shrink,
            json!({ "input": { "id": phase, "version": 1, "reason": "按竣工图", "areaM2": 899.0 } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let void = "mutation($input: VoidRecordInput!) { voidSpacePhase(input: $input) { id } }";
    let body = app
        .graphql(
            void,
            json!({ "input": { "id": phase, "version": 1, "reason": "重复录入" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");

    // Every write left its audit event.
    let events = app
        .data(
            r#"{ auditEvents(first: 50, filter: { entityType: "Unit" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(events["auditEvents"]["totalCount"], 3, "{events}");
}

async fn an_operator_writes_only_its_own_carriers_inventory(app: TestApp) {
    let (mine, carrier, phase) = incubator(&app, 3, 1000.0).await;
    let (theirs, other_carrier, _) = incubator(&app, 4, 1000.0).await;
    let token = app.token("房源运营", Role::Operator, Some(&mine)).await;
    let input = json!({ "input": { "carrierId": carrier, "name": "1号楼" } });
    let body = app.graphql_as(&token, ADD_BUILDING, input).await;
    let building = body["data"]["addBuilding"]["id"].clone();
    assert!(building.is_string(), "{body}");
    let body = app
        .graphql_as(
            &token,
            ADD_UNIT,
            unit_input(building.as_str().expect("id"), &phase, "101", 1, 50.0),
        )
        .await;
    assert!(body["data"]["addUnit"]["id"].is_string(), "{body}");
    let input = json!({ "input": { "carrierId": other_carrier, "name": "1号楼" } });
    let refused = app.graphql_as(&token, ADD_BUILDING, input).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let theirs_building = building_as_admin(&app, &other_carrier).await;
    let foreign_token = app.token("他家运营", Role::Operator, Some(&theirs)).await;
    let refused = app
        .graphql_as(
            &foreign_token,
            ADD_UNIT,
            unit_input(building.as_str().expect("id"), &phase, "102", 1, 50.0),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let refused = app
        .graphql_as(
            &token,
            AMEND_BUILDING,
            json!({ "input": { "id": theirs_building, "version": 1, "name": "改名" } }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    assert_eq!(app.count_rows("unit").await, 1);
}

async fn building_as_admin(app: &TestApp, carrier: &str) -> String {
    building(app, carrier, "他家楼").await
}

async fn a_unit_is_let_to_one_tenancy_at_a_time(app: TestApp) {
    let (_, carrier, phase) = incubator(&app, 5, 1000.0).await;
    let (_, other_carrier, other_phase) = incubator(&app, 6, 1000.0).await;
    let building_id = building(&app, &carrier, "B栋").await;
    let room = unit(&app, &building_id, &phase, "301", 3, 120.0).await;
    let other_building = building(&app, &other_carrier, "B栋").await;
    let foreign = unit(&app, &other_building, &other_phase, "301", 3, 120.0).await;

    let (first, version) =
        tenancy(&app, &carrier, 501, 120.0, "2023-01-01", Some("2024-01-01")).await;
    let named = set_units(&app, &first, version, &[&room]).await;
    assert_eq!(
        named["data"]["setTenancyUnits"]["version"],
        version + 1,
        "{named}"
    );
    let stale = set_units(&app, &first, version, &[&room]).await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");

    let (second, second_version) = tenancy(&app, &carrier, 502, 120.0, "2023-06-01", None).await;
    let clash = set_units(&app, &second, second_version, &[&room]).await;
    assert_eq!(error_code(&clash), "CONFLICT", "{clash}");
    assert!(message(&clash).contains("301"), "{clash}");
    let not_ours = set_units(&app, &second, second_version, &[&foreign]).await;
    assert_eq!(error_code(&not_ours), "BAD_USER_INPUT", "{not_ours}");

    // From the day the first moves out, the unit is free.
    let (third, third_version) = tenancy(&app, &carrier, 503, 120.0, "2024-01-01", None).await;
    let named = set_units(&app, &third, third_version, &[&room]).await;
    assert!(named.get("errors").is_none(), "{named}");
    // Correcting the first to stay longer would let the unit twice.
    let amend = "mutation($input: AmendTenancyInput!) { amendTenancy(input: $input) { id } }";
    let longer = app
        .graphql(
            amend,
            json!({ "input": { "id": first, "version": version + 1, "reason": "按合同",
                               "movedOutOn": "2024-06-01" } }),
        )
        .await;
    assert_eq!(error_code(&longer), "CONFLICT", "{longer}");

    // A change of area hands the units on to the tenancy that continues.
    let change =
        "mutation($input: ChangeTenancyAreaInput!) { changeTenancyArea(input: $input) { id } }";
    let continued = app
        .data(
            change,
            json!({ "input": { "id": third, "version": third_version + 1, "areaM2": 100.0,
                               "effectiveOn": "2025-01-01" } }),
        )
        .await["changeTenancyArea"]["id"]
        .clone();
    // Moving in may name units at once, by the same rule.
    let second_room = unit(&app, &building_id, &phase, "302", 3, 80.0).await;
    let move_in =
        "mutation($input: MoveInInput!) { moveIn(input: $input) { id units { id code } } }";
    let input = |enterprise: &str| {
        json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise,
                           "areaM2": 80.0, "movedInOn": "2024-02-01", "unitIds": [second_room] } })
    };
    let (first_tenant, second_tenant) = (enterprise(&app, 504).await, enterprise(&app, 505).await);
    let moved = app.data(move_in, input(&first_tenant)).await;
    assert_eq!(
        moved["moveIn"]["units"],
        json!([{ "id": second_room, "code": "302" }])
    );
    let tenancies_before = app.count_rows("tenancy").await;
    let twice = app.graphql(move_in, input(&second_tenant)).await;
    assert_eq!(error_code(&twice), "CONFLICT", "{twice}");
    assert_eq!(app.count_rows("tenancy").await, tenancies_before);

    let lets = r#"query($id: ID!) { node(id: $id) { ... on Unit {
        in2023: tenancy(asOf: "2023-03-01") { id }
        in2024: tenancy(asOf: "2024-03-01") { id }
        in2025: tenancy(asOf: "2025-03-01") { id } } } }"#;
    let data = app.data(lets, json!({ "id": room })).await;
    assert_eq!(data["node"]["in2023"]["id"], first.as_str());
    assert_eq!(data["node"]["in2024"]["id"], third.as_str());
    assert_eq!(data["node"]["in2025"]["id"], continued);
}

/// Ten tenancies of one carrier, all in force, ask for the same unit at once:
/// it is let to exactly one, the others get CONFLICT.
async fn simultaneous_bookings_let_a_unit_once(app: TestApp) {
    const AT_ONCE: u32 = 10;
    let (_, carrier, phase) = incubator(&app, 7, 10_000.0).await;
    let building_id = building(&app, &carrier, "C栋").await;
    for round in 0..3u32 {
        let room = unit(&app, &building_id, &phase, &format!("R{round}"), 1, 50.0).await;
        let mut tenancies = Vec::new();
        for i in 0..AT_ONCE {
            tenancies.push(
                tenancy(
                    &app,
                    &carrier,
                    600 + round * 20 + i,
                    50.0,
                    "2023-01-01",
                    None,
                )
                .await,
            );
        }
        let rooms = [room.as_str()];
        let answers = join_all(
            tenancies
                .iter()
                .map(|(id, version)| set_units(&app, id, *version, &rooms)),
        )
        .await;
        let succeeded = answers.iter().filter(|a| a.get("errors").is_none()).count();
        assert_eq!(succeeded, 1, "round {round}: {answers:#?}");
        for refused in answers.iter().filter(|a| a.get("errors").is_some()) {
            assert_eq!(error_code(refused), "CONFLICT", "{refused}");
        }
    }
    assert_eq!(app.count_rows("tenancy_unit").await, 3);
}

/// The vacancy map of one carrier (房态图), with occupancy by building and floor.
const MAP: &str = r#"query($id: ID!, $on: Date!) { carrier(id: $id) {
  id
  occupancy(asOf: $on) { leasedAreaM2 leasableAreaM2 }
  buildings { name
    occupancy(asOf: $on) { unitCount letCount unitAreaM2 letAreaM2 rate }
    floors { number
      occupancy(asOf: $on) { unitCount letCount unitAreaM2 letAreaM2 }
      units { id code areaM2 tenancy(asOf: $on) { id areaM2 enterprise { name } } } } }
} }"#;

/// The same for a page of carriers, lighter so that a few fit in the
/// complexity limit (each carrier is assumed to hold 1,000 units).
const MAPS: &str = r#"query($first: Int!, $on: Date!) { carriers(first: $first) { nodes {
  buildings { occupancy(asOf: $on) { rate }
    floors { occupancy(asOf: $on) { letAreaM2 } units { code tenancy(asOf: $on) { areaM2 } } } }
} } }"#;

/// `carriers` carriers, each with two buildings of two floors of three
/// units of 100 m² (the whole of its phase), half the units let, each
/// tenancy naming its unit and leasing its area.
async fn vacancy_maps(app: &TestApp, carriers: u32) {
    for c in 0..carriers {
        let (_, carrier, phase) = incubator(app, 10 + c, 1200.0).await;
        for b in ["A栋", "B栋"] {
            let building_id = building(app, &carrier, b).await;
            for floor in 1..=2 {
                for n in 1..=3 {
                    let code = format!("{floor}0{n}");
                    let room = unit(app, &building_id, &phase, &code, floor, 100.0).await;
                    if n != 2 {
                        let seq = 1000
                            + c * 100
                            + u32::from(b == "B栋") * 10
                            + u32::try_from(floor * 3 + n).expect("small");
                        let (id, version) =
                            tenancy(app, &carrier, seq, 100.0, "2023-01-01", None).await;
                        let named = set_units(app, &id, version, &[&room]).await;
                        assert!(named.get("errors").is_none(), "{named}");
                    }
                }
            }
        }
    }
}

async fn the_vacancy_map_and_occupancy_agree_with_the_carrier(app: TestApp) {
    vacancy_maps(&app, 1).await;
    let page = app
        .data("{ carriers(first: 1) { nodes { id } } }", json!({}))
        .await;
    let id = page["carriers"]["nodes"][0]["id"].clone();
    let data = app.data(MAP, json!({ "id": id, "on": "2024-01-01" })).await;
    let carrier = &data["carrier"];
    let mut let_by_units = 0.0;
    let mut unit_area = 0.0;
    for building in carrier["buildings"].as_array().expect("buildings") {
        let mut floors_let = 0.0;
        for floor in building["floors"].as_array().expect("floors") {
            let units = floor["units"].as_array().expect("units");
            let let_here: f64 = units
                .iter()
                .filter(|unit| !unit["tenancy"].is_null())
                .map(|unit| unit["areaM2"].as_f64().expect("area"))
                .sum();
            let area_here: f64 = units
                .iter()
                .map(|u| u["areaM2"].as_f64().expect("area"))
                .sum();
            assert_eq!(
                floor["occupancy"]["letAreaM2"].as_f64(),
                Some(let_here),
                "{floor}"
            );
            assert_eq!(
                floor["occupancy"]["unitAreaM2"].as_f64(),
                Some(area_here),
                "{floor}"
            );
            floors_let += let_here;
            unit_area += area_here;
        }
        assert_eq!(
            building["occupancy"]["letAreaM2"].as_f64(),
            Some(floors_let),
            "{building}"
        );
        let_by_units += floors_let;
    }
    // Every tenancy names its unit and leases its area, and the units fill
    // the phase: by units and by area, the same figures.
    assert_eq!(
        carrier["occupancy"]["leasedAreaM2"].as_f64(),
        Some(let_by_units)
    );
    assert_eq!(
        carrier["occupancy"]["leasableAreaM2"].as_f64(),
        Some(unit_area)
    );
    assert_eq!(let_by_units, 800.0);

    // vacantUnits: the units with no tenancy on the date, of the area asked.
    let vacant = r#"query($id: ID!, $on: Date!, $min: Float!) { vacantUnits(carrierId: $id, asOf: $on, minAreaM2: $min) { id code } }"#;
    let listed = app
        .data(vacant, json!({ "id": id, "on": "2024-01-01", "min": 50.0 }))
        .await;
    let expected: Vec<&Value> = carrier["buildings"]
        .as_array()
        .expect("buildings")
        .iter()
        .flat_map(|b| b["floors"].as_array().expect("floors").iter())
        .flat_map(|f| f["units"].as_array().expect("units").iter())
        .filter(|u| u["tenancy"].is_null())
        .map(|u| &u["id"])
        .collect();
    let got: Vec<&Value> = listed["vacantUnits"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|u| &u["id"])
        .collect();
    assert_eq!(got, expected);
    let none = app
        .data(
            vacant,
            json!({ "id": id, "on": "2024-01-01", "min": 100.01 }),
        )
        .await;
    assert_eq!(none["vacantUnits"], json!([]));
    let before = app
        .data(vacant, json!({ "id": id, "on": "2022-06-01", "min": 0.0 }))
        .await;
    assert_eq!(before["vacantUnits"].as_array().map(Vec::len), Some(12));
    let bad = app
        .graphql(vacant, json!({ "id": id, "on": "2024-01-01", "min": -1.0 }))
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT", "{bad}");
}

async fn vacancy_maps_cost_the_same_statements_for_1_and_3_carriers(app: TestApp) {
    vacancy_maps(&app, 3).await;
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for first in [1, 3] {
        app.reset_statement_count();
        let data = app
            .data(MAPS, json!({ "first": first, "on": "2024-01-01" }))
            .await;
        let nodes = data["carriers"]["nodes"].as_array().expect("nodes");
        assert_eq!(nodes.len(), first);
        let units: usize = nodes
            .iter()
            .flat_map(|c| c["buildings"].as_array().expect("buildings").iter())
            .flat_map(|b| b["floors"].as_array().expect("floors").iter())
            .map(|f| f["units"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(units, 12 * first);
        counts.insert(first, app.statements().len());
    }
    assert_eq!(
        counts[&1], counts[&3],
        "statements for 1 and 3 carriers: {counts:?}"
    );
}

/// The demo gives every carrier with delivered space a building per phase
/// and units within it, some named by tenancies in force.
async fn the_demo_has_units_for_every_carrier_with_space(app: TestApp) {
    use entity::{building, carrier, space_phase, tenancy, tenancy_unit, unit};
    use sea_orm::EntityTrait;
    app.load_demo().await;
    let today = zaiti::store::today();
    let carriers = carrier::Entity::find()
        .all(&app.db)
        .await
        .expect("carriers");
    let phases = space_phase::Entity::find()
        .all(&app.db)
        .await
        .expect("phases");
    let buildings = building::Entity::find()
        .all(&app.db)
        .await
        .expect("buildings");
    let units = unit::Entity::find().all(&app.db).await.expect("units");
    let links = tenancy_unit::Entity::find()
        .all(&app.db)
        .await
        .expect("links");
    let tenancies: HashMap<i32, tenancy::Model> = tenancy::Entity::find()
        .all(&app.db)
        .await
        .expect("tenancies")
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut with_space = 0;
    for carrier in &carriers {
        let delivered: Vec<&space_phase::Model> = phases
            .iter()
            .filter(|p| {
                p.carrier_id == carrier.id && p.voided_at.is_none() && p.delivered_on <= today
            })
            .collect();
        if delivered.is_empty() {
            continue;
        }
        with_space += 1;
        assert!(
            buildings.iter().any(|b| b.carrier_id == carrier.id),
            "carrier {} has space but no building",
            carrier.name
        );
        for phase in delivered {
            let carved: f64 = units
                .iter()
                .filter(|u| u.space_phase_id == phase.id)
                .map(|u| u.area_m2)
                .sum();
            assert!(
                carved <= phase.area_m2 + 1e-6,
                "phase {}: {carved}",
                phase.id
            );
        }
    }
    assert!(with_space > 50, "{with_space} carriers with space");
    let named_in_force = links
        .iter()
        .filter(|link| {
            let row = &tenancies[&link.tenancy_id];
            row.moved_in_on <= today && row.moved_out_on.is_none_or(|out| today < out)
        })
        .count();
    assert!(
        named_in_force > 100,
        "{named_in_force} units named by tenancies in force"
    );
    assert!(units.len() > links.len(), "some units are vacant");
    // Loading again writes nothing more.
    app.load_demo().await;
    assert_eq!(
        app.count_rows("unit").await,
        i64::try_from(units.len()).expect("small")
    );
}

/// The sample file imports into the demo data with the command the README
/// shows; a second run is refused row by row and writes nothing; a bad file
/// gets every bad cell by row and column, and nothing is written.
async fn units_import_from_a_spreadsheet_all_or_nothing(app: TestApp) {
    app.load_demo().await;
    let before = app.count_rows("unit").await;
    let run = |file: &str| app.cli(&["import", "units", file]);
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/units.csv");
    let rows = std::fs::read_to_string(sample)
        .expect("the sample")
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .count();
    let done = run(sample);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains(&format!("{rows} units written")));
    let written = before + i64::try_from(rows).expect("small");
    assert_eq!(app.count_rows("unit").await, written);
    let again = run(sample);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(
        stderr.matches("already has a unit coded").count(),
        rows,
        "{stderr}"
    );
    assert_eq!(app.count_rows("unit").await, written);

    // Every bad cell, by row and column; the good rows are not written either.
    let bad = "载体ID,楼栋,楼层,房号,面积,用途\n1,新楼,1,101,50,办公\n1,新楼,0,102,50,办公\n1,新楼,2,201,-3,宿舍\n1,新楼,1,101,20,办公\n9999,新楼,1,101,20,办公\n1,新楼,3,301,99999999,办公\n";
    let plan = zaiti::import::units::plan("bad.csv", bad.as_bytes()).expect("readable");
    let found: Vec<(u32, Option<String>)> = plan
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (3, Some("楼层".to_owned())),
            (4, Some("面积".to_owned())),
            (4, Some("用途".to_owned())),
            (5, Some("房号".to_owned())),
            (7, Some("面积".to_owned())),
        ],
        "{:#?}",
        plan.errors
    );
    let actor = zaiti::domain::access::Actor::system("test import");
    let summary = zaiti::import::units::run(&app.db, &actor, plan, false)
        .await
        .expect("runs");
    assert!(!summary.outcome.committed);
    // Rows the store refuses (a carrier that does not exist, a phase too
    // small) are listed too, and nothing is written.
    let refused = "carrier_id,building,floor,code,area_m2,use\n1,新楼,1,101,50,OFFICE\n9999,新楼,1,101,20,OFFICE\n2,新楼,1,101,999999,OFFICE\n";
    let plan = zaiti::import::units::plan("refused.csv", refused.as_bytes()).expect("readable");
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let summary = zaiti::import::units::run(&app.db, &actor, plan, false)
        .await
        .expect("runs");
    let rows: Vec<u32> = summary.outcome.errors.iter().map(|e| e.row).collect();
    assert_eq!(rows, [3, 4], "{:#?}", summary.outcome.errors);
    assert!(!summary.outcome.committed);
    assert_eq!(app.count_rows("unit").await, written);
}

on_both_databases!(
    units_import_from_a_spreadsheet_all_or_nothing,
    the_demo_has_units_for_every_carrier_with_space,
    units_are_carved_out_of_a_delivered_phase_and_cannot_exceed_it,
    an_operator_writes_only_its_own_carriers_inventory,
    a_unit_is_let_to_one_tenancy_at_a_time,
    simultaneous_bookings_let_a_unit_once,
    the_vacancy_map_and_occupancy_agree_with_the_carrier,
    vacancy_maps_cost_the_same_statements_for_1_and_3_carriers,
);
