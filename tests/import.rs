//! Bulk import of tenancies: a spreadsheet uploaded to `importTenancies` (the
//! GraphQL multipart request) or given to `zaiti import tenancies`, all or
//! nothing. On SQLite and PostgreSQL.

mod common;

use std::collections::HashSet;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use common::{TestApp, database_id, uscc};
use serde_json::{Value, json};
use zaiti::domain::access::Role;

const IMPORT: &str = r#"
mutation($file: Upload!, $dryRun: Boolean!) {
  importTenancies(file: $file, dryRun: $dryRun) {
    rowsRead enterprisesCreated tenanciesCreated dryRun committed carrierIds ignoredColumns
    errors { row column message }
  }
}"#;

const HEADER: &str = "carrier_id,uscc,enterprise_name,founded_on,landed_on,industry,headcount,unit,area_m2,moved_in_on,moved_out_on";

/// A multipart GraphQL request uploading `bytes` as `file_name` to `importTenancies`.
fn import_form(file_name: &str, bytes: Vec<u8>, dry_run: bool) -> reqwest::multipart::Form {
    let operations = json!({ "query": IMPORT, "variables": { "file": null, "dryRun": dry_run } });
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part("0", part)
}

/// Posts `form` with the token `secret`; the status and the JSON body (null if none).
async fn send(app: &TestApp, secret: &str, form: reqwest::multipart::Form) -> (u16, Value) {
    let response = app
        .client
        .post(app.graphql_url())
        .bearer_auth(secret)
        .header("accept", "application/graphql-response+json")
        .multipart(form)
        .send()
        .await
        .expect("request reaches the server");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Uploads `bytes` as `file_name` to `importTenancies` with the token `secret`.
async fn upload_as(
    app: &TestApp,
    secret: &str,
    file_name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Value {
    let (status, body) = send(app, secret, import_form(file_name, bytes, dry_run)).await;
    assert_eq!(status, 200, "unexpected status; body: {body}");
    body
}

/// Uploads as ADMIN and returns `importTenancies`, failing on any GraphQL error.
async fn upload(app: &TestApp, file_name: &str, bytes: Vec<u8>, dry_run: bool) -> Value {
    let body = upload_as(app, &app.admin_token, file_name, bytes, dry_run).await;
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    body["data"]["importTenancies"].clone()
}

/// (row, column) of each error of an import.
fn bad_cells(result: &Value) -> Vec<(i64, String)> {
    result["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().expect("a row"),
                e["column"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// One tenancy as the test writes it into a file and expects it back.
#[derive(Debug, Clone)]
struct Tenancy {
    carrier: usize,
    enterprise: u32,
    area_m2: f64,
    moved_in: NaiveDate,
    moved_out: Option<NaiveDate>,
}

impl Tenancy {
    fn in_force_on(&self, date: NaiveDate) -> bool {
        self.moved_in <= date && self.moved_out.is_none_or(|out| date < out)
    }
}

/// A CSV of `tenancies` into `carriers` (global IDs); the carrier column
/// alternates between global IDs and database ids.
fn csv_of(tenancies: &[Tenancy], carriers: &[String]) -> String {
    let mut text = String::from(HEADER);
    for (i, t) in tenancies.iter().enumerate() {
        let carrier = if i % 2 == 0 {
            carriers[t.carrier].clone()
        } else {
            database_id(&carriers[t.carrier]).to_string()
        };
        let n = t.enterprise;
        let founded = day("2015-01-01") + Days::new(u64::from(n % 2500));
        // Codes, Chinese names and short forms, as operators' sheets hold them.
        let industry = match n % 5 {
            0 => "IOT",
            1 => "生物医药",
            2 => "人工智能",
            _ => "",
        };
        let headcount = if n % 3 == 0 {
            (n % 90).to_string()
        } else {
            String::new()
        };
        text.push_str(&format!(
            "\n{carrier},{},无锡测试企业{n}号,{founded},,{industry},{headcount},B栋{i},{},{},{}",
            uscc(n),
            t.area_m2,
            t.moved_in,
            t.moved_out.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    text.push('\n');
    text
}

/// `count` tenancies over `carriers` carriers; every 50th is a second tenancy
/// of the enterprise before it, in another carrier.
fn many_tenancies(count: usize, carriers: usize) -> Vec<Tenancy> {
    (0..count)
        .map(|i| {
            let enterprise = if i % 50 == 49 {
                1_000_000 + i as u32 - 1
            } else {
                1_000_000 + i as u32
            };
            let moved_in = day("2019-01-01") + Days::new((i as u64 * 7) % 2000);
            let moved_out = (i % 3 == 0).then(|| moved_in + Days::new(200 + (i as u64 % 500)));
            Tenancy {
                carrier: i % carriers,
                enterprise,
                area_m2: 20.0 + (i % 37) as f64 * 3.5,
                moved_in,
                moved_out,
            }
        })
        .collect()
}

async fn carriers_with_room(app: &TestApp, count: usize, area_m2: f64) -> Vec<String> {
    let operator = app.create_operator("无锡科创载体运营集团", 1).await;
    let district = app.district_id("xinwu").await;
    let mut carriers = Vec::new();
    for i in 0..count {
        let carrier = app
            .create_carrier(
                &operator,
                &district,
                json!({ "name": format!("新吴科创孵化器{i}"), "kind": "INCUBATOR" }),
            )
            .await;
        app.add_phase(&carrier, area_m2, "2018-01-01", "NEW_BUILD")
            .await;
        carriers.push(carrier);
    }
    carriers
}

async fn a_file_with_a_bad_row_writes_nothing_and_the_corrected_file_writes_every_row(
    app: TestApp,
) {
    let carriers = carriers_with_room(&app, 4, 400_000.0).await;
    let tenancies = many_tenancies(5000, carriers.len());
    let good = csv_of(&tenancies, &carriers);

    // Row 2502 (the 2,501st tenancy) leases a negative area.
    let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
    let mut cells: Vec<String> = lines[2501].split(',').map(str::to_owned).collect();
    cells[8] = "-5".into();
    lines[2501] = cells.join(",");
    let bad = lines.join("\n");

    let refused = upload(&app, "入驻.csv", bad.into_bytes(), false).await;
    assert_eq!(bad_cells(&refused), vec![(2502, "area_m2".to_owned())]);
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("positive")),
        "{refused}"
    );
    assert_eq!(refused["rowsRead"], 5000);
    assert_eq!(refused["committed"], false);
    assert_eq!(refused["tenanciesCreated"], 0);
    assert_eq!(app.count_rows("tenancy").await, 0);
    assert_eq!(app.count_rows("enterprise").await, 0);

    let started = Instant::now();
    let accepted = upload(&app, "入驻.csv", good.into_bytes(), false).await;
    eprintln!(
        "{:?}: imported 5,000 tenancies in {:.1} s",
        app.backend,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(accepted["errors"], json!([]), "{accepted}");
    assert_eq!(accepted["committed"], true);
    assert_eq!(accepted["tenanciesCreated"], 5000);
    assert_eq!(accepted["enterprisesCreated"], 4900);
    let named: HashSet<&str> = accepted["carrierIds"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(named, carriers.iter().map(String::as_str).collect());
    assert_eq!(app.count_rows("tenancy").await, 5000);
    assert_eq!(app.count_rows("enterprise").await, 4900);

    // Occupancy, as the API computes it, against the same rows summed here.
    for as_of in ["2019-06-30", "2021-03-01", "2024-12-31"] {
        let date = day(as_of);
        for (index, carrier) in carriers.iter().enumerate() {
            let in_force: Vec<&Tenancy> = tenancies
                .iter()
                .filter(|t| t.carrier == index && t.in_force_on(date))
                .collect();
            let leased: f64 = in_force.iter().map(|t| t.area_m2).sum();
            let tenants = in_force
                .iter()
                .map(|t| t.enterprise)
                .collect::<HashSet<_>>()
                .len();
            let data = app
                .data(
                    "query($id: ID!, $asOf: Date!) { carrier(id: $id) { occupancy(asOf: $asOf) { leasedAreaM2 leasableAreaM2 tenants } } }",
                    json!({ "id": carrier, "asOf": as_of }),
                )
                .await;
            let occupancy = &data["carrier"]["occupancy"];
            let reported = occupancy["leasedAreaM2"].as_f64().expect("an area");
            assert!(
                (reported - leased).abs() < 0.01,
                "carrier {index} on {as_of}: API says {reported} m², rows say {leased} m²"
            );
            assert_eq!(occupancy["tenants"], tenants as i64);
            assert_eq!(occupancy["leasableAreaM2"], 400_000.0);
        }
    }
}

async fn a_dry_run_writes_nothing_but_reports_what_the_database_would_refuse(app: TestApp) {
    let operator = app.create_operator("无锡滨湖科创集团", 2).await;
    let district = app.district_id("binhu").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "name": "滨湖众创空间" }))
        .await;
    app.add_phase(&carrier, 1000.0, "2022-01-01", "NEW_BUILD")
        .await;
    let id = database_id(&carrier);
    let row = |n: u32, carrier: &str, area: u32, moved_in: &str| {
        format!(
            "{carrier},{},企业{n},2021-06-01,,,,,{area},{moved_in},",
            uscc(n)
        )
    };
    let first = format!("{HEADER}\n{}\n", row(1, &carrier, 600, "2023-01-01"));
    let stored = upload(&app, "first.csv", first.into_bytes(), false).await;
    assert_eq!(stored["committed"], true, "{stored}");

    let file = [
        HEADER.to_owned(),
        row(2, &id.to_string(), 300, "2023-02-01"), // fits: 900 of 1000 m²
        row(3, &carrier, 200, "2023-03-01"),        // 1100 m² leased
        row(1, &carrier, 10, "2023-06-01"),         // overlaps the stored tenancy
        row(4, "999999", 10, "2023-06-01"),         // no such carrier
        row(5, &carrier, 10, "2021-01-01"),         // before any space is delivered
    ]
    .join("\n");
    let checked = upload(&app, "dry.csv", file.into_bytes(), true).await;
    assert_eq!(checked["dryRun"], true);
    assert_eq!(checked["committed"], false);
    assert_eq!(
        bad_cells(&checked),
        vec![
            (3, "area_m2".to_owned()),
            (4, "moved_in_on".to_owned()),
            (5, "carrier_id".to_owned()),
            (6, "area_m2".to_owned()),
        ],
        "{checked}"
    );
    let messages: Vec<&str> = checked["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(messages[0].contains("1100.00 m²"), "{}", messages[0]);
    assert!(messages[1].contains("may not overlap"), "{}", messages[1]);
    assert!(messages[2].contains("999999"), "{}", messages[2]);

    let fits = format!("{HEADER}\n{}\n", row(2, &carrier, 300, "2023-02-01"));
    let would = upload(&app, "dry.csv", fits.clone().into_bytes(), true).await;
    assert_eq!(would["errors"], json!([]));
    assert_eq!(
        (
            &would["tenanciesCreated"],
            &would["enterprisesCreated"],
            &would["committed"]
        ),
        (&json!(1), &json!(1), &json!(false))
    );
    assert_eq!(app.count_rows("tenancy").await, 1);
    assert_eq!(app.count_rows("enterprise").await, 1);

    let written = upload(&app, "fits.csv", fits.into_bytes(), false).await;
    assert_eq!(written["committed"], true);
    assert_eq!(app.count_rows("tenancy").await, 2);
}

async fn an_operator_imports_into_its_own_carriers_only(app: TestApp) {
    let district = app.district_id("liangxi").await;
    let own_operator = app.create_operator("梁溪科创集团", 3).await;
    let other_operator = app.create_operator("锡山产业集团", 4).await;
    let own = app
        .create_carrier(&own_operator, &district, json!({ "name": "梁溪孵化器" }))
        .await;
    let foreign = app
        .create_carrier(&other_operator, &district, json!({ "name": "锡山孵化器" }))
        .await;
    for carrier in [&own, &foreign] {
        app.add_phase(carrier, 5000.0, "2020-01-01", "NEW_BUILD")
            .await;
    }
    let secret = app
        .token("梁溪科创集团 import", Role::Operator, Some(&own_operator))
        .await;
    let row = |n: u32, carrier: &str| {
        format!(
            "{carrier},{},企业{n},2021-06-01,,,,,100,2022-01-01,",
            uscc(n)
        )
    };
    let mixed = format!("{HEADER}\n{}\n{}\n", row(1, &own), row(2, &foreign));
    let body = upload_as(&app, &secret, "mixed.csv", mixed.into_bytes(), false).await;
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    let refused = &body["data"]["importTenancies"];
    assert_eq!(bad_cells(refused), vec![(3, "carrier_id".to_owned())]);
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("another operator")),
        "{refused}"
    );
    assert_eq!(app.count_rows("tenancy").await, 0);

    let own_only = format!("{HEADER}\n{}\n", row(1, &own));
    let body = upload_as(&app, &secret, "own.csv", own_only.into_bytes(), false).await;
    assert_eq!(body["data"]["importTenancies"]["committed"], true, "{body}");
    assert_eq!(app.count_rows("tenancy").await, 1);

    let viewer = app.token("dashboard", Role::Viewer, None).await;
    let body = upload_as(&app, &viewer, "own.csv", b"x".to_vec(), false).await;
    assert_eq!(common::error_code(&body), "FORBIDDEN");
}

async fn a_workbook_with_chinese_headers_and_date_cells_is_imported(app: TestApp) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    let operator = app.create_operator("无锡新吴科创集团", 5).await;
    let district = app.district_id("xinwu").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "name": "新吴加速器" }))
        .await;
    app.add_phase(&carrier, 2000.0, "2020-01-01", "INDUSTRIAL_HIGH_RISE")
        .await;

    let workbook = |bad_date: bool| {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        let headers = [
            "载体ID",
            "统一社会信用代码",
            "企业名称",
            "成立日期",
            "行业",
            "从业人数",
            "房号",
            "租赁面积（㎡）",
            "入驻日期",
            "迁出日期",
            "备注",
        ];
        for (column, header) in headers.iter().enumerate() {
            sheet
                .write_string(0, column as u16, *header)
                .expect("a cell");
        }
        let cells = |sheet: &mut rust_xlsxwriter::Worksheet, row: u32, n: u32| {
            sheet.write_string(row, 1, uscc(n)).expect("a cell");
            sheet
                .write_string(row, 2, format!("无锡物联网企业{n}"))
                .expect("a cell");
            let founded = ExcelDateTime::from_ymd(2022, 3, 1).expect("a date");
            sheet
                .write_datetime_with_format(row, 3, founded, &date)
                .expect("a cell");
            sheet.write_string(row, 4, "iot").expect("a cell");
            sheet.write_number(row, 5, 25).expect("a cell");
            sheet.write_number(row, 6, 302).expect("a cell");
            sheet.write_number(row, 7, 150.25).expect("a cell");
            let moved_in = ExcelDateTime::from_ymd(2023, 4, 1).expect("a date");
            sheet
                .write_datetime_with_format(row, 8, moved_in, &date)
                .expect("a cell");
            sheet.write_string(row, 10, "首批入驻").expect("a cell");
        };
        sheet
            .write_number(1, 0, f64::from(database_id(&carrier)))
            .expect("a cell");
        cells(sheet, 1, 11);
        sheet.write_string(2, 0, &carrier).expect("a cell");
        cells(sheet, 2, 12);
        if bad_date {
            sheet.write_string(2, 9, "2023-02-30").expect("a cell");
        } else {
            let out = ExcelDateTime::from_ymd(2024, 4, 1).expect("a date");
            sheet
                .write_datetime_with_format(2, 9, out, &date)
                .expect("a cell");
        }
        workbook.save_to_buffer().expect("an xlsx")
    };

    let refused = upload(&app, "入驻台账.xlsx", workbook(true), false).await;
    assert_eq!(bad_cells(&refused), vec![(3, "迁出日期".to_owned())]);
    assert_eq!(app.count_rows("tenancy").await, 0);

    let accepted = upload(&app, "入驻台账.xlsx", workbook(false), false).await;
    assert_eq!(accepted["errors"], json!([]), "{accepted}");
    assert_eq!(accepted["tenanciesCreated"], 2);
    assert_eq!(accepted["ignoredColumns"], json!(["备注"]));
    let data = app
        .data(
            "query($id: ID!) { carrier(id: $id) { occupancy(asOf: \"2024-06-01\") { leasedAreaM2 tenants } } }",
            json!({ "id": carrier }),
        )
        .await;
    assert_eq!(
        data["carrier"]["occupancy"],
        json!({ "leasedAreaM2": 150.25, "tenants": 1 })
    );
    let data = app
        .data(
            "query($id: ID!) { carrier(id: $id) { occupancy(asOf: \"2023-04-01\") { leasedAreaM2 tenants } } }",
            json!({ "id": carrier }),
        )
        .await;
    assert_eq!(
        data["carrier"]["occupancy"],
        json!({ "leasedAreaM2": 300.5, "tenants": 2 })
    );
}

async fn the_command_line_imports_a_file_and_refuses_a_bad_one(app: TestApp) {
    let operator = app.create_operator("无锡惠山科创集团", 6).await;
    let district = app.district_id("huishan").await;
    let carrier = app
        .create_carrier(&operator, &district, json!({ "name": "惠山众创空间" }))
        .await;
    app.add_phase(&carrier, 3000.0, "2020-01-01", "NEW_BUILD")
        .await;
    let tenancies: Vec<Tenancy> = (0..30)
        .map(|i| Tenancy {
            carrier: 0,
            enterprise: 2_000_000 + i,
            area_m2: 50.0,
            moved_in: day("2022-01-01") + Days::new(u64::from(i)),
            moved_out: None,
        })
        .collect();
    let good = csv_of(&tenancies, std::slice::from_ref(&carrier));
    let bad = good.replacen(&uscc(2_000_001), "91320214MA2000001X", 1);

    let dir = std::env::temp_dir();
    let name = format!("zaiti_import_{}_{:?}", std::process::id(), app.backend);
    let (good_path, bad_path) = (
        dir.join(format!("{name}_good.csv")),
        dir.join(format!("{name}_bad.csv")),
    );
    std::fs::write(&good_path, &good).expect("write the file");
    std::fs::write(&bad_path, &bad).expect("write the file");

    let run = |path: &std::path::Path, dry_run: bool| {
        let mut args = vec![
            "import".to_owned(),
            "tenancies".to_owned(),
            path.display().to_string(),
            "--database-url".to_owned(),
            app.database_url.clone(),
        ];
        if dry_run {
            args.push("--dry-run".into());
        }
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_zaiti"))
                .args(&args)
                .env("RUST_LOG", "warn")
                .env_remove("DATABASE_URL")
                .output()
                .expect("zaiti runs")
        })
    };

    let refused = run(&bad_path, false).await.expect("the command ends");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "a bad file must fail: {stderr}");
    assert!(stderr.contains("row 3, column uscc:"), "{stderr}");
    assert_eq!(app.count_rows("tenancy").await, 0);

    let dry = run(&good_path, true).await.expect("the command ends");
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(stdout.contains("dry run"), "{stdout}");
    assert_eq!(app.count_rows("tenancy").await, 0);

    let written = run(&good_path, false).await.expect("the command ends");
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    assert_eq!(app.count_rows("tenancy").await, 30);
    assert_eq!(app.count_rows("enterprise").await, 30);
    // 30 enterprises and 30 tenancies, each with its audit event, by the file's name.
    let actor = format!("import: {name}_good.csv");
    let sql = format!("SELECT COUNT(*) AS n FROM audit_event WHERE actor = '{actor}'");
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &app.db,
        sea_orm::Statement::from_string(app.db.get_database_backend(), sql),
    )
    .await
    .expect("the query runs")
    .expect("a row");
    assert_eq!(row.try_get::<i64>("", "n").expect("a count"), 60);

    let _ = std::fs::remove_file(good_path);
    let _ = std::fs::remove_file(bad_path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_beyond_the_body_limit_or_without_its_map_is_refused() {
    let options = zaiti::http::HttpOptions {
        body_limit_bytes: 4096,
        ..Default::default()
    };
    let app = TestApp::spawn_with(common::Backend::Sqlite, options).await;
    let large = format!("{HEADER}\n{}", "x".repeat(8192)).into_bytes();
    let (status, body) = send(&app, &app.admin_token, import_form("big.csv", large, true)).await;
    assert_eq!(status, 413, "{body}");

    let no_map = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": IMPORT, "variables": { "file": null, "dryRun": true } }).to_string(),
        )
        .part(
            "0",
            reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.csv"),
        );
    let (status, body) = send(&app, &app.admin_token, no_map).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(common::error_code(&body), "BAD_REQUEST");

    // A file that is no spreadsheet at all is a bad input, not a list of bad rows.
    let garbage = import_form("a.xlsx", b"PK\x03\x04 not really".to_vec(), true);
    let (status, body) = send(&app, &app.admin_token, garbage).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(common::error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "file");
}

on_both_databases!(
    a_file_with_a_bad_row_writes_nothing_and_the_corrected_file_writes_every_row,
    a_dry_run_writes_nothing_but_reports_what_the_database_would_refuse,
    an_operator_imports_into_its_own_carriers_only,
    a_workbook_with_chinese_headers_and_date_cells_is_imported,
    the_command_line_imports_a_file_and_refuses_a_bad_one,
);
