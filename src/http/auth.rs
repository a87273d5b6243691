//! Who is calling: the bearer token of a request, or an anonymous reader
//! when the server was started with public read access.

use axum::http::{HeaderMap, header};

use super::AppState;
use crate::domain::access::Actor;
use crate::error::{AppError, AppResult};

/// The caller of a request, or UNAUTHENTICATED.
pub async fn caller(state: &AppState, headers: &HeaderMap) -> AppResult<Actor> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return if state.public_read {
            Ok(Actor::anonymous())
        } else {
            Err(AppError::unauthenticated(
                "send a token as `Authorization: Bearer <token>` (`zaiti token create` issues one)",
                "请以 `Authorization: Bearer <令牌>` 的形式提供令牌（令牌由 `zaiti token create` 签发）",
            ))
        };
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|text| text.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, secret)| secret.trim())
        .filter(|secret| !secret.is_empty())
        .ok_or_else(|| {
            AppError::unauthenticated(
                "the Authorization header must read `Bearer <token>`",
                "Authorization 请求头应为 `Bearer <令牌>` 的形式",
            )
        })?;
    state.tokens.authenticate(&state.db, secret).await
}
