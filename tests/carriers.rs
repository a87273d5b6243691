//! Reading the carrier registry: paging, filters, node lookups, derived
//! figures and the cost in SQL statements of a page. On SQLite and PostgreSQL.

mod common;

use common::{TestApp, uscc};
use serde_json::{Value, json};

const PAGE: &str = r#"
query($first: Int, $after: String, $last: Int, $before: String, $filter: CarrierFilter, $orderBy: CarrierOrderBy) {
  carriers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}"#;

fn names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["name"].as_str().expect("a name").to_owned())
        .collect()
}

/// Seven makerspaces in Xinwu named 载体A…载体G, created in reverse order.
async fn seven_carriers(app: &TestApp) -> Vec<String> {
    let operator = app.create_operator("无锡产业发展集团", 1).await;
    let xinwu = app.district_id("xinwu").await;
    let mut ids = Vec::new();
    for letter in ['G', 'F', 'E', 'D', 'C', 'B', 'A'] {
        ids.push(
            app.create_carrier(
                &operator,
                &xinwu,
                json!({ "name": format!("载体{letter}") }),
            )
            .await,
        );
    }
    ids
}

async fn pages_forward_and_backward_with_cursors(app: TestApp) {
    seven_carriers(&app).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let data = app.data(PAGE, json!({ "first": 3, "after": after })).await;
        let connection = &data["carriers"];
        assert_eq!(connection["totalCount"], 7);
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], after.is_some());
        seen.extend(names(connection));
        pages += 1;
        if connection["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "载体A", "载体B", "载体C", "载体D", "载体E", "载体F", "载体G"
        ]
    );

    // Backward from the end, two at a time.
    let data = app.data(PAGE, json!({ "last": 2 })).await;
    assert_eq!(names(&data["carriers"]), ["载体F", "载体G"]);
    assert_eq!(data["carriers"]["pageInfo"]["hasPreviousPage"], true);
    let before = data["carriers"]["pageInfo"]["startCursor"].clone();
    let data = app.data(PAGE, json!({ "last": 2, "before": before })).await;
    assert_eq!(names(&data["carriers"]), ["载体D", "载体E"]);

    // Descending by name.
    let data = app
        .data(
            PAGE,
            json!({ "first": 2, "orderBy": { "field": "NAME", "direction": "DESC" } }),
        )
        .await;
    assert_eq!(names(&data["carriers"]), ["载体G", "载体F"]);
}

async fn a_cursor_of_another_order_or_an_oversized_page_is_refused(app: TestApp) {
    seven_carriers(&app).await;
    let data = app.data(PAGE, json!({ "first": 1 })).await;
    let cursor = data["carriers"]["pageInfo"]["endCursor"].clone();
    let body = app
        .graphql(
            PAGE,
            json!({ "first": 1, "after": cursor, "orderBy": { "field": "ID" } }),
        )
        .await;
    assert_eq!(common::error_code(&body), "BAD_USER_INPUT");
    // Refused before anything runs (a request error: 400 under graphql-response+json).
    let body = app.graphql_raw_with(PAGE, json!({ "first": 10000 })).await;
    assert_eq!(common::error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
    let body = app.graphql(PAGE, json!({ "after": "garbage" })).await;
    assert_eq!(common::error_code(&body), "BAD_USER_INPUT");
}

async fn filters_narrow_the_list_and_the_count(app: TestApp) {
    let city_group = app.create_operator("无锡城建发展集团", 2).await;
    let district_platform = app.create_operator("惠山科创发展有限公司", 3).await;
    let xinwu = app.district_id("xinwu").await;
    let huishan = app.district_id("huishan").await;
    let iot = app
        .create_carrier(
            &city_group,
            &xinwu,
            json!({ "name": "物联网众创空间", "leadingIndustries": ["IOT"] }),
        )
        .await;
    let complex = app
        .create_carrier(
            &city_group,
            &xinwu,
            json!({ "name": "太湖湾科创综合体", "kind": "SCIENCE_COMPLEX", "landmark": true,
                    "leadingIndustries": ["INTEGRATED_CIRCUITS", "AI_METAVERSE"] }),
        )
        .await;
    let incubator = app
        .create_carrier(
            &district_platform,
            &huishan,
            json!({ "name": "惠山生物医药孵化器", "kind": "INCUBATOR", "status": "PLANNED",
                    "leadingIndustries": ["BIOMEDICINE"] }),
        )
        .await;
    app.recognise(&incubator, "CITY", "2021-05-01").await;
    app.recognise(&incubator, "PROVINCIAL", "2023-09-01").await;
    app.recognise(&iot, "CITY", "2022-01-10").await;

    let count = |filter: Value| {
        let app = &app;
        async move {
            let data = app.data(PAGE, json!({ "filter": filter })).await;
            (
                data["carriers"]["totalCount"].as_u64().expect("a count"),
                names(&data["carriers"]),
            )
        }
    };
    assert_eq!(
        count(json!({ "kinds": ["INCUBATOR"] })).await.1,
        ["惠山生物医药孵化器"]
    );
    assert_eq!(count(json!({ "districtCodes": ["xinwu"] })).await.0, 2);
    assert_eq!(count(json!({ "districtIds": [huishan] })).await.0, 1);
    assert_eq!(count(json!({ "operatorIds": [city_group] })).await.0, 2);
    assert_eq!(
        count(json!({ "landmark": true })).await.1,
        ["太湖湾科创综合体"]
    );
    assert_eq!(count(json!({ "statuses": ["PLANNED"] })).await.0, 1);
    assert_eq!(
        count(json!({ "leadingIndustries": ["AI_METAVERSE", "IOT"] }))
            .await
            .0,
        2
    );
    assert_eq!(
        count(json!({ "nameContains": "孵化" })).await.1,
        ["惠山生物医药孵化器"]
    );
    assert_eq!(
        count(json!({ "levels": ["PROVINCIAL"] })).await.1,
        ["惠山生物医药孵化器"]
    );
    assert_eq!(
        count(json!({ "levels": ["CITY"] })).await.1,
        ["物联网众创空间"]
    );
    assert_eq!(
        count(json!({ "levels": ["NONE"] })).await.1,
        ["太湖湾科创综合体"]
    );
    // Levels as they stood at the end of 2022: the incubator was still at city level.
    assert_eq!(
        count(json!({ "levels": ["CITY"], "levelAsOf": "2022-12-31" }))
            .await
            .0,
        2
    );
    // Conditions combine.
    assert_eq!(
        count(json!({ "districtCodes": ["xinwu"], "kinds": ["MAKERSPACE"] }))
            .await
            .1,
        ["物联网众创空间"]
    );
    let unknown = app
        .graphql(PAGE, json!({ "filter": { "districtCodes": ["atlantis"] } }))
        .await;
    assert_eq!(common::error_code(&unknown), "BAD_USER_INPUT");
    let _ = complex;
}

const CARRIER: &str = r#"
query($id: ID!) {
  node(id: $id) {
    id
    ... on Carrier {
      name kind landmark version
      district { code nameZh }
      operator { name ownership }
      leadingIndustries
      location { longitude latitude }
      area2020: floorArea(asOf: "2020-12-31")
      area2024: floorArea(asOf: "2024-12-31")
      areaPlanned: floorArea(asOf: "2027-12-31")
      level2020: level(asOf: "2020-06-01")
      level2024: level(asOf: "2024-06-01")
      recognitions { level recognisedOn authority }
      phases { areaM2 deliveredOn source }
    }
  }
}"#;

async fn a_carrier_reads_through_node_with_its_derived_figures(app: TestApp) {
    let operator = app.create_operator("无锡市新发集团", 4).await;
    let xinwu = app.district_id("xinwu").await;
    let id = app
        .create_carrier(
            &operator,
            &xinwu,
            json!({ "name": "雪浪小镇科创综合体", "kind": "SCIENCE_COMPLEX", "landmark": true,
                    "leadingIndustries": ["SOFTWARE_IT", "IOT"],
                    "location": { "longitude": 120.2466, "latitude": 31.4592 } }),
        )
        .await;
    app.add_phase(&id, 12000.5, "2019-09-01", "NEW_BUILD").await;
    app.add_phase(&id, 8000.25, "2023-03-15", "IDLE_FACTORY_RENOVATION")
        .await;
    app.add_phase(&id, 30000.0, "2027-06-30", "INDUSTRIAL_HIGH_RISE")
        .await;
    app.recognise(&id, "CITY", "2019-12-01").await;
    app.recognise(&id, "PROVINCIAL", "2022-12-01").await;

    let data = app.data(CARRIER, json!({ "id": id })).await;
    let carrier = &data["node"];
    assert_eq!(carrier["id"], id.as_str());
    assert_eq!(carrier["name"], "雪浪小镇科创综合体");
    assert_eq!(carrier["district"]["code"], "xinwu");
    assert_eq!(carrier["operator"]["ownership"], "CITY_STATE_OWNED");
    assert_eq!(carrier["leadingIndustries"], json!(["IOT", "SOFTWARE_IT"]));
    assert_eq!(carrier["location"]["latitude"], 31.4592);
    assert_eq!(carrier["area2020"], 12000.5);
    assert_eq!(carrier["area2024"], 20000.75);
    assert_eq!(carrier["areaPlanned"], 50000.75);
    assert_eq!(carrier["level2020"], "CITY");
    assert_eq!(carrier["level2024"], "PROVINCIAL");
    assert_eq!(carrier["recognitions"].as_array().map(Vec::len), Some(2));
    assert_eq!(carrier["phases"][2]["source"], "INDUSTRIAL_HIGH_RISE");

    // `carrier(id)` and `nodes(ids)` agree with `node(id)`.
    let data = app
        .data(
            "query($id: ID!) { carrier(id: $id) { name } nodes(ids: [$id, $id]) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["carrier"]["name"], "雪浪小镇科创综合体");
    assert_eq!(data["nodes"][1]["id"], id.as_str());
    // A well-formed id of a missing row is null, not an error.
    let missing = "Q2FycmllcjoxMDAwMDA"; // base64url of "Carrier:100000"
    let data = app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": missing }),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
}

const NESTED_PAGE: &str = r#"
query($first: Int!) {
  carriers(first: $first) {
    totalCount
    edges { node {
      id name
      district { code }
      operator { name }
      leadingIndustries
      floorArea
      level
      phases { areaM2 deliveredOn }
      recognitions { level recognisedOn }
    } }
  }
}"#;

async fn a_page_costs_the_same_sql_statements_whatever_its_size(app: TestApp) {
    let operators = [
        app.create_operator("运营商甲", 10).await,
        app.create_operator("运营商乙", 11).await,
        app.create_operator("运营商丙", 12).await,
    ];
    let districts = [
        app.district_id("xinwu").await,
        app.district_id("binhu").await,
    ];
    for n in 0..50 {
        let id = app
            .create_carrier(
                &operators[n % 3],
                &districts[n % 2],
                json!({ "name": format!("载体{n:02}"), "leadingIndustries": ["IOT"] }),
            )
            .await;
        app.add_phase(&id, 1000.0 + n as f64, "2022-01-01", "NEW_BUILD")
            .await;
        app.recognise(&id, "DISTRICT", "2021-01-01").await;
    }
    let mut counts = Vec::new();
    for size in [5, 50] {
        app.reset_statement_count();
        let data = app.data(NESTED_PAGE, json!({ "first": size })).await;
        counts.push(app.statements());
        let edges = data["carriers"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), size);
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["phases"].as_array().map(Vec::len) == Some(1))
        );
    }
    assert_eq!(
        counts[0].len(),
        counts[1].len(),
        "statements for a page of 5:\n{}\nand for a page of 50:\n{}",
        counts[0].join("\n"),
        counts[1].join("\n")
    );
    assert!(
        counts[0].len() <= 10,
        "a page should cost a handful of statements: {:?}",
        counts[0]
    );
}

/// 拼音顺序: carriers, operators and enterprises in the order a Chinese reader
/// expects, a page at a time, where code points would put 宜兴 before 滨湖.
async fn names_come_in_pinyin_order_page_by_page(app: TestApp) {
    let places = ["宜兴", "滨湖", "梁溪", "江阴", "新吴", "锡山", "惠山"];
    let pinyin_order = ["滨湖", "惠山", "江阴", "梁溪", "锡山", "新吴", "宜兴"];
    let district = app.district_id("xinwu").await;
    for (n, place) in places.iter().enumerate() {
        let operator = app
            .create_operator(&format!("{place}运营公司"), 600 + n as u32)
            .await;
        app.create_carrier(
            &operator,
            &district,
            json!({ "name": format!("{place}众创空间") }),
        )
        .await;
        app.data(
            "mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { id } }",
            json!({ "input": { "uscc": uscc(700 + n as u32), "name": format!("{place}科技有限公司"),
                               "foundedOn": "2023-01-01" } }),
        )
        .await;
    }
    let by_code_point = {
        let mut sorted = places.to_vec();
        sorted.sort_unstable();
        sorted
    };
    assert_ne!(
        by_code_point, pinyin_order,
        "the two orders differ for these names"
    );

    // Carriers, three at a time, forward through every page.
    let page = r#"query($after: String) { carriers(first: 3, after: $after, orderBy: { field: NAME_PINYIN }) {
        edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }"#;
    let (mut collected, mut after) = (Vec::new(), Value::Null);
    loop {
        let data = app.data(page, json!({ "after": after })).await;
        let carriers = &data["carriers"];
        collected.extend(names(carriers));
        if carriers["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = carriers["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<String> = pinyin_order
        .iter()
        .map(|p| format!("{p}众创空间"))
        .collect();
    assert_eq!(collected, expected);
    let descending = app
        .data(
            "{ carriers(first: 2, orderBy: { field: NAME_PINYIN, direction: DESC }) { edges { node { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        names(&descending["carriers"]),
        ["宜兴众创空间", "新吴众创空间"]
    );

    // Operators and enterprises, second page after the first.
    for (list, suffix) in [("operators", "运营公司"), ("enterprises", "科技有限公司")] {
        let query = format!(
            r#"query($after: String) {{ {list}(first: 4, after: $after, orderBy: NAME_PINYIN) {{
                edges {{ node {{ name }} }} pageInfo {{ endCursor }} }} }}"#
        );
        let first = app.data(&query, json!({ "after": null })).await;
        let after = first[list]["pageInfo"]["endCursor"].clone();
        let second = app.data(&query, json!({ "after": after })).await;
        let listed: Vec<String> = names(&first[list])
            .into_iter()
            .chain(names(&second[list]))
            .filter(|name| name.ends_with(suffix))
            .collect();
        let expected: Vec<String> = pinyin_order
            .iter()
            .map(|p| format!("{p}{suffix}"))
            .collect();
        assert_eq!(listed, expected, "{list}");
    }
}

on_both_databases!(
    names_come_in_pinyin_order_page_by_page,
    pages_forward_and_backward_with_cursors,
    a_cursor_of_another_order_or_an_oversized_page_is_refused,
    filters_narrow_the_list_and_the_count,
    a_carrier_reads_through_node_with_its_derived_figures,
    a_page_costs_the_same_sql_statements_whatever_its_size,
);
