//! Label values that clients choose (GraphQL operation names), kept to a
//! bounded set: a hostile client sending a million random names must not grow
//! the server's memory, nor the scrape.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The label of every name past the cap, and of names that are not GraphQL names.
pub const OTHER: &str = "other";
/// The label of an operation without a name (or refused before its name was read).
pub const ANONYMOUS: &str = "anonymous";
/// Longest name kept as a label; a longer one is [`OTHER`].
pub const MAX_NAME_LENGTH: usize = 64;

/// The first `cap` distinct names seen become labels of their own; every later
/// one is [`OTHER`]. The set only grows up to the cap, so its memory is bounded.
#[derive(Debug)]
pub struct CappedLabels {
    cap: usize,
    seen: Mutex<HashSet<Arc<str>>>,
}

impl CappedLabels {
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            seen: Mutex::default(),
        }
    }

    /// The label for `name`: itself if it is a GraphQL name of at most
    /// [`MAX_NAME_LENGTH`] characters and among the first `cap` seen, else
    /// [`OTHER`]; [`ANONYMOUS`] for none.
    pub fn label(&self, name: Option<&str>) -> Arc<str> {
        let Some(name) = name.filter(|name| !name.is_empty()) else {
            return ANONYMOUS.into();
        };
        if !is_graphql_name(name) || name.len() > MAX_NAME_LENGTH {
            return OTHER.into();
        }
        let Ok(mut seen) = self.seen.lock() else {
            return OTHER.into();
        };
        if let Some(known) = seen.get(name) {
            return known.clone();
        }
        if seen.len() >= self.cap {
            return OTHER.into();
        }
        let label: Arc<str> = name.into();
        seen.insert(label.clone());
        label
    }

    /// How many names have a label of their own.
    pub fn len(&self) -> usize {
        self.seen.lock().map_or(0, |seen| seen.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `/[_A-Za-z][_0-9A-Za-z]*/`, the GraphQL specification's Name.
fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_past_the_cap_share_one_label_and_the_set_stops_growing() {
        let labels = CappedLabels::new(3);
        for name in ["A", "B", "C"] {
            assert_eq!(&*labels.label(Some(name)), name);
        }
        for n in 0..10_000 {
            assert_eq!(&*labels.label(Some(&format!("Random{n}"))), OTHER);
        }
        assert_eq!(labels.len(), 3);
        // Names already seen keep their label.
        assert_eq!(&*labels.label(Some("B")), "B");
    }

    #[test]
    fn names_that_are_not_graphql_names_or_too_long_are_other() {
        let labels = CappedLabels::new(100);
        for bad in [
            "1abc",
            "a-b",
            "a b",
            "名字",
            "x\ny",
            "a}\"",
            &"a".repeat(MAX_NAME_LENGTH + 1),
        ] {
            assert_eq!(&*labels.label(Some(bad)), OTHER, "{bad:?}");
        }
        assert!(labels.is_empty());
        assert_eq!(&*labels.label(None), ANONYMOUS);
        assert_eq!(&*labels.label(Some("")), ANONYMOUS);
        let longest = "_".repeat(MAX_NAME_LENGTH);
        assert_eq!(&*labels.label(Some(&longest)), longest);
    }
}
