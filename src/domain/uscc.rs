//! 统一社会信用代码: the Unified Social Credit Code of GB 32100-2015.
//!
//! 18 characters: registration authority (1), entity type (1), administrative
//! division (6 digits), organisation code (9), check character (1). The
//! alphabet is the digits and the upper-case letters without I, O, Z, S and V.
//! The organisation code is itself a code of GB 11714-1997 (组织机构代码):
//! eight characters and a check character of its own, which is verified too,
//! as are the registration authority, the entity type of enterprises
//! registered by 市场监管 (9: 1, 2 or 3) and the province of the division.

use std::fmt;

use super::ValidationError;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A USCC whose structure and check character are right, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

impl Uscc {
    /// Parses a code as people type it: surrounding spaces and lower case are forgiven.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let code = raw.trim().to_ascii_uppercase();
        let err = |en: String, zh: String| ValidationError::new("uscc", en, zh);
        let length = code.chars().count();
        if length != 18 {
            return Err(err(
                format!("a unified social credit code has 18 characters, got {length}"),
                format!("统一社会信用代码应为 18 位，填写的是 {length} 位"),
            ));
        }
        let values: Vec<u32> = code
            .bytes()
            .enumerate()
            .map(|(position, byte)| {
                value_of(byte).ok_or_else(|| {
                    err(
                        format!(
                            "character {} ('{}') is not allowed (digits and letters except I, O, Z, S, V)",
                            position + 1,
                            byte as char
                        ),
                        format!(
                            "第 {} 位“{}”不是允许的字符（只能是数字和除 I、O、Z、S、V 以外的大写字母）",
                            position + 1,
                            byte as char
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        if !code.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(err(
                "characters 3 to 8 must be the digits of an administrative division code".into(),
                "第 3 至 8 位应为数字的登记管理机关行政区划码".into(),
            ));
        }
        let bytes = code.as_bytes();
        if !REGISTRATION_AUTHORITIES.contains(&bytes[0]) {
            return Err(err(
                format!(
                    "'{}' is not a registration authority of GB 32100-2015 (1–9, A, N or Y)",
                    bytes[0] as char
                ),
                format!(
                    "第 1 位登记管理部门代码“{}”有误，GB 32100-2015 规定为 1 至 9、A、N 或 Y",
                    bytes[0] as char
                ),
            ));
        }
        if bytes[0] == b'9' && !matches!(bytes[1], b'1' | b'2' | b'3') {
            return Err(err(
                format!(
                    "'{}' is not an entity type of 市场监管 registrations (1 enterprise, 2 individual business, 3 cooperative)",
                    bytes[1] as char
                ),
                format!(
                    "第 2 位机构类别代码“{}”有误，市场监管部门登记的应为 1（企业）、2（个体工商户）或 3（农民专业合作社）",
                    bytes[1] as char
                ),
            ));
        }
        if !PROVINCES.contains(&&code[2..4]) {
            return Err(err(
                format!(
                    "{} is not an administrative division of GB/T 2260 (no province {})",
                    &code[2..8],
                    &code[2..4]
                ),
                format!(
                    "登记管理机关行政区划码 {} 有误：GB/T 2260 中没有省级代码 {}",
                    &code[2..8],
                    &code[2..4]
                ),
            ));
        }
        let organisation = organisation_check(&bytes[8..16]);
        if bytes[16] != organisation {
            return Err(err(
                format!(
                    "the organisation code {} ends in '{}' but GB 11714-1997 gives '{}'",
                    &code[8..17],
                    bytes[16] as char,
                    organisation as char
                ),
                format!(
                    "组织机构代码 {} 的校验码为“{}”，按 GB 11714-1997 应为“{}”",
                    &code[8..17],
                    bytes[16] as char,
                    organisation as char
                ),
            ));
        }
        let expected = check_character(&values[..17]);
        if code.as_bytes()[17] != expected {
            return Err(err(
                format!(
                    "check character is '{}' but GB 32100-2015 gives '{}'",
                    code.as_bytes()[17] as char,
                    expected as char
                ),
                format!(
                    "统一社会信用代码校验码为“{}”，按 GB 32100-2015 应为“{}”",
                    code.as_bytes()[17] as char,
                    expected as char
                ),
            ));
        }
        Ok(Self(code))
    }

    /// Completes 16 leading characters with the organisation code's check
    /// character (GB 11714) and the code's own (GB 32100). Used to make valid
    /// codes (demo data, tests).
    pub fn with_check_characters(first_16: &str) -> Result<Self, ValidationError> {
        let bytes = first_16.as_bytes();
        if bytes.len() != 16 || !bytes.iter().all(|&byte| value_of(byte).is_some()) {
            return Err(ValidationError::new(
                "uscc",
                "needs 16 characters from the USCC alphabet",
                "需要 16 位统一社会信用代码允许的字符",
            ));
        }
        let mut code = first_16.to_owned();
        code.push(organisation_check(&bytes[8..16]) as char);
        let values: Vec<u32> = code.bytes().filter_map(value_of).collect();
        code.push(check_character(&values) as char);
        Self::parse(&code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn value_of(byte: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&c| c == byte)
        .map(|index| index as u32)
}

/// 登记管理部门代码 of GB 32100-2015: 机构编制 1, 外交 2, 司法行政 3, 文化 4,
/// 民政 5, 旅游 6, 宗教 7, 工会 8, 市场监管 (工商) 9, 中央军委改革和编制办公室 A,
/// 农业 N, others Y.
const REGISTRATION_AUTHORITIES: &[u8] = b"123456789ANY";

/// The provinces of GB/T 2260 (the first two digits of a division code),
/// and 10 for registrations at national level (division 100000).
const PROVINCES: [&str; 35] = [
    "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
];

/// The check character of an organisation code's eight characters (GB
/// 11714-1997): digits count as themselves, letters A–Z as 10–35; weights
/// 3 7 9 10 5 8 4 2; 11 − sum mod 11, written X for 10 and 0 for 11.
fn organisation_check(body: &[u8]) -> u8 {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&byte, weight)| {
            let value = match byte {
                b'0'..=b'9' => u32::from(byte - b'0'),
                _ => u32::from(byte - b'A') + 10,
            };
            value * weight
        })
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        digit => b'0' + digit as u8,
    }
}

fn check_character(values: &[u32]) -> u8 {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    // A code printed on a real business licence (published as an example).
    const KNOWN_GOOD: &str = "91350100M000100Y43";

    #[test]
    fn a_published_code_is_accepted() {
        assert_eq!(Uscc::parse(KNOWN_GOOD).unwrap().as_str(), KNOWN_GOOD);
    }

    #[test]
    fn lower_case_and_spaces_are_forgiven() {
        let typed = format!("  {} ", KNOWN_GOOD.to_lowercase());
        assert_eq!(Uscc::parse(&typed).unwrap().as_str(), KNOWN_GOOD);
    }

    #[test]
    fn a_code_with_a_wrong_check_character_is_rejected() {
        let err = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert!(err.message.contains("check character"), "{}", err.message);
    }

    #[test]
    fn a_code_of_the_wrong_length_is_rejected() {
        assert!(Uscc::parse("91350100M000100Y4").is_err());
    }

    #[test]
    fn letters_outside_the_alphabet_are_rejected() {
        let err = Uscc::parse("91350100M000100I43").unwrap_err();
        assert!(err.message.contains("'I'"), "{}", err.message);
    }

    #[test]
    fn a_letter_in_the_division_code_is_rejected() {
        let code = Uscc::with_check_characters("9132A200MA1XXXXX");
        assert!(code.is_err());
    }

    #[test]
    fn completing_sixteen_characters_gives_a_valid_code() {
        let code = Uscc::with_check_characters("91320214MA1W2B3C").unwrap();
        assert!(Uscc::parse(code.as_str()).is_ok());
        assert_eq!(code.as_str().len(), 18);
    }

    #[test]
    fn the_organisation_code_check_of_gb_11714_is_verified() {
        // A published organisation code: 数字 body with check X.
        assert_eq!(organisation_check(b"D2143569"), b'X');
        assert_eq!(organisation_check(b"M000100Y"), b'4');
        // The GB 32100 check character alone is right here, the GB 11714 one is not.
        let values: Vec<u32> = "91350100M000100Y5".bytes().filter_map(value_of).collect();
        let wrong = format!("91350100M000100Y5{}", check_character(&values) as char);
        let err = Uscc::parse(&wrong).unwrap_err();
        assert!(err.message.contains("GB 11714"), "{}", err.message);
    }

    #[test]
    fn all_zeros_is_not_a_code() {
        let err = Uscc::parse("000000000000000000").unwrap_err();
        assert!(
            err.message.contains("registration authority"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_unknown_entity_type_or_province_is_rejected() {
        let err = Uscc::with_check_characters("98320214MA1W2B3C").unwrap_err();
        assert!(err.message.contains("entity type"), "{}", err.message);
        let err = Uscc::with_check_characters("91990214MA1W2B3C").unwrap_err();
        assert!(err.message.contains("province"), "{}", err.message);
    }
}
