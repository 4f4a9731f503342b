//! MySQL/MariaDB suite: runs when `MYSQL_URL` is set (e.g. `mysql://root@127.0.0.1:3306/test`).

mod common;

use std::time::{Duration, Instant};

use common::{date, datetime, limits, params, unique};
use oots_connector::{CancellationToken, Connector, ConnectorError, Limits, Value};
use oots_connector_sql::{SqlConnector, SqlOptions, run_script};

fn mysql_url() -> Option<String> {
    oots_testskip::skip_unless_env(
        "MYSQL_URL",
        "MySQL/MariaDB test (set MYSQL_URL=mysql://root@127.0.0.1:3306/test)",
    )
}

fn seed(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (
            id INT PRIMARY KEY,
            given VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL,
            family VARCHAR(100) CHARACTER SET utf8mb4,
            dob DATE,
            registered DATETIME,
            amount DECIMAL(12, 2),
            score DOUBLE,
            active BOOLEAN,
            photo BLOB,
            counter INT UNSIGNED,
            big BIGINT,
            bio TEXT CHARACTER SET utf8mb4,
            kind ENUM('citizen', 'resident')
        ) ENGINE=InnoDB;
        INSERT INTO {table} VALUES
          (1, 'Jan', 'Novák', '1970-03-01', '2020-01-02 03:04:05', 1234.50, 0.25, TRUE,
           X'255044462D', 4000000000, -9007199254740993, 'Žluťoučký kůň', 'citizen'),
          (2, 'Zoë', 'Ó Súilleabháin', '1970-03-01', NULL, -0.01, NULL, FALSE, NULL, NULL, NULL,
           NULL, NULL),
          (3, 'Ана', 'Попова', '1985-12-24', '0000-00-00 00:00:00', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           'resident');"
    )
}

#[tokio::test]
async fn mysql_suite() {
    let Some(url) = mysql_url() else { return };
    let table = unique("oots_sql_my");
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
        "SELECT id, given, family, dob, registered, amount, score, active, photo, counter, big, \
         bio, kind FROM {table} WHERE dob = :dob ORDER BY id"
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
    assert_eq!(r.get("amount"), Some(&Value::Text("1234.50".into())));
    assert_eq!(r.get("score"), Some(&Value::Float(0.25)));
    assert_eq!(r.get("active"), Some(&Value::Bool(true)));
    assert_eq!(r.get("photo"), Some(&Value::Bytes(b"%PDF-".to_vec())));
    assert_eq!(r.get("counter"), Some(&Value::Int(4_000_000_000)));
    assert_eq!(r.get("big"), Some(&Value::Int(-9_007_199_254_740_993)));
    assert_eq!(r.get("bio"), Some(&Value::Text("Žluťoučký kůň".into())));
    assert_eq!(r.get("kind"), Some(&Value::Text("citizen".into())));
    let r = &rows[1];
    assert_eq!(r.get("family"), Some(&Value::Text("Ó Súilleabháin".into())));
    assert_eq!(r.get("amount"), Some(&Value::Text("-0.01".into())));
    assert_eq!(r.get("registered"), Some(&Value::Null));
    assert_eq!(r.get("photo"), Some(&Value::Null));
    assert_eq!(r.get("active"), Some(&Value::Bool(false)));

    // Non-ASCII parameter, reused name, NULL parameter, backslash-escaped literal.
    let query = format!(
        "SELECT id, registered, 'it\\'s :fake' AS lit FROM {table} \
         WHERE dob = :dob AND (:family IS NULL OR family = :family) AND given = :given # :fake"
    );
    assert_eq!(
        c.parameters(&query).expect("parameters"),
        ["dob", "family", "given"]
    );
    let rows = c
        .run_query(
            &query,
            &params([
                ("dob", Value::Date(date(1985, 12, 24))),
                ("family", Value::Null),
                ("given", Value::Text("Ана".into())),
            ]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("lookup with reuse");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("id"), Some(&Value::Int(3)));
    assert_eq!(rows[0].get("lit"), Some(&Value::Text("it's :fake".into())));
    // A legacy zero date reads as NULL.
    assert_eq!(rows[0].get("registered"), Some(&Value::Null));

    // Unsupported column types are named, values are not.
    let err = c
        .run_query(
            "SELECT POINT(1, 2) AS place",
            &params([]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect_err("geometry is unsupported");
    let msg = err.to_string();
    assert_eq!(err.code(), "CONNECTOR_QUERY");
    assert!(msg.contains("place") && msg.contains("GEOMETRY"), "{msg}");

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
        assert!(!err.to_string().contains("Mallory"), "{err}");
    }
    let rows = c
        .run_query(
            &format!(
                "SELECT COUNT(*) AS n, MIN(id) AS first FROM {table} WHERE given <> 'Mallory'"
            ),
            &params([]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("count");
    assert_eq!(rows[0].get("n"), Some(&Value::Int(3)));
    assert_eq!(rows[0].get("first"), Some(&Value::Int(1)));

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
    // First a positive control: a running marked statement is visible in the process list.
    let marker = unique("slow_marker");
    let running = {
        let (c, marker) = (c.clone(), marker.clone());
        tokio::spawn(async move {
            c.run_query(
                &format!("SELECT SLEEP(1) AS s /* {marker} */"),
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
    assert_eq!(done[0].get("s"), Some(&Value::Int(0)));
    let marker = unique("slow_marker");
    let started = Instant::now();
    let err = c
        .run_query(
            &format!("SELECT SLEEP(2) AS s /* {marker} */"),
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
        .run_query("SELECT SLEEP(2)", &params([]), limits(5_000, 10), &token)
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
            "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST \
             WHERE ID <> CONNECTION_ID() AND INFO LIKE :pattern",
            &params([("pattern", Value::Text(format!("%{marker}%")))]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("processlist");
    match rows[0].get("n") {
        Some(Value::Int(n)) => *n,
        other => panic!("unexpected count {other:?}"),
    }
}
