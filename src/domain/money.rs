//! Money in CNY, exact: integer fen (0.01 CNY), written as decimal strings.

use std::fmt;

use super::ValidationError;

/// An amount of CNY in fen. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

/// Largest amount accepted: 10^14 CNY, beyond any enterprise's figures.
const MAX_YUAN: i64 = 100_000_000_000_000;

impl Fen {
    /// Whole yuan.
    pub const fn yuan(yuan: i64) -> Self {
        Self(yuan * 100)
    }

    /// Parses a non-negative decimal amount of yuan with at most two decimals,
    /// e.g. `"5000000"` or `"1234.5"`.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new(
                field,
                format!(
                    "'{text}' is not an amount of CNY like 1234.56 (at most two decimals, no sign)"
                ),
                format!("“{text}”不是有效的人民币金额，应形如 1234.56（最多两位小数，不带正负号）"),
            )
        };
        let text = text.trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || fraction.len() > 2
            || (text.contains('.') && fraction.is_empty())
        {
            return Err(invalid());
        }
        let yuan: i64 = whole.parse().map_err(|_| invalid())?;
        if yuan > MAX_YUAN {
            return Err(ValidationError::new(
                field,
                format!("{text} CNY is beyond any plausible figure"),
                format!("金额 {text} 元超出合理范围，请核对"),
            ));
        }
        let fen: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
        Ok(Self(yuan * 100 + fen))
    }

    /// In 万元 (10,000 yuan) with four decimals, rounded half up (away from
    /// zero) to the yuan, as the Torch forms and rent rolls show amounts:
    /// 1,234,567.89 元 is `123.4568`.
    pub fn wan_yuan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let yuan = (self.0.unsigned_abs() + 50) / 100;
        format!("{sign}{}.{:04}", yuan / 10_000, yuan % 10_000)
    }
}

impl fmt::Display for Fen {
    /// As a decimal string of yuan with two decimals, e.g. `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let fen = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", fen / 100, fen % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(Fen::parse("x", "5000000").unwrap(), Fen::yuan(5_000_000));
        assert_eq!(Fen::parse("x", "1234.5").unwrap(), Fen(123_450));
        assert_eq!(Fen::parse("x", "0.07").unwrap(), Fen(7));
    }

    #[test]
    fn malformed_amounts_are_rejected() {
        for text in ["", "-5", "1.234", "1,000", "abc", "1.", ".5", "1e6"] {
            assert!(Fen::parse("financingRaised", text).is_err(), "{text}");
        }
    }

    #[test]
    fn amounts_print_in_wan_yuan_to_the_yuan() {
        assert_eq!(Fen(123_456_789).wan_yuan(), "123.4568");
        assert_eq!(Fen(149).wan_yuan(), "0.0001");
        assert_eq!(Fen(49).wan_yuan(), "0.0000");
        assert_eq!(Fen(-150).wan_yuan(), "-0.0002");
    }

    #[test]
    fn amounts_print_with_two_decimals() {
        assert_eq!(Fen(123_450).to_string(), "1234.50");
        assert_eq!(Fen(7).to_string(), "0.07");
    }
}
