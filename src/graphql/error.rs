//! The one place where errors get their `extensions.code`.

use async_graphql::{ErrorExtensionValues, ErrorExtensions, ServerError};

use crate::domain::{Language, Message, ValidationError};
use crate::error::AppError;

/// Codes a client can branch on, in `extensions.code`.
pub mod code {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const CONFLICT: &str = "CONFLICT";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const INTERNAL: &str = "INTERNAL";
    /// The query nests deeper than the server allows.
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    /// The query selects more than the server allows.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The caller sent too many requests; retry after the `Retry-After` seconds.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The server does not answer introspection queries.
    pub const INTROSPECTION_DISABLED: &str = "INTROSPECTION_DISABLED";
    /// The request body is larger than the server accepts.
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    /// The request failed to parse or validate and nothing ran.
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The HTTP request itself was malformed (body, method, media type).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// The request ran past the server's time limit and was stopped.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The answer would be larger than the server sends; it was withheld.
    pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
    /// No turn to execute came within the time limit (HTTP 503, `Retry-After`).
    pub const SERVER_BUSY: &str = "SERVER_BUSY";
}

/// An [`AppError`] on its way to a GraphQL client.
///
/// Deliberately not `Display`: async-graphql converts anything `Display` into
/// an error without a code, and this type must never take that path.
#[derive(Debug, Clone)]
pub struct ApiError(pub AppError);

/// What resolvers return.
pub type ApiResult<T> = Result<T, ApiError>;

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

impl From<ValidationError> for ApiError {
    fn from(err: ValidationError) -> Self {
        Self(AppError::Invalid(err))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(ApiError(err): ApiError) -> Self {
        let message = err.message();
        let field = match &err {
            AppError::Invalid(invalid) => Some(invalid.field.clone()),
            _ => None,
        };
        let code = match err {
            AppError::Invalid(_) => code::BAD_USER_INPUT,
            AppError::NotFound { .. } => code::NOT_FOUND,
            AppError::Conflict(_) => code::CONFLICT,
            AppError::Forbidden(_) => code::FORBIDDEN,
            AppError::Unauthenticated(_) => code::UNAUTHENTICATED,
            AppError::Internal => code::INTERNAL,
        };
        async_graphql::Error::new(message.en.clone()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            set_messages(ext, &message);
        })
    }
}

/// Puts `message` in both languages in an error's extensions:
/// `messageEn` and `messageZh`.
pub fn set_messages(extensions: &mut ErrorExtensionValues, message: &Message) {
    extensions.set("messageEn", message.en.as_str());
    extensions.set("messageZh", message.zh.as_str());
}

/// An error zaiti raises itself outside a resolver: its code and its
/// message in both languages (`message` in English until [`speak`] chooses).
pub fn server_error(code: &str, message: &Message) -> ServerError {
    let mut error = ServerError::new(message.en.clone(), None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code);
    set_messages(extensions, message);
    error
}

/// Gives each error its message in both languages and puts the one in
/// `language` in `message`. An error that came without them (async-graphql's
/// own, on parsing and validation) keeps its English and gets a Chinese
/// message by its code; call it after [`classify_request_error`].
pub fn speak(errors: &mut [ServerError], language: Language) {
    for error in errors {
        let message = bilingual(error);
        error.message = message.in_language(language).to_owned();
    }
}

/// How an answer came out, for the metrics: `OK` without errors, else the
/// first error's `extensions.code` (`UNKNOWN` if it has none).
pub fn outcome(errors: &[ServerError]) -> String {
    let Some(first) = errors.first() else {
        return "OK".to_owned();
    };
    match first
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get("code"))
    {
        Some(async_graphql::Value::String(code)) => code.clone(),
        Some(async_graphql::Value::Enum(code)) => code.to_string(),
        _ => "UNKNOWN".to_owned(),
    }
}

/// Puts the request's id in each error's `extensions.requestId`, to quote in a support call.
pub fn with_request_id(errors: &mut [ServerError], id: &crate::telemetry::RequestId) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("requestId", id.as_str());
    }
}

/// An error's message in both languages, set in its extensions if it lacked them.
fn bilingual(error: &mut ServerError) -> Message {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    let text = |key: &str| match extensions.get(key) {
        Some(async_graphql::Value::String(text)) => Some(text.clone()),
        _ => None,
    };
    if let (Some(en), Some(zh)) = (text("messageEn"), text("messageZh")) {
        return Message::new(en, zh);
    }
    // Our scalars write their parse errors `English / 中文`.
    let (english, detail_zh) = match error.message.rsplit_once(" / ") {
        Some((english, chinese)) if !chinese.is_ascii() => (english, Some(chinese.to_owned())),
        _ => (error.message.as_str(), unknown_enum_value(&error.message)),
    };
    let en = text("messageEn").unwrap_or_else(|| english.to_owned());
    let zh = text("messageZh").unwrap_or_else(|| {
        let field = text("field");
        let said = zh_for_code(text("code").as_deref(), field.as_deref());
        match detail_zh {
            Some(detail) => format!("{said}：{detail}"),
            None => said,
        }
    });
    let message = Message::new(en, zh);
    set_messages(extensions, &message);
    message
}

/// async-graphql's refusal of an enum value, in Chinese: `枚举类型 CarrierKind 中没有取值 FOO`.
fn unknown_enum_value(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("enumeration type \"")?;
    let (enumeration, rest) = rest.split_once('"')?;
    let (_, rest) = rest.split_once("does not contain the value \"")?;
    let (value, _) = rest.split_once('"')?;
    Some(format!("枚举类型 {enumeration} 中没有取值 {value}"))
}

/// The Chinese message of an error that came with English only: async-graphql's
/// own errors, said by their code (the English one, kept in `messageEn`,
/// has the detail).
fn zh_for_code(code: Option<&str>, field: Option<&str>) -> String {
    match (code, field) {
        (Some(code::BAD_USER_INPUT), Some(field)) => format!("参数 {field} 的值无效"),
        (Some(code::BAD_USER_INPUT), None) => "输入的值无效".into(),
        (Some(code::QUERY_TOO_DEEP), _) => "查询嵌套过深，超过服务器允许的层数".into(),
        (Some(code::QUERY_TOO_COMPLEX), _) => "查询过于复杂，超过服务器允许的上限".into(),
        (Some(code::GRAPHQL_VALIDATION_FAILED), _) => {
            "请求未通过 GraphQL 语法或模式校验，未执行任何操作".into()
        }
        (Some(code::INTERNAL), _) => "服务器内部错误".into(),
        _ => "请求未能完成".into(),
    }
}

/// Gives a request error (one raised before execution) its code: an input
/// value of the wrong shape (an unknown enum value, an unreal date, a string
/// for a number) is BAD_USER_INPUT with the argument path as `field`; anything
/// past the depth or complexity limit gets QUERY_TOO_DEEP or QUERY_TOO_COMPLEX;
/// anything else (syntax, unknown fields) is GRAPHQL_VALIDATION_FAILED.
pub fn classify_request_error(err: &mut async_graphql::ServerError) {
    let extensions = err.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_some() {
        return;
    }
    let field = err
        .message
        .strip_prefix("Invalid value for argument \"")
        .and_then(|rest| rest.split_once('"'))
        .map(|(field, _)| field.to_owned());
    match field {
        Some(field) => {
            extensions.set("code", code::BAD_USER_INPUT);
            extensions.set("field", field);
        }
        None if err.message.contains("nested too deep") => {
            extensions.set("code", code::QUERY_TOO_DEEP);
        }
        None if err.message.contains("too complex") => {
            extensions.set("code", code::QUERY_TOO_COMPLEX);
        }
        None => extensions.set("code", code::GRAPHQL_VALIDATION_FAILED),
    }
}

/// A missing piece of request context is our bug, not the client's.
pub(crate) fn missing_context(err: async_graphql::Error) -> ApiError {
    tracing::error!(error = %err.message, "request context is missing data");
    ApiError(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extension(error: &ServerError, key: &str) -> Option<String> {
        match error.extensions.as_ref()?.get(key)? {
            async_graphql::Value::String(text) => Some(text.clone()),
            _ => None,
        }
    }

    fn server_error_of(err: AppError) -> ServerError {
        async_graphql::Error::from(ApiError(err)).into_server_error(Default::default())
    }

    #[test]
    fn an_app_error_carries_its_code_field_and_both_messages() {
        let error = server_error_of(AppError::invalid("areaM2", "too small", "太小"));
        assert_eq!(error.message, "areaM2: too small");
        assert_eq!(extension(&error, "code").as_deref(), Some("BAD_USER_INPUT"));
        assert_eq!(extension(&error, "field").as_deref(), Some("areaM2"));
        assert_eq!(
            extension(&error, "messageEn").as_deref(),
            Some("areaM2: too small")
        );
        assert_eq!(
            extension(&error, "messageZh").as_deref(),
            Some("areaM2：太小")
        );
        let error = server_error_of(AppError::not_found("Carrier", 62));
        assert_eq!(extension(&error, "code").as_deref(), Some("NOT_FOUND"));
        assert_eq!(
            extension(&error, "messageZh").as_deref(),
            Some("未找到编号为 62 的载体")
        );
        let error = server_error_of(AppError::Internal);
        assert_eq!(
            extension(&error, "messageZh").as_deref(),
            Some("服务器内部错误")
        );
    }

    #[test]
    fn speaking_chinese_puts_the_chinese_message_first_and_keeps_both() {
        let mut errors = vec![server_error_of(AppError::forbidden("no", "不行"))];
        speak(&mut errors, Language::Zh);
        assert_eq!(errors[0].message, "不行");
        assert_eq!(extension(&errors[0], "messageEn").as_deref(), Some("no"));
        speak(&mut errors, Language::En);
        assert_eq!(errors[0].message, "no");
        assert_eq!(extension(&errors[0], "messageZh").as_deref(), Some("不行"));
    }

    #[test]
    fn errors_of_the_library_get_a_chinese_message_by_their_code() {
        let mut unknown_value = ServerError::new(
            r#"Invalid value for argument "input.kind", enumeration type "CarrierKind" does not contain the value "FOO""#,
            None,
        );
        classify_request_error(&mut unknown_value);
        let mut bad_date = ServerError::new(
            "Invalid value for argument \"asOf\", '2024-02-30' is not a real date of the form YYYY-MM-DD / “2024-02-30”不是 YYYY-MM-DD 格式的有效日期",
            None,
        );
        classify_request_error(&mut bad_date);
        let mut syntax = ServerError::new(
            " --> 1:3\n  |\n1 | { {\n  |   ^---\n  |\n  = expected name",
            None,
        );
        classify_request_error(&mut syntax);
        let mut errors = vec![unknown_value, bad_date, syntax];
        speak(&mut errors, Language::Zh);
        assert_eq!(
            errors[0].message,
            "参数 input.kind 的值无效：枚举类型 CarrierKind 中没有取值 FOO"
        );
        assert_eq!(
            errors[1].message,
            "参数 asOf 的值无效：“2024-02-30”不是 YYYY-MM-DD 格式的有效日期"
        );
        assert!(
            extension(&errors[1], "messageEn")
                .is_some_and(|en| en.ends_with("YYYY-MM-DD") && en.is_ascii())
        );
        assert!(
            errors[2].message.contains("未执行"),
            "{}",
            errors[2].message
        );
        assert!(extension(&errors[2], "messageEn").is_some_and(|en| en.contains("expected name")));
    }
}
