//! Free-text fields: names, addresses, authorities.

use super::ValidationError;

/// Longest name or address accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// Trims `value` and refuses it when empty or longer than [`MAX_TEXT_CHARS`].
pub fn required_text(field: &str, value: &str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Like [`required_text`], but an absent or blank value means "none".
pub fn optional_text(field: &str, value: Option<&str>) -> Result<Option<String>, ValidationError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required_text(field, text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_name_is_rejected() {
        assert_eq!(required_text("name", "   ").unwrap_err().field, "name");
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(required_text("name", "  锡创空间 ").unwrap(), "锡创空间");
    }

    #[test]
    fn an_overlong_name_is_rejected() {
        let long = "载".repeat(MAX_TEXT_CHARS + 1);
        assert!(required_text("name", &long).is_err());
    }

    #[test]
    fn a_blank_optional_text_is_none() {
        assert_eq!(optional_text("phone", Some(" ")).unwrap(), None);
    }
}
