//! `oots-adapter audit`: the keyed journal as an operator and an auditor use it (docs/audit.md):
//! checkpoints kept outside the database, tampering with the SQLite file, rotation,
//! an exchange's bundle checked with the public key alone.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use oots_framework::store::journal::{Checkpoint, link_hash, record_digest};
use oots_framework::store::{Claim, Decision, Exchanges, Journal, JournalKey, SqliteStore};
use rusqlite::params;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn adapter(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oots-adapter"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    common::output_within(&mut cmd, 120)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `audit verify --json` (and a kept checkpoint): its JSON line.
fn verify(config: &Path, checkpoint: Option<&Path>, env: &[(&str, &str)]) -> serde_json::Value {
    let mut args = vec![
        "audit",
        "verify",
        "--json",
        "--config",
        config.to_str().unwrap(),
    ];
    if let Some(c) = checkpoint {
        args.extend(["--checkpoint", c.to_str().unwrap()]);
    }
    let out = adapter(&args, env);
    let v: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).unwrap_or_else(|_| panic!("{out:?}"));
    assert_eq!(out.status.success(), v["ok"] == true, "{v}");
    v
}

fn t(s: i64) -> DateTime<Utc> {
    Utc::now() + Duration::seconds(s)
}

/// A quickstart deployment in a temporary folder.
fn deployment() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let config = dir.path().join("adapter.yaml");
    (dir, config)
}

/// Decides exchanges `ids` in the deployment's store, sealed with `key`, as `serve` does.
async fn decide(dir: &Path, key: JournalKey, ids: &[&str]) {
    let store = SqliteStore::open(&dir.join("state/adapter.db"))
        .await
        .unwrap()
        .with_journal_key(Some(Arc::new(key)));
    for (i, id) in ids.iter().enumerate() {
        let at = t(i as i64);
        store.store_inbound(id, "<h/>", b"<r/>", at).await.unwrap();
        assert!(matches!(
            store
                .claim(id, "w", at + Duration::seconds(60), at)
                .await
                .unwrap(),
            Claim::Decide { .. }
        ));
        let audit = format!(
            r#"{{"kind":"decision","message_id":"{id}","request_id":"urn:uuid:{id}","action":"ExecuteQueryResponse"}}"#
        );
        let d = Decision {
            answer_id: format!("a-{id}"),
            message: b"answer".to_vec(),
            action: "ExecuteQueryResponse".into(),
            code: None,
            generation: "g".into(),
            audit,
        };
        assert!(store.decide(id, "w", &d, at).await.unwrap());
    }
}

/// The key the adapter made for this SQLite deployment (made on first use).
fn local_key(dir: &Path, config: &Path) -> JournalKey {
    let out = adapter(
        &["audit", "public-key", "--config", config.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(dir.join("state/audit.key")).unwrap();
    JournalKey::new("local", &text).unwrap()
}

fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("state/adapter.db")).unwrap()
}

/// The store file with everything in it (the WAL folded in).
fn snapshot(dir: &Path) -> Vec<u8> {
    db(dir)
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    std::fs::read(dir.join("state/adapter.db")).unwrap()
}

fn restore(dir: &Path, bytes: &[u8]) {
    for side in ["adapter.db-wal", "adapter.db-shm"] {
        let _ = std::fs::remove_file(dir.join("state").join(side));
    }
    std::fs::write(dir.join("state/adapter.db"), bytes).unwrap();
}

/// Rewrites the hashes from record `from` on with plain SHA-256, as an insider without
/// the key would after an edit (the MACs stay as they were).
fn rechain(c: &rusqlite::Connection, from: i64) {
    let mut prev: String = c
        .query_row(
            "SELECT hash FROM audit_journal WHERE seq = ?",
            [from - 1],
            |r| r.get(0),
        )
        .unwrap();
    let rows: Vec<(i64, String, String)> = c
        .prepare("SELECT seq, at, record FROM audit_journal WHERE seq >= ? ORDER BY seq")
        .unwrap()
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (seq, at, record) in rows {
        let hash = link_hash(&prev, seq, &at, &record_digest(&record));
        c.execute(
            "UPDATE audit_journal SET prev_hash = ?, hash = ? WHERE seq = ?",
            params![prev, hash, seq],
        )
        .unwrap();
        prev = hash;
    }
}

#[tokio::test]
async fn a_kept_checkpoint_catches_removed_newest_records_and_a_recomputed_chain_is_caught() {
    let (dir, config) = deployment();
    let key = local_key(dir.path(), &config);
    assert_eq!(
        std::fs::metadata(dir.path().join("state/audit.key"))
            .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777)
            .unwrap(),
        0o600,
        "the made-up key is the owner's only"
    );
    decide(dir.path(), key, &["m1", "m2", "m3"]).await;
    let cp_file = dir.path().join("kept/checkpoint.json");
    let out = adapter(
        &[
            "audit",
            "checkpoint",
            "--config",
            config.to_str().unwrap(),
            "--out",
            cp_file.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let cp = Checkpoint::parse(&std::fs::read_to_string(&cp_file).unwrap()).unwrap();
    assert_eq!(cp.seq, 3);
    decide(dir.path(), local_key(dir.path(), &config), &["m4", "m5"]).await;
    let v = verify(&config, Some(&cp_file), &[]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoint"], "matched");
    assert_eq!(v["records"], 6, "five decisions and the checkpoint: {v}");
    assert_eq!(v["head_key_id"], "local");

    // The newest records removed: the chain alone cannot tell...
    let backup = snapshot(dir.path());
    db(dir.path())
        .execute("DELETE FROM audit_journal WHERE seq >= 3", [])
        .unwrap();
    assert_eq!(verify(&config, None, &[])["ok"], true);
    // ... the kept checkpoint can.
    let v = verify(&config, Some(&cp_file), &[]);
    assert_eq!(v["code"], "OEA-A0009", "{v}");

    // A record edited and every later hash recomputed with SHA-256: the MAC tells.
    restore(dir.path(), &backup);
    let c = db(dir.path());
    c.execute(
        "UPDATE audit_journal SET record = replace(record, 'ExecuteQueryResponse', 'Refused') WHERE seq = 2",
        [],
    )
    .unwrap();
    let v = verify(&config, None, &[]);
    assert_eq!(v["code"], "OEA-A0001", "edited in place: {v}");
    rechain(&c, 2);
    let v = verify(&config, None, &[]);
    assert_eq!(v["code"], "OEA-A0005", "recomputed without the key: {v}");
    drop(c);

    // The oldest records deleted without a purge record.
    restore(dir.path(), &backup);
    db(dir.path())
        .execute("DELETE FROM audit_journal WHERE seq <= 2", [])
        .unwrap();
    let v = verify(&config, None, &[]);
    assert_eq!(v["code"], "OEA-A0003", "{v}");

    // A forged checkpoint file (another key's signature) is refused before the walk.
    restore(dir.path(), &backup);
    let other = JournalKey::new("local", &"f".repeat(64)).unwrap();
    let forged = Checkpoint::sign(&other, cp.seq, &cp.head, Utc::now());
    std::fs::write(&cp_file, forged.to_json()).unwrap();
    let v = verify(&config, Some(&cp_file), &[]);
    assert_eq!(v["code"], "OEA-A0012", "{v}");
}

#[tokio::test]
async fn a_rotated_key_needs_the_retired_one_and_an_unkeyed_journal_keeps_verifying() {
    let (dir, config) = deployment();
    // A journal written before keys existed (unkeyed records).
    let legacy = SqliteStore::open(&dir.path().join("state/adapter.db"))
        .await
        .unwrap();
    legacy
        .append_journal(r#"{"kind":"note"}"#, Utc::now())
        .await
        .unwrap();
    drop(legacy);
    let old = local_key(dir.path(), &config);
    decide(dir.path(), old, &["m1"]).await;
    let v = verify(&config, None, &[]);
    assert_eq!(
        (v["ok"].clone(), v["unsealed"].clone()),
        (true.into(), 1.into()),
        "{v}"
    );
    assert_eq!(
        v["kinds"]["audit-key"], 1,
        "the switch to the key is a record: {v}"
    );

    // The operator sets audit.key (k2); the made-up key stays readable beside the store.
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\naudit:\n  key: env:TEST_AUDIT_KEY\n  key_id: k2\n"),
    )
    .unwrap();
    let k2 = "k2-0123456789abcdef0123456789abcdef";
    let env = [("TEST_AUDIT_KEY", k2)];
    decide(dir.path(), JournalKey::new("k2", k2).unwrap(), &["m2"]).await;
    let v = verify(&config, None, &env);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["head_key_id"], "k2");
    // Without the made-up key, the records it sealed are named.
    std::fs::rename(
        dir.path().join("state/audit.key"),
        dir.path().join("old.key"),
    )
    .unwrap();
    let v = verify(&config, None, &env);
    assert_eq!(v["code"], "OEA-A0006", "{v}");
    assert!(v["error"].as_str().unwrap().contains("\"local\""), "{v}");
    // Named as a retired key, it verifies again.
    std::fs::write(
        &config,
        format!(
            "{text}\naudit:\n  key: env:TEST_AUDIT_KEY\n  key_id: k2\n  retired_keys:\n    - {{ id: local, key: file:old.key }}\n"
        ),
    )
    .unwrap();
    assert_eq!(verify(&config, None, &env)["ok"], true);
    let out = adapter(
        &["audit", "public-key", "--config", config.to_str().unwrap()],
        &env,
    );
    let pems = stdout(&out);
    assert_eq!(pems.matches("BEGIN PUBLIC KEY").count(), 2, "{pems}");
    assert!(pems.contains("audit key k2 (current)") && pems.contains("audit key local (retired)"));
    assert!(!pems.contains(k2));
}

#[tokio::test]
async fn an_exchange_bundle_verifies_with_the_public_key_alone_and_edits_fail() {
    let (dir, config) = deployment();
    let key = local_key(dir.path(), &config);
    decide(dir.path(), key, &["m1", "m2", "m3"]).await;
    let cfg = config.to_str().unwrap();
    let bundle = dir.path().join("m2.json");
    let out = adapter(
        &[
            "audit",
            "export",
            "--config",
            cfg,
            "--exchange",
            "m2",
            "--out",
            bundle.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let pem = dir.path().join("audit.pem");
    let out = adapter(
        &["audit", "public-key", "--config", cfg, "--key-id", "local"],
        &[],
    );
    std::fs::write(&pem, &out.stdout).unwrap();
    let check = |file: &Path| {
        let out = adapter(
            &[
                "audit",
                "verify-bundle",
                file.to_str().unwrap(),
                "--public-key",
                pem.to_str().unwrap(),
                "--json",
            ],
            &[],
        );
        let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(out.status.success(), v["ok"] == true, "{v}");
        v
    };
    let v = check(&bundle);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["seqs"], serde_json::json!([2]), "{v}");
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(
        !text.contains("\"m1\"") && !text.contains("\"m3\""),
        "other exchanges are digests: {text}"
    );
    // No checkpoint covered m2 yet: the export signed one, which is in the journal now.
    assert_eq!(verify(&config, None, &[])["kinds"]["checkpoint"], 1);
    // By request id too.
    let by_request = dir.path().join("r.json");
    let out = adapter(
        &[
            "audit",
            "export",
            "--config",
            cfg,
            "--request-id",
            "urn:uuid:m3",
            "--out",
            by_request.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(check(&by_request)["seqs"], serde_json::json!([3]));

    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut b: serde_json::Value = serde_json::from_str(&text).unwrap();
        f(&mut b);
        let p = dir.path().join("edited.json");
        std::fs::write(&p, serde_json::to_string(&b).unwrap()).unwrap();
        check(&p)["code"].as_str().unwrap_or("").to_owned()
    };
    assert_eq!(
        edit(&|b| {
            let r = b["links"][0]["record"]
                .as_str()
                .unwrap()
                .replace("ExecuteQueryResponse", "Refused");
            b["links"][0]["record"] = r.into();
        }),
        "OEA-A0015"
    );
    assert_eq!(
        edit(&|b| {
            b["links"].as_array_mut().unwrap().remove(1);
        }),
        "OEA-A0016"
    );
    assert_eq!(
        edit(&|b| {
            let other = JournalKey::new("local", &"e".repeat(64)).unwrap();
            let head = b["checkpoint"]["head"].as_str().unwrap().to_owned();
            let seq = b["checkpoint"]["seq"].as_i64().unwrap();
            b["checkpoint"] =
                serde_json::from_str(&Checkpoint::sign(&other, seq, &head, Utc::now()).to_json())
                    .unwrap();
        }),
        "OEA-A0014"
    );
}

#[test]
fn check_refuses_a_postgres_store_without_an_audit_key() {
    let (dir, config) = deployment();
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\nstore:\n  type: postgres\n  url: postgres://oots@db.invalid/oots\n"),
    )
    .unwrap();
    let out = adapter(&["check", dir.path().to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("OEA-A0013"), "{}", stdout(&out));
    std::fs::write(
        &config,
        format!("{text}\nstore:\n  type: postgres\n  url: postgres://oots@db.invalid/oots\naudit:\n  key: env:OOTS_AUDIT_KEY\n"),
    )
    .unwrap();
    let out = adapter(&["check", dir.path().to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_signs_checkpoints_into_the_checkpoint_folder_while_it_runs() {
    let (dir, config) = deployment();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "listen: 127.0.0.1:8090",
        &format!("listen: 127.0.0.1:{port}"),
    );
    std::fs::write(
        &config,
        format!(
            "{text}\naudit:\n  checkpoint_dir: kept\n  checkpoint_every_records: 1000\n  checkpoint_every_seconds: 1\n"
        ),
    )
    .unwrap();
    let key = local_key(dir.path(), &config);
    decide(dir.path(), key, &["m1"]).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("DOMIBUS_PASSWORD", "x")
        .env("DOMIBUS_PUSH_PASSWORD", "y")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let kept = dir.path().join("kept");
    let wait_for = |name: &str| {
        let p = kept.join(name);
        let started = std::time::Instant::now();
        while !p.is_file() && started.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        p
    };
    // At start: the head (record 1) is signed.
    let first = wait_for("checkpoint-000000000001.json");
    // A record added while it runs is signed within the period (checkpoint record 2,
    // the new record 3).
    // (A note, not an exchange: serve would race us for a stored one.)
    SqliteStore::open(&dir.path().join("state/adapter.db"))
        .await
        .unwrap()
        .with_journal_key(Some(Arc::new(local_key(dir.path(), &config))))
        .append_journal(r#"{"kind":"note"}"#, Utc::now())
        .await
        .unwrap();
    let second = wait_for("checkpoint-000000000003.json");
    let _ = child.kill();
    let _ = child.wait();
    for (file, seq) in [(&first, 1), (&second, 3)] {
        let cp = Checkpoint::parse(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(cp.seq, seq);
        let v = verify(&config, Some(file), &[]);
        assert_eq!(v["checkpoint"], "matched", "{v}");
    }
}
