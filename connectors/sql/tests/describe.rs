//! `Connector::describe` on SQL registries: the result columns of a mapping query, found
//! by preparing it, never by running it (`check --live`).

use oots_connector::{Connector, ConnectorError};
use oots_connector_sql::{SqlConnector, SqlOptions, run_script};

const QUERY: &str = "SELECT p.id, surname AS family_name, upper(given) FROM people p \
                     WHERE p.born = :date_of_birth AND :date_of_birth IS NOT NULL";

async fn seeded_file() -> (tempfile::TempDir, SqlConnector) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    run_script(
        &format!("{url}?mode=rwc"),
        "CREATE TABLE people (id INTEGER, surname TEXT, given TEXT, born TEXT);",
    )
    .await
    .unwrap();
    let c = SqlConnector::connect(&url, SqlOptions::default())
        .await
        .unwrap();
    (dir, c)
}

#[tokio::test]
async fn sqlite_names_the_columns_in_order_with_parameters_unbound() {
    let (_dir, c) = seeded_file().await;
    let columns = c.describe(QUERY).await.unwrap().unwrap();
    assert_eq!(columns, ["id", "family_name", "upper(given)"]);
}

#[tokio::test]
async fn sqlite_names_what_it_does_not_know() {
    let (_dir, c) = seeded_file().await;
    let err = c
        .describe("SELECT id, surnme FROM people WHERE born = :d")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Query(_)), "{err:?}");
    assert!(err.to_string().contains("no such column: surnme"), "{err}");
    let err = c.describe("SELECT id FROM persons").await.unwrap_err();
    assert!(err.to_string().contains("no such table: persons"), "{err}");
}

#[tokio::test]
async fn an_in_memory_registry_is_described_on_its_own_connection() {
    let c = SqlConnector::connect("sqlite::memory:", SqlOptions::default())
        .await
        .unwrap();
    for _ in 0..3 {
        let columns = c.describe("SELECT 1 AS one, :x AS two").await.unwrap();
        assert_eq!(columns, Some(vec!["one".to_owned(), "two".to_owned()]));
    }
    c.probe().await.unwrap();
}
