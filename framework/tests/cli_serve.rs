//! `oots-adapter serve` and `oots-adapter demo` as real processes.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oots_devkit::simulator::{DomibusSimulator, SimulatorConfig};
use oots_framework::clock::{Clock, RandomIds, SystemClock};
use oots_framework::edm;
use oots_framework::gateway::Payload;
use oots_framework::requester::{self, RequestSpec};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_through_domibus_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (sim, sim_url) = DomibusSimulator::start(SimulatorConfig {
        username: "backend".into(),
        password: "plugin-pw".into(),
        push_endpoint: Some(format!("http://127.0.0.1:{port}/domibus/notifications")),
        push_username: "push".into(),
        push_password: "push-pw".into(),
    })
    .await
    .unwrap();
    let q = workspace().join("examples/quickstart");
    let config = dir.path().join("adapter.yaml");
    std::fs::write(
        &config,
        format!(
            "provider:\n  identifier: DE73524311\n  scheme: urn:cef.eu:names:identifier:EAS:9930\n  name: {{ EN: Civil Registration Office Berlin I }}\n  country: DE\n\
             mappings: {mappings}\n\
             connections:\n  birth_register:\n    type: sql\n    url: sqlite://{db}\n    init: {seed}\n\
             gateway:\n  type: domibus\n  endpoint: {sim_url}\n  username: backend\n  password: env:TEST_DOMIBUS_PW\n  push_username: push\n  push_password: file:push.pw\n\
             http:\n  listen: 127.0.0.1:{port}\n",
            mappings = q.join("mappings").display(),
            db = dir.path().join("registry.db").display(),
            seed = q.join("registry/seed.sql").display(),
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("push.pw"), "push-pw\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("TEST_DOMIBUS_PW", "plugin-pw")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });

    // Ready?
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && r.status().is_success()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let ids = RandomIds;
    let now = SystemClock.now();
    let request = requester::build_request(
        &RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/pdf"),
        &ids,
        now,
    );
    let header = requester::request_header(
        &request,
        "m-1@requester.example".into(),
        "conv-1".into(),
        "9f7b1c2e-0000-4000-8000-000000000001".into(),
        "req-1@requester.example",
        now,
    );
    sim.deliver(
        header,
        vec![Payload {
            content_id: "req-1@requester.example".into(),
            mime_type: "application/x-ebrs+xml".into(),
            bytes: edm::write_request(&request).into_bytes(),
        }],
    );
    let answer = sim
        .next_submitted(Duration::from_secs(20))
        .await
        .expect("no answer submitted");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    assert_eq!(answer.payloads.len(), 2);
    assert!(sim.is_downloaded("m-1@requester.example"));

    // Graceful stop on SIGTERM.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "serve did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
    // The stop signed the journal's head (the decision) into the checkpoint folder, and
    // the journal verifies against it.
    let kept = dir
        .path()
        .join("state/audit-checkpoints/checkpoint-000000000001.json");
    assert!(kept.is_file(), "no checkpoint at {}", kept.display());
    let out = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .args(["audit", "verify", "--json", "--config"])
        .arg(&config)
        .arg("--checkpoint")
        .arg(&kept)
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(v["checkpoint"], "matched", "{v}");
    assert_eq!(v["kinds"]["decision"], 1, "{v}");
    assert_eq!(v["kinds"]["checkpoint"], 1, "{v}");
    assert_eq!(v["head_key_id"], "local", "{v}");
    let log = log.join().unwrap().join("\n");
    // JSON log lines, no personal data, no secrets.
    assert!(log.contains("\"answered\""), "{log}");
    for secret_or_pii in ["plugin-pw", "push-pw", "Dupont", "1992-10-22"] {
        assert!(
            !log.contains(secret_or_pii),
            "{secret_or_pii} in log:\n{log}"
        );
    }
    sim.shutdown();
}

#[test]
fn demo_plays_the_quickstart_mapping_tests_live() {
    let out = tempfile::tempdir().unwrap();
    let output = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .current_dir(workspace())
            .args(["demo", "--auto-approve", "--out"])
            .arg(out.path()),
        180,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Five direct answers, and the preview's follow-up after the approval; fourteen
    // refusals, eight of them for look-alikes of a registered person, one for a name
    // mixing scripts.
    assert_eq!(
        stdout.matches("← ExecuteQueryResponse").count(),
        6,
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("← ExceptionResponse").count(),
        14,
        "{stdout}"
    );
    // Nobody in the register, the twins and the look-alikes: the requester reads one
    // neutral detail for all; the adapter's trace tells them apart.
    assert!(
        stdout
            .matches(
                "EDM:ERR:0004 Object not found: No evidence could be found for the evidence subject"
            )
            .count()
            >= 2,
        "{stdout}"
    );
    assert!(
        !stdout.contains("Object not found: Evidence subject could not be identified"),
        "{stdout}"
    );
    assert!(
        stdout.contains("refused: ambiguous: the subject could not be identified unambiguously"),
        "{stdout}"
    );
    assert!(stdout.contains("EDM:ERR:0002"));
    assert!(stdout.contains("preview     https://localhost:"));
    // The citizen's part, over the real routes and the demo identity provider.
    assert!(
        stdout.contains("browser     signed in; the page shows the evidence"),
        "{stdout}"
    );
    assert!(
        stdout.contains("browser     back to the requester: https://requester.example/oots/back")
    );
    // The files it announces exist.
    let run = std::fs::read_dir(out.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let pdfs = walk(&run)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .count();
    assert_eq!(pdfs, 1);
    assert!(walk(&run).iter().any(|p| p.ends_with("request.xml")));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn run_demo(config: &str) -> String {
    let out = tempfile::tempdir().unwrap();
    let output = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .current_dir(workspace())
            .args(["demo", "--auto-approve", "--config", config, "--out"])
            .arg(out.path()),
        180,
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_file_drop_example_runs_with_one_command() {
    let stdout = run_demo("examples/file-drop/adapter.yaml");
    assert!(stdout.contains("← ExecuteQueryResponse"), "{stdout}");
    assert!(
        stdout.contains("Tertiary Education Diploma, application/xml"),
        "{stdout}"
    );
    assert!(stdout.contains("EDM:ERR:0004"), "{stdout}");
}

#[test]
fn the_rest_registry_example_runs_against_its_sample_register() {
    let Ok(python) = which("python3") else {
        oots_testskip::skip("PATH", "REST-registry example (python3 not found)");
        return;
    };
    let mut registry = Command::new(python)
        .arg(workspace().join("examples/rest-registry/registry.py"))
        .arg("8181")
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect("127.0.0.1:8181").is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "register did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let stdout = run_demo("examples/rest-registry/adapter.yaml");
    let _ = registry.kill();
    let _ = registry.wait();
    // Two direct answers, and the preview scenario's follow-up after the approval.
    assert_eq!(
        stdout.matches("← ExecuteQueryResponse").count(),
        3,
        "{stdout}"
    );
    // The register pages one resident at a time: two candidates came over two pages.
    assert!(
        stdout.contains("looked up 2 candidate record(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("could not be identified unambiguously"),
        "{stdout}"
    );
}

fn which(name: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}
