//! Requests in bulk for the load and chaos suites: the quickstart register's people (some
//! found, most not), each request with its own ids, as a requester's access point would
//! deliver them to Domibus.

use std::path::Path;

use oots_framework::clock::{Clock, RandomIds, SystemClock};
use oots_framework::edm;
use oots_framework::gateway::Payload;
use oots_framework::gateway::ebms::UserMessage;
use oots_framework::requester::{self, RequestSpec};

/// Request `i` of a run: every tenth asks for a person in the register (evidence, a PDF),
/// the rest for people who are not there (`EDM:ERR:0004`).
pub fn request(i: usize, run: &str) -> (UserMessage, Vec<Payload>) {
    let (family, given, dob) = if i.is_multiple_of(10) {
        ("Dupont", "Jean", "1992-10-22")
    } else {
        ("Nobody", "Anne", "1970-01-01")
    };
    let ids = RandomIds;
    let now = SystemClock.now();
    let request = requester::build_request(
        &RequestSpec::quickstart_birth(family, given, dob, "application/pdf"),
        &ids,
        now,
    );
    let cid = format!("req-{run}-{i}@requester.example");
    let header = requester::request_header(
        &request,
        format!("m-{run}-{i}@requester.example"),
        format!("conv-{run}-{i}"),
        format!("9f7b1c2e-0000-4000-8000-{i:012}"),
        &cid,
        now,
    );
    let payloads = vec![Payload {
        content_id: cid,
        mime_type: "application/x-ebrs+xml".into(),
        bytes: edm::write_request(&request).into_bytes(),
    }];
    (header, payloads)
}

/// An adapter.yaml for the quickstart mappings and register behind the Domibus WS
/// plugin at `domibus`, listening on `port`, with `store` (YAML) as its state store.
pub fn adapter_yaml(workspace: &Path, dir: &Path, domibus: &str, port: u16, store: &str) -> String {
    let q = workspace.join("examples/quickstart");
    format!(
        "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: {{ EN: Civil Registration Office Berlin I }}\n  country: DE\n\
         state_dir: {state}\n\
         mappings: {mappings}\n\
         connections:\n  birth_register:\n    type: sql\n    url: sqlite://{db}\n    init: {seed}\n\
         gateway:\n  type: domibus\n  endpoint: {domibus}\n  username: backend\n  password: env:TEST_DOMIBUS_PW\n  push_username: push\n  push_password: env:TEST_DOMIBUS_PUSH_PW\n\
         http:\n  listen: 127.0.0.1:{port}\n\
         reload:\n  enabled: false\n\
         {store}",
        state = dir.join("state").display(),
        mappings = q.join("mappings").display(),
        db = dir.join("registry.db").display(),
        seed = q.join("registry/seed.sql").display(),
    )
}

/// A Domibus WS-plugin simulator with the credentials [`adapter_yaml`] uses, pushing to
/// an adapter on `push_port`.
pub async fn simulator(push_port: u16) -> oots_devkit::simulator::DomibusSimulator {
    use oots_devkit::simulator::{DomibusSimulator, SimulatorConfig};
    DomibusSimulator::start(SimulatorConfig {
        username: "backend".into(),
        password: "plugin-pw".into(),
        push_endpoint: Some(format!(
            "http://127.0.0.1:{push_port}/domibus/notifications"
        )),
        push_username: "push".into(),
        push_password: "push-pw".into(),
    })
    .await
    .expect("the Domibus simulator starts")
    .0
}

/// A deployment for one test: a folder, the adapter's port, the Domibus simulator pushing
/// to it, and its adapter.yaml (quickstart mappings and register, plus `extra` YAML).
pub struct Deployment {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub sim: oots_devkit::simulator::DomibusSimulator,
    pub config: std::path::PathBuf,
    pub log: std::path::PathBuf,
}

/// Writes a [`Deployment`]'s files; the adapter is not started.
pub async fn deployment(extra: &str) -> Deployment {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let port = crate::adapter::free_port();
    let sim = simulator(port).await;
    let config = dir.path().join("adapter.yaml");
    std::fs::write(
        &config,
        adapter_yaml(crate::workspace(), dir.path(), sim.base_url(), port, extra),
    )
    .expect("adapter.yaml written");
    let log = dir.path().join("adapter.log");
    Deployment {
        dir,
        port,
        sim,
        config,
        log,
    }
}

/// The environment the generated adapter.yaml's secrets refer to.
pub const ENV: [(&str, &str); 2] = [
    ("TEST_DOMIBUS_PW", "plugin-pw"),
    ("TEST_DOMIBUS_PUSH_PW", "push-pw"),
];

/// Drops a PostgreSQL schema and everything in it (a test's store or registry). An
/// adapter still running on it (a test's `serve` lives until the test ends) can make
/// PostgreSQL pick the drop as a deadlock victim: then it is tried again.
pub async fn drop_pg_schema(pg: &str, schema: &str) {
    let admin = oots_framework::store::PostgresStore::connect(pg, None, 2, None)
        .await
        .unwrap();
    for attempt in 1.. {
        match admin.drop_schema(schema).await {
            Ok(()) => return,
            Err(e) if attempt < 10 && e.to_string().contains("deadlock detected") => {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(e) => panic!("DROP SCHEMA {schema}: {e}"),
        }
    }
}

/// Copies the quickstart register (seeded into SQLite by its script) into PostgreSQL, with
/// real `DATE` columns as a PostgreSQL registry would have them, in
/// `schema` (dropped first); returns the connection URL for it.
pub async fn postgres_registry(pg: &str, schema: &str) -> String {
    use sqlx::{Connection, Executor, Row};
    let seed =
        std::fs::read_to_string(crate::workspace().join("examples/quickstart/registry/seed.sql"))
            .unwrap();
    let mut lite = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    lite.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(seed)))
        .await
        .unwrap();
    let rows = sqlx::query("SELECT register_number, family_name, given_name, birth_name, sex, date_of_birth, place_of_birth, father_name, mother_name, registration_date, registry_office FROM birth_register")
        .fetch_all(&mut lite)
        .await
        .unwrap();
    let mut pgc = sqlx::PgConnection::connect(pg).await.unwrap();
    assert!(
        schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    );
    pgc.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; \
         CREATE TABLE {schema}.birth_register (register_number TEXT PRIMARY KEY, family_name TEXT NOT NULL, given_name TEXT NOT NULL, birth_name TEXT, sex TEXT NOT NULL, date_of_birth DATE NOT NULL, place_of_birth TEXT NOT NULL, father_name TEXT, mother_name TEXT, registration_date DATE NOT NULL, registry_office TEXT NOT NULL); \
         CREATE INDEX ON {schema}.birth_register (date_of_birth);"
    ))))
    .await
    .unwrap();
    for r in rows {
        let insert = format!(
            "INSERT INTO {schema}.birth_register VALUES ($1,$2,$3,$4,$5,$6::date,$7,$8,$9,$10::date,$11)"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(insert));
        for i in 0..11 {
            q = q.bind(r.get::<Option<String>, _>(i));
        }
        q.execute(&mut pgc).await.unwrap();
    }
    format!("{pg}?options=-c%20search_path%3D{schema}")
}
