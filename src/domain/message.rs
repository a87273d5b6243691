//! Messages in the two languages zaiti answers in, and the choice between
//! them.
//!
//! Every error a client can get says what is wrong in Chinese and in English
//! ([`Message`]). The API sends both (GraphQL `extensions.messageZh` and
//! `extensions.messageEn`) and puts one of them in `message`: the one the
//! request's `Accept-Language` prefers ([`Language::from_accept_language`]),
//! Chinese unless the server was started otherwise.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A language zaiti writes its messages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Simplified Chinese (`zh`): the default, for the bureau and the operators.
    #[default]
    Zh,
    /// English (`en`).
    En,
}

impl Language {
    /// The language tag (BCP 47): `zh` or `en`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// The language of `tag`'s primary subtag (`zh-CN`, `zh-Hans`, `ZH` are
    /// Chinese; `en-GB` is English); `None` for any other language.
    fn of_tag(tag: &str) -> Option<Self> {
        let primary = tag.split('-').next().unwrap_or_default();
        [Self::Zh, Self::En]
            .into_iter()
            .find(|language| primary.eq_ignore_ascii_case(language.tag()))
    }

    /// The language an `Accept-Language` header value (RFC 9110, section
    /// 12.5.4) prefers among the two we write, else `default`.
    ///
    /// Each language gets the quality of the range that names it (by its
    /// primary subtag: `zh-CN` and `zh-TW` ask for Chinese, `en-US` for
    /// English), or failing that of `*`; the highest quality above zero wins.
    /// Between equal qualities, a language named beats one matched by `*`,
    /// then the one named first; matched by `*` alike, `default`. A header
    /// that names neither language (`fr`), or that does not parse, leaves
    /// `default`.
    pub fn from_accept_language(header: Option<&str>, default: Self) -> Self {
        let Some(header) = header else {
            return default;
        };
        // Per language: the range that sets its quality, if any.
        let mut grades: [(Self, Option<Grade>); 2] = [(Self::Zh, None), (Self::En, None)];
        for (position, range) in header.split(',').enumerate() {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            if tag.is_empty() {
                continue;
            }
            let Some(quality) = quality(parts) else {
                continue;
            };
            let named = tag != "*";
            let matched = if named { Self::of_tag(tag) } else { None };
            for (language, grade) in &mut grades {
                let applies = if named {
                    matched == Some(*language)
                } else {
                    true
                };
                if !applies {
                    continue;
                }
                match grade {
                    // A named range outranks `*`; the first naming a language counts.
                    Some(Grade { named: true, .. }) => {}
                    Some(_) if !named => {}
                    _ => {
                        *grade = Some(Grade {
                            quality,
                            named,
                            position,
                        });
                    }
                }
            }
        }
        grades
            .into_iter()
            .filter_map(|(language, grade)| {
                let grade = grade.filter(|grade| grade.quality > 0.0)?;
                Some((grade, language == default, language))
            })
            .max_by(|(a, a_default, _), (b, b_default, _)| {
                a.quality
                    .total_cmp(&b.quality)
                    .then(a.named.cmp(&b.named))
                    .then(b.position.cmp(&a.position))
                    .then(a_default.cmp(b_default))
            })
            .map_or(default, |(.., language)| language)
    }
}

/// How a request's `Accept-Language` ranks one language: by the range that
/// sets its quality.
#[derive(Debug, Clone, Copy)]
struct Grade {
    quality: f32,
    /// Whether the range names the language (else it is `*`).
    named: bool,
    /// Where the range stands in the header.
    position: usize,
}

/// The weight of a language range from its parameters (`q=0.8`); 1 without
/// one; `None` when it is not a weight RFC 9110 allows (0 to 1, three decimals).
fn quality<'a>(parameters: impl Iterator<Item = &'a str>) -> Option<f32> {
    let mut quality = 1.0;
    for parameter in parameters {
        let parameter = parameter.trim();
        let Some(value) = parameter
            .strip_prefix("q=")
            .or_else(|| parameter.strip_prefix("Q="))
        else {
            continue;
        };
        let decimals = value
            .split_once('.')
            .map_or(0, |(_, fraction)| fraction.len());
        let well_formed = decimals <= 3 && value.chars().all(|c| c.is_ascii_digit() || c == '.');
        quality = value
            .parse::<f32>()
            .ok()
            .filter(|q| well_formed && (0.0..=1.0).contains(q))?;
    }
    Some(quality)
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for Language {
    type Err = String;

    /// `zh` or `en` (or a tag with one of them as its primary subtag).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::of_tag(text.trim()).ok_or_else(|| format!("'{text}' is neither zh nor en"))
    }
}

/// One message in English and in Chinese, side by side.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Message {
    pub en: String,
    pub zh: String,
}

impl Message {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The message in `language`.
    pub fn in_language(&self, language: Language) -> &str {
        match language {
            Language::Zh => &self.zh,
            Language::En => &self.en,
        }
    }
}

/// The English text: what logs show.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A date as Chinese documents write it: `2025年6月1日`.
pub fn zh_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(header: &str) -> Language {
        Language::from_accept_language(Some(header), Language::Zh)
    }

    fn pick_or_english(header: &str) -> Language {
        Language::from_accept_language(Some(header), Language::En)
    }

    #[test]
    fn no_header_means_the_default() {
        assert_eq!(
            Language::from_accept_language(None, Language::Zh),
            Language::Zh
        );
        assert_eq!(
            Language::from_accept_language(None, Language::En),
            Language::En
        );
    }

    #[test]
    fn a_language_is_known_by_its_primary_subtag() {
        assert_eq!(pick("en"), Language::En);
        assert_eq!(pick("en-US"), Language::En);
        assert_eq!(pick("EN-gb"), Language::En);
        assert_eq!(pick_or_english("zh-CN"), Language::Zh);
        assert_eq!(pick_or_english("zh-Hans-CN"), Language::Zh);
        assert_eq!(pick_or_english("zh-TW"), Language::Zh);
        assert_eq!(pick_or_english("zh"), Language::Zh);
    }

    #[test]
    fn the_highest_quality_wins() {
        assert_eq!(pick("en-US,en;q=0.9,zh;q=0.8"), Language::En);
        assert_eq!(pick_or_english("en;q=0.5, zh-CN;q=0.9"), Language::Zh);
        assert_eq!(pick_or_english("zh-CN,zh;q=0.9,en;q=0.8"), Language::Zh);
        assert_eq!(pick("zh;q=0.1, en;q=0.2"), Language::En);
        assert_eq!(pick("en ; q=1.0, zh ; q=0.999"), Language::En);
    }

    #[test]
    fn a_zero_quality_refuses_a_language() {
        assert_eq!(pick("en;q=0"), Language::Zh);
        assert_eq!(pick_or_english("en;q=0, *"), Language::Zh);
        assert_eq!(pick("zh;q=0, en;q=0.1"), Language::En);
    }

    #[test]
    fn between_equals_the_first_named_wins() {
        assert_eq!(pick("en, zh"), Language::En);
        assert_eq!(pick_or_english("zh, en"), Language::Zh);
        assert_eq!(pick("fr, en;q=0.5, zh;q=0.5"), Language::En);
    }

    #[test]
    fn a_wildcard_leaves_the_choice_to_the_server_unless_a_language_is_named() {
        assert_eq!(pick("*"), Language::Zh);
        assert_eq!(pick_or_english("*"), Language::En);
        assert_eq!(pick("*, en"), Language::En);
        assert_eq!(pick("*;q=0.5, en;q=0.1"), Language::Zh);
        assert_eq!(pick_or_english("*;q=0.5, en;q=0.1"), Language::Zh);
        assert_eq!(pick("de, *;q=0.1"), Language::Zh);
    }

    #[test]
    fn unknown_languages_and_bad_values_leave_the_default() {
        assert_eq!(pick("fr-FR, de;q=0.9"), Language::Zh);
        assert_eq!(pick_or_english("ja, ko;q=0.8"), Language::En);
        assert_eq!(pick(""), Language::Zh);
        assert_eq!(pick(" , ;q=0.5"), Language::Zh);
        assert_eq!(pick("en;q=2"), Language::Zh);
        assert_eq!(pick("en;q=high"), Language::Zh);
        assert_eq!(pick("en;q=0.12345"), Language::Zh);
        assert_eq!(pick("en;q=-1"), Language::Zh);
        assert_eq!(pick("english"), Language::Zh);
    }

    #[test]
    fn the_server_flag_value_parses() {
        assert_eq!("zh".parse(), Ok(Language::Zh));
        assert_eq!("EN".parse(), Ok(Language::En));
        assert!("fr".parse::<Language>().is_err());
        assert_eq!(Language::Zh.to_string(), "zh");
    }

    #[test]
    fn dates_are_written_as_chinese_documents_write_them() {
        let date = NaiveDate::from_ymd_opt(2025, 6, 1).expect("a date");
        assert_eq!(zh_date(date), "2025年6月1日");
    }

    #[test]
    fn a_message_is_shown_in_english_and_read_in_either_language() {
        let message = Message::new("not found", "未找到");
        assert_eq!(message.to_string(), "not found");
        assert_eq!(message.in_language(Language::Zh), "未找到");
        assert_eq!(message.in_language(Language::En), "not found");
    }
}
