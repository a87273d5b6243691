//! Reporting periods (报告期): once the bureau closes a year, the figures
//! reported for it stay as they were; later changes that touch the year are
//! restatements, shown beside the reported figure with what caused them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ValidationError;
use super::carrier::stored_enum;
use super::goals::Contribution;
use super::torch::{Indicator, TorchRow};

stored_enum! {
    /// Whether a period's reported figures stand.
    pub enum PeriodStatus {
        /// 已关账: the reported figures stand; later changes are restatements.
        Closed,
        /// 已重新打开: reopened by the bureau, with a reason, to be closed again.
        Reopened,
    }
}

/// The last day of reporting year `year`, if the year has ended by `today`
/// and is one the plan's records could hold.
pub fn closable_end(year: i32, today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let end = NaiveDate::from_ymd_opt(year, 12, 31)
        .filter(|_| year >= 2000)
        .ok_or_else(|| {
            ValidationError::new(
                "year",
                format!("{year} is not a reporting year"),
                format!("{year} 不是有效的报送年度"),
            )
        })?;
    if end >= today {
        return Err(ValidationError::new(
            "year",
            format!("{year} has not ended; a year is closed after December 31"),
            format!("{year}年度尚未结束，12月31日之后方可关账"),
        ));
    }
    Ok(end)
}

/// One carrier's part of a target's figure (`None`: parts that belong to no
/// carrier, such as enterprises landed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CarrierFigure {
    pub carrier_id: Option<i32>,
    pub value: f64,
}

/// A target's figure as reported, with its parts by carrier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedTarget {
    /// The target's code, as `TargetCode` spells it.
    pub code: String,
    pub actual: f64,
    pub by_carrier: Vec<CarrierFigure>,
}

/// The parts of a figure summed by carrier, in carrier order.
pub fn by_carrier(parts: &[Contribution]) -> Vec<CarrierFigure> {
    let mut sums: BTreeMap<Option<i32>, f64> = BTreeMap::new();
    for part in parts {
        *sums.entry(part.carrier_id).or_default() += part.value;
    }
    sums.into_iter()
        .map(|(carrier_id, value)| CarrierFigure { carrier_id, value })
        .collect()
}

/// A carrier whose part of a figure differs from what was reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Restated {
    pub carrier_id: Option<i32>,
    pub reported: f64,
    pub current: f64,
}

impl Restated {
    pub fn difference(&self) -> f64 {
        self.current - self.reported
    }
}

/// Below this, two figures are the same (areas are kept to 0.01 m²).
const SAME: f64 = 0.005;

/// The carriers whose parts differ between `reported` and `current`, largest
/// difference first (then by carrier).
pub fn restated(reported: &[CarrierFigure], current: &[CarrierFigure]) -> Vec<Restated> {
    let mut both: BTreeMap<Option<i32>, (f64, f64)> = BTreeMap::new();
    for figure in reported {
        both.entry(figure.carrier_id).or_default().0 += figure.value;
    }
    for figure in current {
        both.entry(figure.carrier_id).or_default().1 += figure.value;
    }
    let mut changed: Vec<Restated> = both
        .into_iter()
        .filter(|(_, (reported, current))| (current - reported).abs() >= SAME)
        .map(|(carrier_id, (reported, current))| Restated {
            carrier_id,
            reported,
            current,
        })
        .collect();
    changed.sort_by(|a, b| {
        b.difference()
            .abs()
            .total_cmp(&a.difference().abs())
            .then(a.carrier_id.cmp(&b.carrier_id))
    });
    changed
}

/// One carrier's 火炬统计 cells as reported, keyed by indicator code (so a
/// period closed before an indicator existed still reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedTorchRow {
    pub carrier_id: i32,
    pub cells: BTreeMap<String, String>,
}

/// The cells of `rows` as they are kept for a closed year.
pub fn torch_cells(rows: &[TorchRow]) -> Vec<ReportedTorchRow> {
    rows.iter()
        .map(|row| ReportedTorchRow {
            carrier_id: row.carrier_id,
            cells: Indicator::ALL
                .iter()
                .map(|indicator| (indicator.as_ref().to_owned(), indicator.cell(row)))
                .collect(),
        })
        .collect()
}

/// One indicator of one carrier that differs from what was reported.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorChange {
    pub indicator: Indicator,
    /// The cell reported; `None` if the carrier was not in the survey then.
    pub reported: Option<String>,
    /// The cell now; `None` if the carrier is no longer in the survey.
    pub current: Option<String>,
}

impl IndicatorChange {
    /// `current - reported` for a figure, a missing side counting as 0; `None` for words.
    pub fn difference(&self) -> Option<f64> {
        if !self.indicator.is_figure() {
            return None;
        }
        let value = |cell: &Option<String>| match cell {
            Some(text) => text.parse::<f64>().ok(),
            None => Some(0.0),
        };
        Some(value(&self.current)? - value(&self.reported)?)
    }
}

/// A carrier whose 火炬统计 row differs from what was reported.
#[derive(Debug, Clone, PartialEq)]
pub struct TorchRestated {
    pub carrier_id: i32,
    pub changes: Vec<IndicatorChange>,
}

/// The carriers whose cells differ between `reported` and `current`, by
/// carrier id; a carrier on one side only differs in every indicator.
/// Indicators the reported rows do not hold are not compared.
pub fn torch_restated(reported: &[ReportedTorchRow], current: &[TorchRow]) -> Vec<TorchRestated> {
    let kept: BTreeMap<i32, &BTreeMap<String, String>> = reported
        .iter()
        .map(|row| (row.carrier_id, &row.cells))
        .collect();
    let now: BTreeMap<i32, &TorchRow> = current.iter().map(|row| (row.carrier_id, row)).collect();
    let carriers: std::collections::BTreeSet<i32> =
        kept.keys().chain(now.keys()).copied().collect();
    carriers
        .into_iter()
        .filter_map(|carrier_id| {
            let (before, after) = (kept.get(&carrier_id), now.get(&carrier_id));
            let changes: Vec<IndicatorChange> = Indicator::ALL
                .into_iter()
                .filter_map(|indicator| {
                    let reported = match before {
                        Some(cells) => Some(cells.get(indicator.as_ref())?.clone()),
                        None => None,
                    };
                    let current = after.map(|row| indicator.cell(row));
                    (reported != current).then_some(IndicatorChange {
                        indicator,
                        reported,
                        current,
                    })
                })
                .collect();
            (!changes.is_empty()).then_some(TorchRestated {
                carrier_id,
                changes,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn figure(carrier_id: Option<i32>, value: f64) -> CarrierFigure {
        CarrierFigure { carrier_id, value }
    }

    #[test]
    fn a_year_is_closed_only_once_it_has_ended() {
        assert_eq!(closable_end(2025, day(2026, 1, 1)), Ok(day(2025, 12, 31)));
        assert!(closable_end(2026, day(2026, 11, 28)).is_err());
        assert!(closable_end(2025, day(2025, 12, 31)).is_err());
        assert!(closable_end(1999, day(2026, 1, 1)).is_err());
    }

    #[test]
    fn only_changed_parts_are_restated_largest_first() {
        let reported = [
            figure(Some(1), 100.0),
            figure(Some(2), 50.0),
            figure(None, 3.0),
        ];
        let current = [
            figure(Some(1), 100.0),
            figure(Some(2), 40.0),
            figure(Some(3), 500.0),
            figure(None, 3.0),
        ];
        let changed = restated(&reported, &current);
        assert_eq!(
            changed,
            [
                Restated {
                    carrier_id: Some(3),
                    reported: 0.0,
                    current: 500.0
                },
                Restated {
                    carrier_id: Some(2),
                    reported: 50.0,
                    current: 40.0
                },
            ]
        );
        assert_eq!(changed[1].difference(), -10.0);
    }

    #[test]
    fn parts_are_summed_per_carrier() {
        let part = |carrier_id, value| Contribution {
            carrier_id,
            district_id: None,
            kind: None,
            year: 2025,
            source: None,
            value,
        };
        let parts = [part(Some(2), 1.0), part(Some(1), 2.0), part(Some(2), 3.0)];
        assert_eq!(
            by_carrier(&parts),
            [figure(Some(1), 2.0), figure(Some(2), 4.0)]
        );
    }

    fn torch_row(carrier_id: i32, tenant_area_m2: f64, incubating: i64) -> TorchRow {
        TorchRow {
            carrier_id,
            name: format!("载体{carrier_id}"),
            kind: crate::domain::carrier::CarrierKind::Incubator,
            district: "新吴区".into(),
            district_kind: crate::domain::carrier::DistrictKind::District,
            admin_code: Some("320214".into()),
            operator: "无锡产业发展集团有限公司".into(),
            level: crate::domain::carrier::Level::City,
            floor_area_m2: 10_000.0,
            tenant_area_m2,
            public_service_m2: 500.0,
            incubating,
            graduates_in_year: 0,
            graduates_total: 0,
            staff: 3,
            mentors: 2,
            fund_size: crate::domain::money::Fen(0),
            platforms: 1,
            workstations: None,
            tenants: None,
        }
    }

    #[test]
    fn a_late_tenancy_restates_the_tenant_area_and_count_of_its_carrier_only() {
        let reported = torch_cells(&[torch_row(1, 800.0, 4), torch_row(2, 300.0, 1)]);
        let current = [torch_row(1, 1_000.0, 5), torch_row(2, 300.0, 1)];
        let restated = torch_restated(&reported, &current);
        assert_eq!(restated.len(), 1);
        assert_eq!(restated[0].carrier_id, 1);
        let changes = &restated[0].changes;
        assert_eq!(
            changes
                .iter()
                .map(|change| (change.indicator, change.difference()))
                .collect::<Vec<_>>(),
            [
                (Indicator::TenantArea, Some(200.0)),
                (Indicator::Incubating, Some(1.0))
            ]
        );
        assert_eq!(changes[0].reported.as_deref(), Some("800.00"));
        assert_eq!(changes[0].current.as_deref(), Some("1000.00"));
    }

    #[test]
    fn a_carrier_new_to_the_survey_differs_in_every_indicator() {
        let restated = torch_restated(&[], &[torch_row(3, 0.0, 0)]);
        assert_eq!(restated[0].changes.len(), Indicator::ALL.len());
        let floor = restated[0]
            .changes
            .iter()
            .find(|change| change.indicator == Indicator::FloorArea)
            .unwrap();
        assert_eq!(floor.reported, None);
        assert_eq!(floor.difference(), Some(10_000.0));
        assert_eq!(
            restated[0].changes[0].difference(),
            None,
            "a name is a word"
        );
    }

    #[test]
    fn indicators_not_kept_at_closing_are_not_compared() {
        let mut reported = torch_cells(&[torch_row(1, 800.0, 4)]);
        reported[0].cells.remove("TENANT_AREA");
        assert!(torch_restated(&reported, &[torch_row(1, 1_000.0, 4)]).is_empty());
    }
}
