//! Against a real SQL Server, only when `MSSQL_URL=mssql://user:pass@host:1433/db` is set.

use std::time::Duration;

use chrono::NaiveDate;
use oots_connector::secret::SecretRef;
use oots_connector::{CancellationToken, Connector, FieldPaths, Limits, Lookup, Params, Value};
use oots_connector_mssql::{Encrypt, MssqlConnector, MssqlSettings};
use tokio_util::compat::TokioAsyncWriteCompatExt;

#[tokio::test]
async fn real_server_temp_table_lookup() {
    let Some(url) = oots_testskip::skip_unless_env(
        "MSSQL_URL",
        "real SQL Server test (set MSSQL_URL=mssql://user:pass@host:1433/db)",
    ) else {
        return;
    };
    let rest = url.strip_prefix("mssql://").expect("mssql:// URL");
    let (cred, target) = rest.rsplit_once('@').expect("user:pass@host");
    let (user, pass) = cred.split_once(':').expect("user:pass");
    let (hostport, db) = target.split_once('/').unwrap_or((target, "master"));
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "1433"));
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, pass).unwrap();
    let mut s = MssqlSettings::new(host, port.parse().unwrap(), user, SecretRef::File(pw));
    s.database = Some(db.to_owned());
    s.encrypt = Encrypt::On;
    s.trust_server_certificate = true;

    // Seed a global temp table from a separate session that stays open during the lookup.
    let table = format!("##oots_mssql_test_{}", std::process::id());
    let mut cfg = tiberius::Config::new();
    cfg.host(host);
    cfg.port(port.parse().unwrap());
    cfg.database(db);
    cfg.authentication(tiberius::AuthMethod::sql_server(user, pass));
    cfg.encryption(tiberius::EncryptionLevel::On);
    cfg.trust_cert();
    let tcp = tokio::net::TcpStream::connect(cfg.get_addr())
        .await
        .unwrap();
    let mut admin = tiberius::Client::connect(cfg, tcp.compat_write())
        .await
        .unwrap();
    admin
        .execute(
            format!(
                "CREATE TABLE {table} (id INT, family NVARCHAR(100), dob DATE, doc VARBINARY(MAX));
                 INSERT INTO {table} VALUES (1, N'Novák', '1970-03-01', 0x255044462D), (2, N'Pop', '1980-01-02', NULL);"
            ),
            &[],
        )
        .await
        .unwrap();

    let c = MssqlConnector::connect(&s).await.unwrap();
    c.probe().await.unwrap();
    // `check --live`: the columns of a query, described without running it.
    let described = c
        .describe("SELECT 1 AS one, N'x' AS two WHERE 1 = :p")
        .await
        .unwrap();
    assert_eq!(described, Some(vec!["one".to_owned(), "two".to_owned()]));
    let params = Params::from([
        ("family".to_owned(), Value::Text("Novák".into())),
        (
            "dob".to_owned(),
            Value::Date(NaiveDate::from_ymd_opt(1970, 3, 1).unwrap()),
        ),
    ]);
    let query =
        format!("SELECT id, family, dob, doc FROM {table} WHERE family = :family AND dob = :dob");
    let fields = FieldPaths::new();
    let rows = c
        .lookup(
            &Lookup {
                query: &query,
                params: &params,
                fields: &fields,
                limits: Limits {
                    timeout: Duration::from_secs(10),
                    max_rows: 10,
                },
            },
            &CancellationToken::new(),
        )
        .await;
    admin
        .execute(format!("DROP TABLE {table}"), &[])
        .await
        .unwrap();
    let rows = rows.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get("id"), Some(&Value::Int(1)));
    assert_eq!(rows[0].get("doc"), Some(&Value::Bytes(b"%PDF-".to_vec())));
}
