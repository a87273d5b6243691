//! Generates the load benchmark's portfolio (issue 13, `bench/load.sh`):
//! operators, carriers with 1–3 space phases, and a fixed number of
//! tenancies per carrier, each with an enterprise of its own, in a database
//! emptied first. The same flags give the same rows on every run and on
//! both databases (a fixed-seed generator, fixed timestamps); only the API
//! token it issues is new each time.
//!
//! ```sh
//! cargo run --release --example portfolio -- \
//!   --database-url postgres://postgres@127.0.0.1:5432/zaiti_load \
//!   --carriers 2000 --tenancies-per-carrier 20 --token-file target/bench-load/token
//! ```
//!
//! A PostgreSQL database must exist; its `public` schema is dropped and made
//! again. An SQLite file is deleted (with its `-wal`/`-shm`) and created.
//! Rows go in as they are, ids included, without audit events (as in
//! `benches/goals.rs`): this is a benchmark fixture, not a record.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use clap::Parser;
use entity::{
    carrier, carrier_industry, carrier_status_change, enterprise, operator, space_phase, tenancy,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use strum::IntoEnumIterator;
use zaiti::domain::access::Role;
use zaiti::domain::carrier::{CarrierKind, Industry, Ownership, SpaceSource};
use zaiti::domain::uscc::Uscc;
use zaiti::store;
use zaiti::store::known::copy_rows;

/// Generate the load benchmark's portfolio in an emptied database.
#[derive(Parser, Debug)]
struct Args {
    /// `postgres://USER@HOST/DB` (its `public` schema is dropped) or
    /// `sqlite://FILE?mode=rwc` (the file is deleted).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Carriers to generate.
    #[arg(long, default_value_t = 2000)]
    carriers: u32,
    /// Tenancies of each carrier, each with an enterprise of its own.
    #[arg(long, default_value_t = 20)]
    tenancies_per_carrier: u32,
    /// Operators the carriers are spread over.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    operators: u32,
    /// Seed of the generator: the same seed gives the same rows.
    #[arg(long, default_value_t = 0x5A17_1D00_0013_2026)]
    seed: u64,
    /// Write an ADMIN token's secret to this file (mode 0600); without it the
    /// secret is printed on standard output.
    #[arg(long)]
    token_file: Option<PathBuf>,
}

#[path = "../benches/support/lcg.rs"]
mod lcg;
use lcg::Lcg;

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
fn uscc(kind: char, id: u32) -> anyhow::Result<String> {
    Ok(
        Uscc::with_check_character(&format!("91320214{kind}{id:08}"))
            .map_err(|err| anyhow::anyhow!("USCC for {kind}{id}: {}", err.message))?
            .as_str()
            .to_owned(),
    )
}

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).context("a valid date")
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

fn generate(args: &Args, districts: &[i32], now: DateTime<Utc>) -> anyhow::Result<Portfolio> {
    let mut rng = Lcg(args.seed);
    let start = date(2018, 1, 1)?;
    let industries: Vec<Industry> = Industry::iter().collect();
    let ownerships: Vec<Ownership> = Ownership::iter().collect();
    let mut rows = Portfolio::default();
    for id in 1..=args.operators {
        rows.operators.push(operator::Model {
            id: id as i32,
            name: format!(
                "{}{}载体运营有限公司{id:03}",
                rng.pick(&PLACES),
                rng.pick(&THEMES)
            ),
            uscc: uscc('A', id)?,
            ownership: rng.pick(&ownerships).as_ref().into(),
            contact_person: Some(format!("联系人{id}")),
            contact_phone: Some(format!("0510-8{id:07}")),
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }
    for id in 1..=args.carriers as i32 {
        let (kind, suffix) = rng.pick(&SUFFIXES);
        let place = rng.pick(&PLACES);
        let status = if rng.chance(0.9) {
            "OPERATING"
        } else {
            "UNDER_CONSTRUCTION"
        };
        let opened = rng.day(start, 2500);
        let operator_id = 1 + rng.below(u64::from(args.operators)) as i32;
        rows.carriers.push(carrier::Model {
            id,
            name: format!("{place}{}{suffix}{id:05}", rng.pick(&THEMES)),
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
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        for _ in 0..args.tenancies_per_carrier {
            let tid = rows.tenancies.len() as i32 + 1;
            let founded = rng.day(start, 2500);
            let moved_in = rng.day(founded, 700);
            let moved_out = rng
                .chance(0.3)
                .then(|| rng.day(moved_in + Days::new(30), 900));
            rows.enterprises.push(enterprise::Model {
                id: tid,
                uscc: uscc('B', tid as u32)?,
                name: format!(
                    "无锡{}{}科技有限公司{tid:06}",
                    rng.pick(&THEMES),
                    rng.pick(&PLACES)
                ),
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
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
    }
    Ok(rows)
}

/// Empties the database: a fresh `public` schema, or a deleted SQLite file.
async fn emptied(url: &str) -> anyhow::Result<DatabaseConnection> {
    if url.starts_with("sqlite:") {
        if url.contains(":memory:") || url.contains("mode=memory") {
            bail!("an in-memory database would vanish when the generator exits");
        }
        let path = url
            .trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or_default();
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{path}{suffix}");
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err).with_context(|| format!("cannot delete {file}")),
            }
        }
    }
    let db = store::connect(url)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .await
            .context("emptying the database")?;
    }
    Ok(db)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let db = emptied(&args.database_url).await?;
    store::migrate(&db).await.context("migrating")?;
    let districts: Vec<i32> = store::district::all(&db)
        .await?
        .iter()
        .map(|d| d.id)
        .collect();
    if districts.is_empty() {
        bail!("the migrations seeded no districts");
    }
    let now = Utc
        .with_ymd_and_hms(2026, 7, 1, 0, 0, 0)
        .single()
        .context("a valid timestamp")?;
    let rows = generate(&args, &districts, now)?;
    let counts = format!(
        "{} operators, {} carriers, {} space phases, {} enterprises, {} tenancies",
        rows.operators.len(),
        rows.carriers.len(),
        rows.phases.len(),
        rows.enterprises.len(),
        rows.tenancies.len()
    );
    copy_rows::<operator::Entity>(&db, rows.operators).await?;
    copy_rows::<carrier::Entity>(&db, rows.carriers).await?;
    copy_rows::<carrier_industry::Entity>(&db, rows.industries).await?;
    copy_rows::<carrier_status_change::Entity>(&db, rows.status_changes).await?;
    copy_rows::<space_phase::Entity>(&db, rows.phases).await?;
    copy_rows::<enterprise::Entity>(&db, rows.enterprises).await?;
    copy_rows::<tenancy::Entity>(&db, rows.tenancies).await?;
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
            .await
            .with_context(|| format!("advancing the sequence of {table}"))?;
        }
    }
    // Fresh planner statistics, the same for every server reading the database.
    db.execute_unprepared("ANALYZE").await.context("ANALYZE")?;
    let issued = store::token::create(&db, "load benchmark", Role::Admin, None).await?;
    match &args.token_file {
        Some(path) => write_secret(path, &issued.secret)?,
        None => println!("{}", issued.secret),
    }
    eprintln!(
        "portfolio: {counts} in {:.1} s; ADMIN token {}{}",
        started.elapsed().as_secs_f64(),
        issued.token.id,
        args.token_file
            .as_ref()
            .map(|p| format!(" written to {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}

/// Writes the token's secret to `path`, readable by its owner only.
fn write_secret(path: &std::path::Path, secret: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(file, "{secret}").with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
