//! 企业年报: what a tenant enterprise reports of one calendar year to its
//! carrier for the 火炬统计 survey (revenue, R&D spend, tax, staff, patents,
//! financing), the rules a report must meet, and the carrier's completeness
//! (填报率: what share of its tenants reported).
//!
//! The figures are confidential like revenue: only ADMIN and the enterprise's
//! custodian read them (`access::may_read_enterprise_confidential`).

use chrono::{Datelike, NaiveDate};

use super::ValidationError;
use super::money::Fen;

/// One enterprise's figures of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnnualFigures {
    /// 营业收入.
    pub revenue: Fen,
    /// 研发投入.
    pub rd_spend: Fen,
    /// 上缴税费.
    pub tax: Fen,
    /// 从业人员 at the year's end.
    pub staff: i32,
    /// 研发人员, of `staff`.
    pub rd_staff: i32,
    /// 吸纳应届大学毕业生: graduates of the year hired, of `staff`.
    pub new_graduates: i32,
    /// 当年知识产权授权数: intellectual property granted in the year.
    pub new_patents: i32,
    /// 发明专利授权数, of `new_patents`.
    pub new_invention_patents: i32,
    /// 获得投融资: financing rounds closed in the year.
    pub financing_rounds: i32,
    /// The money those rounds raised.
    pub financing: Fen,
}

impl AnnualFigures {
    /// Checks the figures against each other: parts within their wholes,
    /// financing money only with a round and a round only with money.
    pub fn check(&self) -> Result<(), ValidationError> {
        let counts = [
            ("staff", "从业人员", self.staff),
            ("rdStaff", "研发人员", self.rd_staff),
            ("newGraduates", "吸纳应届毕业生", self.new_graduates),
            ("newPatents", "知识产权授权数", self.new_patents),
            (
                "newInventionPatents",
                "发明专利授权数",
                self.new_invention_patents,
            ),
            ("financingRounds", "投融资轮次", self.financing_rounds),
        ];
        for (field, zh, count) in counts {
            if count < 0 {
                return Err(ValidationError::new(
                    field,
                    format!("{field} cannot be negative ({count})"),
                    format!("{zh}不能为负数（{count}）"),
                ));
            }
        }
        for (field, zh, part, whole_field, whole_zh, whole) in [
            (
                "rdStaff",
                "研发人员",
                self.rd_staff,
                "staff",
                "从业人员",
                self.staff,
            ),
            (
                "newGraduates",
                "吸纳应届毕业生",
                self.new_graduates,
                "staff",
                "从业人员",
                self.staff,
            ),
            (
                "newInventionPatents",
                "发明专利授权数",
                self.new_invention_patents,
                "newPatents",
                "知识产权授权数",
                self.new_patents,
            ),
        ] {
            if part > whole {
                return Err(ValidationError::new(
                    field,
                    format!("{field} ({part}) cannot exceed {whole_field} ({whole})"),
                    format!("{zh}（{part}）不能多于{whole_zh}（{whole}）"),
                ));
            }
        }
        match (self.financing_rounds, self.financing) {
            (0, money) if money != Fen(0) => Err(ValidationError::new(
                "financingRounds",
                format!("{money} CNY of financing needs at least one round"),
                format!("获得投融资 {money} 元，轮次应至少为 1"),
            )),
            (rounds, Fen(0)) if rounds > 0 => Err(ValidationError::new(
                "financing",
                format!("{rounds} financing round(s) need the money they raised"),
                format!("有 {rounds} 轮投融资，请填写融资金额"),
            )),
            _ => Ok(()),
        }
    }
}

/// Checks the year reported: not before the enterprise was founded, and
/// not one still running on `today` (a year is reported once it is over).
pub fn check_year(
    year: i32,
    founded_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    if year < founded_on.year() {
        return Err(ValidationError::new(
            "year",
            format!("{year} is before the enterprise was founded ({founded_on})"),
            format!("{year}年早于企业成立日期（{founded_on}）"),
        ));
    }
    if year >= today.year() {
        return Err(ValidationError::new(
            "year",
            format!("{year} is not over yet; a year is reported after December 31"),
            format!("{year}年尚未结束，年报应在年度结束后填报"),
        ));
    }
    Ok(())
}

/// 填报率: of the tenants a carrier counts for a year, how many reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Completeness {
    pub tenants: i64,
    pub reported: i64,
}

impl Completeness {
    /// The share that reported, in percent to 0.1; 100 when there is no tenant to ask.
    pub fn percent(&self) -> f64 {
        if self.tenants == 0 {
            return 100.0;
        }
        (self.reported as f64 * 1000.0 / self.tenants as f64).round() / 10.0
    }
}

/// The sums of the tenants' reports, as the 火炬统计 form reports a carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TenantTotals {
    /// 在孵企业总收入.
    pub revenue: Fen,
    /// 在孵企业研发投入.
    pub rd_spend: Fen,
    /// 在孵企业从业人员.
    pub staff: i64,
    /// 在孵企业当年知识产权授权数.
    pub new_patents: i64,
    /// Of those, invention patents.
    pub new_invention_patents: i64,
    /// 获得投融资的在孵企业: enterprises with a round in the year.
    pub financed_enterprises: i64,
    /// Their financing in the year.
    pub financing: Fen,
    /// Who reported, of the tenants counted.
    pub completeness: Completeness,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures() -> AnnualFigures {
        AnnualFigures {
            revenue: Fen::yuan(1_000_000),
            rd_spend: Fen::yuan(100_000),
            tax: Fen::yuan(30_000),
            staff: 20,
            rd_staff: 8,
            new_graduates: 3,
            new_patents: 4,
            new_invention_patents: 1,
            financing_rounds: 1,
            financing: Fen::yuan(5_000_000),
        }
    }

    #[test]
    fn consistent_figures_pass() {
        assert_eq!(figures().check(), Ok(()));
        let none = AnnualFigures::default();
        assert_eq!(none.check(), Ok(()));
    }

    #[test]
    fn parts_cannot_exceed_their_whole() {
        let err = AnnualFigures {
            rd_staff: 21,
            ..figures()
        }
        .check()
        .unwrap_err();
        assert_eq!(err.field, "rdStaff");
        let err = AnnualFigures {
            new_invention_patents: 5,
            ..figures()
        }
        .check()
        .unwrap_err();
        assert_eq!(err.field, "newInventionPatents");
    }

    #[test]
    fn financing_money_and_rounds_go_together() {
        let no_round = AnnualFigures {
            financing_rounds: 0,
            ..figures()
        };
        assert_eq!(no_round.check().unwrap_err().field, "financingRounds");
        let no_money = AnnualFigures {
            financing: Fen(0),
            ..figures()
        };
        assert_eq!(no_money.check().unwrap_err().field, "financing");
    }

    #[test]
    fn negative_counts_are_refused() {
        let err = AnnualFigures {
            staff: -1,
            ..figures()
        }
        .check()
        .unwrap_err();
        assert_eq!(err.field, "staff");
    }

    #[test]
    fn a_year_is_reported_once_over_and_not_before_founding() {
        let founded = NaiveDate::from_ymd_opt(2021, 6, 1).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert!(check_year(2025, founded, today).is_ok());
        assert!(check_year(2021, founded, today).is_ok());
        assert_eq!(check_year(2020, founded, today).unwrap_err().field, "year");
        assert_eq!(check_year(2026, founded, today).unwrap_err().field, "year");
    }

    #[test]
    fn completeness_is_a_share_in_percent() {
        let c = Completeness {
            tenants: 3,
            reported: 2,
        };
        assert_eq!(c.percent(), 66.7);
        assert_eq!(Completeness::default().percent(), 100.0);
    }
}
