//! Answers written in the order their query selected the fields.
//!
//! async-graphql collects an object's fields as they finish resolving, so a
//! field that waited for a loader lands after its siblings. The GraphQL
//! specification orders an answer's fields as the query's selection sets do
//! (CollectFields: each response key once, where it first appears,
//! fragments spread in place). Rather than build a second, reordered copy of
//! the answer, [`Ordered`] writes the answer tree as it is, walking the
//! document beside it. The order of one selection is worked out once for
//! every item of a list.
//!
//! Fragments are spread whatever their type condition; a key that does not
//! apply to an object is simply absent from it. Only where fragments on
//! different types of one interface name the same keys in different orders
//! does the first fragment's order win for all types.

use std::cell::OnceCell;
use std::collections::HashMap;

use async_graphql::Value;
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::cost::MAX_FRAGMENT_NESTING;
use super::execution::chosen_operation;

/// An answer's `data`, serialised in the order of the operation's selection.
pub struct Ordered<'a> {
    value: &'a Value,
    /// The document and the operation's selection, if known.
    selection: Option<(&'a ExecutableDocument, &'a SelectionSet)>,
}

impl<'a> Ordered<'a> {
    /// `data` of the operation `operation_name` of `document`. Without such
    /// an operation, `data` is written as it is.
    pub fn answer(
        data: &'a Value,
        document: Option<&'a ExecutableDocument>,
        operation_name: Option<&str>,
    ) -> Self {
        let selection = document.and_then(|document| {
            chosen_operation(document, operation_name)
                .map(|operation| (document, &operation.node.selection_set.node))
        });
        Self {
            value: data,
            selection,
        }
    }
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some((document, set)) = self.selection else {
            return self.value.serialize(serializer);
        };
        let fields = Fields::of(document, &[set]);
        Shaped {
            value: self.value,
            document,
            fields: &fields,
        }
        .serialize(serializer)
    }
}

/// The fields one selection asks for: each response key once, in order.
struct Fields<'a> {
    keys: Vec<Key<'a>>,
}

/// One response key of a selection.
struct Key<'a> {
    name: &'a str,
    /// The selection sets under the key (a key selected twice merges them).
    sets: Vec<&'a SelectionSet>,
    /// Their fields, worked out once for every object of the list.
    fields: OnceCell<Fields<'a>>,
}

impl<'a> Fields<'a> {
    fn of(document: &'a ExecutableDocument, sets: &[&'a SelectionSet]) -> Self {
        let mut fields = Self { keys: Vec::new() };
        let mut index = HashMap::new();
        for set in sets {
            fields.collect(document, set, &mut index, 0);
        }
        fields
    }

    fn collect(
        &mut self,
        document: &'a ExecutableDocument,
        set: &'a SelectionSet,
        index: &mut HashMap<&'a str, usize>,
        depth: usize,
    ) {
        // Validation refuses deeper nesting (and cycles) before anything runs.
        if depth > MAX_FRAGMENT_NESTING {
            return;
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.as_str();
                    let under = &field.node.selection_set.node;
                    match index.get(key) {
                        Some(&at) => self.keys[at].sets.push(under),
                        None => {
                            index.insert(key, self.keys.len());
                            self.keys.push(Key {
                                name: key,
                                sets: vec![under],
                                fields: OnceCell::new(),
                            });
                        }
                    }
                }
                Selection::InlineFragment(fragment) => {
                    self.collect(
                        document,
                        &fragment.node.selection_set.node,
                        index,
                        depth + 1,
                    );
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        self.collect(
                            document,
                            &fragment.node.selection_set.node,
                            index,
                            depth + 1,
                        );
                    }
                }
            }
        }
    }
}

/// A value with the fields its selection asks for.
struct Shaped<'v, 'f, 'a> {
    value: &'v Value,
    document: &'a ExecutableDocument,
    fields: &'f Fields<'a>,
}

impl Serialize for Shaped<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Object(object) => self.object(object, serializer),
            Value::List(items) => {
                let mut list = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    list.serialize_element(&Shaped {
                        value: item,
                        document: self.document,
                        fields: self.fields,
                    })?;
                }
                list.end()
            }
            other => other.serialize(serializer),
        }
    }
}

impl Shaped<'_, '_, '_> {
    fn object<S: Serializer>(
        &self,
        object: &IndexMap<async_graphql::Name, Value>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(object.len()))?;
        let mut written = 0;
        for (position, key) in self.fields.keys.iter().enumerate() {
            // Objects are mostly built in selection order already: look
            // where the key should be before hashing it.
            let found = match object.get_index(position) {
                Some((name, value)) if name.as_str() == key.name => Some(value),
                _ => object.get(key.name),
            };
            let Some(value) = found else {
                continue;
            };
            written += 1;
            if matches!(value, Value::Object(_) | Value::List(_)) {
                let fields = key
                    .fields
                    .get_or_init(|| Fields::of(self.document, &key.sets));
                map.serialize_entry(
                    key.name,
                    &Shaped {
                        value,
                        document: self.document,
                        fields,
                    },
                )?;
            } else {
                map.serialize_entry(key.name, value)?;
            }
        }
        if written < object.len() {
            // Keys no selection names (none are expected): after the rest, as they are.
            for (key, value) in object {
                if !self
                    .fields
                    .keys
                    .iter()
                    .any(|named| named.name == key.as_str())
                {
                    map.serialize_entry(key.as_str(), value)?;
                }
            }
        }
        map.end()
    }
}
