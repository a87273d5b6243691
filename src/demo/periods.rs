//! The demo's closed year: 2025 closed by the bureau, then a phase delivered
//! in 2025 and a tenant who moved in during 2025 entered late, so its
//! floor-area figure and its 火炬统计 show restatements.

use chrono::NaiveDate;

use crate::domain::access::Actor;
use crate::domain::area::FloorArea;
use crate::domain::carrier::{CarrierKind, SpaceSource};
use crate::domain::goals::TargetCode;
use crate::domain::period::ReportedTarget;
use crate::domain::tenancy::Span;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::enterprise::EnterpriseFacts;
use crate::store::space_phase::NewSpacePhase;
use crate::store::tenancy::NewTenancy;
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
    late_tenant(db, bureau).await?;
    Ok(true)
}

/// A tenant that moved into the 2025 incubator with the most free space on
/// September 1, 2025 and is entered only now: its tenant area and count
/// restate that carrier's 火炬统计 row.
async fn late_tenant(db: &DatabaseConnection, bureau: &Actor) -> AppResult<()> {
    let moved_in = NaiveDate::from_ymd_opt(CLOSED_YEAR, 9, 1).unwrap_or_default();
    let statistics = store::torch::statistics(db, CLOSED_YEAR).await?;
    let roomiest = statistics
        .rows
        .iter()
        .filter(|row| row.kind == CarrierKind::Incubator)
        .max_by(|a, b| {
            (a.floor_area_m2 - a.tenant_area_m2).total_cmp(&(b.floor_area_m2 - b.tenant_area_m2))
        });
    let Some(incubator) = roomiest else {
        return Ok(());
    };
    let facts = EnterpriseFacts {
        uscc: Uscc::with_check_characters("91320214C0000001")?,
        name: "无锡补录智能传感科技有限公司".into(),
        founded_on: NaiveDate::from_ymd_opt(CLOSED_YEAR, 3, 15).unwrap_or(moved_in),
        landed_on: None,
        industry: None,
        headcount: Some(12),
        financing_raised: None,
        exited_on: None,
        revenue: Vec::new(),
    };
    let (enterprise, _) = store::enterprise::register(db, bureau, facts).await?;
    let tenancy = NewTenancy {
        carrier_id: incubator.carrier_id,
        enterprise_id: enterprise.id,
        unit: Some("补录-201".into()),
        area: FloorArea::parse("areaM2", 150.0)?,
        span: Span::new(moved_in, None)?,
        unit_ids: Vec::new(),
    };
    store::tenancy::move_in(db, bureau, tenancy).await?;
    Ok(())
}
