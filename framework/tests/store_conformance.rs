//! The state store's contract (`oots_store::conformance`), checked against both
//! implementations: the embedded SQLite store always, PostgreSQL when `PG_URL` is set
//! (each store in its own schema). A new backend proves itself the same way, with one
//! call to `conformance::check`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use oots_store::conformance;
use oots_store::{Claim, Exchanges, Lifecycle, PostgresStore, SqliteStore, Store};

fn t(s: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::seconds(s)
}

#[tokio::test]
async fn sqlite_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    conformance::check(|name, key| {
        let p = dir.path().join(format!("{name}.db"));
        async move {
            Arc::new(SqliteStore::open(&p).await.unwrap().with_journal_key(key)) as Arc<dyn Store>
        }
    })
    .await;
}

#[tokio::test]
async fn sqlite_voids_leases_of_a_killed_run_on_start() {
    let s = SqliteStore::in_memory().await.unwrap();
    s.store_inbound("m", "<h/>", b"<r/>", t(0)).await.unwrap();
    assert!(matches!(
        s.claim("m", "old-run", t(600), t(0)).await.unwrap(),
        Claim::Decide { .. }
    ));
    assert_eq!(
        s.claim("m", "new-run", t(600), t(1)).await.unwrap(),
        Claim::Busy
    );
    s.on_start().await.unwrap();
    assert!(matches!(
        s.claim("m", "new-run", t(600), t(1)).await.unwrap(),
        Claim::Decide { .. }
    ));
}

async fn drop_schema(url: &str, schema: &str) {
    let admin = PostgresStore::connect(url, None, 2, None).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(admin.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn postgres_store_keeps_the_contract() {
    let Some(url) = oots_testskip::skip_unless_env(
        "PG_URL",
        "PostgreSQL store suite (set PG_URL=postgres://postgres@127.0.0.1:5432/test)",
    ) else {
        return;
    };
    let suffix = std::process::id();
    let opened: Arc<Mutex<HashSet<&'static str>>> = Arc::default();
    conformance::check(|name, key| {
        let (url, opened) = (url.clone(), opened.clone());
        async move {
            let schema = format!("oots_conf_{name}_{suffix}");
            // The first open of a name starts from an empty schema; later ones keep it.
            let fresh = opened.lock().unwrap().insert(name);
            if fresh {
                drop_schema(&url, &schema).await;
            }
            Arc::new(
                PostgresStore::connect(&url, None, 8, Some(&schema))
                    .await
                    .unwrap()
                    .with_journal_key(key),
            ) as Arc<dyn Store>
        }
    })
    .await;
    let names: Vec<&str> = opened.lock().unwrap().iter().copied().collect();
    for name in names {
        drop_schema(&url, &format!("oots_conf_{name}_{suffix}")).await;
    }
}
