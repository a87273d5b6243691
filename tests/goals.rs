//! Progress toward the 2027 targets (issue 6), as a client meets it over
//! HTTP: every figure checked against sums computed independently from the
//! same records, breakdowns that add up, 五有 deciding the floor area, the
//! two kinds of time (`asOf`, `knownAt`) and the targets as configuration.
//! On SQLite and PostgreSQL.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use common::{Backend, TestApp, error_code, uscc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

/// The targets in the order of the action plan.
const CODES: [&str; 7] = [
    "NEW_FLOOR_AREA",
    "NEW_CITY_LEVEL_CARRIERS",
    "NEW_PROVINCIAL_INCUBATORS",
    "LANDMARK_COMPLEXES",
    "CARRIER_PLATFORMS",
    "OPERATING_TEAMS",
    "TECH_FIRMS_LANDED",
];

/// Targets whose parts belong to carriers (all but the landed enterprises).
const CARRIER_BASED: [&str; 6] = [
    "NEW_FLOOR_AREA",
    "NEW_CITY_LEVEL_CARRIERS",
    "NEW_PROVINCIAL_INCUBATORS",
    "LANDMARK_COMPLEXES",
    "CARRIER_PLATFORMS",
    "OPERATING_TEAMS",
];

const PERIOD_START: &str = "2024-01-01";
const PERIOD_END: &str = "2027-12-31";

const PROGRESS: &str = r#"
query($asOf: Date, $knownAt: DateTime) {
  goalProgress(asOf: $asOf, knownAt: $knownAt) {
    asOf knownAt periodStart periodEnd elapsedShare elapsedPercent
    targets {
      code unit unitZh descriptionZh planQuotes { clause text }
      target actual ratio ratioPercent expectedByPace onPace remaining
      neededPerRemainingYear annualTarget
      byDistrict { district { code } value }
      byKind { kind value }
      byYear { year value target }
      bySource { source value }
    }
  }
}"#;

const CONTRIBUTORS: &str = r#"
query($asOf: Date, $knownAt: DateTime, $code: TargetCode!, $first: Int, $after: String) {
  goalProgress(asOf: $asOf, knownAt: $knownAt) {
    target(code: $code) {
      code actual
      contributors(first: $first, after: $after) {
        totalCount
        edges { cursor node { value carrier { id } } }
        nodes { value carrier { id } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"#;

const FULLY_FUNCTIONAL: &str = r#"
query($on: Date!, $after: String) {
  carriers(first: 100, after: $after, filter: { fullyFunctional: true, complianceAsOf: $on }) {
    totalCount
    nodes { id }
    pageInfo { hasNextPage endCursor }
  }
}"#;

const STATUS_AND_COMPLIANCE: &str = r#"
query($on: Date!, $after: String) {
  carriers(first: 50, after: $after) {
    nodes { id statusOn(date: $on) compliance(asOf: $on) { fullyFunctional } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

const TARGETS: &str = "{ goalTargets { periodStart periodEnd newFloorAreaM2 newCityLevelCarriers \
    newProvincialIncubators landmarkComplexes carrierPlatforms operatingTeams techFirmsLanded \
    techFirmsLandedPerYear version } }";
const UPDATE_TARGETS: &str = "mutation($input: UpdateGoalTargetsInput!) { updateGoalTargets(input: $input) { \
    periodStart periodEnd newFloorAreaM2 newCityLevelCarriers newProvincialIncubators \
    landmarkComplexes carrierPlatforms operatingTeams techFirmsLanded techFirmsLandedPerYear version } }";

const REGISTER: &str =
    "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }";
const MOVE_IN: &str = "mutation($input: MoveInInput!) { moveIn(input: $input) { id } }";
const CREATE_PLATFORM: &str =
    "mutation($input: CreatePlatformInput!) { createPlatform(input: $input) { id version } }";
const CREATE_FUND: &str =
    "mutation($input: CreateFundInput!) { createFund(input: $input) { id version } }";
const UPDATE_FUND: &str =
    "mutation($input: UpdateFundInput!) { updateFund(input: $input) { id version closedOn } }";
const CREATE_TEAM: &str = "mutation($input: CreateOperatingTeamInput!) { createOperatingTeam(input: $input) { id version } }";
const RECOGNISE_TEAM: &str = "mutation($input: RecogniseProfessionalTeamInput!) { recogniseProfessionalTeam(input: $input) { id version professionalRecognisedOn } }";
const CREATE_FACILITY: &str =
    "mutation($input: CreateFacilityInput!) { createFacility(input: $input) { id version } }";
const COMPLIANCE: &str = "query($id: ID!, $on: Date!) { carrier(id: $id) { compliance(asOf: $on) { fullyFunctional failing } } }";

// ---------------------------------------------------------------- helpers

fn day(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|err| panic!("{text} is not a date: {err}"))
}

fn num(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} is not {expected} (± {tolerance})"
    );
}

/// `goalProgress` with every figure and breakdown (no contributors).
async fn progress(app: &TestApp, as_of: Option<&str>, known_at: Option<&str>) -> Value {
    app.data(PROGRESS, json!({ "asOf": as_of, "knownAt": known_at }))
        .await["goalProgress"]
        .clone()
}

/// The target `code` of a `goalProgress` answer.
fn target<'a>(progress: &'a Value, code: &str) -> &'a Value {
    progress["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets in {progress}"))
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("no target {code} in {progress}"))
}

/// Every contributor of target `code`, paging forward `page` at a time:
/// (carrier global ID, value) in the order served. Checks the pages agree
/// with each other and with `totalCount`.
async fn contributors(
    app: &TestApp,
    as_of: Option<&str>,
    known_at: Option<&str>,
    code: &str,
    page: usize,
) -> Vec<(String, f64)> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    for _ in 0..1000 {
        let data = app
            .data(
                CONTRIBUTORS,
                json!({ "asOf": as_of, "knownAt": known_at, "code": code,
                        "first": page, "after": after }),
            )
            .await;
        let target = &data["goalProgress"]["target"];
        assert_eq!(target["code"], code, "{data}");
        let connection = &target["contributors"];
        let count = connection["totalCount"].as_u64().expect("a totalCount");
        assert_eq!(
            *total.get_or_insert(count),
            count,
            "totalCount moved: {data}"
        );
        let nodes = connection["nodes"].as_array().expect("nodes");
        let edges = connection["edges"].as_array().expect("edges");
        assert!(nodes.len() <= page, "a page longer than asked: {data}");
        assert_eq!(nodes.len(), edges.len(), "{data}");
        for (node, edge) in nodes.iter().zip(edges) {
            assert_eq!(&edge["node"], node, "{data}");
            all.push((
                node["carrier"]["id"]
                    .as_str()
                    .expect("a carrier id")
                    .to_owned(),
                num(&node["value"]),
            ));
        }
        let info = &connection["pageInfo"];
        if let Some(last) = edges.last() {
            assert_eq!(info["endCursor"], last["cursor"], "{data}");
        }
        if info["hasNextPage"] != true {
            assert_eq!(all.len() as u64, count, "pages and totalCount disagree");
            return all;
        }
        assert_eq!(nodes.len(), page, "a short page before the last: {data}");
        after = Some(
            info["endCursor"]
                .as_str()
                .expect("an endCursor when more follow")
                .to_owned(),
        );
    }
    panic!("contributors of {code} never end");
}

/// The numeric id behind a carrier's global ID.
fn carrier_key(global_id: &str) -> i32 {
    zaiti::graphql::node::expect(
        "carrier",
        &async_graphql::ID(global_id.to_owned()),
        zaiti::graphql::node::NodeType::Carrier,
    )
    .unwrap_or_else(|err| panic!("{global_id} is not a carrier ID: {err:?}"))
}

async fn sql_rows(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    app.db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
}

async fn sql_count(app: &TestApp, sql: &str) -> f64 {
    let rows = sql_rows(app, sql).await;
    let n: i64 = rows[0]
        .try_get("", "n")
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
    n as f64
}

/// The last day counted on `as_of`: the date, or the period's end if earlier.
fn until(as_of: &str) -> String {
    day(as_of).min(day(PERIOD_END)).to_string()
}

/// The ids of the carriers that are operating and fully functional on `on`,
/// each judged on its own (`statusOn`, `compliance`), every page. The
/// carrier list's `fullyFunctional` filter, which reads tenants only for the
/// carriers meeting the other criteria, must pick the same carriers.
async fn fully_functional_operating(app: &TestApp, on: &str) -> BTreeSet<i32> {
    let (mut operating, mut functional) = (BTreeSet::new(), BTreeSet::new());
    for_every_page(app, STATUS_AND_COMPLIANCE, on, |node| {
        let id = carrier_key(node["id"].as_str().expect("an id"));
        if node["compliance"]["fullyFunctional"] == true {
            functional.insert(id);
            if node["statusOn"] == "OPERATING" {
                operating.insert(id);
            }
        }
    })
    .await;
    let mut filtered = BTreeSet::new();
    for_every_page(app, FULLY_FUNCTIONAL, on, |node| {
        filtered.insert(carrier_key(node["id"].as_str().expect("an id")));
    })
    .await;
    assert_eq!(filtered, functional, "the fullyFunctional filter on {on}");
    operating
}

/// Runs carrier-list `query` for date `on` page by page, handing each node to `visit`.
async fn for_every_page(app: &TestApp, query: &str, on: &str, mut visit: impl FnMut(&Value)) {
    let mut after: Option<String> = None;
    loop {
        let data = app.data(query, json!({ "on": on, "after": after })).await;
        let carriers = &data["carriers"];
        carriers["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .for_each(&mut visit);
        if carriers["pageInfo"]["hasNextPage"] != true {
            return;
        }
        after = carriers["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
}

/// Floor area delivered in the period up to `as_of` by the carriers in
/// `ids`, summed per value of `space_phase.column` (e.g. `carrier_id`, `source`).
async fn area_by<K: Ord + sea_orm::TryGetable>(
    app: &TestApp,
    ids: &BTreeSet<i32>,
    as_of: &str,
    column: &str,
) -> BTreeMap<K, f64> {
    if ids.is_empty() {
        return BTreeMap::new();
    }
    let list = ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT {column}, SUM(area_m2) AS a FROM space_phase \
         WHERE carrier_id IN ({list}) AND delivered_on >= '{PERIOD_START}' AND delivered_on <= '{}' \
         AND voided_at IS NULL \
         GROUP BY {column}",
        until(as_of)
    );
    sql_rows(app, &sql)
        .await
        .iter()
        .map(|row| {
            (
                row.try_get::<K>("", column).expect("the grouped column"),
                row.try_get::<f64>("", "a").expect("a sum"),
            )
        })
        .collect()
}

/// Enterprises landed in the period up to `as_of`, per year, in year order.
async fn landed_by_year(app: &TestApp, as_of: &str) -> Vec<(i64, f64)> {
    let year = match app.backend {
        Backend::Sqlite => "CAST(substr(landed_on, 1, 4) AS INTEGER)",
        Backend::Postgres => "CAST(EXTRACT(YEAR FROM landed_on) AS INTEGER)",
    };
    let sql = format!(
        "SELECT {year} AS y, COUNT(*) AS n FROM enterprise \
         WHERE landed_on >= '{PERIOD_START}' AND landed_on <= '{}' \
         GROUP BY {year} ORDER BY {year}",
        until(as_of)
    );
    sql_rows(app, &sql)
        .await
        .iter()
        .map(|row| {
            (
                i64::from(row.try_get::<i32>("", "y").expect("a year")),
                row.try_get::<i64>("", "n").expect("a count") as f64,
            )
        })
        .collect()
}

/// The actual value of every target but the floor area on `as_of`, counted
/// in SQL straight from the tables by the counting rules of docs/design.md.
async fn counted_in_sql(app: &TestApp, as_of: &str) -> BTreeMap<&'static str, f64> {
    let until = until(as_of);
    let first_recognised = |kinds: &str, levels: &str| {
        format!(
            "SELECT COUNT(*) AS n FROM (\
               SELECT r.carrier_id, MIN(r.recognised_on) AS first_on \
               FROM level_recognition r JOIN carrier c ON c.id = r.carrier_id \
               WHERE c.kind IN ({kinds}) AND r.level IN ({levels}) AND r.recognised_on <= '{as_of}' \
               AND r.voided_at IS NULL \
               GROUP BY r.carrier_id) f \
             WHERE f.first_on >= '{PERIOD_START}' AND f.first_on <= '{until}'"
        )
    };
    let mut counts = BTreeMap::new();
    counts.insert(
        "NEW_CITY_LEVEL_CARRIERS",
        sql_count(
            app,
            &first_recognised("'MAKERSPACE','INCUBATOR'", "'CITY','PROVINCIAL','NATIONAL'"),
        )
        .await,
    );
    counts.insert(
        "NEW_PROVINCIAL_INCUBATORS",
        sql_count(
            app,
            &first_recognised("'INCUBATOR'", "'PROVINCIAL','NATIONAL'"),
        )
        .await,
    );
    counts.insert(
        "LANDMARK_COMPLEXES",
        sql_count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM carrier c \
                 WHERE c.kind = 'SCIENCE_COMPLEX' AND c.landmark = TRUE \
                 AND (SELECT s.status FROM carrier_status_change s \
                      WHERE s.carrier_id = c.id AND s.effective_on <= '{as_of}' \
                      ORDER BY s.effective_on DESC LIMIT 1) = 'OPERATING' \
                 AND EXISTS (SELECT 1 FROM space_phase p \
                             WHERE p.carrier_id = c.id AND p.delivered_on <= '{as_of}' \
                             AND p.voided_at IS NULL)"
            ),
        )
        .await,
    );
    counts.insert(
        "CARRIER_PLATFORMS",
        sql_count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM platform p JOIN carrier c ON c.id = p.carrier_id \
                 WHERE p.opened_on >= '{PERIOD_START}' AND p.opened_on <= '{until}' \
                 AND (p.closed_on IS NULL OR p.closed_on > '{as_of}')"
            ),
        )
        .await,
    );
    counts.insert(
        "OPERATING_TEAMS",
        sql_count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM operating_team t JOIN carrier c ON c.id = t.carrier_id \
                 WHERE t.professional_recognised_on >= '{PERIOD_START}' \
                 AND t.professional_recognised_on <= '{until}'"
            ),
        )
        .await,
    );
    counts.insert(
        "TECH_FIRMS_LANDED",
        sql_count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM enterprise \
                 WHERE landed_on >= '{PERIOD_START}' AND landed_on <= '{until}'"
            ),
        )
        .await,
    );
    counts
}

async fn mutate(app: &TestApp, query: &str, field: &str, input: Value) -> Value {
    app.data(query, json!({ "input": input })).await[field].clone()
}

fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_owned()
}

/// A carrier that meets all five of 五有 with defaults from the later of
/// 2024-01-15 and the delivery of its first phase `(area, delivered on,
/// source)`: one IOT tenant (moved in on that delivery) in an IOT-led
/// carrier, a platform, a fund, a team of one staff member and one mentor,
/// a roadshow space and a canteen.
struct Functional {
    carrier: String,
    fund: Value,
    team: Value,
}

async fn functional_carrier(
    app: &TestApp,
    operator: &str,
    district: &str,
    name: &str,
    kind: &str,
    n: u32,
    (area, delivered_on, source): (f64, &str, &str),
) -> Functional {
    let carrier = app
        .create_carrier(
            operator,
            district,
            // Operating since it opened, with its first delivery.
            json!({ "name": name, "kind": kind, "leadingIndustries": ["IOT"],
                    "statusSince": delivered_on }),
        )
        .await;
    app.add_phase(&carrier, area, delivered_on, source).await;
    let founded = day(delivered_on) - chrono::Days::new(365);
    let enterprise = mutate(
        app,
        REGISTER,
        "registerEnterprise",
        json!({ "uscc": uscc(n), "name": format!("{name}在孵企业"), "foundedOn": founded,
                "industry": "IOT" }),
    )
    .await;
    mutate(
        app,
        MOVE_IN,
        "moveIn",
        json!({ "carrierId": carrier, "enterpriseId": id_of(&enterprise), "areaM2": 120.0,
                "movedInOn": delivered_on }),
    )
    .await;
    mutate(
        app,
        CREATE_PLATFORM,
        "createPlatform",
        json!({ "carrierId": carrier, "name": "检验检测平台", "kind": "TESTING_INSPECTION",
                "openedOn": "2024-01-15" }),
    )
    .await;
    let fund = mutate(
        app,
        CREATE_FUND,
        "createFund",
        json!({ "name": format!("{name}天使基金"), "manager": "无锡创投", "size": "20000000",
                "establishedOn": "2024-01-01", "carrierIds": [carrier] }),
    )
    .await;
    let team = mutate(
        app,
        CREATE_TEAM,
        "createOperatingTeam",
        json!({ "carrierId": carrier, "name": "运营团队", "staffCount": 1, "mentorCount": 1,
                "formedOn": "2024-01-01" }),
    )
    .await;
    for kind in ["SHARED_MEETING_ROADSHOW", "CANTEEN"] {
        mutate(
            app,
            CREATE_FACILITY,
            "createFacility",
            json!({ "carrierId": carrier, "kind": kind, "openedOn": "2024-01-01" }),
        )
        .await;
    }
    let compliance = app
        .data(COMPLIANCE, json!({ "id": carrier, "on": "2025-06-30" }))
        .await;
    assert_eq!(
        compliance["carrier"]["compliance"],
        json!({ "fullyFunctional": true, "failing": [] }),
        "the test's carrier {name} is not fully functional"
    );
    Functional {
        carrier,
        fund,
        team,
    }
}

/// The items of list `value`, sorted by their string field `key`.
fn sorted(value: &Value, key: &str) -> Vec<Value> {
    let mut items = value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .clone();
    items.sort_by_key(|item| item[key].as_str().map(str::to_owned));
    items
}

/// Waits past the second, so audit timestamps before and after differ.
async fn tick() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

// ---------------------------------------------------------------- 1

/// On the demo portfolio, each target's actual value on several dates equals
/// a figure counted independently from the same records.
async fn demo_progress_matches_sums_counted_from_the_records(app: TestApp) {
    app.load_demo().await;
    let today = progress(&app, None, None).await;
    let today = today["asOf"].as_str().expect("an asOf").to_owned();
    let mut nonzero = BTreeSet::new();
    for as_of in ["2024-06-30", "2025-12-31", today.as_str(), "2028-06-30"] {
        let answer = progress(&app, Some(as_of), None).await;
        assert_eq!(answer["asOf"], as_of, "{answer}");
        assert_eq!(answer["knownAt"], Value::Null);
        assert_eq!(
            (&answer["periodStart"], &answer["periodEnd"]),
            (&json!(PERIOD_START), &json!(PERIOD_END))
        );
        let codes: Vec<&Value> = answer["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .map(|t| &t["code"])
            .collect();
        assert_eq!(codes, CODES, "every target, in the action plan's order");

        let expected = counted_in_sql(&app, as_of).await;
        for (code, count) in &expected {
            let actual = num(&target(&answer, code)["actual"]);
            assert_eq!(actual, *count, "{code} on {as_of}");
            if actual > 0.0 {
                nonzero.insert(*code);
            }
        }

        // Floor area: the carriers the list calls operating and fully
        // functional on the date, their phases delivered in the period.
        let functional = fully_functional_operating(&app, as_of).await;
        let areas = area_by::<i32>(&app, &functional, as_of, "carrier_id").await;
        let total: f64 = areas.values().sum();
        let floor = target(&answer, "NEW_FLOOR_AREA");
        assert_close(
            num(&floor["actual"]),
            total,
            0.01,
            &format!("NEW_FLOOR_AREA on {as_of}"),
        );
        if total > 0.0 {
            nonzero.insert("NEW_FLOOR_AREA");
        }
        // ... and carrier by carrier.
        let served = contributors(&app, Some(as_of), None, "NEW_FLOOR_AREA", 100).await;
        let served: BTreeMap<i32, f64> = served
            .into_iter()
            .map(|(id, value)| (carrier_key(&id), value))
            .collect();
        assert_eq!(
            served.keys().collect::<Vec<_>>(),
            areas.keys().collect::<Vec<_>>(),
            "the carriers contributing floor area on {as_of}"
        );
        for (id, area) in &areas {
            assert_close(
                served[id],
                *area,
                0.01,
                &format!("carrier {id}'s floor area on {as_of}"),
            );
        }
        // ... and source by source.
        let by_source: Vec<(String, f64)> = floor["bySource"]
            .as_array()
            .expect("bySource")
            .iter()
            .map(|s| {
                (
                    s["source"].as_str().expect("a source").to_owned(),
                    num(&s["value"]),
                )
            })
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect();
        let sources = area_by::<String>(&app, &functional, as_of, "source").await;
        assert_eq!(
            by_source.iter().map(|(s, _)| s).collect::<Vec<_>>(),
            sources.keys().collect::<Vec<_>>(),
            "the sources of the floor area on {as_of}"
        );
        for (source, value) in &by_source {
            assert_close(
                *value,
                sources[source],
                0.01,
                &format!("{source} floor area on {as_of}"),
            );
        }

        // Landed enterprises, year by year.
        let landed: Vec<(i64, f64)> = target(&answer, "TECH_FIRMS_LANDED")["byYear"]
            .as_array()
            .expect("byYear")
            .iter()
            .map(|y| (y["year"].as_i64().expect("a year"), num(&y["value"])))
            .collect();
        assert_eq!(
            landed,
            landed_by_year(&app, as_of).await,
            "TECH_FIRMS_LANDED by year on {as_of}"
        );
    }

    // What is known now is what the live figures say: the audit trail
    // rebuilds the whole demo portfolio.
    let now = Utc::now().to_rfc3339();
    for as_of in ["2024-06-30", "2025-12-31"] {
        let mut live = progress(&app, Some(as_of), None).await;
        let mut known = progress(&app, Some(as_of), Some(&now)).await;
        assert_ne!(known["knownAt"], Value::Null);
        live["knownAt"] = Value::Null;
        known["knownAt"] = Value::Null;
        assert_eq!(known, live, "figures as known now on {as_of}");
    }
    // The demo gives every target something to count on some date, so
    // none of the comparisons above is between two zeros only.
    assert_eq!(
        nonzero.into_iter().collect::<Vec<_>>(),
        {
            let mut all = CODES.to_vec();
            all.sort_unstable();
            all
        },
        "targets with a non-zero figure on some date"
    );
}

// ---------------------------------------------------------------- 2

/// Each breakdown of each target adds up to its actual value, the
/// contributors too, and the pace fields follow from the target and the date.
async fn breakdowns_and_contributors_add_up_and_the_pace_follows(app: TestApp) {
    app.load_demo().await;
    for as_of in [
        Some("2024-06-30"),
        Some("2025-12-31"),
        None,
        Some("2027-12-31"),
    ] {
        let answer = progress(&app, as_of, None).await;
        let on = day(answer["asOf"].as_str().expect("an asOf"));
        let (start, end) = (day(PERIOD_START), day(PERIOD_END));
        let share = if on < start {
            0.0
        } else if on >= end {
            1.0
        } else {
            ((on - start).num_days() + 1) as f64 / ((end - start).num_days() + 1) as f64
        };
        assert_close(num(&answer["elapsedShare"]), share, 1e-9, "elapsedShare");
        assert_eq!(
            num(&answer["elapsedPercent"]),
            (share * 10_000.0).round() / 100.0,
            "elapsedPercent"
        );

        for code in CODES {
            let t = target(&answer, code);
            let what = |field: &str| format!("{code}.{field} on {on}");
            let actual = num(&t["actual"]);
            let goal = num(&t["target"]);

            // By year: years of the period, up to the date, adding up.
            let by_year = t["byYear"].as_array().expect("byYear");
            let years: Vec<i64> = by_year
                .iter()
                .map(|y| y["year"].as_i64().expect("a year"))
                .collect();
            assert!(
                years.windows(2).all(|w| w[0] < w[1]),
                "{}: {years:?}",
                what("byYear")
            );
            // Landmark complexes count whenever built; the rest in the period.
            let first_year = if code == "LANDMARK_COMPLEXES" {
                i64::MIN
            } else {
                2024
            };
            let last_year = i64::from(chrono::Datelike::year(&on.min(end)));
            assert!(
                years.iter().all(|&y| (first_year..=last_year).contains(&y)),
                "{}: {years:?}",
                what("byYear")
            );
            let year_sum: f64 = by_year.iter().map(|y| num(&y["value"])).sum();
            assert_close(year_sum, actual, 0.01, &what("byYear sum"));
            let annual = if code == "TECH_FIRMS_LANDED" {
                json!(10000.0)
            } else {
                Value::Null
            };
            assert_eq!(t["annualTarget"], annual, "{}", what("annualTarget"));
            assert!(
                by_year.iter().all(|y| y["target"] == annual),
                "{}",
                what("byYear.target")
            );

            // By kind, by district, by carrier.
            let kind_sum: f64 = t["byKind"]
                .as_array()
                .expect("byKind")
                .iter()
                .map(|k| num(&k["value"]))
                .sum();
            let district_sum: f64 = t["byDistrict"]
                .as_array()
                .expect("byDistrict")
                .iter()
                .map(|d| num(&d["value"]))
                .sum();
            let served = contributors(&app, as_of, None, code, 40).await;
            let served_sum: f64 = served.iter().map(|(_, v)| v).sum();
            if CARRIER_BASED.contains(&code) {
                assert_close(kind_sum, actual, 0.01, &what("byKind sum"));
                assert_close(district_sum, actual, 0.01, &what("byDistrict sum"));
                assert_close(served_sum, actual, 0.01, &what("contributors sum"));
                let distinct: BTreeSet<&String> = served.iter().map(|(id, _)| id).collect();
                assert_eq!(distinct.len(), served.len(), "{}", what("contributors"));
                assert!(
                    served.windows(2).all(|w| w[0].1 >= w[1].1),
                    "{}: largest part first",
                    what("contributors")
                );
            } else {
                // Landed enterprises belong to no carrier.
                assert_eq!(t["byKind"], json!([]), "{}", what("byKind"));
                assert_eq!(t["byDistrict"], json!([]), "{}", what("byDistrict"));
                assert!(served.is_empty(), "{}", what("contributors"));
            }
            let source_sum: f64 = t["bySource"]
                .as_array()
                .expect("bySource")
                .iter()
                .map(|s| num(&s["value"]))
                .sum();
            if code == "NEW_FLOOR_AREA" {
                assert_eq!(t["unit"], "m²");
                assert_close(source_sum, actual, 0.01, &what("bySource sum"));
            } else {
                assert_eq!(t["bySource"], json!([]), "{}", what("bySource"));
            }

            // The pace.
            let expected = goal * share;
            assert_close(
                num(&t["expectedByPace"]),
                expected,
                0.01,
                &what("expectedByPace"),
            );
            assert_close(
                num(&t["remaining"]),
                (goal - actual).max(0.0),
                0.01,
                &what("remaining"),
            );
            assert_close(num(&t["ratio"]), actual / goal, 1e-9, &what("ratio"));
            assert_eq!(
                num(&t["ratioPercent"]),
                (actual / goal * 10_000.0).round() / 100.0,
                "{}",
                what("ratioPercent")
            );
            // The plan's words, quoted from its sentences, in its units.
            let words = t["descriptionZh"].as_str().expect("descriptionZh");
            let quotes = t["planQuotes"].as_array().expect("planQuotes");
            assert!(
                quotes.iter().any(|quote| quote["text"]
                    .as_str()
                    .is_some_and(|text| text.contains(words))),
                "{}",
                what("descriptionZh")
            );
            assert!(words.contains(t["unitZh"].as_str().expect("unitZh")));
            if code == "NEW_FLOOR_AREA" {
                assert_eq!(words, "新增功能完备的孵化载体面积300万平方米以上");
                assert_eq!(t["unitZh"], "平方米");
            }
            if actual > expected + 0.01 {
                assert_eq!(t["onPace"], true, "{}", what("onPace"));
            } else if actual < expected - 0.01 {
                assert_eq!(t["onPace"], false, "{}", what("onPace"));
            }
            if on < end {
                let years_left = (end - on).num_days() as f64 / 365.2425;
                assert_close(
                    num(&t["neededPerRemainingYear"]),
                    (goal - actual).max(0.0) / years_left,
                    0.01,
                    &what("neededPerRemainingYear"),
                );
            } else {
                assert_eq!(
                    t["neededPerRemainingYear"],
                    Value::Null,
                    "{}",
                    what("neededPerRemainingYear")
                );
            }
        }
    }
}

// ---------------------------------------------------------------- 3

/// A carrier whose fund is wound up on 2025-07-01 stops counting toward the
/// floor area from that day; one that stays fully functional keeps counting.
async fn a_carrier_that_loses_its_fund_drops_out_of_the_floor_area(app: TestApp) {
    let operator = app.create_operator("新吴科创载体运营公司", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let binhu = app.district_id("binhu").await;
    // 800 m² delivered before the period (never counted), 5,000 m² in it.
    let leaving = functional_carrier(
        &app,
        &operator,
        &xinwu,
        "物联网孵化器",
        "INCUBATOR",
        11,
        (800.0, "2023-06-01", "NEW_BUILD"),
    )
    .await;
    app.add_phase(&leaving.carrier, 5000.0, "2024-03-01", "NEW_BUILD")
        .await;
    let staying = functional_carrier(
        &app,
        &operator,
        &binhu,
        "滨湖众创空间",
        "MAKERSPACE",
        12,
        (2000.0, "2024-09-01", "URBAN_RENEWAL"),
    )
    .await;
    // A fully functional carrier counts only while it operates: it was
    // suspended from 2025-01-01.
    let suspended = functional_carrier(
        &app,
        &operator,
        &xinwu,
        "停运加速器",
        "ACCELERATOR",
        13,
        (3000.0, "2024-04-01", "INDUSTRIAL_HIGH_RISE"),
    )
    .await;
    let version = app
        .data(
            "query($id: ID!) { carrier(id: $id) { version } }",
            json!({ "id": suspended.carrier }),
        )
        .await["carrier"]["version"]
        .clone();
    let updated = app
        .data(
            "mutation($input: UpdateCarrierInput!) { updateCarrier(input: $input) { status \
             statusHistory { effectiveOn status } before: statusOn(date: \"2024-12-31\") \
             from: statusOn(date: \"2025-01-01\") } }",
            json!({ "input": { "id": suspended.carrier, "version": version, "status": "SUSPENDED",
                               "statusSince": "2025-01-01" } }),
        )
        .await;
    assert_eq!(
        updated["updateCarrier"],
        json!({ "status": "SUSPENDED",
                "statusHistory": [{ "effectiveOn": "2024-04-01", "status": "OPERATING" },
                                  { "effectiveOn": "2025-01-01", "status": "SUSPENDED" }],
                "before": "OPERATING", "from": "SUSPENDED" })
    );
    let operating = progress(&app, Some("2024-12-31"), None).await;
    assert_eq!(
        target(&operating, "NEW_FLOOR_AREA")["actual"],
        5000.0 + 2000.0 + 3000.0,
        "all three operate and are fully functional on 2024-12-31"
    );

    let closed = mutate(
        &app,
        UPDATE_FUND,
        "updateFund",
        json!({ "id": leaving.fund["id"], "version": leaving.fund["version"],
                "closedOn": "2025-07-01" }),
    )
    .await;
    assert_eq!(closed["closedOn"], "2025-07-01");

    let before = progress(&app, Some("2025-06-30"), None).await;
    let floor = target(&before, "NEW_FLOOR_AREA");
    assert_eq!(floor["actual"], 7000.0, "{floor}");
    assert_eq!(
        floor["bySource"],
        json!([{ "source": "NEW_BUILD", "value": 5000.0 },
               { "source": "URBAN_RENEWAL", "value": 2000.0 }])
    );
    assert_eq!(
        floor["byYear"],
        json!([{ "year": 2024, "value": 7000.0, "target": null }])
    );
    assert_eq!(
        sorted(&floor["byKind"], "kind"),
        sorted(
            &json!([{ "kind": "INCUBATOR", "value": 5000.0 },
                    { "kind": "MAKERSPACE", "value": 2000.0 }]),
            "kind"
        )
    );
    let mut districts: Vec<(String, f64)> = floor["byDistrict"]
        .as_array()
        .expect("byDistrict")
        .iter()
        .map(|d| {
            (
                d["district"]["code"].as_str().expect("a code").to_owned(),
                num(&d["value"]),
            )
        })
        .collect();
    districts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        districts,
        [("binhu".to_owned(), 2000.0), ("xinwu".to_owned(), 5000.0)]
    );
    assert_eq!(
        contributors(&app, Some("2025-06-30"), None, "NEW_FLOOR_AREA", 1).await,
        [
            (leaving.carrier.clone(), 5000.0),
            (staying.carrier.clone(), 2000.0)
        ]
    );

    let after = progress(&app, Some("2025-07-01"), None).await;
    let floor = target(&after, "NEW_FLOOR_AREA");
    assert_eq!(floor["actual"], 2000.0, "{floor}");
    assert_eq!(
        floor["bySource"],
        json!([{ "source": "URBAN_RENEWAL", "value": 2000.0 }])
    );
    assert_eq!(
        floor["byKind"],
        json!([{ "kind": "MAKERSPACE", "value": 2000.0 }])
    );
    assert_eq!(
        floor["byDistrict"],
        json!([{ "district": { "code": "binhu" }, "value": 2000.0 }])
    );
    assert_eq!(
        contributors(&app, Some("2025-07-01"), None, "NEW_FLOOR_AREA", 10).await,
        [(staying.carrier.clone(), 2000.0)]
    );
    assert_eq!(floor["remaining"], 3_000_000.0 - 2000.0);
    // Contributors page only with cursors the API issued and sizes it allows.
    for (args, field) in [
        ("first: 5, after: \"garbage\"", "after"),
        ("first: 101", "first"),
    ] {
        // The oversized page is refused before anything runs (HTTP 400 under
        // graphql-response+json), the garbage cursor as it is read.
        let body = app
            .graphql_raw(&format!(
                "{{ goalProgress(asOf: \"2025-07-01\") {{ target(code: NEW_FLOOR_AREA) {{ \
                 contributors({args}) {{ totalCount }} }} }} }}"
            ))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }

    // Before the 5,000 m² phase was delivered, only what had been.
    let early = progress(&app, Some("2024-02-29"), None).await;
    assert_eq!(target(&early, "NEW_FLOOR_AREA")["actual"], 0.0);
    let delivered = progress(&app, Some("2024-03-01"), None).await;
    assert_eq!(target(&delivered, "NEW_FLOOR_AREA")["actual"], 5000.0);
    // Three platforms open from 2024-01-15, none before.
    assert_eq!(target(&delivered, "CARRIER_PLATFORMS")["actual"], 3.0);
    assert_eq!(target(&early, "CARRIER_PLATFORMS")["actual"], 3.0);
    let january = progress(&app, Some("2024-01-14"), None).await;
    assert_eq!(target(&january, "CARRIER_PLATFORMS")["actual"], 0.0);
}

// ---------------------------------------------------------------- 4

/// `knownAt` reproduces the figures as they were known at a moment: a late,
/// backdated phase and a later change to a fund are left out.
async fn known_at_reproduces_the_figures_before_late_entries(app: TestApp) {
    let operator = app.create_operator("惠山科创载体运营公司", 2).await;
    let huishan = app.district_id("huishan").await;
    let built = functional_carrier(
        &app,
        &operator,
        &huishan,
        "惠山孵化器",
        "INCUBATOR",
        21,
        (3000.0, "2024-02-01", "NEW_BUILD"),
    )
    .await;

    tick().await;
    let t1 = Utc::now().to_rfc3339();
    tick().await;

    // Late entries: a backdated phase, the fund wound up on 2024-12-31, a
    // second platform opened on 2024-03-01, the team recognised on 2024-06-01.
    app.add_phase(
        &built.carrier,
        1000.0,
        "2024-05-01",
        "IDLE_FACTORY_RENOVATION",
    )
    .await;
    mutate(
        &app,
        UPDATE_FUND,
        "updateFund",
        json!({ "id": built.fund["id"], "version": built.fund["version"],
                "closedOn": "2024-12-31" }),
    )
    .await;
    mutate(
        &app,
        CREATE_PLATFORM,
        "createPlatform",
        json!({ "carrierId": built.carrier, "name": "中试平台", "kind": "PILOT_PLANT",
                "openedOn": "2024-03-01" }),
    )
    .await;
    mutate(
        &app,
        RECOGNISE_TEAM,
        "recogniseProfessionalTeam",
        json!({ "id": built.team["id"], "version": built.team["version"],
                "recognisedOn": "2024-06-01" }),
    )
    .await;

    // As known at t1: still fully functional, only the first phase.
    let known = progress(&app, Some("2025-06-30"), Some(&t1)).await;
    // Sent in China Standard Time with a fraction of a second: the same
    // figures, and the moment echoed in the offset it was sent in, to the second.
    let china = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let t1_china = chrono::DateTime::parse_from_rfc3339(&t1)
        .expect("an RFC 3339 moment")
        .with_timezone(&china);
    let known_china = progress(&app, Some("2025-06-30"), Some(&t1_china.to_rfc3339())).await;
    assert_eq!(
        known_china["knownAt"],
        t1_china.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "knownAt echoed"
    );
    assert!(
        known_china["knownAt"]
            .as_str()
            .expect("a knownAt")
            .ends_with("+08:00")
    );
    assert_eq!(known_china["targets"], known["targets"]);
    let floor = target(&known, "NEW_FLOOR_AREA");
    assert_eq!(floor["actual"], 3000.0, "as known at {t1}: {floor}");
    assert_eq!(
        floor["bySource"],
        json!([{ "source": "NEW_BUILD", "value": 3000.0 }])
    );
    assert_eq!(target(&known, "CARRIER_PLATFORMS")["actual"], 1.0);
    assert_eq!(target(&known, "OPERATING_TEAMS")["actual"], 0.0);
    assert_eq!(
        contributors(&app, Some("2025-06-30"), Some(&t1), "NEW_FLOOR_AREA", 10).await,
        [(built.carrier.clone(), 3000.0)]
    );

    // As known now: the fund closed on 2024-12-31, so the carrier is out.
    let now = progress(&app, Some("2025-06-30"), None).await;
    assert_eq!(target(&now, "NEW_FLOOR_AREA")["actual"], 0.0, "{now}");
    assert_eq!(target(&now, "NEW_FLOOR_AREA")["bySource"], json!([]));
    assert_eq!(target(&now, "CARRIER_PLATFORMS")["actual"], 2.0);
    assert_eq!(target(&now, "OPERATING_TEAMS")["actual"], 1.0);

    // Mid-2024 the fund still served: both phases now, one as known at t1.
    let now = progress(&app, Some("2024-06-30"), None).await;
    let floor = target(&now, "NEW_FLOOR_AREA");
    assert_eq!(floor["actual"], 4000.0, "{floor}");
    assert_eq!(
        sorted(&floor["bySource"], "source"),
        sorted(
            &json!([{ "source": "IDLE_FACTORY_RENOVATION", "value": 1000.0 },
                    { "source": "NEW_BUILD", "value": 3000.0 }]),
            "source"
        )
    );
    let known = progress(&app, Some("2024-06-30"), Some(&t1)).await;
    assert_eq!(target(&known, "NEW_FLOOR_AREA")["actual"], 3000.0);

    // The future is not known yet.
    let future = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let body = app
        .graphql(PROGRESS, json!({ "asOf": "2025-06-30", "knownAt": future }))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");

    // A target changed after t1 is taken at its value then.
    let changed = mutate(
        &app,
        UPDATE_TARGETS,
        "updateGoalTargets",
        json!({ "version": 0, "newFloorAreaM2": 2_500_000.0 }),
    )
    .await;
    assert_eq!(changed["newFloorAreaM2"], 2_500_000.0);
    let known = progress(&app, Some("2025-06-30"), Some(&t1)).await;
    assert_eq!(target(&known, "NEW_FLOOR_AREA")["target"], 3_000_000.0);
    assert_eq!(target(&known, "NEW_FLOOR_AREA")["remaining"], 2_997_000.0);
    let now = progress(&app, Some("2025-06-30"), None).await;
    assert_eq!(target(&now, "NEW_FLOOR_AREA")["target"], 2_500_000.0);
    tick().await;
    let t2 = Utc::now().to_rfc3339();
    let known = progress(&app, Some("2025-06-30"), Some(&t2)).await;
    let floor = target(&known, "NEW_FLOOR_AREA");
    assert_eq!(
        (&floor["target"], &floor["actual"]),
        (&json!(2_500_000.0), &json!(0.0)),
        "as known at {t2}, after every change"
    );
    assert_eq!(target(&known, "CARRIER_PLATFORMS")["actual"], 2.0);
}

/// Setting a carrier's geometry is a change to the carrier like any other:
/// the figures as known after it are the live ones, leading industries and
/// all (the 五有 check reads them from the carrier's audit snapshot).
async fn known_at_after_a_geometry_change_keeps_the_carrier_whole(app: TestApp) {
    let operator = app.create_operator("滨湖科创载体运营公司", 4).await;
    let binhu = app.district_id("binhu").await;
    let built = functional_carrier(
        &app,
        &operator,
        &binhu,
        "太湖湾孵化器",
        "INCUBATOR",
        41,
        (2500.0, "2024-02-01", "NEW_BUILD"),
    )
    .await;
    let version = app
        .data(
            "query($id: ID!) { carrier(id: $id) { version } }",
            json!({ "id": built.carrier }),
        )
        .await["carrier"]["version"]
        .clone();
    app.data(
        "mutation($input: SetCarrierGeometryInput!) { setCarrierGeometry(input: $input) { id } }",
        json!({ "input": { "id": built.carrier, "version": version,
                           "location": { "type": "Point", "coordinates": [120.30, 31.50] } } }),
    )
    .await;
    tick().await;
    let now = Utc::now().to_rfc3339();
    let live = progress(&app, Some("2025-06-30"), None).await;
    assert_eq!(target(&live, "NEW_FLOOR_AREA")["actual"], 2500.0);
    let known = progress(&app, Some("2025-06-30"), Some(&now)).await;
    assert_eq!(
        target(&known, "NEW_FLOOR_AREA")["actual"],
        2500.0,
        "as known at {now}, after the carrier's location was set: {}",
        target(&known, "NEW_FLOOR_AREA")
    );
}

// ---------------------------------------------------------------- 5

/// The targets are configuration: the action plan's figures by default,
/// changed by an ADMIN only, versioned, validated and audited.
async fn targets_are_configuration_an_admin_changes(app: TestApp) {
    let defaults = app.data(TARGETS, json!({})).await["goalTargets"].clone();
    assert_eq!(
        defaults,
        json!({
            "periodStart": "2024-01-01", "periodEnd": "2027-12-31",
            "newFloorAreaM2": 3_000_000.0, "newCityLevelCarriers": 200,
            "newProvincialIncubators": 20, "landmarkComplexes": 10, "carrierPlatforms": 50,
            "operatingTeams": 10, "techFirmsLanded": 40000, "techFirmsLandedPerYear": 10000,
            "version": 0
        })
    );
    let answer = progress(&app, Some("2025-12-31"), None).await;
    let targets: Vec<(&Value, &Value)> = answer["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| (&t["code"], &t["target"]))
        .collect();
    assert_eq!(
        targets,
        [
            (&json!("NEW_FLOOR_AREA"), &json!(3_000_000.0)),
            (&json!("NEW_CITY_LEVEL_CARRIERS"), &json!(200.0)),
            (&json!("NEW_PROVINCIAL_INCUBATORS"), &json!(20.0)),
            (&json!("LANDMARK_COMPLEXES"), &json!(10.0)),
            (&json!("CARRIER_PLATFORMS"), &json!(50.0)),
            (&json!("OPERATING_TEAMS"), &json!(10.0)),
            (&json!("TECH_FIRMS_LANDED"), &json!(40000.0)),
        ]
    );

    // Nobody but an ADMIN may change them.
    let operator = app.create_operator("梁溪载体运营公司", 3).await;
    let refused = [
        app.token("operator", Role::Operator, Some(&operator)).await,
        app.token("viewer", Role::Viewer, None).await,
        app.token("bureau", Role::Bureau, None).await,
    ];
    for secret in &refused {
        let body = app
            .graphql_as(
                secret,
                UPDATE_TARGETS,
                json!({ "input": { "version": 0, "newCityLevelCarriers": 1 } }),
            )
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    assert_eq!(
        app.data(TARGETS, json!({})).await["goalTargets"],
        defaults,
        "a refused change changed nothing"
    );

    let changed = mutate(
        &app,
        UPDATE_TARGETS,
        "updateGoalTargets",
        json!({ "version": 0, "newCityLevelCarriers": 250 }),
    )
    .await;
    let mut want = defaults.clone();
    want["newCityLevelCarriers"] = json!(250);
    want["version"] = json!(1);
    assert_eq!(changed, want);
    assert_eq!(app.data(TARGETS, json!({})).await["goalTargets"], want);
    let answer = progress(&app, Some("2025-12-31"), None).await;
    let city = target(&answer, "NEW_CITY_LEVEL_CARRIERS");
    assert_eq!(city["target"], 250.0);
    assert_close(
        num(&city["expectedByPace"]),
        250.0 * 731.0 / 1461.0,
        0.01,
        "expectedByPace of 250",
    );
    assert_eq!(city["remaining"], 250.0);
    assert_eq!(target(&answer, "NEW_FLOOR_AREA")["target"], 3_000_000.0);

    // A stale version.
    let body = app
        .graphql(
            UPDATE_TARGETS,
            json!({ "input": { "version": 0, "newCityLevelCarriers": 300 } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    // A period that ends before it starts.
    let body = app
        .graphql(
            UPDATE_TARGETS,
            json!({ "input": { "version": 1, "periodStart": "2024-01-01", "periodEnd": "2023-12-31" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "periodEnd",
        "{body}"
    );
    assert_eq!(
        app.data(TARGETS, json!({})).await["goalTargets"],
        want,
        "refused changes changed nothing"
    );

    // A new period moves the pace.
    let changed = mutate(
        &app,
        UPDATE_TARGETS,
        "updateGoalTargets",
        json!({ "version": 1, "periodEnd": "2028-12-31" }),
    )
    .await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["newCityLevelCarriers"], 250);
    let answer = progress(&app, Some("2025-12-31"), None).await;
    assert_eq!(answer["periodEnd"], "2028-12-31");
    assert_close(
        num(&answer["elapsedShare"]),
        731.0 / 1827.0,
        1e-9,
        "elapsedShare over five years",
    );

    // Two changes, two audit events, none for the refusals.
    let audit = app
        .data(
            r#"{ auditEvents(filter: { entityType: "Setting" }) {
                   totalCount nodes { operation entityType role after } } }"#,
            json!({}),
        )
        .await;
    let events = &audit["auditEvents"];
    assert_eq!(events["totalCount"], 2, "{audit}");
    let nodes = events["nodes"].as_array().expect("nodes");
    assert_eq!(
        nodes
            .iter()
            .map(|e| (e["operation"].clone(), e["role"].clone()))
            .collect::<Vec<_>>(),
        [
            (json!("UPDATE"), json!("ADMIN")),
            (json!("CREATE"), json!("ADMIN"))
        ],
        "{audit}"
    );
    let after = nodes[0]["after"].to_string();
    assert!(
        after.contains("goal_targets") && after.contains("2028-12-31"),
        "the event holds the new targets: {after}"
    );
    let rows = sql_count(
        &app,
        "SELECT COUNT(*) AS n FROM audit_event WHERE entity_type = 'Setting'",
    )
    .await;
    assert_eq!(rows, 2.0);
}

on_both_databases!(
    demo_progress_matches_sums_counted_from_the_records,
    breakdowns_and_contributors_add_up_and_the_pace_follows,
    a_carrier_that_loses_its_fund_drops_out_of_the_floor_area,
    known_at_reproduces_the_figures_before_late_entries,
    known_at_after_a_geometry_change_keeps_the_carrier_whole,
    targets_are_configuration_an_admin_changes,
);
