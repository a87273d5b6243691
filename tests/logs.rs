//! No confidential value reaches the log at any level: a real `zaiti serve`
//! process logging at TRACE with every SQL statement logged is sent every
//! confidential field (operator contacts, enterprise financing and revenue),
//! in writes that succeed, are refused and are invalid, over HTTP and over
//! WebSocket; then its log is searched for each value.

mod common;

use common::{Backend, ServerProcess, TestApp, over_websocket, uscc};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const CREATE_OPERATOR: &str =
    "mutation($input: CreateOperatorInput!) { createOperator(input: $input) { id version } }";
const UPDATE_OPERATOR: &str =
    "mutation($input: UpdateOperatorInput!) { updateOperator(input: $input) { id } }";
const REGISTER: &str =
    "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";

/// Each confidential value sent, and the forms it could be logged in.
const SECRETS: [&str; 14] = [
    "机密联系人甲乙",
    "0510-13579246",
    "0510-24681357",
    "87654321.09",
    "8765432109",
    "12344321.55",
    "1234432155",
    "76543210.98",
    "7654321098",
    "65432109.87",
    "6543210987",
    "54321098.76",
    "5432109876",
    "机密联系人丙丁",
];

async fn post(server: &ServerProcess, token: &str, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(server.graphql_url())
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body")
}

async fn no_confidential_value_is_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let log = std::env::temp_dir().join(format!(
        "zaiti-log-{}-{:?}.log",
        std::process::id(),
        backend
    ));
    let server = ServerProcess::start_with(
        &app.database_url,
        &[],
        &[("RUST_LOG", "trace"), ("ZAITI_SQL_LOG", "1")],
        Some(&log),
    )
    .await;
    let admin = app.admin_token.as_str();

    let created = post(
        &server,
        admin,
        CREATE_OPERATOR,
        json!({ "input": { "name": "日志运营公司", "uscc": uscc(951), "ownership": "CITY_STATE_OWNED",
                           "contactPerson": "机密联系人甲乙", "contactPhone": "0510-13579246" } }),
    )
    .await;
    let operator = created["data"]["createOperator"]["id"].clone();
    assert!(operator.is_string(), "{created}");
    let updated = post(
        &server,
        admin,
        UPDATE_OPERATOR,
        json!({ "input": { "id": operator, "version": 1, "contactPhone": "0510-24681357" } }),
    )
    .await;
    assert!(updated.get("errors").is_none(), "{updated}");
    let registered = post(
        &server,
        admin,
        REGISTER,
        json!({ "input": { "uscc": uscc(952), "name": "日志企业", "foundedOn": "2022-01-01",
                           "financingRaised": "87654321.09",
                           "revenue": [{ "year": 2025, "amount": "12344321.55" }] } }),
    )
    .await;
    assert!(registered.get("errors").is_none(), "{registered}");
    // Refused as invalid (a founding date before any plausible one)...
    let invalid = post(
        &server,
        admin,
        REGISTER,
        json!({ "input": { "uscc": uscc(953), "name": "日志企业乙", "foundedOn": "1066-10-14",
                           "financingRaised": "76543210.98" } }),
    )
    .await;
    assert_eq!(
        invalid["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{invalid}"
    );
    // ...and as forbidden: an operator that does not keep the enterprise.
    let rival = app
        .token(
            "日志对手",
            Role::Operator,
            Some(operator.as_str().expect("an id")),
        )
        .await;
    let forbidden = post(
        &server,
        &rival,
        REGISTER,
        json!({ "input": { "uscc": uscc(952), "name": "日志企业", "foundedOn": "2022-01-01",
                           "financingRaised": "65432109.87" } }),
    )
    .await;
    assert_eq!(
        forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden}"
    );
    // Over WebSocket, whose frames the TRACE level of its library would print.
    let answer = over_websocket(
        &server.base_url,
        admin,
        REGISTER,
        json!({ "input": { "uscc": uscc(954), "name": "日志企业丙", "foundedOn": "2022-01-01",
                           "financingRaised": "54321098.76" } }),
    )
    .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let second = post(
        &server,
        admin,
        CREATE_OPERATOR,
        json!({ "input": { "name": "日志运营公司乙", "uscc": uscc(955), "ownership": "CITY_STATE_OWNED",
                           "contactPerson": "机密联系人丙丁" } }),
    )
    .await;
    assert!(second.get("errors").is_none(), "{second}");
    drop(server);

    let text = std::fs::read_to_string(&log).expect("the log");
    let _ = std::fs::remove_file(&log);
    // The run did log below INFO, SQL statements included.
    assert!(
        text.contains("DEBUG"),
        "nothing below INFO in {} bytes",
        text.len()
    );
    assert!(text.contains("INSERT INTO"), "no SQL statement logged");
    // Nor the tokens' secrets, which travel in every request's header.
    let tokens = [app.admin_token.as_str(), rival.as_str()];
    for secret in SECRETS.into_iter().chain(tokens) {
        if let Some(at) = text.find(secret) {
            let line = text[..at].rfind('\n').map_or(0, |start| start + 1);
            let end = text[at..].find('\n').map_or(text.len(), |end| at + end);
            panic!("{secret} is in the log: {}", &text[line..end]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_no_confidential_value_is_logged() {
    no_confidential_value_is_logged(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_no_confidential_value_is_logged() {
    no_confidential_value_is_logged(Backend::Postgres).await;
}
