//! The demo portfolio loads, idempotently, and covers what the README promises.

mod common;

use common::TestApp;
use serde_json::json;

async fn the_demo_portfolio_loads_once_and_covers_every_district_and_kind(app: TestApp) {
    app.load_demo().await;
    app.load_demo().await;
    let data = app
        .data(
            "{ carriers(first: 1) { totalCount } districts { code } }",
            json!({}),
        )
        .await;
    let total = data["carriers"]["totalCount"].as_u64().expect("a count");
    assert!(total >= 120, "only {total} demo carriers");
    assert_eq!(
        app.count_rows("carrier").await as u64,
        total,
        "a second load must add nothing"
    );
    for district in data["districts"].as_array().expect("districts") {
        let code = district["code"].as_str().expect("a code");
        let query =
            "query($code: String!) { carriers(filter: {districtCodes: [$code]}) { totalCount } }";
        let count =
            app.data(query, json!({ "code": code })).await["carriers"]["totalCount"].clone();
        assert!(count.as_u64() > Some(0), "no demo carrier in {code}");
    }
    for kind in ["MAKERSPACE", "INCUBATOR", "ACCELERATOR", "SCIENCE_COMPLEX"] {
        let query =
            "query($kind: CarrierKind!) { carriers(filter: {kinds: [$kind]}) { totalCount } }";
        let count =
            app.data(query, json!({ "kind": kind })).await["carriers"]["totalCount"].clone();
        assert!(count.as_u64() > Some(0), "no demo {kind}");
    }
}

/// The demo shows corrections made in the open: a phase entered with a
/// mistyped area and amended, a duplicate phase voided, a recognition
/// amended to add its document number, each with its reason.
async fn the_demo_shows_a_voided_phase_and_amended_records(app: TestApp) {
    app.load_demo().await;
    let data = app
        .data(
            "{ auditEvents(first: 10, filter: { operations: [AMEND, VOID] }) {
                 nodes { operation entityType entityId reason } } }",
            serde_json::json!({}),
        )
        .await;
    let mut seen: Vec<(String, String)> = data["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| {
            assert!(
                event["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{event}"
            );
            (
                event["operation"]
                    .as_str()
                    .expect("an operation")
                    .to_owned(),
                event["entityType"].as_str().expect("a type").to_owned(),
            )
        })
        .collect();
    seen.sort();
    let expected = [
        ("AMEND", "LevelRecognition"),
        ("AMEND", "SpacePhase"),
        ("VOID", "SpacePhase"),
    ]
    .map(|(operation, kind)| (operation.to_owned(), kind.to_owned()));
    assert_eq!(seen, expected);
}

/// The demo's review queue holds a request in each state: an approved one
/// whose designation was made, a rejected one with its reason, and one
/// waiting for the bureau.
async fn the_demo_has_approved_rejected_and_pending_requests(app: TestApp) {
    app.load_demo().await;
    let data = app
        .data(
            "{ designationRequests(first: 10) { totalCount nodes {
                 kind status decisionReason decidedAt
                 operatingTeam { professionalRecognisedOn } platform { level } carrier { landmark } } } }",
            json!({}),
        )
        .await;
    let nodes = data["designationRequests"]["nodes"]
        .as_array()
        .expect("requests");
    let mut states: Vec<(&str, &str)> = nodes
        .iter()
        .map(|node| {
            (
                node["kind"].as_str().expect("a kind"),
                node["status"].as_str().expect("a status"),
            )
        })
        .collect();
    states.sort_unstable();
    assert_eq!(
        states,
        [
            ("LANDMARK", "REJECTED"),
            ("PLATFORM_LEVEL", "PENDING"),
            ("PROFESSIONAL_TEAM", "APPROVED"),
        ],
        "{data}"
    );
    for node in nodes {
        match node["status"].as_str() {
            Some("APPROVED") => {
                assert!(
                    node["operatingTeam"]["professionalRecognisedOn"].is_string(),
                    "{node}"
                );
            }
            Some("REJECTED") => {
                assert!(
                    node["decisionReason"]
                        .as_str()
                        .is_some_and(|r| !r.is_empty())
                );
                assert_eq!(node["carrier"]["landmark"], false, "{node}");
            }
            _ => {
                assert!(node["decidedAt"].is_null(), "{node}");
                assert_eq!(node["platform"]["level"], "NONE", "{node}");
            }
        }
    }
}

/// The demo closes 2025 and then enters a phase delivered in 2025 and a
/// tenant who moved in during 2025 late: the reported floor area stays, the
/// restatement shows the late phase, the 火炬统计 restatement the tenant.
async fn the_demo_closed_2025_and_shows_a_restatement(app: TestApp) {
    app.load_demo().await;
    let data = app
        .data(
            r#"{ goalProgress(asOf: "2025-12-31") {
                 reportingPeriod { year status note }
                 target(code: NEW_FLOOR_AREA) { actual reported
                   restatement { difference carriers { difference } causes { operation entityType } } } } }"#,
            json!({}),
        )
        .await;
    let progress = &data["goalProgress"];
    assert_eq!(progress["reportingPeriod"]["year"], 2025, "{data}");
    assert_eq!(progress["reportingPeriod"]["status"], "CLOSED");
    let target = &progress["target"];
    let (actual, reported) = (
        target["actual"].as_f64().expect("actual"),
        target["reported"].as_f64().expect("reported"),
    );
    assert!((actual - reported - 1200.0).abs() < 0.01, "{data}");
    assert_eq!(target["restatement"]["carriers"][0]["difference"], 1200.0);
    let causes = target["restatement"]["causes"].as_array().expect("causes");
    assert!(
        causes.contains(&json!({ "operation": "CREATE", "entityType": "SpacePhase" })),
        "{data}"
    );

    let torch = app
        .data(
            "{ torchStatistics(year: 2025) { restated restatement {
                 carriers { changes { indicator difference } } causes { operation entityType } } } }",
            json!({}),
        )
        .await;
    let statistics = &torch["torchStatistics"];
    assert_eq!(statistics["restated"], true, "{torch}");
    let late_tenant = json!([
        { "indicator": "TENANT_AREA", "difference": 150.0 },
        { "indicator": "INCUBATING", "difference": 1.0 },
    ]);
    let rows = statistics["restatement"]["carriers"]
        .as_array()
        .expect("restated carriers");
    assert!(
        rows.iter().any(|row| row["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter(|change| change["indicator"] != "FLOOR_AREA")
            .eq(late_tenant.as_array().expect("changes"))),
        "{torch}"
    );
    assert!(
        statistics["restatement"]["causes"]
            .as_array()
            .expect("causes")
            .contains(&json!({ "operation": "CREATE", "entityType": "Tenancy" })),
        "{torch}"
    );
}

/// `serve --demo` keeps its admin token across restarts: the secret a
/// previous start wrote down is printed again while it is the valid demo
/// admin token, and a new one (the old revoked) replaces it otherwise.
async fn the_demo_admin_token_survives_a_restart(app: TestApp) {
    use zaiti::store::token::{DemoAdmin, demo_admin};
    // Whether a secret is let in; a revocation holds once the server's
    // token cache has forgotten it.
    let works = |secret: String| {
        let app = &app;
        async move {
            tokio::time::sleep(zaiti::store::token::CACHE_FOR).await;
            let response = app
                .client
                .post(app.graphql_url())
                .bearer_auth(secret)
                .json(&json!({ "query": "{ carriers { totalCount } }" }))
                .send()
                .await
                .expect("a response");
            response.status() == 200
        }
    };
    let DemoAdmin::Issued(first) = demo_admin(&app.db, None).await.expect("issued") else {
        panic!("nothing was kept, so a token is issued");
    };
    assert!(works(first.clone()).await);
    assert_eq!(
        demo_admin(&app.db, Some(&first)).await.expect("kept"),
        DemoAdmin::Kept(first.clone()),
        "a restart prints the same token"
    );
    assert!(works(first.clone()).await, "and it still works");

    // Another token's secret is never taken for the demo token, even an admin's.
    let DemoAdmin::Issued(second) = demo_admin(&app.db, Some(&app.admin_token))
        .await
        .expect("issued")
    else {
        panic!("the test admin token is not the demo admin token");
    };
    assert_ne!(second, first);
    assert!(works(second.clone()).await);
    assert!(
        !works(first.clone()).await,
        "the previous demo token is revoked"
    );
    let DemoAdmin::Issued(third) = demo_admin(&app.db, Some(&first)).await.expect("issued") else {
        panic!("a revoked secret is not kept");
    };
    assert!(works(third).await);
    assert!(!works(second).await);
}

on_both_databases!(
    the_demo_admin_token_survives_a_restart,
    the_demo_closed_2025_and_shows_a_restatement,
    the_demo_portfolio_loads_once_and_covers_every_district_and_kind,
    the_demo_shows_a_voided_phase_and_amended_records,
    the_demo_has_approved_rejected_and_pending_requests,
    the_readme_quotes_the_demo_as_it_is,
);

/// The figures the README quotes about the demo are what the demo answers
/// (tests/demo.rs keeps them true when the demo changes).
async fn the_readme_quotes_the_demo_as_it_is(app: TestApp) {
    let summary = zaiti::demo::load(&app.db).await.expect("demo data loads");
    let readme = include_str!("../README.md").replace('\n', " ");
    // "loaded 128 carriers, 38 operators, 212 space phases, …" → the count before each noun.
    let count_in_summary = |noun: &str| -> u64 {
        let at = summary
            .find(&format!(" {noun}"))
            .unwrap_or_else(|| panic!("no {noun} in {summary}"));
        summary[..at]
            .rsplit([' ', '('])
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count before {noun} in {summary}"))
    };
    for (noun, in_readme) in [
        ("carriers", "carriers"),
        ("operators", "operators"),
        ("space phases", "space phases"),
        ("recognitions", "recognitions"),
        ("enterprises", "tenant enterprises"),
        ("graduated", "graduated"),
        ("qualifications", "qualifications"),
    ] {
        let claim = format!("{} {in_readme}", count_in_summary(noun));
        assert!(readme.contains(&claim), "the README should say '{claim}'");
    }
    let count = |filter: &str| {
        let query =
            format!("{{ carriers(filter: {{statuses: [OPERATING]{filter}}}) {{ totalCount }} }}");
        let app = &app;
        async move {
            app.data(&query, json!({})).await["carriers"]["totalCount"]
                .as_u64()
                .expect("a count")
        }
    };
    let claim = format!(
        "{} of the {} operating carriers are fully functional; {} lack an investment fund, {} an innovation platform",
        count(", fullyFunctional: true").await,
        count("").await,
        count(", failing: [INVESTMENT_FUND]").await,
        count(", failing: [INNOVATION_PLATFORM]").await,
    );
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(readme.contains(&claim), "the README should say '{claim}'");
}
