//! API tokens managed in the API (ADMIN only) and on the command line:
//! issued with a last day (default a year), the secret shown once, names
//! unique among tokens not revoked, revoked at once, refused once expired,
//! every issue and revocation audited; on SQLite and PostgreSQL.

mod common;

use chrono::{Days, Utc};
use common::{TestApp, answer_of, error_code};
use futures_util::future::join_all;
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const CREATE: &str = "mutation($input: CreateTokenInput!) { createToken(input: $input) {
  secret token { id name role operatorId validThrough expiresAt revokedAt active } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeToken(id: $id) { id revokedAt active } }";
const LIST: &str = "query($all: Boolean) { tokens(includeRevoked: $all, first: 100) { totalCount tokens { id name validThrough active } } }";
const WHO: &str = "{ districts { code } }";

fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .date_naive()
}

/// The answer to a small read with token `secret`, whatever its status.
async fn read_with(app: &TestApp, secret: &str) -> Value {
    answer_of(&app.base_url, Some(secret), false, WHO, json!({})).await
}

async fn create(app: &TestApp, input: Value) -> Value {
    app.data(CREATE, json!({ "input": input })).await["createToken"].clone()
}

async fn tokens_are_issued_listed_and_revoked_by_admin(app: TestApp) {
    let issued = create(
        &app,
        json!({ "name": "新吴区科技局数据看板", "role": "BUREAU" }),
    )
    .await;
    let secret = issued["secret"].as_str().expect("a secret").to_owned();
    assert!(secret.starts_with("zt_"), "{issued}");
    let token = &issued["token"];
    let default_day = today() + Days::new(365);
    assert_eq!(token["validThrough"], default_day.to_string(), "{issued}");
    assert_eq!(token["active"], true);
    // The secret works at once.
    let body = app.graphql_as(&secret, WHO, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    // Listed without the secret (the type has no such field).
    let listed = app.data(LIST, json!({})).await;
    let names: Vec<&str> = listed["tokens"]["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .filter_map(|token| token["name"].as_str())
        .collect();
    assert!(names.contains(&"新吴区科技局数据看板"), "{listed}");
    assert!(!listed.to_string().contains(&secret));

    // A chosen last day, within five years.
    let chosen = today() + Days::new(30);
    let issued = create(
        &app,
        json!({ "name": "短期令牌", "role": "VIEWER", "validThrough": chosen.to_string() }),
    )
    .await;
    assert_eq!(issued["token"]["validThrough"], chosen.to_string());
    for day in [today() - Days::new(1), today() + Days::new(5 * 366 + 1)] {
        let input = json!({ "name": "越界", "role": "VIEWER", "validThrough": day.to_string() });
        let body = app.graphql(CREATE, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "validThrough");
    }
    // An OPERATOR token needs its operator.
    let body = app
        .graphql(
            CREATE,
            json!({ "input": { "name": "无主运营", "role": "OPERATOR" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");

    // Names are unique among tokens not revoked.
    let again = json!({ "input": { "name": "新吴区科技局数据看板", "role": "VIEWER" } });
    let body = app.graphql(CREATE, again.clone()).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");

    // Revoked: refused within the token cache's second; a second revocation is CONFLICT.
    let id = token["id"].as_str().expect("an id");
    let revoked = app.data(REVOKE, json!({ "id": id })).await;
    assert_eq!(revoked["revokeToken"]["active"], false, "{revoked}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let body = read_with(&app, &secret).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let body = app.graphql(REVOKE, json!({ "id": id })).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    // Its name is free again; the revoked one is listed only when asked for.
    let reissued = app.data(CREATE, again).await;
    assert_eq!(reissued["createToken"]["token"]["active"], true);
    let active = app.data(LIST, json!({ "all": false })).await["tokens"]["totalCount"].clone();
    let all = app.data(LIST, json!({ "all": true })).await["tokens"]["totalCount"].clone();
    assert_eq!(
        all.as_u64(),
        active.as_u64().map(|n| n + 1),
        "{active} {all}"
    );

    // Every issue and revocation is in the audit trail, by the admin token.
    let events = app
        .data(
            r#"{ auditEvents(first: 50, filter: { entityType: "ApiToken" }) { totalCount edges { node { operation actor after } } } }"#,
            json!({}),
        )
        .await;
    let edges = events["auditEvents"]["edges"].as_array().expect("events");
    let by_admin: Vec<&Value> = edges
        .iter()
        .filter(|edge| edge["node"]["actor"] == "test admin")
        .collect();
    // 短期令牌, the first and the reissued 看板 created; the first revoked.
    assert_eq!(by_admin.len(), 4, "{events}");
    assert!(!events.to_string().contains(&secret));
}

async fn only_admin_manages_tokens(app: TestApp) {
    let operator = app.create_operator("令牌运营", 901).await;
    let issued = create(&app, json!({ "name": "他人令牌", "role": "VIEWER" })).await;
    let id = issued["token"]["id"].as_str().expect("an id").to_owned();
    for (name, role, scope) in [
        ("运营", Role::Operator, Some(operator.as_str())),
        ("科技局", Role::Bureau, None),
        ("看板", Role::Viewer, None),
        ("申请人", Role::Applicant, Some(operator.as_str())),
    ] {
        let secret = app.token(name, role, scope).await;
        for (query, variables) in [
            (LIST, json!({})),
            (
                CREATE,
                json!({ "input": { "name": format!("{name}自发"), "role": "ADMIN" } }),
            ),
            (REVOKE, json!({ "id": id })),
        ] {
            let body = app.graphql_as(&secret, query, variables).await;
            assert_eq!(error_code(&body), "FORBIDDEN", "{role:?}: {body}");
        }
    }
    // Nothing was issued or revoked.
    let listed = app.data(LIST, json!({ "all": true })).await;
    let names: Vec<&str> = listed["tokens"]["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .filter_map(|token| token["name"].as_str())
        .collect();
    assert!(!names.iter().any(|name| name.ends_with("自发")), "{listed}");
    assert!(
        listed["tokens"]["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .any(|token| token["id"] == id.as_str() && token["active"] == true)
    );
}

async fn an_expired_token_is_refused(app: TestApp) {
    let request = zaiti::store::token::TokenRequest {
        name: "两秒令牌".to_owned(),
        role: Role::Viewer,
        operator_id: None,
        expires_at: Some(Utc::now() + chrono::Duration::seconds(2)),
    };
    let issued = zaiti::store::token::issue(
        &app.db,
        &zaiti::domain::access::Actor::system("test"),
        request,
    )
    .await
    .expect("a token");
    let body = app.graphql_as(&issued.secret, WHO, json!({})).await;
    assert!(body["errors"].is_null(), "valid for now: {body}");
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    let body = read_with(&app, &issued.secret).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    // Listed as no longer active, with its last day.
    let listed = app.data(LIST, json!({})).await;
    let token = listed["tokens"]["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .find(|token| token["name"] == "两秒令牌")
        .cloned()
        .expect("listed");
    assert_eq!(token["active"], false, "{token}");
    assert_eq!(token["validThrough"], today().to_string());
}

async fn simultaneous_issues_of_one_name_write_one(app: TestApp) {
    let attempts = (0..8).map(|n| {
        app.graphql(
            CREATE,
            json!({ "input": { "name": "并发令牌", "role": if n % 2 == 0 { "VIEWER" } else { "BUREAU" } } }),
        )
    });
    let bodies = join_all(attempts).await;
    let written = bodies
        .iter()
        .filter(|body| body["errors"].is_null())
        .count();
    assert_eq!(written, 1, "{bodies:?}");
    for body in bodies.iter().filter(|body| !body["errors"].is_null()) {
        assert_eq!(error_code(body), "CONFLICT", "{body}");
    }
}

async fn the_command_line_issues_tokens_with_a_last_day(app: TestApp) {
    let last_day = (today() + Days::new(90)).to_string();
    let out = app.cli(&[
        "token",
        "create",
        "--name",
        "运维脚本",
        "--role",
        "viewer",
        "--valid-through",
        &last_day,
    ]);
    assert!(out.status.success(), "{out:?}");
    let secret = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(String::from_utf8_lossy(&out.stderr).contains(&last_day));
    let body = app.graphql_as(&secret, WHO, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let listed = String::from_utf8(app.cli_stdout(&["token", "list"])).expect("UTF-8");
    let line = listed
        .lines()
        .find(|line| line.ends_with("运维脚本"))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains(&last_day), "{line}");
    // The same name again is refused, saying what to do.
    let out = app.cli(&["token", "create", "--name", "运维脚本", "--role", "viewer"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("revoke it first"));
    // A last day in the past is refused.
    let out = app.cli(&[
        "token",
        "create",
        "--name",
        "过期脚本",
        "--role",
        "viewer",
        "--valid-through",
        "2020-01-01",
    ]);
    assert!(!out.status.success());
}

on_both_databases!(
    tokens_are_issued_listed_and_revoked_by_admin,
    only_admin_manages_tokens,
    an_expired_token_is_refused,
    simultaneous_issues_of_one_name_write_one,
    the_command_line_issues_tokens_with_a_last_day,
);
