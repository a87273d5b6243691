//! The error a domain rule returns when input breaks it.

use super::message::Message;

/// Input that breaks a rule: which field, and why, in words a user can act
/// on, in English and in Chinese. Shown (in logs) as `field: English`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The input field at fault, as the API names it (e.g. `areaM2`).
    pub field: String,
    /// What is wrong and what would be right, in English.
    pub message: String,
    /// The same in Chinese.
    pub message_zh: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: en.into(),
            message_zh: zh.into(),
        }
    }

    /// Why, in both languages, without the field.
    pub fn reason(&self) -> Message {
        Message::new(self.message.clone(), self.message_zh.clone())
    }

    /// The whole error in both languages, as a client reads it: `field: why`.
    pub fn text(&self) -> Message {
        Message::new(
            format!("{}: {}", self.field, self.message),
            format!("{}：{}", self.field, self.message_zh),
        )
    }
}
