//! Several `zaiti serve` processes behind one address, on one PostgreSQL
//! database: what one process writes the other reads at once, a rule that
//! spans rows holds when simultaneous writes arrive through both, a token
//! revoked through one is refused by the other within a second, and the rate
//! limit is counted per process, as docs/operations.md says. (Live updates
//! across processes: tests/subscriptions.rs; webhooks: tests/webhooks.rs.)

mod common;

use common::{Backend, ServerProcess, TestApp, answer_of, error_code, uscc};
use futures_util::future::join_all;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

/// The answer of the server at `base_url` to `query`, whatever its status.
async fn post(base_url: &str, token: &str, query: &str, variables: Value) -> Value {
    answer_of(base_url, Some(token), false, query, variables).await
}

const REGISTER: &str =
    "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";
const MOVE_IN: &str = "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }";
const LEASED: &str =
    "query($id: ID!) { node(id: $id) { ... on Carrier { occupancy { leasedAreaM2 tenants } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_database_act_as_one_server() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let limited = ["--rate-limit-per-minute", "20"];
    let first =
        ServerProcess::start_with(&app.database_url, &limited, &[("RUST_LOG", "warn")], None).await;
    let second =
        ServerProcess::start_with(&app.database_url, &limited, &[("RUST_LOG", "warn")], None).await;
    let admin = app.token("双进程管理员", Role::Admin, None).await;

    // Written through the first, read through the second at once.
    let operator = app.create_operator("双进程运营", 950).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(
            &operator,
            &district,
            json!({ "name": "双进程孵化器", "kind": "INCUBATOR" }),
        )
        .await;
    app.add_phase(&carrier, 1000.0, "2024-01-01", "NEW_BUILD")
        .await;
    let mut enterprises = Vec::new();
    for n in 0..6 {
        let input = json!({ "uscc": uscc(9500 + n), "name": format!("双进程企业{n}"), "foundedOn": "2023-01-01" });
        let through = if n % 2 == 0 { &first } else { &second };
        let body = post(
            &through.base_url,
            &admin,
            REGISTER,
            json!({ "input": input }),
        )
        .await;
        enterprises.push(
            body["data"]["registerEnterprise"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned(),
        );
    }
    let seen = post(
        &second.base_url,
        &admin,
        "query($id: ID!) { node(id: $id) { ... on Enterprise { name } } }",
        json!({ "id": enterprises[0] }),
    )
    .await;
    assert_eq!(seen["data"]["node"]["name"], "双进程企业0", "{seen}");

    // Six moves-in of 300 m² into 1,000 m², three through each process at
    // once: the carrier's row lock in PostgreSQL lets exactly three in.
    let moves = enterprises.iter().enumerate().map(|(n, enterprise)| {
        let through = if n % 2 == 0 { &first.base_url } else { &second.base_url };
        let input = json!({ "carrierId": carrier, "enterpriseId": enterprise, "areaM2": 300.0, "movedInOn": "2025-01-01" });
        let admin = admin.clone();
        async move { post(through, &admin, MOVE_IN, json!({ "input": input })).await }
    });
    let answers = join_all(moves).await;
    let moved = answers
        .iter()
        .filter(|body| body["errors"].is_null())
        .count();
    assert_eq!(moved, 3, "{answers:?}");
    for refused in answers.iter().filter(|body| !body["errors"].is_null()) {
        assert_eq!(error_code(refused), "BAD_USER_INPUT", "{refused}");
    }
    for server in [&first, &second] {
        let body = post(&server.base_url, &admin, LEASED, json!({ "id": carrier })).await;
        let occupancy = &body["data"]["node"]["occupancy"];
        assert_eq!(occupancy["tenants"], 3, "{body}");
        assert_eq!(occupancy["leasedAreaM2"], 900.0, "{body}");
    }

    // A token revoked through one process is refused by the other within a second.
    let viewer = app.token("双进程看板", Role::Viewer, None).await;
    let read = "{ districts { code } }";
    assert!(post(&second.base_url, &viewer, read, json!({})).await["errors"].is_null());
    let listed = post(
        &first.base_url,
        &admin,
        "{ tokens(first: 100) { tokens { id name } } }",
        json!({}),
    )
    .await;
    let id = listed["data"]["tokens"]["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .find(|token| token["name"] == "双进程看板")
        .and_then(|token| token["id"].as_str())
        .expect("the viewer's token")
        .to_owned();
    let revoked = post(
        &first.base_url,
        &admin,
        "mutation($id: ID!) { revokeToken(id: $id) { active } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(revoked["data"]["revokeToken"]["active"], false, "{revoked}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let refused = post(&second.base_url, &viewer, read, json!({})).await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");

    // The rate limit is per process: a fresh token spends its 20 a minute on
    // the first process and is refused there, while the second still answers.
    let reader = app.token("双进程限流", Role::Viewer, None).await;
    for _ in 0..20 {
        let body = post(&first.base_url, &reader, read, json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let limited = post(&first.base_url, &reader, read, json!({})).await;
    assert_eq!(error_code(&limited), "RATE_LIMITED", "{limited}");
    let other = post(&second.base_url, &reader, read, json!({})).await;
    assert!(other["errors"].is_null(), "{other}");
}
