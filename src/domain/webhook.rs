//! Webhooks, as rules: event type names, endpoint URLs, Standard Webhooks
//! secrets and signatures (<https://www.standardwebhooks.com>), and the retry
//! schedule. No I/O.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

use super::ValidationError;

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes of a generated secret.
const GENERATED_SECRET_BYTES: usize = 32;
/// Key lengths the Standard Webhooks spec allows.
const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;
/// Longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 2048;
/// Most event types one endpoint subscribes to.
pub const MAX_EVENT_TYPES: usize = 200;
/// Longest error kept of a failed attempt, in characters.
pub const MAX_ERROR_CHARS: usize = 500;

/// The event type of a change: `<entity>.<operation>` in lower case, the
/// entity in snake case (`DesignationRequest` → `designation_request`) and the
/// operation in the past tense (`approved`).
pub fn event_type(entity_type: &str, operation_past: &str) -> String {
    format!("{}.{operation_past}", snake_case(entity_type))
}

/// `DesignationRequest` → `designation_request`.
pub fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

/// The event types an endpoint subscribes to, as given: each one of
/// `known`, none twice, at least one. Kept in the order given.
pub fn event_types(
    field: &str,
    given: &[String],
    known: &[String],
) -> Result<Vec<String>, ValidationError> {
    if given.is_empty() {
        return Err(ValidationError::new(
            field,
            "name at least one event type",
            "至少应订阅一种事件类型",
        ));
    }
    if given.len() > MAX_EVENT_TYPES {
        return Err(ValidationError::new(
            field,
            format!("at most {MAX_EVENT_TYPES} event types"),
            format!("最多订阅 {MAX_EVENT_TYPES} 种事件类型"),
        ));
    }
    let mut types: Vec<String> = Vec::with_capacity(given.len());
    for name in given {
        let name = name.trim();
        if !known.iter().any(|k| k == name) {
            let shown: String = name.chars().take(80).collect();
            return Err(ValidationError::new(
                field,
                format!("'{shown}' is not an event type (e.g. carrier.created, tenancy.amended)"),
                format!("“{shown}”不是事件类型（例如 carrier.created、tenancy.amended）"),
            ));
        }
        if !types.iter().any(|t| t == name) {
            types.push(name.to_owned());
        }
    }
    Ok(types)
}

/// An endpoint URL: absolute http or https with a host, at most [`MAX_URL_CHARS`].
pub fn endpoint_url(field: &str, text: &str) -> Result<String, ValidationError> {
    let text = text.trim();
    let refused = || {
        ValidationError::new(
            field,
            "must be an absolute http or https URL, e.g. https://hooks.example.cn/zaiti",
            "应为以 http 或 https 开头的完整网址，例如 https://hooks.example.cn/zaiti",
        )
    };
    if text.chars().count() > MAX_URL_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at most {MAX_URL_CHARS} characters"),
            format!("最多 {MAX_URL_CHARS} 个字符"),
        ));
    }
    let uri: http::Uri = text.parse().map_err(|_| refused())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|host| !host.is_empty());
    if !scheme_ok || !host_ok {
        return Err(refused());
    }
    Ok(text.to_owned())
}

/// A fresh secret: `whsec_` and the base64 of 32 random bytes.
pub fn generate_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; GENERATED_SECRET_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The signing key of a secret given by a client: `whsec_` and the base64 of
/// 24 to 64 bytes, as the Standard Webhooks libraries read it.
pub fn secret_key(field: &str, secret: &str) -> Result<Vec<u8>, ValidationError> {
    let refused = || {
        ValidationError::new(
            field,
            "must be whsec_ followed by the base64 of 24 to 64 random bytes; leave it out to have one generated",
            "应为 whsec_ 加 24 至 64 个随机字节的 base64 编码；不填则自动生成",
        )
    };
    let encoded = secret.strip_prefix(SECRET_PREFIX).ok_or_else(refused)?;
    let key = STANDARD.decode(encoded).map_err(|_| refused())?;
    if SECRET_BYTES.contains(&key.len()) {
        Ok(key)
    } else {
        Err(refused())
    }
}

/// The `webhook-signature` header of message `id` sent at `timestamp` (unix
/// seconds) with `body`: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
pub fn signature(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// How long to wait after failed attempt number `attempts` (1 for the
/// first): `base` doubled each time, at most `cap`.
pub fn backoff(attempts: i32, base: Duration, cap: Duration) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    base.saturating_mul(1 << doublings).min(cap)
}

/// An attempt's error as kept: at most [`MAX_ERROR_CHARS`] characters.
pub fn bounded_error(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_snake_case_entity_and_past_tense_operation() {
        assert_eq!(event_type("Carrier", "created"), "carrier.created");
        assert_eq!(
            event_type("DesignationRequest", "approved"),
            "designation_request.approved"
        );
    }

    #[test]
    fn subscribed_types_must_be_known_and_are_kept_once() {
        let known = vec!["carrier.created".to_owned(), "lease.created".to_owned()];
        let given = vec![
            "lease.created".to_owned(),
            " carrier.created".to_owned(),
            "lease.created".to_owned(),
        ];
        assert_eq!(
            event_types("events", &given, &known).expect("valid"),
            vec!["lease.created", "carrier.created"]
        );
        assert!(event_types("events", &[], &known).is_err());
        assert!(event_types("events", &["carrier.eaten".to_owned()], &known).is_err());
    }

    #[test]
    fn urls_must_be_absolute_http_or_https() {
        assert!(endpoint_url("url", "https://hooks.example.cn/zaiti?x=1").is_ok());
        assert!(endpoint_url("url", "http://127.0.0.1:9000/").is_ok());
        for bad in [
            "ftp://example.cn/",
            "/relative",
            "example.cn",
            "https://",
            "file:///etc/passwd",
        ] {
            assert!(endpoint_url("url", bad).is_err(), "{bad}");
        }
        assert!(
            endpoint_url(
                "url",
                &format!("https://a.cn/{}", "x".repeat(MAX_URL_CHARS))
            )
            .is_err()
        );
    }

    #[test]
    fn generated_secrets_read_back_as_keys_and_bad_ones_are_refused() {
        let secret = generate_secret().expect("randomness");
        assert!(secret.starts_with("whsec_"));
        assert_eq!(secret_key("secret", &secret).expect("valid").len(), 32);
        assert!(secret_key("secret", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(secret_key("secret", "whsec_c2hvcnQ=").is_err());
        assert!(secret_key("secret", "whsec_!!!").is_err());
    }

    #[test]
    fn signatures_match_the_standard_webhooks_example() {
        // The example of the Standard Webhooks reference libraries.
        let key = secret_key("secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid");
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let base = Duration::from_secs(5);
        let cap = Duration::from_secs(60);
        let waits: Vec<u64> = (1..=6).map(|n| backoff(n, base, cap).as_secs()).collect();
        assert_eq!(waits, vec![5, 10, 20, 40, 60, 60]);
        assert_eq!(backoff(1000, base, cap), cap);
    }

    #[test]
    fn errors_are_kept_bounded() {
        assert_eq!(
            bounded_error(&"错".repeat(MAX_ERROR_CHARS + 9))
                .chars()
                .count(),
            MAX_ERROR_CHARS
        );
    }
}
