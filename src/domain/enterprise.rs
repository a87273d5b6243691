//! Enterprises: qualifications and the graduation routes of the 2018 national
//! incubator rules (国科发区〔2018〕300号).

use chrono::{Months, NaiveDate};

use super::ValidationError;
use super::carrier::stored_enum;
use super::message::zh_date;
use super::money::Fen;

stored_enum! {
    /// Enterprise qualifications (资质).
    pub enum QualificationKind {
        TechSme, HighTech, ProvincialSpecialized, LittleGiant, Eaglet, Gazelle, QuasiUnicorn,
    }
}

impl QualificationKind {
    /// The qualification as Chinese documents name it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::TechSme => "科技型中小企业",
            Self::HighTech => "高新技术企业",
            Self::ProvincialSpecialized => "省级专精特新中小企业",
            Self::LittleGiant => "专精特新“小巨人”企业",
            Self::Eaglet => "雏鹰企业",
            Self::Gazelle => "瞪羚企业",
            Self::QuasiUnicorn => "准独角兽企业",
        }
    }

    /// How long a recognition lasts when its certificate names no end. Every
    /// kind expires:
    /// - 高新技术企业: three years from the certificate (《高新技术企业认定管理办法》,
    ///   国科发火〔2016〕32号, 第十条 "资格自颁发证书之日起有效期为三年").
    /// - 省级专精特新中小企业 and 专精特新"小巨人": three years
    ///   (《优质中小企业梯度培育管理暂行办法》, 工信部企业〔2022〕63号).
    /// - 科技型中小企业: evaluated and entered in the register every year
    ///   (《科技型中小企业评价办法》, 国科发政〔2017〕115号): one year.
    /// - 雏鹰, 瞪羚, 准独角兽: Wuxi's cultivation lists, published each year:
    ///   one year, until the next list (our reading; give `validUntil` where
    ///   a notice says otherwise).
    pub fn default_validity(self) -> Months {
        match self {
            Self::HighTech | Self::ProvincialSpecialized | Self::LittleGiant => Months::new(36),
            Self::TechSme | Self::Eaglet | Self::Gazelle | Self::QuasiUnicorn => Months::new(12),
        }
    }

    /// The last valid day of a qualification from `valid_from`, given or by default.
    pub fn valid_until(
        self,
        valid_from: NaiveDate,
        given: Option<NaiveDate>,
    ) -> Result<Option<NaiveDate>, ValidationError> {
        match given {
            Some(until) if until < valid_from => Err(ValidationError::new(
                "validUntil",
                format!("{until} is before validFrom {valid_from}"),
                format!(
                    "有效期截止日（{}）早于起始日（{}）",
                    zh_date(until),
                    zh_date(valid_from)
                ),
            )),
            Some(until) => Ok(Some(until)),
            None => Ok(valid_from
                .checked_add_months(self.default_validity())
                .and_then(|end| end.pred_opt())),
        }
    }
}

/// One qualification as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub kind: QualificationKind,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// Whether any of `held` makes the enterprise `kind` on `date`.
pub fn holds(held: &[Held], kind: QualificationKind, date: NaiveDate) -> bool {
    held.iter().any(|q| {
        q.kind == kind && q.valid_from <= date && q.valid_until.is_none_or(|until| date <= until)
    })
}

stored_enum! {
    /// The four routes by which a tenant graduates (毕业).
    pub enum GraduationRoute {
        /// Recognised as a high-tech enterprise.
        HighTechRecognised,
        /// Raised at least 5,000,000 CNY.
        FinancingRaised,
        /// At least 10,000,000 CNY revenue over two consecutive years.
        RevenueTwoYears,
        /// Merged, acquired or listed.
        MergedAcquiredOrListed,
    }
}

/// Financing that graduates a tenant.
pub const GRADUATION_FINANCING: Fen = Fen::yuan(5_000_000);
/// Revenue over two consecutive years that graduates a tenant.
pub const GRADUATION_REVENUE_TWO_YEARS: Fen = Fen::yuan(10_000_000);

/// What is known of an enterprise for its graduation routes.
#[derive(Debug, Clone, Default)]
pub struct GraduationFacts {
    pub qualifications: Vec<Held>,
    pub financing_raised: Option<Fen>,
    /// Revenue by calendar year.
    pub revenue: Vec<(i32, Fen)>,
    pub exited_on: Option<NaiveDate>,
}

/// The graduation routes an enterprise meets on `as_of`.
pub fn routes_met(facts: &GraduationFacts, as_of: NaiveDate) -> Vec<GraduationRoute> {
    use chrono::Datelike;
    let mut routes = Vec::new();
    if holds(&facts.qualifications, QualificationKind::HighTech, as_of) {
        routes.push(GraduationRoute::HighTechRecognised);
    }
    if facts
        .financing_raised
        .is_some_and(|raised| raised >= GRADUATION_FINANCING)
    {
        routes.push(GraduationRoute::FinancingRaised);
    }
    let closed_years: Vec<_> = facts
        .revenue
        .iter()
        .filter(|(year, _)| *year < as_of.year())
        .collect();
    let two_years = closed_years.iter().any(|(year, revenue)| {
        closed_years
            .iter()
            .find(|(next, _)| *next == year + 1)
            .is_some_and(|(_, next)| Fen(revenue.0 + next.0) >= GRADUATION_REVENUE_TWO_YEARS)
    });
    if two_years {
        routes.push(GraduationRoute::RevenueTwoYears);
    }
    if facts.exited_on.is_some_and(|exited| exited <= as_of) {
        routes.push(GraduationRoute::MergedAcquiredOrListed);
    }
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_high_tech_recognition_lasts_three_years_by_default() {
        let until = QualificationKind::HighTech
            .valid_until(day("2023-11-01"), None)
            .unwrap();
        assert_eq!(until, Some(day("2026-10-31")));
        let held = [Held {
            kind: QualificationKind::HighTech,
            valid_from: day("2023-11-01"),
            valid_until: until,
        }];
        assert!(!holds(
            &held,
            QualificationKind::HighTech,
            day("2023-10-31")
        ));
        assert!(holds(&held, QualificationKind::HighTech, day("2026-10-31")));
        assert!(!holds(
            &held,
            QualificationKind::HighTech,
            day("2026-11-01")
        ));
        assert!(!holds(&held, QualificationKind::Gazelle, day("2024-01-01")));
    }

    #[test]
    fn an_end_before_the_start_is_rejected() {
        assert!(
            QualificationKind::Gazelle
                .valid_until(day("2024-01-01"), Some(day("2023-01-01")))
                .is_err()
        );
    }

    #[test]
    fn financing_graduates_from_five_million() {
        let mut facts = GraduationFacts {
            financing_raised: Some(Fen::yuan(4_999_999)),
            ..Default::default()
        };
        assert!(routes_met(&facts, day("2025-01-01")).is_empty());
        facts.financing_raised = Some(GRADUATION_FINANCING);
        assert_eq!(
            routes_met(&facts, day("2025-01-01")),
            [GraduationRoute::FinancingRaised]
        );
    }

    #[test]
    fn revenue_counts_over_two_consecutive_closed_years() {
        let facts = GraduationFacts {
            revenue: vec![
                (2022, Fen::yuan(4_000_000)),
                (2023, Fen::yuan(6_000_000)),
                (2025, Fen::yuan(9_000_000)),
            ],
            ..Default::default()
        };
        assert_eq!(
            routes_met(&facts, day("2024-06-01")),
            [GraduationRoute::RevenueTwoYears]
        );
        // 2023 is not closed on 2023-06-01.
        assert!(routes_met(&facts, day("2023-06-01")).is_empty());
        let gap = GraduationFacts {
            revenue: vec![(2021, Fen::yuan(6_000_000)), (2023, Fen::yuan(6_000_000))],
            ..Default::default()
        };
        assert!(routes_met(&gap, day("2025-01-01")).is_empty());
    }

    #[test]
    fn an_exit_counts_from_its_date() {
        let facts = GraduationFacts {
            exited_on: Some(day("2024-03-01")),
            ..Default::default()
        };
        assert!(routes_met(&facts, day("2024-02-29")).is_empty());
        assert_eq!(
            routes_met(&facts, day("2024-03-01")),
            [GraduationRoute::MergedAcquiredOrListed]
        );
    }
}
