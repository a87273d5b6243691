//! Floor areas, in square metres.

use super::ValidationError;

/// Largest single space phase accepted: 2 km² of floor, beyond any real
/// building complex, so a typo of extra zeros is caught.
pub const MAX_PHASE_AREA_M2: f64 = 2_000_000.0;

/// A floor area that is finite, positive and below [`MAX_PHASE_AREA_M2`],
/// rounded to 0.01 m².
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct FloorArea(f64);

impl FloorArea {
    /// Validates an area given for the input field `field`.
    pub fn parse(field: &str, square_metres: f64) -> Result<Self, ValidationError> {
        if !square_metres.is_finite() || square_metres <= 0.0 {
            return Err(ValidationError::new(
                field,
                format!("area must be a positive number of square metres, got {square_metres}"),
                format!("面积应为正数（单位：平方米），填写的是 {square_metres}"),
            ));
        }
        if square_metres > MAX_PHASE_AREA_M2 {
            return Err(ValidationError::new(
                field,
                format!(
                    "area {square_metres} m² exceeds the largest plausible phase of {MAX_PHASE_AREA_M2} m²"
                ),
                format!(
                    "面积 {square_metres} 平方米超过单期面积的合理上限 {MAX_PHASE_AREA_M2} 平方米，请核对是否多填了位数"
                ),
            ));
        }
        let rounded = (square_metres * 100.0).round() / 100.0;
        if rounded <= 0.0 {
            // Stored to the hundredth, 0.004 m² would be kept as nothing.
            return Err(ValidationError::new(
                field,
                format!(
                    "area must be at least 0.01 m² (areas are kept to the hundredth), got {square_metres}"
                ),
                format!("面积至少为 0.01 平方米（面积保留两位小数），填写的是 {square_metres}"),
            ));
        }
        Ok(Self(rounded))
    }

    pub fn square_metres(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_area_is_rejected() {
        assert_eq!(
            FloorArea::parse("areaM2", -5.0).unwrap_err().field,
            "areaM2"
        );
    }

    #[test]
    fn a_zero_area_is_rejected() {
        assert!(FloorArea::parse("areaM2", 0.0).is_err());
    }

    #[test]
    fn an_area_that_rounds_to_nothing_is_rejected() {
        assert!(FloorArea::parse("areaM2", 0.004).is_err());
        assert_eq!(
            FloorArea::parse("areaM2", 0.005).unwrap().square_metres(),
            0.01
        );
    }

    #[test]
    fn not_a_number_is_rejected() {
        assert!(FloorArea::parse("areaM2", f64::NAN).is_err());
    }

    #[test]
    fn an_implausibly_large_area_is_rejected() {
        assert!(FloorArea::parse("areaM2", MAX_PHASE_AREA_M2 + 1.0).is_err());
    }

    #[test]
    fn an_area_is_rounded_to_hundredths() {
        assert_eq!(
            FloorArea::parse("areaM2", 1200.456)
                .unwrap()
                .square_metres(),
            1200.46
        );
    }
}
