//! The demo's closed year: 2025 closed by the bureau, then a phase delivered
//! in 2025 entered late, so its floor-area figure shows a restatement.

use chrono::NaiveDate;

use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::carrier::SpaceSource;
use crate::domain::goals::TargetCode;
use crate::domain::period::ReportedTarget;
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::space_phase::NewSpacePhase;
use sea_orm::DatabaseConnection;

/// The year the demo closes.
const CLOSED_YEAR: i32 = 2025;

/// Closes 2025 and enters a late phase for the carrier that contributed most
/// to its floor area; whether it did (not when 2025 is already closed or has
/// not ended, nor when no carrier counted).
pub(super) async fn write(db: &DatabaseConnection, bureau: &Actor) -> AppResult<bool> {
    if crate::domain::period::closable_end(CLOSED_YEAR, store::today()).is_err()
        || store::period::by_year(db, CLOSED_YEAR).await?.is_some()
    {
        return Ok(false);
    }
    let period = store::period::close(
        db,
        bureau,
        CLOSED_YEAR,
        Some("2025年度考核报送数 / the figures reported for the 2025 assessment".into()),
    )
    .await?;
    let reported: Vec<ReportedTarget> = serde_json::from_str(&period.figures).map_err(|err| {
        tracing::error!(%err, "the demo's reported figures do not read");
        AppError::Internal
    })?;
    let largest = reported
        .iter()
        .find(|target| target.code == TargetCode::NewFloorArea.as_ref())
        .and_then(|target| {
            target
                .by_carrier
                .iter()
                .filter(|part| part.value > 0.0)
                .max_by(|a, b| a.value.total_cmp(&b.value))
        })
        .and_then(|part| part.carrier_id);
    let Some(carrier_id) = largest else {
        return Ok(false);
    };
    let late = NewSpacePhase {
        carrier_id,
        label: Some("三期（2025年11月交付，年报后补录）".into()),
        area: FloorArea::parse("areaM2", 1200.0)?,
        delivered_on: NaiveDate::from_ymd_opt(CLOSED_YEAR, 11, 20).unwrap_or(period.period_end),
        source: SpaceSource::NewBuild,
    };
    store::space_phase::add(db, bureau, late).await?;
    Ok(true)
}
