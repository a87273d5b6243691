//! What identifies a request: its id (`x-request-id`) and the W3C trace
//! context it arrived in (`traceparent`), and what the handlers note about it
//! for the metrics (the GraphQL operation and its outcome).

use std::sync::{Arc, Mutex};

use http::HeaderMap;

/// The header a request's id arrives and is echoed in.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest incoming request id taken; a longer one is replaced by our own.
pub const MAX_REQUEST_ID_LENGTH: usize = 128;

/// A request's id: the caller's `x-request-id` if it is sane (1 to 128 of
/// `A-Z a-z 0-9 - _ . :`, so it can go into a log line and a header as is),
/// else 32 random hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        headers
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .filter(|id| is_sane_request_id(id))
            .map_or_else(Self::generate, |id| Self(id.into()))
    }

    fn generate() -> Self {
        let mut bytes = [0u8; 16];
        // Without the system's randomness (never on Linux), the time is unique enough for an id.
        if getrandom::fill(&mut bytes).is_err() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_nanos());
            bytes = nanos.to_be_bytes();
        }
        Self(hex::encode(bytes).into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_sane_request_id(id: &str) -> bool {
    (1..=MAX_REQUEST_ID_LENGTH).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A W3C `traceparent` (Trace Context, level 1): `00-<trace id>-<parent id>-<flags>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    pub trace_id: [u8; 16],
    pub parent_id: [u8; 8],
    /// Bit 0: the caller sampled (records) this trace.
    pub flags: u8,
}

impl TraceParent {
    /// The request's trace context; `None` if it has none or it is malformed,
    /// as the specification says (the request then starts a trace of its own).
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut values = headers.get_all("traceparent").iter();
        let value = values.next()?;
        // Two traceparent headers are ambiguous: ignore both.
        if values.next().is_some() {
            return None;
        }
        Self::parse(value.to_str().ok()?)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let mut parts = text.split('-');
        let version = parts.next()?;
        let (trace, parent, flags) = (parts.next()?, parts.next()?, parts.next()?);
        let version = lower_hex::<1>(version)?[0];
        // Version ff is invalid; version 00 has exactly four parts, later ones may add more.
        if version == 0xff || (version == 0 && parts.next().is_some()) {
            return None;
        }
        let trace_id = lower_hex::<16>(trace)?;
        let parent_id = lower_hex::<8>(parent)?;
        let flags = lower_hex::<1>(flags)?[0];
        // All zeros means no trace, no parent.
        if trace_id == [0; 16] || parent_id == [0; 8] {
            return None;
        }
        Some(Self {
            trace_id,
            parent_id,
            flags,
        })
    }

    pub fn sampled(&self) -> bool {
        self.flags & 1 == 1
    }

    pub fn trace_id_hex(&self) -> String {
        hex::encode(self.trace_id)
    }
}

/// `N` bytes written as exactly `2N` lowercase hex digits.
fn lower_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut bytes = [0; N];
    hex::decode_to_slice(text, &mut bytes).ok()?;
    Some(bytes)
}

/// What the handlers of one request note for the metrics and error answers.
#[derive(Debug)]
pub struct RequestContext {
    pub id: RequestId,
    graphql: Mutex<Option<GraphqlNote>>,
}

/// The GraphQL operation a request ran (or was refused) and its outcome code.
#[derive(Debug, Clone, Default)]
pub struct GraphqlNote {
    pub operation: Option<String>,
    pub outcome: Option<String>,
}

impl RequestContext {
    pub fn new(id: RequestId) -> Self {
        Self {
            id,
            graphql: Mutex::default(),
        }
    }

    /// What the handlers noted; `None` if the request was no GraphQL request.
    pub fn graphql(&self) -> Option<GraphqlNote> {
        self.graphql.lock().ok()?.clone()
    }

    fn note(&self, change: impl FnOnce(&mut GraphqlNote)) {
        if let Ok(mut note) = self.graphql.lock() {
            change(note.get_or_insert_with(GraphqlNote::default));
        }
    }
}

tokio::task_local! {
    /// The request being handled, set by the HTTP layer around each handler.
    static CURRENT: Arc<RequestContext>;
}

/// Runs `handling` as the handling of the request `context`.
pub async fn scope<F: Future>(context: Arc<RequestContext>, handling: F) -> F::Output {
    CURRENT.scope(context, handling).await
}

/// The id of the request being handled, if any.
pub fn current_request_id() -> Option<RequestId> {
    CURRENT.try_with(|context| context.id.clone()).ok()
}

/// Notes the GraphQL operation the request runs (its name, if it has one).
pub fn note_operation(name: Option<&str>) {
    let _ = CURRENT.try_with(|context| {
        context.note(|note| note.operation = name.map(str::to_owned));
    });
}

/// Notes how the request's GraphQL answer came out: `OK` or the first error's code.
/// The last note counts (an answer may be replaced by a refusal).
pub fn note_outcome(code: &str) {
    let _ = CURRENT.try_with(|context| {
        context.note(|note| note.outcome = Some(code.to_owned()));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_incoming_id_is_kept_and_any_other_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, "abc-123_x.y:z".parse().expect("a value"));
        assert_eq!(RequestId::from_headers(&headers).as_str(), "abc-123_x.y:z");
        for bad in ["", "a b", "x;drop", &"a".repeat(MAX_REQUEST_ID_LENGTH + 1)] {
            headers.insert(REQUEST_ID_HEADER, bad.parse().expect("a value"));
            let id = RequestId::from_headers(&headers);
            assert_eq!(id.as_str().len(), 32, "{bad:?}");
            assert!(id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        }
        let (a, b) = (
            RequestId::from_headers(&HeaderMap::new()),
            RequestId::from_headers(&HeaderMap::new()),
        );
        assert_ne!(a, b);
    }

    #[test]
    fn a_traceparent_is_parsed_as_the_specification_says() {
        let parsed = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .expect("the specification's example");
        assert_eq!(parsed.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(hex::encode(parsed.parent_id), "00f067aa0ba902b7");
        assert!(parsed.sampled());
        // A later version may append fields.
        assert!(
            TraceParent::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra")
                .is_some_and(|parent| !parent.sampled())
        );
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceParent::parse(bad), None, "{bad:?}");
        }
    }
}
