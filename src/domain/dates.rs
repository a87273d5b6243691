//! Dates given by users.

use chrono::NaiveDate;

use super::ValidationError;

/// Earliest date zaiti accepts: before China's first incubator (1987) there is nothing to record.
pub const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1980, 1, 1).expect("valid date");
/// Latest date accepted, for planned deliveries.
pub const LATEST: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("valid date");

/// Refuses dates outside [`EARLIEST`]..=[`LATEST`], which are typos.
pub fn check_plausible(field: &str, date: NaiveDate) -> Result<(), ValidationError> {
    if date < EARLIEST || date > LATEST {
        return Err(ValidationError::new(
            field,
            format!("{date} is outside the plausible range {EARLIEST} to {LATEST}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_in_the_nineteenth_century_is_rejected() {
        let date = NaiveDate::from_ymd_opt(1899, 1, 1).unwrap();
        assert_eq!(
            check_plausible("deliveredOn", date).unwrap_err().field,
            "deliveredOn"
        );
    }

    #[test]
    fn a_planned_delivery_in_2027_is_accepted() {
        assert!(
            check_plausible("deliveredOn", NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()).is_ok()
        );
    }
}
