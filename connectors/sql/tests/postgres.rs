//! PostgreSQL suite: runs when `PG_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/test`).

mod common;

use std::time::{Duration, Instant};

use common::{date, datetime, limits, params, unique};
use oots_connector::{CancellationToken, Connector, ConnectorError, Limits, Value};
use oots_connector_sql::{SqlConnector, SqlOptions, run_script};

fn pg_url() -> Option<String> {
    oots_testskip::skip_unless_env(
        "PG_URL",
        "PostgreSQL test (set PG_URL=postgres://postgres@127.0.0.1:5432/test)",
    )
}

fn seed(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (
            id INT PRIMARY KEY,
            given TEXT NOT NULL,
            family VARCHAR(100),
            dob DATE,
            registered TIMESTAMP,
            registered_tz TIMESTAMPTZ,
            amount NUMERIC(12, 2),
            score DOUBLE PRECISION,
            ratio REAL,
            active BOOLEAN,
            photo BYTEA,
            small SMALLINT,
            big BIGINT,
            doc JSONB,
            span INTERVAL
        );
        INSERT INTO {table} VALUES
          (1, 'Jan', 'Novák', '1970-03-01', '2020-01-02 03:04:05', '2020-01-02 03:04:05+02',
           1234.50, 0.25, 0.5, TRUE, '\\x255044462d', -3, 9007199254740993, '{{\"a\": 1}}', '1 day'),
          (2, 'Zoë', 'Ó Súilleabháin', '1970-03-01', NULL, NULL, -0.01, NULL, NULL, FALSE, NULL,
           NULL, NULL, NULL, NULL),
          (3, 'Ана', 'Попова', '1985-12-24', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL);"
    )
}

#[tokio::test]
async fn postgres_suite() {
    let Some(url) = pg_url() else { return };
    let table = unique("oots_sql_pg");
    run_script(&url, &seed(&table)).await.expect("seed");
    // Run the checks in a task so the table is dropped even when one fails.
    let outcome = tokio::spawn(checks(url.clone(), table.clone())).await;
    run_script(&url, &format!("DROP TABLE IF EXISTS {table}"))
        .await
        .expect("drop table");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn checks(url: String, table: String) {
    let c = SqlConnector::connect(&url, SqlOptions::default())
        .await
        .expect("connect");
    c.probe().await.expect("probe");
    let cancel = CancellationToken::new();

    // Lookup by a date parameter; typed decoding of every column type.
    let query = format!(
        "SELECT id, given, family, dob, registered, registered_tz, amount, score, ratio, active, \
         photo, small, big, doc FROM {table} WHERE dob = :dob ORDER BY id"
    );
    let rows = c
        .run_query(
            &query,
            &params([("dob", Value::Date(date(1970, 3, 1)))]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("lookup by date");
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    assert_eq!(r.get("id"), Some(&Value::Int(1)));
    assert_eq!(r.get("given"), Some(&Value::Text("Jan".into())));
    assert_eq!(r.get("family"), Some(&Value::Text("Novák".into())));
    assert_eq!(r.get("dob"), Some(&Value::Date(date(1970, 3, 1))));
    assert_eq!(
        r.get("registered"),
        Some(&Value::DateTime(datetime(2020, 1, 2, 3, 4, 5)))
    );
    assert_eq!(
        r.get("registered_tz"),
        Some(&Value::DateTime(datetime(2020, 1, 2, 1, 4, 5)))
    );
    assert_eq!(r.get("amount"), Some(&Value::Text("1234.50".into())));
    assert_eq!(r.get("score"), Some(&Value::Float(0.25)));
    assert_eq!(r.get("ratio"), Some(&Value::Float(0.5)));
    assert_eq!(r.get("active"), Some(&Value::Bool(true)));
    assert_eq!(r.get("photo"), Some(&Value::Bytes(b"%PDF-".to_vec())));
    assert_eq!(r.get("small"), Some(&Value::Int(-3)));
    assert_eq!(r.get("big"), Some(&Value::Int(9_007_199_254_740_993)));
    assert_eq!(r.get("doc"), Some(&Value::Text("{\"a\": 1}".into())));
    let r = &rows[1];
    assert_eq!(r.get("family"), Some(&Value::Text("Ó Súilleabháin".into())));
    assert_eq!(r.get("amount"), Some(&Value::Text("-0.01".into())));
    assert_eq!(r.get("registered"), Some(&Value::Null));
    assert_eq!(r.get("photo"), Some(&Value::Null));
    assert_eq!(r.get("active"), Some(&Value::Bool(false)));

    // Non-ASCII parameter, `::` casts, a reused name, an untyped NULL parameter (the server
    // infers a NULL's type from its context; `IS NULL` alone gives none, hence the cast).
    let query = format!(
        "SELECT id, :dob::text AS echoed FROM {table} \
         WHERE dob = :dob::date AND (:family::text IS NULL OR family = :family) \
         AND given = :given ORDER BY id"
    );
    assert_eq!(
        c.parameters(&query).expect("parameters"),
        ["dob", "family", "given"]
    );
    let rows = c
        .run_query(
            &query,
            &params([
                ("dob", Value::Text("1985-12-24".into())),
                ("family", Value::Null),
                ("given", Value::Text("Ана".into())),
            ]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("lookup with casts");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("id"), Some(&Value::Int(3)));
    assert_eq!(
        rows[0].get("echoed"),
        Some(&Value::Text("1985-12-24".into()))
    );

    // An untyped NULL takes the column's type (no `date = text` error) and matches nothing.
    let rows = c
        .run_query(
            &format!("SELECT id FROM {table} WHERE dob = :dob"),
            &params([("dob", Value::Null)]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("null date parameter");
    assert!(rows.is_empty());

    // Unsupported column types are named, values are not.
    let err = c
        .run_query(
            &format!("SELECT span FROM {table} WHERE id = 1"),
            &params([]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect_err("interval is unsupported");
    let msg = err.to_string();
    assert_eq!(err.code(), "CONNECTOR_QUERY");
    assert!(
        msg.contains("span") && msg.contains("INTERVAL") && !msg.contains("day"),
        "{msg}"
    );

    // Server errors never quote a bound value.
    let err = c
        .run_query(
            "SELECT CAST(:v AS date) AS d",
            &params([("v", Value::Text("Novák-1970".into()))]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect_err("not a date");
    assert_eq!(err.code(), "CONNECTOR_QUERY");
    assert!(!err.to_string().contains("Novák"), "{err}");

    // Read-only: writes fail and change nothing.
    for stmt in [
        format!("INSERT INTO {table} (id, given) VALUES (99, :g)"),
        format!("UPDATE {table} SET given = :g WHERE id = 1"),
        format!("DELETE FROM {table} WHERE given <> :g"),
    ] {
        let err = c
            .run_query(
                &stmt,
                &params([("g", Value::Text("Mallory".into()))]),
                Limits::default(),
                &cancel,
            )
            .await
            .expect_err("read-only");
        assert_eq!(err.code(), "CONNECTOR_QUERY", "{stmt}: {err}");
        assert!(err.to_string().contains("25006"), "{err}");
    }
    let rows = c
        .run_query(
            &format!("SELECT count(*) AS n, min(given) AS first FROM {table}"),
            &params([]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("count");
    assert_eq!(rows[0].get("n"), Some(&Value::Int(3)));
    assert_eq!(rows[0].get("first"), Some(&Value::Text("Jan".into())));

    // Row cap.
    let err = c
        .run_query(
            &format!("SELECT id FROM {table}"),
            &params([]),
            limits(5_000, 2),
            &cancel,
        )
        .await
        .expect_err("3 rows > 2");
    assert!(matches!(err, ConnectorError::TooManyRows(2)), "{err:?}");

    // Statement timeout: the lookup times out and the server stops the statement too.
    // First a positive control: a running marked statement is visible in pg_stat_activity.
    let marker = unique("slow_marker");
    let running = {
        let (c, marker) = (c.clone(), marker.clone());
        tokio::spawn(async move {
            c.run_query(
                &format!("SELECT pg_sleep(1) AS s /* {marker} */"),
                &params([]),
                limits(5_000, 10),
                &CancellationToken::new(),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(running_statements(&c, &marker).await, 1);
    let done = running
        .await
        .expect("join")
        .expect("a 1 s sleep within 5 s");
    assert_eq!(done[0].get("s"), Some(&Value::Null));
    let marker = unique("slow_marker");
    let started = Instant::now();
    let err = c
        .run_query(
            &format!("SELECT pg_sleep(2) /* {marker} */"),
            &params([]),
            limits(200, 10),
            &cancel,
        )
        .await
        .expect_err("must time out");
    assert!(matches!(err, ConnectorError::Timeout(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        running_statements(&c, &marker).await,
        0,
        "server still runs the slow statement"
    );

    // Cancellation.
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        trigger.cancel();
    });
    let err = c
        .run_query("SELECT pg_sleep(2)", &params([]), limits(5_000, 10), &token)
        .await
        .expect_err("cancelled");
    assert!(matches!(err, ConnectorError::Cancelled), "{err:?}");

    // The pool still works after timeouts and cancellations.
    let rows = c
        .run_query("SELECT 1 AS one", &params([]), Limits::default(), &cancel)
        .await
        .expect("after timeout");
    assert_eq!(rows[0].get("one"), Some(&Value::Int(1)));
}

/// How many statements containing `marker` the server is running for other sessions.
async fn running_statements(c: &SqlConnector, marker: &str) -> i64 {
    let rows = c
        .run_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE :pattern",
            &params([("pattern", Value::Text(format!("%{marker}%")))]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("activity");
    match rows[0].get("n") {
        Some(Value::Int(n)) => *n,
        other => panic!("unexpected count {other:?}"),
    }
}
