//! 入驻申请: entry applications over HTTP, their states, the pre-checks shown
//! to the reviewer, approval into a unit (once), simultaneous decisions, who
//! sees what (APPLICANT tokens included), on SQLite and PostgreSQL.

mod common;

use common::{TestApp, error_code, uscc};
use futures_util::future::join_all;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const FIELDS: &str = "id status statusZh version carrierName enterpriseName contactPhone \
    wantedAreaM2 wantedMoveInOn decisionReason carrier { id } \
    preChecks { kind passed reasonEn reasonZh } \
    tenancy { id areaM2 movedInOn units { code } } enterprise { uscc name }";

fn submit_query() -> String {
    format!(
        "mutation($input: SubmitApplicationInput!) {{ submitApplication(input: $input) {{ {FIELDS} }} }}"
    )
}

fn step_query(mutation: &str, input: &str) -> String {
    format!("mutation($input: {input}!) {{ {mutation}(input: $input) {{ {FIELDS} }} }}")
}

/// An incubator of a new operator, leading industry IOT, with a phase of
/// `area` m² delivered in 2022 and a building with units 101 (100 m²) and
/// 102 (200 m²): the operator, the carrier, the two units.
async fn incubator(app: &TestApp, n: u32, area: f64) -> (String, String, [String; 2]) {
    let operator = app.create_operator(&format!("申请运营{n}"), 700 + n).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": format!("申请载体{n}"), "kind": "INCUBATOR", "leadingIndustries": ["IOT"] }),
        )
        .await;
    let phase = app
        .add_phase(&carrier, area, "2022-01-01", "NEW_BUILD")
        .await;
    let building = app
        .data(
            "mutation($input: AddBuildingInput!) { addBuilding(input: $input) { id } }",
            json!({ "input": { "carrierId": carrier, "name": "A栋" } }),
        )
        .await["addBuilding"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let mut units = Vec::new();
    for (code, size) in [("101", 100.0), ("102", 200.0)] {
        let input = json!({ "buildingId": building, "spacePhaseId": phase, "code": code,
                            "floor": 1, "areaM2": size, "unitUse": "OFFICE" });
        let added = app
            .data(
                "mutation($input: AddUnitInput!) { addUnit(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await;
        units.push(added["addUnit"]["id"].as_str().expect("an id").to_owned());
    }
    let units: [String; 2] = units.try_into().expect("two units");
    (operator, carrier, units)
}

/// An application form for `carrier` by enterprise `n`.
fn form(carrier: &str, n: u32, units: &[&str], area: f64) -> Value {
    json!({ "input": {
        "carrierId": carrier, "enterpriseName": format!("申请企业{n}"), "uscc": uscc(5000 + n),
        "foundedOn": "2025-03-01", "industry": "IOT", "headcount": 12,
        "contactPerson": "李明", "contactPhone": "0510-85001234",
        "wantedAreaM2": area, "wantedUnitIds": units, "wantedMoveInOn": "2026-01-01",
        "businessDescription": "物联网传感器研发 / IoT sensors",
    } })
}

async fn submit_as(app: &TestApp, secret: &str, input: Value) -> Value {
    app.graphql_as(secret, &submit_query(), input).await
}

/// Submits `input` as ADMIN; the application.
async fn submit(app: &TestApp, input: Value) -> Value {
    app.data(&submit_query(), input).await["submitApplication"].clone()
}

/// Takes `step` (a mutation name) on `application` as `secret`; the whole answer.
async fn step_as(
    app: &TestApp,
    secret: &str,
    mutation: &str,
    application: &Value,
    reason: Option<&str>,
) -> Value {
    let input_type = match mutation {
        "startEntryApplicationReview" | "confirmEntryApplicationMoveIn" => {
            "EntryApplicationStepInput"
        }
        "approveEntryApplication" => "ApproveEntryApplicationInput",
        _ => "EndEntryApplicationInput",
    };
    let mut input = json!({ "id": application["id"], "version": application["version"] });
    if let Some(reason) = reason {
        input["reason"] = json!(reason);
    }
    app.graphql_as(
        secret,
        &step_query(mutation, input_type),
        json!({ "input": input }),
    )
    .await
}

async fn step(app: &TestApp, mutation: &str, application: &Value, reason: Option<&str>) -> Value {
    step_as(app, &app.admin_token, mutation, application, reason).await
}

/// Takes `step` as ADMIN, which must succeed; the application after.
async fn stepped(
    app: &TestApp,
    mutation: &str,
    application: &Value,
    reason: Option<&str>,
) -> Value {
    let body = step(app, mutation, application, reason).await;
    assert!(body.get("errors").is_none(), "{mutation}: {body}");
    body["data"][mutation].clone()
}

fn check<'a>(application: &'a Value, kind: &str) -> &'a Value {
    application["preChecks"]
        .as_array()
        .expect("pre-checks")
        .iter()
        .find(|check| check["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} check in {application}"))
}

async fn an_application_goes_through_its_states(app: TestApp) {
    let (_, carrier, [unit_101, _]) = incubator(&app, 1, 1000.0).await;
    let submitted = submit(&app, form(&carrier, 1, &[&unit_101], 100.0)).await;
    assert_eq!(submitted["status"], "SUBMITTED", "{submitted}");
    assert_eq!(submitted["statusZh"], "已提交");
    assert_eq!(submitted["carrierName"], "申请载体1");
    assert!(submitted["tenancy"].is_null());
    // Deciding before review, or confirming an arrival before approval, is CONFLICT.
    let early = step(&app, "approveEntryApplication", &submitted, None).await;
    assert_eq!(error_code(&early), "CONFLICT", "{early}");
    let early = step(&app, "confirmEntryApplicationMoveIn", &submitted, None).await;
    assert_eq!(error_code(&early), "CONFLICT", "{early}");
    let reviewing = stepped(&app, "startEntryApplicationReview", &submitted, None).await;
    assert_eq!(reviewing["status"], "UNDER_REVIEW");
    // A stale version is CONFLICT.
    let stale = step(&app, "approveEntryApplication", &submitted, None).await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    // A rejection needs a reason, in both languages.
    let no_reason = step(&app, "rejectEntryApplication", &reviewing, Some("  ")).await;
    assert_eq!(error_code(&no_reason), "BAD_USER_INPUT", "{no_reason}");
    let extensions = &no_reason["errors"][0]["extensions"];
    assert!(
        extensions["messageZh"]
            .as_str()
            .is_some_and(|m| m.contains("理由")),
        "{no_reason}"
    );
    assert!(
        extensions["messageEn"]
            .as_str()
            .is_some_and(|m| m.contains("reason")),
        "{no_reason}"
    );
    // Approval moves the enterprise in, registered by its USCC, into the unit.
    let approved = stepped(&app, "approveEntryApplication", &reviewing, Some("同意")).await;
    assert_eq!(approved["status"], "APPROVED", "{approved}");
    assert_eq!(approved["decisionReason"], "同意");
    assert_eq!(approved["tenancy"]["areaM2"], 100.0);
    assert_eq!(approved["tenancy"]["movedInOn"], "2026-01-01");
    assert_eq!(approved["tenancy"]["units"][0]["code"], "101");
    assert_eq!(approved["enterprise"]["uscc"], uscc(5001));
    // Deciding twice is CONFLICT, either way.
    for again in ["approveEntryApplication", "rejectEntryApplication"] {
        let twice = step(&app, again, &approved, Some("再次")).await;
        assert_eq!(error_code(&twice), "CONFLICT", "{twice}");
    }
    let arrived = stepped(&app, "confirmEntryApplicationMoveIn", &approved, None).await;
    assert_eq!(arrived["status"], "MOVED_IN");
    assert_eq!(arrived["statusZh"], "已入驻");
    // Another is rejected with its reason, a third withdrawn.
    let second = submit(&app, form(&carrier, 2, &[], 50.0)).await;
    let second = stepped(&app, "startEntryApplicationReview", &second, None).await;
    let rejected = stepped(&app, "rejectEntryApplication", &second, Some("材料不全")).await;
    assert_eq!(rejected["status"], "REJECTED");
    assert_eq!(rejected["decisionReason"], "材料不全");
    assert!(rejected["tenancy"].is_null());
    let third = submit(&app, form(&carrier, 3, &[], 50.0)).await;
    let withdrawn = stepped(
        &app,
        "withdrawEntryApplication",
        &third,
        Some("企业另选场地"),
    )
    .await;
    assert_eq!(withdrawn["status"], "WITHDRAWN");
    let after = step(&app, "startEntryApplicationReview", &withdrawn, None).await;
    assert_eq!(error_code(&after), "CONFLICT", "{after}");
    // Every step is in the audit trail: 3 submissions, 4 + 2 + 1 steps.
    let events = app
        .data(
            "{ auditEvents(first: 100) { nodes { entityType operation reason } } }",
            json!({}),
        )
        .await;
    let ours: Vec<&Value> = events["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["entityType"] == "EntryApplication")
        .collect();
    assert_eq!(ours.len(), 3 + 3 + 2 + 1, "{ours:#?}");
    assert!(
        ours.iter()
            .any(|event| event["operation"] == "REJECT" && event["reason"] == "材料不全")
    );
}

async fn pre_checks_inform_and_an_approval_is_all_or_nothing(app: TestApp) {
    let (_, carrier, [unit_101, unit_102]) = incubator(&app, 2, 1000.0).await;
    // Unit 101 is let from 2025 to a tenant already there.
    let tenant = app
        .data(
            "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }",
            json!({ "input": { "uscc": uscc(4000), "name": "在孵企业", "foundedOn": "2024-01-01" } }),
        )
        .await["registerEnterprise"]["id"]
        .clone();
    app.data(
        "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }",
        json!({ "input": { "carrierId": carrier, "enterpriseId": tenant, "areaM2": 100.0,
                           "movedInOn": "2025-01-01", "unitIds": [unit_101] } }),
    )
    .await;
    let good = submit(&app, form(&carrier, 10, &[&unit_102], 200.0)).await;
    for kind in ["FOUNDED_WITHIN_WINDOW", "LEADING_INDUSTRY", "SPACE_FREE"] {
        assert_eq!(check(&good, kind)["passed"], true, "{kind}: {good}");
    }
    // Founded 30 months before moving in, in another industry, wanting a let unit.
    let mut input = form(&carrier, 11, &[&unit_101], 100.0);
    input["input"]["foundedOn"] = json!("2023-07-01");
    input["input"]["industry"] = json!("QUANTUM");
    let poor = submit(&app, input).await;
    let founded = check(&poor, "FOUNDED_WITHIN_WINDOW");
    assert_eq!(founded["passed"], false, "{poor}");
    assert!(
        founded["reasonZh"]
            .as_str()
            .is_some_and(|r| r.contains("24")),
        "{founded}"
    );
    let industry = check(&poor, "LEADING_INDUSTRY");
    assert_eq!(industry["passed"], false);
    assert!(
        industry["reasonZh"]
            .as_str()
            .is_some_and(|r| r.contains("物联网")),
        "{industry}"
    );
    let space = check(&poor, "SPACE_FREE");
    assert_eq!(space["passed"], false);
    assert!(
        space["reasonEn"]
            .as_str()
            .is_some_and(|r| r.contains("101")),
        "{space}"
    );
    // Without units, the area is checked against what the carrier has free.
    let mut input = form(&carrier, 12, &[], 950.0);
    input["input"]["foundedOn"] = json!("2025-06-01");
    let too_big = submit(&app, input).await;
    assert_eq!(check(&too_big, "SPACE_FREE")["passed"], false, "{too_big}");
    // The founding and industry checks inform; the space check binds,
    // through the tenancy rules, and the application stays as it was.
    let poor = stepped(&app, "startEntryApplicationReview", &poor, None).await;
    let refused = step(&app, "approveEntryApplication", &poor, None).await;
    assert_eq!(error_code(&refused), "CONFLICT", "{refused}");
    let too_big = stepped(&app, "startEntryApplicationReview", &too_big, None).await;
    let refused = step(&app, "approveEntryApplication", &too_big, None).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    let queue = app
        .data(
            &format!("query($c: ID!) {{ entryApplications(carrierId: $c, status: UNDER_REVIEW) {{ totalCount nodes {{ {FIELDS} }} }} }}"),
            json!({ "c": carrier }),
        )
        .await;
    let nodes = queue["entryApplications"]["nodes"]
        .as_array()
        .expect("nodes");
    assert_eq!(nodes.len(), 2, "{queue}");
    for node in nodes {
        assert!(node["tenancy"].is_null() && node["decisionReason"].is_null());
        assert_eq!(node["version"], 2, "{node}");
    }
    assert_eq!(app.count_rows("tenancy").await, 1);
    // The poorly matched applicant may still be approved into a free unit
    // when the reviewer so decides: checks inform.
    let mut input = form(&carrier, 13, &[&unit_102], 200.0);
    input["input"]["industry"] = json!("QUANTUM");
    let other = submit(&app, input).await;
    let other = stepped(&app, "startEntryApplicationReview", &other, None).await;
    let approved = stepped(&app, "approveEntryApplication", &other, None).await;
    assert_eq!(approved["status"], "APPROVED");
}

async fn a_unit_is_approved_once(app: TestApp) {
    let (_, carrier, [unit_101, _]) = incubator(&app, 3, 1000.0).await;
    let first = submit(&app, form(&carrier, 20, &[&unit_101], 100.0)).await;
    let second = submit(&app, form(&carrier, 21, &[&unit_101], 100.0)).await;
    let first = stepped(&app, "startEntryApplicationReview", &first, None).await;
    let second = stepped(&app, "startEntryApplicationReview", &second, None).await;
    assert_eq!(check(&second, "SPACE_FREE")["passed"], true);
    stepped(&app, "approveEntryApplication", &first, None).await;
    let double = step(&app, "approveEntryApplication", &second, None).await;
    assert_eq!(error_code(&double), "CONFLICT", "{double}");
    assert!(
        double["errors"][0]["extensions"]["messageZh"]
            .as_str()
            .is_some_and(|m| m.contains("101")),
        "{double}"
    );
    // The second is still under review, and now shows why.
    let queue = app
        .data(
            &format!("query($c: ID!) {{ entryApplications(carrierId: $c, status: UNDER_REVIEW) {{ nodes {{ {FIELDS} }} }} }}"),
            json!({ "c": carrier }),
        )
        .await;
    let waiting = &queue["entryApplications"]["nodes"][0];
    assert_eq!(waiting["id"], second["id"]);
    assert_eq!(check(waiting, "SPACE_FREE")["passed"], false, "{waiting}");
    // Nor does the unit go to an enterprise moved in directly.
    assert_eq!(app.count_rows("tenancy_unit").await, 1);
}

async fn simultaneous_decisions_decide_once(app: TestApp) {
    const AT_ONCE: usize = 10;
    let (operator, carrier, [unit_101, _]) = incubator(&app, 4, 1000.0).await;
    let reviewer = app.token("审核员", Role::Operator, Some(&operator)).await;
    for round in 0..2u32 {
        let submitted = submit(&app, form(&carrier, 30 + round, &[&unit_101], 100.0)).await;
        let reviewing = stepped(&app, "startEntryApplicationReview", &submitted, None).await;
        let answers = join_all((0..AT_ONCE).map(|i| {
            let (mutation, reason) = if i % 2 == 0 {
                ("approveEntryApplication", None)
            } else {
                ("rejectEntryApplication", Some("不符合条件"))
            };
            step_as(&app, &reviewer, mutation, &reviewing, reason)
        }))
        .await;
        let succeeded: Vec<&Value> = answers
            .iter()
            .filter(|answer| answer.get("errors").is_none())
            .collect();
        assert_eq!(succeeded.len(), 1, "round {round}: {answers:#?}");
        for refused in answers.iter().filter(|a| a.get("errors").is_some()) {
            assert_eq!(error_code(refused), "CONFLICT", "{refused}");
        }
    }
    // At most one tenancy holds the unit, whichever decisions won.
    assert!(app.count_rows("tenancy_unit").await <= 1);
    let decided = app
        .data(
            "query($c: ID!) { entryApplications(carrierId: $c) { nodes { status tenancy { id } } } }",
            json!({ "c": carrier }),
        )
        .await;
    let nodes = decided["entryApplications"]["nodes"]
        .as_array()
        .expect("nodes");
    let approved = nodes.iter().filter(|n| n["status"] == "APPROVED").count();
    assert_eq!(
        app.count_rows("tenancy").await,
        i64::try_from(approved).expect("small")
    );
    for node in nodes {
        assert_eq!(
            node["status"] == "APPROVED",
            !node["tenancy"].is_null(),
            "{node}"
        );
    }
}

async fn who_sees_what(app: TestApp) {
    let (operator, carrier, [unit_101, _]) = incubator(&app, 5, 1000.0).await;
    let (other_operator, other_carrier, _) = incubator(&app, 6, 1000.0).await;
    let own = app.token("本运营", Role::Operator, Some(&operator)).await;
    let other = app
        .token("他运营", Role::Operator, Some(&other_operator))
        .await;
    let bureau = app.token("局", Role::Bureau, None).await;
    let viewer = app.token("看板", Role::Viewer, None).await;
    // The public form's token, issued by the CLI.
    let operator_db_id = zaiti::graphql::node::expect(
        "operator",
        &async_graphql::ID(operator.clone()),
        zaiti::graphql::node::NodeType::Operator,
    )
    .expect("an operator ID")
    .to_string();
    let out = app.cli_stdout(&[
        "token",
        "create",
        "--name",
        "入驻申请表",
        "--role",
        "applicant",
        "--operator",
        &operator_db_id,
    ]);
    let applicant = String::from_utf8(out).expect("text").trim().to_owned();
    let second_form = app
        .token("另一申请表", Role::Applicant, Some(&operator))
        .await;
    // An applicant token without an operator is refused.
    let unscoped = app.cli(&["token", "create", "--name", "x", "--role", "applicant"]);
    assert!(!unscoped.status.success());

    let mine = submit_as(&app, &applicant, form(&carrier, 40, &[&unit_101], 100.0)).await;
    assert!(mine.get("errors").is_none(), "{mine}");
    let mine = &mine["data"]["submitApplication"];
    assert!(
        mine["carrier"].is_null() && mine["preChecks"].is_null(),
        "{mine}"
    );
    submit(&app, form(&carrier, 41, &[], 50.0)).await;
    submit(&app, form(&other_carrier, 42, &[], 50.0)).await;
    // An applicant or operator token applies only to its operator's carriers.
    for secret in [&applicant, &own] {
        let elsewhere = submit_as(&app, secret, form(&other_carrier, 43, &[], 50.0)).await;
        assert_eq!(error_code(&elsewhere), "FORBIDDEN", "{elsewhere}");
    }
    for secret in [&bureau, &viewer] {
        let refused = submit_as(&app, secret, form(&carrier, 44, &[], 50.0)).await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    }

    let list = "{ entryApplications { totalCount nodes { enterpriseName contactPhone } } }";
    for (who, secret, expected) in [
        ("admin", &app.admin_token, 3),
        ("own operator", &own, 2),
        ("other operator", &other, 1),
        ("bureau", &bureau, 0),
        ("viewer", &viewer, 0),
    ] {
        let body = app.graphql_as(secret, list, json!({})).await;
        assert!(body.get("errors").is_none(), "{who}: {body}");
        assert_eq!(
            body["data"]["entryApplications"]["totalCount"], expected,
            "{who}: {body}"
        );
        let nodes = body["data"]["entryApplications"]["nodes"]
            .as_array()
            .expect("nodes");
        assert_eq!(nodes.len(), expected, "{who}");
        if who == "other operator" {
            assert_eq!(nodes[0]["enterpriseName"], "申请企业42");
        }
    }
    // node(id) shows an application to exactly those who list it; to others
    // it is null, as an application that does not exist.
    let id = mine["id"].as_str().expect("an id");
    let node = "query($id: ID!) { node(id: $id) { ... on EntryApplication { enterpriseName } } }";
    for (who, secret, reads) in [
        ("admin", &app.admin_token, true),
        ("own operator", &own, true),
        ("other operator", &other, false),
        ("bureau", &bureau, false),
        ("viewer", &viewer, false),
    ] {
        let body = app.graphql_as(secret, node, json!({ "id": id })).await;
        assert!(body.get("errors").is_none(), "{who}: {body}");
        assert_eq!(!body["data"]["node"].is_null(), reads, "{who}: {body}");
    }
    // Other operators cannot see, hence not decide; readers cannot write.
    let not_theirs = step_as(&app, &other, "startEntryApplicationReview", mine, None).await;
    assert_eq!(error_code(&not_theirs), "NOT_FOUND", "{not_theirs}");
    for secret in [&bureau, &viewer, &applicant] {
        let refused = step_as(&app, secret, "startEntryApplicationReview", mine, None).await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    }
    let taken = step_as(&app, &own, "startEntryApplicationReview", mine, None).await;
    assert!(taken.get("errors").is_none(), "{taken}");

    // The applicant reads back its own application, told its state, and nothing else.
    let my = "{ myApplications { totalCount nodes { enterpriseName status contactPhone carrierName carrier { id } preChecks { kind } submittedBy tenancy { id } } } }";
    let body = app.graphql_as(&applicant, my, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let nodes = &body["data"]["myApplications"];
    assert_eq!(nodes["totalCount"], 1, "{body}");
    let node = &nodes["nodes"][0];
    assert_eq!(node["enterpriseName"], "申请企业40");
    assert_eq!(node["status"], "UNDER_REVIEW");
    assert_eq!(node["carrierName"], "申请载体5");
    assert!(
        node["carrier"].is_null() && node["preChecks"].is_null() && node["submittedBy"].is_null()
    );
    let body = app.graphql_as(&second_form, my, json!({})).await;
    assert_eq!(body["data"]["myApplications"]["totalCount"], 0, "{body}");

    // Every other root field is refused to an APPLICANT token.
    let carrier_arg = json!({ "c": carrier });
    let refused_fields = [
        "{ carriers { totalCount } }",
        "query($c: ID!) { carrier(id: $c) { name } }",
        "query($c: ID!) { node(id: $c) { id } }",
        "query($c: ID!) { nodes(ids: [$c]) { id } }",
        "{ enterprises { totalCount } }",
        "{ enterprise(uscc: \"91320214M0005040\") { name } }",
        "{ operators { totalCount } }",
        "{ districts { code } }",
        "{ auditEvents { totalCount } }",
        "{ entryApplications { totalCount } }",
        "{ designationRequests { totalCount } }",
        "query($c: ID!) { vacantUnits(carrierId: $c) { code } }",
        "{ goalProgress { __typename } }",
        "{ occupancySummary(groupBy: DISTRICT) { __typename } }",
        "{ complianceRules { __typename } }",
        "{ reportingPeriods { year } }",
        "{ __schema { queryType { name } } }",
        "query($c: ID!) { myApplications { totalCount } carrier(id: $c) { name } }",
        "mutation { moveOut(input: { id: \"x\", version: 1, movedOutOn: \"2026-01-01\" }) { id } }",
        "mutation { createOperator(input: { name: \"x\", uscc: \"x\", ownership: OTHER }) { id } }",
    ];
    for query in refused_fields {
        let response = app
            .client
            .post(app.graphql_url())
            .bearer_auth(&applicant)
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": carrier_arg }))
            .send()
            .await
            .expect("an answer");
        let status = response.status();
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(status, 200, "{query}: {body}");
        let codes: Vec<&str> = body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["extensions"]["code"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert!(codes.contains(&"FORBIDDEN"), "{query}: {body}");
        let data = &body["data"];
        for field in [
            "carriers",
            "carrier",
            "node",
            "nodes",
            "enterprises",
            "enterprise",
            "operators",
            "districts",
        ] {
            assert!(data[field].is_null(), "{query}: {body}");
        }
    }
    // Nor through OGC API Features or a WebSocket.
    let ogc = app
        .client
        .get(format!("{}/ogc/collections/carriers/items", app.base_url))
        .bearer_auth(&applicant)
        .send()
        .await
        .expect("an answer");
    assert_eq!(ogc.status(), 403);
    assert_eq!(websocket_close_code(&app, &applicant).await, Some(4403));
}

/// The close code the server answers `connection_init` with for `token`, if it closes.
async fn websocket_close_code(app: &TestApp, token: &str) -> Option<u16> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;

    let url = format!("{}/graphql", app.base_url.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the server upgrades to a WebSocket");
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("sent");
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("an answer in time")?
            .ok()?;
        match message {
            Message::Close(frame) => return frame.map(|frame| u16::from(frame.code)),
            Message::Text(text) => assert!(!text.contains("connection_ack"), "{text}"),
            _ => {}
        }
    }
}

/// A page of applications with every nested field costs the same statements for 1 and 3.
async fn nested_fields_cost_the_same_statements_for_1_and_3_applications(app: TestApp) {
    let (_, carrier, [unit_101, unit_102]) = incubator(&app, 7, 1000.0).await;
    let (_, other_carrier, [other_unit, _]) = incubator(&app, 8, 1000.0).await;
    let first = submit(&app, form(&carrier, 50, &[&unit_101], 100.0)).await;
    let first = stepped(&app, "startEntryApplicationReview", &first, None).await;
    stepped(&app, "approveEntryApplication", &first, None).await;
    submit(&app, form(&carrier, 51, &[&unit_102], 200.0)).await;
    submit(&app, form(&other_carrier, 52, &[&other_unit], 100.0)).await;
    let page = format!(
        "query($n: Int!) {{ entryApplications(first: $n) {{ nodes {{ {FIELDS} wantedUnits {{ code }} carrier {{ name }} }} }} }}"
    );
    let mut counts = Vec::new();
    for n in [1, 3] {
        app.reset_statement_count();
        let data = app.data(&page, json!({ "n": n })).await;
        assert_eq!(
            data["entryApplications"]["nodes"]
                .as_array()
                .expect("nodes")
                .len(),
            n
        );
        counts.push(app.statements().len());
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
}

async fn the_demo_has_applications_in_every_state(app: TestApp) {
    app.load_demo().await;
    let data = app
        .data(
            &format!("{{ entryApplications(first: 100) {{ totalCount nodes {{ {FIELDS} }} }} }}"),
            json!({}),
        )
        .await;
    let nodes = data["entryApplications"]["nodes"]
        .as_array()
        .expect("nodes");
    for status in [
        "SUBMITTED",
        "UNDER_REVIEW",
        "APPROVED",
        "REJECTED",
        "WITHDRAWN",
        "MOVED_IN",
    ] {
        assert!(
            nodes.iter().any(|node| node["status"] == status),
            "no {status} application in the demo"
        );
    }
    for node in nodes {
        let approved = node["status"] == "APPROVED" || node["status"] == "MOVED_IN";
        assert_eq!(approved, !node["tenancy"].is_null(), "{node}");
        if node["status"] == "REJECTED" {
            assert!(node["decisionReason"].is_string(), "{node}");
        }
    }
    // Loading again writes nothing more.
    let before = app.count_rows("entry_application").await;
    app.load_demo().await;
    assert_eq!(app.count_rows("entry_application").await, before);
}

on_both_databases!(
    an_application_goes_through_its_states,
    pre_checks_inform_and_an_approval_is_all_or_nothing,
    a_unit_is_approved_once,
    simultaneous_decisions_decide_once,
    who_sees_what,
    nested_fields_cost_the_same_statements_for_1_and_3_applications,
    the_demo_has_applications_in_every_state,
);
