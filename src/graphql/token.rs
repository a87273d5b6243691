//! API tokens in the API (ADMIN only): list them, issue one (its secret
//! shown once, in the answer), revoke one. The CLI's `zaiti token` does the
//! same on the server's machine; both are audited.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::enums::Role;
use super::error::ApiResult;
use super::node::{NodeType, expect, global_id};
use super::scalars::{Date, DateTime};
use crate::domain::access::Actor;
use crate::domain::token::{expires_at, last_valid_day, valid_through};
use crate::error::{AppError, AppResult, stored};
use crate::store;
use crate::store::token::TokenRequest;

pub struct ApiToken(entity::api_token::Model);

/// An API token, without its secret (only a hash of it is kept).
#[Object]
impl ApiToken {
    /// The token's global ID (as audit events name it).
    async fn id(&self) -> ID {
        global_id(NodeType::ApiToken, self.0.id)
    }

    /// Who holds it, e.g. 新吴区科技局数据看板; unique among tokens not revoked.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it may do.
    async fn role(&self) -> ApiResult<Role> {
        Ok(stored::<crate::domain::access::Role>("api_token.role", &self.0.role)?.into())
    }

    /// The operator an OPERATOR or APPLICANT token is scoped to.
    async fn operator_id(&self) -> Option<ID> {
        self.0
            .operator_id
            .map(|id| global_id(NodeType::Operator, id))
    }

    /// When it was issued.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// 有效期至: the last day it is accepted (China Standard Time); null: no
    /// expiry (tokens issued before expiry existed).
    async fn valid_through(&self) -> Option<Date> {
        self.0.expires_at.map(|at| Date(valid_through(at)))
    }

    /// The instant it stops being accepted: midnight after `validThrough`, Beijing time.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(DateTime::from)
    }

    /// When it was revoked; null while not revoked.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime::from)
    }

    /// Whether a request sending it is accepted now: neither revoked nor expired.
    async fn active(&self) -> bool {
        let now = chrono::Utc::now();
        self.0.revoked_at.is_none() && self.0.expires_at.is_none_or(|at| at > now)
    }
}

/// A page of tokens, oldest first.
#[derive(SimpleObject)]
pub struct ApiTokenPage {
    /// Tokens matching, over all pages.
    total_count: u64,
    /// This page's tokens.
    tokens: Vec<ApiToken>,
}

/// A token just issued: its secret is in this answer and nowhere else.
#[derive(SimpleObject)]
pub struct IssuedApiToken {
    /// The token as listed from now on.
    token: ApiToken,
    /// The secret to send as `Authorization: Bearer <secret>`. Shown only
    /// now: the server keeps a hash of it, so a lost secret means a new token.
    secret: String,
}

/// A token to issue.
#[derive(InputObject)]
pub struct CreateTokenInput {
    /// Who will hold it, e.g. 新吴区科技局数据看板; unique among tokens not revoked.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// For OPERATOR and APPLICANT tokens: the operator, by global ID.
    pub operator_id: Option<ID>,
    /// 有效期至: the last day it is accepted (China Standard Time), from
    /// today to five years ahead; default: the server's token lifetime
    /// (365 days unless configured) from today.
    pub valid_through: Option<Date>,
}

fn admin_only<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    let actor = super::actor(ctx)?;
    if actor.role != crate::domain::access::Role::Admin {
        return Err(AppError::forbidden(
            "only ADMIN tokens manage API tokens",
            "只有 ADMIN 令牌可以管理 API 令牌",
        )
        .into());
    }
    Ok(actor)
}

#[derive(Default)]
pub struct TokenQuery;

#[Object]
impl TokenQuery {
    /// API tokens, oldest first, without their secrets (ADMIN only; others FORBIDDEN).
    #[graphql(complexity = "super::connection::page_complexity(first, None, child_complexity)")]
    async fn tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also list revoked tokens (default false). Expired ones are listed.")]
        include_revoked: Option<bool>,
        #[graphql(
            desc = "Page size (default 20; at most the server's page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Tokens to skip, for the next page (default 0).")] offset: Option<i32>,
    ) -> ApiResult<ApiTokenPage> {
        admin_only(ctx)?;
        let include_revoked = include_revoked.unwrap_or(false);
        let (limit, offset) = super::connection::limit_offset(ctx, first, offset)?;
        let db = super::db(ctx)?;
        let tokens = store::token::page(db, include_revoked, limit, offset).await?;
        let total_count =
            super::connection::total_count(ctx, store::token::count(db, include_revoked)).await?;
        Ok(ApiTokenPage {
            total_count,
            tokens: tokens.into_iter().map(ApiToken).collect(),
        })
    }
}

#[derive(Default)]
pub struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Issues an API token (ADMIN only) and answers its secret, once. Audited.
    /// A name held by a token not revoked is CONFLICT.
    async fn create_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who holds it, its role and its last day.")] input: CreateTokenInput,
    ) -> ApiResult<IssuedApiToken> {
        let actor = admin_only(ctx)?;
        let request = token_request(ctx, input)?;
        let issued = store::token::issue(super::db(ctx)?, actor, request).await?;
        Ok(IssuedApiToken {
            token: ApiToken(issued.token),
            secret: issued.secret,
        })
    }

    /// Revokes an API token (ADMIN only), effective on every server process
    /// within a second, open WebSockets included. Audited. Revoking a
    /// revoked token is CONFLICT.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token, by global ID.")] id: ID,
    ) -> ApiResult<ApiToken> {
        let actor = admin_only(ctx)?;
        let id = expect("id", &id, NodeType::ApiToken)?;
        let token = store::token::revoke_one(super::db(ctx)?, actor, id).await?;
        Ok(ApiToken(token))
    }
}

fn token_request(ctx: &Context<'_>, input: CreateTokenInput) -> AppResult<TokenRequest> {
    let operator_id = input
        .operator_id
        .as_ref()
        .map(|id| expect("operatorId", id, NodeType::Operator))
        .transpose()?;
    let lifetime = ctx
        .data::<super::Limits>()
        .map_or(crate::domain::token::DEFAULT_LIFETIME_DAYS, |limits| {
            limits.token_lifetime_days
        });
    let last_day = last_valid_day(store::today(), input.valid_through.map(|d| d.0), lifetime)?;
    Ok(TokenRequest {
        name: input.name,
        role: input.role.into(),
        operator_id,
        expires_at: Some(expires_at(last_day)),
    })
}
