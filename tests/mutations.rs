//! Writing the registry: creates, versioned updates, and refusals that leave
//! nothing written. On SQLite and PostgreSQL.

mod common;

use common::{TestApp, error_code};
use serde_json::{Value, json};

const UPDATE_CARRIER: &str = r#"
mutation($input: UpdateCarrierInput!) {
  updateCarrier(input: $input) { id name status version leadingIndustries location { longitude } }
}"#;

const UPDATE_CARRIER_STATUS: &str = r#"
mutation($input: UpdateCarrierInput!) {
  updateCarrier(input: $input) { version statusHistory { effectiveOn status } }
}"#;

async fn version_of(app: &TestApp, id: &str) -> (i64, String) {
    let data = app
        .data(
            "query($id: ID!) { carrier(id: $id) { version name } }",
            json!({ "id": id }),
        )
        .await;
    (
        data["carrier"]["version"].as_i64().expect("a version"),
        data["carrier"]["name"].as_str().expect("a name").to_owned(),
    )
}

async fn an_update_with_a_stale_version_conflicts_and_changes_nothing(app: TestApp) {
    let operator = app.create_operator("无锡创新投资集团", 20).await;
    let district = app.district_id("liangxi").await;
    let id = app
        .create_carrier(
            &operator,
            &district,
            json!({ "location": { "longitude": 120.3, "latitude": 31.57 } }),
        )
        .await;
    assert_eq!(version_of(&app, &id).await, (1, "测试众创空间".to_owned()));

    let data = app
        .data(
            UPDATE_CARRIER,
            json!({ "input": { "id": id, "version": 1, "name": "梁溪数字经济众创空间",
                               "status": "SUSPENDED", "leadingIndustries": ["SOFTWARE_IT"], "location": null } }),
        )
        .await;
    let updated = &data["updateCarrier"];
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["status"], "SUSPENDED");
    assert_eq!(updated["leadingIndustries"], json!(["SOFTWARE_IT"]));
    assert_eq!(updated["location"], Value::Null);

    // A second client still holding version 1.
    let body = app
        .graphql(
            UPDATE_CARRIER,
            json!({ "input": { "id": id, "version": 1, "name": "覆盖者" } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT");
    assert_eq!(body["data"], Value::Null);
    assert_eq!(
        version_of(&app, &id).await,
        (2, "梁溪数字经济众创空间".to_owned())
    );
}

async fn operators_are_created_and_updated_with_versions(app: TestApp) {
    let id = app.create_operator("无锡高新区科创集团", 21).await;
    let update = "mutation($input: UpdateOperatorInput!) { updateOperator(input: $input) { name version contactPhone ownership } }";
    let data = app
        .data(
            update,
            json!({ "input": { "id": id, "version": 1, "name": "无锡高新区科技创新集团",
                               "ownership": "DISTRICT_STATE_OWNED", "contactPhone": null } }),
        )
        .await;
    assert_eq!(
        data["updateOperator"],
        json!({ "name": "无锡高新区科技创新集团", "version": 2, "contactPhone": null, "ownership": "DISTRICT_STATE_OWNED" })
    );
    let stale = app
        .graphql(
            update,
            json!({ "input": { "id": id, "version": 1, "name": "x" } }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT");
    let data = app
        .data(
            "{ operators(first: 10) { totalCount nodes { name version } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["operators"]["totalCount"], 1);
    assert_eq!(data["operators"]["nodes"][0]["version"], 2);
}

async fn a_bad_uscc_is_refused_and_nothing_is_written(app: TestApp) {
    let create = "mutation($input: CreateOperatorInput!) { createOperator(input: $input) { id } }";
    let mut code = common::uscc(30);
    let last = code.pop().expect("a character");
    code.push(if last == '0' { '1' } else { '0' });
    let body = app
        .graphql(
            create,
            json!({ "input": { "name": "假公司", "uscc": code, "ownership": "PRIVATE" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "uscc");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("check character"))
    );
    assert_eq!(app.count_rows("operator").await, 0);

    // The same valid code twice is a conflict, and the second is not written.
    app.create_operator("真公司", 31).await;
    let body = app
        .graphql(create, json!({ "input": { "name": "重复公司", "uscc": common::uscc(31), "ownership": "PRIVATE" } }))
        .await;
    assert_eq!(error_code(&body), "CONFLICT");
    assert_eq!(app.count_rows("operator").await, 1);
}

async fn a_negative_area_is_refused_and_nothing_is_written(app: TestApp) {
    let operator = app.create_operator("无锡滨湖科创集团", 40).await;
    let district = app.district_id("binhu").await;
    let id = app.create_carrier(&operator, &district, json!({})).await;
    let add = "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }";
    for area in [-500.0, 0.0, 5.0e7] {
        let body = app
            .graphql(
                add,
                json!({ "input": { "carrierId": id, "areaM2": area, "deliveredOn": "2024-05-01", "source": "NEW_BUILD" } }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "area {area}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "areaM2");
    }
    assert_eq!(app.count_rows("space_phase").await, 0);
}

async fn inputs_breaking_rules_get_bad_user_input_with_the_field(app: TestApp) {
    let operator = app.create_operator("无锡江阴科创集团", 50).await;
    let district = app.district_id("jiangyin").await;
    let create = "mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }";
    let base = json!({ "name": "江阴孵化器", "kind": "INCUBATOR", "districtId": district,
                       "operatorId": operator, "address": "江阴市澄江街道" });
    let cases: [(Value, &str); 5] = [
        (json!({ "landmark": true }), "landmark"),
        (json!({ "name": "   " }), "name"),
        (
            json!({ "location": { "longitude": 31.9, "latitude": 120.3 } }),
            "location.latitude",
        ),
        (json!({ "districtId": operator }), "districtId"),
        (json!({ "operatorId": "not-an-id" }), "operatorId"),
    ];
    for (change, field) in cases {
        let mut input = base.clone();
        input
            .as_object_mut()
            .expect("object")
            .extend(change.as_object().expect("object").clone());
        let body = app.graphql(create, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    assert_eq!(app.count_rows("carrier").await, 0);

    let id = app.create_carrier(&operator, &district, json!({})).await;
    let body = app
        .graphql(
            "mutation($input: RecordLevelRecognitionInput!) { recordLevelRecognition(input: $input) { id } }",
            json!({ "input": { "carrierId": id, "level": "CITY", "recognisedOn": "2099-01-01", "authority": "无锡市科学技术局" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "recognisedOn");
    assert_eq!(app.count_rows("level_recognition").await, 0);
}

async fn writes_to_missing_rows_get_not_found(app: TestApp) {
    let missing = "Q2FycmllcjoxMDAwMDA"; // Carrier:100000
    let body = app
        .graphql(
            "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }",
            json!({ "input": { "carrierId": missing, "areaM2": 100.0, "deliveredOn": "2024-05-01", "source": "OTHER" } }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let body = app
        .graphql(
            UPDATE_CARRIER,
            json!({ "input": { "id": missing, "version": 1, "name": "x" } }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND");
}

async fn values_of_the_wrong_shape_get_bad_user_input(app: TestApp) {
    let missing = "Q2FycmllcjoxMDAwMDA";
    // An unreal date, as a literal and as a variable.
    let literal = format!(
        r#"mutation {{ addSpacePhase(input: {{carrierId: "{missing}", areaM2: 10, deliveredOn: "2026-02-30", source: NEW_BUILD}}) {{ id }} }}"#
    );
    let body = app.graphql_raw(&literal).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .is_some_and(|f| f.contains("deliveredOn")),
        "{body}"
    );
    let body = app
        .graphql_raw_with(
            "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }",
            json!({ "input": { "carrierId": missing, "areaM2": 10, "deliveredOn": "2026-13-01", "source": "NEW_BUILD" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    // An enumeration value that does not exist.
    let body = app
        .graphql_raw(
            r#"mutation { createOperator(input: {name: "x", uscc: "x", ownership: FOO}) { id } }"#,
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .is_some_and(|f| f.contains("ownership")),
        "{body}"
    );
    assert_eq!(
        app.count_rows("operator").await + app.count_rows("space_phase").await,
        0
    );
}

/// Writers at the same moment queue for the database instead of failing:
/// of twelve updates holding the same version exactly one wins and the rest
/// get CONFLICT, and twelve creates all land, while reads go on beside them.
async fn simultaneous_writes_queue_and_stale_ones_conflict(app: TestApp) {
    let operator = app.create_operator("无锡创新投资集团", 21).await;
    let district = app.district_id("liangxi").await;
    let id = app.create_carrier(&operator, &district, json!({})).await;

    let updates = (0..12).map(|n| {
        app.graphql(
            UPDATE_CARRIER,
            json!({ "input": { "id": id, "version": 1, "name": format!("同时更新{n}") } }),
        )
    });
    let bodies = futures_util::future::join_all(updates).await;
    let won: Vec<&Value> = bodies
        .iter()
        .filter(|body| body["errors"].is_null())
        .collect();
    assert_eq!(won.len(), 1, "{bodies:?}");
    for body in bodies.iter().filter(|body| !body["errors"].is_null()) {
        assert_eq!(error_code(body), "CONFLICT", "{body}");
    }
    let winner = won[0]["data"]["updateCarrier"]["name"]
        .as_str()
        .expect("a name");
    assert_eq!(version_of(&app, &id).await, (2, winner.to_owned()));

    let phases = (0..12).map(|n| {
        app.graphql(
            "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }",
            json!({ "input": { "carrierId": id, "areaM2": 1000.0 + f64::from(n),
                               "deliveredOn": "2025-03-01", "source": "NEW_BUILD" } }),
        )
    });
    let reads = (0..12).map(|_| {
        app.graphql(
            "query($id: ID!) { carrier(id: $id) { version } }",
            json!({ "id": id }),
        )
    });
    let (written, read) = tokio::join!(
        futures_util::future::join_all(phases),
        futures_util::future::join_all(reads)
    );
    for body in written.iter().chain(&read) {
        assert!(body["errors"].is_null(), "{body}");
    }
    assert_eq!(app.count_rows("space_phase").await, 12);
}

/// Status changes are dated: the history grows with each change; a date in
/// the future or before the latest change is refused with nothing written;
/// the current status can be re-dated, after the previous change only; a
/// stale version gets CONFLICT before anything else is judged.
async fn status_changes_are_dated_and_checked(app: TestApp) {
    let operator = app.create_operator("无锡创新投资集团", 22).await;
    let district = app.district_id("liangxi").await;
    let id = app
        .create_carrier(
            &operator,
            &district,
            json!({ "status": "UNDER_CONSTRUCTION", "statusSince": "2023-05-01" }),
        )
        .await;
    let opened = app
        .data(
            UPDATE_CARRIER_STATUS,
            json!({ "input": { "id": id, "version": 1, "status": "OPERATING",
                               "statusSince": "2024-09-01" } }),
        )
        .await;
    assert_eq!(
        opened["updateCarrier"]["statusHistory"],
        json!([{ "effectiveOn": "2023-05-01", "status": "UNDER_CONSTRUCTION" },
               { "effectiveOn": "2024-09-01", "status": "OPERATING" }])
    );
    let history_rows = app.count_rows("carrier_status_change").await;
    for input in [
        json!({ "id": id, "version": 2, "status": "SUSPENDED", "statusSince": "2099-01-01" }),
        json!({ "id": id, "version": 2, "status": "SUSPENDED", "statusSince": "2024-08-31" }),
        json!({ "id": id, "version": 2, "name": "改名", "statusSince": "2023-05-01" }),
        json!({ "id": id, "version": 2, "status": "OPERATING", "statusSince": "2023-04-01" }),
    ] {
        let body = app
            .graphql(UPDATE_CARRIER_STATUS, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "statusSince",
            "{body}"
        );
    }
    assert_eq!(app.count_rows("carrier_status_change").await, history_rows);
    assert_eq!(version_of(&app, &id).await.0, 2);
    let stale = app
        .graphql(
            UPDATE_CARRIER_STATUS,
            json!({ "input": { "id": id, "version": 1, "status": "SUSPENDED",
                               "statusSince": "2020-01-01" } }),
        )
        .await;
    assert_eq!(error_code(&stale), "CONFLICT", "{stale}");
    // It opened earlier than first recorded: the current status is re-dated.
    let redated = app
        .data(
            UPDATE_CARRIER_STATUS,
            json!({ "input": { "id": id, "version": 2, "statusSince": "2024-06-01" } }),
        )
        .await;
    assert_eq!(
        redated["updateCarrier"]["statusHistory"],
        json!([{ "effectiveOn": "2023-05-01", "status": "UNDER_CONSTRUCTION" },
               { "effectiveOn": "2024-06-01", "status": "OPERATING" }])
    );
    assert_eq!(app.count_rows("carrier_status_change").await, history_rows);
    // Without a date, a change takes effect today.
    let today = zaiti::store::today().to_string();
    let suspended = app
        .data(
            UPDATE_CARRIER_STATUS,
            json!({ "input": { "id": id, "version": 3, "status": "SUSPENDED" } }),
        )
        .await;
    assert_eq!(
        suspended["updateCarrier"]["statusHistory"][2],
        json!({ "effectiveOn": today, "status": "SUSPENDED" })
    );
}

on_both_databases!(
    status_changes_are_dated_and_checked,
    simultaneous_writes_queue_and_stale_ones_conflict,
    values_of_the_wrong_shape_get_bad_user_input,
    an_update_with_a_stale_version_conflicts_and_changes_nothing,
    operators_are_created_and_updated_with_versions,
    a_bad_uscc_is_refused_and_nothing_is_written,
    a_negative_area_is_refused_and_nothing_is_written,
    inputs_breaking_rules_get_bad_user_input_with_the_field,
    writes_to_missing_rows_get_not_found,
);
