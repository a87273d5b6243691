//! The error a domain rule returns when input breaks it.

/// Input that breaks a rule: which field, and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The input field at fault, as the API names it (e.g. `areaM2`).
    pub field: String,
    /// What is wrong and what would be right.
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
