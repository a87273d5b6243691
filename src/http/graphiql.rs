//! GraphiQL, served entirely from the binary: its page, our bootstrap script
//! and style, and pinned builds of GraphiQL, React and graphql-ws (versions,
//! checksums and licences in `src/http/graphiql/README.md`), so the IDE loads
//! on an intranet with no way out.
//!
//! The page is sent with a Content-Security-Policy that allows scripts and
//! styles from this server only (no inline script: the bootstrap is a file)
//! and connections to this server only, its WebSocket included. Assets are
//! linked with their content's hash in the query string and cached for a
//! year; the page itself is never cached, so a new build's assets are fetched
//! at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One embedded file of the page.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!("graphiql/", $name)),
        }
    };
}

static ASSETS: [Asset; 7] = [
    asset!("bootstrap.js", JS),
    asset!("zaiti.css", CSS),
    asset!("graphiql.min.js", JS),
    asset!("graphiql.min.css", CSS),
    asset!("react.production.min.js", JS),
    asset!("react-dom.production.min.js", JS),
    asset!("graphql-ws.min.js", JS),
];

/// How long a browser keeps an asset: a year, as its URL changes with its content.
const ASSET_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// The page, each `{name}` placeholder replaced by the first 16 hexadecimal
/// digits of that asset's SHA-256.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    ASSETS.iter().fold(
        include_str!("graphiql/index.html").to_owned(),
        |page, asset| {
            let hash = hex::encode(Sha256::digest(asset.bytes));
            page.replace(&format!("{{{}}}", asset.name), &hash[..16])
        },
    )
});

/// The GraphiQL page, with its Content-Security-Policy.
pub async fn page(headers: HeaderMap) -> Response {
    let policy = content_security_policy(headers.get(header::HOST));
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        PAGE.as_str(),
    )
        .into_response();
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// `GET /graphiql/{name}`: one of the page's files, or 404.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, ASSET_CACHE_CONTROL),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.bytes,
    )
        .into_response()
}

/// The page's policy: everything from this server only, nothing inline but
/// style attributes (GraphiQL's editors position their panes with them),
/// fonts also from `data:` URLs (GraphiQL's stylesheet embeds its fonts),
/// and connections to this server over HTTP and WebSocket. The WebSocket
/// origin is named as well as `'self'` for browsers that do not count
/// `ws:` as `'self'`; a `Host` that is not a plain host and port is left out.
fn content_security_policy(host: Option<&HeaderValue>) -> String {
    let websocket = host
        .and_then(|host| host.to_str().ok())
        .filter(|host| is_plain_host(host))
        .map(|host| format!(" ws://{host} wss://{host}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'{websocket}; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// A host name or address with an optional port: nothing that could end the
/// directive or add a source to it.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_of_the_page_names_an_asset() {
        assert!(!PAGE.contains("={"), "a placeholder is left: {}", *PAGE);
        for asset in &ASSETS {
            assert!(
                PAGE.contains(&format!("/graphiql/{}?v=", asset.name)),
                "{} is not linked",
                asset.name
            );
        }
    }

    #[test]
    fn a_host_that_could_inject_a_source_is_left_out() {
        let policy =
            |host: &'static str| content_security_policy(Some(&HeaderValue::from_static(host)));
        assert!(policy("127.0.0.1:8080").contains("ws://127.0.0.1:8080 wss://127.0.0.1:8080"));
        assert!(policy("[::1]:8080").contains("ws://[::1]:8080"));
        let injected = policy("evil.example; script-src *");
        assert!(!injected.contains("evil"), "{injected}");
        assert!(injected.contains("connect-src 'self';"), "{injected}");
    }
}
