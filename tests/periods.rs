//! Reporting periods: a closed year's reported figures stay as they were,
//! later changes show as restatements with their causes; on SQLite and
//! PostgreSQL, through a real server.

mod common;

use common::{TestApp, error_code, uscc};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const PROGRESS: &str = r#"query($knownAt: DateTime) {
  goalProgress(asOf: "2025-12-31", knownAt: $knownAt) {
    reportingPeriod { year status }
    target(code: NEW_FLOOR_AREA) {
      actual reported
      restatement { reported current difference
        carriers { carrier { id } reported current difference }
        causes { operation entityType entityId } }
      contributors(first: 1) { nodes { carrier { id } } }
    } } }"#;
const CLOSE: &str = "mutation($input: CloseReportingPeriodInput!) {
  closeReportingPeriod(input: $input) { id year status periodEnd closedAt version torchCsv
    reported { code actual } } }";
const REOPEN: &str = "mutation($input: ReopenReportingPeriodInput!) {
  reopenReportingPeriod(input: $input) { year status reopenReason version } }";
const PERIODS: &str = "{ reportingPeriods { year status torchCsv reported { code actual } }
  torchStatistics(year: 2025) { restated reportingPeriod { year }
    restatement { carriers { carrierId } } } }";

const TORCH_RESTATEMENT: &str = "{ torchStatistics(year: 2025) { restatement {
  carriers { carrierId changes { indicator nameZh reported current difference } }
  causes(first: 100) { operation entityType entityId } } } }";

fn floor_area(progress: &Value) -> &Value {
    &progress["goalProgress"]["target"]
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn reported_floor_area(period: &Value) -> f64 {
    let figure = period["reported"]
        .as_array()
        .expect("reported figures")
        .iter()
        .find(|figure| figure["code"] == "NEW_FLOOR_AREA")
        .expect("the floor area figure");
    number(&figure["actual"])
}

/// The bureau's check: close 2025, enter late records dated 2025, and see the
/// reported figure stay while the restatement shows the difference and why.
async fn a_closed_year_keeps_its_figures_and_shows_restatements(app: TestApp) {
    app.load_demo().await;
    let operator = app.create_operator("关账测试运营", 771).await;
    let own = app.token("关账运营", Role::Operator, Some(&operator)).await;
    // An incubator surveyed since 2024 that had no tenant when 2025 was closed.
    let district = app.district_id("liangxi").await;
    let incubator = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": "补录孵化器", "kind": "INCUBATOR", "statusSince": "2024-01-01" }),
        )
        .await;
    app.add_phase(&incubator, 800.0, "2024-03-01", "NEW_BUILD")
        .await;
    let open = app.data(PROGRESS, json!({})).await;
    let before = number(&floor_area(&open)["actual"]);
    let carrier = floor_area(&open)["contributors"]["nodes"][0]["carrier"]["id"].clone();
    assert!(
        open["goalProgress"]["reportingPeriod"].is_null()
            || open["goalProgress"]["reportingPeriod"]["year"] == 2025,
        "{open}"
    );

    // Only the bureau closes, and only a year that has ended.
    let body = app
        .graphql_as(&own, CLOSE, json!({ "input": { "year": 2024 } }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let this_year = chrono::Utc::now().format("%Y").to_string();
    let body = app
        .graphql(
            CLOSE,
            json!({ "input": { "year": this_year.parse::<i32>().expect("a year") } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");

    // The demo closes 2025 itself; reopen it to close it here from a known state.
    let periods = app.data(PERIODS, json!({})).await;
    if let Some(demo) = periods["reportingPeriods"]
        .as_array()
        .expect("periods")
        .iter()
        .find(|period| period["year"] == 2025)
    {
        let version = app
            .data("{ reportingPeriods { year version } }", json!({}))
            .await["reportingPeriods"][0]["version"]
            .clone();
        assert_eq!(demo["status"], "CLOSED");
        app.data(
            REOPEN,
            json!({ "input": { "year": 2025, "version": version, "reason": "测试重新关账" } }),
        )
        .await;
    }
    let closed = app
        .data(
            CLOSE,
            json!({ "input": { "year": 2025, "note": "2025年度考核报送数" } }),
        )
        .await;
    let period = closed["closeReportingPeriod"].clone();
    assert_eq!(period["status"], "CLOSED");
    assert_eq!(period["periodEnd"], "2025-12-31");
    assert!(
        (reported_floor_area(&period) - before).abs() < 0.01,
        "{period}"
    );
    let again = app
        .graphql(CLOSE, json!({ "input": { "year": 2025 } }))
        .await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
    let fresh = app.data(PERIODS, json!({})).await;
    assert_eq!(fresh["torchStatistics"]["restated"], false, "{fresh}");
    assert_eq!(
        fresh["torchStatistics"]["restatement"]["carriers"],
        json!([])
    );

    let closed_view = app.data(PROGRESS, json!({})).await;
    let target = floor_area(&closed_view);
    assert_eq!(
        closed_view["goalProgress"]["reportingPeriod"]["status"],
        "CLOSED"
    );
    assert_eq!(number(&target["reported"]), number(&target["actual"]));
    assert_eq!(number(&target["restatement"]["difference"]), 0.0);
    assert_eq!(target["restatement"]["carriers"], json!([]));

    // A phase delivered in 2025 entered late: the figure moves, the report does not.
    let late_phase = app
        .add_phase(
            carrier.as_str().expect("an id"),
            1000.0,
            "2025-10-01",
            "NEW_BUILD",
        )
        .await;
    let restated = app.data(PROGRESS, json!({})).await;
    let target = floor_area(&restated);
    assert!(
        (number(&target["actual"]) - before - 1000.0).abs() < 0.01,
        "{restated}"
    );
    assert!((number(&target["reported"]) - before).abs() < 0.01);
    let restatement = &target["restatement"];
    assert!((number(&restatement["difference"]) - 1000.0).abs() < 0.01);
    assert_eq!(restatement["carriers"][0]["carrier"]["id"], carrier);
    assert!((number(&restatement["carriers"][0]["difference"]) - 1000.0).abs() < 0.01);
    assert!(
        restatement["causes"]
            .as_array()
            .expect("causes")
            .iter()
            .any(|event| event["entityId"] == late_phase.as_str() && event["operation"] == "CREATE"),
        "{restatement}"
    );
    // The reported figure is what was known at closing.
    let as_known = app
        .data(PROGRESS, json!({ "knownAt": period["closedAt"] }))
        .await;
    assert!((number(&floor_area(&as_known)["actual"]) - before).abs() < 0.01);

    // A tenant entered late for 2025 restates the 火炬统计, not the reported CSV.
    let enterprise = app
        .data(
            "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }",
            json!({ "input": { "uscc": uscc(7711), "name": "补录在孵企业", "foundedOn": "2024-05-01" } }),
        )
        .await["registerEnterprise"]["id"]
        .clone();
    let tenancy = app
        .data(
            "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }",
            json!({ "input": { "carrierId": incubator, "enterpriseId": enterprise, "areaM2": 200.0,
                               "movedInOn": "2025-06-01" } }),
        )
        .await["moveIn"]["id"]
        .clone();
    // Itemised: that incubator's tenant area and tenant count, and the tenancy that moved them.
    let torch = app.data(TORCH_RESTATEMENT, json!({})).await;
    let restatement = &torch["torchStatistics"]["restatement"];
    let row = restatement["carriers"]
        .as_array()
        .expect("restated carriers")
        .iter()
        .find(|row| row["carrierId"] == incubator.as_str())
        .unwrap_or_else(|| panic!("the incubator is restated: {torch}"));
    assert_eq!(
        row["changes"],
        json!([
            { "indicator": "TENANT_AREA", "nameZh": "在孵企业使用面积(平方米)",
              "reported": "0.00", "current": "200.00", "difference": 200.0 },
            { "indicator": "INCUBATING", "nameZh": "在孵企业数(家)",
              "reported": "0", "current": "1", "difference": 1.0 },
        ]),
        "{torch}"
    );
    assert!(
        restatement["causes"]
            .as_array()
            .expect("causes")
            .iter()
            .any(|event| event["entityId"] == tenancy && event["entityType"] == "Tenancy"),
        "{restatement}"
    );
    // The operator sees the causes among its own records only.
    let seen = app.graphql_as(&own, TORCH_RESTATEMENT, json!({})).await;
    let causes = seen["data"]["torchStatistics"]["restatement"]["causes"]
        .as_array()
        .unwrap_or_else(|| panic!("causes: {seen}"));
    assert!(causes.iter().any(|event| event["entityId"] == tenancy));
    assert!(
        causes
            .iter()
            .all(|event| event["entityId"] != late_phase.as_str()),
        "another operator's phase is not shown: {seen}"
    );
    let periods = app.data(PERIODS, json!({})).await;
    let listed = &periods["reportingPeriods"][0];
    assert_eq!(listed["torchCsv"], period["torchCsv"], "the report stays");
    assert_eq!(periods["torchStatistics"]["restated"], true, "{periods}");
    assert_eq!(periods["torchStatistics"]["reportingPeriod"]["year"], 2025);
    assert!((reported_floor_area(listed) - before).abs() < 0.01);

    // Reopening is the bureau's, with a reason, at the version read.
    let reopen = |version: i64, reason: &str| json!({ "input": { "year": 2025, "version": version, "reason": reason } });
    let version = period["version"].as_i64().expect("a version");
    let body = app.graphql_as(&own, REOPEN, reopen(version, "补录")).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app.graphql(REOPEN, reopen(version, "  ")).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let body = app.graphql(REOPEN, reopen(version - 1, "补录")).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    let reopened = app
        .data(REOPEN, reopen(version, "补录2025年四季度交付面积"))
        .await;
    assert_eq!(reopened["reopenReportingPeriod"]["status"], "REOPENED");
    let open_again = app.data(PROGRESS, json!({})).await;
    assert!(open_again["goalProgress"]["reportingPeriod"].is_null());
    let reopened_torch = app.data(TORCH_RESTATEMENT, json!({})).await;
    assert!(reopened_torch["torchStatistics"]["restatement"].is_null());
    assert!(floor_area(&open_again)["restatement"].is_null());

    // Closed again, the report is the figure as it stands now.
    let reclosed = app.data(CLOSE, json!({ "input": { "year": 2025 } })).await;
    assert!(
        (reported_floor_area(&reclosed["closeReportingPeriod"]) - before - 1000.0).abs() < 0.01
    );
    let trail = app
        .data(
            "query($id: ID!) { auditEvents(first: 10, filter: { entityId: $id }) { nodes { operation reason } } }",
            json!({ "id": period["id"] }),
        )
        .await;
    let reasons: Vec<&Value> = trail["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| &event["reason"])
        .collect();
    assert!(
        reasons.contains(&&json!("补录2025年四季度交付面积")),
        "{trail}"
    );
}

/// Closing and reopening at once (two reviewers clicking together): one
/// closing stands, one reopening stands, the rest get CONFLICT.
async fn a_year_is_closed_and_reopened_once_under_simultaneous_requests(app: TestApp) {
    let operator = app.create_operator("并发关账运营", 772).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "statusSince": "2024-01-01" }))
        .await;
    app.add_phase(&carrier, 1500.0, "2024-05-01", "NEW_BUILD")
        .await;
    let answers = futures_util::future::join_all(
        (0..6).map(|_| app.graphql(CLOSE, json!({ "input": { "year": 2024 } }))),
    )
    .await;
    let closed: Vec<&Value> = answers
        .iter()
        .filter(|answer| answer.get("errors").is_none())
        .collect();
    assert_eq!(closed.len(), 1, "{answers:?}");
    for answer in answers
        .iter()
        .filter(|answer| answer.get("errors").is_some())
    {
        assert_eq!(error_code(answer), "CONFLICT", "{answer}");
    }
    assert_eq!(app.count_rows("reporting_period").await, 1);

    let version = &closed[0]["data"]["closeReportingPeriod"]["version"];
    let answers = futures_util::future::join_all((0..6).map(|n| {
        app.graphql(
            REOPEN,
            json!({ "input": { "year": 2024, "version": version, "reason": format!("复核{n}") } }),
        )
    }))
    .await;
    let reopened = answers
        .iter()
        .filter(|answer| answer.get("errors").is_none())
        .count();
    assert_eq!(reopened, 1, "{answers:?}");
    for answer in answers
        .iter()
        .filter(|answer| answer.get("errors").is_some())
    {
        assert_eq!(error_code(answer), "CONFLICT", "{answer}");
    }
}

on_both_databases!(
    a_closed_year_keeps_its_figures_and_shows_restatements,
    a_year_is_closed_and_reopened_once_under_simultaneous_requests,
);
