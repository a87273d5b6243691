//! Migrations over databases that already hold records, on SQLite and
//! PostgreSQL: what an upgrade of a running installation meets.

mod common;

use chrono::{NaiveDate, Utc};
use common::{Backend, empty_database};
use entity::{carrier, carrier_status_change, operator, space_phase};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, EntityTrait, IntoActiveModel, QueryOrder, QuerySelect,
};

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
        name_pinyin: None,
        workstations: None,
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
        voided_at: None,
        void_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Runs the migrations that come before `name`.
async fn migrate_until(db: &sea_orm::DatabaseConnection, name: &str) {
    let before = Migrator::migrations()
        .iter()
        .position(|migration| migration.name() == name)
        .unwrap_or_else(|| panic!("no migration {name}"));
    Migrator::up(db, Some(u32::try_from(before).expect("a few migrations")))
        .await
        .expect("the earlier migrations");
}

fn operator_row(id: i32) -> operator::Model {
    let now = Utc::now();
    operator::Model {
        id,
        name: format!("无锡既有运营主体{id}"),
        uscc: common::uscc(u32::try_from(id).expect("a small id")),
        ownership: "CITY_STATE_OWNED".into(),
        contact_person: None,
        contact_phone: None,
        version: 1,
        created_at: now,
        updated_at: now,
        name_pinyin: None,
    }
}

/// Inserts operators as the schema stood before the pinyin sort key (migration 30).
async fn insert_operators(db: &sea_orm::DatabaseConnection, rows: Vec<operator::Model>) {
    let rows = rows.into_iter().map(|row| operator::ActiveModel {
        name_pinyin: NotSet,
        ..row.into_active_model().reset_all()
    });
    operator::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .expect("operators");
}

/// Inserts carriers as the schema stood before the pinyin sort key (migration 30).
async fn insert_carriers(db: &sea_orm::DatabaseConnection, rows: Vec<carrier::Model>) {
    let rows = rows.into_iter().map(|row| carrier::ActiveModel {
        name_pinyin: NotSet,
        workstations: NotSet,
        ..row.into_active_model().reset_all()
    });
    carrier::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .expect("carriers");
}

/// The id of a district, read by id alone: later migrations add columns the
/// entity knows and this older schema does not have yet.
async fn first_district(db: &sea_orm::DatabaseConnection) -> i32 {
    use sea_orm::{EntityTrait, QuerySelect};
    entity::district::Entity::find()
        .select_only()
        .column(entity::district::Column::Id)
        .into_tuple::<i32>()
        .one(db)
        .await
        .expect("districts")
        .expect("a district")
}

/// Carriers registered before status was dated get their recorded status
/// from their first delivery or their registration, whichever came first.
async fn existing_carriers_get_a_status_history(backend: Backend) {
    let (url, _guard) = empty_database(backend).await;
    let db = zaiti::store::connect(&url).await.expect("connect");
    migrate_until(&db, "m20261127_000021_create_carrier_status_change").await;
    let district_id = first_district(&db).await;
    insert_operators(&db, vec![operator_row(1)]).await;
    insert_carriers(
        &db,
        vec![
            carrier_row(1, "OPERATING", "2026-07-01", district_id),
            carrier_row(2, "PLANNED", "2025-05-10", district_id),
            carrier_row(3, "SUSPENDED", "2020-02-02", district_id),
        ],
    )
    .await;
    // Written as that schema had them: without the later void columns.
    let phases = [
        phase(1, 1, "2022-01-01"),
        phase(2, 1, "2019-03-01"),
        phase(3, 3, "2021-01-01"),
    ]
    .map(|row| {
        let mut row = row.into_active_model().reset_all();
        row.voided_at = NotSet;
        row.void_reason = NotSet;
        row
    });
    space_phase::Entity::insert_many(phases)
        .exec_without_returning(&db)
        .await
        .expect("phases");

    Migrator::up(&db, Some(1)).await.expect("dated status");
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

/// Enterprises registered before they had a custodian are given to the
/// operator of the carrier they moved into last; one never hosted has none.
async fn existing_enterprises_are_kept_by_their_last_host(backend: Backend) {
    use sea_orm::{ConnectionTrait, Statement};
    let (url, _guard) = empty_database(backend).await;
    let db = zaiti::store::connect(&url).await.expect("connect");
    migrate_until(&db, "m20261128_000022_trust").await;
    let district_id = first_district(&db).await;
    insert_operators(&db, vec![operator_row(1), operator_row(2)]).await;
    let mut second = carrier_row(2, "OPERATING", "2020-01-01", district_id);
    second.operator_id = 2;
    insert_carriers(
        &db,
        vec![
            carrier_row(1, "OPERATING", "2020-01-01", district_id),
            second,
        ],
    )
    .await;
    // Written as the schema stood then: no custodian column yet.
    for sql in [
        "INSERT INTO enterprise (id, uscc, name, founded_on, financing_raised_fen, version, created_at, updated_at) \
         VALUES (1, 'U1', '甲', '2019-01-01', 100, 1, '2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00'), \
                (2, 'U2', '乙', '2019-01-01', NULL, 1, '2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00')",
        "INSERT INTO tenancy (id, carrier_id, enterprise_id, area_m2, moved_in_on, moved_out_on, incubation_started_on, version, created_at, updated_at) \
         VALUES (1, 1, 1, 10, '2020-02-01', '2022-02-01', '2020-02-01', 1, '2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00'), \
                (2, 2, 1, 10, '2022-02-01', NULL, '2020-02-01', 1, '2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00')",
    ] {
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("rows as they stood");
    }

    Migrator::up(&db, Some(1)).await.expect("custodians");
    let kept: Vec<(i32, Option<i32>)> = entity::enterprise::Entity::find()
        .select_only()
        .column(entity::enterprise::Column::Id)
        .column(entity::enterprise::Column::CustodianOperatorId)
        .order_by_asc(entity::enterprise::Column::Id)
        .into_tuple()
        .all(&db)
        .await
        .expect("enterprises");
    assert_eq!(kept, [(1, Some(2)), (2, None)]);

    // Brought up to date, names written before the pinyin sort key get theirs.
    zaiti::store::migrate(&db).await.expect("every migration");
    let keys: Vec<(String, Option<String>)> = operator::Entity::find()
        .select_only()
        .column(operator::Column::Name)
        .column(operator::Column::NamePinyin)
        .into_tuple()
        .all(&db)
        .await
        .expect("operators");
    assert!(!keys.is_empty());
    for (name, key) in keys {
        assert_eq!(key, Some(zaiti::domain::text::pinyin_key(&name)), "{name}");
    }
}

/// Outbox events written before live updates read the outbox sort before
/// every later one: on PostgreSQL they get transaction id 0 and new rows the
/// id of their transaction; on SQLite the column stays null. A reader that
/// starts after the upgrade starts past them.
async fn existing_outbox_events_sort_first(backend: Backend) {
    use sea_orm::{ConnectionTrait, Statement};
    let (url, _guard) = empty_database(backend).await;
    let db = zaiti::store::connect(&url).await.expect("connect");
    migrate_until(&db, "m20261207_000038_outbox_tail").await;
    let insert = "INSERT INTO outbox_event (event_type, operation, entity_type, entity_id, \
                  audit_event_id, occurred_at, fanned_out) \
                  VALUES ('carrier.created', 'CREATE', 'Carrier', 1, 1, '2026-01-01 00:00:00+00:00', true)";
    let run =
        |sql: &'static str| db.execute_raw(Statement::from_string(db.get_database_backend(), sql));
    run(insert).await.expect("an event as it stood");
    zaiti::store::migrate(&db).await.expect("every migration");
    assert_eq!(
        zaiti::store::outbox::after(
            &db,
            zaiti::store::outbox::end(&db).await.expect("the end"),
            10
        )
        .await
        .expect("read"),
        [],
        "a reader starting now starts past the old event"
    );
    run(insert).await.expect("a new event");
    let tx_ids: Vec<Option<i64>> = entity::outbox_event::Entity::find()
        .select_only()
        .column(entity::outbox_event::Column::TxId)
        .order_by_asc(entity::outbox_event::Column::Id)
        .into_tuple()
        .all(&db)
        .await
        .expect("events");
    match backend {
        Backend::Postgres => {
            assert_eq!(tx_ids[0], Some(0));
            assert!(tx_ids[1].is_some_and(|id| id > 0), "{tx_ids:?}");
        }
        Backend::Sqlite => assert_eq!(tx_ids, [None, None]),
    }
}

mod sqlite {
    #[tokio::test]
    async fn existing_carriers_get_a_status_history() {
        super::existing_carriers_get_a_status_history(super::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn existing_enterprises_are_kept_by_their_last_host() {
        super::existing_enterprises_are_kept_by_their_last_host(super::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn existing_outbox_events_sort_first() {
        super::existing_outbox_events_sort_first(super::Backend::Sqlite).await;
    }
}

mod postgres {
    #[tokio::test]
    async fn existing_carriers_get_a_status_history() {
        super::existing_carriers_get_a_status_history(super::Backend::Postgres).await;
    }

    #[tokio::test]
    async fn existing_enterprises_are_kept_by_their_last_host() {
        super::existing_enterprises_are_kept_by_their_last_host(super::Backend::Postgres).await;
    }

    #[tokio::test]
    async fn existing_outbox_events_sort_first() {
        super::existing_outbox_events_sort_first(super::Backend::Postgres).await;
    }
}
