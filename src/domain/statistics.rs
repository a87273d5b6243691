//! Carrier figures grouped the way a dashboard cuts the portfolio: by
//! district, kind, level, status, the operator's ownership and leading
//! industry, in any combination.

use super::ValidationError;
use super::carrier::{CarrierKind, CarrierStatus, Industry, Level, Ownership};

/// A way to cut the portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// 所在区（市）.
    District,
    /// 载体类型.
    Kind,
    /// 级别, as held on the date of the figures.
    Level,
    /// 运营状态, as recorded now.
    Status,
    /// 运营主体性质: the operator's ownership.
    OperatorOwnership,
    /// 主导产业. A carrier leading in several industries counts in each of
    /// their groups, so these groups overlap; one naming none is in a group
    /// of its own.
    Industry,
}

impl Dimension {
    /// The name the API gives it.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::District => "DISTRICT",
            Self::Kind => "KIND",
            Self::Level => "LEVEL",
            Self::Status => "STATUS",
            Self::OperatorOwnership => "OPERATOR_OWNERSHIP",
            Self::Industry => "INDUSTRY",
        }
    }

    /// The name statistical tables give it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::District => "所在区（市）",
            Self::Kind => "载体类型",
            Self::Level => "级别",
            Self::Status => "运营状态",
            Self::OperatorOwnership => "运营主体性质",
            Self::Industry => "主导产业",
        }
    }
}

/// The dimensions asked for, each at most once, in the order asked.
pub fn check_dimensions(dimensions: &[Dimension]) -> Result<(), ValidationError> {
    for (at, dimension) in dimensions.iter().enumerate() {
        if dimensions[..at].contains(dimension) {
            return Err(ValidationError::new(
                "groupBy",
                format!(
                    "{} is asked for twice; name each dimension once",
                    dimension.api_name()
                ),
                format!(
                    "分组维度“{}”重复，每个维度只能指定一次",
                    dimension.name_zh()
                ),
            ));
        }
    }
    Ok(())
}

/// Which group a row of figures belongs to: the value of each dimension
/// grouped by, `None` for the others. For [`Dimension::Level`] a carrier
/// without a recognition holds [`Level::None`]; for [`Dimension::Industry`]
/// a carrier that names no leading industry has `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    pub district_id: Option<i32>,
    pub kind: Option<CarrierKind>,
    pub level: Option<Level>,
    pub status: Option<CarrierStatus>,
    pub ownership: Option<Ownership>,
    pub industry: Option<Industry>,
}

/// The figures of a group of carriers on a date.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Carriers in the group.
    pub carriers: i64,
    /// 建成面积: floor area delivered by the date, m².
    pub floor_area_m2: f64,
    /// 在孵企业使用面积: area under leases in force on the date, m².
    pub leased_area_m2: f64,
    /// 在孵企业数: enterprises with a lease in force on the date (each once
    /// per group, however many of its carriers it leases in).
    pub tenants: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dimension_may_be_named_once() {
        assert!(check_dimensions(&[]).is_ok());
        assert!(
            check_dimensions(&[Dimension::District, Dimension::Kind, Dimension::Level]).is_ok()
        );
        let twice = check_dimensions(&[Dimension::Kind, Dimension::District, Dimension::Kind])
            .expect_err("a repeated dimension is refused");
        assert_eq!(twice.field, "groupBy");
        assert!(twice.message.contains("KIND"), "{}", twice.message);
        assert!(
            twice.message_zh.contains("载体类型"),
            "{}",
            twice.message_zh
        );
    }
}
