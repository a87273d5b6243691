//! The one error type of zaiti, from the store up to the API.
//! `graphql::error` maps each variant once to its `extensions.code`.

use sea_orm::{DbErr, SqlErr};

use crate::domain::ValidationError;
use crate::domain::access::Denied;

/// What can go wrong in a request, in the terms a client can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Input breaks a rule (BAD_USER_INPUT); names the field.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// The thing asked for does not exist (NOT_FOUND).
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The write lost a race: the row changed since it was read, or a unique
    /// value is taken (CONFLICT). Nothing was written.
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this (FORBIDDEN). Nothing was written.
    #[error("{0}")]
    Forbidden(String),
    /// The caller is not known: no token, or a bad or revoked one (UNAUTHENTICATED).
    #[error("{0}")]
    Unauthenticated(String),
    /// Something failed on our side (INTERNAL). The detail is logged, never sent.
    #[error("internal error")]
    Internal,
}

impl AppError {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(ValidationError::new(field, message))
    }

    /// A stored value that should have been valid was not: logged as a bug.
    /// The value itself is not logged: it may be a confidential figure.
    pub fn corrupt(what: &str, value: &str) -> Self {
        tracing::error!(what, length = value.len(), "stored value does not parse");
        Self::Internal
    }
}

/// Parses a value read back from the database, where it was written valid;
/// a value that does not parse is logged as a bug and reported as INTERNAL.
pub fn stored<T: std::str::FromStr>(column: &str, value: &str) -> Result<T, AppError> {
    value.parse().map_err(|_| AppError::corrupt(column, value))
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        Self::Forbidden(denied.0)
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
            tracing::info!(%detail, "unique constraint violated");
            return Self::Conflict("a record with this unique value already exists".into());
        }
        if lost_a_race(&err) {
            tracing::info!(error = %err, "transaction lost a race on PostgreSQL");
            return Self::Conflict(
                "another write to the same records ran at the same moment; try again / 有其他写入同时修改了这些记录，请重试"
                    .into(),
            );
        }
        tracing::error!(error = %err, "database error");
        Self::Internal
    }
}

/// Whether PostgreSQL aborted the transaction to resolve a conflict with
/// another one (deadlock `40P01`, serialization failure `40001`): nothing was
/// written and the same request may simply be sent again.
fn lost_a_race(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))) =
        err
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(database) = &**inner else {
        return false;
    };
    matches!(database.code().as_deref(), Some("40P01" | "40001"))
}

pub type AppResult<T> = Result<T, AppError>;
