//! 房源: buildings, floors and units of a carrier, and the rules on them.
//! A unit is carved out of one delivered space phase, so the units of a
//! phase cannot add up to more than it delivered; a unit is let to one
//! tenancy at a time.

use chrono::NaiveDate;

use super::ValidationError;
use super::carrier::stored_enum;
use super::message::zh_date;
use super::tenancy::Span;

stored_enum! {
    /// 用途: what a unit is for.
    pub enum UnitUse { Office, Lab, Workshop, Shared, Warehouse, Other }
}

stored_enum! {
    /// 房源状态: whether a unit can be let. Being let is not a status: it is
    /// read from the tenancies that name the unit.
    pub enum UnitStatus { Available, UnderRenovation, Withdrawn }
}

impl UnitUse {
    /// A use as a spreadsheet writes it: its code (`OFFICE`) or Chinese name (办公).
    pub fn from_text(text: &str) -> Option<Self> {
        const CHINESE: [(&str, UnitUse); 9] = [
            ("办公", UnitUse::Office),
            ("实验室", UnitUse::Lab),
            ("实验", UnitUse::Lab),
            ("厂房", UnitUse::Workshop),
            ("车间", UnitUse::Workshop),
            ("共享空间", UnitUse::Shared),
            ("共享", UnitUse::Shared),
            ("仓储", UnitUse::Warehouse),
            ("其他", UnitUse::Other),
        ];
        let text = text.trim();
        text.parse().ok().or_else(|| {
            CHINESE
                .iter()
                .find(|(name, _)| *name == text)
                .map(|(_, unit_use)| *unit_use)
        })
    }
}

impl UnitStatus {
    /// A status as a spreadsheet writes it: its code (`AVAILABLE`) or Chinese name (可出租).
    pub fn from_text(text: &str) -> Option<Self> {
        const CHINESE: [(&str, UnitStatus); 3] = [
            ("可出租", UnitStatus::Available),
            ("装修中", UnitStatus::UnderRenovation),
            ("停用", UnitStatus::Withdrawn),
        ];
        let text = text.trim();
        text.parse().ok().or_else(|| {
            CHINESE
                .iter()
                .find(|(name, _)| *name == text)
                .map(|(_, status)| *status)
        })
    }
}

/// Lowest and highest floor numbers accepted (basements are negative; 0 is not a floor).
pub const LOWEST_FLOOR: i32 = -5;
pub const HIGHEST_FLOOR: i32 = 200;

/// A floor number as Chinese buildings count them: no floor 0.
pub fn check_floor(field: &str, floor: i32) -> Result<i32, ValidationError> {
    if floor == 0 || !(LOWEST_FLOOR..=HIGHEST_FLOOR).contains(&floor) {
        return Err(ValidationError::new(
            field,
            format!(
                "floor {floor} is not a floor: use {LOWEST_FLOOR} to -1 below ground and 1 to {HIGHEST_FLOOR} above"
            ),
            format!(
                "楼层 {floor} 无效：地下层填 {LOWEST_FLOOR} 至 -1，地上层填 1 至 {HIGHEST_FLOOR}"
            ),
        ));
    }
    Ok(floor)
}

/// A space phase as units see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseRoom {
    pub delivered_on: NaiveDate,
    pub area_m2: f64,
    /// Area of the phase's other units.
    pub units_m2: f64,
}

/// Area below which a sum is not over (rounding of sums of hundredths).
const TOLERANCE_M2: f64 = 1e-6;

/// Refuses a unit of `area_m2` in a phase delivered on `room.delivered_on` whose
/// other units already take `room.units_m2` of its `room.area_m2`.
pub fn check_phase_room(field: &str, room: PhaseRoom, area_m2: f64) -> Result<(), ValidationError> {
    let total = room.units_m2 + area_m2;
    if total > room.area_m2 + TOLERANCE_M2 {
        return Err(ValidationError::new(
            field,
            format!(
                "the units of the phase delivered on {} would cover {total:.2} m², more than its {:.2} m² ({:.2} m² already in units)",
                room.delivered_on, room.area_m2, room.units_m2
            ),
            format!(
                "{}交付的空间分期面积为 {:.2} 平方米，已划分房源 {:.2} 平方米，加上本房源共 {total:.2} 平方米，超出分期面积",
                zh_date(room.delivered_on),
                room.area_m2,
                room.units_m2
            ),
        ));
    }
    Ok(())
}

/// The first of `others` (spans of other tenancies of one unit) that `span` overlaps.
pub fn first_clash(others: &[Span], span: Span) -> Option<Span> {
    others.iter().copied().find(|other| other.overlaps(&span))
}

/// Area let by units against the area of the units: a building's or a floor's occupancy.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct UnitOccupancy {
    pub unit_count: u32,
    pub let_count: u32,
    pub unit_area_m2: f64,
    pub let_area_m2: f64,
}

impl UnitOccupancy {
    /// Sums units given as `(area, let on the date)`.
    pub fn of(units: impl IntoIterator<Item = (f64, bool)>) -> Self {
        let mut figures = Self::default();
        for (area, let_out) in units {
            figures.unit_count += 1;
            figures.unit_area_m2 += area;
            if let_out {
                figures.let_count += 1;
                figures.let_area_m2 += area;
            }
        }
        figures.unit_area_m2 = round_area(figures.unit_area_m2);
        figures.let_area_m2 = round_area(figures.let_area_m2);
        figures
    }

    /// Let area over unit area, 0 to 1; none without units.
    pub fn rate(&self) -> Option<f64> {
        (self.unit_area_m2 > 0.0).then(|| self.let_area_m2 / self.unit_area_m2)
    }
}

fn round_area(area: f64) -> f64 {
    (area * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, d).unwrap()
    }

    #[test]
    fn uses_and_statuses_read_as_codes_or_in_chinese() {
        assert_eq!(UnitUse::from_text("实验室"), Some(UnitUse::Lab));
        assert_eq!(UnitUse::from_text("workshop"), Some(UnitUse::Workshop));
        assert_eq!(UnitUse::from_text("宿舍"), None);
        assert_eq!(
            UnitStatus::from_text("装修中"),
            Some(UnitStatus::UnderRenovation)
        );
        assert_eq!(
            UnitStatus::from_text("AVAILABLE"),
            Some(UnitStatus::Available)
        );
    }

    #[test]
    fn floor_zero_and_absurd_floors_are_refused() {
        assert!(check_floor("floor", 0).is_err());
        assert!(check_floor("floor", 201).is_err());
        assert!(check_floor("floor", -6).is_err());
        assert_eq!(check_floor("floor", -1).unwrap(), -1);
        assert_eq!(check_floor("floor", 12).unwrap(), 12);
    }

    #[test]
    fn units_may_fill_a_phase_but_not_exceed_it() {
        let room = PhaseRoom {
            delivered_on: day(1),
            area_m2: 1000.0,
            units_m2: 600.0,
        };
        assert!(check_phase_room("areaM2", room, 400.0).is_ok());
        let refused = check_phase_room("areaM2", room, 400.01).unwrap_err();
        assert!(refused.message.contains("1000.01"), "{refused:?}");
    }

    #[test]
    fn a_unit_is_let_to_one_tenancy_at_a_time() {
        let ended = Span::new(day(1), Some(day(10))).unwrap();
        assert_eq!(
            first_clash(&[ended], Span::new(day(10), None).unwrap()),
            None
        );
        assert_eq!(
            first_clash(&[ended], Span::new(day(9), None).unwrap()),
            Some(ended)
        );
    }

    #[test]
    fn occupancy_counts_let_units_only() {
        let figures = UnitOccupancy::of([(100.0, true), (50.5, false), (20.25, true)]);
        assert_eq!(figures.unit_count, 3);
        assert_eq!(figures.let_count, 2);
        assert_eq!(figures.let_area_m2, 120.25);
        assert_eq!(figures.unit_area_m2, 170.75);
        assert_eq!(UnitOccupancy::default().rate(), None);
    }
}
