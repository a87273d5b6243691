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

/// Longest text a filter may give (`nameContains`, `withinDistrict`), in characters: what is stored is at most this
/// long, so a longer filter could match nothing (and SQLite refuses LIKE
/// patterns past 50,000 bytes).
pub const MAX_FILTER_CHARS: usize = MAX_TEXT_CHARS;

/// A text filter as given, refused when longer than [`MAX_FILTER_CHARS`].
pub fn filter_text(field: &str, value: Option<String>) -> Result<Option<String>, ValidationError> {
    if let Some(text) = &value {
        let count = text.chars().count();
        if count > MAX_FILTER_CHARS {
            return Err(ValidationError::new(
                field,
                format!(
                    "a filter text may be at most {MAX_FILTER_CHARS} characters, got {count} \
                     / 筛选文字最多 {MAX_FILTER_CHARS} 个字符，收到 {count} 个"
                ),
            ));
        }
    }
    Ok(value)
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
    fn a_filter_text_is_kept_as_given_up_to_the_limit() {
        let longest = "孵".repeat(MAX_FILTER_CHARS);
        assert_eq!(
            filter_text("filter.nameContains", Some(longest.clone())).unwrap(),
            Some(longest)
        );
        assert_eq!(filter_text("filter.nameContains", None).unwrap(), None);
        let err = filter_text(
            "filter.nameContains",
            Some("孵".repeat(MAX_FILTER_CHARS + 1)),
        )
        .unwrap_err();
        assert_eq!(err.field, "filter.nameContains");
        assert!(err.message.contains("got 201"), "{}", err.message);
    }

    #[test]
    fn a_blank_optional_text_is_none() {
        assert_eq!(optional_text("phone", Some(" ")).unwrap(), None);
    }
}
