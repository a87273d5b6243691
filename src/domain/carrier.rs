//! The vocabulary of carriers (the glossary of docs/design.md) and the rules on a carrier's own fields.
//!
//! Every enumeration is stored by its SCREAMING_SNAKE_CASE name, the same
//! name the GraphQL API shows.

use chrono::NaiveDate;

use super::ValidationError;
use super::message::zh_date;

/// Derives shared by every stored enumeration.
macro_rules! stored_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::AsRefStr, strum::Display, strum::EnumIter, strum::EnumString)]
        #[strum(serialize_all = "SCREAMING_SNAKE_CASE", ascii_case_insensitive)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
    };
}
pub(crate) use stored_enum;

stored_enum! {
    /// 载体类型: the chain 众创空间—孵化器—加速器—科创综合体.
    pub enum CarrierKind { Makerspace, Incubator, Accelerator, ScienceComplex }
}

stored_enum! {
    /// Where a carrier is in its life.
    pub enum CarrierStatus { Planned, UnderConstruction, Operating, Suspended, Closed }
}

stored_enum! {
    /// 级别, ordered from none to national.
    pub enum Level { None, District, City, Provincial, National }
}

stored_enum! {
    /// Who owns an operator.
    pub enum Ownership { CityStateOwned, DistrictStateOwned, Private, UniversityOrInstitute, Other }
}

stored_enum! {
    /// Where a space phase's floor area came from.
    pub enum SpaceSource { NewBuild, IdleFactoryRenovation, IndustrialHighRise, UrbanRenewal, Other }
}

stored_enum! {
    /// The kind of an administrative unit.
    pub enum DistrictKind { District, CountyLevelCity, DevelopmentZone }
}

stored_enum! {
    /// Which group of Wuxi's industries a cluster belongs to: the three
    /// groups of the "465" clusters, and the industries outside them that the
    /// rules name.
    pub enum IndustryGroup { Landmark, Advantage, Future, Other }
}

stored_enum! {
    /// Industries: the "465" clusters (4 landmark, 6 advantage, 5 future),
    /// the future industries the 2024 action plan adds (合成生物), and
    /// modern agriculture, which the national incubator rules give a longer
    /// incubation.
    pub enum Industry {
        Iot, IntegratedCircuits, Biomedicine, SoftwareIt,
        HighEndEquipment, HighEndTextiles, EnergySavingEnv, NewMaterials, NewEnergy, Automotive,
        AiMetaverse, Quantum, ThirdGenSemiconductors, HydrogenStorage, DeepSeaEquipment,
        SyntheticBiology, ModernAgriculture,
    }
}

impl Industry {
    pub fn group(self) -> IndustryGroup {
        use Industry::*;
        match self {
            Iot | IntegratedCircuits | Biomedicine | SoftwareIt => IndustryGroup::Landmark,
            HighEndEquipment | HighEndTextiles | EnergySavingEnv | NewMaterials | NewEnergy
            | Automotive => IndustryGroup::Advantage,
            // 行动方案 二(二)5: "人工智能、量子科技、第三代半导体、合成生物等我市未来产业领域".
            AiMetaverse
            | Quantum
            | ThirdGenSemiconductors
            | HydrogenStorage
            | DeepSeaEquipment
            | SyntheticBiology => IndustryGroup::Future,
            ModernAgriculture => IndustryGroup::Other,
        }
    }

    /// Reads an industry as people write it: its code (`BIOMEDICINE`, any
    /// case), its Chinese name (生物医药) or a common short form (人工智能,
    /// 新材料, 汽车零部件, 氢能, 储能 …). Spaces around are forgiven.
    pub fn from_label(text: &str) -> Option<Self> {
        use std::str::FromStr;
        let text = text.trim();
        if let Ok(industry) = Self::from_str(text) {
            return Some(industry);
        }
        <Self as strum::IntoEnumIterator>::iter().find(|industry| {
            industry.name_zh() == text || industry.short_names_zh().contains(&text)
        })
    }

    /// Short forms in common use besides [`Industry::name_zh`].
    fn short_names_zh(self) -> &'static [&'static str] {
        use Industry::*;
        match self {
            Iot => &["物联网产业"],
            IntegratedCircuits => &["集成电路产业", "芯片"],
            Biomedicine => &["生物医药产业", "医药"],
            SoftwareIt => &[
                "软件",
                "软件和信息技术服务",
                "软件与信息服务",
                "信息技术服务",
            ],
            HighEndEquipment => &["高端装备制造", "装备制造"],
            HighEndTextiles => &["高端纺织", "纺织服装", "时尚纺织"],
            EnergySavingEnv => &["节能环保产业", "环保"],
            NewMaterials => &["新材料"],
            NewEnergy => &["新能源产业"],
            Automotive => &["汽车零部件", "汽车"],
            AiMetaverse => &["人工智能", "元宇宙", "人工智能与元宇宙"],
            Quantum => &["量子", "量子信息"],
            ThirdGenSemiconductors => &["第三代化合物半导体", "化合物半导体"],
            HydrogenStorage => &["氢能", "储能", "氢能储能", "氢能与储能"],
            DeepSeaEquipment => &["深海技术", "海洋装备"],
            SyntheticBiology => &["合成生物学", "生物制造"],
            ModernAgriculture => &["农业", "智慧农业"],
        }
    }

    /// The industry's Chinese name.
    pub fn name_zh(self) -> &'static str {
        use Industry::*;
        match self {
            Iot => "物联网",
            IntegratedCircuits => "集成电路",
            Biomedicine => "生物医药",
            SoftwareIt => "软件与信息技术服务",
            HighEndEquipment => "高端装备",
            HighEndTextiles => "高端纺织服装",
            EnergySavingEnv => "节能环保",
            NewMaterials => "特色新材料",
            NewEnergy => "新能源",
            Automotive => "汽车及零部件",
            AiMetaverse => "人工智能和元宇宙",
            Quantum => "量子科技",
            ThirdGenSemiconductors => "第三代半导体",
            HydrogenStorage => "氢能和储能",
            DeepSeaEquipment => "深海装备",
            SyntheticBiology => "合成生物",
            ModernAgriculture => "现代农业",
        }
    }
}

/// Most workstations one carrier may report: beyond any real makerspace,
/// so a typo of extra zeros is caught.
pub const MAX_WORKSTATIONS: i32 = 100_000;

/// A number of workstations (工位数) given for input field `field`.
pub fn check_workstations(field: &str, count: i32) -> Result<i32, ValidationError> {
    if !(0..=MAX_WORKSTATIONS).contains(&count) {
        return Err(ValidationError::new(
            field,
            format!("workstations must be from 0 to {MAX_WORKSTATIONS}, not {count}"),
            format!("工位数应在 0 至 {MAX_WORKSTATIONS} 之间，填写的是 {count}"),
        ));
    }
    Ok(count)
}

/// Most leading industries a carrier may declare: a carrier that leads in
/// everything leads in nothing.
pub const MAX_LEADING_INDUSTRIES: usize = 5;

/// Only science complexes can be landmark (地标型科创综合体).
pub fn check_landmark(kind: CarrierKind, landmark: bool) -> Result<(), ValidationError> {
    if landmark && kind != CarrierKind::ScienceComplex {
        return Err(ValidationError::new(
            "landmark",
            format!("only a SCIENCE_COMPLEX can be landmark, not a {kind}"),
            format!(
                "只有科创综合体（SCIENCE_COMPLEX）可以认定为地标型，{}（{kind}）不能",
                super::torch::kind_zh(kind)
            ),
        ));
    }
    Ok(())
}

/// De-duplicates leading industries, keeping their order, and bounds their number.
pub fn leading_industries(industries: &[Industry]) -> Result<Vec<Industry>, ValidationError> {
    let mut unique = Vec::with_capacity(industries.len());
    for industry in industries {
        if !unique.contains(industry) {
            unique.push(*industry);
        }
    }
    if unique.len() > MAX_LEADING_INDUSTRIES {
        return Err(ValidationError::new(
            "leadingIndustries",
            format!("at most {MAX_LEADING_INDUSTRIES} leading industries"),
            format!("主导产业最多填写 {MAX_LEADING_INDUSTRIES} 个"),
        ));
    }
    Ok(unique)
}

/// A change of a carrier's status, from the day it took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub effective_on: NaiveDate,
    pub status: CarrierStatus,
}

/// The status a carrier had on `as_of`: that of its latest change on or
/// before the date (changes in any order); `None` before its first change,
/// when zaiti knows of no status at all.
pub fn status_on(changes: &[StatusChange], as_of: NaiveDate) -> Option<CarrierStatus> {
    changes
        .iter()
        .filter(|change| change.effective_on <= as_of)
        .max_by_key(|change| change.effective_on)
        .map(|change| change.status)
}

/// The day a status change takes effect must be plausible, not after
/// `today` (the carrier's status is its status now) and not before the
/// carrier's `latest` change (history is added to, not rewritten).
pub fn check_status_since(
    since: NaiveDate,
    latest: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    const FIELD: &str = "statusSince";
    super::dates::check_plausible(FIELD, since)?;
    if since > today {
        return Err(ValidationError::new(
            FIELD,
            format!("{since} is in the future; record a change on the day it takes effect"),
            format!("{}晚于今天；状态变更请在生效当日登记", zh_date(since)),
        ));
    }
    if let Some(latest) = latest.filter(|latest| since < *latest) {
        return Err(ValidationError::new(
            FIELD,
            format!("{since} is before the carrier's latest status change, on {latest}"),
            format!(
                "{}早于该载体最近一次状态变更的日期（{}）",
                zh_date(since),
                zh_date(latest)
            ),
        ));
    }
    Ok(())
}

/// The day the current status is moved to: as for a new change, after the
/// `previous` change, and not on its day (two changes cannot share a day).
pub fn check_redated_since(
    since: NaiveDate,
    previous: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    check_status_since(since, previous, today)?;
    if previous == Some(since) {
        return Err(ValidationError::new(
            "statusSince",
            format!(
                "{since} is the day of the carrier's previous status change; re-date to a later day"
            ),
            format!(
                "{}是该载体上一次状态变更的日期，请改为其后的日期",
                zh_date(since)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn the_status_on_a_date_is_that_of_the_latest_change_by_then() {
        let changes = [
            StatusChange {
                effective_on: day("2024-03-01"),
                status: CarrierStatus::Suspended,
            },
            StatusChange {
                effective_on: day("2020-05-01"),
                status: CarrierStatus::Operating,
            },
        ];
        assert_eq!(status_on(&changes, day("2020-04-30")), None);
        assert_eq!(
            status_on(&changes, day("2020-05-01")),
            Some(CarrierStatus::Operating)
        );
        assert_eq!(
            status_on(&changes, day("2024-02-29")),
            Some(CarrierStatus::Operating)
        );
        assert_eq!(
            status_on(&changes, day("2024-03-01")),
            Some(CarrierStatus::Suspended)
        );
    }

    #[test]
    fn the_current_status_may_be_redated_to_after_the_previous_change_only() {
        let today = day("2026-11-27");
        let previous = Some(day("2023-05-01"));
        assert!(check_redated_since(day("2023-05-02"), previous, today).is_ok());
        assert!(check_redated_since(day("2019-01-01"), None, today).is_ok());
        for since in [day("2023-05-01"), day("2023-04-30"), day("2026-11-28")] {
            let err = check_redated_since(since, previous, today).expect_err("refused");
            assert_eq!(err.field, "statusSince");
        }
    }

    #[test]
    fn a_status_change_may_not_be_dated_in_the_future_or_before_the_last() {
        let today = day("2026-11-27");
        assert!(check_status_since(today, Some(day("2026-01-01")), today).is_ok());
        assert!(check_status_since(day("2026-01-01"), Some(day("2026-01-01")), today).is_ok());
        for (since, latest) in [
            (day("2026-11-28"), None),
            (day("2025-12-31"), Some(day("2026-01-01"))),
            (day("1979-12-31"), None),
        ] {
            let err = check_status_since(since, latest, today).expect_err("refused");
            assert_eq!(err.field, "statusSince");
        }
    }

    use strum::IntoEnumIterator;

    #[test]
    fn only_a_science_complex_can_be_landmark() {
        assert!(check_landmark(CarrierKind::ScienceComplex, true).is_ok());
        assert_eq!(
            check_landmark(CarrierKind::Incubator, true)
                .unwrap_err()
                .field,
            "landmark"
        );
        assert!(check_landmark(CarrierKind::Incubator, false).is_ok());
    }

    #[test]
    fn the_465_clusters_are_four_six_and_five_and_the_plan_adds_synthetic_biology() {
        let count = |group| Industry::iter().filter(|i| i.group() == group).count();
        assert_eq!(count(IndustryGroup::Landmark), 4);
        assert_eq!(count(IndustryGroup::Advantage), 6);
        assert_eq!(count(IndustryGroup::Future), 5 + 1);
        assert_eq!(Industry::SyntheticBiology.group(), IndustryGroup::Future);
        assert_eq!(count(IndustryGroup::Other), 1);
        // The plan's future industries are all representable.
        let plan = include_str!("../../docs/action-plan-2024.txt");
        for named in ["人工智能", "量子科技", "第三代半导体", "合成生物"] {
            assert!(plan.contains(named));
            assert!(
                Industry::iter()
                    .any(|i| i.group() == IndustryGroup::Future && i.name_zh().starts_with(named)),
                "{named}"
            );
        }
    }

    #[test]
    fn industries_read_by_code_chinese_name_or_short_form() {
        assert_eq!(
            Industry::from_label("生物医药"),
            Some(Industry::Biomedicine)
        );
        assert_eq!(
            Industry::from_label(" biomedicine "),
            Some(Industry::Biomedicine)
        );
        assert_eq!(
            Industry::from_label("人工智能"),
            Some(Industry::AiMetaverse)
        );
        assert_eq!(
            Industry::from_label("合成生物"),
            Some(Industry::SyntheticBiology)
        );
        assert_eq!(Industry::from_label("新材料"), Some(Industry::NewMaterials));
        assert_eq!(Industry::from_label("餐饮"), None);
        // Every Chinese name and short form names one industry only.
        let mut seen = std::collections::HashSet::new();
        for industry in Industry::iter() {
            for label in
                std::iter::once(industry.name_zh()).chain(industry.short_names_zh().iter().copied())
            {
                assert!(seen.insert(label), "{label} twice");
                assert_eq!(Industry::from_label(label), Some(industry));
            }
        }
    }

    #[test]
    fn enumerations_are_stored_by_their_api_names() {
        assert_eq!(CarrierKind::ScienceComplex.as_ref(), "SCIENCE_COMPLEX");
        assert_eq!(
            "IDLE_FACTORY_RENOVATION".parse(),
            Ok(SpaceSource::IdleFactoryRenovation)
        );
        assert_eq!(Industry::AiMetaverse.as_ref(), "AI_METAVERSE");
    }

    #[test]
    fn levels_are_ordered_from_none_to_national() {
        assert!(Level::None < Level::District && Level::City < Level::National);
    }

    #[test]
    fn repeated_industries_are_counted_once() {
        let industries = leading_industries(&[Industry::Iot, Industry::Iot, Industry::Quantum]);
        assert_eq!(industries.unwrap(), vec![Industry::Iot, Industry::Quantum]);
    }

    #[test]
    fn too_many_industries_are_rejected() {
        let all: Vec<_> = Industry::iter().collect();
        assert!(leading_industries(&all).is_err());
    }
}
