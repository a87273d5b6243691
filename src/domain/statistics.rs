//! Carrier figures grouped the way a dashboard cuts the portfolio: by
//! district, kind, level, status, the operator's ownership and leading
//! industry, in any combination.

use super::ValidationError;
use super::carrier::{CarrierKind, CarrierStatus, Industry, Level, Ownership};
use super::torch::{kind_zh, round_area};

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

    /// Every dimension, in the order tables usually put them.
    pub const ALL: [Dimension; 6] = [
        Self::District,
        Self::Kind,
        Self::Level,
        Self::Status,
        Self::OperatorOwnership,
        Self::Industry,
    ];

    /// The dimension named `text`: its API name in any case, or its Chinese column name.
    pub fn named(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|d| d.api_name().eq_ignore_ascii_case(text) || d.name_zh() == text)
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

/// One cell of a statistics table: text, a count, or an area in m² (to the hundredth).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(i64),
    Area(f64),
}

/// The headers of the figures' columns, as statistical tables write them.
pub const FIGURE_HEADERS: [&str; 4] = [
    "载体数",
    "建成面积（平方米）",
    "在孵企业使用面积（平方米）",
    "在孵企业数",
];

/// What the totals row says in the first column.
pub const TOTALS_LABEL: &str = "合计";

/// The figures as a table: the header (a column per dimension grouped by,
/// then [`FIGURE_HEADERS`]), a row per group, and a last row of totals.
/// `district_name` names a district by id.
pub fn table(
    dimensions: &[Dimension],
    groups: &[(GroupKey, Figures)],
    totals: &Figures,
    district_name: impl Fn(i32) -> String,
) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let mut header: Vec<&'static str> = dimensions.iter().map(|d| d.name_zh()).collect();
    header.extend(FIGURE_HEADERS);
    let mut rows: Vec<Vec<Cell>> = groups
        .iter()
        .map(|(key, figures)| {
            let mut row: Vec<Cell> = dimensions
                .iter()
                .map(|&dimension| Cell::Text(value_zh(key, dimension, &district_name)))
                .collect();
            row.extend(figure_cells(figures));
            row
        })
        .collect();
    let mut last: Vec<Cell> = (0..dimensions.len())
        .map(|at| Cell::Text(if at == 0 { TOTALS_LABEL } else { "" }.to_owned()))
        .collect();
    last.extend(figure_cells(totals));
    rows.push(last);
    (header, rows)
}

fn figure_cells(figures: &Figures) -> [Cell; 4] {
    [
        Cell::Count(figures.carriers),
        Cell::Area(round_area(figures.floor_area_m2)),
        Cell::Area(round_area(figures.leased_area_m2)),
        Cell::Count(figures.tenants),
    ]
}

/// The group's value of `dimension`, in Chinese.
fn value_zh(key: &GroupKey, dimension: Dimension, district_name: impl Fn(i32) -> String) -> String {
    let name = match dimension {
        Dimension::District => return key.district_id.map_or_else(String::new, district_name),
        Dimension::Kind => key.kind.map(kind_zh),
        Dimension::Level => key.level.map(level_group_zh),
        Dimension::Status => key.status.map(status_zh),
        Dimension::OperatorOwnership => key.ownership.map(ownership_zh),
        Dimension::Industry => Some(key.industry.map_or("未填写主导产业", Industry::name_zh)),
    };
    name.unwrap_or_default().to_owned()
}

/// A level as a group of carriers of every kind and place: 区（县）级 covers
/// both names below the city, 国家级 the makerspaces filed nationally too.
fn level_group_zh(level: Level) -> &'static str {
    match level {
        Level::None => "未认定",
        Level::District => "区（县）级",
        Level::City => "市级",
        Level::Provincial => "省级",
        Level::National => "国家级",
    }
}

fn status_zh(status: CarrierStatus) -> &'static str {
    match status {
        CarrierStatus::Planned => "规划中",
        CarrierStatus::UnderConstruction => "建设中",
        CarrierStatus::Operating => "运营中",
        CarrierStatus::Suspended => "暂停运营",
        CarrierStatus::Closed => "已关闭",
    }
}

fn ownership_zh(ownership: Ownership) -> &'static str {
    match ownership {
        Ownership::CityStateOwned => "市属国企",
        Ownership::DistrictStateOwned => "区属国企",
        Ownership::Private => "民营",
        Ownership::UniversityOrInstitute => "高校院所",
        Ownership::Other => "其他",
    }
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

    #[test]
    fn the_table_has_a_column_per_dimension_a_row_per_group_and_the_totals_last() {
        let key = GroupKey {
            district_id: Some(7),
            kind: Some(CarrierKind::Incubator),
            ..GroupKey::default()
        };
        let figures = Figures {
            carriers: 2,
            floor_area_m2: 1000.004,
            leased_area_m2: 250.5,
            tenants: 3,
        };
        let (header, rows) = table(
            &[Dimension::District, Dimension::Kind],
            &[(key, figures)],
            &figures,
            |id| format!("区{id}"),
        );
        assert_eq!(header[..3], ["所在区（市）", "载体类型", "载体数"]);
        assert_eq!(header.len(), 6);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], Cell::Text("区7".into()));
        assert_eq!(rows[0][1], Cell::Text("科技企业孵化器".into()));
        assert_eq!(rows[0][3], Cell::Area(1000.0));
        assert_eq!(rows[1][0], Cell::Text(TOTALS_LABEL.into()));
        assert_eq!(rows[1][1], Cell::Text(String::new()));
        assert_eq!(rows[1][5], Cell::Count(3));
    }
}
