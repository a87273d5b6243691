//! The HTTP surface as clients meet it: media types, status codes, GET rules,
//! GraphiQL, CORS and the health probes.

mod common;

use common::{Backend, TestApp};
use serde_json::{Value, json};

async fn app() -> TestApp {
    TestApp::spawn(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_response_media_type_follows_accept() {
    let app = app().await;
    for (accept, expected) in [
        ("application/json", "application/json"),
        (
            "application/graphql-response+json",
            "application/graphql-response+json",
        ),
        (
            "application/graphql-response+json, application/json;q=0.9",
            "application/graphql-response+json",
        ),
    ] {
        let response = app
            .post_graphql()
            .header("accept", accept)
            .json(&json!({ "query": "{ districts { code } }" }))
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            content_type.starts_with(expected),
            "Accept {accept} gave {content_type}"
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["data"]["districts"].as_array().map(Vec::len), Some(8));
    }
    let refused = app
        .post_graphql()
        .header("accept", "text/xml")
        .json(&json!({ "query": "{ districts { code } }" }))
        .send()
        .await
        .expect("a response");
    assert_eq!(refused.status(), 406);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_fails_validation_gets_400_and_no_data() {
    let app = app().await;
    for query in ["{ districts { code ", "{ noSuchField }"] {
        let response = app
            .post_graphql()
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.expect("JSON");
        assert!(body.get("data").is_none(), "{body}");
        assert!(
            body["errors"][0]["extensions"]["code"].is_string(),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_work_over_get_and_mutations_do_not() {
    let app = app().await;
    let query = app
        .get_graphql()
        .query(&[("query", "{ districts { code } }")])
        .send()
        .await
        .expect("a response");
    assert_eq!(query.status(), 200);
    // Anonymous, and named without an operation name: a document of one
    // named operation runs it all the same.
    for document in [
        r#"mutation { createOperator(input: {name: "x", uscc: "x", ownership: OTHER}) { id } }"#,
        r#"mutation Named { createOperator(input: {name: "x", uscc: "x", ownership: OTHER}) { id } }"#,
    ] {
        let mutation = app
            .get_graphql()
            .header("accept", "application/graphql-response+json")
            .query(&[("query", document)])
            .send()
            .await
            .expect("a response");
        assert_eq!(mutation.status(), 405, "{document}");
    }
    assert_eq!(app.count_rows("operator").await, 0);
}

/// GraphiQL comes entirely from the server: the page links only its own
/// files, each of which is served (cached for a year, as its link changes with
/// its content), and a Content-Security-Policy forbids inline and foreign
/// scripts and connections elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_gets_graphiql_from_the_server_alone() {
    let app = app().await;
    for path in ["/", "/graphql"] {
        let page = app
            .client
            .get(format!("{}{path}", app.base_url))
            .header("accept", "text/html")
            .send()
            .await
            .expect("a response");
        assert_eq!(page.status(), 200);
        let policy = page.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        for directive in [
            "default-src 'none'",
            "script-src 'self';",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        let host = app.base_url.trim_start_matches("http://");
        assert!(
            policy.contains(&format!("connect-src 'self' ws://{host} wss://{host};")),
            "{path}: connections go to this server only: {policy}"
        );
        let html = page.text().await.expect("text");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{html}"
        );
        assert!(
            !html.contains("<script>") && !html.contains("<script type"),
            "no inline script: {html}"
        );

        let linked: Vec<&str> = html
            .split(['"', '\''])
            .filter(|part| part.starts_with("/graphiql/"))
            .collect();
        assert!(linked.len() >= 7, "the page links its files: {linked:?}");
        for link in linked {
            let asset = app
                .client
                .get(format!("{}{link}", app.base_url))
                .send()
                .await
                .expect("a response");
            assert_eq!(asset.status(), 200, "{link}");
            assert_eq!(
                asset.headers()["cache-control"],
                "public, max-age=31536000, immutable",
                "{link}"
            );
            let kind = if link.contains(".css") {
                "text/css"
            } else {
                "text/javascript"
            };
            assert!(
                asset.headers()["content-type"]
                    .to_str()
                    .is_ok_and(|t| t.starts_with(kind)),
                "{link}"
            );
            assert!(!asset.bytes().await.expect("bytes").is_empty(), "{link}");
        }
    }
    let missing = app
        .client
        .get(format!("{}/graphiql/secrets.txt", app.base_url))
        .send()
        .await
        .expect("a response");
    assert_eq!(missing.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_of_front_end_teams_pass_cors() {
    let app = app().await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.graphql_url())
        .header("origin", "https://dashboard.example.cn")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,authorization",
        )
        .send()
        .await
        .expect("a response");
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
}

/// A page behind a tracing gateway sends `traceparent` and reads
/// `Retry-After` when told to wait; both pass by default, and the lists
/// are the operator's to change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_lets_trace_context_in_and_retry_after_out() {
    async fn preflight(app: &TestApp, headers: &str) -> reqwest::Result<reqwest::Response> {
        app.client
            .request(reqwest::Method::OPTIONS, app.graphql_url())
            .header("origin", "https://dashboard.example.cn")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", headers)
            .send()
            .await
    }
    let app = app().await;
    let answer = preflight(
        &app,
        "content-type,authorization,traceparent,accept-language",
    )
    .await
    .expect("a response");
    assert!(answer.status().is_success());
    let allowed = answer.headers()["access-control-allow-headers"]
        .to_str()
        .expect("text")
        .to_ascii_lowercase();
    for name in [
        "traceparent",
        "tracestate",
        "accept-language",
        "x-request-id",
    ] {
        assert!(allowed.contains(name), "{name} in {allowed}");
    }
    let post = app
        .post_graphql()
        .header("origin", "https://dashboard.example.cn")
        .json(&serde_json::json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("a response");
    let exposed = post.headers()["access-control-expose-headers"]
        .to_str()
        .expect("text")
        .to_ascii_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");

    let options = zaiti::http::HttpOptions {
        cors_allow_headers: vec![
            "content-type".into(),
            "authorization".into(),
            "x-tenant".into(),
        ],
        cors_expose_headers: vec!["retry-after".into()],
        ..Default::default()
    };
    let configured = TestApp::spawn_with(Backend::Sqlite, options).await;
    let answer = preflight(&configured, "content-type,x-tenant")
        .await
        .expect("a response");
    let allowed = answer.headers()["access-control-allow-headers"]
        .to_str()
        .expect("text")
        .to_ascii_lowercase();
    assert!(allowed.contains("x-tenant"), "{allowed}");
    assert!(!allowed.contains("traceparent"), "{allowed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_configured_origins_pass_cors_when_configured() {
    let options = zaiti::http::HttpOptions {
        cors_origins: vec!["https://dashboard.example.cn".into()],
        ..Default::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, options).await;
    let ask = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.graphql_url())
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let allowed = ask("https://dashboard.example.cn")
        .await
        .expect("a response");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://dashboard.example.cn"
    );
    let other = ask("https://elsewhere.example.com")
        .await
        .expect("a response");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_probes_answer() {
    let app = app().await;
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = app
            .client
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.expect("text"), body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused() {
    let app = app().await;
    // Just over the limit: the server answers 413 from the Content-Length
    // and closes; a body much larger than the socket buffers could still be
    // being written then, and the client would see a broken pipe instead.
    let huge = "#".repeat(zaiti::http::DEFAULT_BODY_LIMIT_BYTES + 1024);
    let response = app
        .post_graphql()
        .json(&json!({ "query": format!("{{ districts {{ code }} }}{huge}") }))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_deeper_than_the_limit_is_refused() {
    let app = app().await;
    // carrier → phases → carrier → … twenty levels deep.
    let mut selection = String::from("id");
    for level in 0..18 {
        let field = if level % 2 == 0 { "carrier" } else { "phases" };
        selection = format!("{field} {{ {selection} }}");
    }
    let query = format!("{{ carriers(first: 1) {{ nodes {{ {selection} }} }} }}");
    let body = app.graphql_raw(&query).await;
    assert!(body.get("data").is_none(), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nested too deep")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_selecting_too_much_is_refused_as_too_complex() {
    let app = app().await;
    // Every list multiplies its items' selection: a page by its size, a
    // carrier's tenancies and an enterprise's by an assumed size.
    let nested = |first: u32| {
        format!(
            "{{ carriers(first: {first}) {{ nodes {{ tenancies {{ enterprise {{ tenancies {{ \
             carrier {{ tenancies {{ enterprise {{ name }} }} }} }} }} }} }} }} }}"
        )
    };
    assert!(app.graphql_raw(&nested(1)).await.get("data").is_some());
    let body = app.graphql_raw(&nested(100)).await;
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_size_limit_is_configurable() {
    let mut options = zaiti::http::HttpOptions::default();
    options.limits.cost.max_page_size = 5;
    let app = TestApp::spawn_with(Backend::Sqlite, options).await;
    assert!(
        app.graphql_raw("{ carriers(first: 5) { totalCount } }")
            .await
            .get("errors")
            .is_none()
    );
    let body = app
        .graphql_raw("{ carriers(first: 6) { totalCount } }")
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["field"], "first", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_keep_the_order_of_the_selection_byte_for_byte() {
    let app = app().await;
    let operator = app.create_operator("锡创运营", 1).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "name": "序号众创空间" }))
        .await;
    // Fields a loader resolves (operator, district) before and between
    // fields at hand, a fragment, an alias, and a field selected twice
    // (its selections merge, in order).
    let query = "query Order { carriers(first: 1) { nodes { operator { name } id ...Named district { code } sort: kind operator { id } } } }
                 fragment Named on Carrier { name landmark }";
    for accept in ["application/json", "application/graphql-response+json"] {
        let body = app
            .post_graphql()
            .header("accept", accept)
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("a response")
            .text()
            .await
            .expect("a body");
        let expected = format!(
            r#"{{"data":{{"carriers":{{"nodes":[{{"operator":{{"name":"锡创运营","id":"{operator}"}},"id":"{carrier}","name":"序号众创空间","landmark":false,"district":{{"code":"xinwu"}},"sort":"MAKERSPACE"}}]}}}}}}"#
        );
        assert_eq!(body, expected, "{accept}");
    }
}

/// Apollo's automatic persisted queries: the hash alone is answered
/// PERSISTED_QUERY_NOT_FOUND until the query was sent with it once by the
/// same token; a query that does not match its hash, and a batch, are
/// refused with their own codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persisted_queries_follow_apollos_protocol() {
    use sha2::{Digest, Sha256};
    let app = app().await;
    let query = "{ districts { code } }";
    let hash = hex::encode(Sha256::digest(query.as_bytes()));
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let send = |secret: String, body: Value| {
        let request = app
            .client
            .post(app.graphql_url())
            .bearer_auth(secret)
            .json(&body);
        async move {
            let response = request.send().await.expect("a response");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    let admin = app.admin_token.clone();
    let (status, body) = send(admin.clone(), json!({ "extensions": extensions })).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert!(body.get("data").is_none());

    let (status, body) = send(
        admin.clone(),
        json!({ "query": query, "extensions": extensions }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let districts = body["data"]["districts"].clone();
    assert!(
        districts.as_array().is_some_and(|d| !d.is_empty()),
        "{body}"
    );

    let (status, body) = send(admin.clone(), json!({ "extensions": extensions })).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["districts"], districts,
        "the hash alone now answers"
    );

    let viewer = app
        .token("viewer", zaiti::domain::access::Role::Viewer, None)
        .await;
    let (_, body) = send(viewer, json!({ "extensions": extensions })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "another token does not learn which queries were run"
    );

    let (status, body) = send(
        admin.clone(),
        json!({ "query": "{ __typename }", "extensions": extensions }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_HASH_MISMATCH"
    );

    let (status, body) = send(
        admin,
        json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "BATCHING_NOT_SUPPORTED"
    );
}

/// Apollo's `useGETForHashedQueries`: the hash alone over GET, the query
/// sent once (by POST) on PERSISTED_QUERY_NOT_FOUND, then GETs of the hash
/// are answered. A persisted mutation is never run over GET.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persisted_queries_work_over_get_for_queries_only() {
    use sha2::{Digest, Sha256};
    let app = app().await;
    let get = |query: Option<&str>, hash: &str| {
        let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        let mut parameters = vec![("extensions", extensions.to_string())];
        parameters.extend(query.map(|q| ("query", q.to_owned())));
        let request = app.get_graphql().query(&parameters);
        async move {
            let response = request.send().await.expect("a response");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    let post = |query: &str, hash: &str| {
        let body = json!({
            "query": query,
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
        });
        let request = app.post_graphql().json(&body);
        async move { request.send().await.expect("a response").status().as_u16() }
    };

    let query = "query Districts { districts { code } }";
    let hash = hex::encode(Sha256::digest(query.as_bytes()));
    let (status, body) = get(None, &hash).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{body}"
    );
    assert_eq!(post(query, &hash).await, 200);
    let (status, body) = get(None, &hash).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["data"]["districts"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "the hash alone is answered over GET: {body}"
    );
    // A query and its hash over GET are kept too.
    let other = "{ operators(first: 1) { totalCount } }";
    let other_hash = hex::encode(Sha256::digest(other.as_bytes()));
    let (status, body) = get(Some(other), &other_hash).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = get(None, &other_hash).await;
    assert!(
        body["data"]["operators"]["totalCount"].is_number(),
        "{body}"
    );

    let mutation =
        r#"mutation { createOperator(input: {name: "x", uscc: "x", ownership: OTHER}) { id } }"#;
    let mutation_hash = hex::encode(Sha256::digest(mutation.as_bytes()));
    // Kept by a POST (which refuses the bad input), then asked for by hash over GET.
    assert_eq!(post(mutation, &mutation_hash).await, 200);
    let (status, body) = get(None, &mutation_hash).await;
    assert_eq!(status, 405, "{body}");
    let (status, _) = get(Some(mutation), &mutation_hash).await;
    assert_eq!(status, 405);
    assert_eq!(app.count_rows("operator").await, 0);
}

/// A subscription sent over HTTP is told where subscriptions run, in both
/// languages, and nothing runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_over_http_is_sent_to_the_websocket() {
    let app = app().await;
    let document = r#"subscription { occupancyChanged(carrierId: "Q2Fycmllcjox") { at } }"#;
    for (accept, status) in [
        ("application/graphql-response+json", 400),
        ("application/json", 200),
    ] {
        let response = app
            .post_graphql()
            .header("accept", accept)
            .json(&json!({ "query": document }))
            .send()
            .await
            .expect("a response");
        assert_eq!(response.status(), status, "{accept}");
        let body: Value = response.json().await.expect("JSON");
        assert!(body.get("data").is_none(), "{body}");
        let extensions = &body["errors"][0]["extensions"];
        assert_eq!(extensions["code"], "BAD_REQUEST", "{body}");
        assert!(
            extensions["messageEn"]
                .as_str()
                .is_some_and(|m| m.contains("WebSocket")),
            "{body}"
        );
        assert!(
            extensions["messageZh"]
                .as_str()
                .is_some_and(|m| m.contains("WebSocket")),
            "{body}"
        );
    }
}
