//! Spatial filters over a generated 10,000-carrier portfolio: `withinDistrict`
//! and `intersects`, each as the API runs it (SQL box prefilter, exact
//! decision with `geo`, then the page of 20 and its total count in SQL).
//!
//! `cargo bench --bench spatial` (SQLite in a temporary file); set
//! `ZAITI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zaiti_bench`
//! to run it on PostgreSQL (the database is emptied first).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use zaiti::domain::access::Actor;
use zaiti::domain::carrier::Ownership;
use zaiti::domain::geometry::{self, BBox, CoordinateSystem, Expect};
use zaiti::domain::uscc::Uscc;
use zaiti::graphql::spatial::{GeoJson, SpatialFilter};
use zaiti::store;
use zaiti::store::carrier::{CarrierFilter, CarrierOrder};
use zaiti::store::page::PageArgs;
use zaiti::store::spatial::Shape;

const CARRIERS: usize = 10_000;
/// The portfolio spreads over this box (Wuxi, roughly).
const CITY: (f64, f64, f64, f64) = (119.52, 31.12, 120.62, 32.02);

struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A 48-gon of `radius_km` around (`lon`, `lat`): a district-sized boundary.
fn ring(lon: f64, lat: f64, radius_km: f64, wobble: f64) -> Value {
    let points: Vec<[f64; 2]> = (0..=48)
        .map(|i| {
            let angle = std::f64::consts::TAU * f64::from(i % 48) / 48.0;
            let r = radius_km * (1.0 + wobble * (3.0 * angle).sin());
            [
                lon + r * angle.cos() / (111.32 * lat.to_radians().cos()),
                lat + r * angle.sin() / 110.88,
            ]
        })
        .collect();
    json!({ "type": "Polygon", "coordinates": [points] })
}

async fn portfolio(url: &str) -> DatabaseConnection {
    let db = store::connect(url).await.expect("connect");
    if url.starts_with("postgres") {
        db.execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .await
            .expect("empty the bench database");
    }
    store::migrate(&db).await.expect("migrate");
    let actor = Actor::system("bench");
    let operator = store::operator::create(
        &db,
        &actor,
        store::operator::NewOperator {
            name: "基准运营主体".into(),
            uscc: Uscc::with_check_characters("91320214MA000001").unwrap(),
            ownership: Ownership::CityStateOwned,
            contact_person: None,
            contact_phone: None,
        },
    )
    .await
    .expect("an operator");
    let districts = store::district::all(&db).await.unwrap();
    let mut rng = Lcg(2026);
    let now = Utc::now();
    let kinds = ["MAKERSPACE", "INCUBATOR", "ACCELERATOR", "SCIENCE_COMPLEX"];
    for chunk in 0..CARRIERS / 500 {
        let mut carriers = Vec::new();
        let mut footprints = Vec::new();
        for n in chunk * 500..(chunk + 1) * 500 {
            let lon = CITY.0 + rng.unit() * (CITY.2 - CITY.0);
            let lat = CITY.1 + rng.unit() * (CITY.3 - CITY.1);
            let id = i32::try_from(n + 1).unwrap();
            carriers.push(entity::carrier::ActiveModel {
                id: Set(id),
                name: Set(format!("载体{n:05}")),
                kind: Set(kinds[n % 4].into()),
                status: Set("OPERATING".into()),
                district_id: Set(districts[n % districts.len()].id),
                operator_id: Set(operator.id),
                address: Set(format!("无锡市测试路{n}号")),
                landmark: Set(false),
                longitude: Set(Some(lon)),
                latitude: Set(Some(lat)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                name_pinyin: Set(None),
                workstations: Set(None),
            });
            // Nine in ten have a footprint of 20 to 160 m a side.
            if n % 10 != 0 {
                let (w, h) = (0.0002 + rng.unit() * 0.0015, 0.0002 + rng.unit() * 0.0015);
                let rect = json!({ "type": "Polygon", "coordinates": [[
                    [lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]
                ]]});
                let g = geometry::parse(
                    "bench",
                    &rect,
                    Expect::Area,
                    CoordinateSystem::Wgs84,
                    geometry::DEFAULT_MAX_VERTICES,
                )
                .unwrap();
                let b = BBox::of(&g).unwrap();
                footprints.push(entity::carrier_footprint::ActiveModel {
                    carrier_id: Set(id),
                    geojson: Set(geometry::to_stored(&g)),
                    min_lon: Set(b.min_lon),
                    min_lat: Set(b.min_lat),
                    max_lon: Set(b.max_lon),
                    max_lat: Set(b.max_lat),
                    area_m2: Set(geometry::area_m2(&g)),
                });
            }
        }
        entity::carrier::Entity::insert_many(carriers)
            .exec(&db)
            .await
            .unwrap();
        entity::carrier_footprint::Entity::insert_many(footprints)
            .exec(&db)
            .await
            .unwrap();
    }
    if url.starts_with("postgres") {
        db.execute_unprepared("SELECT setval('carrier_id_seq', 10001); ANALYZE")
            .await
            .unwrap();
    }
    // Xinwu: a wobbly 48-gon of about 12 km radius (about 4% of the portfolio's box).
    let xinwu = districts.iter().find(|d| d.code == "xinwu").unwrap();
    let boundary = geometry::parse(
        "bench",
        &ring(120.36, 31.49, 12.0, 0.15),
        Expect::Area,
        CoordinateSystem::Wgs84,
        geometry::DEFAULT_MAX_VERTICES,
    )
    .unwrap();
    store::spatial::set_district_boundary(
        &db,
        &actor,
        xinwu.id,
        xinwu.version,
        Some(Shape::new(boundary).unwrap()),
    )
    .await
    .unwrap();
    db
}

/// One query as the API runs it: filter, then a page of 20 and the total.
async fn query(db: &DatabaseConnection, spatial: SpatialFilter) -> (usize, u64) {
    let mut filter = CarrierFilter::default();
    spatial
        .apply(db, geometry::DEFAULT_MAX_VERTICES, &mut filter)
        .await
        .unwrap();
    let args = PageArgs {
        first: Some(20),
        ..PageArgs::default()
    };
    let page = store::carrier::page(db, &filter, CarrierOrder::NameAsc, &args)
        .await
        .unwrap();
    let total = store::carrier::count(db, &filter).await.unwrap();
    (page.edges.len(), total)
}

fn spatial_filters(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("zaiti-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = std::env::var("ZAITI_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.join("bench.db").to_str().unwrap()
        )
    });
    let db = runtime.block_on(portfolio(&url));
    let within_district = || SpatialFilter {
        within_district: Some("xinwu".into()),
        ..SpatialFilter::default()
    };
    // A parcel-sized irregular polygon (about 3 km across) in Xinwu.
    let parcel = ring(120.36, 31.49, 1.5, 0.3);
    let intersects = || SpatialFilter {
        intersects: Some(GeoJson(parcel.clone())),
        ..SpatialFilter::default()
    };
    let (_, in_district) = runtime.block_on(query(&db, within_district()));
    let (_, in_parcel) = runtime.block_on(query(&db, intersects()));
    eprintln!(
        "{CARRIERS} carriers: {in_district} within the district, {in_parcel} meeting the parcel"
    );
    let mut group = c.benchmark_group("spatial filter, page of 20 + totalCount");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("withinDistrict", |b| {
        b.to_async(&runtime).iter(|| query(&db, within_district()));
    });
    group.bench_function("intersects", |b| {
        b.to_async(&runtime).iter(|| query(&db, intersects()));
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, spatial_filters);
criterion_main!(benches);
