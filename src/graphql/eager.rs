//! Objects resolved field after field, for the types a page holds thousands of.
//!
//! async-graphql resolves each field of an object as its own boxed future and
//! polls them together through a `FuturesUnordered`: two allocations and a
//! task per field, which for a page of 100 carriers with 20 tenancies and
//! their enterprises is some 16,000 fields and most of the time spent in the
//! library. Most of those fields are ready at once (they read the row already
//! loaded), so running them concurrently buys nothing. [`Eagerly`] resolves
//! such a selection in place, one field after the other, in one future per
//! object. Only a selection with at most one field that may wait (for a
//! loader) qualifies, so no two waits are put in sequence; anything else
//! (fragments, directives, a response key twice, two waiting fields) takes
//! async-graphql's own path. The answer is the same either way.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, ContextSelectionSet, OutputType, Positioned, ServerResult, Value,
};

/// An object type whose named fields resolve without waiting.
pub trait ReadyFields: ContainerType {
    /// The GraphQL names of the fields that never wait for a loader or the
    /// database. A name missing here is only slower, never wrong.
    const READY: &'static [&'static str];
}

/// `T` in the schema, resolved field after field where its selection allows.
#[derive(Debug, Clone)]
pub struct Eagerly<T>(pub T);

impl<T: ReadyFields> OutputType for Eagerly<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if !in_place(&ctx.item.node, T::READY) {
            return self.0.resolve(ctx, field).await;
        }
        let mut answer = IndexMap::with_capacity(ctx.item.node.items.len());
        for selection in &ctx.item.node.items {
            let Selection::Field(field) = &selection.node else {
                unreachable!("in_place admits fields only");
            };
            let key = field.node.response_key().node.clone();
            if field.node.name.node == "__typename" {
                let name = self.0.introspection_type_name().into_owned();
                answer.insert(key, Value::String(name));
                continue;
            }
            // As async-graphql's own container does: a failed field is
            // reported with its path and left out of the object.
            match self.0.resolve_field(&ctx.with_field(field)).await {
                Ok(value) => {
                    answer.insert(key, value.unwrap_or_default());
                }
                Err(error) => ctx.add_error(error),
            }
        }
        Ok(Value::Object(answer))
    }
}

/// Whether `selection` may be resolved in place: plain fields only, each
/// response key once, at most one of them not among `ready`.
fn in_place(selection: &SelectionSet, ready: &[&str]) -> bool {
    let mut waiting = 0;
    for (at, item) in selection.items.iter().enumerate() {
        let Selection::Field(field) = &item.node else {
            return false;
        };
        if !field.node.directives.is_empty() {
            return false;
        }
        let key = field.node.response_key().node.as_str();
        let repeated = selection.items[..at]
            .iter()
            .any(|earlier| match &earlier.node {
                Selection::Field(earlier) => earlier.node.response_key().node.as_str() == key,
                _ => false,
            });
        if repeated {
            return false;
        }
        let name = field.node.name.node.as_str();
        if name != "__typename" && !ready.contains(&name) {
            waiting += 1;
            if waiting > 1 {
                return false;
            }
        }
    }
    true
}
