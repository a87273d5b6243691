//! 租赁合同与租金: a tenancy's leases (contracts), their terms, and the rent
//! they charge in a month.
//!
//! A lease's term is inclusive at both ends, as Chinese contracts write it
//! (2025-01-01至2027-12-31: the last day is let). Rent is quoted in
//! 元/㎡·天 and kept exactly, in ten-thousandths of a yuan; the incubation
//! discount (孵化优惠) is a percentage kept in hundredths of a percent.
//!
//! A month's rent of one lease ([`month_rent`]) is
//! `area × rate × chargeable days × (1 − discount)`, computed exactly in
//! integers and rounded once, half up, to the fen. Chargeable days are the
//! days of the month within the term, less those within the rent-free
//! period (免租期: whole months from the term's start).

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::ValidationError;
use super::access::Role;
use super::message::zh_date;
use super::money::Fen;
use super::tenancy::Span;

/// Rent in 元/㎡·天, exact: ten-thousandths of a yuan per m² per day
/// (1.35 元/㎡·天 is 13,500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RentRate(pub i64);

/// Highest rate accepted, 元/㎡·天: Wuxi's parks quote 0.5 to 5; 100 is a typo.
const MAX_RATE_YUAN: i64 = 100;

impl RentRate {
    /// Parses a positive rate in 元/㎡·天 with at most four decimals, e.g. `"1.35"`.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new(
                field,
                format!(
                    "'{text}' is not a rent in yuan per m² per day like 1.35 (more than 0, at most {MAX_RATE_YUAN}, at most four decimals)"
                ),
                format!(
                    "“{text}”不是有效的租金单价（元/㎡·天），应形如 1.35（大于 0、不超过 {MAX_RATE_YUAN}、最多四位小数）"
                ),
            )
        };
        match parse_scaled(text, 4) {
            Some(rate) if rate > 0 && rate <= MAX_RATE_YUAN * 10_000 => Ok(Self(rate)),
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for RentRate {
    /// As 元/㎡·天 with two to four decimals, e.g. `1.20`, `0.8525`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&scaled_text(self.0, 4, 2))
    }
}

/// 孵化优惠: a discount off the rent, as a percentage from 0 to 100, exact:
/// hundredths of a percent (12.5% is 1,250).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Discount(pub i64);

impl Discount {
    /// No discount.
    pub const NONE: Self = Self(0);

    /// Parses a percentage from 0 to 100 with at most two decimals, e.g. `"20"` or `"12.5"`.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        match parse_scaled(text, 2) {
            Some(share) if share <= 10_000 => Ok(Self(share)),
            _ => Err(ValidationError::new(
                field,
                format!(
                    "'{text}' is not a discount percentage from 0 to 100 like 20 or 12.5 (at most two decimals)"
                ),
                format!(
                    "“{text}”不是有效的优惠比例，应为 0 至 100 之间的百分数，如 20 或 12.5（最多两位小数）"
                ),
            )),
        }
    }
}

impl fmt::Display for Discount {
    /// As a percentage with two decimals, e.g. `12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&scaled_text(self.0, 2, 2))
    }
}

/// A non-negative decimal `text` with at most `decimals` decimals, in units
/// of 10^-decimals; `None` if it is not one.
fn parse_scaled(text: &str, decimals: usize) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 12
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > decimals
        || (text.contains('.') && fraction.is_empty())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<decimals$}").parse().ok()?;
    Some(whole * 10i64.pow(decimals as u32) + fraction)
}

/// `value` in units of 10^-decimals as a decimal string with at least `shown` decimals.
fn scaled_text(value: i64, decimals: u32, shown: usize) -> String {
    let scale = 10i64.pow(decimals);
    let fraction = format!("{:0width$}", value % scale, width = decimals as usize);
    let trimmed = fraction.trim_end_matches('0');
    let fraction = &fraction[..trimmed.len().max(shown)];
    format!("{}.{fraction}", value / scale)
}

/// 租期: a lease's term, from `starts_on` to `ends_on`, both days let.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub starts_on: NaiveDate,
    /// The last day let (inclusive).
    pub ends_on: NaiveDate,
}

impl Term {
    /// A term that ends on or after it starts.
    pub fn new(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<Self, ValidationError> {
        super::dates::check_plausible("startsOn", starts_on)?;
        super::dates::check_plausible("endsOn", ends_on)?;
        if ends_on < starts_on {
            return Err(ValidationError::new(
                "endsOn",
                format!(
                    "the term's last day, {ends_on}, must not come before its first, {starts_on}"
                ),
                format!(
                    "租期截止日（{}）不能早于起始日（{}）",
                    zh_date(ends_on),
                    zh_date(starts_on)
                ),
            ));
        }
        Ok(Self { starts_on, ends_on })
    }

    pub fn overlaps(&self, other: &Term) -> bool {
        self.starts_on <= other.ends_on && other.starts_on <= self.ends_on
    }

    /// Days of the term from `from` to `to`, both inclusive.
    fn days_within(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let first = self.starts_on.max(from);
        let last = self.ends_on.min(to);
        if last < first {
            0
        } else {
            (last - first).num_days() + 1
        }
    }
}

/// BAD_USER_INPUT unless `term` lies within the tenancy's dates `tenancy`
/// (whose move-out, if any, is the first day no longer leased).
pub fn check_within_tenancy(term: Term, tenancy: Span) -> Result<(), ValidationError> {
    let before = term.starts_on < tenancy.moved_in;
    let after = tenancy.moved_out.is_some_and(|out| term.ends_on >= out);
    if !before && !after {
        return Ok(());
    }
    let (until_en, until_zh) = match tenancy.moved_out {
        Some(out) => (
            format!("moving out on {out}, so the last day leased is the day before"),
            format!("{}迁出，租期须在此日之前结束", zh_date(out)),
        ),
        None => ("no move-out yet".to_owned(), "尚未迁出".to_owned()),
    };
    Err(ValidationError::new(
        if before { "startsOn" } else { "endsOn" },
        format!(
            "the term {} to {} must lie within the tenancy: moved in on {}, {until_en}",
            term.starts_on, term.ends_on, tenancy.moved_in
        ),
        format!(
            "租期（{}至{}）须在入驻期间之内：{}入驻，{until_zh}",
            zh_date(term.starts_on),
            zh_date(term.ends_on),
            zh_date(tenancy.moved_in)
        ),
    ))
}

/// A lease of a tenancy as a change to the tenancy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldLease {
    pub contract_number: String,
    pub term: Term,
}

/// How a tenancy is about to change, for the leases it holds.
#[derive(Debug, Clone, Copy)]
pub enum TenancyChange<'a> {
    /// Its dates become `span`; `out_field` names the input that moves its end.
    Dates { span: Span, out_field: &'a str },
    /// It is voided.
    Void,
}

/// BAD_USER_INPUT when `change` would leave one of the tenancy's
/// (non-voided) `leases` outside it: a lease's term must lie within its
/// tenancy's dates whenever either is written, so a tenancy keeps the leases
/// it holds, and the operator amends or voids a lease before the tenancy.
pub fn check_leases_kept(
    leases: &[HeldLease],
    change: TenancyChange,
) -> Result<(), ValidationError> {
    match change {
        TenancyChange::Void => match leases.first() {
            None => Ok(()),
            Some(lease) => Err(ValidationError::new(
                "id",
                format!(
                    "the tenancy still holds lease '{}' ({} to {}); void the lease first",
                    lease.contract_number, lease.term.starts_on, lease.term.ends_on
                ),
                format!(
                    "该入驻记录尚有租赁合同“{}”（租期{}至{}），请先作废该合同",
                    lease.contract_number,
                    zh_date(lease.term.starts_on),
                    zh_date(lease.term.ends_on)
                ),
            )),
        },
        TenancyChange::Dates { span, out_field } => {
            for lease in leases {
                if let Err(refused) = check_within_tenancy(lease.term, span) {
                    let field = if refused.field == "startsOn" {
                        "movedInOn"
                    } else {
                        out_field
                    };
                    return Err(ValidationError::new(
                        field,
                        format!(
                            "lease '{}' would fall outside the tenancy ({}); amend or void the lease first",
                            lease.contract_number, refused.message
                        ),
                        format!(
                            "租赁合同“{}”将超出入驻期间（{}），请先更正或作废该合同",
                            lease.contract_number, refused.message_zh
                        ),
                    ));
                }
            }
            Ok(())
        }
    }
}

/// The first of `others` (terms of the tenancy's other leases) that `term` overlaps.
pub fn first_overlap(others: &[Term], term: Term) -> Option<Term> {
    others.iter().copied().find(|other| other.overlaps(&term))
}

/// Most rent-free months accepted: ten years.
pub const MAX_RENT_FREE_MONTHS: i32 = 120;

/// 免租期: whole months from the term's start, 0 to [`MAX_RENT_FREE_MONTHS`].
pub fn check_rent_free_months(field: &str, months: i32) -> Result<u32, ValidationError> {
    u32::try_from(months)
        .ok()
        .filter(|&m| m <= MAX_RENT_FREE_MONTHS as u32)
        .ok_or_else(|| {
            ValidationError::new(
                field,
                format!("rent-free months must be a whole number from 0 to {MAX_RENT_FREE_MONTHS}, got {months}"),
                format!("免租期应为 0 至 {MAX_RENT_FREE_MONTHS} 之间的整月数，填写的是 {months}"),
            )
        })
}

/// A calendar month, e.g. 2026-03.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(field: &str, text: &str) -> Result<Self, ValidationError> {
        let first = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d")
            .ok()
            .filter(|_| text.trim().len() == 7)
            .ok_or_else(|| {
                ValidationError::new(
                    field,
                    format!("'{text}' is not a month like 2026-03 (YYYY-MM)"),
                    format!("“{text}”不是有效的月份，应形如 2026-03（年-月）"),
                )
            })?;
        super::dates::check_plausible(field, first)?;
        Ok(Self::of(first))
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Self {
        let first = date.with_day(1).expect("every month has a first day");
        let last = first + Months::new(1) - Days::new(1);
        Self { first, last }
    }

    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// What a lease charges: the terms the rent roll reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RentTerms {
    pub term: Term,
    /// Leased area in hundredths of a m² (areas are kept to 0.01 m²).
    pub area_centi_m2: i64,
    pub rate: RentRate,
    pub rent_free_months: u32,
    pub discount: Discount,
}

/// Leased area `square_metres` (kept to 0.01 m²) in hundredths of a m².
pub fn centi_m2(square_metres: f64) -> i64 {
    (square_metres * 100.0).round() as i64
}

/// One lease's rent in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRent {
    /// Days of the month within the term.
    pub days_in_force: i64,
    /// Of those, the days within the rent-free period.
    pub rent_free_days: i64,
    /// `days_in_force - rent_free_days`.
    pub chargeable_days: i64,
    /// area × rate × chargeable days × (1 − discount), rounded half up to the fen.
    pub amount: Fen,
}

/// The first day after the rent-free period of a term starting `starts_on`.
pub fn rent_free_until(starts_on: NaiveDate, months: u32) -> NaiveDate {
    starts_on
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// What `terms` charge in `month`; `None` when the lease is not in force on
/// any day of it.
pub fn month_rent(terms: &RentTerms, month: Month) -> Option<MonthRent> {
    let days_in_force = terms.term.days_within(month.first, month.last);
    if days_in_force == 0 {
        return None;
    }
    let free_until = rent_free_until(terms.term.starts_on, terms.rent_free_months);
    let rent_free_days = match free_until.pred_opt() {
        Some(last_free) if terms.rent_free_months > 0 => Term {
            starts_on: terms.term.starts_on,
            ends_on: last_free.min(terms.term.ends_on),
        }
        .days_within(month.first, month.last),
        _ => 0,
    };
    let chargeable_days = days_in_force - rent_free_days;
    Some(MonthRent {
        days_in_force,
        rent_free_days,
        chargeable_days,
        amount: rent_amount(
            terms.area_centi_m2,
            terms.rate,
            chargeable_days,
            terms.discount,
        ),
    })
}

/// area (0.01 m²) × rate (0.0001 元) × days × (1 − discount (0.01%)), exact,
/// rounded once, half up, to the fen.
pub fn rent_amount(area_centi_m2: i64, rate: RentRate, days: i64, discount: Discount) -> Fen {
    // Units: 0.01 m² × 0.0001 元 × 0.0001 = 10^-10 元 = 10^-8 fen.
    let exact = i128::from(area_centi_m2)
        * i128::from(rate.0)
        * i128::from(days)
        * i128::from(10_000 - discount.0);
    const PER_FEN: i128 = 100_000_000;
    let fen = (exact + PER_FEN / 2).div_euclid(PER_FEN);
    Fen(i64::try_from(fen).unwrap_or(i64::MAX))
}

/// Longest window `leasesExpiring` looks ahead, days.
pub const MAX_EXPIRY_WINDOW_DAYS: i32 = 3660;

/// The last day of a window of `within_days` from `as_of`: leases whose last
/// day falls from `as_of` to it (both inclusive) expire within the window.
pub fn expiry_window(as_of: NaiveDate, within_days: i32) -> Result<NaiveDate, ValidationError> {
    u64::try_from(within_days)
        .ok()
        .filter(|&days| days <= MAX_EXPIRY_WINDOW_DAYS as u64)
        .and_then(|days| as_of.checked_add_days(Days::new(days)))
        .ok_or_else(|| {
            ValidationError::new(
                "withinDays",
                format!(
                    "the window must be from 0 to {MAX_EXPIRY_WINDOW_DAYS} days, got {within_days}"
                ),
                format!("到期窗口应为 0 至 {MAX_EXPIRY_WINDOW_DAYS} 天，填写的是 {within_days}"),
            )
        })
}

/// Whose leases a caller of `role` (of operator `operator_id`) lists as
/// expiring: `Some(None)` every carrier's (ADMIN), `Some(Some(id))` its own
/// operator's carriers' (OPERATOR); `None`: refused (BUREAU, VIEWER), since
/// the list is the lease manager's working list, and its rents are not theirs.
pub fn expiring_scope(role: Role, operator_id: Option<i32>) -> Option<Option<i32>> {
    match (role, operator_id) {
        (Role::Admin, _) => Some(None),
        (Role::Operator, Some(operator)) => Some(Some(operator)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn terms(from: &str, to: &str, area: f64, rate: &str, free: u32, discount: &str) -> RentTerms {
        RentTerms {
            term: Term::new(day(from), day(to)).unwrap(),
            area_centi_m2: centi_m2(area),
            rate: RentRate::parse("rate", rate).unwrap(),
            rent_free_months: free,
            discount: Discount::parse("discount", discount).unwrap(),
        }
    }

    #[test]
    fn rates_and_discounts_are_kept_exactly() {
        assert_eq!(RentRate::parse("r", "1.35").unwrap(), RentRate(13_500));
        assert_eq!(RentRate::parse("r", "0.85").unwrap().to_string(), "0.85");
        assert_eq!(RentRate::parse("r", "1.2").unwrap().to_string(), "1.20");
        assert_eq!(RentRate::parse("r", "2").unwrap().to_string(), "2.00");
        assert_eq!(
            RentRate::parse("r", "0.8525").unwrap().to_string(),
            "0.8525"
        );
        for bad in ["0", "-1", "1.23456", "abc", "", "101", "1e3", "1."] {
            assert!(RentRate::parse("r", bad).is_err(), "{bad}");
        }
        assert_eq!(Discount::parse("d", "12.5").unwrap(), Discount(1_250));
        assert_eq!(Discount::parse("d", "100").unwrap().to_string(), "100.00");
        assert_eq!(Discount::parse("d", "0").unwrap(), Discount::NONE);
        for bad in ["100.01", "-5", "1.234", "x"] {
            assert!(Discount::parse("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_term_includes_its_last_day() {
        assert!(Term::new(day("2025-01-01"), day("2024-12-31")).is_err());
        let one_day = Term::new(day("2025-01-01"), day("2025-01-01")).unwrap();
        assert_eq!(one_day.days_within(day("2025-01-01"), day("2025-01-31")), 1);
        let first = Term::new(day("2025-01-01"), day("2027-12-31")).unwrap();
        let renewal = Term::new(day("2028-01-01"), day("2030-12-31")).unwrap();
        assert!(!first.overlaps(&renewal));
        let early = Term::new(day("2027-12-31"), day("2030-12-31")).unwrap();
        assert!(first.overlaps(&early));
        assert_eq!(first_overlap(&[renewal, first], early), Some(renewal));
    }

    #[test]
    fn a_term_lies_within_its_tenancy() {
        let tenancy = Span::new(day("2025-01-01"), Some(day("2028-01-01"))).unwrap();
        let term = Term::new(day("2025-01-01"), day("2027-12-31")).unwrap();
        assert!(check_within_tenancy(term, tenancy).is_ok());
        let late = Term::new(day("2025-01-01"), day("2028-01-01")).unwrap();
        let refused = check_within_tenancy(late, tenancy).unwrap_err();
        assert_eq!(refused.field, "endsOn");
        assert!(refused.message_zh.contains("2028年1月1日"), "{refused:?}");
        let early = Term::new(day("2024-12-31"), day("2025-06-30")).unwrap();
        assert_eq!(
            check_within_tenancy(early, tenancy).unwrap_err().field,
            "startsOn"
        );
        let open = Span::new(day("2025-01-01"), None).unwrap();
        assert!(check_within_tenancy(late, open).is_ok());
    }

    #[test]
    fn a_tenancy_keeps_the_leases_it_holds() {
        let held = [HeldLease {
            contract_number: "HT-1".into(),
            term: Term::new(day("2025-01-01"), day("2025-12-31")).unwrap(),
        }];
        let dates = |from: &str, out: Option<&str>| TenancyChange::Dates {
            span: Span {
                moved_in: day(from),
                moved_out: out.map(day),
            },
            out_field: "movedOutOn",
        };
        assert!(check_leases_kept(&held, dates("2025-01-01", Some("2026-01-01"))).is_ok());
        let early_out =
            check_leases_kept(&held, dates("2025-01-01", Some("2025-12-31"))).unwrap_err();
        assert_eq!(early_out.field, "movedOutOn");
        assert!(early_out.message.contains("HT-1"), "{}", early_out.message);
        let late_in = check_leases_kept(&held, dates("2025-02-01", None)).unwrap_err();
        assert_eq!(late_in.field, "movedInOn");
        assert!(late_in.message_zh.contains("HT-1"));
        assert!(check_leases_kept(&held, TenancyChange::Void).is_err());
        assert!(check_leases_kept(&[], TenancyChange::Void).is_ok());
    }

    #[test]
    fn a_full_month_charges_every_day() {
        // 100 m² × 1.35 × 31 days = 4,185.00 元.
        let lease = terms("2025-01-01", "2027-12-31", 100.0, "1.35", 0, "0");
        let march = Month::parse("m", "2025-03").unwrap();
        let rent = month_rent(&lease, march).unwrap();
        assert_eq!((rent.days_in_force, rent.rent_free_days), (31, 0));
        assert_eq!(rent.amount, Fen(418_500));
        let february = Month::parse("m", "2024-02").unwrap();
        assert_eq!(february.days(), 29);
        assert_eq!(month_rent(&lease, february), None);
    }

    #[test]
    fn rent_free_months_run_from_the_terms_start() {
        // Starts on 15 January with 2 months free: free until 14 March.
        let lease = terms("2025-01-15", "2026-01-14", 50.0, "2", 2, "0");
        let in_month = |m: &str| month_rent(&lease, Month::parse("m", m).unwrap()).unwrap();
        let january = in_month("2025-01");
        assert_eq!((january.days_in_force, january.rent_free_days), (17, 17));
        assert_eq!(january.amount, Fen(0));
        let march = in_month("2025-03");
        assert_eq!((march.days_in_force, march.rent_free_days), (31, 14));
        // 50 × 2 × 17 = 1,700 元.
        assert_eq!(march.amount, Fen(170_000));
        let last = in_month("2026-01");
        assert_eq!((last.days_in_force, last.rent_free_days), (14, 0));
        // A rent-free period longer than the term frees every day of it.
        let all_free = terms("2025-01-01", "2025-03-31", 50.0, "2", 12, "0");
        let march = month_rent(&all_free, Month::parse("m", "2025-03").unwrap()).unwrap();
        assert_eq!((march.rent_free_days, march.chargeable_days), (31, 0));
    }

    #[test]
    fn the_discount_applies_and_the_line_rounds_once_half_up() {
        // 123.45 m² × 0.85 × 30 × 0.8 = 2,518.38 元 exactly.
        let lease = terms("2025-01-01", "2025-12-31", 123.45, "0.85", 0, "20");
        let april = month_rent(&lease, Month::parse("m", "2025-04").unwrap()).unwrap();
        assert_eq!(april.amount, Fen(251_838));
        // 33.33 m² × 1.2345 × 1 day = 41.145885 元 → 41.15 元 (half up at the fen).
        assert_eq!(
            rent_amount(3_333, RentRate(12_345), 1, Discount::NONE),
            Fen(4_115)
        );
        // 0.01 m² × 0.5 × 1 day = 0.005 元 → 0.01 元: half rounds up.
        assert_eq!(rent_amount(1, RentRate(5_000), 1, Discount::NONE), Fen(1));
        assert_eq!(rent_amount(1, RentRate(4_999), 1, Discount::NONE), Fen(0));
        // A full discount charges nothing.
        assert_eq!(
            rent_amount(10_000, RentRate(10_000), 31, Discount(10_000)),
            Fen(0)
        );
    }

    #[test]
    fn months_parse_as_year_and_month() {
        let month = Month::parse("month", "2026-02").unwrap();
        assert_eq!(
            (month.first, month.last),
            (day("2026-02-01"), day("2026-02-28"))
        );
        assert_eq!(month.to_string(), "2026-02");
        for bad in ["2026-13", "2026-2", "2026/02", "", "2026-02-01"] {
            assert!(Month::parse("month", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_expiry_window_is_bounded() {
        assert_eq!(
            expiry_window(day("2026-01-01"), 60).unwrap(),
            day("2026-03-02")
        );
        assert!(expiry_window(day("2026-01-01"), -1).is_err());
        assert!(expiry_window(day("2026-01-01"), MAX_EXPIRY_WINDOW_DAYS + 1).is_err());
        assert_eq!(check_rent_free_months("m", 3).unwrap(), 3);
        assert!(check_rent_free_months("m", -1).is_err());
    }

    #[test]
    fn only_admin_and_operators_list_expiring_leases() {
        assert_eq!(expiring_scope(Role::Admin, None), Some(None));
        assert_eq!(expiring_scope(Role::Operator, Some(4)), Some(Some(4)));
        assert_eq!(expiring_scope(Role::Bureau, None), None);
        assert_eq!(expiring_scope(Role::Viewer, None), None);
    }
}
