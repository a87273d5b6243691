//! GraphQL over HTTP, as the GraphQL-over-HTTP specification says.
//!
//! Our own handler rather than async-graphql-axum's, which always answers
//! `application/graphql-response+json` and answers failed requests with 200
//! and `"data": null`. Here the media type follows `Accept`, a request that
//! fails before execution gets no `data` entry (and 400 under
//! `application/graphql-response+json`), and a mutation over GET gets 405.
//! Automatic persisted queries work over POST and over GET (Apollo's
//! `useGETForHashedQueries`), queries only over GET.
//! POST takes `application/json`, and `multipart/form-data` as the GraphQL
//! multipart request specification has it, for file uploads (`importTenancies`).
//! Every error's `message` is in the language the request's `Accept-Language`
//! prefers (the server's default, Chinese, when it names neither), and
//! `extensions.messageZh` and `extensions.messageEn` carry both, and
//! `extensions.requestId` the request's id (its `x-request-id`). Each answer
//! notes its operation and outcome for the metrics (see `observe.rs`).

use async_graphql::http::MultipartOptions;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ParseRequestError, Request, Response, ServerError};
use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::persisted::{PERSISTED_QUERY_NOT_FOUND, Persisted};
use super::{AppState, auth};
use crate::domain::access::Actor;
use crate::domain::{Language, Message};
use crate::error::AppError;
use crate::graphql::answer::Ordered;
use crate::graphql::cost::to_json_within;
use crate::graphql::error::{classify_request_error, code, outcome, speak, with_request_id};
use crate::graphql::execution::{chosen_operation, refused};
use crate::telemetry::RequestId;
use crate::telemetry::request::{current_request_id, note_operation, note_outcome};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";
const MULTIPART_FORM_DATA: &str = "multipart/form-data";

/// The response media types we speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaType {
    GraphqlResponseJson,
    Json,
}

impl MediaType {
    fn essence(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            Self::Json => JSON,
        }
    }

    /// The status of a request error (nothing ran): only
    /// graphql-response+json may say so in the status.
    fn request_error_status(self) -> StatusCode {
        match self {
            Self::GraphqlResponseJson => StatusCode::BAD_REQUEST,
            Self::Json => StatusCode::OK,
        }
    }

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
) -> axum::response::Response {
    if uri.query().unwrap_or_default().is_empty() && wants_html(&headers) {
        return super::graphiql::page(headers).await;
    }
    let language = super::language(&state, &headers);
    let Ok(media) = negotiate(&headers) else {
        return not_acceptable(language);
    };
    let reply = Reply { media, language };
    let mut body = match query_string_request(&uri) {
        Ok(body) => body,
        Err(message) => return reply.http_error(StatusCode::BAD_REQUEST, &message),
    };
    // Admitted before the persisted query is looked up: each token has its own.
    let actor = match admit(&state, reply, &headers, peer).await {
        Ok(actor) => actor,
        Err(refusal) => return refusal,
    };
    if let Some(refusal) = fill_persisted_query(&state, reply, &actor, &mut body) {
        return refusal;
    }
    let mut request = match parse_request(body) {
        Ok(request) => request,
        Err(message) => return reply.http_error(StatusCode::BAD_REQUEST, &message),
    };
    // Checked once the query is known, a persisted one included: a GET must
    // not change anything (Apollo sends hashed mutations with POST).
    if operation_type(&mut request) == Some(OperationType::Mutation) {
        let mut response = reply.http_error(
            StatusCode::METHOD_NOT_ALLOWED,
            &Message::new(
                "mutations are not allowed over GET; send them with POST",
                "变更操作（mutation）不能通过 GET 发送，请使用 POST",
            ),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    run(&state, reply, actor, request).await
}

/// The GraphQL request in a GET's query string (`query`, `operationName`,
/// and `variables` and `extensions` as JSON texts), as the JSON object a POST
/// would carry, so that both are read, and their persisted queries filled
/// in, alike. Other parameters are ignored.
fn query_string_request(uri: &Uri) -> Result<Value, Message> {
    let Query(parameters) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|err| {
        Message::new(
            format!("invalid GraphQL request in query string: {err}"),
            format!("查询字符串中的 GraphQL 请求无效：{err}"),
        )
    })?;
    let mut request = serde_json::Map::new();
    for (name, text) in parameters {
        let value = match name.as_str() {
            "query" | "operationName" => Value::String(text),
            "variables" | "extensions" => serde_json::from_str(&text).map_err(|err| {
                Message::new(
                    format!("`{name}` in the query string is not JSON: {err}"),
                    format!("查询字符串中的 `{name}` 不是有效的 JSON：{err}"),
                )
            })?,
            _ => continue,
        };
        request.insert(name, value);
    }
    Ok(Value::Object(request))
}

pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> axum::response::Response {
    let language = super::language(&state, &headers);
    let Ok(media) = negotiate(&headers) else {
        return not_acceptable(language);
    };
    let reply = Reply { media, language };
    // The caller is known, and within its rate, before its body is read: a
    // stranger cannot make the server hold a body in memory.
    let actor = match admit(&state, reply, &headers, peer).await {
        Ok(actor) => actor,
        Err(refusal) => return refusal,
    };
    let body = match receive_body(&state, request).await {
        Ok(body) => body,
        Err(BodyRefusal::TooLarge) => {
            return reply.error(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::PAYLOAD_TOO_LARGE,
                &Message::new(
                    format!(
                        "the request body is larger than this server accepts ({} bytes)",
                        state.body_limit_bytes
                    ),
                    format!("请求体超过服务器上限（{} 字节）", state.body_limit_bytes),
                ),
            );
        }
        Err(BodyRefusal::TooSlow) => {
            let seconds = state.body_timeout.as_secs_f32();
            return reply.error(
                StatusCode::REQUEST_TIMEOUT,
                BODY_TIMEOUT,
                &Message::new(
                    format!("the request body did not arrive within {seconds} s"),
                    format!("请求体未在 {seconds} 秒内传完"),
                ),
            );
        }
        Err(BodyRefusal::Unreadable(rejection)) => {
            let detail = rejection.body_text();
            return reply.http_error(
                rejection.status(),
                &Message::new(detail.clone(), format!("无法读取请求体：{detail}")),
            );
        }
    };
    if body_is(&headers, MULTIPART_FORM_DATA) {
        return match receive_multipart(&state, &headers, &body).await {
            Ok(request) => run(&state, reply, actor, request).await,
            Err(ParseRequestError::PayloadTooLarge) => reply.error(
                StatusCode::PAYLOAD_TOO_LARGE,
                code::PAYLOAD_TOO_LARGE,
                &Message::new(
                    format!(
                        "an upload is larger than this server accepts ({} bytes)",
                        state.body_limit_bytes
                    ),
                    format!(
                        "上传的文件超过服务器上限（{} 字节）",
                        state.body_limit_bytes
                    ),
                ),
            ),
            Err(err) => reply.http_error(
                StatusCode::BAD_REQUEST,
                &Message::new(
                    format!("invalid multipart GraphQL request: {err}"),
                    format!("multipart 格式的 GraphQL 请求无效：{err}"),
                ),
            ),
        };
    }
    if !body_is(&headers, JSON) {
        return reply.http_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &Message::new(
                "send the request body as application/json (or multipart/form-data to upload files)",
                "请求体应为 application/json 格式（上传文件时为 multipart/form-data）",
            ),
        );
    }
    let mut value = match serde_json::from_slice::<Value>(&body) {
        Ok(value) => value,
        Err(err) => {
            return reply.http_error(
                StatusCode::BAD_REQUEST,
                &Message::new(
                    format!("request body is not JSON: {err}"),
                    format!("请求体不是有效的 JSON：{err}"),
                ),
            );
        }
    };
    if value.is_array() {
        return reply.error(
            StatusCode::BAD_REQUEST,
            BATCHING_NOT_SUPPORTED,
            &Message::new(
                "batched requests (a JSON array of operations) are not supported; send one operation per request",
                "不支持批量请求（JSON 数组），请每次请求发送一个操作",
            ),
        );
    }
    if let Some(refusal) = fill_persisted_query(&state, reply, &actor, &mut value) {
        return refusal;
    }
    let request = match parse_request(value) {
        Ok(request) => request,
        Err(message) => return reply.http_error(StatusCode::BAD_REQUEST, &message),
    };
    run(&state, reply, actor, request).await
}

/// The refusal code of a batch (a JSON array of operations), which this
/// server does not run: every operation is admitted, limited and timed on
/// its own.
pub const BATCHING_NOT_SUPPORTED: &str = "BATCHING_NOT_SUPPORTED";

/// Puts the query of an automatic persisted query into `body` (when only
/// its hash was sent) and keeps a query sent with its hash; or the refusal.
fn fill_persisted_query(
    state: &AppState,
    reply: Reply,
    actor: &Actor,
    body: &mut Value,
) -> Option<axum::response::Response> {
    let persisted = state.persisted.resolve(
        actor.token_id,
        body.get("extensions"),
        body.get("query").and_then(Value::as_str),
    );
    match persisted {
        Persisted::None => None,
        Persisted::Query(query) => {
            if let Value::Object(fields) = body {
                fields
                    .entry("query")
                    .or_insert_with(|| Value::String(query.to_string()));
            }
            None
        }
        // An answer, not a failure (HTTP 200): Apollo's link resends the
        // request with its query. Its `message` is the protocol's token, in
        // every language; `messageZh` says what it means.
        Persisted::Refused(PERSISTED_QUERY_NOT_FOUND, en, zh) => Some(
            Reply {
                language: Language::En,
                ..reply
            }
            .error(
                StatusCode::OK,
                PERSISTED_QUERY_NOT_FOUND,
                &Message::new(en, zh),
            ),
        ),
        Persisted::Refused(code, en, zh) => {
            Some(reply.error(StatusCode::BAD_REQUEST, code, &Message::new(en, zh)))
        }
    }
}

/// The refusal code of a body that does not arrive within the body timeout.
pub const BODY_TIMEOUT: &str = "BODY_TIMEOUT";

/// Why a request's body was not read.
enum BodyRefusal {
    /// Over the body limit, whether declared by `Content-Length` or found while reading.
    TooLarge,
    /// Not all there within the body timeout (a client trickling it in holds a connection).
    TooSlow,
    Unreadable(BytesRejection),
}

/// The whole body of `request`, within the body limit and the body timeout.
async fn receive_body(
    state: &AppState,
    request: axum::extract::Request,
) -> Result<Bytes, BodyRefusal> {
    // A declared length over the limit is refused before a byte of it is read
    // (a client waiting on `Expect: 100-continue` then sends nothing).
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > state.body_limit_bytes as u64) {
        return Err(BodyRefusal::TooLarge);
    }
    // The limit itself is `DefaultBodyLimit`'s, set on the router.
    match tokio::time::timeout(state.body_timeout, Bytes::from_request(request, state)).await {
        Err(_) => Err(BodyRefusal::TooSlow),
        Ok(Ok(body)) => Ok(body),
        Ok(Err(rejection)) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(BodyRefusal::TooLarge)
        }
        Ok(Err(rejection)) => Err(BodyRefusal::Unreadable(rejection)),
    }
}

/// Reads a GraphQL request from a `multipart/form-data` body: the `operations`
/// and `map` fields, then the files (each, like the whole body, at most the
/// body limit).
async fn receive_multipart(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Request, ParseRequestError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let options = MultipartOptions::default().max_file_size(state.body_limit_bytes);
    async_graphql::http::receive_body(content_type, body, options).await
}

/// Reads a GraphQL request from a JSON body, with a message for each way it can be wrong.
fn parse_request(value: Value) -> Result<Request, Message> {
    let Value::Object(fields) = &value else {
        return Err(Message::new(
            "the request body must be a JSON object",
            "请求体应为 JSON 对象",
        ));
    };
    match fields.get("query") {
        Some(Value::String(_)) => {}
        Some(_) => {
            return Err(Message::new(
                "`query` must be a string",
                "`query` 应为字符串",
            ));
        }
        None => {
            return Err(Message::new(
                "the request has no `query`",
                "请求中缺少 `query`",
            ));
        }
    }
    for (name, expect_object) in [
        ("variables", true),
        ("extensions", true),
        ("operationName", false),
    ] {
        match fields.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::Object(_)) if expect_object => {}
            Some(Value::String(_)) if !expect_object => {}
            Some(_) => {
                let (kind, kind_zh) = if expect_object {
                    ("an object", "对象")
                } else {
                    ("a string", "字符串")
                };
                return Err(Message::new(
                    format!("`{name}` must be {kind}"),
                    format!("`{name}` 应为{kind_zh}"),
                ));
            }
        }
    }
    serde_json::from_value(value).map_err(|err| {
        Message::new(
            format!("invalid GraphQL request: {err}"),
            format!("GraphQL 请求无效：{err}"),
        )
    })
}

/// The caller of a request, if it has a valid token (or may read without one)
/// and is within its rate; else the refusal to answer.
async fn admit(
    state: &AppState,
    reply: Reply,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<Actor, axum::response::Response> {
    let actor = match auth::caller(state, headers).await {
        Ok(actor) => actor,
        Err(AppError::Unauthenticated(message)) => {
            let mut response =
                reply.error(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, &message);
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Err(response);
        }
        Err(err) => {
            return Err(reply.error(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL,
                &err.message(),
            ));
        }
    };
    let caller = match actor.token_id {
        Some(token) => format!("token:{token}"),
        None => format!("address:{}", peer.ip()),
    };
    if let Err(wait) = state.rate_limits.check(&caller) {
        let seconds = wait.as_secs().max(1);
        let mut response = reply.error(
            StatusCode::TOO_MANY_REQUESTS,
            code::RATE_LIMITED,
            &super::rate_limit::too_many(seconds),
        );
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Err(response);
    }
    Ok(actor)
}

/// Runs `request` as `actor` and answers in `reply`'s media type and language.
async fn run(
    state: &AppState,
    reply: Reply,
    actor: Actor,
    mut request: Request,
) -> axum::response::Response {
    let Reply { media, language } = reply;
    if operation_type(&mut request) == Some(OperationType::Subscription) {
        return reply.error(
            media.request_error_status(),
            code::BAD_REQUEST,
            &Message::new(
                "subscriptions run over WebSocket: open this URL with ws:// or wss:// (subprotocol graphql-transport-ws)",
                "订阅（subscription）须通过 WebSocket 运行：请以 ws:// 或 wss:// 连接本地址（子协议 graphql-transport-ws）",
            ),
        );
    }
    // Resolvers that write messages into the answer (an import's bad rows) read it.
    let mut request = request.data(language);
    // Held until the answer is written: the answer tree is the memory a turn
    // bounds. Whole-portfolio figures and mutations take no turn (see `Schemas::takes_turn`).
    let _turn = match state.schema.turn_for(&mut request).await {
        Ok(turn) => turn,
        Err(refusal) => {
            // Refused before execution: no `data`, whatever the media type.
            let mut errors = [refusal.into_server_error()];
            speak(&mut errors, language);
            conclude(&mut errors);
            let body = json!({ "errors": errors });
            let mut response = json_response(media, StatusCode::SERVICE_UNAVAILABLE, &body);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
    };
    // Kept to write the answer in the order the operation selects its fields.
    let operation_name = request.operation_name.clone();
    let document = request.parsed_query().ok().cloned();
    note_operation(operation_name.as_deref());
    let (response, executed) =
        crate::graphql::execute(&state.schema, request, &state.db, actor).await;
    if executed {
        let limits = &state.schema.limits.cost;
        let body = executed_body(
            &response,
            document.as_ref(),
            operation_name.as_deref(),
            language,
        );
        let Some(bytes) = to_json_within(&body, limits.max_response_bytes) else {
            let refusal = refused(limits.too_large());
            return json_response(
                media,
                StatusCode::OK,
                &executed_body(&refusal, None, None, language),
            );
        };
        return bytes_response(media, StatusCode::OK, bytes);
    }
    // Nothing ran: a request error.
    let status = media.request_error_status();
    let mut errors = response.errors;
    errors.iter_mut().for_each(classify_request_error);
    speak(&mut errors, language);
    conclude(&mut errors);
    json_response(media, status, &json!({ "errors": errors }))
}

/// The answer of a request that ran, serialised straight from async-graphql's
/// values in the order the operation selects its fields, with no copy of the
/// answer.
#[derive(serde::Serialize)]
struct ExecutedBody<'a> {
    data: Ordered<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ServerError>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
}

fn executed_body<'a>(
    response: &'a Response,
    document: Option<&'a ExecutableDocument>,
    operation_name: Option<&str>,
    language: Language,
) -> ExecutedBody<'a> {
    // Our resolvers always set a code; async-graphql's own execution-time
    // errors are input values that failed to parse.
    let mut errors = with_default_code(response.errors.clone(), code::BAD_USER_INPUT);
    speak(&mut errors, language);
    conclude(&mut errors);
    ExecutedBody {
        data: Ordered::answer(&response.data, document, operation_name),
        errors,
        extensions: &response.extensions,
    }
}

/// Errors, each with an `extensions.code` (`default_code` where none was set).
fn with_default_code(errors: Vec<ServerError>, default_code: &str) -> Vec<ServerError> {
    errors
        .into_iter()
        .map(|mut err| {
            let extensions = err.extensions.get_or_insert_with(Default::default);
            if extensions.get("code").is_none() {
                extensions.set("code", default_code);
            }
            err
        })
        .collect()
}

/// Notes the answer's outcome (`OK`, or its first error's code) and puts the
/// request's id in each error's `extensions.requestId`.
fn conclude(errors: &mut [ServerError]) {
    note_outcome(&outcome(errors));
    if let Some(id) = current_request_id() {
        with_request_id(errors, &id);
    }
}

/// How a request is answered: in which media type and language.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reply {
    pub media: MediaType,
    pub language: Language,
}

impl Reply {
    /// A malformed HTTP request (BAD_REQUEST).
    fn http_error(self, status: StatusCode, message: &Message) -> axum::response::Response {
        self.error(status, code::BAD_REQUEST, message)
    }

    /// A request refused before GraphQL ran: one error with its code and its
    /// message in both languages, `message` in the request's; no `data`.
    pub(super) fn error(
        self,
        status: StatusCode,
        code: &str,
        message: &Message,
    ) -> axum::response::Response {
        note_outcome(code);
        let request_id = current_request_id();
        let body = json!({ "errors": [{
            "message": message.in_language(self.language),
            "extensions": {
                "code": code,
                "messageEn": message.en,
                "messageZh": message.zh,
                "requestId": request_id.as_ref().map(RequestId::as_str),
            },
        }] });
        json_response(self.media, status, &body)
    }
}

fn json_response(
    media: MediaType,
    status: StatusCode,
    body: &impl serde::Serialize,
) -> axum::response::Response {
    let Ok(bytes) = serde_json::to_vec(body) else {
        tracing::error!("an answer did not serialise to JSON");
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    bytes_response(media, status, bytes)
}

fn bytes_response(
    media: MediaType,
    status: StatusCode,
    bytes: Vec<u8>,
) -> axum::response::Response {
    let mut response = (status, bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.header());
    response
}

fn not_acceptable(language: Language) -> axum::response::Response {
    note_outcome("NOT_ACCEPTABLE");
    let message = Message::new(
        format!("this endpoint answers {GRAPHQL_RESPONSE_JSON} or {JSON}"),
        format!("本接口只以 {GRAPHQL_RESPONSE_JSON} 或 {JSON} 格式答复"),
    );
    (
        StatusCode::NOT_ACCEPTABLE,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        message.in_language(language).to_owned(),
    )
        .into_response()
}

/// The type of the operation the request would run, if it parses and names one.
fn operation_type(request: &mut Request) -> Option<OperationType> {
    let operation_name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    chosen_operation(document, operation_name.as_deref()).map(|operation| operation.node.ty)
}

/// Whether the body's media type (without parameters) is `essence`.
fn body_is(headers: &HeaderMap, essence: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|found| found.trim().eq_ignore_ascii_case(essence))
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Picks the response media type from `Accept`.
///
/// Each type we speak gets the quality of the most specific range that matches
/// it (RFC 7231, section 5.3.2: `application/json;q=0, */*` refuses plain
/// JSON), and the highest quality wins. Between equals, a type the client
/// names beats one it only matches with a wildcard. Named alike,
/// `application/graphql-response+json` wins; matched only by a wildcard (`*/*`,
/// `application/*`), the choice is ours and we choose `application/json`:
/// `*/*` is what legacy clients send (fetch and curl send it by default), and
/// they read every answer as a 200 with a body, which only `application/json`
/// promises them. No `Accept` header at all likewise means `application/json`,
/// the specification's default for older clients (and what the graphql-http
/// compliance audit checks). `Err` when nothing we speak is acceptable.
fn negotiate(headers: &HeaderMap) -> Result<MediaType, ()> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(MediaType::Json);
    };
    // Per type we speak: (specificity, quality) of the most specific matching range.
    let mut grades = [
        (MediaType::GraphqlResponseJson, None::<(u8, f32)>),
        (MediaType::Json, None),
    ];
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        for (media, grade) in &mut grades {
            let specificity = match essence.as_str() {
                "*/*" => 0,
                "application/*" => 1,
                named if named == media.essence() => 2,
                _ => continue,
            };
            if grade.is_none_or(|(best, _)| specificity > best) {
                *grade = Some((specificity, quality));
            }
        }
    }
    grades
        .into_iter()
        .filter_map(|(media, grade)| {
            let (specificity, quality) = grade.filter(|&(_, quality)| quality > 0.0)?;
            let named = specificity == 2;
            let preferred = if named {
                media == MediaType::GraphqlResponseJson
            } else {
                media == MediaType::Json
            };
            Some((quality, named, preferred, media))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)))
        .map(|(.., media)| media)
        .ok_or(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Result<MediaType, ()> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("a valid header value"),
        );
        negotiate(&headers)
    }

    #[test]
    fn no_accept_header_means_plain_json() {
        assert_eq!(negotiate(&HeaderMap::new()), Ok(MediaType::Json));
    }

    #[test]
    fn the_higher_quality_wins() {
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Ok(MediaType::Json)
        );
        assert_eq!(
            accept("application/json;q=0.9, application/graphql-response+json"),
            Ok(MediaType::GraphqlResponseJson)
        );
    }

    #[test]
    fn named_alike_the_newer_type_wins() {
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Ok(MediaType::GraphqlResponseJson)
        );
    }

    #[test]
    fn a_wildcard_means_plain_json_unless_the_newer_type_is_named() {
        assert_eq!(accept("*/*"), Ok(MediaType::Json));
        assert_eq!(accept("application/*"), Ok(MediaType::Json));
        assert_eq!(
            accept("*/*, application/graphql-response+json"),
            Ok(MediaType::GraphqlResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, */*"),
            Ok(MediaType::Json)
        );
    }

    #[test]
    fn the_most_specific_range_sets_a_types_quality() {
        assert_eq!(
            accept("application/json;q=0, */*"),
            Ok(MediaType::GraphqlResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0, application/*"),
            Ok(MediaType::Json)
        );
        assert_eq!(accept("application/json;q=0, text/*"), Err(()));
    }

    #[test]
    fn an_unspoken_type_alone_is_not_acceptable() {
        assert_eq!(accept("text/xml"), Err(()));
    }
}
