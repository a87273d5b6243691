//! `carrierStatistics`: the portfolio's figures cut by any of district, kind,
//! level, status, operator ownership and leading industry, for a dashboard
//! that should not page through every carrier to draw a chart.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::carrier::CarrierFilter;
use super::cost::list_complexity;
use super::district::District;
use super::enums::{CarrierKind, CarrierStatus, Industry, Level, Ownership};
use super::error::ApiResult;
use super::loaders;
use super::scalars::Date;
use crate::domain::statistics::{self, Figures, GroupKey, check_dimensions};
use crate::domain::torch::round_area;
use crate::store;

/// Groups a dashboard is assumed to draw, for the cost of a query.
const GROUPS_ASSUMED: usize = 50;

/// A way to cut the portfolio in `carrierStatistics`.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "statistics::Dimension")]
pub enum CarrierDimension {
    /// 所在区（市）.
    District,
    /// 载体类型.
    Kind,
    /// 级别, as held on `asOf`.
    Level,
    /// 运营状态, as recorded now.
    Status,
    /// 运营主体性质: the ownership of the carrier's operator.
    OperatorOwnership,
    /// 主导产业: a carrier leading in several industries counts in each of
    /// their groups (these groups overlap); one naming none forms a group
    /// whose `industry` is null.
    Industry,
}

/// Figures of a set of carriers on a date.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct CarrierFigures {
    /// 载体数: carriers.
    pub carriers: i64,
    /// 建成面积: floor area delivered by the date, m² (voided phases excluded).
    pub floor_area_m2: f64,
    /// 在孵企业使用面积: area under leases in force on the date, m².
    pub leased_area_m2: f64,
    /// 在孵企业数: enterprises with a lease in force on the date, each counted
    /// once in a group however many of its carriers it leases in.
    pub tenants: i64,
}

impl From<Figures> for CarrierFigures {
    fn from(figures: Figures) -> Self {
        Self {
            carriers: figures.carriers,
            // Summed in SQL as doubles; areas are kept to the hundredth.
            floor_area_m2: round_area(figures.floor_area_m2),
            leased_area_m2: round_area(figures.leased_area_m2),
            tenants: figures.tenants,
        }
    }
}

/// One group of `carrierStatistics`: the value of each dimension grouped by
/// (null for the dimensions not grouped by), and its figures.
#[derive(SimpleObject, Debug, Clone)]
pub struct CarrierGroup {
    /// The district, when grouped by DISTRICT.
    pub district: Option<District>,
    /// The kind, when grouped by KIND.
    pub kind: Option<CarrierKind>,
    /// The level held on `asOf` (NONE if none), when grouped by LEVEL.
    pub level: Option<Level>,
    /// The status, when grouped by STATUS.
    pub status: Option<CarrierStatus>,
    /// The operator's ownership, when grouped by OPERATOR_OWNERSHIP.
    pub operator_ownership: Option<Ownership>,
    /// The leading industry, when grouped by INDUSTRY (null for carriers naming none).
    pub industry: Option<Industry>,
    /// The group's figures.
    pub figures: CarrierFigures,
}

/// The answer of `carrierStatistics`.
#[derive(SimpleObject, Debug, Clone)]
pub struct CarrierStatistics {
    /// The date of the figures.
    pub as_of: Date,
    /// The dimensions grouped by, in the order asked.
    pub group_by: Vec<CarrierDimension>,
    /// One entry per combination of values that has carriers, ordered by
    /// the dimensions' values.
    pub groups: Vec<CarrierGroup>,
    /// The figures of all carriers matching the filter, each counted once:
    /// the groups add up to these, but for INDUSTRY groups, which overlap.
    pub totals: CarrierFigures,
}

#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// 分组统计: carriers, floor area, leased area and tenants on `asOf`
    /// (default today), per combination of the dimensions in `groupBy`, over
    /// the carriers matching `filter`. Four SQL statements whatever the
    /// number of groups.
    #[graphql(complexity = "list_complexity(GROUPS_ASSUMED, child_complexity)")]
    async fn carrier_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date of the figures (default today).")] as_of: Option<Date>,
        #[graphql(desc = "Only carriers matching this filter (default all).")] filter: Option<
            CarrierFilter,
        >,
        #[graphql(
            desc = "The dimensions to group by, each at most once; none gives the totals only."
        )]
        group_by: Vec<CarrierDimension>,
    ) -> ApiResult<CarrierStatistics> {
        let as_of = as_of.map_or_else(store::today, |d| d.0);
        let dimensions: Vec<statistics::Dimension> = group_by.iter().map(|&d| d.into()).collect();
        check_dimensions(&dimensions)?;
        let filter = filter.unwrap_or_default().into_store(ctx).await?;
        let db = super::db(ctx)?;
        let (groups, totals) = store::statistics::grouped(db, &filter, &dimensions, as_of).await?;
        let districts = loaders::of(ctx)?
            .districts(groups.iter().filter_map(|(key, _)| key.district_id))
            .await?;
        let groups = groups
            .into_iter()
            .map(|(key, figures)| group(key, figures, &districts))
            .collect();
        Ok(CarrierStatistics {
            as_of: Date(as_of),
            group_by,
            groups,
            totals: totals.into(),
        })
    }
}

fn group(
    key: GroupKey,
    figures: Figures,
    districts: &std::collections::HashMap<i32, District>,
) -> CarrierGroup {
    CarrierGroup {
        district: key.district_id.and_then(|id| districts.get(&id).cloned()),
        kind: key.kind.map(Into::into),
        level: key.level.map(Into::into),
        status: key.status.map(Into::into),
        operator_ownership: key.ownership.map(Into::into),
        industry: key.industry.map(Into::into),
        figures: figures.into(),
    }
}
