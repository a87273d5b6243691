//! Access control in the API: one guard in front of every mutation, and the
//! rule for confidential fields. The rules themselves are `domain::access`.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{Context, PathSegment, ServerError, ServerResult, Value};

use super::error::{ApiError, code, server_error};
use crate::domain::Message;
use crate::domain::access::{
    Actor, may_call, may_read_confidential, may_use_root_field, mutation_rule,
};
use crate::error::AppError;

/// Checks the caller's role before any root mutation field runs, so every
/// mutation, present and future, is guarded without a line in its resolver;
/// and refuses an APPLICANT token every root field but its own two (its
/// requests always run on the guarded schema, see `execution`).
/// (Which records a caller may touch is checked by the store, which loads them.)
pub struct MutationGuard;

impl ExtensionFactory for MutationGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(MutationGuard)
    }
}

#[async_trait::async_trait]
impl Extension for MutationGuard {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.path_node.parent.is_none() {
            let mutation = info.parent_type == "Mutation";
            let refused = match ctx.data_opt::<Actor>() {
                None if mutation => Some(AppError::unauthenticated(
                    "no caller is known for this request",
                    "无法确定本次请求的调用方",
                )),
                None => None,
                // An APPLICANT token calls its two root fields and no other,
                // whether query, mutation or subscription.
                Some(actor) => may_use_root_field(actor, info.name)
                    .and_then(|()| {
                        if mutation {
                            may_call(actor, info.name, mutation_rule(info.name))
                        } else {
                            Ok(())
                        }
                    })
                    .err()
                    .map(AppError::from),
            };
            if let Some(refusal) = refused {
                // Located at the field as written (its alias, if any), as
                // a resolver's own error would be.
                let field = info.field.response_key();
                let mut error: ServerError =
                    async_graphql::Error::from(ApiError(refusal)).into_server_error(field.pos);
                error.path = vec![PathSegment::Field(field.node.to_string())];
                return Err(error);
            }
        }
        let committed_mutation = info.path_node.parent.is_none() && info.parent_type == "Mutation";
        let resolved = next.run(ctx, info).await;
        // The mutation's transaction has committed: its outbox rows are there
        // for the webhook workers to deliver.
        if committed_mutation
            && resolved.is_ok()
            && let Some(bus) = ctx.data_opt::<crate::events::Bus>()
        {
            bus.outbox_written().await;
        }
        resolved
    }
}

/// Refuses `__schema` and `__type` (introspection) with INTROSPECTION_DISABLED;
/// `__typename` stays, as clients rely on it.
pub struct IntrospectionRefusal;

impl ExtensionFactory for IntrospectionRefusal {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(IntrospectionRefusal)
    }
}

#[async_trait::async_trait]
impl Extension for IntrospectionRefusal {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.path_node.parent.is_none() && matches!(info.name, "__schema" | "__type") {
            let mut error = server_error(
                code::INTROSPECTION_DISABLED,
                &Message::new(
                    "introspection is disabled on this server",
                    "本服务器已关闭模式自省（introspection）查询",
                ),
            );
            error.path = vec![PathSegment::Field(
                info.alias.unwrap_or(info.name).to_owned(),
            )];
            return Err(error);
        }
        next.run(ctx, info).await
    }
}

/// `value` if the caller may read operator `owner`'s confidential fields, else `None`.
pub fn confidential<T>(ctx: &Context<'_>, owner: i32, value: Option<T>) -> Option<T> {
    let allowed = ctx
        .data_opt::<Actor>()
        .is_some_and(|actor| may_read_confidential(actor, owner));
    value.filter(|_| allowed)
}
