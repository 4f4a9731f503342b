//! `check --live` on SQL Server: the connector asks `sp_describe_first_result_set` for a
//! mapping query's columns, against the in-repo TDS peer scripted as a real server answers.

mod tds_peer;

use oots_connector::secret::SecretRef;
use oots_connector::{Connector, ConnectorError};
use oots_connector_mssql::{Encrypt, MssqlConnector, MssqlSettings};
use tds_peer::{Cell, PV, Peer, Reply, Ty};

const PASSWORD: &str = "S3cret-pw!";
const QUERY: &str = "SELECT person_id, family_name AS surname, UPPER(given_name) FROM dbo.people \
                     WHERE date_of_birth = :date_of_birth AND family_name = :family_name";

async fn setup() -> (Peer, MssqlConnector, tempfile::TempDir) {
    let peer = Peer::start("reader", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pw");
    std::fs::write(&path, PASSWORD).unwrap();
    let mut s = MssqlSettings::new("127.0.0.1", peer.port, "reader", SecretRef::File(path));
    s.encrypt = Encrypt::Off;
    s.connect_timeout_ms = 2_000;
    s.timeout_ms = 5_000;
    let c = MssqlConnector::connect(&s).await.unwrap();
    (peer, c, dir)
}

/// One `sp_describe_first_result_set` row as a real server sends it (a subset of its
/// columns): hidden browse-mode columns flagged, an unnamed expression with a NULL name.
fn described(rows: &[(bool, i64, Option<&str>)]) -> Reply {
    Reply::Rows(
        vec![
            ("is_hidden", Ty::Bit),
            ("column_ordinal", Ty::Int),
            ("name", Ty::NVarChar),
            ("system_type_name", Ty::NVarChar),
        ],
        rows.iter()
            .map(|(hidden, ordinal, name)| {
                vec![
                    Cell::Bit(*hidden),
                    Cell::Int(*ordinal),
                    name.map_or(Cell::Null, |n| Cell::Text(n.into())),
                    Cell::Text("nvarchar(100)".into()),
                ]
            })
            .collect(),
    )
}

#[tokio::test]
async fn the_columns_come_from_sp_describe_first_result_set_without_running_the_query() {
    let (peer, c, _dir) = setup().await;
    peer.on(
        "sp_describe_first_result_set",
        described(&[
            (false, 1, Some("person_id")),
            (false, 2, Some("surname")),
            (false, 3, None),
            (true, 4, Some("row_key")),
        ]),
    );
    let columns = c.describe(QUERY).await.unwrap();
    assert_eq!(columns, Some(vec!["person_id".into(), "surname".into()]));
    let asked = peer.requests().into_iter().last().unwrap();
    assert!(
        asked.rpc,
        "sent as sp_executesql, the query bound as a value"
    );
    assert_eq!(
        asked.sql,
        "EXEC sp_describe_first_result_set @tsql = @P1, @params = @P2"
    );
    let values: Vec<&PV> = asked.params.iter().map(|(_, v)| v).collect();
    assert_eq!(
        values,
        [
            &PV::Text(
                "SELECT person_id, family_name AS surname, UPPER(given_name) FROM dbo.people \
                 WHERE date_of_birth = @P1 AND family_name = @P2"
                    .into()
            ),
            &PV::Text("@P1 nvarchar(4000), @P2 nvarchar(4000)".into()),
        ]
    );
    // Nothing was run: no request carries the query itself.
    assert!(
        peer.requests()
            .iter()
            .all(|r| !r.sql.contains("dbo.people"))
    );
}

#[tokio::test]
async fn an_unknown_column_is_the_servers_message() {
    let (peer, c, _dir) = setup().await;
    peer.on(
        "sp_describe_first_result_set",
        Reply::Error {
            number: 207,
            class: 16,
            message: "Invalid column name 'fmily_name'.".into(),
        },
    );
    let err = c.describe(QUERY).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Query(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "registry query failed: SQL Server error 207: Invalid column name 'fmily_name'."
    );
}
