//! Automatic persisted queries, in Apollo's protocol: a client sends the
//! SHA-256 of its query instead of the query; if the server does not know
//! it, it answers `PERSISTED_QUERY_NOT_FOUND` and the client sends both once,
//! after which the hash alone suffices.
//!
//! Each token has its own queries (keyed by token, then hash), so a caller
//! cannot learn from a hit which queries another caller has run. The cache
//! is bounded and forgets the least recently used query first.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Queries kept per process, over all tokens.
pub const DEFAULT_CAPACITY: usize = 2_000;

/// The refusal code when the hash is not known: the client should resend
/// the request with its query.
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// The refusal code when the query sent does not have the hash sent with it.
pub const PERSISTED_QUERY_HASH_MISMATCH: &str = "PERSISTED_QUERY_HASH_MISMATCH";
/// The refusal code of a protocol version other than 1.
pub const PERSISTED_QUERY_NOT_SUPPORTED: &str = "PERSISTED_QUERY_NOT_SUPPORTED";

type Key = (Option<i32>, [u8; 32]);

/// The persisted queries of one process.
pub struct PersistedQueries(Mutex<LruCache<Key, Arc<str>>>);

impl Default for PersistedQueries {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

/// What a request's `extensions.persistedQuery` asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Persisted {
    /// No persisted query: the request carries its query as usual.
    None,
    /// The query, known by its hash (or sent and now kept).
    Query(Arc<str>),
    /// Refused, with a code and a message (English, Chinese).
    Refused(&'static str, &'static str, &'static str),
}

impl PersistedQueries {
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self(Mutex::new(LruCache::new(capacity)))
    }

    /// Resolves the persisted query of a request whose `extensions` and
    /// `query` are given, for the token `token` (`None`: anonymous reader).
    pub fn resolve(
        &self,
        token: Option<i32>,
        extensions: Option<&Value>,
        query: Option<&str>,
    ) -> Persisted {
        let Some(persisted) = extensions.and_then(|e| e.get("persistedQuery")) else {
            return Persisted::None;
        };
        if persisted.get("version").and_then(Value::as_i64) != Some(1) {
            return Persisted::Refused(
                PERSISTED_QUERY_NOT_SUPPORTED,
                "only version 1 of persisted queries is supported",
                "仅支持第 1 版持久化查询",
            );
        }
        let Some(hash) = persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .and_then(parse_hash)
        else {
            return Persisted::Refused(
                PERSISTED_QUERY_NOT_SUPPORTED,
                "persistedQuery.sha256Hash must be 64 hexadecimal digits",
                "persistedQuery.sha256Hash 须为 64 位十六进制数",
            );
        };
        let mut cache = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match query {
            Some(query) => {
                if Sha256::digest(query.as_bytes())[..] != hash[..] {
                    return Persisted::Refused(
                        PERSISTED_QUERY_HASH_MISMATCH,
                        "provided sha does not match query",
                        "所给哈希值与查询文本不符",
                    );
                }
                let query: Arc<str> = Arc::from(query);
                cache.put((token, hash), query.clone());
                Persisted::Query(query)
            }
            None => match cache.get(&(token, hash)) {
                Some(query) => Persisted::Query(query.clone()),
                None => Persisted::Refused(
                    PERSISTED_QUERY_NOT_FOUND,
                    "PersistedQueryNotFound",
                    "未找到该持久化查询，请连同查询文本重新发送",
                ),
            },
        }
    }
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(text, &mut hash).ok()?;
    Some(hash)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const QUERY: &str = "{ __typename }";

    fn extensions(hash: &str) -> Value {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
    }

    fn hash_of(query: &str) -> String {
        hex::encode(Sha256::digest(query.as_bytes()))
    }

    #[test]
    fn a_hash_is_known_once_its_query_was_sent_by_the_same_token() {
        let cache = PersistedQueries::new(10);
        let ext = extensions(&hash_of(QUERY));
        assert!(matches!(
            cache.resolve(Some(1), Some(&ext), None),
            Persisted::Refused(PERSISTED_QUERY_NOT_FOUND, ..)
        ));
        assert_eq!(
            cache.resolve(Some(1), Some(&ext), Some(QUERY)),
            Persisted::Query(Arc::from(QUERY))
        );
        assert_eq!(
            cache.resolve(Some(1), Some(&ext), None),
            Persisted::Query(Arc::from(QUERY))
        );
        assert!(
            matches!(
                cache.resolve(Some(2), Some(&ext), None),
                Persisted::Refused(PERSISTED_QUERY_NOT_FOUND, ..)
            ),
            "another token does not see it"
        );
    }

    #[test]
    fn a_wrong_hash_or_version_is_refused_and_nothing_is_kept() {
        let cache = PersistedQueries::new(10);
        let wrong = extensions(&hash_of("{ other }"));
        assert!(matches!(
            cache.resolve(None, Some(&wrong), Some(QUERY)),
            Persisted::Refused(PERSISTED_QUERY_HASH_MISMATCH, ..)
        ));
        assert!(matches!(
            cache.resolve(None, Some(&wrong), None),
            Persisted::Refused(PERSISTED_QUERY_NOT_FOUND, ..)
        ));
        let v2 = json!({ "persistedQuery": { "version": 2, "sha256Hash": hash_of(QUERY) } });
        assert!(matches!(
            cache.resolve(None, Some(&v2), Some(QUERY)),
            Persisted::Refused(PERSISTED_QUERY_NOT_SUPPORTED, ..)
        ));
        let short = extensions("abc");
        assert!(matches!(
            cache.resolve(None, Some(&short), Some(QUERY)),
            Persisted::Refused(PERSISTED_QUERY_NOT_SUPPORTED, ..)
        ));
        assert_eq!(cache.resolve(None, None, Some(QUERY)), Persisted::None);
    }

    #[test]
    fn the_least_recently_used_query_is_forgotten_first() {
        let cache = PersistedQueries::new(2);
        let queries = ["{ a }", "{ b }", "{ c }"];
        for query in &queries[..2] {
            cache.resolve(None, Some(&extensions(&hash_of(query))), Some(query));
        }
        // `{ a }` is used again, so `{ b }` is the one to go.
        cache.resolve(None, Some(&extensions(&hash_of("{ a }"))), None);
        cache.resolve(None, Some(&extensions(&hash_of("{ c }"))), Some("{ c }"));
        let known = |query: &str| {
            matches!(
                cache.resolve(None, Some(&extensions(&hash_of(query))), None),
                Persisted::Query(_)
            )
        };
        assert!(known("{ a }"));
        assert!(!known("{ b }"));
        assert!(known("{ c }"));
    }
}
