//! 统一社会信用代码: the Unified Social Credit Code of GB 32100-2015.
//!
//! 18 characters: registration authority (1), entity type (1), administrative
//! division (6 digits), organisation code (9), check character (1). The
//! alphabet is the digits and the upper-case letters without I, O, Z, S and V.

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
        let err = |message: String| ValidationError::new("uscc", message);
        if code.chars().count() != 18 {
            return Err(err(format!(
                "a unified social credit code has 18 characters, got {}",
                code.chars().count()
            )));
        }
        let values: Vec<u32> = code
            .bytes()
            .enumerate()
            .map(|(position, byte)| {
                value_of(byte).ok_or_else(|| {
                    err(format!(
                        "character {} ('{}') is not allowed (digits and letters except I, O, Z, S, V)",
                        position + 1,
                        byte as char
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        if !code.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(err(
                "characters 3 to 8 must be the digits of an administrative division code".into(),
            ));
        }
        let expected = check_character(&values[..17]);
        if code.as_bytes()[17] != expected {
            return Err(err(format!(
                "check character is '{}' but GB 32100-2015 gives '{}'",
                code.as_bytes()[17] as char,
                expected as char
            )));
        }
        Ok(Self(code))
    }

    /// Completes 17 leading characters with their check character.
    /// Used to make valid codes (demo data, tests); panics on a bad alphabet.
    pub fn with_check_character(first_17: &str) -> Result<Self, ValidationError> {
        let values: Option<Vec<u32>> = first_17.bytes().map(value_of).collect();
        match values {
            Some(values) if values.len() == 17 => {
                let mut code = first_17.to_owned();
                code.push(check_character(&values) as char);
                Self::parse(&code)
            }
            _ => Err(ValidationError::new(
                "uscc",
                "needs 17 characters from the USCC alphabet",
            )),
        }
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
        let code = Uscc::with_check_character("9132A200MA1XXXXX1");
        assert!(code.is_err());
    }

    #[test]
    fn completing_seventeen_characters_gives_a_valid_code() {
        let code = Uscc::with_check_character("91320214MA1W2B3C4").unwrap();
        assert!(Uscc::parse(code.as_str()).is_ok());
    }
}
