//! Corrections in the open: space phases amended and voided with a reason,
//! on SQLite and PostgreSQL, through a real server.

mod common;

use common::{TestApp, error_code};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const AMEND: &str = "mutation($input: AmendSpacePhaseInput!) {
  amendSpacePhase(input: $input) { id areaM2 deliveredOn version voidedAt } }";
const VOID: &str = "mutation($input: VoidRecordInput!) {
  voidSpacePhase(input: $input) { id areaM2 version voidedAt voidReason } }";
const NEW_FLOOR_AREA: &str = r#"query($knownAt: DateTime) {
  goalProgress(knownAt: $knownAt) {
    asOf
    target(code: NEW_FLOOR_AREA) {
      actual
      contributors(first: 1) { nodes { carrier { id } } }
    }
  } }"#;
const PHASE: &str = "query($id: ID!) { node(id: $id) { ... on SpacePhase {
  areaM2 version voidedAt voidReason carrier { floorArea phases { id } all: phases(includeVoided: true) { id } } } } }";
const TRAIL: &str = "query($id: ID!) { auditEvents(first: 10, filter: { entityId: $id }) {
  nodes { operation reason before after } } }";

fn actual(progress: &Value) -> f64 {
    progress["goalProgress"]["target"]["actual"]
        .as_f64()
        .expect("an actual figure")
}

/// The 3,000,000 m² figure on the demo portfolio: a phase entered for the
/// largest contributor raises it, amending the phase moves it by the
/// difference, voiding it takes the phase out again; the audit trail says
/// why, and the figure as known before each correction stays what it was.
async fn correcting_a_phase_moves_the_floor_area_figure_and_the_trail_says_why(app: TestApp) {
    app.load_demo().await;
    let before = app.data(NEW_FLOOR_AREA, json!({})).await;
    let progress = &before["goalProgress"];
    let carrier = &progress["target"]["contributors"]["nodes"][0]["carrier"]["id"];
    let added = app
        .data(
            "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id areaM2 version } }",
            json!({ "input": { "carrierId": carrier, "areaM2": 1000.0, "deliveredOn": progress["asOf"],
                               "source": "NEW_BUILD", "label": "三期" } }),
        )
        .await;
    let phase = added["addSpacePhase"].clone();
    let entered = actual(&app.data(NEW_FLOOR_AREA, json!({})).await);
    assert!(
        (entered - actual(&before) - 1000.0).abs() < 0.01,
        "{} → {entered}",
        actual(&before)
    );
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let known_before = chrono::Utc::now().to_rfc3339();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    let amended = app
        .data(
            AMEND,
            json!({ "input": { "id": phase["id"], "version": phase["version"],
                               "areaM2": 1500.0, "reason": "竣工验收报告面积更正（锡科发〔2025〕12号）" } }),
        )
        .await;
    let read_at = phase["version"].as_i64().expect("a version");
    let version = amended["amendSpacePhase"]["version"].clone();
    assert_eq!(version, json!(read_at + 1));
    let after_amend = actual(&app.data(NEW_FLOOR_AREA, json!({})).await);
    assert!(
        (after_amend - entered - 500.0).abs() < 0.01,
        "{entered} → {after_amend}"
    );
    let area = 1500.0;

    // A stale version changes nothing.
    let stale = app
        .graphql(
            VOID,
            json!({ "input": { "id": phase["id"], "version": read_at, "reason": "重复录入" } }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");

    let voided = app
        .data(
            VOID,
            json!({ "input": { "id": phase["id"], "version": version, "reason": "重复录入" } }),
        )
        .await;
    assert_eq!(voided["voidSpacePhase"]["voidReason"], "重复录入");
    assert!(voided["voidSpacePhase"]["voidedAt"].is_string());
    let after_void = actual(&app.data(NEW_FLOOR_AREA, json!({})).await);
    assert!(
        (after_void - (after_amend - area)).abs() < 0.01
            && (after_void - actual(&before)).abs() < 0.01,
        "{after_amend} - {area} ≠ {after_void}"
    );
    let as_known = app
        .data(NEW_FLOOR_AREA, json!({ "knownAt": known_before }))
        .await;
    assert!((actual(&as_known) - entered).abs() < 0.01);

    // Kept and readable, with its reason, but no longer counted or listed.
    let read = app.data(PHASE, json!({ "id": phase["id"] })).await;
    let node = &read["node"];
    assert_eq!(node["voidReason"], "重复录入", "{read}");
    let listed = |key: &str| {
        node["carrier"][key]
            .as_array()
            .expect("phases")
            .iter()
            .any(|listed| listed["id"] == phase["id"])
    };
    assert!(!listed("phases") && listed("all"), "{read}");

    // Voided is final.
    let again = app
        .graphql(
            AMEND,
            json!({ "input": { "id": phase["id"], "version": read_at + 2, "areaM2": 10.0, "reason": "再改" } }),
        )
        .await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");

    let trail = app.data(TRAIL, json!({ "id": phase["id"] })).await;
    let events = trail["auditEvents"]["nodes"].as_array().expect("events");
    let of = |operation: &str| {
        events
            .iter()
            .find(|event| event["operation"] == operation)
            .unwrap_or_else(|| panic!("no {operation} event in {trail}"))
    };
    let amend = of("AMEND");
    assert_eq!(
        amend["reason"],
        "竣工验收报告面积更正（锡科发〔2025〕12号）"
    );
    assert_eq!(amend["before"]["area_m2"], json!(1000.0));
    assert_eq!(amend["after"]["area_m2"], json!(1500.0));
    assert_eq!(of("VOID")["reason"], "重复录入");
}

/// An operator's carrier of 1,000 m² (2022-01-01) and 500 m² (2022-06-01)
/// with a tenant of 800 m² from 2023: the phases' ids, the operator's token.
async fn leased_carrier(app: &TestApp) -> (String, String, String, String) {
    let operator = app.create_operator("更正运营", 310).await;
    let district = app.district_id("liangxi").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "name": "更正载体" }))
        .await;
    let large = app
        .add_phase(&carrier, 1000.0, "2022-01-01", "NEW_BUILD")
        .await;
    let small = app
        .add_phase(&carrier, 500.0, "2022-06-01", "NEW_BUILD")
        .await;
    let enterprise = app
        .data(
            "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }",
            json!({ "input": { "uscc": common::uscc(311), "name": "更正企业", "foundedOn": "2021-01-01" } }),
        )
        .await["registerEnterprise"]["id"]
        .clone();
    app.data(
        "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }",
        json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise,
                           "areaM2": 800.0, "movedInOn": "2023-01-01" } }),
    )
    .await;
    let token = app.token("更正运营", Role::Operator, Some(&operator)).await;
    (carrier, large, small, token)
}

async fn floor_area(app: &TestApp, carrier: &str) -> f64 {
    app.data(
        "query($id: ID!) { carrier(id: $id) { floorArea } }",
        json!({ "id": carrier }),
    )
    .await["carrier"]["floorArea"]
        .as_f64()
        .expect("a floor area")
}

/// Corrections follow the rules of creating: only the carrier's operator
/// (or ADMIN) corrects its phases, the tenants must still fit on every day,
/// a reason and something to change are required. A refused correction
/// writes nothing.
async fn corrections_keep_access_and_capacity_rules(app: TestApp) {
    let (carrier, large, small, own) = leased_carrier(&app).await;
    let stranger_operator = app.create_operator("旁人运营", 320).await;
    let stranger = app
        .token("旁人", Role::Operator, Some(&stranger_operator))
        .await;
    let viewer = app.token("大屏", Role::Viewer, None).await;
    let void =
        |id: &str, reason: &str| json!({ "input": { "id": id, "version": 1, "reason": reason } });
    for token in [&stranger, &viewer] {
        let body = app.graphql_as(token, VOID, void(&small, "不是我的")).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let refusals = [
        // 200 + 500 m² left for 800 m² leased.
        json!({ "id": large, "version": 1, "areaM2": 200.0, "reason": "面积录错" }),
        // Delivered after the tenant moved in: on 2023-01-01 only 500 m².
        json!({ "id": large, "version": 1, "deliveredOn": "2024-01-01", "reason": "日期录错" }),
        // Nothing to change.
        json!({ "id": large, "version": 1, "reason": "无内容" }),
        // No reason.
        json!({ "id": large, "version": 1, "areaM2": 1200.0, "reason": "  " }),
    ];
    for input in refusals {
        let body = app.graphql_as(&own, AMEND, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body}");
    }
    let body = app.graphql_as(&own, VOID, void(&large, "录错")).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(floor_area(&app, &carrier).await, 1500.0);
    let untouched = app.data(PHASE, json!({ "id": large })).await;
    assert_eq!(untouched["node"]["version"], 1, "{untouched}");

    // What fits is done, by the operator itself.
    let body = app.graphql_as(&own, VOID, void(&small, "重复录入")).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(floor_area(&app, &carrier).await, 1000.0);
    let body = app
        .graphql_as(
            &own,
            AMEND,
            json!({ "input": { "id": large, "version": 1, "areaM2": 800.0, "reason": "测绘报告" } }),
        )
        .await;
    assert_eq!(body["data"]["amendSpacePhase"]["areaM2"], 800.0, "{body}");
    assert_eq!(floor_area(&app, &carrier).await, 800.0);
}

const RECOGNITION_FIGURES: &str = r#"query($id: ID!, $knownAt: DateTime) {
  carrier(id: $id) { level(asOf: "2025-01-01")
    recognitions { id version } all: recognitions(includeVoided: true) { id voidReason } }
  carriers(filter: { levels: [CITY, PROVINCIAL], levelAsOf: "2025-01-01" }) { totalCount }
  goalProgress(knownAt: $knownAt, asOf: "2025-01-01") { target(code: NEW_CITY_LEVEL_CARRIERS) { actual } } }"#;

/// A recognition recorded by mistake: only ADMIN corrects it (as only ADMIN
/// records one); amended, the carrier holds the right level; voided, it
/// counts toward no level, no filter and no target, yet stays readable with
/// its reason, and the target as known before the void is unchanged.
async fn a_mistaken_recognition_is_amended_then_voided_by_the_bureau_only(app: TestApp) {
    let operator = app.create_operator("认定运营", 330).await;
    let district = app.district_id("liangxi").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "name": "认定载体" }))
        .await;
    app.add_phase(&carrier, 2000.0, "2023-01-01", "NEW_BUILD")
        .await;
    app.recognise(&carrier, "CITY", "2024-05-01").await;
    let figures = |known_at: Value| {
        let app = &app;
        let carrier = carrier.clone();
        async move {
            app.data(
                RECOGNITION_FIGURES,
                json!({ "id": carrier, "knownAt": known_at }),
            )
            .await
        }
    };
    let before = figures(Value::Null).await;
    assert_eq!(before["carrier"]["level"], "CITY", "{before}");
    assert_eq!(before["carriers"]["totalCount"], 1);
    assert_eq!(before["goalProgress"]["target"]["actual"], 1.0);
    let recognition = before["carrier"]["recognitions"][0].clone();

    let own = app.token("认定运营", Role::Operator, Some(&operator)).await;
    let amend = json!({ "input": { "id": recognition["id"], "version": recognition["version"],
                                   "level": "PROVINCIAL", "reason": "文件为省级认定（苏科高发〔2024〕88号）" } });
    let void = json!({ "input": { "id": recognition["id"], "version": 2, "reason": "该载体未获认定，误录" } });
    const AMEND_RECOGNITION: &str = "mutation($input: AmendLevelRecognitionInput!) {
      amendLevelRecognition(input: $input) { level version } }";
    const VOID_RECOGNITION: &str = "mutation($input: VoidRecordInput!) {
      voidLevelRecognition(input: $input) { voidedAt voidReason version } }";
    for (query, variables) in [(AMEND_RECOGNITION, &amend), (VOID_RECOGNITION, &void)] {
        let body = app.graphql_as(&own, query, variables.clone()).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }

    let amended = app.data(AMEND_RECOGNITION, amend).await;
    assert_eq!(amended["amendLevelRecognition"]["level"], "PROVINCIAL");
    assert_eq!(figures(Value::Null).await["carrier"]["level"], "PROVINCIAL");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let known_before = chrono::Utc::now().to_rfc3339();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    let voided = app.data(VOID_RECOGNITION, void).await;
    assert_eq!(voided["voidLevelRecognition"]["version"], 3);
    let after = figures(Value::Null).await;
    assert_eq!(after["carrier"]["level"], "NONE", "{after}");
    assert_eq!(after["carrier"]["recognitions"], json!([]));
    assert_eq!(
        after["carrier"]["all"][0]["voidReason"],
        "该载体未获认定，误录"
    );
    assert_eq!(after["carriers"]["totalCount"], 0);
    assert_eq!(after["goalProgress"]["target"]["actual"], 0.0);
    let as_known = figures(json!(known_before)).await;
    assert_eq!(
        as_known["goalProgress"]["target"]["actual"], 1.0,
        "{as_known}"
    );

    let trail = app.data(TRAIL, json!({ "id": recognition["id"] })).await;
    let operations: Vec<&Value> = trail["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| &event["operation"])
        .collect();
    assert_eq!(
        operations,
        [&json!("VOID"), &json!("AMEND"), &json!("CREATE")],
        "{trail}"
    );
}

const AMEND_TENANCY: &str = "mutation($input: AmendTenancyInput!) {
  amendTenancy(input: $input) { id areaM2 movedInOn movedOutOn incubationStartedOn version } }";
const VOID_TENANCY: &str = "mutation($input: VoidRecordInput!) {
  voidTenancy(input: $input) { id version voidedAt voidReason } }";
const OCCUPANCY: &str = r#"query($id: ID!, $on: Date!) { carrier(id: $id) {
  occupancy(asOf: $on) { leasedAreaM2 tenants }
  tenancies { id } all: tenancies(includeVoided: true) { id voidReason } } }"#;

/// An operator with its token, and a competing operator's token.
struct Rivals {
    operator: String,
    own: String,
    stranger: String,
}

/// [`Rivals`] named after `name`, their USCCs numbered from `n`.
async fn rivals(app: &TestApp, name: &str, n: u32) -> Rivals {
    let operator = app.create_operator(name, n).await;
    let own = app.token(name, Role::Operator, Some(&operator)).await;
    let stranger_operator = app.create_operator("旁人运营", n + 1).await;
    let stranger = app
        .token("旁人", Role::Operator, Some(&stranger_operator))
        .await;
    Rivals {
        operator,
        own,
        stranger,
    }
}

/// A tenancy is amended and voided under the rules of moving in: it must fit
/// the carrier's space, an area change stays whole, a void is final, and the
/// occupancy figures follow.
async fn a_tenancy_is_corrected_under_the_rules_of_moving_in(app: TestApp) {
    let Rivals {
        operator,
        own,
        stranger,
    } = rivals(&app, "租约更正运营", 330).await;
    let district = app.district_id("liangxi").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "kind": "INCUBATOR" }))
        .await;
    app.add_phase(&carrier, 1000.0, "2024-01-01", "NEW_BUILD")
        .await;
    let mut tenancies = Vec::new();
    for (n, area) in [(1u32, 400.0), (2, 300.0)] {
        let enterprise = app
            .data(
                "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }",
                json!({ "input": { "uscc": common::uscc(3300 + n), "name": format!("更正企业{n}"),
                                   "foundedOn": "2023-06-01" } }),
            )
            .await["registerEnterprise"]["id"]
            .clone();
        let moved = app
            .data(
                "mutation($input: MoveInInput!) { moveIn(input: $input) { id version } }",
                json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise, "areaM2": area,
                                   "movedInOn": "2024-03-01" } }),
            )
            .await["moveIn"]
            .clone();
        tenancies.push(moved);
    }
    let (first, second) = (tenancies[0].clone(), tenancies[1].clone());
    let occupancy = |on: &'static str| {
        let app = &app;
        let carrier = carrier.clone();
        async move {
            app.data(OCCUPANCY, json!({ "id": carrier, "on": on }))
                .await["carrier"]
                .clone()
        }
    };
    assert_eq!(
        occupancy("2024-06-01").await["occupancy"],
        json!({ "leasedAreaM2": 700.0, "tenants": 2 })
    );

    // What would not fit is refused and writes nothing; a stranger may not.
    let too_large = json!({ "input": { "id": first["id"], "version": 1, "areaM2": 800.0, "reason": "按合同更正" } });
    let body = app.graphql_as(&own, AMEND_TENANCY, too_large.clone()).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = app.graphql_as(&stranger, AMEND_TENANCY, too_large).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    let amended = app
        .graphql_as(
            &own,
            AMEND_TENANCY,
            json!({ "input": { "id": first["id"], "version": 1, "areaM2": 450.0,
                               "movedInOn": "2024-02-01", "reason": "按租赁合同更正" } }),
        )
        .await;
    let amended = &amended["data"]["amendTenancy"];
    assert_eq!(amended["movedInOn"], "2024-02-01", "{amended}");
    assert_eq!(amended["incubationStartedOn"], "2024-02-01");
    assert_eq!(
        occupancy("2024-02-15").await["occupancy"],
        json!({ "leasedAreaM2": 450.0, "tenants": 1 })
    );

    // Voided: counted nowhere, still readable, final.
    let voided = app
        .graphql_as(
            &own,
            VOID_TENANCY,
            json!({ "input": { "id": second["id"], "version": second["version"], "reason": "企业未实际入驻" } }),
        )
        .await;
    assert_eq!(
        voided["data"]["voidTenancy"]["voidReason"], "企业未实际入驻",
        "{voided}"
    );
    let after = occupancy("2024-06-01").await;
    assert_eq!(
        after["occupancy"],
        json!({ "leasedAreaM2": 450.0, "tenants": 1 })
    );
    assert_eq!(after["tenancies"], json!([{ "id": first["id"] }]));
    assert_eq!(after["all"][1]["voidReason"], "企业未实际入驻", "{after}");
    let version = voided["data"]["voidTenancy"]["version"].clone();
    for (query, input) in [
        (
            VOID_TENANCY,
            json!({ "id": second["id"], "version": version, "reason": "再次作废" }),
        ),
        (
            "mutation($input: MoveOutInput!) { moveOut(input: $input) { id } }",
            json!({ "id": second["id"], "version": version, "movedOutOn": "2024-09-01" }),
        ),
    ] {
        let body = app.graphql(query, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "CONFLICT", "{body}");
    }
    // Its space is free again: the first tenancy may now grow into it.
    let grown = app
        .data(
            AMEND_TENANCY,
            json!({ "input": { "id": first["id"], "version": amended["version"], "areaM2": 900.0,
                               "reason": "按补充协议更正" } }),
        )
        .await["amendTenancy"]
        .clone();

    // An area change stays whole: its first part is corrected after its continuation.
    let continued = app
        .data(
            "mutation($input: ChangeTenancyAreaInput!) { changeTenancyArea(input: $input) { id version } }",
            json!({ "input": { "id": first["id"], "version": grown["version"], "areaM2": 500.0,
                               "effectiveOn": "2024-09-01" } }),
        )
        .await["changeTenancyArea"]
        .clone();
    let first_part = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Tenancy { version } } }",
            json!({ "id": first["id"] }),
        )
        .await["node"]["version"]
        .clone();
    let body = app
        .graphql(
            VOID_TENANCY,
            json!({ "input": { "id": first["id"], "version": first_part, "reason": "录错" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .graphql(
            AMEND_TENANCY,
            json!({ "input": { "id": first["id"], "version": first_part, "movedOutOn": "2024-10-01",
                               "reason": "录错" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    app.data(
        VOID_TENANCY,
        json!({ "input": { "id": continued["id"], "version": continued["version"], "reason": "面积未变更" } }),
    )
    .await;
    let reopened = app
        .data(
            AMEND_TENANCY,
            json!({ "input": { "id": first["id"], "version": first_part, "movedOutOn": null,
                               "reason": "面积未变更，租约延续" } }),
        )
        .await;
    assert_eq!(reopened["amendTenancy"]["movedOutOn"], Value::Null);
    assert_eq!(
        occupancy("2025-01-01").await["occupancy"],
        json!({ "leasedAreaM2": 900.0, "tenants": 1 })
    );
    let trail = app.data(TRAIL, json!({ "id": second["id"] })).await;
    assert_eq!(trail["auditEvents"]["nodes"][0]["operation"], "VOID");
    assert_eq!(trail["auditEvents"]["nodes"][0]["reason"], "企业未实际入驻");
}

/// Platforms, teams, facilities and funds: a correction by update carries a reason
/// and is audited as AMEND; a void takes the record out of every figure and
/// list but its carrier's `includeVoided`, for good.
async fn support_records_are_amended_with_a_reason_and_voided(app: TestApp) {
    let Rivals {
        operator,
        own,
        stranger,
    } = rivals(&app, "配套更正运营", 340).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "kind": "INCUBATOR", "statusSince": "2024-01-01" }),
        )
        .await;
    let platform = app
        .data(
            "mutation($input: CreatePlatformInput!) { createPlatform(input: $input) { id version } }",
            json!({ "input": { "carrierId": carrier, "name": "公共检测平台", "kind": "TESTING_INSPECTION",
                               "openedOn": "2024-03-01", "services": ["检测"] } }),
        )
        .await["createPlatform"]
        .clone();
    let team = app
        .data(
            "mutation($input: CreateOperatingTeamInput!) { createOperatingTeam(input: $input) { id version } }",
            json!({ "input": { "carrierId": carrier, "name": "运营团队", "staffCount": 6, "mentorCount": 3,
                               "formedOn": "2024-01-01" } }),
        )
        .await["createOperatingTeam"]
        .clone();
    let team = app
        .data(
            "mutation($input: RecogniseProfessionalTeamInput!) { recogniseProfessionalTeam(input: $input) { id version } }",
            json!({ "input": { "id": team["id"], "version": team["version"], "recognisedOn": "2025-03-01" } }),
        )
        .await["recogniseProfessionalTeam"]
        .clone();
    let facility = app
        .data(
            "mutation($input: CreateFacilityInput!) { createFacility(input: $input) { id version } }",
            json!({ "input": { "carrierId": carrier, "kind": "CANTEEN", "openedOn": "2024-01-01" } }),
        )
        .await["createFacility"]
        .clone();
    let fund = app
        .data(
            "mutation($input: CreateFundInput!) { createFund(input: $input) { id version } }",
            json!({ "input": { "name": "天使基金", "manager": "无锡创投", "size": "5000000",
                               "establishedOn": "2024-01-01", "carrierIds": [carrier] } }),
        )
        .await["createFund"]
        .clone();
    const FIGURES: &str = r#"query($id: ID!) {
      platforms: goalProgress { target(code: CARRIER_PLATFORMS) { actual } }
      teams: goalProgress { target(code: OPERATING_TEAMS) { actual } }
      list: platforms(first: 10) { totalCount }
      fundList: funds(first: 10) { totalCount }
      carrier(id: $id) { platforms { id } operatingTeams { id } facilities { id } funds { id }
        compliance { criteria { criterion satisfied } }
        allPlatforms: platforms(includeVoided: true) { id voidReason } } }"#;
    let fund_criterion = |figures: &Value| {
        figures["carrier"]["compliance"]["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .find(|criterion| criterion["criterion"] == "INVESTMENT_FUND")
            .expect("the fund criterion")["satisfied"]
            .clone()
    };
    let before = app.data(FIGURES, json!({ "id": carrier })).await;
    assert_eq!(before["platforms"]["target"]["actual"], 1.0, "{before}");
    assert_eq!(before["teams"]["target"]["actual"], 1.0);
    assert_eq!(fund_criterion(&before), true, "{before}");

    // A correction through update, with its reason.
    let body = app
        .graphql_as(
            &own,
            "mutation($input: UpdatePlatformInput!) { amendPlatform(input: $input) { version } }",
            json!({ "input": { "id": platform["id"], "version": platform["version"], "name": "无因更名" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let renamed = app
        .graphql_as(
            &own,
            "mutation($input: UpdatePlatformInput!) { amendPlatform(input: $input) { version } }",
            json!({ "input": { "id": platform["id"], "version": platform["version"], "name": "公共检测服务平台",
                               "reason": "名称以批复文件为准" } }),
        )
        .await;
    let version = renamed["data"]["amendPlatform"]["version"].clone();
    assert!(version.is_number(), "{renamed}");
    let trail = app.data(TRAIL, json!({ "id": platform["id"] })).await;
    assert_eq!(trail["auditEvents"]["nodes"][0]["operation"], "AMEND");
    assert_eq!(
        trail["auditEvents"]["nodes"][0]["reason"],
        "名称以批复文件为准"
    );

    // Voided by its own operator only, once; it counts and lists nowhere after.
    const VOID_PLATFORM: &str = "mutation($input: VoidRecordInput!) { voidPlatform(input: $input) { voidedAt voidReason } }";
    let input =
        json!({ "input": { "id": platform["id"], "version": version, "reason": "重复录入" } });
    let body = app
        .graphql_as(&stranger, VOID_PLATFORM, input.clone())
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app.graphql_as(&own, VOID_PLATFORM, input.clone()).await;
    assert_eq!(
        body["data"]["voidPlatform"]["voidReason"], "重复录入",
        "{body}"
    );
    let body = app.graphql_as(&own, VOID_PLATFORM, input).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    for (query, input) in [
        (
            "mutation($input: VoidRecordInput!) { voidOperatingTeam(input: $input) { voidedAt } }",
            json!({ "id": team["id"], "version": team["version"], "reason": "该团队未实际组建" }),
        ),
        (
            "mutation($input: VoidRecordInput!) { voidFacility(input: $input) { voidedAt } }",
            json!({ "id": facility["id"], "version": facility["version"], "reason": "重复录入" }),
        ),
        (
            "mutation($input: VoidRecordInput!) { voidFund(input: $input) { voidedAt } }",
            json!({ "id": fund["id"], "version": fund["version"], "reason": "基金未设立" }),
        ),
    ] {
        let body = app.graphql_as(&own, query, json!({ "input": input })).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let after = app.data(FIGURES, json!({ "id": carrier })).await;
    assert_eq!(after["platforms"]["target"]["actual"], 0.0, "{after}");
    assert_eq!(after["teams"]["target"]["actual"], 0.0);
    assert_eq!(after["list"]["totalCount"], 0);
    assert_eq!(after["fundList"]["totalCount"], 0);
    assert_eq!(fund_criterion(&after), false, "{after}");
    let listed = &after["carrier"];
    assert_eq!(listed["platforms"], json!([]));
    assert_eq!(listed["operatingTeams"], json!([]));
    assert_eq!(listed["facilities"], json!([]));
    assert_eq!(listed["funds"], json!([]));
    assert_eq!(listed["allPlatforms"][0]["voidReason"], "重复录入");
    let body = app
        .graphql_as(
            &own,
            "mutation($input: UpdatePlatformInput!) { updatePlatform(input: $input) { version } }",
            json!({ "input": { "id": platform["id"], "version": 3, "name": "复活" } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
}

/// A qualification is corrected by the enterprise's custodian (or ADMIN)
/// only; voided, it meets no graduation route and stays readable.
async fn a_qualification_is_corrected_by_its_custodian(app: TestApp) {
    let Rivals {
        operator,
        own,
        stranger,
    } = rivals(&app, "资质更正运营", 350).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "kind": "INCUBATOR" }))
        .await;
    app.add_phase(&carrier, 1000.0, "2023-01-01", "NEW_BUILD")
        .await;
    let enterprise = app
        .graphql_as(
            &own,
            "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }",
            json!({ "input": { "uscc": common::uscc(3501), "name": "资质企业", "foundedOn": "2023-01-01" } }),
        )
        .await["data"]["registerEnterprise"]["id"]
        .clone();
    let tenancy = app
        .graphql_as(
            &own,
            "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }",
            json!({ "input": { "carrierId": carrier, "enterpriseId": enterprise, "areaM2": 200.0,
                               "movedInOn": "2023-03-01" } }),
        )
        .await["data"]["moveIn"]["id"]
        .clone();
    let qualification = app
        .graphql_as(
            &own,
            "mutation($input: RecordQualificationInput!) { recordQualification(input: $input) { id version validUntil } }",
            json!({ "input": { "enterpriseId": enterprise, "kind": "HIGH_TECH", "validFrom": "2024-11-01",
                               "certificateNumber": "GR202432000001" } }),
        )
        .await["data"]["recordQualification"]
        .clone();
    const DUE: &str = r#"query($id: ID!) { node(id: $id) { ... on Tenancy {
      clocks(asOf: "2025-06-01") { graduationDue }
      enterprise { qualifications { id } all: qualifications(includeVoided: true) { voidReason } } } } }"#;
    let due = || {
        let (app, tenancy) = (&app, tenancy.clone());
        async move { app.data(DUE, json!({ "id": tenancy })).await["node"].clone() }
    };
    let before = due().await;
    assert_eq!(
        before["clocks"]["graduationDue"],
        json!(["HIGH_TECH_RECOGNISED"]),
        "{before}"
    );

    const AMEND_QUALIFICATION: &str = "mutation($input: AmendQualificationInput!) {
      amendQualification(input: $input) { validFrom validUntil certificateNumber version } }";
    let amend = json!({ "input": { "id": qualification["id"], "version": 1, "validFrom": "2024-12-01",
                                   "reason": "以证书为准" } });
    let body = app
        .graphql_as(&stranger, AMEND_QUALIFICATION, amend.clone())
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(
            &own,
            AMEND_QUALIFICATION,
            json!({ "input": { "id": qualification["id"], "version": 1, "validUntil": "2024-01-01",
                               "reason": "以证书为准" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let amended = app.graphql_as(&own, AMEND_QUALIFICATION, amend).await;
    let amended = &amended["data"]["amendQualification"];
    assert_eq!(amended["validFrom"], "2024-12-01", "{amended}");
    assert_eq!(amended["validUntil"], qualification["validUntil"]);

    let voided = app
        .graphql_as(
            &own,
            "mutation($input: VoidRecordInput!) { voidQualification(input: $input) { voidedAt voidReason } }",
            json!({ "input": { "id": qualification["id"], "version": amended["version"], "reason": "证书号属另一企业" } }),
        )
        .await;
    assert_eq!(
        voided["data"]["voidQualification"]["voidReason"], "证书号属另一企业",
        "{voided}"
    );
    let after = due().await;
    assert_eq!(after["clocks"]["graduationDue"], json!([]), "{after}");
    assert_eq!(after["enterprise"]["qualifications"], json!([]));
    assert_eq!(
        after["enterprise"]["all"][0]["voidReason"],
        "证书号属另一企业"
    );
    let trail = app.data(TRAIL, json!({ "id": qualification["id"] })).await;
    let operations: Vec<&Value> = trail["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| &event["operation"])
        .collect();
    assert_eq!(
        operations,
        [&json!("VOID"), &json!("AMEND"), &json!("CREATE")],
        "{trail}"
    );
}

on_both_databases!(
    correcting_a_phase_moves_the_floor_area_figure_and_the_trail_says_why,
    corrections_keep_access_and_capacity_rules,
    a_mistaken_recognition_is_amended_then_voided_by_the_bureau_only,
    a_tenancy_is_corrected_under_the_rules_of_moving_in,
    support_records_are_amended_with_a_reason_and_voided,
    a_qualification_is_corrected_by_its_custodian,
);
