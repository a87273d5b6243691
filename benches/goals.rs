//! `goalProgress` for one date over a generated portfolio of 5,000 carriers,
//! 100,000 enterprises and 150,000 tenancies (with phases, recognitions,
//! platforms, funds, teams and facilities in proportion), executed through
//! the GraphQL schema exactly as a request is (everything but HTTP).
//!
//! `cargo bench --bench goals` (SQLite in a temporary file, WAL, as served).
//! Set `ZAITI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zaiti_bench`
//! to run it on PostgreSQL (the database is emptied first).

// The schema's resolver futures nest deeper than the default limit of 128
// when the release profile lays them out for this crate.
#![recursion_limit = "256"]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use entity::{
    carrier, carrier_industry, carrier_status_change, enterprise, facility, fund, fund_carrier,
    level_recognition, operating_team, operator, platform, space_phase, tenancy,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use strum::IntoEnumIterator;
use zaiti::domain::access::Actor;
use zaiti::domain::carrier::{CarrierKind, Industry, Level, SpaceSource};
use zaiti::domain::support::{FacilityKind, PlatformKind};
use zaiti::store;
use zaiti::store::known::copy_rows;

const CARRIERS: i32 = 5_000;
const ENTERPRISES: i32 = 100_000;
const TENANCIES: i32 = 150_000;
const QUERY: &str = r#"{ goalProgress(asOf: "2026-06-30") { targets {
    code target actual ratio expectedByPace onPace remaining neededPerRemainingYear
    byDistrict { value } byKind { kind value } byYear { year value } bySource { source value }
    contributors(first: 10) { totalCount nodes { value } } } } }"#;

use zaiti::demo::portfolio::Lcg;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2018, 1, 1).unwrap()
}

async fn portfolio(url: &str) -> DatabaseConnection {
    let db = store::connect(url).await.expect("connect");
    if url.starts_with("postgres") {
        db.execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .await
            .expect("empty the bench database");
    }
    store::migrate(&db).await.expect("migrate");
    let now = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    let mut rng = Lcg(0x5A17_1D00_60A1_2026);
    let districts: Vec<i32> = store::district::all(&db)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    let industries: Vec<Industry> = Industry::iter().collect();
    let kinds = [
        CarrierKind::Makerspace,
        CarrierKind::Makerspace,
        CarrierKind::Incubator,
        CarrierKind::Incubator,
        CarrierKind::Accelerator,
        CarrierKind::ScienceComplex,
    ];

    copy_rows::<operator::Entity>(
        &db,
        (1..=50)
            .map(|id| operator::Model {
                id,
                name: format!("基准运营主体{id}"),
                uscc: format!("BENCH{id:013}"),
                ownership: "CITY_STATE_OWNED".into(),
                contact_person: None,
                contact_phone: None,
                version: 1,
                created_at: now,
                updated_at: now,
                name_pinyin: None,
            })
            .collect(),
    )
    .await
    .unwrap();

    let (mut carriers, mut industry_rows, mut phases, mut recognitions) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut platforms, mut teams, mut facilities) = (Vec::new(), Vec::new(), Vec::new());
    let mut status_changes = Vec::new();
    for id in 1..=CARRIERS {
        let kind = rng.pick(&kinds);
        carriers.push(carrier::Model {
            id,
            name: format!("基准载体{id}"),
            kind: kind.as_ref().into(),
            status: if rng.chance(0.9) {
                "OPERATING"
            } else {
                "UNDER_CONSTRUCTION"
            }
            .into(),
            district_id: rng.pick(&districts),
            operator_id: 1 + rng.below(50) as i32,
            address: "无锡市".into(),
            landmark: kind == CarrierKind::ScienceComplex && rng.chance(0.2),
            longitude: None,
            latitude: None,
            version: 1,
            created_at: now,
            updated_at: now,
            name_pinyin: None,
            workstations: None,
        });
        // Carrier i leads in industry i mod 15; tenants mostly match it (below).
        industry_rows.push(carrier_industry::Model {
            carrier_id: id,
            industry: industries[(id - 1) as usize % industries.len()]
                .as_ref()
                .into(),
        });
        let opened = rng.day(start(), 3000);
        status_changes.push(carrier_status_change::Model {
            carrier_id: id,
            effective_on: opened,
            status: carriers
                .last()
                .map(|c: &carrier::Model| c.status.clone())
                .unwrap(),
        });
        for phase in 0..1 + rng.below(3) {
            phases.push(space_phase::Model {
                id: phases.len() as i32 + 1,
                carrier_id: id,
                label: None,
                area_m2: 1000.0 + rng.below(19_000) as f64,
                delivered_on: rng.day(opened, 400 * (phase + 1)),
                source: rng
                    .pick(&[
                        SpaceSource::NewBuild,
                        SpaceSource::IdleFactoryRenovation,
                        SpaceSource::IndustrialHighRise,
                        SpaceSource::UrbanRenewal,
                    ])
                    .as_ref()
                    .into(),
                voided_at: None,
                void_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        if rng.chance(0.5) {
            recognitions.push(level_recognition::Model {
                id: recognitions.len() as i32 + 1,
                carrier_id: id,
                level: rng
                    .pick(&[Level::District, Level::City, Level::City, Level::Provincial])
                    .as_ref()
                    .into(),
                recognised_on: rng.day(opened, 1500),
                authority: "无锡市科学技术局".into(),
                document_number: None,
                voided_at: None,
                void_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        if rng.chance(0.6) {
            platforms.push(platform::Model {
                id: platforms.len() as i32 + 1,
                carrier_id: id,
                name: format!("基准平台{id}"),
                kind: rng
                    .pick(&PlatformKind::iter().collect::<Vec<_>>())
                    .as_ref()
                    .into(),
                level: "NONE".into(),
                opened_on: rng.day(opened, 2000),
                closed_on: None,
                services: "[]".into(),
                enterprises_served_per_year: Some(50),
                voided_at: None,
                void_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
        teams.push(operating_team::Model {
            id,
            carrier_id: id,
            name: "运营团队".into(),
            staff_count: 1 + rng.below(10) as i32,
            mentor_count: 1 + rng.below(10) as i32,
            formed_on: opened,
            disbanded_on: None,
            professional_recognised_on: rng.chance(0.05).then(|| rng.day(opened, 2500)),
            voided_at: None,
            void_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
        for kind in [
            FacilityKind::SharedMeetingRoadshow,
            rng.pick(&[
                FacilityKind::Canteen,
                FacilityKind::Parking,
                FacilityKind::Laboratory,
            ]),
        ] {
            facilities.push(facility::Model {
                id: facilities.len() as i32 + 1,
                carrier_id: id,
                kind: kind.as_ref().into(),
                name: None,
                area_m2: Some(300.0),
                opened_on: opened,
                closed_on: None,
                voided_at: None,
                void_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
            });
        }
    }
    copy_rows::<carrier::Entity>(&db, carriers).await.unwrap();
    copy_rows::<carrier_industry::Entity>(&db, industry_rows)
        .await
        .unwrap();
    copy_rows::<carrier_status_change::Entity>(&db, status_changes)
        .await
        .unwrap();
    copy_rows::<space_phase::Entity>(&db, phases).await.unwrap();
    copy_rows::<level_recognition::Entity>(&db, recognitions)
        .await
        .unwrap();
    copy_rows::<platform::Entity>(&db, platforms).await.unwrap();
    copy_rows::<operating_team::Entity>(&db, teams)
        .await
        .unwrap();
    copy_rows::<facility::Entity>(&db, facilities)
        .await
        .unwrap();

    let (mut funds, mut links) = (Vec::new(), Vec::new());
    for id in 1..=1_000 {
        funds.push(fund::Model {
            id,
            name: format!("基准基金{id}"),
            manager: "基准基金管理人".into(),
            size_fen: 1_000_000_000,
            established_on: rng.day(start(), 2500),
            closed_on: None,
            voided_at: None,
            void_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        });
        let first = 1 + rng.below(CARRIERS as u64 - 5) as i32;
        for carrier_id in first..first + 1 + rng.below(5) as i32 {
            links.push(fund_carrier::Model {
                fund_id: id,
                carrier_id,
            });
        }
    }
    copy_rows::<fund::Entity>(&db, funds).await.unwrap();
    copy_rows::<fund_carrier::Entity>(&db, links).await.unwrap();

    let industry_of: Vec<usize> = (0..ENTERPRISES)
        .map(|_| rng.below(industries.len() as u64) as usize)
        .collect();
    let enterprises = (1..=ENTERPRISES)
        .map(|id| {
            let founded = rng.day(start(), 2800);
            enterprise::Model {
                id,
                uscc: format!("BENCH{id:013}"),
                name: format!("基准企业{id}"),
                founded_on: founded,
                landed_on: Some(rng.day(founded, 300)),
                industry: Some(industries[industry_of[(id - 1) as usize]].as_ref().into()),
                headcount: Some(10),
                financing_raised_fen: None,
                exited_on: None,
                custodian_operator_id: None,
                version: 1,
                created_at: now,
                updated_at: now,
                name_pinyin: None,
            }
        })
        .collect();
    copy_rows::<enterprise::Entity>(&db, enterprises)
        .await
        .unwrap();
    let tenancies = (1..=TENANCIES)
        .map(|id| {
            let moved_in = rng.day(start(), 3000);
            let moved_out = rng
                .chance(0.4)
                .then(|| rng.day(moved_in + Days::new(1), 900));
            let enterprise_id = 1 + rng.below(ENTERPRISES as u64) as i32;
            // Three tenants in four go to a carrier leading in their industry.
            let sectors = industries.len() as u64;
            let carrier_id = if rng.chance(0.75) {
                let industry = industry_of[(enterprise_id - 1) as usize] as u64;
                1 + (industry + sectors * rng.below(CARRIERS as u64 / sectors)) as i32
            } else {
                1 + rng.below(CARRIERS as u64) as i32
            };
            tenancy::Model {
                id,
                carrier_id,
                enterprise_id,
                unit: None,
                area_m2: 50.0 + rng.below(400) as f64,
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
            }
        })
        .collect();
    copy_rows::<tenancy::Entity>(&db, tenancies).await.unwrap();
    db
}

fn goal_progress(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let directory = std::env::temp_dir().join(format!("zaiti-bench-goals-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let url = std::env::var("ZAITI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", directory.join("goals.db").display()));
    let db = runtime.block_on(portfolio(&url));
    let schema = zaiti::graphql::Schemas::new(
        zaiti::graphql::Limits::default(),
        zaiti::events::Bus::idle(),
    );
    let run = || async {
        let request = async_graphql::Request::new(QUERY);
        let (response, _) =
            zaiti::graphql::execute(&schema, request, &db, Actor::system("bench")).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        response
    };
    let first = runtime.block_on(run());
    println!(
        "NEW_FLOOR_AREA on 2026-06-30: {}",
        first.data.into_json().unwrap()["goalProgress"]["targets"][0]["actual"]
    );
    let mut group = c.benchmark_group("goal_progress");
    group
        .measurement_time(Duration::from_secs(20))
        .sample_size(30);
    group.bench_function("one_date_5000_carriers", |b| b.to_async(&runtime).iter(run));
    group.finish();
    let _ = std::fs::remove_dir_all(&directory);
}

criterion_group!(benches, goal_progress);
criterion_main!(benches);
