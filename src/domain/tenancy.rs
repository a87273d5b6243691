//! Tenancies: spans of dates, capacity, status on a date, and the tenant
//! clocks of the 2018 national incubator rules.

use chrono::{Months, NaiveDate};

use super::ValidationError;
use super::carrier::{CarrierKind, Industry, stored_enum};
use super::enterprise::GraduationRoute;
use super::message::zh_date;

/// An enterprise enters an incubator within this many months of its
/// founding: 《科技企业孵化器管理办法》(国科发区〔2018〕300号) 第九条,
/// 在孵企业 "企业注册成立时间一般不超过24个月".
pub const ENTRY_WINDOW_MONTHS: u32 = 24;
/// Incubation in an incubator lasts at most this many months: the same
/// clause, "孵化时限一般不超过48个月".
pub const MAX_INCUBATION_MONTHS: u32 = 48;
/// ...and at most this many for biomedicine, integrated circuits and modern
/// agriculture: "从事生物医药、现代农业、集成电路研发的企业，孵化时限一般不超过60个月".
pub const MAX_INCUBATION_MONTHS_LONG: u32 = 60;

/// The clocks the rules set for a tenant of one kind of carrier in one industry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockRules {
    /// Months after founding within which it should enter; `None`: no such rule.
    pub entry_window_months: Option<u32>,
    /// Longest incubation, months; `None`: no such rule.
    pub incubation_limit_months: Option<u32>,
}

/// The clocks for a tenant of a carrier of `kind` in `industry`. Only the
/// incubator rules set clocks: the makerspace filing rules
/// (国科火字〔2017〕120号) serve teams and start-ups with no entry window or
/// incubation term, and accelerators and science complexes take firms past
/// incubation.
pub fn clock_rules(kind: CarrierKind, industry: Option<Industry>) -> ClockRules {
    if kind != CarrierKind::Incubator {
        return ClockRules {
            entry_window_months: None,
            incubation_limit_months: None,
        };
    }
    let long = matches!(
        industry,
        Some(Industry::Biomedicine | Industry::IntegratedCircuits | Industry::ModernAgriculture)
    );
    ClockRules {
        entry_window_months: Some(ENTRY_WINDOW_MONTHS),
        incubation_limit_months: Some(if long {
            MAX_INCUBATION_MONTHS_LONG
        } else {
            MAX_INCUBATION_MONTHS
        }),
    }
}

/// Dates a space is leased: from `moved_in` up to, not including, `moved_out`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub moved_in: NaiveDate,
    pub moved_out: Option<NaiveDate>,
}

impl Span {
    /// A span whose end, if any, comes after its start.
    pub fn new(moved_in: NaiveDate, moved_out: Option<NaiveDate>) -> Result<Self, ValidationError> {
        super::dates::check_plausible("movedInOn", moved_in)?;
        if let Some(out) = moved_out {
            super::dates::check_plausible("movedOutOn", out)?;
            if out <= moved_in {
                return Err(ValidationError::new(
                    "movedOutOn",
                    format!("moving out on {out} must come after moving in on {moved_in}"),
                    format!(
                        "迁出日期（{}）应晚于入驻日期（{}）",
                        zh_date(out),
                        zh_date(moved_in)
                    ),
                ));
            }
        }
        Ok(Self {
            moved_in,
            moved_out,
        })
    }

    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.moved_in <= date && self.moved_out.is_none_or(|out| date < out)
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        let starts_before_other_ends = other.moved_out.is_none_or(|end| self.moved_in < end);
        let other_starts_before_this_ends = self.moved_out.is_none_or(|end| other.moved_in < end);
        starts_before_other_ends && other_starts_before_this_ends
    }
}

/// Leased area over a span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lease {
    pub span: Span,
    pub area_m2: f64,
}

/// More area leased on a date than the carrier had.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overbooked {
    pub date: NaiveDate,
    pub leased_m2: f64,
    pub leasable_m2: f64,
}

/// Where adding `candidate` to `others` would lease more than the carrier's
/// leasable area (its phases delivered by then, `(delivered_on, area)`).
/// Leased area only rises when a lease starts, so those dates are the ones to check.
pub fn first_overbooking(
    others: &[Lease],
    candidate: Lease,
    phases: &[(NaiveDate, f64)],
) -> Option<Overbooked> {
    let dates = others
        .iter()
        .map(|lease| lease.span.moved_in)
        .filter(|&date| candidate.span.in_force_on(date))
        .chain([candidate.span.moved_in]);
    first_over(others.iter().chain([&candidate]), dates, phases)
}

/// The first date on which `leases` lease more than the carrier had
/// delivered by then: what a correction of its phases must not bring about.
pub fn first_overbooked_day(leases: &[Lease], phases: &[(NaiveDate, f64)]) -> Option<Overbooked> {
    first_over(
        leases.iter(),
        leases.iter().map(|lease| lease.span.moved_in),
        phases,
    )
}

/// The earliest of `dates` on which `leases` in force exceed `phases` delivered.
fn first_over<'a>(
    leases: impl Iterator<Item = &'a Lease> + Clone,
    dates: impl Iterator<Item = NaiveDate>,
    phases: &[(NaiveDate, f64)],
) -> Option<Overbooked> {
    let mut dates: Vec<NaiveDate> = dates.collect();
    dates.sort();
    dates.dedup();
    dates.into_iter().find_map(|date| {
        let leased_m2: f64 = leases
            .clone()
            .filter(|lease| lease.span.in_force_on(date))
            .map(|lease| lease.area_m2)
            .sum();
        let leasable_m2: f64 = phases
            .iter()
            .filter(|(on, _)| *on <= date)
            .map(|(_, area)| area)
            .sum();
        (leased_m2 > leasable_m2 + 1e-6).then_some(Overbooked {
            date,
            leased_m2,
            leasable_m2,
        })
    })
}

stored_enum! {
    /// Where a tenant stands on a date.
    pub enum TenancyStatus { Incubating, Graduated, Left }
}

/// The tenancy's status on `date`, or `None` before it began.
pub fn status_on(
    span: Span,
    graduated_on: Option<NaiveDate>,
    date: NaiveDate,
) -> Option<TenancyStatus> {
    if date < span.moved_in {
        None
    } else if graduated_on.is_some_and(|on| on <= date) {
        Some(TenancyStatus::Graduated)
    } else if span.moved_out.is_some_and(|out| out <= date) {
        Some(TenancyStatus::Left)
    } else {
        Some(TenancyStatus::Incubating)
    }
}

/// The tenant clocks on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clocks {
    /// Whole months incubated so far (up to graduation or moving out).
    pub months_incubated: u32,
    /// Entered later after founding than the rules' entry window.
    pub entered_late: bool,
    /// Still incubating past the rules' incubation limit.
    pub overdue: bool,
    /// Graduation routes met while still incubating: it should graduate.
    pub graduation_due: Vec<GraduationRoute>,
}

/// The clocks of a tenant founded on `founded_on` whose incubation began on
/// `started_on`, given its status on `as_of` and the routes it meets then.
pub fn clocks(
    rules: ClockRules,
    founded_on: NaiveDate,
    started_on: NaiveDate,
    status: TenancyStatus,
    ended_on: Option<NaiveDate>,
    as_of: NaiveDate,
    routes: Vec<GraduationRoute>,
) -> Clocks {
    let until = ended_on.map_or(as_of, |end| end.min(as_of));
    let months_incubated = whole_months(started_on, until);
    let incubating = status == TenancyStatus::Incubating;
    Clocks {
        months_incubated,
        entered_late: rules.entry_window_months.is_some_and(|window| {
            founded_on
                .checked_add_months(Months::new(window))
                .is_some_and(|deadline| started_on > deadline)
        }),
        overdue: incubating
            && rules
                .incubation_limit_months
                .is_some_and(|limit| until > add_months(started_on, limit)),
        graduation_due: if incubating { routes } else { Vec::new() },
    }
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// Whole calendar months from `from` to `to` (0 if `to` is earlier).
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> u32 {
    (0..=1200u32)
        .take_while(|&n| add_months(from, n) <= to)
        .last()
        .unwrap_or(0)
}

/// A stored tenancy as a correction sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrected {
    /// The span as corrected; `None` when the tenancy is voided.
    pub span: Option<Span>,
    /// The span before the correction.
    pub stored: Span,
    pub graduated_on: Option<NaiveDate>,
    /// Whether it continues an earlier tenancy after an area change.
    pub continues: bool,
    /// Whether a later tenancy continues it after an area change.
    pub continued: bool,
}

/// Refuses a correction that would tear an area change apart or leave a
/// graduation outside the tenancy: a tenancy continued after an area change
/// keeps its move-out date and cannot be voided on its own (correct or void
/// the continuation first); a continuation keeps its move-in date (the day
/// of the change); a graduation stays within the dates.
pub fn check_correction(tenancy: &Corrected) -> Result<(), ValidationError> {
    let Some(span) = tenancy.span else {
        if tenancy.continued {
            return Err(ValidationError::new(
                "id",
                "a later tenancy continues this one after an area change: void that one first",
                "该入驻记录在面积变更后由后一条记录接续，请先作废后一条记录",
            ));
        }
        return Ok(());
    };
    if tenancy.continued && span.moved_out != tenancy.stored.moved_out {
        return Err(ValidationError::new(
            "movedOutOn",
            "this tenancy ends on the day its area changed: correct the continuation instead",
            "该入驻记录止于面积变更之日，不能在此更正迁出日期；请更正接续的入驻记录",
        ));
    }
    if tenancy.continues && span.moved_in != tenancy.stored.moved_in {
        return Err(ValidationError::new(
            "movedInOn",
            "this tenancy begins on the day of an area change, which its predecessor's move-out fixes",
            "该入驻记录始于面积变更之日，该日期由前一条记录的迁出日期确定，不能在此更正",
        ));
    }
    if let Some(graduated) = tenancy.graduated_on
        && (graduated < span.moved_in || span.moved_out.is_some_and(|out| graduated > out))
    {
        return Err(ValidationError::new(
            "movedInOn",
            format!("the tenant graduated on {graduated}, which must stay within the tenancy"),
            format!(
                "该企业于{}毕业，毕业日期须在入驻期间之内",
                zh_date(graduated)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn span(from: &str, to: Option<&str>) -> Span {
        Span::new(day(from), to.map(day)).unwrap()
    }

    fn corrected(span: Option<Span>) -> Corrected {
        Corrected {
            span,
            stored: Span {
                moved_in: day("2024-01-01"),
                moved_out: Some(day("2025-01-01")),
            },
            graduated_on: None,
            continues: false,
            continued: false,
        }
    }

    #[test]
    fn an_area_change_is_not_torn_apart_by_a_correction() {
        let moved = span("2024-02-01", Some("2025-03-01"));
        assert!(check_correction(&corrected(Some(moved))).is_ok());
        assert!(check_correction(&corrected(None)).is_ok());
        let continued = Corrected {
            continued: true,
            ..corrected(Some(moved))
        };
        assert_eq!(
            check_correction(&continued).unwrap_err().field,
            "movedOutOn"
        );
        assert_eq!(
            check_correction(&Corrected {
                span: None,
                ..continued
            })
            .unwrap_err()
            .field,
            "id"
        );
        let continues = Corrected {
            continues: true,
            ..corrected(Some(moved))
        };
        assert_eq!(check_correction(&continues).unwrap_err().field, "movedInOn");
    }

    #[test]
    fn a_graduation_stays_within_the_corrected_dates() {
        let late = span("2024-06-01", None);
        let graduated = Corrected {
            graduated_on: Some(day("2024-03-01")),
            ..corrected(Some(late))
        };
        assert!(check_correction(&graduated).is_err());
        let early = span("2024-01-01", Some("2024-03-01"));
        assert!(
            check_correction(&Corrected {
                span: Some(early),
                ..graduated
            })
            .is_ok()
        );
    }

    #[test]
    fn moving_out_before_moving_in_is_rejected() {
        assert_eq!(
            Span::new(day("2024-05-01"), Some(day("2024-04-30")))
                .unwrap_err()
                .field,
            "movedOutOn"
        );
        assert!(Span::new(day("2024-05-01"), Some(day("2024-05-01"))).is_err());
    }

    #[test]
    fn a_carrier_is_overbooked_on_the_first_day_its_leases_exceed_its_phases() {
        let leases = [
            Lease {
                span: span("2023-01-01", Some("2023-07-01")),
                area_m2: 600.0,
            },
            Lease {
                span: span("2023-03-01", None),
                area_m2: 300.0,
            },
        ];
        let phases = [(day("2022-01-01"), 500.0), (day("2023-02-01"), 400.0)];
        // 600 m² leased on 2023-01-01 with 500 delivered.
        let over = first_overbooked_day(&leases, &phases).expect("overbooked");
        assert_eq!(
            (over.date, over.leased_m2, over.leasable_m2),
            (day("2023-01-01"), 600.0, 500.0)
        );
        let phases = [(day("2022-01-01"), 600.0), (day("2023-02-01"), 300.0)];
        assert_eq!(first_overbooked_day(&leases, &phases), None);
        // The second phase voided: 900 m² leased on 2023-03-01 with 600.
        let over = first_overbooked_day(&leases, &phases[..1]).expect("overbooked");
        assert_eq!(over.date, day("2023-03-01"));
    }

    #[test]
    fn a_span_ends_the_day_before_moving_out() {
        let lease = span("2024-01-01", Some("2024-07-01"));
        assert!(lease.in_force_on(day("2024-06-30")));
        assert!(!lease.in_force_on(day("2024-07-01")));
        assert!(!lease.in_force_on(day("2023-12-31")));
    }

    #[test]
    fn spans_that_touch_do_not_overlap() {
        let first = span("2024-01-01", Some("2024-07-01"));
        assert!(!first.overlaps(&span("2024-07-01", None)));
        assert!(first.overlaps(&span("2024-06-30", None)));
        assert!(span("2020-01-01", None).overlaps(&span("2030-01-01", None)));
    }

    #[test]
    fn leasing_more_than_delivered_is_caught_on_the_day_it_happens() {
        let phases = [(day("2023-01-01"), 1000.0), (day("2025-01-01"), 500.0)];
        let others = [Lease {
            span: span("2024-01-01", None),
            area_m2: 600.0,
        }];
        let fits = Lease {
            span: span("2024-02-01", None),
            area_m2: 400.0,
        };
        assert_eq!(first_overbooking(&others, fits, &phases), None);
        let too_big = Lease {
            span: span("2024-02-01", None),
            area_m2: 401.0,
        };
        let breach = first_overbooking(&others, too_big, &phases).unwrap();
        assert_eq!(breach.date, day("2024-02-01"));
        assert_eq!(breach.leasable_m2, 1000.0);
        // Before the space exists, nothing can be leased.
        let early = Lease {
            span: span("2022-06-01", None),
            area_m2: 10.0,
        };
        assert!(first_overbooking(&[], early, &phases).is_some());
        // A lease starting later inside the candidate's span counts too.
        let later = [Lease {
            span: span("2024-06-01", None),
            area_m2: 900.0,
        }];
        let candidate = Lease {
            span: span("2024-01-01", None),
            area_m2: 200.0,
        };
        assert_eq!(
            first_overbooking(&later, candidate, &phases).unwrap().date,
            day("2024-06-01")
        );
    }

    #[test]
    fn status_follows_the_dates() {
        let lease = span("2022-01-01", Some("2025-01-01"));
        assert_eq!(status_on(lease, None, day("2021-12-31")), None);
        assert_eq!(
            status_on(lease, None, day("2023-01-01")),
            Some(TenancyStatus::Incubating)
        );
        assert_eq!(
            status_on(lease, None, day("2025-01-01")),
            Some(TenancyStatus::Left)
        );
        assert_eq!(
            status_on(lease, Some(day("2024-06-01")), day("2024-06-01")),
            Some(TenancyStatus::Graduated)
        );
    }

    #[test]
    fn only_incubators_set_clocks_and_three_industries_get_sixty_months() {
        let rules = |kind, industry| clock_rules(kind, industry).incubation_limit_months;
        assert_eq!(rules(CarrierKind::Incubator, None), Some(48));
        assert_eq!(rules(CarrierKind::Incubator, Some(Industry::Iot)), Some(48));
        for long in [
            Industry::Biomedicine,
            Industry::IntegratedCircuits,
            Industry::ModernAgriculture,
        ] {
            assert_eq!(
                rules(CarrierKind::Incubator, Some(long)),
                Some(60),
                "{long}"
            );
        }
        for kind in [
            CarrierKind::Makerspace,
            CarrierKind::Accelerator,
            CarrierKind::ScienceComplex,
        ] {
            assert_eq!(
                clock_rules(kind, Some(Industry::Iot)).incubation_limit_months,
                None
            );
            assert_eq!(clock_rules(kind, None).entry_window_months, None);
        }
    }

    #[test]
    fn a_makerspace_team_is_never_overdue_nor_late() {
        let makerspace = clock_rules(CarrierKind::Makerspace, None);
        let clocks = clocks(
            makerspace,
            day("2015-01-01"),
            day("2020-01-01"),
            TenancyStatus::Incubating,
            None,
            day("2024-08-01"),
            vec![],
        );
        assert_eq!(clocks.months_incubated, 55);
        assert!(!clocks.overdue && !clocks.entered_late);
    }

    #[test]
    fn a_biomedicine_tenant_is_overdue_after_sixty_months_not_forty_eight() {
        let rules = clock_rules(CarrierKind::Incubator, Some(Industry::Biomedicine));
        let at = |on: &str| {
            clocks(
                rules,
                day("2019-06-01"),
                day("2020-01-01"),
                TenancyStatus::Incubating,
                None,
                day(on),
                vec![],
            )
            .overdue
        };
        assert!(!at("2024-08-01"));
        assert!(!at("2025-01-01"));
        assert!(at("2025-01-02"));
    }

    #[test]
    fn a_late_entry_and_an_overlong_incubation_are_flagged() {
        const INCUBATOR: ClockRules = ClockRules {
            entry_window_months: Some(ENTRY_WINDOW_MONTHS),
            incubation_limit_months: Some(MAX_INCUBATION_MONTHS),
        };
        let on_time = clocks(
            INCUBATOR,
            day("2020-01-01"),
            day("2021-12-31"),
            TenancyStatus::Incubating,
            None,
            day("2022-01-01"),
            vec![],
        );
        assert!(!on_time.entered_late);
        let late = clocks(
            INCUBATOR,
            day("2020-01-01"),
            day("2022-01-02"),
            TenancyStatus::Incubating,
            None,
            day("2022-02-01"),
            vec![],
        );
        assert!(late.entered_late);
        let at_48 = clocks(
            INCUBATOR,
            day("2019-01-01"),
            day("2020-01-01"),
            TenancyStatus::Incubating,
            None,
            day("2024-01-01"),
            vec![],
        );
        assert_eq!(at_48.months_incubated, 48);
        assert!(!at_48.overdue);
        let past_48 = clocks(
            INCUBATOR,
            day("2019-01-01"),
            day("2020-01-01"),
            TenancyStatus::Incubating,
            None,
            day("2024-01-02"),
            vec![],
        );
        assert!(past_48.overdue);
        let graduated = clocks(
            INCUBATOR,
            day("2019-01-01"),
            day("2020-01-01"),
            TenancyStatus::Graduated,
            Some(day("2023-01-01")),
            day("2025-01-01"),
            vec![GraduationRoute::FinancingRaised],
        );
        assert!(!graduated.overdue && graduated.graduation_due.is_empty());
        assert_eq!(graduated.months_incubated, 36);
    }

    #[test]
    fn whole_months_count_calendar_months() {
        // A month from the 31st of January ends on the last day of February.
        assert_eq!(whole_months(day("2024-01-31"), day("2024-02-28")), 0);
        assert_eq!(whole_months(day("2024-01-31"), day("2024-02-29")), 1);
        assert_eq!(whole_months(day("2024-01-15"), day("2024-03-15")), 2);
        assert_eq!(whole_months(day("2024-03-15"), day("2024-01-15")), 0);
    }
}
