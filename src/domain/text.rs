//! Free-text fields: names, addresses, authorities.

use super::ValidationError;

/// Longest name or address accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// Trims `value` and refuses it when empty or longer than [`MAX_TEXT_CHARS`].
pub fn required_text(field: &str, value: &str) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty", "不能为空"));
    }
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at most {MAX_TEXT_CHARS} characters"),
            format!("最多 {MAX_TEXT_CHARS} 个字符"),
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
                format!("a filter text may be at most {MAX_FILTER_CHARS} characters, got {count}"),
                format!("筛选文字最多 {MAX_FILTER_CHARS} 个字符，收到 {count} 个"),
            ));
        }
    }
    Ok(value)
}

/// Longest pinyin syllable (zhuang, chuang, shuang): each character's part
/// of a sort key is padded to it, plus one tone digit.
const SYLLABLE: usize = 6;

/// The key that puts names in pinyin order, as a Chinese reader expects a
/// list (滨湖 before 宜兴), where Unicode code points would not: each Han
/// character as its pinyin syllable (the `pinyin` crate's usual reading),
/// padded with `0` to six letters, then its tone (1–4, 5 for the neutral
/// tone); a Latin letter or digit as itself, lower-cased and padded; other
/// characters (punctuation, brackets, spaces) left out. Only `0-9a-z`, so
/// every database collation orders keys alike; a name that is another's
/// prefix comes first (西 before 西安). Ties (homophones) fall back to id order.
pub fn pinyin_key(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut key = String::with_capacity(name.len() * 3);
    for (character, reading) in name.chars().zip(name.to_pinyin()) {
        let (letters, tone) = match reading {
            Some(reading) => {
                let spelled = reading.with_tone_num_end();
                match spelled.char_indices().last() {
                    Some((at, digit)) if digit.is_ascii_digit() => (&spelled[..at], digit),
                    _ => (spelled, '5'),
                }
            }
            None if character.is_ascii_alphanumeric() => {
                key.push(character.to_ascii_lowercase());
                key.extend(std::iter::repeat_n('0', SYLLABLE));
                continue;
            }
            None => continue,
        };
        // ü is written v, as in pinyin input methods.
        let letters: String = letters
            .chars()
            .map(|c| if c == 'ü' { 'v' } else { c })
            .collect();
        key.push_str(&letters);
        key.extend(std::iter::repeat_n(
            '0',
            SYLLABLE.saturating_sub(letters.len()),
        ));
        key.push(tone);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_in_pinyin_order() {
        let mut names = vec![
            "宜兴市",
            "滨湖区",
            "梁溪区",
            "江阴市",
            "新吴区",
            "锡山区",
            "惠山区",
            "无锡经济开发区",
        ];
        names.sort_by_key(|name| pinyin_key(name));
        assert_eq!(
            names,
            [
                "滨湖区",
                "惠山区",
                "江阴市",
                "梁溪区",
                "无锡经济开发区",
                "锡山区",
                "新吴区",
                "宜兴市"
            ]
        );
    }

    #[test]
    fn a_prefix_comes_first_and_keys_are_plain_ascii() {
        assert!(pinyin_key("西") < pinyin_key("西安"));
        assert!(pinyin_key("西安") < pinyin_key("先"), "xi an before xian");
        let key = pinyin_key("A栋（二期）·绿色");
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "{key}"
        );
        assert!(key.starts_with("a000000dong004er0000"), "{key}");
        assert!(key.contains("lv0000"), "{key}");
    }

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
