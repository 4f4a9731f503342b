//! SQLite suite: always runs, against a temporary database file.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{date, datetime, limits, params};
use oots_connector::{CancellationToken, Connector, ConnectorError, Limits, Value};
use oots_connector_sql::{SqlConnector, SqlOptions, run_script};

const SEED: &str = "
CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    given TEXT NOT NULL,
    family TEXT,
    dob DATE,
    height REAL,
    active BOOLEAN,
    photo BLOB,
    registered_at DATETIME,
    note TEXT
);
INSERT INTO person VALUES (1, 'Jan', 'Novák', '1970-03-01', 1.82, 1, X'255044462D', '2020-01-02 03:04:05', NULL);
INSERT INTO person VALUES (2, 'Zoë', 'O''Brien', '1985-12-24', NULL, 0, NULL, NULL, ':fake in data');
INSERT INTO person VALUES (3, 'Ana', 'Pop', '1970-03-01', 1.65, 1, NULL, NULL, NULL);
INSERT INTO person VALUES (4, 'Ion', 'Pop', '1990-07-15', 1.70, 0, NULL, NULL, NULL);
INSERT INTO person VALUES (5, 'Eva', 'Pop', '2001-01-31', 1.60, 1, NULL, NULL, NULL);
";

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// A seeded database in a temporary directory (kept alive by the returned guard).
async fn seeded() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = url(&dir.path().join("registry.db"));
    run_script(&url, SEED).await.expect("seed script");
    (dir, url)
}

async fn connector(url: &str) -> SqlConnector {
    SqlConnector::connect(url, SqlOptions::default())
        .await
        .expect("connect")
}

/// A statement that takes many seconds on SQLite: a long recursive count.
const SLOW: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) \
                    SELECT count(*) AS n FROM c";

#[tokio::test]
async fn decodes_every_storage_class_to_typed_values() {
    let (_dir, url) = seeded().await;
    let c = connector(&url).await;
    assert_eq!(c.kind(), "sql");
    let rows = c
        .run_query(
            "SELECT id, given, family, dob, height, active, photo, registered_at, note \
             FROM person WHERE id = :id",
            &params([("id", Value::Int(1))]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    let names: Vec<&str> = r.fields().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "id",
            "given",
            "family",
            "dob",
            "height",
            "active",
            "photo",
            "registered_at",
            "note"
        ]
    );
    assert_eq!(r.get("id"), Some(&Value::Int(1)));
    assert_eq!(r.get("GIVEN"), Some(&Value::Text("Jan".into())));
    assert_eq!(r.get("family"), Some(&Value::Text("Novák".into())));
    // Declared DATE stays text in SQLite; the caller converts.
    assert_eq!(r.get("dob"), Some(&Value::Text("1970-03-01".into())));
    assert_eq!(
        r.get("dob").and_then(Value::as_date),
        Some(date(1970, 3, 1))
    );
    assert_eq!(r.get("height"), Some(&Value::Float(1.82)));
    assert_eq!(r.get("active"), Some(&Value::Int(1)));
    assert_eq!(r.get("photo"), Some(&Value::Bytes(b"%PDF-".to_vec())));
    assert_eq!(
        r.get("registered_at"),
        Some(&Value::Text("2020-01-02 03:04:05".into()))
    );
    assert_eq!(r.get("note"), Some(&Value::Null));

    // Expressions decode by their runtime type too.
    let rows = c
        .run_query(
            "SELECT 42 AS i, 1.5 AS f, 'é' AS t, x'00ff' AS b, NULL AS n",
            &params([]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    let r = &rows[0];
    assert_eq!(r.get("i"), Some(&Value::Int(42)));
    assert_eq!(r.get("f"), Some(&Value::Float(1.5)));
    assert_eq!(r.get("t"), Some(&Value::Text("é".into())));
    assert_eq!(r.get("b"), Some(&Value::Bytes(vec![0, 255])));
    assert_eq!(r.get("n"), Some(&Value::Null));
}

#[tokio::test]
async fn binds_named_parameters_including_reuse() {
    let (_dir, url) = seeded().await;
    let c = connector(&url).await;
    let query = "SELECT id FROM person WHERE family = :family AND (dob = :dob OR :dob IS NULL) \
                 AND id > :min_id ORDER BY id";
    assert_eq!(
        c.parameters(query).expect("parameters"),
        ["family", "dob", "min_id"]
    );
    let ids = |rows: Vec<oots_connector::Record>| -> Vec<Value> {
        rows.iter().filter_map(|r| r.get("id").cloned()).collect()
    };
    // A Date parameter is bound as ISO text, matching SQLite's date storage.
    let rows = c
        .run_query(
            query,
            &params([
                ("family", Value::Text("Pop".into())),
                ("dob", Value::Date(date(1970, 3, 1))),
                ("min_id", Value::Int(0)),
                ("unused", Value::Text("ignored".into())),
            ]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(ids(rows), [Value::Int(3)]);
    // The reused :dob is bound at both places: NULL makes the date filter vanish.
    let rows = c
        .run_query(
            query,
            &params([
                ("family", Value::Text("Pop".into())),
                ("dob", Value::Null),
                ("min_id", Value::Int(3)),
            ]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(ids(rows), [Value::Int(4), Value::Int(5)]);
    // Non-ASCII text and a quote in a bound value are data, not SQL.
    let rows = c
        .run_query(
            "SELECT id FROM person WHERE family = :f OR given = :g",
            &params([
                ("f", Value::Text("O'Brien".into())),
                ("g", Value::Text("Zoë".into())),
            ]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(ids(rows), [Value::Int(2)]);
}

#[tokio::test]
async fn ignores_colons_in_literals_comments_and_casts() {
    let (_dir, url) = seeded().await;
    let c = connector(&url).await;
    let query = "SELECT ':fake' AS a, 'it''s :fake' AS b, \"given\" AS \"g:fake\" -- :fake\n\
                 /* :fake */ FROM person WHERE id = :id AND (note IS NULL OR note = ':fake in data')";
    assert_eq!(c.parameters(query).expect("parameters"), ["id"]);
    let rows = c
        .run_query(
            query,
            &params([("id", Value::Int(2))]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("a"), Some(&Value::Text(":fake".into())));
    assert_eq!(rows[0].get("b"), Some(&Value::Text("it's :fake".into())));
    assert_eq!(rows[0].get("g:fake"), Some(&Value::Text("Zoë".into())));

    // `::` is never a parameter (a PostgreSQL cast; in SQLite text it only appears in literals).
    assert_eq!(
        c.parameters("SELECT x::text, ':: :no', :yes")
            .expect("parameters"),
        ["yes"]
    );
    let rows = c
        .run_query(
            "SELECT '1970::03' AS s, :x AS x",
            &params([("x", Value::Int(7))]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(rows[0].get("s"), Some(&Value::Text("1970::03".into())));
    assert_eq!(rows[0].get("x"), Some(&Value::Int(7)));
}

#[tokio::test]
async fn unbound_parameter_is_an_error() {
    let (_dir, url) = seeded().await;
    let c = connector(&url).await;
    let err = c
        .run_query(
            "SELECT id FROM person WHERE family = :family AND dob = :dob",
            &params([("family", Value::Text("Pop".into()))]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect_err("must fail");
    assert!(
        matches!(&err, ConnectorError::UnboundParameter(n) if n == "dob"),
        "{err:?}"
    );
    // Positional placeholders are refused: every value must be a named, bound parameter.
    let err = c
        .run_query(
            "SELECT ?",
            &params([]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect_err("must fail");
    assert_eq!(err.code(), "CONNECTOR_CONFIG");
}

#[tokio::test]
async fn caps_rows() {
    let (_dir, url) = seeded().await;
    let c = connector(&url).await;
    let cancel = CancellationToken::new();
    let err = c
        .run_query(
            "SELECT id FROM person",
            &params([]),
            limits(5_000, 4),
            &cancel,
        )
        .await
        .expect_err("5 rows > 4");
    assert!(matches!(err, ConnectorError::TooManyRows(4)), "{err:?}");
    let rows = c
        .run_query(
            "SELECT id FROM person",
            &params([]),
            limits(5_000, 5),
            &cancel,
        )
        .await
        .expect("exactly at the cap");
    assert_eq!(rows.len(), 5);
    let rows = c
        .run_query(
            "SELECT id FROM person WHERE id < 0",
            &params([]),
            limits(5_000, 0),
            &cancel,
        )
        .await
        .expect("no rows under a zero cap");
    assert!(rows.is_empty());
}

#[tokio::test]
async fn lookups_cannot_write() {
    let (_dir, url) = seeded().await;
    let c = connector(&url).await;
    let cancel = CancellationToken::new();
    for stmt in [
        "INSERT INTO person (id, given) VALUES (99, :g)",
        "UPDATE person SET given = :g WHERE id = 1",
        "DELETE FROM person WHERE given <> :g",
        "CREATE TABLE evil (x TEXT DEFAULT :g)",
    ] {
        let err = c
            .run_query(
                stmt,
                &params([("g", Value::Text("Mallory".into()))]),
                Limits::default(),
                &cancel,
            )
            .await
            .expect_err(stmt);
        assert_eq!(err.code(), "CONNECTOR_QUERY", "{stmt}: {err}");
        assert!(!err.to_string().contains("Mallory"), "{err}");
    }
    // Even a writable connector never commits a lookup.
    let writable = SqlConnector::connect(
        &url,
        SqlOptions {
            read_only: false,
            ..SqlOptions::default()
        },
    )
    .await
    .expect("connect writable");
    writable
        .run_query(
            "UPDATE person SET given = 'Mallory' WHERE id = 1 RETURNING id",
            &params([]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("update inside a rolled-back lookup");
    let rows = c
        .run_query(
            "SELECT count(*) AS n, max(given = 'Jan' AND id = 1) AS jan FROM person",
            &params([]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("count");
    assert_eq!(rows[0].get("n"), Some(&Value::Int(5)));
    let rows = c
        .run_query(
            "SELECT given FROM person WHERE id = 1",
            &params([]),
            Limits::default(),
            &cancel,
        )
        .await
        .expect("select");
    assert_eq!(rows[0].get("given"), Some(&Value::Text("Jan".into())));
}

#[tokio::test]
async fn slow_query_times_out_and_frees_the_connection() {
    let (_dir, url) = seeded().await;
    let c = SqlConnector::connect(
        &url,
        SqlOptions {
            max_connections: 1,
            ..SqlOptions::default()
        },
    )
    .await
    .expect("connect");
    let started = Instant::now();
    let err = c
        .run_query(SLOW, &params([]), limits(50, 10), &CancellationToken::new())
        .await
        .expect_err("must time out");
    assert!(
        matches!(err, ConnectorError::Timeout(d) if d == Duration::from_millis(50)),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The statement was interrupted, so the single pooled connection serves the next lookup.
    let started = Instant::now();
    let rows = c
        .run_query(
            "SELECT 1 AS one",
            &params([]),
            limits(3_000, 10),
            &CancellationToken::new(),
        )
        .await
        .expect("next lookup");
    assert_eq!(rows[0].get("one"), Some(&Value::Int(1)));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

// A SQLite statement runs on the calling thread, so the task that cancels it must be
// able to run elsewhere: `serve` uses a multi-threaded runtime (on a single thread only
// the lookup's deadline can end a statement).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_stops_a_lookup() {
    let (_dir, url) = seeded().await;
    let c = SqlConnector::connect(
        &url,
        SqlOptions {
            max_connections: 1,
            ..SqlOptions::default()
        },
    )
    .await
    .expect("connect");
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        trigger.cancel();
    });
    let started = Instant::now();
    let err = c
        .run_query(SLOW, &params([]), limits(30_000, 10), &cancel)
        .await
        .expect_err("must be cancelled");
    assert!(matches!(err, ConnectorError::Cancelled), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Already cancelled: nothing runs.
    let err = c
        .run_query("SELECT 1", &params([]), Limits::default(), &cancel)
        .await
        .expect_err("pre-cancelled");
    assert!(matches!(err, ConnectorError::Cancelled), "{err:?}");
    // The connection is free again for a fresh token.
    let rows = c
        .run_query(
            "SELECT 2 AS two",
            &params([]),
            limits(3_000, 10),
            &CancellationToken::new(),
        )
        .await
        .expect("next lookup");
    assert_eq!(rows[0].get("two"), Some(&Value::Int(2)));
}

#[tokio::test]
async fn connection_errors_never_show_the_password() {
    let opts = SqlOptions {
        connect_timeout: Duration::from_millis(500),
        ..SqlOptions::default()
    };
    for url in [
        "postgres://alice:Sup3rS3cret@127.0.0.1:1/registry",
        "mysql://alice:Sup3rS3cret@127.0.0.1:1/registry",
    ] {
        let err = SqlConnector::connect(url, opts.clone())
            .await
            .expect_err("port 1 refuses");
        let msg = err.to_string();
        assert_eq!(err.code(), "CONNECTOR_UNAVAILABLE", "{msg}");
        assert!(!msg.contains("Sup3rS3cret"), "{msg}");
        assert!(msg.contains("alice:***@127.0.0.1:1"), "{msg}");
        assert!(!format!("{err:?}").contains("Sup3rS3cret"));
    }
    let err = SqlConnector::connect("mssql://alice:Sup3rS3cret@h/db", opts.clone())
        .await
        .expect_err("unsupported scheme");
    assert_eq!(err.code(), "CONNECTOR_CONFIG");
    assert!(!err.to_string().contains("Sup3rS3cret"), "{err}");
    // A read-only connector never creates a missing SQLite file.
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.db");
    let err = SqlConnector::connect(&url(&missing), opts)
        .await
        .expect_err("missing file");
    assert_eq!(err.code(), "CONNECTOR_UNAVAILABLE", "{err}");
    assert!(!missing.exists());
}

#[tokio::test]
async fn probe_and_debug_output() {
    let (_dir, url) = seeded().await;
    let c = connector(&url).await;
    c.probe().await.expect("probe");
    assert!(format!("{c:?}").contains("Sqlite"));
    // In-memory databases work too (read-only via `query_only`).
    let mem = connector("sqlite::memory:").await;
    mem.probe().await.expect("probe memory");
    let err = mem
        .run_query(
            "CREATE TABLE t (x)",
            &params([]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect_err("query_only");
    assert_eq!(err.code(), "CONNECTOR_QUERY");
}

#[tokio::test]
async fn failing_script_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = url(&dir.path().join("seed.db"));
    let err = run_script(
        &url,
        "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1); INSERT INTO missing VALUES (2);",
    )
    .await
    .expect_err("bad script");
    assert_eq!(err.code(), "CONNECTOR_QUERY", "{err}");
    let c = connector(&url).await;
    let rows = c
        .run_query(
            "SELECT count(*) AS n FROM sqlite_master WHERE name = :t",
            &params([("t", Value::Text("a".into()))]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(rows[0].get("n"), Some(&Value::Int(0)));
    // DateTime parameters are bound as SQLite's `YYYY-MM-DD HH:MM:SS` text.
    let rows = c
        .run_query(
            "SELECT :ts AS ts, :d AS d",
            &params([
                ("ts", Value::DateTime(datetime(2020, 1, 2, 3, 4, 5))),
                ("d", Value::Date(date(1970, 3, 1))),
            ]),
            Limits::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("lookup");
    assert_eq!(
        rows[0].get("ts"),
        Some(&Value::Text("2020-01-02 03:04:05".into()))
    );
    assert_eq!(rows[0].get("d"), Some(&Value::Text("1970-03-01".into())));
}
