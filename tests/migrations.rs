//! Migrations over databases that already hold records, on SQLite and
//! PostgreSQL: what an upgrade of a running installation meets.

mod common;

use chrono::{NaiveDate, Utc};
use common::{Backend, empty_database};
use entity::{carrier, carrier_status_change, operator, space_phase};
use migration::{Migrator, MigratorTrait};
use sea_orm::{EntityTrait, QueryOrder};
use zaiti::store::known::copy_rows;

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

fn carrier_row(id: i32, status: &str, registered: &str, district_id: i32) -> carrier::Model {
    let registered_at = day(registered)
        .and_hms_opt(9, 30, 0)
        .expect("a time")
        .and_utc();
    carrier::Model {
        id,
        name: format!("既有载体{id}"),
        kind: "INCUBATOR".into(),
        status: status.into(),
        district_id,
        operator_id: 1,
        address: "无锡市梁溪区".into(),
        landmark: false,
        longitude: None,
        latitude: None,
        version: 1,
        created_at: registered_at,
        updated_at: registered_at,
    }
}

fn phase(id: i32, carrier_id: i32, delivered_on: &str) -> space_phase::Model {
    let now = Utc::now();
    space_phase::Model {
        id,
        carrier_id,
        label: None,
        area_m2: 1000.0,
        delivered_on: day(delivered_on),
        source: "NEW_BUILD".into(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Carriers registered before status was dated get their recorded status
/// from their first delivery or their registration, whichever came first.
async fn existing_carriers_get_a_status_history(backend: Backend) {
    let (url, _guard) = empty_database(backend).await;
    let db = zaiti::store::connect(&url).await.expect("connect");
    let before_dated_status = Migrator::migrations().len() - 1;
    Migrator::up(
        &db,
        Some(u32::try_from(before_dated_status).expect("a few migrations")),
    )
    .await
    .expect("the earlier migrations");
    let district_id = zaiti::store::district::all(&db).await.expect("districts")[0].id;
    let now = Utc::now();
    copy_rows::<operator::Entity>(
        &db,
        vec![operator::Model {
            id: 1,
            name: "无锡既有运营主体".into(),
            uscc: common::uscc(1),
            ownership: "CITY_STATE_OWNED".into(),
            contact_person: None,
            contact_phone: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }],
    )
    .await
    .expect("an operator");
    copy_rows::<carrier::Entity>(
        &db,
        vec![
            carrier_row(1, "OPERATING", "2026-07-01", district_id),
            carrier_row(2, "PLANNED", "2025-05-10", district_id),
            carrier_row(3, "SUSPENDED", "2020-02-02", district_id),
        ],
    )
    .await
    .expect("carriers");
    copy_rows::<space_phase::Entity>(
        &db,
        vec![
            phase(1, 1, "2022-01-01"),
            phase(2, 1, "2019-03-01"),
            phase(3, 3, "2021-01-01"),
        ],
    )
    .await
    .expect("phases");

    Migrator::up(&db, None).await.expect("dated status");
    let history: Vec<(i32, NaiveDate, String)> = carrier_status_change::Entity::find()
        .order_by_asc(carrier_status_change::Column::CarrierId)
        .all(&db)
        .await
        .expect("the history")
        .into_iter()
        .map(|row| (row.carrier_id, row.effective_on, row.status))
        .collect();
    assert_eq!(
        history,
        [
            (1, day("2019-03-01"), "OPERATING".to_owned()),
            (2, day("2025-05-10"), "PLANNED".to_owned()),
            (3, day("2020-02-02"), "SUSPENDED".to_owned()),
        ]
    );
}

mod sqlite {
    #[tokio::test]
    async fn existing_carriers_get_a_status_history() {
        super::existing_carriers_get_a_status_history(super::Backend::Sqlite).await;
    }
}

mod postgres {
    #[tokio::test]
    async fn existing_carriers_get_a_status_history() {
        super::existing_carriers_get_a_status_history(super::Backend::Postgres).await;
    }
}
