//! The connector against the in-repo fake TDS peer (plaintext, loopback, OS-chosen port).

mod tds_peer;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use oots_connector::secret::SecretRef;
use oots_connector::{
    CancellationToken, Connector, ConnectorError, FieldPaths, Limits, Lookup, Params, Value,
};
use oots_connector_mssql::{Encrypt, MssqlConnector, MssqlSettings};
use tds_peer::{Cell, PV, Peer, Reply, Ty};

const PASSWORD: &str = "S3cret-pw!";

fn settings(peer: &Peer, password: &str, dir: &tempfile::TempDir) -> MssqlSettings {
    let path = dir.path().join("pw");
    std::fs::write(&path, format!("{password}\n")).unwrap();
    let mut s = MssqlSettings::new("127.0.0.1", peer.port, "reader", SecretRef::File(path));
    s.database = Some("registry".into());
    s.encrypt = Encrypt::Off;
    s.connect_timeout_ms = 2_000;
    s.timeout_ms = 5_000;
    s
}

async fn setup() -> (Peer, MssqlConnector, tempfile::TempDir) {
    let peer = Peer::start("reader", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let c = MssqlConnector::connect(&settings(&peer, PASSWORD, &dir))
        .await
        .unwrap();
    (peer, c, dir)
}

fn limits(timeout_ms: u64, max_rows: usize) -> Limits {
    Limits {
        timeout: Duration::from_millis(timeout_ms),
        max_rows,
    }
}

async fn run(
    c: &MssqlConnector,
    query: &str,
    params: &Params,
    fields: &FieldPaths,
    limits: Limits,
) -> Result<Vec<oots_connector::Record>, ConnectorError> {
    c.lookup(
        &Lookup {
            query,
            params,
            fields,
            limits,
        },
        &CancellationToken::new(),
    )
    .await
}

fn one_int(name: &'static str, v: i64) -> Reply {
    Reply::Rows(vec![(name, Ty::Int)], vec![vec![Cell::Int(v)]])
}

#[tokio::test]
async fn logs_in_and_probes() {
    let (peer, c, _dir) = setup().await;
    assert_eq!(c.kind(), "mssql");
    c.probe().await.unwrap();
    c.probe().await.unwrap();
    assert_eq!(
        peer.logins(),
        1,
        "the connection opened by connect() is pooled and reused"
    );
    let probes = peer.requests();
    assert!(probes.iter().all(|r| !r.rpc && r.sql == "SELECT 1"));
    assert!(c.health().detail.unwrap().contains("1 idle"));
}

#[tokio::test]
async fn parameters_are_bound_as_rpc_parameters_never_spliced() {
    let (peer, c, _dir) = setup().await;
    let dob = NaiveDate::from_ymd_opt(1970, 3, 1).unwrap();
    peer.on_params(
        "FROM persons",
        vec![
            PV::Text("Novák".into()),
            PV::Date(dob),
            PV::Int(7),
            PV::Null,
        ],
        Reply::Rows(
            vec![("id", Ty::Int), ("family", Ty::NVarChar)],
            vec![vec![Cell::Int(42), Cell::Text("Novák".into())]],
        ),
    );
    let query = "SELECT id, family FROM persons WHERE family = :family AND dob = :dob \
                 AND (alias = :family OR 1 = 1) AND site = :site AND note = :note -- :ignored\n";
    assert_eq!(
        c.parameters(query).unwrap(),
        ["family", "dob", "site", "note"]
    );
    let params = Params::from([
        ("family".to_owned(), Value::Text("Novák".into())),
        ("dob".to_owned(), Value::Date(dob)),
        ("site".to_owned(), Value::Int(7)),
        ("note".to_owned(), Value::Null),
    ]);
    let rows = run(&c, query, &params, &FieldPaths::new(), limits(5_000, 10))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("id"), Some(&Value::Int(42)));
    assert_eq!(rows[0].get("FAMILY"), Some(&Value::Text("Novák".into())));

    let req = peer.requests().pop().unwrap();
    assert!(req.rpc, "sent as RPC sp_executesql");
    assert!(
        req.sql
            .contains("family = @P1 AND dob = @P2 AND (alias = @P1"),
        "{}",
        req.sql
    );
    assert!(
        !req.sql.contains("Novák") && !req.sql.contains("1970"),
        "value spliced: {}",
        req.sql
    );
    assert!(req.sql.starts_with(
        "SET XACT_ABORT ON; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN TRAN;"
    ));
    assert!(req.sql.trim_end().ends_with("ROLLBACK TRAN;"));
    assert_eq!(req.params.len(), 4);
    assert_eq!(req.params[0].0, "@P1");
    assert!(req.declared.starts_with("@P1 nvarchar"), "{}", req.declared);

    // A missing parameter is refused before anything is sent.
    let before = peer.requests().len();
    let err = run(
        &c,
        query,
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::UnboundParameter(ref n) if n == "family"),
        "{err:?}"
    );
    // So is anything that is not a single SELECT.
    let err = run(
        &c,
        "DELETE FROM persons",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 10),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Config(_)), "{err:?}");
    assert_eq!(peer.requests().len(), before);
}

#[tokio::test]
async fn decodes_every_supported_type_including_null_and_a_pdf() {
    let (peer, c, _dir) = setup().await;
    let pdf: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..20_000u32).map(|i| (i % 251) as u8))
        .collect();
    let cols = vec![
        ("tiny", Ty::TinyInt),
        ("small", Ty::SmallInt),
        ("int", Ty::Int),
        ("big", Ty::BigInt),
        ("flag", Ty::Bit),
        ("real", Ty::Real),
        ("dbl", Ty::Float),
        ("amount", Ty::Decimal(10, 2)),
        ("price", Ty::Money),
        ("name", Ty::NVarChar),
        ("code", Ty::VarChar),
        ("born", Ty::Date),
        ("stamp", Ty::DateTime),
        ("stamp2", Ty::DateTime2),
        ("doc", Ty::VarBinaryMax),
    ];
    let dt = NaiveDate::from_ymd_opt(2024, 5, 6)
        .unwrap()
        .and_hms_opt(7, 8, 9)
        .unwrap();
    let dt2 = NaiveDate::from_ymd_opt(2024, 5, 6)
        .unwrap()
        .and_hms_micro_opt(7, 8, 9, 123_456)
        .unwrap();
    let full = vec![
        Cell::Int(200),
        Cell::Int(-300),
        Cell::Int(70_000),
        Cell::Int(9_000_000_000),
        Cell::Bit(true),
        Cell::Float(1.5),
        Cell::Float(2.25),
        Cell::Decimal(-12_345),
        Cell::Money(1_234_500),
        Cell::Text("Jan Novák".into()),
        Cell::Text("AB-1".into()),
        Cell::Date(NaiveDate::from_ymd_opt(1970, 3, 1).unwrap()),
        Cell::DateTime(dt),
        Cell::DateTime(dt2),
        Cell::Bytes(pdf.clone()),
    ];
    let nulls = vec![Cell::Null; cols.len()];
    peer.on(
        "FROM everything",
        Reply::Rows(cols.clone(), vec![full, nulls]),
    );
    let rows = run(
        &c,
        "SELECT * FROM everything",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 10),
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    let expect = [
        ("tiny", Value::Int(200)),
        ("small", Value::Int(-300)),
        ("int", Value::Int(70_000)),
        ("big", Value::Int(9_000_000_000)),
        ("flag", Value::Bool(true)),
        ("real", Value::Float(1.5)),
        ("dbl", Value::Float(2.25)),
        ("amount", Value::Text("-123.45".into())),
        ("price", Value::Text("123.4500".into())),
        ("name", Value::Text("Jan Novák".into())),
        ("code", Value::Text("AB-1".into())),
        (
            "born",
            Value::Date(NaiveDate::from_ymd_opt(1970, 3, 1).unwrap()),
        ),
        ("stamp", Value::DateTime(dt)),
        ("stamp2", Value::DateTime(dt2)),
        ("doc", Value::Bytes(pdf)),
    ];
    let names: Vec<&str> = r.fields().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        cols.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "column order kept"
    );
    for (name, value) in &expect {
        assert_eq!(r.get(name), Some(value), "column {name}");
    }
    assert!(
        rows[1].fields().all(|(_, v)| *v == Value::Null),
        "{:?}",
        rows[1]
    );
}

#[tokio::test]
async fn fields_rename_columns_and_missing_columns_are_query_errors() {
    let (peer, c, _dir) = setup().await;
    peer.on(
        "FROM people",
        Reply::Rows(
            vec![
                ("PERSON_ID", Ty::Int),
                ("FAM", Ty::NVarChar),
                ("extra", Ty::Int),
            ],
            vec![vec![Cell::Int(1), Cell::Text("Pop".into()), Cell::Int(9)]],
        ),
    );
    let fields = FieldPaths::from([
        ("id".to_owned(), "person_id".to_owned()),
        ("family_name".to_owned(), "FAM".to_owned()),
    ]);
    let rows = run(
        &c,
        "SELECT * FROM people",
        &Params::new(),
        &fields,
        limits(5_000, 10),
    )
    .await
    .unwrap();
    let got: Vec<(&str, &Value)> = rows[0].fields().collect();
    assert_eq!(
        got,
        [
            ("family_name", &Value::Text("Pop".into())),
            ("id", &Value::Int(1))
        ]
    );
    let bad = FieldPaths::from([("x".to_owned(), "nope".to_owned())]);
    let err = run(
        &c,
        "SELECT * FROM people",
        &Params::new(),
        &bad,
        limits(5_000, 10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Query(ref m) if m.contains("nope")),
        "{err:?}"
    );
}

#[tokio::test]
async fn row_cap_is_an_error_not_a_truncation() {
    let (peer, c, _dir) = setup().await;
    let rows = (0..3).map(|i| vec![Cell::Int(i)]).collect();
    peer.on("FROM many", Reply::Rows(vec![("n", Ty::Int)], rows));
    let err = run(
        &c,
        "SELECT n FROM many",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 2),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::TooManyRows(2)), "{err:?}");
    let ok = run(
        &c,
        "SELECT n FROM many",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 3),
    )
    .await
    .unwrap();
    assert_eq!(ok.len(), 3);
}

#[tokio::test]
async fn server_error_token_is_a_query_error_with_the_number_only() {
    let (peer, c, _dir) = setup().await;
    peer.on(
        "FROM boom",
        Reply::Error {
            number: 245,
            class: 16,
            message:
                "Conversion failed when converting the nvarchar value 'Novák' to data type int."
                    .into(),
        },
    );
    let err = run(
        &c,
        "SELECT * FROM boom",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 10),
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ConnectorError::Query(_)), "{err:?}");
    assert!(text.contains("245") && !text.contains("Novák"), "{text}");
    // The connection that saw the error was dropped; the next lookup still works.
    peer.on("FROM fine", one_int("n", 1));
    let ok = run(
        &c,
        "SELECT n FROM fine",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 10),
    )
    .await;
    assert_eq!(ok.unwrap().len(), 1);
}

#[tokio::test]
async fn stall_times_out_within_budget_and_the_pool_recovers() {
    let (peer, c, _dir) = setup().await;
    peer.on("FROM slow", Reply::Stall);
    peer.on("FROM fine", one_int("n", 1));
    let started = Instant::now();
    let err = run(
        &c,
        "SELECT * FROM slow",
        &Params::new(),
        &FieldPaths::new(),
        limits(300, 10),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout(_)), "{err:?}");
    assert!(err.is_transient());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let ok = run(
        &c,
        "SELECT n FROM fine",
        &Params::new(),
        &FieldPaths::new(),
        limits(2_000, 10),
    )
    .await;
    assert_eq!(ok.unwrap().len(), 1);
    assert_eq!(
        peer.logins(),
        2,
        "the stalled connection was discarded, a new one opened"
    );
}

#[tokio::test]
async fn driver_command_timeout_also_bounds_a_stall() {
    let peer = Peer::start("reader", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(&peer, PASSWORD, &dir);
    s.timeout_ms = 200;
    let c = MssqlConnector::connect(&s).await.unwrap();
    peer.on("FROM slow", Reply::Stall);
    let started = Instant::now();
    let err = run(
        &c,
        "SELECT * FROM slow",
        &Params::new(),
        &FieldPaths::new(),
        limits(10_000, 10),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn dropped_connection_is_unavailable_and_the_next_lookup_reconnects() {
    let (peer, c, _dir) = setup().await;
    peer.on("FROM flaky", Reply::Drop);
    peer.on("FROM fine", one_int("n", 1));
    let err = run(
        &c,
        "SELECT * FROM flaky",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 10),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable(_)), "{err:?}");
    let ok = run(
        &c,
        "SELECT n FROM fine",
        &Params::new(),
        &FieldPaths::new(),
        limits(5_000, 10),
    )
    .await;
    assert_eq!(ok.unwrap().len(), 1);
    assert_eq!(peer.connections(), 2);
}

#[tokio::test]
async fn wrong_password_is_unavailable_without_the_password() {
    let peer = Peer::start("reader", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let err = MssqlConnector::connect(&settings(&peer, "wrong-Pa55", &dir))
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, ConnectorError::Unavailable(_)), "{err:?}");
    assert!(text.contains("18456"), "{text}");
    assert!(
        !text.contains("wrong-Pa55") && !text.contains(PASSWORD),
        "{text}"
    );
    assert_eq!(peer.logins(), 0);
}

#[tokio::test]
async fn unreachable_server_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let peer_like = Peer::start("reader", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(&peer_like, PASSWORD, &dir);
    s.port = port;
    let err = MssqlConnector::connect(&s).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn cancellation_stops_a_lookup_and_the_pool_recovers() {
    let (peer, c, _dir) = setup().await;
    peer.on("FROM slow", Reply::Stall);
    peer.on("FROM fine", one_int("n", 1));
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        trigger.cancel();
    });
    let (params, fields) = (Params::new(), FieldPaths::new());
    let started = Instant::now();
    let err = c
        .lookup(
            &Lookup {
                query: "SELECT * FROM slow",
                params: &params,
                fields: &fields,
                limits: limits(10_000, 10),
            },
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Cancelled), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let ok = run(
        &c,
        "SELECT n FROM fine",
        &params,
        &fields,
        limits(5_000, 10),
    )
    .await;
    assert_eq!(ok.unwrap().len(), 1);
}
