//! Errors in Chinese and English: every error carries both messages
//! (`extensions.messageZh` and `extensions.messageEn`), and `message` is in
//! the language the request's `Accept-Language` prefers, Chinese unless the
//! server was started with `--default-language en`. Over HTTP, WebSocket and
//! the OGC API, on SQLite and PostgreSQL.

mod common;

use common::{Backend, ServerProcess, TestApp};
use serde_json::{Value, json};
use zaiti::domain::Language;
use zaiti::domain::access::Role;
use zaiti::http::HttpOptions;

const ADD_PHASE: &str =
    "mutation($input: AddSpacePhaseInput!) { addSpacePhase(input: $input) { id } }";
const UPDATE_CARRIER: &str =
    "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { id } }";
/// The global ID of Carrier:100000, which no test creates.
const MISSING_CARRIER: &str = "Q2FycmllcjoxMDAwMDA";

/// Posts `query` to `url` as `token` (none if `None`) with this
/// `Accept-Language` (none if `None`), from a client that sends no language
/// of its own; the JSON body, whatever the status.
async fn post(
    url: &str,
    token: Option<&str>,
    language: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    request
        .send()
        .await
        .expect("the request reaches the server")
        .json()
        .await
        .expect("a JSON body")
}

/// Whether `text` has Chinese characters in it.
fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The first error of `body`: its code, `message`, `messageEn` and `messageZh`,
/// checked to be there, English and Chinese.
fn first_error(body: &Value) -> (&str, &str, &str, &str) {
    let error = &body["errors"][0];
    let text = |value: &Value| {
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a string in {body}"))
            .to_owned()
    };
    let (english, chinese) = (
        text(&error["extensions"]["messageEn"]),
        text(&error["extensions"]["messageZh"]),
    );
    assert!(!has_chinese(&english), "messageEn is not English: {body}");
    assert!(has_chinese(&chinese), "messageZh is not Chinese: {body}");
    (
        error["extensions"]["code"].as_str().expect("a code"),
        error["message"].as_str().expect("a message"),
        error["extensions"]["messageEn"]
            .as_str()
            .expect("messageEn"),
        error["extensions"]["messageZh"]
            .as_str()
            .expect("messageZh"),
    )
}

/// Asserts `body`'s first error has `code` and its message in `language`,
/// with both messages beside it.
fn assert_error_in(body: &Value, code: &str, language: Language) {
    let (found, message, english, chinese) = first_error(body);
    assert_eq!(found, code, "{body}");
    let expected = match language {
        Language::Zh => chinese,
        Language::En => english,
    };
    assert_eq!(message, expected, "{body}");
}

/// A carrier of its own operator, with an OPERATOR token of another operator.
async fn carrier_and_stranger(app: &TestApp) -> (String, String) {
    let district = app.district_id("xinwu").await;
    let owner = app.create_operator("新吴科创发展有限公司", 1).await;
    let carrier = app.create_carrier(&owner, &district, json!({})).await;
    let other = app.create_operator("锡东创投有限公司", 2).await;
    let stranger = app
        .token("锡东创投 data desk", Role::Operator, Some(&other))
        .await;
    (carrier, stranger)
}

fn negative_area(carrier: &str) -> Value {
    json!({ "input": { "carrierId": carrier, "areaM2": -10.0, "deliveredOn": "2024-05-01", "source": "OTHER" } })
}

async fn a_request_without_a_language_is_answered_in_chinese_and_may_ask_for_english(app: TestApp) {
    let url = app.graphql_url();
    let token = Some(app.admin_token.as_str());
    let (carrier, _) = carrier_and_stranger(&app).await;
    let variables = negative_area(&carrier);

    let body = post(&url, token, None, ADD_PHASE, variables.clone()).await;
    assert_error_in(&body, "BAD_USER_INPUT", Language::Zh);
    let (_, message, english, chinese) = first_error(&body);
    assert_eq!(body["errors"][0]["extensions"]["field"], "areaM2");
    assert!(
        message.contains("平方米") && message.contains("-10"),
        "{body}"
    );
    assert_eq!(
        english,
        "areaM2: area must be a positive number of square metres, got -10"
    );
    assert!(chinese.starts_with("areaM2："), "{body}");

    for (asked, language) in [
        ("en-US,en;q=0.9", Language::En),
        ("en", Language::En),
        ("zh-CN", Language::Zh),
        ("zh-CN,zh;q=0.9,en;q=0.8", Language::Zh),
        ("en;q=0.2, zh;q=0.5", Language::Zh),
        ("fr-FR", Language::Zh),
        ("*", Language::Zh),
    ] {
        let body = post(&url, token, Some(asked), ADD_PHASE, variables.clone()).await;
        assert_error_in(&body, "BAD_USER_INPUT", language);
    }
    assert_eq!(app.count_rows("space_phase").await, 0);
}

async fn not_found_forbidden_and_unauthenticated_speak_both_languages(app: TestApp) {
    let url = app.graphql_url();
    let (carrier, stranger) = carrier_and_stranger(&app).await;
    let admin = Some(app.admin_token.as_str());
    let rename = |id: &str| json!({ "input": { "id": id, "version": 1, "name": "改名" } });
    let cases = [
        (
            admin,
            rename(MISSING_CARRIER),
            "NOT_FOUND",
            "未找到编号为 100000 的载体",
        ),
        (
            Some(stranger.as_str()),
            rename(&carrier),
            "FORBIDDEN",
            "其他运营主体",
        ),
        (
            Some("zaiti_not-a-real-token"),
            rename(&carrier),
            "UNAUTHENTICATED",
            "令牌",
        ),
        (None, rename(&carrier), "UNAUTHENTICATED", "Authorization"),
    ];
    for (token, variables, code, words) in cases {
        for (asked, language) in [(None, Language::Zh), (Some("en-US,en;q=0.9"), Language::En)] {
            let body = post(&url, token, asked, UPDATE_CARRIER, variables.clone()).await;
            assert_error_in(&body, code, language);
            let (_, _, _, chinese) = first_error(&body);
            assert!(chinese.contains(words), "{code}: {body}");
        }
    }
    // The write was refused in any language.
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Carrier { name version } } }",
            json!({ "id": carrier }),
        )
        .await;
    assert_eq!(data["node"]["version"], 1, "{data}");
}

async fn request_errors_and_import_rows_speak_both_languages(app: TestApp) {
    let url = app.graphql_url();
    let token = Some(app.admin_token.as_str());
    // An unknown enum value and a syntax error: async-graphql's own errors.
    let body = post(
        &url,
        token,
        None,
        "{ carriers(filter: { kinds: [SPACESHIP] }) { totalCount } }",
        json!({}),
    )
    .await;
    assert_error_in(&body, "BAD_USER_INPUT", Language::Zh);
    let (_, message, english, _) = first_error(&body);
    assert!(message.contains("SPACESHIP"), "{body}");
    assert!(english.contains("SPACESHIP"), "{body}");
    let body = post(&url, token, Some("en"), "{ carriers { ", json!({})).await;
    assert_error_in(&body, "GRAPHQL_VALIDATION_FAILED", Language::En);
    let body = post(&url, token, None, "{ carriers { ", json!({})).await;
    assert_error_in(&body, "GRAPHQL_VALIDATION_FAILED", Language::Zh);

    // A bad row of an import: its message in the request's language, and both.
    let csv = format!(
        "载体ID,统一社会信用代码,企业名称,成立日期,租赁面积,入驻日期\n1,{},无锡企业,2023-01-01,-5,2024-01-01\n",
        common::uscc(1)
    );
    for (asked, language) in [(None, Language::Zh), (Some("en"), Language::En)] {
        let operations = json!({
            "query": "mutation($file: Upload!) { importTenancies(file: $file, dryRun: true) { errors { row column message messageEn messageZh } } }",
            "variables": { "file": null },
        });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", r#"{"0":["variables.file"]}"#)
            .part(
                "0",
                reqwest::multipart::Part::bytes(csv.clone().into_bytes())
                    .file_name("入驻台账.csv")
                    .mime_str("text/csv")
                    .expect("a media type"),
            );
        let mut request = reqwest::Client::new()
            .post(&url)
            .bearer_auth(&app.admin_token)
            .multipart(form);
        if let Some(asked) = asked {
            request = request.header("accept-language", asked);
        }
        let body: Value = request
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("JSON");
        let error = &body["data"]["importTenancies"]["errors"][0];
        let english = error["messageEn"].as_str().expect("messageEn");
        let chinese = error["messageZh"].as_str().expect("messageZh");
        assert!(
            !has_chinese(english) && chinese.contains("平方米"),
            "{body}"
        );
        let expected = match language {
            Language::Zh => chinese,
            Language::En => english,
        };
        assert_eq!(error["message"], expected, "{body}");
    }
}

async fn ogc_exceptions_follow_accept_language(app: TestApp) {
    let get = |language: Option<&'static str>| {
        let mut request = reqwest::Client::new()
            .get(format!("{}/ogc/collections/spaceships/items", app.base_url))
            .bearer_auth(&app.admin_token);
        if let Some(language) = language {
            request = request.header("accept-language", language);
        }
        async move {
            let response = request.send().await.expect("an answer");
            assert_eq!(response.status(), 404);
            response.json::<Value>().await.expect("JSON")
        }
    };
    let chinese = get(None).await;
    assert_eq!(chinese["code"], "NotFound");
    assert_eq!(
        chinese["description"], chinese["descriptionZh"],
        "{chinese}"
    );
    assert!(
        has_chinese(chinese["description"].as_str().expect("a description")),
        "{chinese}"
    );
    let english = get(Some("en-GB")).await;
    assert_eq!(
        english["description"], english["descriptionEn"],
        "{english}"
    );
    assert!(
        english["description"]
            .as_str()
            .is_some_and(|text| text.contains("no collection 'spaceships'")),
        "{english}"
    );
    // Refused before the handler runs, by the token check.
    let response = reqwest::Client::new()
        .get(format!("{}/ogc/collections", app.base_url))
        .bearer_auth("zaiti_not-a-real-token")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["description"], body["descriptionZh"], "{body}");
}

on_both_databases!(
    a_request_without_a_language_is_answered_in_chinese_and_may_ask_for_english,
    not_found_forbidden_and_unauthenticated_speak_both_languages,
    request_errors_and_import_rows_speak_both_languages,
    ogc_exceptions_follow_accept_language,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_defaulting_to_english_answers_english_without_the_header() {
    let options = HttpOptions {
        default_language: Language::En,
        ..HttpOptions::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, options).await;
    let (carrier, stranger) = carrier_and_stranger(&app).await;
    let url = app.graphql_url();
    let body = post(
        &url,
        Some(&app.admin_token),
        None,
        ADD_PHASE,
        negative_area(&carrier),
    )
    .await;
    assert_error_in(&body, "BAD_USER_INPUT", Language::En);
    let body = post(
        &url,
        Some(&stranger),
        Some("zh-CN,zh;q=0.9"),
        UPDATE_CARRIER,
        json!({ "input": { "id": carrier, "version": 1, "name": "改名" } }),
    )
    .await;
    assert_error_in(&body, "FORBIDDEN", Language::Zh);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_language_flag_sets_the_language_of_a_server_process() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let english = ServerProcess::start_with(
        &app.database_url,
        &["--default-language", "en"],
        &[("RUST_LOG", "warn")],
        None,
    )
    .await;
    let chinese = ServerProcess::start(&app.database_url).await;
    let query = "mutation { addSpacePhase(input: { carrierId: \"Q2FycmllcjoxMDAwMDA\", areaM2: 0, deliveredOn: \"2024-05-01\", source: OTHER }) { id } }";
    let body = post(
        &english.graphql_url(),
        Some(&app.admin_token),
        None,
        query,
        json!({}),
    )
    .await;
    assert_error_in(&body, "BAD_USER_INPUT", Language::En);
    let body = post(
        &chinese.graphql_url(),
        Some(&app.admin_token),
        None,
        query,
        json!({}),
    )
    .await;
    assert_error_in(&body, "BAD_USER_INPUT", Language::Zh);
    // Unauthenticated, refused before GraphQL runs.
    let body = post(&english.graphql_url(), None, None, query, json!({})).await;
    assert_error_in(&body, "UNAUTHENTICATED", Language::En);
    let body = post(&chinese.graphql_url(), None, None, query, json!({})).await;
    assert_error_in(&body, "UNAUTHENTICATED", Language::Zh);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_speaks_the_language_of_its_upgrade_or_of_connection_init() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;

    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("{}/graphql", app.base_url.replacen("http://", "ws://", 1));
    // (Accept-Language of the upgrade, `language` of connection_init, expected)
    let cases = [
        (None, None, Language::Zh),
        (Some("en-US,en;q=0.9"), None, Language::En),
        (None, Some("en"), Language::En),
        (Some("en"), Some("zh-CN"), Language::Zh),
    ];
    for (header, named, language) in cases {
        let mut request = url.clone().into_client_request().expect("a request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        if let Some(header) = header {
            request
                .headers_mut()
                .insert("accept-language", HeaderValue::from_static(header));
        }
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("upgraded");
        let mut payload = json!({ "Authorization": format!("Bearer {}", app.admin_token) });
        if let Some(named) = named {
            payload["language"] = json!(named);
        }
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "mutation { addSpacePhase(input: { carrierId: \"Q2FycmllcjoxMDAwMDA\", areaM2: 100, deliveredOn: \"2024-05-01\", source: OTHER }) { id } }",
        } });
        for message in [
            json!({ "type": "connection_init", "payload": payload }),
            subscribe,
        ] {
            socket
                .send(Message::text(message.to_string()))
                .await
                .expect("sent");
        }
        let answer = loop {
            let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
                .await
                .expect("an answer in time")
                .expect("the socket stays open")
                .expect("a message");
            let Message::Text(text) = message else {
                continue;
            };
            let message: Value = serde_json::from_str(text.as_str()).expect("JSON");
            if message["type"] == "next" {
                break message["payload"].clone();
            }
        };
        assert_error_in(&answer, "NOT_FOUND", language);
    }
}
