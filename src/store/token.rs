//! API tokens: issued once, kept only as a hash, checked on every request,
//! revoked at once.
//!
//! A secret is 32 random bytes (256 bits), so a plain SHA-256 of it cannot be
//! reversed or guessed; a slow password hash (argon2) would add nothing but
//! latency to every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::api_token::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};

use super::audit::{self, Change, Operation, snapshot};
use crate::domain::access::{Actor, Role, check_token_scope};
use crate::domain::text::required_text;
use crate::domain::token;
use crate::error::{AppError, AppResult, stored};

/// Every secret starts with this, so a leaked one is recognisable (e.g. by secret scanners).
pub const SECRET_PREFIX: &str = "zt_";

/// A token just issued, with its secret: shown once, never stored.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: api_token::Model,
    pub secret: String,
}

/// A token to issue, validated but for the rules that span rows.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// Who holds it; unique among the tokens not revoked.
    pub name: String,
    pub role: Role,
    /// The operator of an OPERATOR or APPLICANT token.
    pub operator_id: Option<i32>,
    /// When it stops being accepted; `None`: never.
    pub expires_at: Option<chrono::DateTime<Utc>>,
}

/// Issues a token for `name` in `role`, scoped to `operator_id` for OPERATOR
/// tokens, valid for [`token::DEFAULT_LIFETIME_DAYS`] from today, issued by
/// the command line.
pub async fn create(
    db: &DatabaseConnection,
    name: &str,
    role: Role,
    operator_id: Option<i32>,
) -> AppResult<IssuedToken> {
    let last_day = token::last_valid_day(super::today(), None, token::DEFAULT_LIFETIME_DAYS)?;
    let request = TokenRequest {
        name: name.to_owned(),
        role,
        operator_id,
        expires_at: Some(token::expires_at(last_day)),
    };
    issue(db, &issuer(), request).await
}

/// Issues the token `request` asks for, by `actor`, audited. A name held by
/// a token not revoked is CONFLICT: names tell tokens apart in the audit
/// trail and in `zaiti token revoke NAME`.
pub async fn issue(
    db: &DatabaseConnection,
    actor: &Actor,
    request: TokenRequest,
) -> AppResult<IssuedToken> {
    let name = required_text("name", &request.name)?;
    let (role, operator_id) = (request.role, request.operator_id);
    check_token_scope(role, operator_id)?;
    if let Some(id) = operator_id
        && entity::operator::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(AppError::invalid(
            "operator",
            format!("no operator with id {id}"),
            format!("未找到编号为 {id} 的运营主体"),
        ));
    }
    let secret = new_secret()?;
    let txn = super::begin_write(db).await?;
    // The unique index on active names settles a race between two issues;
    // this check gives the usual case a message that says what to do.
    let taken = api_token::Entity::find()
        .filter(Column::Name.eq(&name))
        .filter(Column::RevokedAt.is_null())
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(name_taken(&name));
    }
    let row = api_token::ActiveModel {
        name: Set(name.clone()),
        role: Set(role.as_ref().to_owned()),
        operator_id: Set(operator_id),
        secret_hash: Set(hash(&secret)),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        expires_at: Set(request.expires_at),
        ..Default::default()
    };
    let token = match api_token::Entity::insert(row)
        .exec_with_returning(&txn)
        .await
    {
        Ok(token) => token,
        Err(err) if is_unique_violation(&err) => return Err(name_taken(&name)),
        Err(err) => return Err(err.into()),
    };
    audit::record(&txn, actor, Operation::Create, change(None, &token)?).await?;
    txn.commit().await?;
    Ok(IssuedToken { token, secret })
}

fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

fn name_taken(name: &str) -> AppError {
    AppError::conflict(
        format!("a token named '{name}' is already in use; revoke it first or choose another name"),
        format!("已有名为“{name}”的有效令牌；请先吊销该令牌，或另取名称"),
    )
}

/// Who issues and revokes tokens: whoever runs `zaiti token` on the server's
/// machine, which the audit trail can name no better than that.
pub fn issuer() -> Actor {
    Actor::system("command line (zaiti token)")
}

/// A token as the audit trail keeps it: everything but its hash.
#[derive(serde::Serialize)]
struct TokenSnapshot<'a> {
    id: i32,
    name: &'a str,
    role: &'a str,
    operator_id: Option<i32>,
    created_at: chrono::DateTime<Utc>,
    revoked_at: Option<chrono::DateTime<Utc>>,
    expires_at: Option<chrono::DateTime<Utc>>,
}

fn change(before: Option<&api_token::Model>, after: &api_token::Model) -> AppResult<Change> {
    let snapshot_of = |token: &api_token::Model| {
        snapshot(&TokenSnapshot {
            id: token.id,
            name: &token.name,
            role: &token.role,
            operator_id: token.operator_id,
            created_at: token.created_at,
            revoked_at: token.revoked_at,
            expires_at: token.expires_at,
        })
    };
    Ok(Change {
        entity_type: "ApiToken",
        entity_id: after.id,
        // An operator's trail shows the tokens issued for it.
        operator_id: after.operator_id,
        former_operator_id: None,
        before: before.map(snapshot_of).transpose()?,
        after: Some(snapshot_of(after)?),
    })
}

/// Every token ever issued, oldest first.
pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

fn listed(include_revoked: bool) -> sea_orm::Select<api_token::Entity> {
    let tokens = api_token::Entity::find();
    if include_revoked {
        tokens
    } else {
        tokens.filter(Column::RevokedAt.is_null())
    }
}

/// A page of tokens, oldest first.
pub async fn page(
    db: &DatabaseConnection,
    include_revoked: bool,
    limit: u64,
    offset: u64,
) -> AppResult<Vec<api_token::Model>> {
    Ok(listed(include_revoked)
        .order_by_asc(Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?)
}

/// How many tokens [`page`] pages through.
pub async fn count(db: &DatabaseConnection, include_revoked: bool) -> AppResult<u64> {
    Ok(listed(include_revoked).count(db).await?)
}

/// Revokes the active tokens with this id or name, each with its audit
/// event, as the command line; returns how many.
pub async fn revoke(db: &DatabaseConnection, id_or_name: &str) -> AppResult<u64> {
    let target = match id_or_name.parse::<i32>() {
        Ok(id) => Column::Id.eq(id),
        Err(_) => Column::Name.eq(id_or_name),
    };
    Ok(revoke_where(db, &issuer(), target).await?.len() as u64)
}

/// Revokes token `id` by `actor`: NOT_FOUND if there is none, CONFLICT if
/// it was revoked already.
pub async fn revoke_one(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
) -> AppResult<api_token::Model> {
    let revoked = revoke_where(db, actor, Column::Id.eq(id)).await?;
    if let Some(token) = revoked.into_iter().next() {
        return Ok(token);
    }
    match api_token::Entity::find_by_id(id).one(db).await? {
        None => Err(AppError::not_found("ApiToken", id)),
        Some(_) => Err(AppError::conflict(
            format!("token {id} was revoked already"),
            format!("令牌（编号 {id}）已被吊销"),
        )),
    }
}

/// Revokes the active tokens matching `target`, each audited as done by `actor`.
async fn revoke_where(
    db: &DatabaseConnection,
    actor: &Actor,
    target: sea_orm::sea_query::SimpleExpr,
) -> AppResult<Vec<api_token::Model>> {
    let txn = super::begin_write(db).await?;
    let active = api_token::Entity::find()
        .filter(target)
        .filter(Column::RevokedAt.is_null())
        .all(&txn)
        .await?;
    let now = Utc::now();
    let mut revoked = Vec::with_capacity(active.len());
    for token in &active {
        // Only a row still unrevoked is revoked: of two revocations at once, one writes.
        let updated = api_token::Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now))
            .filter(Column::Id.eq(token.id))
            .filter(Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            continue;
        }
        let after = api_token::Model {
            revoked_at: Some(now),
            ..token.clone()
        };
        let change = change(Some(token), &after)?;
        audit::record(&txn, actor, Operation::Update, change).await?;
        revoked.push(after);
    }
    txn.commit().await?;
    Ok(revoked)
}

fn refused() -> AppError {
    AppError::unauthenticated(
        "the token is unknown, revoked or expired",
        "令牌无效、已被吊销或已过期",
    )
}

/// Tokens accepted now: not revoked, not expired.
fn accepted_now() -> Condition {
    Condition::all().add(Column::RevokedAt.is_null()).add(
        Condition::any()
            .add(Column::ExpiresAt.is_null())
            .add(Column::ExpiresAt.gt(Utc::now())),
    )
}

/// The caller a secret stands for. Unknown and revoked secrets are refused
/// alike, so a caller learns nothing about which tokens exist. One SQL statement.
pub async fn authenticate(db: &DatabaseConnection, secret: &str) -> AppResult<Actor> {
    if !secret.starts_with(SECRET_PREFIX) {
        return Err(refused());
    }
    by_hash(db, &hash(secret)).await
}

async fn by_hash(db: &DatabaseConnection, secret_hash: &str) -> AppResult<Actor> {
    let token = api_token::Entity::find()
        .filter(Column::SecretHash.eq(secret_hash))
        .filter(accepted_now())
        .one(db)
        .await?
        .ok_or_else(refused)?;
    Ok(Actor {
        role: stored("api_token.role", &token.role)?,
        name: token.name,
        operator_id: token.operator_id,
        token_id: Some(token.id),
    })
}

/// How long a server trusts a token it has checked before checking it
/// again: a revocation takes effect on every process within this time.
pub const CACHE_FOR: Duration = Duration::from_secs(1);

/// Most tokens remembered at once; past it, the expired ones are dropped.
const CACHE_CAPACITY: usize = 10_000;

/// Tokens this process checked in the last [`CACHE_FOR`], by hash, so a
/// client sending many requests a second costs one token lookup a second
/// instead of one per request. Only accepted tokens are remembered: an
/// unknown or revoked one is looked up every time it is sent.
#[derive(Debug, Default)]
pub struct TokenCache(Mutex<HashMap<String, (Instant, Actor)>>);

impl TokenCache {
    /// [`authenticate`], answered from memory when checked within [`CACHE_FOR`].
    pub async fn authenticate(&self, db: &DatabaseConnection, secret: &str) -> AppResult<Actor> {
        if !secret.starts_with(SECRET_PREFIX) {
            return Err(refused());
        }
        let key = hash(secret);
        if let Some(actor) = self.fresh(&key) {
            return Ok(actor);
        }
        let actor = by_hash(db, &key).await?;
        self.remember(key, actor.clone());
        Ok(actor)
    }

    fn fresh(&self, key: &str) -> Option<Actor> {
        let entries = self.0.lock().ok()?;
        let (checked, actor) = entries.get(key)?;
        (checked.elapsed() < CACHE_FOR).then(|| actor.clone())
    }

    fn remember(&self, key: String, actor: Actor) {
        let Ok(mut entries) = self.0.lock() else {
            return;
        };
        if entries.len() >= CACHE_CAPACITY {
            entries.retain(|_, (checked, _)| checked.elapsed() < CACHE_FOR);
        }
        if entries.len() < CACHE_CAPACITY {
            entries.insert(key, (Instant::now(), actor));
        }
    }
}

/// Whether token `id` is still accepted (unrevoked, unexpired). One SQL statement.
pub async fn is_active(db: &DatabaseConnection, id: i32) -> AppResult<bool> {
    Ok(api_token::Entity::find_by_id(id)
        .filter(accepted_now())
        .one(db)
        .await?
        .is_some())
}

/// The name of the admin token `serve --demo` issues.
pub const DEMO_ADMIN: &str = "demo admin";

/// The demo admin token's secret, for `serve --demo` to print: `kept` (the
/// secret a previous start wrote down) if it is still the unrevoked demo
/// admin token of this database, so a browser that kept it keeps working
/// across restarts; else a new one, the previous ones revoked. Any other
/// token's secret is never reused: `kept` cannot promote a token.
pub async fn demo_admin(db: &DatabaseConnection, kept: Option<&str>) -> AppResult<DemoAdmin> {
    if let Some(kept) = kept {
        match authenticate(db, kept).await {
            Ok(actor) if actor.name == DEMO_ADMIN && actor.role == Role::Admin => {
                return Ok(DemoAdmin::Kept(kept.to_owned()));
            }
            Ok(_) | Err(AppError::Unauthenticated(_)) => {}
            Err(err) => return Err(err),
        }
    }
    revoke(db, DEMO_ADMIN).await?;
    let issued = create(db, DEMO_ADMIN, Role::Admin, None).await?;
    Ok(DemoAdmin::Issued(issued.secret))
}

/// The demo admin token's secret, and whether it is the one kept or a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoAdmin {
    Kept(String),
    Issued(String),
}

impl DemoAdmin {
    pub fn secret(&self) -> &str {
        match self {
            Self::Kept(secret) | Self::Issued(secret) => secret,
        }
    }
}

fn new_secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| {
        tracing::error!(%err, "no randomness from the operating system");
        AppError::Internal
    })?;
    Ok(format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn hash(secret: &str) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(secret.as_bytes());
    let mut hex = String::with_capacity(2 * digest.len());
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_and_distinct() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert!(a.starts_with(SECRET_PREFIX) && a.len() > 40);
        assert_ne!(a, b);
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
