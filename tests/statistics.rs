//! `carrierStatistics`: group-by figures checked against sums over the raw
//! records of the demo portfolio, on SQLite and PostgreSQL.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{TestApp, error_code};
use serde_json::{Value, json};

const AS_OF: &str = "2026-06-30";

/// Every carrier of the demo with what the figures are made of, read record
/// by record.
const RECORDS: &str = r#"
query($after: String, $on: Date!) {
  carriers(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      kind status
      district { code }
      operator { ownership }
      level(asOf: $on)
      leadingIndustries
      floorArea(asOf: $on)
      tenancies(asOf: $on) { areaM2 enterprise { id } }
    }
  }
}"#;

const STATISTICS: &str = r#"
query($on: Date!, $groupBy: [CarrierDimension!]!, $filter: CarrierFilter) {
  carrierStatistics(asOf: $on, groupBy: $groupBy, filter: $filter) {
    asOf groupBy
    groups {
      district { code } kind level status operatorOwnership industry
      figures { carriers floorAreaM2 leasedAreaM2 tenants }
    }
    totals { carriers floorAreaM2 leasedAreaM2 tenants }
  }
}"#;

async fn records(app: &TestApp) -> Vec<Value> {
    let mut carriers = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .data(RECORDS, json!({ "after": after, "on": AS_OF }))
            .await["carriers"]
            .clone();
        carriers.extend(page["nodes"].as_array().expect("nodes").iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return carriers;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Sums of the records per group key.
#[derive(Default, Debug)]
struct Sums {
    carriers: i64,
    floor_area: f64,
    leased_area: f64,
    tenants: BTreeSet<String>,
}

impl Sums {
    fn add(&mut self, carrier: &Value) {
        self.carriers += 1;
        self.floor_area += carrier["floorArea"].as_f64().expect("floor area");
        for tenancy in carrier["tenancies"].as_array().expect("tenancies") {
            self.leased_area += tenancy["areaM2"].as_f64().expect("area");
            self.tenants
                .insert(tenancy["enterprise"]["id"].as_str().expect("id").to_owned());
        }
    }

    fn assert_matches(&self, figures: &Value, what: &str) {
        assert_eq!(figures["carriers"], self.carriers, "carriers of {what}");
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * (1.0 + b.abs());
        assert!(
            close(
                figures["floorAreaM2"].as_f64().expect("m²"),
                self.floor_area
            ),
            "floor area of {what}: {figures} against {self:?}"
        );
        assert!(
            close(
                figures["leasedAreaM2"].as_f64().expect("m²"),
                self.leased_area
            ),
            "leased area of {what}: {figures} against {self:?}"
        );
        assert_eq!(figures["tenants"], self.tenants.len(), "tenants of {what}");
    }
}

async fn statistics(app: &TestApp, group_by: Value, filter: Value) -> Value {
    app.data(
        STATISTICS,
        json!({ "on": AS_OF, "groupBy": group_by, "filter": filter }),
    )
    .await["carrierStatistics"]
        .clone()
}

/// District × kind × level: every group equals the sums over its carriers'
/// records, no group is missing, and the groups add up to the totals.
async fn groups_equal_the_sums_over_the_records(app: TestApp) {
    app.load_demo().await;
    let carriers = records(&app).await;
    assert!(carriers.len() > 100, "the demo fills more than a page");
    let mut expected: BTreeMap<(String, String, String), Sums> = BTreeMap::new();
    let mut total = Sums::default();
    for carrier in &carriers {
        let key = (
            carrier["district"]["code"]
                .as_str()
                .expect("code")
                .to_owned(),
            carrier["kind"].as_str().expect("kind").to_owned(),
            carrier["level"].as_str().expect("level").to_owned(),
        );
        expected.entry(key).or_default().add(carrier);
        total.add(carrier);
    }
    let answer = statistics(&app, json!(["DISTRICT", "KIND", "LEVEL"]), Value::Null).await;
    assert_eq!(answer["asOf"], AS_OF);
    assert_eq!(answer["groupBy"], json!(["DISTRICT", "KIND", "LEVEL"]));
    let groups = answer["groups"].as_array().expect("groups");
    assert_eq!(
        groups.len(),
        expected.len(),
        "one group per combination present"
    );
    for group in groups {
        assert_eq!(group["status"], Value::Null, "not grouped by status");
        let key = (
            group["district"]["code"].as_str().expect("code").to_owned(),
            group["kind"].as_str().expect("kind").to_owned(),
            group["level"].as_str().expect("level").to_owned(),
        );
        let sums = expected
            .get(&key)
            .unwrap_or_else(|| panic!("no carriers in {key:?}"));
        sums.assert_matches(&group["figures"], &format!("{key:?}"));
    }
    total.assert_matches(&answer["totals"], "the totals");
    let carriers_in_groups: i64 = groups
        .iter()
        .map(|g| g["figures"]["carriers"].as_i64().expect("count"))
        .sum();
    assert_eq!(carriers_in_groups, total.carriers);
}

/// Industry groups overlap (a carrier counts under each industry it leads
/// in) while the totals count it once; a filter narrows both.
async fn industry_and_ownership_groups_follow_the_records_and_the_filter(app: TestApp) {
    app.load_demo().await;
    let carriers: Vec<Value> = records(&app)
        .await
        .into_iter()
        .filter(|c| c["kind"] == "INCUBATOR")
        .collect();
    let mut expected: BTreeMap<(String, Option<String>), Sums> = BTreeMap::new();
    let mut total = Sums::default();
    for carrier in &carriers {
        let ownership = carrier["operator"]["ownership"]
            .as_str()
            .expect("ownership");
        let industries = carrier["leadingIndustries"].as_array().expect("industries");
        let keys: Vec<Option<String>> = if industries.is_empty() {
            vec![None]
        } else {
            industries
                .iter()
                .map(|i| Some(i.as_str().expect("industry").to_owned()))
                .collect()
        };
        for industry in keys {
            expected
                .entry((ownership.to_owned(), industry))
                .or_default()
                .add(carrier);
        }
        total.add(carrier);
    }
    let answer = statistics(
        &app,
        json!(["OPERATOR_OWNERSHIP", "INDUSTRY"]),
        json!({ "kinds": ["INCUBATOR"] }),
    )
    .await;
    let groups = answer["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), expected.len());
    for group in groups {
        let key = (
            group["operatorOwnership"]
                .as_str()
                .expect("ownership")
                .to_owned(),
            group["industry"].as_str().map(str::to_owned),
        );
        expected[&key].assert_matches(&group["figures"], &format!("{key:?}"));
    }
    total.assert_matches(&answer["totals"], "the incubators");
}

/// The statement count does not grow with the groups, and a dimension named
/// twice is refused.
async fn statistics_cost_four_statements_and_refuse_a_repeated_dimension(app: TestApp) {
    app.load_demo().await;
    let mut counts = Vec::new();
    for group_by in [
        json!([]),
        json!(["KIND"]),
        json!([
            "DISTRICT",
            "KIND",
            "LEVEL",
            "STATUS",
            "OPERATOR_OWNERSHIP",
            "INDUSTRY"
        ]),
    ] {
        app.reset_statement_count();
        let answer = statistics(&app, group_by, Value::Null).await;
        assert!(answer["totals"]["carriers"].as_i64().expect("count") > 100);
        counts.push(app.statements().len());
    }
    assert_eq!(counts[0], counts[1], "statements: {counts:?}");
    assert!(
        counts[2] <= counts[1] + 1,
        "districts load in one more statement at most: {counts:?}"
    );
    let body = app
        .graphql(
            STATISTICS,
            json!({ "on": AS_OF, "groupBy": ["KIND", "DISTRICT", "KIND"] }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "groupBy");
}

/// The kinds' names as the survey and the export write them.
const KINDS_ZH: [(&str, &str); 4] = [
    ("MAKERSPACE", "众创空间"),
    ("INCUBATOR", "科技企业孵化器"),
    ("ACCELERATOR", "加速器"),
    ("SCIENCE_COMPLEX", "科创综合体"),
];

/// `zaiti export statistics` writes the figures the API gives, as CSV and
/// as an XLSX workbook, with a totals row, filters included.
async fn the_cli_exports_the_api_figures_as_csv_and_xlsx(app: TestApp) {
    app.load_demo().await;
    let names: BTreeMap<String, String> =
        app.data("{ districts { code nameZh } }", json!({})).await["districts"]
            .as_array()
            .expect("districts")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().expect("a code").to_owned(),
                    d["nameZh"].as_str().expect("a name").to_owned(),
                )
            })
            .collect();
    let kind_zh = |kind: &Value| {
        KINDS_ZH
            .iter()
            .find(|(api, _)| kind == *api)
            .expect("a known kind")
            .1
            .to_owned()
    };
    let figures = |f: &Value| {
        vec![
            f["carriers"].to_string(),
            format!("{:.2}", f["floorAreaM2"].as_f64().expect("an area")),
            format!("{:.2}", f["leasedAreaM2"].as_f64().expect("an area")),
            f["tenants"].to_string(),
        ]
    };
    let answer = statistics(&app, json!(["DISTRICT", "KIND"]), Value::Null).await;
    let mut expected: Vec<Vec<String>> = answer["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let mut row = vec![
                names[g["district"]["code"].as_str().expect("a code")].clone(),
                kind_zh(&g["kind"]),
            ];
            row.extend(figures(&g["figures"]));
            row
        })
        .collect();
    let mut totals = vec!["合计".to_owned(), String::new()];
    totals.extend(figures(&answer["totals"]));
    expected.push(totals);

    let stdout = app.cli_stdout(&[
        "export",
        "statistics",
        "--group-by",
        "district,kind",
        "--as-of",
        AS_OF,
    ]);
    let text = String::from_utf8(stdout).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "所在区（市）",
            "载体类型",
            "载体数",
            "建成面积（平方米）",
            "在孵企业使用面积（平方米）",
            "在孵企业数"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.expect("a row").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows, expected);

    // An .xlsx output is a workbook; a filter narrows it as it narrows the API.
    let dir = tempfile_dir();
    let path = dir.join("statistics.xlsx");
    app.cli_stdout(&[
        "export",
        "statistics",
        "--group-by",
        "level",
        "--as-of",
        AS_OF,
        "--kind",
        "incubator",
        "-o",
        path.to_str().expect("a UTF-8 path"),
    ]);
    let answer = statistics(&app, json!(["LEVEL"]), json!({ "kinds": ["INCUBATOR"] })).await;
    use calamine::Reader;
    let mut workbook = calamine::open_workbook_auto(&path).expect("a workbook");
    let sheet = workbook
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(
        rows.len(),
        answer["groups"].as_array().expect("groups").len() + 2,
        "header, groups, totals"
    );
    assert_eq!(rows[0][0], "级别");
    let last = rows.last().expect("the totals");
    assert_eq!(last[0], "合计");
    assert_eq!(last[1], answer["totals"]["carriers"].to_string());
    assert_eq!(last[4], answer["totals"]["tenants"].to_string());
    let floor: f64 = last[2].parse().expect("a number");
    assert!((floor - answer["totals"]["floorAreaM2"].as_f64().expect("an area")).abs() < 0.005);

    // A dimension it does not know is refused, naming those it knows.
    let out = app.cli(&["export", "statistics", "--group-by", "colour"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DISTRICT"));
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "zaiti-statistics-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

on_both_databases!(
    groups_equal_the_sums_over_the_records,
    industry_and_ownership_groups_follow_the_records_and_the_filter,
    statistics_cost_four_statements_and_refuse_a_repeated_dimension,
    the_cli_exports_the_api_figures_as_csv_and_xlsx,
);
