//! The one place where errors get their `extensions.code`.

use async_graphql::ErrorExtensions;

use crate::domain::ValidationError;
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
        let message = err.to_string();
        match err {
            AppError::Invalid(invalid) => {
                async_graphql::Error::new(message).extend_with(|_, ext| {
                    ext.set("code", code::BAD_USER_INPUT);
                    ext.set("field", invalid.field.as_str());
                })
            }
            AppError::NotFound { .. } => with_code(message, code::NOT_FOUND),
            AppError::Conflict(_) => with_code(message, code::CONFLICT),
            AppError::Forbidden(_) => with_code(message, code::FORBIDDEN),
            AppError::Unauthenticated(_) => with_code(message, code::UNAUTHENTICATED),
            AppError::Internal => with_code(message, code::INTERNAL),
        }
    }
}

fn with_code(message: String, code: &'static str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code))
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
