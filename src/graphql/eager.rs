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
//!
//! [`EagerList`] goes one step further for a list whose items have every
//! selected field ready (a carrier's tenancies with their enterprises loaded
//! beforehand, in one batch for the whole page): the items are resolved one
//! after the other in the list's own future, instead of a future per item
//! joined by `try_join_all`.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_list;
use async_graphql::{
    ContainerType, ContextSelectionSet, OutputType, Positioned, ServerResult, Value,
};

/// An object type whose named fields resolve without waiting.
pub trait ReadyFields: ContainerType {
    /// The GraphQL names of the fields that never wait for a loader or the
    /// database. A name missing here is only slower, never wrong.
    const READY: &'static [&'static str];

    /// Whether field `name` of this object resolves without waiting: one of
    /// [`Self::READY`], or a field whose data this object was given beforehand.
    fn is_ready(&self, name: &str) -> bool {
        Self::READY.contains(&name)
    }
}

impl<T: ReadyFields> ReadyFields for &T {
    const READY: &'static [&'static str] = T::READY;

    fn is_ready(&self, name: &str) -> bool {
        (**self).is_ready(name)
    }
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
        match in_place(&ctx.item.node, |name| self.0.is_ready(name)) {
            Some(_) => Ok(resolve_in_place(&self.0, ctx).await),
            None => self.0.resolve(ctx, field).await,
        }
    }
}

/// `object`'s selection, resolved field after field (the selection must
/// have passed [`in_place`]).
async fn resolve_in_place<T: ContainerType + OutputType>(
    object: &T,
    ctx: &ContextSelectionSet<'_>,
) -> Value {
    let mut answer = IndexMap::with_capacity(ctx.item.node.items.len());
    for selection in &ctx.item.node.items {
        let Selection::Field(field) = &selection.node else {
            unreachable!("in_place admits fields only");
        };
        let key = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            let name = object.introspection_type_name().into_owned();
            answer.insert(key, Value::String(name));
            continue;
        }
        // As async-graphql's own container does: a failed field is
        // reported with its path and left out of the object.
        match object.resolve_field(&ctx.with_field(field)).await {
            Ok(value) => {
                answer.insert(key, value.unwrap_or_default());
            }
            Err(error) => ctx.add_error(error),
        }
    }
    Value::Object(answer)
}

/// A list of `T` in the schema (`[T!]!`), resolved item after item in one
/// future when every field its selection asks for is ready on every item.
#[derive(Debug, Clone)]
pub struct EagerList<T>(pub Vec<T>);

impl<T: ReadyFields + Send + Sync> OutputType for EagerList<T> {
    fn type_name() -> Cow<'static, str> {
        Vec::<T>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<T>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<T>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let all_ready = self
            .0
            .iter()
            .all(|item| in_place(&ctx.item.node, |name| item.is_ready(name)) == Some(0));
        if !all_ready {
            let items = self.0.iter().map(Eagerly);
            return resolve_list(ctx, field, items, Some(self.0.len())).await;
        }
        let mut items = Vec::with_capacity(self.0.len());
        for (index, item) in self.0.iter().enumerate() {
            items.push(resolve_in_place(item, &ctx.with_index(index)).await);
        }
        Ok(Value::List(items))
    }
}

/// Whether `selection` may be resolved in place: plain fields only, each
/// response key once, at most one of them not `ready`. If so, how many are
/// not (0 or 1).
fn in_place(selection: &SelectionSet, ready: impl Fn(&str) -> bool) -> Option<usize> {
    let mut waiting = 0;
    for (at, item) in selection.items.iter().enumerate() {
        let Selection::Field(field) = &item.node else {
            return None;
        };
        if !field.node.directives.is_empty() {
            return None;
        }
        let key = field.node.response_key().node.as_str();
        let repeated = selection.items[..at]
            .iter()
            .any(|earlier| match &earlier.node {
                Selection::Field(earlier) => earlier.node.response_key().node.as_str() == key,
                _ => false,
            });
        if repeated {
            return None;
        }
        let name = field.node.name.node.as_str();
        if name != "__typename" && !ready(name) {
            waiting += 1;
            if waiting > 1 {
                return None;
            }
        }
    }
    Some(waiting)
}
