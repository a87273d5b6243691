//! Who may do what, as clients meet it over HTTP: API tokens and their
//! revocation, the four roles, confidential fields, the audit trail, public
//! read access and the limits that protect the server. Storage-touching tests
//! run on SQLite and PostgreSQL; pure HTTP-limit tests on SQLite.

mod common;

use common::{Backend, TestApp, error_code};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use zaiti::domain::access::Role;
use zaiti::http::HttpOptions;

const CREATE_OPERATOR: &str =
    "mutation($input: CreateOperatorInput!) { createOperator(input: $input) { id version } }";
const UPDATE_OPERATOR: &str =
    "mutation($input: UpdateOperatorInput!) { updateOperator(input: $input) { id name version } }";
const CREATE_CARRIER: &str =
    "mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id version } }";
const UPDATE_CARRIER: &str = "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { id name version leadingIndustries operator { id } } }";
const ADD_PHASE: &str =
    "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }";
const RECOGNISE: &str = "mutation($input: RecordLevelRecognitionInput!) { recordLevelRecognition(input: $input) { id } }";

const AUDIT: &str = r#"
query($first: Int, $filter: AuditEventFilter) {
  auditEvents(first: $first, filter: $filter) {
    totalCount
    nodes { sequence occurredAt actor tokenId role operation entityType entityId before after }
  }
}"#;

const OPERATORS: &str = "{ operators(first: 50) { nodes { id name contactPerson contactPhone } } }";

/// A POST to `/graphql` with this `Authorization` header (none if `None`);
/// the status, headers and JSON body, whatever the status.
async fn post(
    app: &TestApp,
    authorization: Option<&str>,
    query: &str,
    variables: Value,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = app
        .client
        .post(app.graphql_url())
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("request reaches the server");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.expect("a JSON body");
    (status, headers, body)
}

/// Like [`TestApp::graphql_as`], but fails the test on any GraphQL error and returns `data`.
async fn data_as(app: &TestApp, secret: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(secret, query, variables).await;
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    body["data"].clone()
}

/// Asserts that `body` is a refusal with FORBIDDEN and no data.
fn assert_forbidden(body: &Value, what: &str) {
    assert_eq!(error_code(body), "FORBIDDEN", "{what}: {body}");
    assert_eq!(body["data"], Value::Null, "{what} returned data: {body}");
}

/// Asserts that `body` is the 401 answer of an unauthenticated request.
fn assert_unauthenticated(status: StatusCode, headers: &HeaderMap, body: &Value, what: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
    assert_eq!(error_code(body), "UNAUTHENTICATED", "{what}: {body}");
    assert!(body.get("data").is_none(), "{what}: {body}");
    let challenge = headers
        .get("www-authenticate")
        .unwrap_or_else(|| panic!("{what}: no WWW-Authenticate header"))
        .to_str()
        .expect("ascii");
    assert!(
        challenge.starts_with("Bearer"),
        "{what}: WWW-Authenticate {challenge}"
    );
}

/// The database id inside an operator's global ID, as audit snapshots store it.
fn operator_db_id(global_id: &str) -> i64 {
    zaiti::graphql::node::expect(
        "operator",
        &async_graphql::ID(global_id.to_owned()),
        zaiti::graphql::node::NodeType::Operator,
    )
    .expect("an operator ID")
    .into()
}

/// Creates an operator with its own contact person and phone; returns its global ID.
async fn operator_with_contact(
    app: &TestApp,
    name: &str,
    n: u32,
    person: &str,
    phone: &str,
) -> String {
    let data = app
        .data(
            CREATE_OPERATOR,
            json!({ "input": { "name": name, "uscc": common::uscc(n), "ownership": "DISTRICT_STATE_OWNED",
                               "contactPerson": person, "contactPhone": phone } }),
        )
        .await;
    data["createOperator"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// A carrier's name, version and operator's global ID, read as ADMIN.
async fn carrier_state(app: &TestApp, id: &str) -> (String, i64, String) {
    let data = app
        .data(
            "query($id: ID!) { carrier(id: $id) { name version operator { id } } }",
            json!({ "id": id }),
        )
        .await;
    let carrier = &data["carrier"];
    (
        carrier["name"].as_str().expect("a name").to_owned(),
        carrier["version"].as_i64().expect("a version"),
        carrier["operator"]["id"]
            .as_str()
            .expect("an operator")
            .to_owned(),
    )
}

/// An operator's name and version, read as ADMIN.
async fn operator_state(app: &TestApp, id: &str) -> (String, i64) {
    let data = app
        .data(
            "query($id: ID!) { operator(id: $id) { name version } }",
            json!({ "id": id }),
        )
        .await;
    (
        data["operator"]["name"]
            .as_str()
            .expect("a name")
            .to_owned(),
        data["operator"]["version"].as_i64().expect("a version"),
    )
}

/// Row counts of every table a mutation can write.
async fn written_rows(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "operator",
        "carrier",
        "carrier_industry",
        "space_phase",
        "level_recognition",
        "audit_event",
    ] {
        counts.push((table, app.count_rows(table).await));
    }
    counts
}

/// The audit events matching `filter`, newest first, read as ADMIN.
async fn audit_events(app: &TestApp, filter: Value) -> (i64, Vec<Value>) {
    let data = app
        .data(AUDIT, json!({ "first": 100, "filter": filter }))
        .await;
    let connection = &data["auditEvents"];
    (
        connection["totalCount"].as_i64().expect("a count"),
        connection["nodes"].as_array().expect("nodes").clone(),
    )
}

fn field<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events.iter().map(|event| &event[name]).collect()
}

/// Every kind of mutation, aimed at `carrier` of operator `operator`.
fn every_mutation(
    operator: &str,
    carrier: &str,
    district: &str,
) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "createOperator",
            CREATE_OPERATOR,
            json!({ "input": { "name": "越权公司", "uscc": common::uscc(999), "ownership": "PRIVATE" } }),
        ),
        (
            "updateOperator",
            UPDATE_OPERATOR,
            json!({ "input": { "id": operator, "version": 1, "name": "改名" } }),
        ),
        (
            "createCarrier",
            CREATE_CARRIER,
            json!({ "input": { "name": "越权众创空间", "kind": "MAKERSPACE", "districtId": district,
                               "operatorId": operator, "address": "无锡市某路1号",
                               "leadingIndustries": ["IOT"] } }),
        ),
        (
            "updateCarrier",
            UPDATE_CARRIER,
            json!({ "input": { "id": carrier, "version": 1, "name": "改名", "leadingIndustries": ["QUANTUM"] } }),
        ),
        (
            "addSpacePhase",
            ADD_PHASE,
            json!({ "input": { "carrierId": carrier, "areaM2": 1200.0, "deliveredOn": "2024-05-01", "source": "NEW_BUILD" } }),
        ),
        (
            "recordLevelRecognition",
            RECOGNISE,
            json!({ "input": { "carrierId": carrier, "level": "CITY", "recognisedOn": "2024-06-01", "authority": "无锡市科学技术局" } }),
        ),
    ]
}

// 1. OPERATOR tokens.

async fn an_operator_token_writes_its_own_carriers_and_is_refused_everything_else(app: TestApp) {
    let own_operator = app.create_operator("无锡新吴科创发展有限公司", 101).await;
    let other_operator = app.create_operator("无锡梁溪城市发展集团", 102).await;
    let xinwu = app.district_id("xinwu").await;
    let own = app
        .create_carrier(&own_operator, &xinwu, json!({ "name": "新吴众创空间" }))
        .await;
    let other = app
        .create_carrier(&other_operator, &xinwu, json!({ "name": "梁溪孵化器" }))
        .await;
    let token = app
        .token("新吴科创 operator", Role::Operator, Some(&own_operator))
        .await;

    // Its own carrier, its phases and its own operator record: allowed.
    let data = data_as(
        &app,
        &token,
        UPDATE_CARRIER,
        json!({ "input": { "id": own, "version": 1, "name": "新吴数字经济众创空间" } }),
    )
    .await;
    assert_eq!(data["updateCarrier"]["version"], 2);
    assert_eq!(data["updateCarrier"]["name"], "新吴数字经济众创空间");
    data_as(
        &app,
        &token,
        ADD_PHASE,
        json!({ "input": { "carrierId": own, "areaM2": 800.0, "deliveredOn": "2024-03-01", "source": "URBAN_RENEWAL" } }),
    )
    .await;
    let data = data_as(
        &app,
        &token,
        UPDATE_OPERATOR,
        json!({ "input": { "id": own_operator, "version": 1, "name": "无锡新吴科技创新发展有限公司" } }),
    )
    .await;
    assert_eq!(data["updateOperator"]["version"], 2);
    assert_eq!(
        carrier_state(&app, &own).await,
        ("新吴数字经济众创空间".to_owned(), 2, own_operator.clone())
    );

    let rows_before = written_rows(&app).await;
    let (other_events_before, _) = audit_events(&app, json!({ "entityId": other })).await;
    assert_eq!(
        other_events_before, 1,
        "only the creation of the other carrier"
    );

    let refused: [(&str, &str, Value); 7] = [
        (
            "updateCarrier of another operator's carrier",
            UPDATE_CARRIER,
            json!({ "input": { "id": other, "version": 1, "name": "被改名的孵化器" } }),
        ),
        (
            "updateOperator of another operator",
            UPDATE_OPERATOR,
            json!({ "input": { "id": other_operator, "version": 1, "name": "被改名的集团" } }),
        ),
        (
            "createCarrier for another operator",
            CREATE_CARRIER,
            json!({ "input": { "name": "代建众创空间", "kind": "MAKERSPACE", "districtId": xinwu,
                               "operatorId": other_operator, "address": "无锡市新吴区长江路1号" } }),
        ),
        (
            "addSpacePhase to another operator's carrier",
            ADD_PHASE,
            json!({ "input": { "carrierId": other, "areaM2": 500.0, "deliveredOn": "2024-05-01", "source": "NEW_BUILD" } }),
        ),
        (
            "moving its own carrier to another operator",
            UPDATE_CARRIER,
            json!({ "input": { "id": own, "version": 2, "operatorId": other_operator } }),
        ),
        (
            "recordLevelRecognition (ADMIN only), even on its own carrier",
            RECOGNISE,
            json!({ "input": { "carrierId": own, "level": "CITY", "recognisedOn": "2024-06-01", "authority": "无锡市科学技术局" } }),
        ),
        (
            "createOperator (ADMIN only)",
            CREATE_OPERATOR,
            json!({ "input": { "name": "自封公司", "uscc": common::uscc(103), "ownership": "PRIVATE" } }),
        ),
    ];
    for (what, query, variables) in refused {
        let body = app.graphql_as(&token, query, variables).await;
        assert_forbidden(&body, what);
    }

    // Nothing of the refused attempts was written, audit events included.
    assert_eq!(written_rows(&app).await, rows_before);
    assert_eq!(
        audit_events(&app, json!({ "entityId": other })).await.0,
        other_events_before
    );
    assert_eq!(
        carrier_state(&app, &other).await,
        ("梁溪孵化器".to_owned(), 1, other_operator.clone())
    );
    assert_eq!(
        carrier_state(&app, &own).await,
        ("新吴数字经济众创空间".to_owned(), 2, own_operator.clone())
    );
    assert_eq!(
        operator_state(&app, &other_operator).await,
        ("无锡梁溪城市发展集团".to_owned(), 1)
    );
}

// 2. BUREAU and VIEWER tokens.

async fn bureau_and_viewer_tokens_read_but_every_write_is_forbidden(app: TestApp) {
    let operator = app.create_operator("无锡滨湖科创集团", 201).await;
    let binhu = app.district_id("binhu").await;
    let carrier = app
        .create_carrier(&operator, &binhu, json!({ "name": "滨湖孵化器" }))
        .await;

    for (name, role) in [
        ("新吴区科技局", Role::Bureau),
        ("大屏 viewer", Role::Viewer),
    ] {
        let token = app.token(name, role, None).await;
        let data = data_as(
            &app,
            &token,
            "{ carriers(first: 10) { totalCount nodes { id name version } } }",
            json!({}),
        )
        .await;
        assert_eq!(data["carriers"]["totalCount"], 1, "{role}");
        assert_eq!(
            data["carriers"]["nodes"][0],
            json!({ "id": carrier, "name": "滨湖孵化器", "version": 1 }),
            "{role}"
        );

        let rows_before = written_rows(&app).await;
        for (mutation, query, variables) in every_mutation(&operator, &carrier, &binhu) {
            let body = app.graphql_as(&token, query, variables).await;
            assert_forbidden(&body, &format!("{mutation} as {role}"));
            assert_eq!(body["errors"][0]["path"], json!([mutation]), "{body}");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("may not write")),
                "{body}"
            );
        }
        assert_eq!(
            written_rows(&app).await,
            rows_before,
            "{role} wrote something"
        );
        assert_eq!(audit_events(&app, json!({ "actor": name })).await.0, 0);
        assert_eq!(
            carrier_state(&app, &carrier).await,
            ("滨湖孵化器".to_owned(), 1, operator.clone())
        );
        assert_eq!(
            operator_state(&app, &operator).await,
            ("无锡滨湖科创集团".to_owned(), 1)
        );
    }
}

// 3. Confidential fields.

async fn contact_details_show_only_to_admin_and_the_owning_operator(app: TestApp) {
    let jia = operator_with_contact(&app, "甲科创集团", 301, "张经理", "0510-81111111").await;
    let yi = operator_with_contact(&app, "乙科创集团", 302, "李经理", "0510-82222222").await;
    let xishan = app.district_id("xishan").await;
    app.create_carrier(&yi, &xishan, json!({ "name": "乙众创空间" }))
        .await;

    // (name, contact person, contact phone) of each operator, by name.
    let contacts = |data: &Value| -> Vec<(String, Value, Value)> {
        let mut contacts: Vec<_> = data["operators"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|node| {
                (
                    node["name"].as_str().expect("a name").to_owned(),
                    node["contactPerson"].clone(),
                    node["contactPhone"].clone(),
                )
            })
            .collect();
        contacts.sort_by(|a, b| a.0.cmp(&b.0));
        contacts
    };
    let shown =
        |name: &str, person: &str, phone: &str| (name.to_owned(), json!(person), json!(phone));
    let hidden = |name: &str| (name.to_owned(), Value::Null, Value::Null);

    let admin = app.data(OPERATORS, json!({})).await;
    assert_eq!(
        contacts(&admin),
        [
            shown("乙科创集团", "李经理", "0510-82222222"),
            shown("甲科创集团", "张经理", "0510-81111111"),
        ]
    );

    let jia_token = app.token("甲 operator", Role::Operator, Some(&jia)).await;
    let as_jia = data_as(&app, &jia_token, OPERATORS, json!({})).await;
    assert_eq!(
        contacts(&as_jia),
        [
            hidden("乙科创集团"),
            shown("甲科创集团", "张经理", "0510-81111111"),
        ]
    );
    // The same holds when the operator is reached through a carrier or by ID.
    let data = data_as(
        &app,
        &jia_token,
        "query($id: ID!) { carriers(first: 5) { nodes { operator { contactPhone } } } operator(id: $id) { contactPerson contactPhone } }",
        json!({ "id": yi }),
    )
    .await;
    assert_eq!(
        data["carriers"]["nodes"][0]["operator"]["contactPhone"],
        Value::Null
    );
    assert_eq!(
        data["operator"],
        json!({ "contactPerson": null, "contactPhone": null })
    );

    for (name, role) in [("乙区科技局", Role::Bureau), ("公众大屏", Role::Viewer)] {
        let token = app.token(name, role, None).await;
        let data = data_as(&app, &token, OPERATORS, json!({})).await;
        assert_eq!(
            contacts(&data),
            [hidden("乙科创集团"), hidden("甲科创集团")],
            "{role}"
        );
    }
}

// 4. Authentication and revocation.

/// Posts `query` with `bearer` until it is refused. A server trusts a token it
/// checked for at most `store::token::CACHE_FOR`, so a revocation holds on
/// every process within that time (and a little for the requests themselves).
async fn refused_within_a_second(
    app: &TestApp,
    bearer: &str,
    query: &str,
) -> (StatusCode, HeaderMap, Value) {
    let revoked = std::time::Instant::now();
    loop {
        let (status, headers, body) = post(app, Some(bearer), query, json!({})).await;
        if status != StatusCode::OK {
            return (status, headers, body);
        }
        assert!(
            revoked.elapsed()
                < zaiti::store::token::CACHE_FOR + std::time::Duration::from_millis(500),
            "a revoked token still works after {:?}",
            revoked.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn requests_without_a_valid_token_get_401_and_a_revoked_token_stops_within_a_second(
    app: TestApp,
) {
    let query = "{ districts { code } }";
    let cases = [
        ("no Authorization header", None),
        ("a Basic credential", Some("Basic xyz")),
        ("an unknown token", Some("Bearer zt_unknown")),
        ("a token without the zt_ prefix", Some("Bearer abc")),
        ("Bearer without a token", Some("Bearer ")),
    ];
    for (what, authorization) in cases {
        let (status, headers, body) = post(&app, authorization, query, json!({})).await;
        assert_unauthenticated(status, &headers, &body, what);
    }
    // A refused write leaves nothing behind.
    let (status, headers, body) = post(
        &app,
        None,
        CREATE_OPERATOR,
        json!({ "input": { "name": "匿名公司", "uscc": common::uscc(401), "ownership": "PRIVATE" } }),
    )
    .await;
    assert_unauthenticated(status, &headers, &body, "an anonymous mutation");
    assert_eq!(app.count_rows("operator").await, 0);

    let secret = app.token("短期 viewer", Role::Viewer, None).await;
    let bearer = format!("Bearer {secret}");
    let (status, _, body) = post(&app, Some(&bearer), query, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["districts"].as_array().map(Vec::len), Some(8));
    // The scheme is case-insensitive.
    let (status, _, body) = post(&app, Some(&format!("bearer {secret}")), query, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let revoked = zaiti::store::token::revoke(&app.db, "短期 viewer")
        .await
        .expect("revocation runs");
    assert_eq!(revoked, 1);
    let (status, headers, body) = refused_within_a_second(&app, &bearer, query).await;
    assert_unauthenticated(status, &headers, &body, "a revoked token");
    // Revoking again finds no active token; other tokens are untouched.
    assert_eq!(
        zaiti::store::token::revoke(&app.db, "短期 viewer")
            .await
            .expect("revocation runs"),
        0
    );
    app.data(query, json!({})).await;
}

async fn a_token_revoked_with_the_cli_is_refused_within_a_second(app: TestApp) {
    let secret = app.token("cli-revoked viewer", Role::Viewer, None).await;
    let bearer = format!("Bearer {secret}");
    let query = "{ districts { code } }";
    let (status, _, body) = post(&app, Some(&bearer), query, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // `--database-url` is accepted after the subcommand as well as before it.
    let zaiti = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_zaiti"))
                .args(args)
                .env_remove("DATABASE_URL")
                .env("RUST_LOG", "warn")
                .output()
                .expect("the zaiti binary runs")
        })
    };
    let url = app.database_url.clone();
    let args = |command: &[&str]| {
        ["token", "--database-url", url.as_str()]
            .iter()
            .chain(command)
            .map(|arg| (*arg).to_owned())
            .collect::<Vec<_>>()
    };
    let trailing = [
        "token",
        "revoke",
        "cli-revoked viewer",
        "--database-url",
        &url,
    ]
    .map(str::to_owned)
    .to_vec();
    let output = zaiti(trailing).await.expect("the command finishes");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "zaiti token revoke failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("revoked 1 token"), "{stdout}");

    let (status, headers, body) = refused_within_a_second(&app, &bearer, query).await;
    assert_unauthenticated(status, &headers, &body, "a token revoked by the CLI");
    app.data(query, json!({})).await;

    // Revoking it again is an error: no active token has that name.
    let again = zaiti(args(&["revoke", "cli-revoked viewer"]))
        .await
        .expect("the command finishes");
    assert!(!again.status.success(), "a second revocation succeeded");
    // `token list` shows it revoked, and never a secret.
    let list = zaiti(args(&["list"])).await.expect("the command finishes");
    assert!(list.status.success());
    let listing = String::from_utf8_lossy(&list.stdout);
    let line = listing
        .lines()
        .find(|line| line.ends_with("cli-revoked viewer"))
        .unwrap_or_else(|| panic!("token missing from the list:\n{listing}"));
    assert_eq!(line.matches("UTC").count(), 2, "not shown revoked: {line}");
    assert!(!listing.contains(&secret), "the list shows a secret");

    // Issue and revocation are both in the trail, naming the token by id.
    let (total, events) = audit_events(&app, json!({ "entityType": "ApiToken" })).await;
    assert_eq!(
        total, 3,
        "the admin token's issue, this one's issue and revocation"
    );
    assert_eq!(events[0]["operation"], "UPDATE");
    assert_eq!(events[0]["after"]["name"], "cli-revoked viewer");
    assert!(events[0]["before"]["revoked_at"].is_null(), "{}", events[0]);
    assert!(
        events[0]["after"]["revoked_at"].is_string(),
        "{}",
        events[0]
    );
    assert_eq!(events[0]["entityId"], events[1]["entityId"]);
    assert_eq!(events[1]["operation"], "CREATE");
}

// 6. The audit trail.

async fn the_audit_trail_records_every_admin_write_newest_first(app: TestApp) {
    let operator =
        operator_with_contact(&app, "无锡惠山科创集团", 601, "赵经理", "0510-83333333").await;
    let data = app
        .data(
            UPDATE_OPERATOR,
            json!({ "input": { "id": operator, "version": 1, "name": "无锡惠山科技创新集团", "contactPhone": "0510-83333334" } }),
        )
        .await;
    assert_eq!(data["updateOperator"]["version"], 2);
    let huishan = app.district_id("huishan").await;
    let carrier = app
        .create_carrier(
            &operator,
            &huishan,
            json!({ "name": "惠山众创空间", "leadingIndustries": ["IOT"] }),
        )
        .await;
    let data = app
        .data(
            UPDATE_CARRIER,
            json!({ "input": { "id": carrier, "version": 1, "name": "惠山智造众创空间",
                               "leadingIndustries": ["AI_METAVERSE", "SOFTWARE_IT"] } }),
        )
        .await;
    assert_eq!(data["updateCarrier"]["version"], 2);
    let data = app
        .data(
            ADD_PHASE,
            json!({ "input": { "carrierId": carrier, "areaM2": 2500.0, "deliveredOn": "2024-04-01", "source": "NEW_BUILD" } }),
        )
        .await;
    let phase = data["addSpacePhase"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let data = app
        .data(
            RECOGNISE,
            json!({ "input": { "carrierId": carrier, "level": "PROVINCIAL", "recognisedOn": "2024-06-01", "authority": "江苏省科学技术厅" } }),
        )
        .await;
    let recognition = data["recordLevelRecognition"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();

    let (total, mut events) = audit_events(&app, json!(null)).await;
    assert_eq!(total, 7, "{events:#?}");
    // The oldest event is the issue of the admin token, from the command line.
    let issued = events.pop().expect("the token's event");
    assert_eq!(
        (
            &issued["operation"],
            &issued["entityType"],
            &issued["actor"]
        ),
        (
            &json!("CREATE"),
            &json!("ApiToken"),
            &json!("command line (zaiti token)")
        ),
        "{issued}"
    );
    assert_eq!(issued["after"]["name"], "test admin");
    assert!(
        issued["after"].get("secret_hash").is_none(),
        "a token's hash stays out of the trail: {issued}"
    );
    let summary: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().expect("an operation"),
                e["entityType"].as_str().expect("a type"),
                e["entityId"].as_str().expect("an id"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CREATE", "LevelRecognition", recognition.as_str()),
            ("CREATE", "SpacePhase", phase.as_str()),
            ("UPDATE", "Carrier", carrier.as_str()),
            ("CREATE", "Carrier", carrier.as_str()),
            ("UPDATE", "Operator", operator.as_str()),
            ("CREATE", "Operator", operator.as_str()),
        ]
    );
    for event in &events {
        assert_eq!(event["actor"], "test admin", "{event}");
        assert_eq!(event["role"], "ADMIN", "{event}");
        assert!(event["after"].is_object(), "{event}");
        if event["operation"] == "CREATE" {
            assert_eq!(event["before"], Value::Null, "{event}");
        } else {
            assert!(event["before"].is_object(), "{event}");
        }
    }
    // Newest first: sequences fall, times never rise.
    let sequences: Vec<i64> = events
        .iter()
        .map(|e| e["sequence"].as_i64().expect("a sequence"))
        .collect();
    assert!(sequences.windows(2).all(|w| w[0] > w[1]), "{sequences:?}");
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = events
        .iter()
        .map(|e| {
            chrono::DateTime::parse_from_rfc3339(e["occurredAt"].as_str().expect("a time"))
                .expect("an RFC 3339 time")
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    // The values before and after each change.
    let operator_db = operator_db_id(&operator);
    let created_operator = &events[5];
    assert_eq!(created_operator["after"]["name"], "无锡惠山科创集团");
    assert_eq!(created_operator["after"]["version"], 1);
    assert_eq!(created_operator["after"]["id"], operator_db);
    let updated_operator = &events[4];
    assert_eq!(updated_operator["before"]["name"], "无锡惠山科创集团");
    assert_eq!(updated_operator["after"]["name"], "无锡惠山科技创新集团");
    assert_eq!(updated_operator["before"]["version"], 1);
    assert_eq!(updated_operator["after"]["version"], 2);
    assert_eq!(updated_operator["before"]["contact_phone"], "0510-83333333");
    assert_eq!(updated_operator["after"]["contact_phone"], "0510-83333334");
    let created_carrier = &events[3];
    assert_eq!(created_carrier["after"]["name"], "惠山众创空间");
    assert_eq!(created_carrier["after"]["operator_id"], operator_db);
    assert_eq!(created_carrier["after"]["version"], 1);
    assert_eq!(
        created_carrier["after"]["leading_industries"],
        json!(["IOT"])
    );
    let updated_carrier = &events[2];
    assert_eq!(updated_carrier["before"]["name"], "惠山众创空间");
    assert_eq!(updated_carrier["after"]["name"], "惠山智造众创空间");
    assert_eq!(updated_carrier["before"]["version"], 1);
    assert_eq!(updated_carrier["after"]["version"], 2);
    assert_eq!(updated_carrier["before"]["operator_id"], operator_db);
    assert_eq!(updated_carrier["after"]["operator_id"], operator_db);
    assert_eq!(
        updated_carrier["before"]["leading_industries"],
        json!(["IOT"])
    );
    assert_eq!(
        updated_carrier["after"]["leading_industries"],
        json!(["AI_METAVERSE", "SOFTWARE_IT"])
    );
    // An update's `before` is the previous event's `after`.
    assert_eq!(updated_carrier["before"], created_carrier["after"]);
    assert_eq!(updated_operator["before"], created_operator["after"]);
    assert_eq!(events[1]["after"]["area_m2"], 2500.0);
    assert_eq!(events[0]["after"]["level"], "PROVINCIAL");

    // Filters.
    let (count, by_entity) = audit_events(&app, json!({ "entityId": carrier })).await;
    assert_eq!(count, 2);
    assert_eq!(
        field(&by_entity, "operation"),
        [&json!("UPDATE"), &json!("CREATE")]
    );
    assert!(by_entity.iter().all(|e| e["entityId"] == carrier));
    let (count, updates) = audit_events(&app, json!({ "operations": ["UPDATE"] })).await;
    assert_eq!(count, 2);
    assert_eq!(
        field(&updates, "entityId"),
        [&json!(carrier), &json!(operator)]
    );
    let (count, _) = audit_events(&app, json!({ "operations": ["CREATE", "UPDATE"] })).await;
    assert_eq!(count, 7, "six changes and the token's issue");
    let (count, _) = audit_events(&app, json!({ "actor": "test admin" })).await;
    assert_eq!(count, 6);
    let (count, none) = audit_events(&app, json!({ "actor": "someone else" })).await;
    assert_eq!((count, none.len()), (0, 0));
    let (count, phases) = audit_events(&app, json!({ "entityType": "SpacePhase" })).await;
    assert_eq!(count, 1);
    assert_eq!(phases[0]["entityId"], phase);
    let (count, _) = audit_events(
        &app,
        json!({ "entityId": carrier, "operations": ["UPDATE"], "actor": "test admin" }),
    )
    .await;
    assert_eq!(count, 1);
    let (count, _) = audit_events(&app, json!({ "until": "2000-01-01T00:00:00Z" })).await;
    assert_eq!(count, 0);
    let (count, _) = audit_events(&app, json!({ "from": "2000-01-01T00:00:00Z" })).await;
    assert_eq!(count, 7);
}

async fn the_audit_trail_shows_an_operator_only_its_own_records_and_readers_nothing(app: TestApp) {
    let jia = app.create_operator("甲运营公司", 611).await;
    let yi = app.create_operator("乙运营公司", 612).await;
    let liangxi = app.district_id("liangxi").await;
    let jia_carrier = app
        .create_carrier(&jia, &liangxi, json!({ "name": "甲孵化器" }))
        .await;
    let yi_carrier = app
        .create_carrier(&yi, &liangxi, json!({ "name": "乙孵化器" }))
        .await;
    app.add_phase(&yi_carrier, 900.0, "2024-02-01", "NEW_BUILD")
        .await;
    let token = app.token("甲 operator", Role::Operator, Some(&jia)).await;
    data_as(
        &app,
        &token,
        UPDATE_CARRIER,
        json!({ "input": { "id": jia_carrier, "version": 1, "name": "甲加速器" } }),
    )
    .await;

    let (total, _) = audit_events(&app, json!(null)).await;
    assert_eq!(
        total, 8,
        "the admin sees every event, the two tokens' issue included"
    );

    let data = data_as(&app, &token, AUDIT, json!({ "first": 100 })).await;
    let events = data["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert_eq!(data["auditEvents"]["totalCount"], 4, "{events:#?}");
    let seen: Vec<(&Value, &Value)> = events
        .iter()
        .map(|e| (&e["operation"], &e["entityType"]))
        .collect();
    assert_eq!(
        seen,
        [
            (&json!("UPDATE"), &json!("Carrier")),
            (&json!("CREATE"), &json!("ApiToken")),
            (&json!("CREATE"), &json!("Carrier")),
            (&json!("CREATE"), &json!("Operator")),
        ]
    );
    assert_eq!(events[0]["entityId"], json!(jia_carrier));
    assert_eq!(events[3]["entityId"], json!(jia));
    // Each event names the token by its unique id, not only by its name.
    assert!(events[0]["tokenId"].is_i64(), "{:#}", events[0]);
    assert_eq!(
        events[1]["tokenId"],
        Value::Null,
        "issued from the command line"
    );
    assert_eq!(events[0]["actor"], "甲 operator");
    assert_eq!(events[0]["role"], "OPERATOR");
    assert_eq!(events[0]["after"]["name"], "甲加速器");
    // Asking for another operator's records by ID shows nothing either.
    for id in [&yi, &yi_carrier] {
        let data = data_as(&app, &token, AUDIT, json!({ "filter": { "entityId": id } })).await;
        assert_eq!(data["auditEvents"]["totalCount"], 0, "{data}");
        assert_eq!(data["auditEvents"]["nodes"], json!([]));
    }

    for (name, role) in [("甲区科技局", Role::Bureau), ("甲 viewer", Role::Viewer)] {
        let reader = app.token(name, role, None).await;
        let body = app.graphql_as(&reader, AUDIT, json!({})).await;
        assert_forbidden(&body, &format!("auditEvents as {role}"));
    }

    // When the admin moves 甲's carrier to 乙, both operators see the move.
    app.data(
        UPDATE_CARRIER,
        json!({ "input": { "id": jia_carrier, "version": 2, "operatorId": yi } }),
    )
    .await;
    let yi_token = app.token("乙 operator", Role::Operator, Some(&yi)).await;
    for token in [&token, &yi_token] {
        let filter = json!({ "first": 1, "filter": { "entityId": jia_carrier } });
        let data = data_as(&app, token, AUDIT, filter).await;
        let newest = &data["auditEvents"]["nodes"][0];
        assert_eq!(newest["operation"], "UPDATE", "{data}");
        assert_ne!(
            newest["before"]["operator_id"], newest["after"]["operator_id"],
            "{data}"
        );
    }
}

/// The trail is permanent below the API too: the database refuses to change it.
async fn the_database_refuses_to_edit_or_delete_audit_events(app: TestApp) {
    use sea_orm::ConnectionTrait;
    app.create_operator("留痕公司", 901).await;
    // The admin token's issue, and the operator's creation.
    assert_eq!(app.count_rows("audit_event").await, 2);
    // Every way the application's own connection could rewrite the trail:
    // REPLACE deletes the old row without firing SQLite's delete trigger, an
    // upsert updates it, TRUNCATE fires no row trigger on PostgreSQL.
    let copy = "(id, occurred_at, actor, role, operation, entity_type, entity_id) \
                SELECT id, occurred_at, 'someone else', role, operation, entity_type, entity_id FROM audit_event";
    let mut rewrites = vec![
        "UPDATE audit_event SET actor = 'someone else'".to_owned(),
        "DELETE FROM audit_event".to_owned(),
    ];
    match app.backend {
        Backend::Sqlite => rewrites.extend([
            format!("INSERT OR REPLACE INTO audit_event {copy}"),
            format!("REPLACE INTO audit_event {copy}"),
            format!("INSERT INTO audit_event {copy} WHERE true ON CONFLICT (id) DO UPDATE SET actor = excluded.actor"),
        ]),
        Backend::Postgres => rewrites.extend([
            "TRUNCATE audit_event".to_owned(),
            format!("INSERT INTO audit_event {copy} ON CONFLICT (id) DO UPDATE SET actor = excluded.actor"),
        ]),
    }
    for sql in &rewrites {
        match app.db.execute_unprepared(sql).await {
            Ok(_) => panic!("{sql} was allowed"),
            Err(err) => assert!(
                err.to_string().contains("audit events are permanent"),
                "{sql} failed, but not by the guard: {err}"
            ),
        }
    }
    assert_eq!(app.count_rows("audit_event").await, 2);
    let (_, events) = audit_events(&app, json!(null)).await;
    assert_eq!(events[0]["actor"], "test admin");
}

on_both_databases!(
    the_database_refuses_to_edit_or_delete_audit_events,
    an_operator_token_writes_its_own_carriers_and_is_refused_everything_else,
    bureau_and_viewer_tokens_read_but_every_write_is_forbidden,
    contact_details_show_only_to_admin_and_the_owning_operator,
    requests_without_a_valid_token_get_401_and_a_revoked_token_stops_within_a_second,
    a_token_revoked_with_the_cli_is_refused_within_a_second,
    the_audit_trail_records_every_admin_write_newest_first,
    the_audit_trail_shows_an_operator_only_its_own_records_and_readers_nothing,
    each_audit_event_starts_from_the_previous_ones_after,
);

// 5. Public read access.

async fn without_a_token_a_public_server_reads_but_never_writes(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        HttpOptions {
            public_read: true,
            ..Default::default()
        },
    )
    .await;
    let operator =
        operator_with_contact(&app, "公开读运营公司", 501, "钱经理", "0510-85555555").await;
    let xinwu = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(&operator, &xinwu, json!({ "name": "公开众创空间" }))
        .await;

    let (status, _, body) = post(&app, None, "{ districts { code } }", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["districts"].as_array().map(Vec::len), Some(8));
    // It reads as a VIEWER: carriers yes, contact details no.
    let (status, _, body) = post(
        &app,
        None,
        "{ carriers(first: 5) { nodes { name operator { name contactPerson contactPhone } } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["carriers"]["nodes"],
        json!([{ "name": "公开众创空间", "operator": { "name": "公开读运营公司", "contactPerson": null, "contactPhone": null } }])
    );

    let rows_before = written_rows(&app).await;
    for (mutation, query, variables) in every_mutation(&operator, &carrier, &xinwu) {
        let (status, _, body) = post(&app, None, query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_forbidden(&body, &format!("anonymous {mutation}"));
    }
    assert_eq!(written_rows(&app).await, rows_before);
    let (status, _, body) = post(&app, None, AUDIT, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_forbidden(&body, "anonymous auditEvents");
    // A bad token is still refused: public read is for requests without one.
    let (status, headers, body) = post(
        &app,
        Some("Bearer zt_unknown"),
        "{ districts { code } }",
        json!({}),
    )
    .await;
    assert_unauthenticated(
        status,
        &headers,
        &body,
        "an unknown token on a public server",
    );
}

mod public_read {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_without_a_token_reads_but_never_writes() {
        without_a_token_a_public_server_reads_but_never_writes(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_without_a_token_reads_but_never_writes() {
        without_a_token_a_public_server_reads_but_never_writes(Backend::Postgres).await;
    }
}

// 7. Limits.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_twenty_levels_deep_gets_query_too_deep_and_no_data() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let nested = |levels: usize| {
        let mut selection = String::from("id");
        for level in 0..levels {
            let field = if level % 2 == 0 { "carrier" } else { "phases" };
            selection = format!("{field} {{ {selection} }}");
        }
        format!("{{ carriers(first: 1) {{ nodes {{ {selection} }} }} }}")
    };
    // carriers → nodes → eighteen levels of carrier/phases: twenty deep.
    let (status, _, body) = post(
        &app,
        Some(&format!("Bearer {}", app.admin_token)),
        &nested(18),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "QUERY_TOO_DEEP", "{body}");
    assert!(body.get("data").is_none(), "{body}");
    // Well within the limit, the same shape runs.
    app.data(&nested(8), json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_larger_than_allowed_gets_bad_user_input_on_first() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Refused before anything runs, when the document is measured: a request
    // error, whose status graphql-response+json gives as 400.
    let body = app
        .graphql_raw("{ carriers(first: 10000) { nodes { id } } }")
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "first", "{body}");
    assert_eq!(body["data"], Value::Null, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fourth_request_in_a_minute_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        HttpOptions {
            rate_limit_per_minute: 3,
            ..Default::default()
        },
    )
    .await;
    let other = app.token("another viewer", Role::Viewer, None).await;
    let query = "{ districts { code } }";
    for _ in 0..3 {
        app.data(query, json!({})).await;
    }
    let (status, headers, body) = post(
        &app,
        Some(&format!("Bearer {}", app.admin_token)),
        query,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    assert!(body.get("data").is_none(), "{body}");
    let retry_after: u64 = headers
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("whole seconds");
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    // The limit is per token: another token still gets through.
    data_as(&app, &other, query, json!({})).await;
}

/// A server with introspection switched off (`--disable-introspection`).
async fn without_introspection() -> TestApp {
    let mut options = HttpOptions::default();
    options.limits.introspection = false;
    TestApp::spawn_with(Backend::Sqlite, options).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_introspection_off_the_schema_is_refused_but_queries_work() {
    let app = without_introspection().await;
    for (field, query) in [
        ("__schema", "{ __schema { types { name } } }"),
        (
            "__type",
            r#"{ __type(name: "Carrier") { fields { name } } }"#,
        ),
    ] {
        let body = app.graphql_raw(query).await;
        assert_eq!(
            error_code(&body),
            "INTROSPECTION_DISABLED",
            "{field}: {body}"
        );
        assert_eq!(body["errors"][0]["path"], json!([field]), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("introspection is disabled")),
            "{body}"
        );
        assert!(body["data"][field].is_null(), "{field} answered: {body}");
        assert!(
            !body.to_string().contains("leadingIndustries")
                && !body.to_string().contains("\"Query\""),
            "the schema leaked: {body}"
        );
    }
    // `__typename` and ordinary queries still work.
    let data = app
        .data("{ __typename districts { code } }", json!({}))
        .await;
    assert_eq!(data["__typename"], "Query");
    assert_eq!(data["districts"].as_array().map(Vec::len), Some(8));
    // With introspection on (the default) the same query is answered.
    let open = TestApp::spawn(Backend::Sqlite).await;
    let data = open
        .data("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
}

async fn each_audit_event_starts_from_the_previous_ones_after(app: TestApp) {
    let operator = app.create_operator("无锡锡山科创集团", 621).await;
    let xishan = app.district_id("xishan").await;
    // Leading industries given out of alphabetical order.
    let carrier = app
        .create_carrier(
            &operator,
            &xishan,
            json!({ "name": "锡山孵化器", "leadingIndustries": ["SOFTWARE_IT", "IOT"] }),
        )
        .await;
    app.data(
        UPDATE_CARRIER,
        json!({ "input": { "id": carrier, "version": 1, "name": "锡山科技孵化器" } }),
    )
    .await;
    app.data(
        UPDATE_CARRIER,
        json!({ "input": { "id": carrier, "version": 2, "leadingIndustries": ["QUANTUM", "IOT"] } }),
    )
    .await;
    app.data(
        UPDATE_CARRIER,
        json!({ "input": { "id": carrier, "version": 3, "status": "SUSPENDED" } }),
    )
    .await;
    let (count, mut events) = audit_events(&app, json!({ "entityId": carrier })).await;
    assert_eq!(count, 4);
    events.reverse();
    // As sets, the industries are right in every snapshot.
    let industries = |snapshot: &Value| {
        let mut names: Vec<String> = snapshot["leading_industries"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|v| v.as_str().expect("a name").to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(industries(&events[0]["after"]), ["IOT", "SOFTWARE_IT"]);
    assert_eq!(industries(&events[2]["after"]), ["IOT", "QUANTUM"]);
    assert_eq!(industries(&events[3]["after"]), ["IOT", "QUANTUM"]);
    for pair in events.windows(2) {
        assert_eq!(
            pair[1]["before"], pair[0]["after"],
            "PRODUCT BUG: an audit event's `before` differs from the previous event's `after` for \
             the same, unchanged carrier: `after.leading_industries` keeps the order of the request \
             (src/store/carrier.rs, create and update: `carrier_snapshot(&model, &names(&industries))`) \
             while `before.leading_industries` is read back sorted (`industry_names`), so a reader \
             diffing consecutive events sees a change that never happened"
        );
    }
}

/// A competitor's write is refused before any lock is taken: while the
/// carrier's own operator holds the carrier's row (a long import, say), an
/// operator with no right to it is told FORBIDDEN at once, rather than
/// waiting for the lock and so learning that the carrier is busy. (PostgreSQL
/// only: SQLite queues every writer for one database lock, whoever it is.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_competitor_is_refused_without_waiting_for_a_busy_carrier() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::spawn(Backend::Postgres).await;
    let owner = app.create_operator("忙碌运营", 340).await;
    let district = app.district_id("liangxi").await;
    let carrier = app
        .create_carrier(&owner, &district, json!({ "name": "忙碌载体" }))
        .await;
    let competitor = app.create_operator("竞争运营", 341).await;
    let token = app.token("竞争", Role::Operator, Some(&competitor)).await;
    let id = zaiti::graphql::node::decode("id", &async_graphql::ID(carrier.clone()))
        .expect("a global ID")
        .1;
    let busy = app.db.begin().await.expect("a transaction");
    busy.execute_unprepared(&format!(
        "SELECT id FROM carrier WHERE id = {id} FOR UPDATE"
    ))
    .await
    .expect("the carrier's row locked");
    let write = app.graphql_as(
        &token,
        "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }",
        json!({ "input": { "carrierId": carrier, "areaM2": 100.0, "deliveredOn": "2024-01-01", "source": "NEW_BUILD" } }),
    );
    let body = tokio::time::timeout(std::time::Duration::from_secs(3), write)
        .await
        .expect("refused without waiting for the lock");
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    busy.rollback().await.expect("lock released");
}
