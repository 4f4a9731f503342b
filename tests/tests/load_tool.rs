//! `oots-adapter load` against a real `serve` of the default deployment (the quickstart,
//! which `oots-adapter demo` runs): as the Domibus WS plugin its `gateway.endpoint` names,
//! and as a requester's AS4 access point when the deployment is its own access point.
//! Every answer is checked against the outcome its mapping test expects; a deployment
//! whose test expects another outcome, and a `serve` stopped during the run, make the
//! tool fail with the counts of wrong and missing answers.

use oots_e2e::{copy_dir, workspace};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use oots_e2e::adapter::{Adapter, adapter_bin, free_port};

const ENV: [(&str, &str); 2] = [
    ("DOMIBUS_PASSWORD", "plugin-pw"),
    ("DOMIBUS_PUSH_PASSWORD", "push-pw"),
];

/// A copy of examples/quickstart in `dir`, listening on a free port, its Domibus on
/// another; the adapter.yaml path and the listening port.
fn quickstart(dir: &Path) -> (PathBuf, u16) {
    copy_dir(&workspace().join("examples/quickstart"), dir);
    let _ = std::fs::remove_dir_all(dir.join("state"));
    let config = dir.join("adapter.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    let port = free_port();
    let domibus = free_port();
    assert!(yaml.contains("127.0.0.1:8090") && yaml.contains("127.0.0.1:8080"));
    let yaml = yaml
        .replace("127.0.0.1:8090", &format!("127.0.0.1:{port}"))
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{domibus}"))
        // One generation for the whole run.
        + "\nreload:\n  enabled: false\n";
    std::fs::write(&config, yaml).unwrap();
    (config, port)
}

/// The quickstart as its own AS4 access point (`AP_DE_01`), the requester `AP_FR_01` its
/// one peer, answered on a free port; keys in `dir/keys`.
fn quickstart_as4(dir: &Path) -> (PathBuf, u16) {
    let (config, port) = quickstart(dir);
    oots_devkit::loopback::write_pki(&dir.join("keys")).unwrap();
    let yaml = std::fs::read_to_string(&config).unwrap();
    let start = yaml.find("\ngateway:").unwrap();
    let end = yaml.find("\npreview:").unwrap();
    let gateway = format!(
        "\ngateway:\n  type: as4\n  party_id: AP_DE_01\n  private_key: file:keys/AP_DE_01.key\n  certificate: keys/AP_DE_01.pem\n  trust_store: keys/ca.pem\n  peers:\n    - party_id: AP_FR_01\n      endpoint: http://127.0.0.1:{}/as4\n      certificate: keys/AP_FR_01.pem\n",
        free_port()
    );
    let yaml = format!("{}{gateway}{}", &yaml[..start], &yaml[end..]);
    std::fs::write(&config, yaml).unwrap();
    (config, port)
}

fn load_command(config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(adapter_bin());
    cmd.arg("load")
        .arg("--config")
        .arg(config)
        .args(args)
        .envs(ENV)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `oots-adapter load`; its exit code and JSON summary.
async fn load(config: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut cmd = load_command(config, args);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    summary(out)
}

fn summary(out: Output) -> (Option<i32>, serde_json::Value) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}); stdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

fn assert_all_correct(json: &serde_json::Value, n: u64) {
    assert_eq!(json["requests"], n, "{json}");
    assert_eq!(json["sent"], n, "{json}");
    assert_eq!(json["answered"], n, "{json}");
    assert_eq!(json["correct"], n, "{json}");
    for kind in [
        "missing",
        "wrong",
        "duplicates",
        "send_failed",
        "unknown_answers",
    ] {
        assert_eq!(json[kind], 0, "{kind}: {json}");
    }
    assert_eq!(json["passed"], true, "{json}");
    assert!(json["throughput_per_s"].as_f64().unwrap() > 0.0, "{json}");
    let p50 = json["latency_ms"]["p50"].as_f64().unwrap();
    let max = json["latency_ms"]["max"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= max, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_gets_every_right_answer_from_serve_behind_domibus() {
    let dir = tempfile::tempdir().unwrap();
    let (config, port) = quickstart(dir.path());
    let _serve = Adapter::start(&config, port, &dir.path().join("serve.log"), &ENV).await;
    let (code, json) = load(&config, &["--requests", "50", "--json"]).await;
    assert_all_correct(&json, 50);
    assert_eq!(json["mode"], "domibus");
    assert_eq!(code, Some(0), "{json}");

    // At a fixed rate too, with serve's address given.
    let adapter = format!("http://127.0.0.1:{port}/");
    let (code, json) = load(
        &config,
        &[
            "--requests",
            "20",
            "--rate",
            "20/s",
            "--adapter",
            &adapter,
            "--json",
        ],
    )
    .await;
    assert_all_correct(&json, 20);
    assert_eq!(code, Some(0), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_gets_every_right_answer_from_serve_as_an_as4_access_point() {
    let dir = tempfile::tempdir().unwrap();
    let (config, port) = quickstart_as4(dir.path());
    let _serve = Adapter::start(&config, port, &dir.path().join("serve.log"), &ENV).await;
    let keys = dir.path().join("keys");
    let key = format!("file:{}", keys.join("AP_FR_01.key").display());
    let cert = keys.join("AP_FR_01.pem").display().to_string();
    let (code, json) = load(
        &config,
        &[
            "--burst",
            "50",
            "--as4-key",
            &key,
            "--as4-certificate",
            &cert,
            "--json",
        ],
    )
    .await;
    assert_all_correct(&json, 50);
    assert_eq!(json["mode"], "as4");
    assert_eq!(code, Some(0), "{json}");

    // Receipts that do not verify (the adapter's certificate does not chain to the
    // `--as4-trust` given): every send fails after its retries, and the run with it.
    let other = tempfile::tempdir().unwrap();
    oots_devkit::loopback::write_pki(other.path()).unwrap();
    let other_ca = other.path().join("ca.pem").display().to_string();
    let (code, json) = load(
        &config,
        &[
            "--requests",
            "3",
            "--as4-key",
            &key,
            "--as4-certificate",
            &cert,
            "--as4-trust",
            &other_ca,
            "--timeout",
            "2",
            "--json",
        ],
    )
    .await;
    assert_eq!(code, Some(1), "{json}");
    assert_eq!(json["send_failed"], 3, "{json}");
    assert_eq!(json["errors"]["send_failed"], 3, "{json}");
    assert_eq!(json["correct"], 0, "{json}");

    // A certificate the deployment does not know as a peer is refused before sending.
    let stranger = other;
    let out = load_command(
        &config,
        &[
            "--as4-key",
            &format!("file:{}", stranger.path().join("AP_FR_01.key").display()),
            "--as4-certificate",
            &stranger.path().join("AP_FR_01.pem").display().to_string(),
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OEA-L0005"), "{stderr}");
    assert!(!stderr.contains("PRIVATE KEY"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_fails_on_answers_another_than_the_mapping_test_expects() {
    let dir = tempfile::tempdir().unwrap();
    let (config, port) = quickstart(dir.path());
    // "nobody in the register" (the third of the file's tests) now expects 0007: the
    // adapter still answers 0004, as it should.
    let mapping = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap();
    let nobody = "expect: { action: ExceptionResponse, code: \"EDM:ERR:0004\" }";
    let at = text.find("name: nobody in the register").unwrap();
    let rel = text[at..].find(nobody).unwrap();
    let text = format!(
        "{}{}{}",
        &text[..at + rel],
        nobody.replace("0004", "0007"),
        &text[at + rel + nobody.len()..]
    );
    std::fs::write(&mapping, text).unwrap();
    let tests = text_tests(&mapping);
    let _serve = Adapter::start(&config, port, &dir.path().join("serve.log"), &ENV).await;

    let (code, json) = load(&config, &["--requests", "50", "--json"]).await;
    assert_eq!(code, Some(1), "{json}");
    // Request n plays test n mod the number of tests; the third is index 2.
    let wrong = (0..50).filter(|n| n % tests == 2).count() as u64;
    assert_eq!(json["wrong"], wrong, "{json}");
    assert_eq!(json["correct"], 50 - wrong, "{json}");
    assert_eq!(json["missing"], 0, "{json}");
    assert_eq!(json["errors"]["wrong_outcome"], wrong, "{json}");
    let w = &json["wrong_outcomes"][0];
    assert_eq!(
        w["test"], "birth-certificate › nobody in the register",
        "{json}"
    );
    assert_eq!(w["detail"], "expected EDM:ERR:0007, got EDM:ERR:0004");
    assert_eq!(w["count"], wrong);
    assert_eq!(json["passed"], false);
}

/// The number of `tests:` entries of a mapping file.
fn text_tests(mapping: &Path) -> usize {
    std::fs::read_to_string(mapping)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  - name:"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_counts_the_answers_missing_when_serve_stops_mid_run() {
    let dir = tempfile::tempdir().unwrap();
    let (config, port) = quickstart(dir.path());
    let mut serve = Adapter::start(&config, port, &dir.path().join("serve.log"), &ENV).await;

    // 60 requests at 20/s: three seconds of sending; serve is killed after the first
    // answers, and the tool waits 3 s for the rest.
    let mut cmd = load_command(
        &config,
        &[
            "--requests",
            "60",
            "--rate",
            "20/s",
            "--timeout",
            "3",
            "--json",
        ],
    );
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    // Any answer proves the run is under way: poll serve's metrics for one exchange answered.
    let http = reqwest::Client::new();
    loop {
        let answered = http
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
            .ok();
        let text = match answered {
            Some(r) => r.text().await.unwrap_or_default(),
            None => String::new(),
        };
        if text.lines().any(|l| {
            l.starts_with("oots_exchanges_total")
                && l.split_whitespace()
                    .last()
                    .and_then(|v| v.parse::<f64>().ok())
                    .is_some_and(|v| v >= 1.0)
        }) {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("load ended ({status}) before serve answered anything");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no exchange answered; last metrics:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    serve.kill();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let (code, json) = summary(out);
    assert_eq!(code, Some(1), "{json}");
    let missing = json["missing"].as_u64().unwrap();
    let correct = json["correct"].as_u64().unwrap();
    assert!(missing > 0, "{json}");
    assert!(correct > 0, "{json}");
    assert_eq!(correct + missing, 60, "{json}");
    assert_eq!(json["wrong"], 0, "{json}");
    assert_eq!(json["errors"]["missing"], missing, "{json}");
    assert_eq!(json["passed"], false);
}

/// Runs `oots-adapter load` expecting it not to start: exit 2 and its stderr.
fn refused(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    stderr
}

#[test]
fn load_says_why_it_cannot_start() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = quickstart(dir.path());

    // No serve listening.
    let e = refused(&mut load_command(&config, &["--wait", "1"]));
    assert!(e.contains("OEA-L0006"), "{e}");

    // The deployment's Domibus password is an unset environment variable.
    let e = refused(load_command(&config, &["--wait", "1"]).env_remove("DOMIBUS_PASSWORD"));
    assert!(
        e.contains("OEA-L0004") && e.contains("DOMIBUS_PASSWORD"),
        "{e}"
    );

    // The address of gateway.endpoint is taken.
    let yaml = std::fs::read_to_string(&config).unwrap();
    let endpoint = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("endpoint: http://"))
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let taken = std::net::TcpListener::bind(&endpoint).unwrap();
    let e = refused(&mut load_command(&config, &["--wait", "1"]));
    assert!(
        e.contains("OEA-L0003") && e.contains("gateway.endpoint"),
        "{e}"
    );
    drop(taken);

    // An endpoint that is not plain http, or not the WS plugin's path.
    for (from, to) in [
        ("endpoint: http://", "endpoint: https://"),
        ("/domibus/services/wsplugin", "/ws"),
    ] {
        std::fs::write(&config, yaml.replace(from, to)).unwrap();
        let e = refused(&mut load_command(&config, &["--wait", "1"]));
        assert!(
            e.contains("OEA-L0003") && e.contains("gateway.endpoint"),
            "{e}"
        );
    }
    std::fs::write(&config, &yaml).unwrap();

    // Native AS4 without the requester's key, or with a key that does not read.
    let as4 = tempfile::tempdir().unwrap();
    let (as4_config, _) = quickstart_as4(as4.path());
    let cert = as4.path().join("keys/AP_FR_01.pem").display().to_string();
    let e = refused(&mut load_command(
        &as4_config,
        &["--wait", "1", "--as4-certificate", &cert],
    ));
    assert!(e.contains("OEA-L0005") && e.contains("--as4-key"), "{e}");
    let e = refused(&mut load_command(
        &as4_config,
        &[
            "--wait",
            "1",
            "--as4-certificate",
            &cert,
            "--as4-key",
            "file:/nonexistent/ap.key",
        ],
    ));
    assert!(e.contains("OEA-L0005"), "{e}");

    // Mapping files without tests.
    let mapping = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap();
    let cut = text.find("\ntests:").unwrap();
    std::fs::write(&mapping, &text[..cut + 1]).unwrap();
    let e = refused(&mut load_command(&config, &["--wait", "1"]));
    assert!(e.contains("OEA-L0002"), "{e}");

    // A deployment that does not pass `check`.
    std::fs::write(&mapping, "evidence_type: [").unwrap();
    let e = refused(&mut load_command(&config, &["--wait", "1"]));
    assert!(e.contains("OEA-L0001"), "{e}");
}
