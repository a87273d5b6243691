//! A carrier's point location.

use super::ValidationError;

/// A WGS84 / CGCS2000 longitude-latitude pair in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    pub longitude: f64,
    pub latitude: f64,
}

impl Location {
    pub fn new(longitude: f64, latitude: f64) -> Result<Self, ValidationError> {
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err(ValidationError::new(
                "location.longitude",
                format!("longitude must be between -180 and 180 degrees, got {longitude}"),
                format!("经度应在 -180 至 180 度之间，填写的是 {longitude}"),
            ));
        }
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err(ValidationError::new(
                "location.latitude",
                format!("latitude must be between -90 and 90 degrees, got {latitude}"),
                format!("纬度应在 -90 至 90 度之间，填写的是 {latitude}"),
            ));
        }
        Ok(Self {
            longitude,
            latitude,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wuxi_is_a_valid_location() {
        assert!(Location::new(120.31, 31.49).is_ok());
    }

    #[test]
    fn swapped_coordinates_are_rejected() {
        assert_eq!(
            Location::new(31.49, 120.31).unwrap_err().field,
            "location.latitude"
        );
    }
}
