//! Keeping the index fresh: renames, slow writers, bad files, ConfigMap swaps, polling.

mod common;

use std::io::Write;
use std::time::Duration;

use common::*;
use oots_connector::{Connector, ConnectorError, Limits};
use oots_connector_filedrop::FiledropConnector;
use serde_json::json;
use tokio_util::sync::CancellationToken;

const HEADER: &str = "id,family_name,date_of_birth\n";

fn dob() -> oots_connector::Params {
    params(&[("dob", date("1970-03-01"))])
}

async fn names(c: &FiledropConnector) -> Vec<String> {
    lookup(c, "date_of_birth = :dob", &dob())
        .await
        .iter()
        .filter_map(|r| text(r, "family_name"))
        .collect()
}

#[tokio::test]
async fn atomic_rename_is_picked_up_and_temp_files_ignored() {
    let dir = tempfile::tempdir().unwrap();
    // Long poll interval: only file events can make this test pass in time.
    let c = open(
        dir.path(),
        json!({"folder": ".", "format": "csv", "key": ["date_of_birth"],
               "settle_ms": 100, "poll_interval_ms": 60000}),
    )
    .await;
    assert_eq!(c.health().detail.as_deref(), Some("0 files, 0 records"));
    let tmp = dir.path().join("x.csv.tmp");
    std::fs::write(&tmp, format!("{HEADER}1,Häkkinen,1970-03-01\n")).unwrap();
    std::fs::write(
        dir.path().join(".hidden.csv"),
        format!("{HEADER}2,Hidden,1970-03-01\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("~lock.csv"),
        format!("{HEADER}3,Lock,1970-03-01\n"),
    )
    .unwrap();
    std::fs::rename(&tmp, dir.path().join("x.csv")).unwrap();
    assert!(wait_until(5, || async { names(&c).await == ["Häkkinen"] }).await);
    assert_eq!(c.health().detail.as_deref(), Some("1 file, 1 record"));
}

#[tokio::test]
async fn slowly_written_file_is_never_ingested_half_way() {
    let dir = tempfile::tempdir().unwrap();
    let c = open(
        dir.path(),
        json!({"folder": ".", "format": "csv", "key": ["date_of_birth"],
               "settle_ms": 1000, "poll_interval_ms": 30}),
    )
    .await;
    let path = dir.path().join("people.csv");
    let full = format!("{HEADER}1,Åberg,1970-03-01\n2,Øster,1970-03-01\n3,Halvorsen,1970-03-01\n");
    let (first, second) = full.split_at(full.find("Halv").unwrap() + 3);
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(first.as_bytes()).unwrap();
    f.flush().unwrap();
    // While the writer pauses (shorter than settle_ms), nothing of the file may appear.
    let pause_end = std::time::Instant::now() + Duration::from_millis(300);
    while std::time::Instant::now() < pause_end {
        assert!(names(&c).await.is_empty(), "half-written file was ingested");
        assert!(!c.health().degraded, "half-written file was parsed");
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    f.write_all(second.as_bytes()).unwrap();
    f.flush().unwrap();
    drop(f);
    let mut done = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(6);
    while std::time::Instant::now() < deadline {
        let n = names(&c).await;
        assert!(
            n.is_empty() || n == ["Åberg", "Øster", "Halvorsen"],
            "partial content served: {n:?}"
        );
        if n.len() == 3 {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    assert!(done, "complete file was not ingested");
    assert!(!c.health().degraded);
}

#[tokio::test]
async fn bad_file_keeps_last_good_data_and_degrades_until_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    std::fs::write(&path, format!("{HEADER}1,Good,1970-03-01\n")).unwrap();
    let c = open(
        dir.path(),
        json!({"folder": ".", "format": "csv", "key": ["date_of_birth"],
               "settle_ms": 50, "poll_interval_ms": 30, "watch": false}),
    )
    .await;
    assert_eq!(names(&c).await, ["Good"]);
    let before = c.health().refreshed_at;

    // Line 3 has an extra field; it holds a name that must never reach health().
    std::fs::write(
        &path,
        format!("{HEADER}1,Changed,1970-03-01\n2,Secretname,1970-03-01,extra\n"),
    )
    .unwrap();
    assert!(wait_until(5, || async { c.health().degraded }).await);
    let h = c.health();
    let detail = h.detail.unwrap();
    assert!(detail.contains("people.csv"), "{detail}");
    assert!(detail.contains("line 3"), "{detail}");
    assert!(
        !detail.contains("Secretname") && !detail.contains("Changed"),
        "{detail}"
    );
    assert_eq!(h.refreshed_at, before, "no new data was served");
    assert_eq!(names(&c).await, ["Good"], "last good data is still served");
    c.probe().await.unwrap();

    std::fs::write(
        &path,
        format!("{HEADER}1,Fixed,1970-03-01\n2,Also,1970-03-01\n"),
    )
    .unwrap();
    assert!(wait_until(5, || async { !c.health().degraded }).await);
    assert_eq!(names(&c).await, ["Fixed", "Also"]);
    assert_eq!(c.health().detail.as_deref(), Some("1 file, 2 records"));
}

#[cfg(unix)]
#[tokio::test]
async fn configmap_data_symlink_swap_is_picked_up() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("..2026_01_01")).unwrap();
    std::fs::write(
        d.join("..2026_01_01/people.csv"),
        format!("{HEADER}1,Old,1970-03-01\n"),
    )
    .unwrap();
    symlink("..2026_01_01", d.join("..data")).unwrap();
    symlink("..data/people.csv", d.join("people.csv")).unwrap();
    let c = open(
        d,
        json!({"folder": ".", "format": "csv", "key": ["date_of_birth"],
               "settle_ms": 100, "poll_interval_ms": 60000}),
    )
    .await;
    assert_eq!(names(&c).await, ["Old"], "fresh start answers at once");

    std::fs::create_dir(d.join("..2026_01_02")).unwrap();
    std::fs::write(
        d.join("..2026_01_02/people.csv"),
        format!("{HEADER}1,New,1970-03-01\n"),
    )
    .unwrap();
    symlink("..2026_01_02", d.join("..data_tmp")).unwrap();
    std::fs::rename(d.join("..data_tmp"), d.join("..data")).unwrap();
    std::fs::remove_dir_all(d.join("..2026_01_01")).unwrap();
    assert!(wait_until(5, || async { names(&c).await == ["New"] }).await);
    assert!(!c.health().degraded);
}

#[tokio::test]
async fn polling_alone_keeps_the_index_right_and_freshness_moves() {
    let dir = tempfile::tempdir().unwrap();
    let c = open(
        dir.path(),
        json!({"folder": ".", "format": "csv", "key": ["date_of_birth"],
               "settle_ms": 50, "poll_interval_ms": 40, "watch": false}),
    )
    .await;
    let t0 = c.health().refreshed_at.unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        format!("{HEADER}1,Ärtig,1970-03-01\n"),
    )
    .unwrap();
    assert!(wait_until(5, || async { names(&c).await == ["Ärtig"] }).await);
    let t1 = c.health().refreshed_at.unwrap();
    assert!(t1 > t0, "refreshed_at moves forward after a change");

    std::fs::write(
        dir.path().join("b.csv"),
        format!("{HEADER}2,Bø,1970-03-01\n"),
    )
    .unwrap();
    assert!(wait_until(5, || async { names(&c).await.len() == 2 }).await);
    std::fs::remove_file(dir.path().join("a.csv")).unwrap();
    assert!(wait_until(5, || async { names(&c).await == ["Bø"] }).await);
    assert!(c.health().refreshed_at.unwrap() > t1);
    assert_eq!(c.health().detail.as_deref(), Some("1 file, 1 record"));

    // After close() the index no longer changes, but still answers.
    c.close();
    tokio::time::sleep(Duration::from_millis(50)).await;
    std::fs::write(
        dir.path().join("c.csv"),
        format!("{HEADER}3,Late,1970-03-01\n"),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(names(&c).await, ["Bø"]);
}

#[cfg(unix)]
#[tokio::test]
async fn fetch_document_serves_inside_and_refuses_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("docs/sub")).unwrap();
    std::fs::write(d.join("docs/sub/cert.pdf"), b"%PDF-1.7 test").unwrap();
    std::fs::write(d.join("docs/scan.JPG"), b"\xFF\xD8\xFF").unwrap();
    std::fs::write(d.join("secret.pdf"), b"%PDF outside").unwrap();
    std::fs::write(d.join("docs/run.sh"), b"#!/bin/sh").unwrap();
    std::os::unix::fs::symlink("../secret.pdf", d.join("docs/evil.pdf")).unwrap();
    let c = open(
        d,
        json!({"folder": ".", "format": "csv", "key": ["id"], "documents": "docs",
               "settle_ms": 0}),
    )
    .await;
    let cancel = CancellationToken::new();
    let doc = c
        .fetch_document("sub/cert.pdf", Limits::default(), &cancel)
        .await
        .unwrap();
    assert_eq!(doc.media_type, "application/pdf");
    assert_eq!(doc.bytes, b"%PDF-1.7 test");
    let img = c
        .fetch_document("scan.JPG", Limits::default(), &cancel)
        .await
        .unwrap();
    assert_eq!(img.media_type, "image/jpeg");

    for bad in [
        "../secret.pdf",
        "sub/../../secret.pdf",
        "/etc/passwd.pdf",
        "evil.pdf",
        "missing.pdf",
        "run.sh",
        "",
    ] {
        let err = c
            .fetch_document(bad, Limits::default(), &cancel)
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectorError::Query(_)), "{bad}: {err:?}");
    }
    let no_docs = open(
        d,
        json!({"folder": ".", "format": "csv", "key": ["id"], "settle_ms": 0}),
    )
    .await;
    assert!(matches!(
        no_docs
            .fetch_document("sub/cert.pdf", Limits::default(), &cancel)
            .await,
        Err(ConnectorError::Config(_))
    ));
}
