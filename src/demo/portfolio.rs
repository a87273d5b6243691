//! The load benchmark's portfolio (`bench/load.sh`, `examples/portfolio.rs`)
//! and the tests that count a full page's SQL statements: operators,
//! carriers with 1–3 space phases, and a fixed number of tenancies per
//! carrier, each with an enterprise of its own. The same size and seed give
//! the same rows on every run and on both databases (a fixed-seed
//! generator, fixed timestamps).
//!
//! Rows go in as they are, ids included, without audit events: a benchmark
//! fixture, not a record. Unlike [`super::load`], this is made up without
//! any resemblance to the real portfolio's proportions, only its shape.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use entity::{
    carrier, carrier_industry, carrier_status_change, enterprise, operator, space_phase, tenancy,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use strum::IntoEnumIterator;

use crate::domain::carrier::{CarrierKind, Industry, Ownership, SpaceSource};
use crate::domain::text::pinyin_key;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::known::copy_rows;

/// How large a portfolio to generate.
#[derive(Debug, Clone)]
pub struct Size {
    pub carriers: u32,
    /// Tenancies of each carrier, each with an enterprise of its own.
    pub tenancies_per_carrier: u32,
    /// Operators the carriers are spread over (at least one).
    pub operators: u32,
    /// The same seed gives the same rows.
    pub seed: u64,
}

impl Default for Size {
    /// The portfolio of `BENCHMARKS.md`: 2,000 carriers × 20 tenancies.
    fn default() -> Self {
        Self {
            carriers: 2000,
            tenancies_per_carrier: 20,
            operators: 50,
            seed: 0x5A17_1D00_0013_2026,
        }
    }
}

/// Writes a portfolio of `size` into `db`, which must be migrated and hold
/// no operators, carriers or enterprises yet (the migrations' districts are
/// used), then refreshes the planner's statistics. Says what it wrote, in
/// one line.
pub async fn fill(db: &DatabaseConnection, size: &Size) -> AppResult<String> {
    let districts: Vec<i32> = store::district::all(db)
        .await?
        .iter()
        .map(|d| d.id)
        .collect();
    if districts.is_empty() || size.operators == 0 {
        tracing::error!("a portfolio needs the seeded districts and at least one operator");
        return Err(AppError::Internal);
    }
    let now = Utc
        .with_ymd_and_hms(2026, 7, 1, 0, 0, 0)
        .single()
        .ok_or(AppError::Internal)?;
    let rows = generate(size, &districts, now)?;
    let counts = format!(
        "{} operators, {} carriers, {} space phases, {} enterprises, {} tenancies",
        rows.operators.len(),
        rows.carriers.len(),
        rows.phases.len(),
        rows.enterprises.len(),
        rows.tenancies.len()
    );
    copy_rows::<operator::Entity>(db, rows.operators).await?;
    copy_rows::<carrier::Entity>(db, rows.carriers).await?;
    copy_rows::<carrier_industry::Entity>(db, rows.industries).await?;
    copy_rows::<carrier_status_change::Entity>(db, rows.status_changes).await?;
    copy_rows::<space_phase::Entity>(db, rows.phases).await?;
    copy_rows::<enterprise::Entity>(db, rows.enterprises).await?;
    copy_rows::<tenancy::Entity>(db, rows.tenancies).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Rows went in with their ids: move the sequences past them, so
        // that later writes through the API get fresh ones.
        for table in [
            "operator",
            "carrier",
            "space_phase",
            "enterprise",
            "tenancy",
        ] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ))
            .await?;
        }
    }
    // Fresh planner statistics, the same for every server reading the database.
    db.execute_unprepared("ANALYZE").await?;
    Ok(counts)
}

/// Words carrier and enterprise names are made of, so that sorting by name
/// does not follow the ids.
const PLACES: [&str; 12] = [
    "梁溪", "锡山", "惠山", "滨湖", "新吴", "江阴", "宜兴", "经开", "太湖", "蠡湖", "东亭", "硕放",
];
const THEMES: [&str; 10] = [
    "智能", "芯片", "生物", "数字", "绿能", "星火", "启航", "云谷", "创智", "未来",
];
const SUFFIXES: [(CarrierKind, &str); 4] = [
    (CarrierKind::Makerspace, "众创空间"),
    (CarrierKind::Incubator, "孵化器"),
    (CarrierKind::Accelerator, "加速器"),
    (CarrierKind::ScienceComplex, "科创综合体"),
];
const SOURCES: [SpaceSource; 4] = [
    SpaceSource::NewBuild,
    SpaceSource::IdleFactoryRenovation,
    SpaceSource::IndustrialHighRise,
    SpaceSource::UrbanRenewal,
];

/// A valid USCC (right structure and check character) unique to `id`
/// within `kind` (`A` operators, `B` enterprises).
fn uscc(kind: char, id: u32) -> AppResult<String> {
    Ok(
        Uscc::with_check_characters(&format!("91320214{kind}{id:07}"))?
            .as_str()
            .to_owned(),
    )
}

/// The rows to insert, generated in one pass from the seed.
#[derive(Default)]
struct Portfolio {
    operators: Vec<operator::Model>,
    carriers: Vec<carrier::Model>,
    industries: Vec<carrier_industry::Model>,
    status_changes: Vec<carrier_status_change::Model>,
    phases: Vec<space_phase::Model>,
    enterprises: Vec<enterprise::Model>,
    tenancies: Vec<tenancy::Model>,
}

fn generate(size: &Size, districts: &[i32], now: DateTime<Utc>) -> AppResult<Portfolio> {
    let mut rng = Lcg(size.seed);
    let start = NaiveDate::from_ymd_opt(2018, 1, 1).ok_or(AppError::Internal)?;
    let industries: Vec<Industry> = Industry::iter().collect();
    let ownerships: Vec<Ownership> = Ownership::iter().collect();
    let mut rows = Portfolio::default();
    for id in 1..=size.operators {
        let name = format!(
            "{}{}载体运营有限公司{id:03}",
            rng.pick(&PLACES),
            rng.pick(&THEMES)
        );
        rows.operators.push(operator::Model {
            id: id as i32,
            name_pinyin: Some(pinyin_key(&name)),
            name,
            uscc: uscc('A', id)?,
            ownership: rng.pick(&ownerships).as_ref().into(),
            contact_person: Some(format!("联系人{id}")),
            contact_phone: Some(format!("0510-8{id:07}")),
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }
    for id in 1..=size.carriers as i32 {
        let (kind, suffix) = rng.pick(&SUFFIXES);
        let place = rng.pick(&PLACES);
        let status = if rng.chance(0.9) {
            "OPERATING"
        } else {
            "UNDER_CONSTRUCTION"
        };
        let opened = rng.day(start, 2500);
        let operator_id = 1 + rng.below(u64::from(size.operators)) as i32;
        let name = format!("{place}{}{suffix}{id:05}", rng.pick(&THEMES));
        rows.carriers.push(carrier::Model {
            id,
            name_pinyin: Some(pinyin_key(&name)),
            workstations: None,
            name,
            kind: kind.as_ref().into(),
            status: status.into(),
            district_id: rng.pick(districts),
            operator_id,
            address: format!("无锡市{place}路{}号", 1 + rng.below(999)),
            landmark: kind == CarrierKind::ScienceComplex && rng.chance(0.2),
            longitude: None,
            latitude: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
        rows.industries.push(carrier_industry::Model {
            carrier_id: id,
            industry: rng.pick(&industries).as_ref().into(),
        });
        rows.status_changes.push(carrier_status_change::Model {
            carrier_id: id,
            effective_on: opened,
            status: status.into(),
        });
        for phase in 0..1 + rng.below(3) {
            rows.phases.push(space_phase::Model {
                id: rows.phases.len() as i32 + 1,
                carrier_id: id,
                label: (phase > 0).then(|| format!("{}期", phase + 1)),
                // At least 8,000 m²: 20 leases of at most 400 m² fit in any phase.
                area_m2: (8_000 + rng.below(20_000)) as f64 + rng.below(100) as f64 / 100.0,
                delivered_on: rng.day(opened, 400 * (phase + 1)),
                source: rng.pick(&SOURCES).as_ref().into(),
                voided_at: None,
                void_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        for _ in 0..size.tenancies_per_carrier {
            let tid = rows.tenancies.len() as i32 + 1;
            let founded = rng.day(start, 2500);
            let moved_in = rng.day(founded, 700);
            let moved_out = rng
                .chance(0.3)
                .then(|| rng.day(moved_in + Days::new(30), 900));
            let name = format!(
                "无锡{}{}科技有限公司{tid:06}",
                rng.pick(&THEMES),
                rng.pick(&PLACES)
            );
            rows.enterprises.push(enterprise::Model {
                id: tid,
                uscc: uscc('B', tid as u32)?,
                name_pinyin: Some(pinyin_key(&name)),
                name,
                founded_on: founded,
                landed_on: Some(founded),
                industry: Some(rng.pick(&industries).as_ref().into()),
                headcount: Some(3 + rng.below(120) as i32),
                financing_raised_fen: rng.chance(0.3).then(|| 100_000 * rng.below(100_000) as i64),
                exited_on: None,
                custodian_operator_id: Some(operator_id),
                version: 1,
                created_at: now,
                updated_at: now,
            });
            rows.tenancies.push(tenancy::Model {
                id: tid,
                carrier_id: id,
                enterprise_id: tid,
                unit: Some(format!(
                    "{}栋{}",
                    rng.pick(&["A", "B", "C"]),
                    101 + rng.below(900)
                )),
                area_m2: (50 + rng.below(350)) as f64,
                moved_in_on: moved_in,
                moved_out_on: moved_out,
                incubation_started_on: moved_in,
                graduated_on: None,
                graduation_route: None,
                previous_tenancy_id: None,
                voided_at: None,
                void_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
    }
    Ok(rows)
}

/// The deterministic generator behind the benchmark portfolios (here and
/// in `benches/goals.rs`): a PCG-style LCG, so every run builds the same rows.
#[derive(Debug, Clone)]
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_value(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_value() % n
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_value() as f64 / (1u64 << 53) as f64) < p
    }

    pub fn day(&mut self, from: NaiveDate, span_days: u64) -> NaiveDate {
        from + Days::new(self.below(span_days))
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}
