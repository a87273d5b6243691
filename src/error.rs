//! The one error type of zaiti, from the store up to the API.
//! `graphql::error` maps each variant once to its `extensions.code`.

use sea_orm::{DbErr, SqlErr};

use crate::domain::access::Denied;
use crate::domain::{Message, ValidationError};

/// What can go wrong in a request, in the terms a client can act on. Every
/// variant says so in English and in Chinese ([`AppError::message`]); shown
/// (in logs) in English.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Input breaks a rule (BAD_USER_INPUT); names the field.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// The thing asked for does not exist (NOT_FOUND). `entity` is the name
    /// clients know it by (`Carrier`); [`entity_name_zh`] gives its Chinese name.
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The write lost a race: the row changed since it was read, or a unique
    /// value is taken (CONFLICT). Nothing was written.
    #[error("{0}")]
    Conflict(Message),
    /// The caller may not do this (FORBIDDEN). Nothing was written.
    #[error("{0}")]
    Forbidden(Message),
    /// The caller is not known: no token, or a bad or revoked one (UNAUTHENTICATED).
    #[error("{0}")]
    Unauthenticated(Message),
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

    pub fn invalid(field: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self::Invalid(ValidationError::new(field, en, zh))
    }

    pub fn conflict(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self::Conflict(Message::new(en, zh))
    }

    pub fn forbidden(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self::Forbidden(Message::new(en, zh))
    }

    pub fn unauthenticated(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self::Unauthenticated(Message::new(en, zh))
    }

    /// What went wrong, in English and in Chinese, as a client is told it.
    pub fn message(&self) -> Message {
        match self {
            Self::Invalid(invalid) => invalid.text(),
            Self::NotFound { entity, id } => Message::new(
                self.to_string(),
                if entity.eq_ignore_ascii_case("ReportingPeriod") {
                    format!("未找到{id}年度的报送记录")
                } else {
                    format!("未找到编号为 {id} 的{}", entity_name_zh(entity))
                },
            ),
            Self::Conflict(message) | Self::Forbidden(message) | Self::Unauthenticated(message) => {
                message.clone()
            }
            Self::Internal => Message::new("internal error", "服务器内部错误"),
        }
    }

    /// A stored value that should have been valid was not: logged as a bug.
    /// The value itself is not logged: it may be a confidential figure.
    pub fn corrupt(what: &str, value: &str) -> Self {
        tracing::error!(what, length = value.len(), "stored value does not parse");
        Self::Internal
    }
}

/// The Chinese name of an entity as [`AppError::NotFound`] names it (by the
/// name clients know it by, in any case: `Carrier`, `carrier`,
/// `SpacePhase`); the English name itself for one not listed.
pub fn entity_name_zh(entity: &str) -> &str {
    const NAMES: [(&str, &str); 23] = [
        ("Carrier", "载体"),
        ("Operator", "运营主体"),
        ("District", "行政区"),
        ("SpacePhase", "空间分期"),
        ("LevelRecognition", "级别认定记录"),
        ("Enterprise", "企业"),
        ("Tenancy", "入驻记录"),
        ("Platform", "公共技术服务平台"),
        ("Fund", "投资基金"),
        ("OperatingTeam", "运营团队"),
        ("Facility", "配套设施"),
        ("Setting", "配置项"),
        ("DesignationRequest", "认定申请"),
        ("ReportingPeriod", "报送年度"),
        ("Qualification", "企业资质"),
        ("ApiToken", "令牌"),
        ("Building", "楼栋"),
        ("Unit", "房源"),
        ("AnnualReport", "企业年报"),
        ("Lease", "租赁合同"),
        ("EntryApplication", "入驻申请"),
        ("Webhook", "Webhook 端点"),
        ("WebhookDelivery", "Webhook 投递记录"),
    ];
    NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(entity))
        .map_or(entity, |(_, zh)| zh)
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
            return Self::conflict(
                "a record with this unique value already exists",
                "已存在唯一性字段相同的记录，请核对后再提交",
            );
        }
        if lost_a_race(&err) {
            tracing::info!(error = %err, "transaction lost a race on PostgreSQL");
            return Self::conflict(
                "another write to the same records ran at the same moment; try again",
                "有其他写入同时修改了这些记录，请重试",
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
