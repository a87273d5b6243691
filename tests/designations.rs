//! Designations that count toward the targets are proposed by operators and
//! decided once by the bureau, on SQLite and PostgreSQL, through a real server.

mod common;

use common::{TestApp, error_code};
use futures_util::future::join_all;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const REQUEST: &str = "mutation($input: RequestDesignationInput!) {
  requestDesignation(input: $input) { id kind kindZh status version subjectId level effectiveOn
    documentNumber submittedBy carrier { id } } }";
const APPROVE: &str = "mutation($input: ApproveDesignationRequestInput!) {
  approveDesignationRequest(input: $input) { id status version decidedBy decidedAt decisionReason
    recognition { level recognisedOn documentNumber } } }";
const REJECT: &str = "mutation($input: RejectDesignationRequestInput!) {
  rejectDesignationRequest(input: $input) { id status version decisionReason } }";
const QUEUE: &str = "query($status: DesignationStatus, $carrierId: ID) {
  designationRequests(status: $status, carrierId: $carrierId, first: 50) {
    totalCount nodes { id kind status carrier { id } } } }";
const TARGETS: &str = r#"query($id: ID!) {
  landmark: goalProgress { target(code: LANDMARK_COMPLEXES) { actual } }
  teams: goalProgress { target(code: OPERATING_TEAMS) { actual } }
  carrier(id: $id) { landmark level version
    platforms { id level version }
    operatingTeams { id professionalRecognisedOn } } }"#;
const TRAIL: &str = "query($id: ID!) { auditEvents(first: 10, filter: { entityId: $id }) {
  nodes { operation reason actor } } }";

/// An operator with a science complex operating since 2024, with space, a
/// platform at no level and an operating team; its ids and an OPERATOR token.
struct Complex {
    operator: String,
    carrier: String,
    platform: String,
    team: String,
    token: String,
}

async fn complex(app: &TestApp, n: u32) -> Complex {
    let operator = app
        .create_operator(&format!("综合体运营{n}"), 900 + n)
        .await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": format!("太湖湾科创综合体{n}"), "kind": "SCIENCE_COMPLEX",
                    "statusSince": "2024-01-01" }),
        )
        .await;
    app.add_phase(&carrier, 20000.0, "2024-06-01", "NEW_BUILD")
        .await;
    let platform = app
        .data(
            "mutation($input: CreatePlatformInput!) { createPlatform(input: $input) { id } }",
            json!({ "input": { "carrierId": carrier, "name": "集成电路公共测试平台", "kind": "TESTING_INSPECTION",
                               "openedOn": "2024-07-01", "services": ["芯片测试"] } }),
        )
        .await["createPlatform"]["id"]
        .as_str()
        .expect("a platform id")
        .to_owned();
    let team = app
        .data(
            "mutation($input: CreateOperatingTeamInput!) { createOperatingTeam(input: $input) { id } }",
            json!({ "input": { "carrierId": carrier, "name": "综合体运营团队", "staffCount": 12,
                               "mentorCount": 5, "formedOn": "2024-01-01" } }),
        )
        .await["createOperatingTeam"]["id"]
        .as_str()
        .expect("a team id")
        .to_owned();
    let token = app
        .token(&format!("综合体运营{n}"), Role::Operator, Some(&operator))
        .await;
    Complex {
        operator,
        carrier,
        platform,
        team,
        token,
    }
}

fn actual(figures: &Value, target: &str) -> f64 {
    figures[target]["target"]["actual"]
        .as_f64()
        .unwrap_or_else(|| panic!("no {target} figure in {figures}"))
}

fn operations(trail: &Value) -> Vec<String> {
    trail["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| {
            event["operation"]
                .as_str()
                .expect("an operation")
                .to_owned()
        })
        .collect()
}

/// The check the bureau makes: an operator's self-designated landmark waits
/// for approval and moves no figure until then; an approval counts at once,
/// exactly once.
async fn a_landmark_waits_for_the_bureau_and_counts_once_approved(app: TestApp) {
    let own = complex(&app, 1).await;
    let other = complex(&app, 2).await;
    let before = app.data(TARGETS, json!({ "id": own.carrier })).await;
    let landmarks = actual(&before, "landmark");
    let carrier = &before["carrier"];

    // Setting the flag directly is the bureau's: refused, with the way to ask.
    let district = app.district_id("xinwu").await;
    let create = app
        .graphql_as(
            &own.token,
            "mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }",
            json!({ "input": { "name": "自封地标综合体", "kind": "SCIENCE_COMPLEX", "landmark": true,
                               "districtId": district, "operatorId": own.operator,
                               "address": "无锡市新吴区" } }),
        )
        .await;
    assert_eq!(error_code(&create), "FORBIDDEN", "{create}");
    assert!(
        create["errors"][0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("requestDesignation")),
        "{create}"
    );
    let update = app
        .graphql_as(
            &own.token,
            "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { id } }",
            json!({ "input": { "id": own.carrier, "version": carrier["version"], "landmark": true } }),
        )
        .await;
    assert_eq!(error_code(&update), "FORBIDDEN", "{update}");

    // Asked for, it waits; a competitor can neither ask for it nor see it.
    let input = json!({ "input": { "kind": "LANDMARK", "subjectId": own.carrier, "effectiveOn": "2025-03-01",
                                   "documentNumber": "锡科发〔2025〕21号", "documentDate": "2025-03-01",
                                   "notes": "市政府认定文件附后" } });
    let refused = app.graphql_as(&other.token, REQUEST, input.clone()).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let submitted = app.graphql_as(&own.token, REQUEST, input.clone()).await;
    let request = submitted["data"]["requestDesignation"].clone();
    assert_eq!(request["status"], "PENDING", "{submitted}");
    assert_eq!(request["kindZh"], "地标型科创综合体认定");
    assert_eq!(request["subjectId"], own.carrier.as_str());
    let twice = app.graphql_as(&own.token, REQUEST, input).await;
    assert_eq!(error_code(&twice), "CONFLICT", "{twice}");
    let waiting = app.data(TARGETS, json!({ "id": own.carrier })).await;
    assert_eq!(actual(&waiting, "landmark"), landmarks);
    assert_eq!(waiting["carrier"]["landmark"], false);

    let queue = |token: String| {
        let app = &app;
        async move {
            app.graphql_as(&token, QUEUE, json!({ "status": "PENDING" }))
                .await["data"]["designationRequests"]["totalCount"]
                .clone()
        }
    };
    assert_eq!(queue(app.admin_token.clone()).await, 1);
    assert_eq!(queue(own.token.clone()).await, 1);
    assert_eq!(queue(other.token.clone()).await, 0);
    let hidden = app
        .graphql_as(
            &other.token,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": request["id"] }),
        )
        .await;
    assert_eq!(hidden["data"]["node"], Value::Null, "{hidden}");
    let viewer = app.token("大屏", Role::Viewer, None).await;
    let body = app.graphql_as(&viewer, QUEUE, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    // Only the bureau decides.
    let decision = json!({ "input": { "id": request["id"], "version": request["version"],
                                      "reason": "经审核，符合地标型科创综合体条件" } });
    let body = app.graphql_as(&own.token, APPROVE, decision.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let approved = app.data(APPROVE, decision.clone()).await;
    let approved = &approved["approveDesignationRequest"];
    assert_eq!(approved["status"], "APPROVED");
    assert_eq!(approved["decidedBy"], "test admin");
    let after = app.data(TARGETS, json!({ "id": own.carrier })).await;
    assert_eq!(actual(&after, "landmark"), landmarks + 1.0, "{after}");
    assert_eq!(after["carrier"]["landmark"], true);

    // Decided once: neither decision can be made again.
    let decided = json!({ "input": { "id": request["id"], "version": approved["version"],
                                     "reason": "重复审批" } });
    for query in [APPROVE, REJECT] {
        let body = app.graphql(query, decided.clone()).await;
        assert_eq!(error_code(&body), "CONFLICT", "{body}");
    }
    let trail = app.data(TRAIL, json!({ "id": request["id"] })).await;
    assert_eq!(operations(&trail), ["APPROVE", "CREATE"], "{trail}");
    assert_eq!(
        trail["auditEvents"]["nodes"][0]["reason"],
        "经审核，符合地标型科创综合体条件"
    );
    let carrier_trail = app.data(TRAIL, json!({ "id": own.carrier })).await;
    assert_eq!(operations(&carrier_trail)[0], "UPDATE", "{carrier_trail}");
}

/// Levels, platform levels and professional teams go the same way: a
/// rejection changes nothing but the request, an approval makes the record.
async fn levels_platforms_and_teams_count_only_when_approved(app: TestApp) {
    let own = complex(&app, 3).await;
    let before = app.data(TARGETS, json!({ "id": own.carrier })).await;
    let teams = actual(&before, "teams");
    let platform = &before["carrier"]["platforms"][0];

    // A platform's level is the bureau's too.
    let body = app
        .graphql_as(
            &own.token,
            "mutation($input: UpdatePlatformInput!) { updatePlatform(input: $input) { id } }",
            json!({ "input": { "id": own.platform, "version": platform["version"], "level": "CITY" } }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    let ask = |input: Value| {
        let app = &app;
        let token = own.token.clone();
        async move {
            let body = app
                .graphql_as(&token, REQUEST, json!({ "input": input }))
                .await;
            body["data"]["requestDesignation"].clone()
        }
    };
    // What each kind needs is checked before anything is written.
    let body = app
        .graphql_as(
            &own.token,
            REQUEST,
            json!({ "input": { "kind": "CARRIER_LEVEL", "subjectId": own.carrier, "level": "CITY",
                               "effectiveOn": "2025-05-01" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = app
        .graphql_as(
            &own.token,
            REQUEST,
            json!({ "input": { "kind": "PLATFORM_LEVEL", "subjectId": own.carrier, "level": "CITY",
                               "effectiveOn": "2025-05-01" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");

    let level = ask(
        json!({ "kind": "CARRIER_LEVEL", "subjectId": own.carrier, "level": "PROVINCIAL",
                            "effectiveOn": "2025-05-01", "authority": "江苏省科学技术厅" }),
    )
    .await;
    let no_reason = app
        .graphql(
            REJECT,
            json!({ "input": { "id": level["id"], "version": level["version"], "reason": " " } }),
        )
        .await;
    assert_eq!(error_code(&no_reason), "BAD_USER_INPUT", "{no_reason}");
    let rejected = app
        .data(
            REJECT,
            json!({ "input": { "id": level["id"], "version": level["version"],
                               "reason": "未附省级认定文件" } }),
        )
        .await;
    assert_eq!(rejected["rejectDesignationRequest"]["status"], "REJECTED");
    let read = app.data(TARGETS, json!({ "id": own.carrier })).await;
    assert_eq!(read["carrier"]["level"], "NONE");

    // Asked again with the document, and approved: the recognition is recorded.
    let level = ask(
        json!({ "kind": "CARRIER_LEVEL", "subjectId": own.carrier, "level": "PROVINCIAL",
                            "effectiveOn": "2025-05-01", "authority": "江苏省科学技术厅",
                            "documentNumber": "苏科高发〔2025〕88号" }),
    )
    .await;
    let platform_level = ask(
        json!({ "kind": "PLATFORM_LEVEL", "subjectId": own.platform, "level": "CITY",
                                     "effectiveOn": "2025-06-01" }),
    )
    .await;
    let team = ask(
        json!({ "kind": "PROFESSIONAL_TEAM", "subjectId": own.team, "effectiveOn": "2025-09-01" }),
    )
    .await;
    assert_eq!(team["status"], "PENDING", "{team}");
    let waiting = app.data(TARGETS, json!({ "id": own.carrier })).await;
    assert_eq!(actual(&waiting, "teams"), teams);
    assert_eq!(waiting["carrier"]["platforms"][0]["level"], "NONE");

    let mut approved = Vec::new();
    for request in [&level, &platform_level, &team] {
        let body = app
            .data(
                APPROVE,
                json!({ "input": { "id": request["id"], "version": request["version"] } }),
            )
            .await;
        approved.push(body["approveDesignationRequest"].clone());
    }
    assert_eq!(
        approved[0]["recognition"],
        json!({ "level": "PROVINCIAL", "recognisedOn": "2025-05-01",
                "documentNumber": "苏科高发〔2025〕88号" })
    );
    let after = app.data(TARGETS, json!({ "id": own.carrier })).await;
    assert_eq!(after["carrier"]["level"], "PROVINCIAL", "{after}");
    assert_eq!(after["carrier"]["platforms"][0]["level"], "CITY");
    assert_eq!(
        after["carrier"]["operatingTeams"][0]["professionalRecognisedOn"],
        "2025-09-01"
    );
    assert_eq!(actual(&after, "teams"), teams + 1.0);

    // The queue by status, for this carrier.
    let decided = app
        .data(
            QUEUE,
            json!({ "status": "APPROVED", "carrierId": own.carrier }),
        )
        .await;
    assert_eq!(decided["designationRequests"]["totalCount"], 3);
    let rejected = app
        .data(
            QUEUE,
            json!({ "status": "REJECTED", "carrierId": own.carrier }),
        )
        .await;
    assert_eq!(rejected["designationRequests"]["totalCount"], 1);
}

/// Many decisions on one request at once (the bureau's reviewers clicking
/// together): exactly one is made, the rest get CONFLICT, and the approval
/// records one recognition.
async fn a_request_is_decided_once_under_simultaneous_decisions(app: TestApp) {
    let own = complex(&app, 4).await;
    for round in 0..3 {
        let level = ["CITY", "PROVINCIAL", "NATIONAL"][round];
        let submitted = app
            .graphql_as(
                &own.token,
                REQUEST,
                json!({ "input": { "kind": "CARRIER_LEVEL", "subjectId": own.carrier, "level": level,
                                   "effectiveOn": "2025-05-01", "authority": "无锡市科学技术局" } }),
            )
            .await;
        let request = submitted["data"]["requestDesignation"].clone();
        let answers = join_all((0..8).map(|n| {
            let (query, reason) = if n % 2 == 0 {
                (APPROVE, "同意")
            } else {
                (REJECT, "不同意")
            };
            app.graphql(
                query,
                json!({ "input": { "id": request["id"], "version": request["version"], "reason": reason } }),
            )
        }))
        .await;
        let made = answers
            .iter()
            .filter(|answer| answer.get("errors").is_none())
            .count();
        assert_eq!(made, 1, "{answers:?}");
        for answer in answers
            .iter()
            .filter(|answer| answer.get("errors").is_some())
        {
            assert_eq!(error_code(answer), "CONFLICT", "{answer}");
        }
    }
    let approvals = app
        .data(
            QUEUE,
            json!({ "status": "APPROVED", "carrierId": own.carrier }),
        )
        .await["designationRequests"]["totalCount"]
        .as_i64()
        .expect("a count");
    assert_eq!(
        app.count_rows("level_recognition").await,
        approvals,
        "one recognition per approval"
    );
    let events = app
        .count_rows("audit_event WHERE operation IN ('APPROVE', 'REJECT')")
        .await;
    assert_eq!(events, 3);
}

on_both_databases!(
    a_landmark_waits_for_the_bureau_and_counts_once_approved,
    levels_platforms_and_teams_count_only_when_approved,
    a_request_is_decided_once_under_simultaneous_decisions,
);
