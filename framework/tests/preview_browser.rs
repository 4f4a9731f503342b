//! The preview space in a real browser: Debian's Chromium driven by Playwright
//! (`tests/browser/preview.py`), against `oots-adapter serve` and a real OpenID provider
//! (npm `oidc-provider`, `tests/browser/op.mjs`), both started here. Every page the
//! citizen sees passes axe-core (WCAG 2.1 A and AA) with no violation; screenshots land in
//! `$CARGO_TARGET_DIR/preview-screenshots/` as test artefacts.
//!
//! Needs `PREVIEW_BROWSER_PYTHON` (a Python with Playwright), `chromium` on the PATH, Node
//! and `tests/browser/node_modules` (`npm ci` there). `.ci/run` installs and sets all of
//! them; without `PREVIEW_BROWSER_PYTHON` the suite says it is skipped.

mod preview_support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use oots_devkit::loopback_tls::TlsFront;
use oots_framework::edm::ErrorCode;
use oots_framework::requester::{OptionalAttributes, RepresentativeSpec, RequestSpec};
use preview_support::{
    Adapter, Deployment, assert_declined, assert_neutral_not_found, exception, free_port,
    lukas_wimmer, preview_link, preview_link_for, workspace,
};

/// The preview space's public origin in this suite: the adapter behind an https front on
/// loopback (self-signed `localhost`), so Secure cookies and redirects behave as deployed.
struct Front(TlsFront);

impl Front {
    async fn start() -> Front {
        Front(TlsFront::start().await.unwrap())
    }

    fn public_url(&self) -> String {
        format!("{}/preview", self.0.origin())
    }

    /// Where the requester wants the user back: on this origin, outside the preview
    /// routes (the browser only has to arrive there).
    fn back(&self) -> String {
        format!("{}/requester/back", self.0.origin())
    }
}

struct Browser {
    python: PathBuf,
    dir: PathBuf,
    shots: PathBuf,
}

impl Browser {
    fn from_env() -> Option<Browser> {
        let python = oots_testskip::skip_unless_env(
            "PREVIEW_BROWSER_PYTHON",
            "preview browser suite (set PREVIEW_BROWSER_PYTHON to a Python with Playwright; .ci/run does)",
        )?;
        let dir = workspace().join("tests/browser");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "run `npm ci` in {}",
            dir.display()
        );
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target"));
        let shots = target.join("preview-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Some(Browser {
            python: PathBuf::from(python),
            dir,
            shots,
        })
    }

    /// The citizen's visit; returns what the script reports (it fails the test on any
    /// accessibility violation).
    #[allow(clippy::too_many_arguments)]
    fn visit(
        &self,
        back: &str,
        link: &str,
        login: &str,
        decision: &str,
        name: &str,
        extra: &[&str],
    ) -> serde_json::Value {
        let out = Command::new(&self.python)
            .arg(self.dir.join("preview.py"))
            .args(["--link", link])
            .args(["--login", login, "--decision", decision, "--name", name])
            .args(["--return-url", back])
            .arg("--axe")
            .arg(self.dir.join("node_modules/axe-core/axe.min.js"))
            .arg("--shots")
            .arg(&self.shots)
            .args(extra)
            .output()
            .expect("python runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let report: serde_json::Value = stdout
            .lines()
            .last()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_else(|| panic!("{name}: no report\n{stdout}\n{stderr}"));
        assert!(out.status.success(), "{name}: {report}\n{stderr}");
        assert_eq!(report["violations"], serde_json::json!([]), "{name}");
        let mut shown = report.clone();
        if let Some(r) = shown.as_object_mut() {
            r.remove("html");
        }
        println!("{name}: {shown}");
        report
    }
}

/// The OpenID provider, stopped on drop.
struct Provider {
    child: Child,
    port: u16,
}

impl Provider {
    fn start(dir: &std::path::Path, callback: &str) -> Provider {
        let port = free_port();
        let mut child = Command::new("node")
            .arg(dir.join("op.mjs"))
            .arg(port.to_string())
            .arg(callback)
            .env("OOTS_TEST_CLIENT_SECRET", "test-secret")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert!(line.starts_with("ready"), "provider: {line}");
        // Keep reading what it prints, so it never writes into a closed pipe.
        std::thread::spawn(move || for _ in out.lines() {});
        Provider { child, port }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn oidc(provider: &Provider) -> String {
    format!(
        "  authentication:\n    oidc:\n      issuer: http://127.0.0.1:{}\n      client_id: oots-preview\n      client_secret: env:OOTS_TEST_CLIENT_SECRET\n      allow_http_issuer: true\n",
        provider.port
    )
}

/// [`oidc`], with the provider's `national_id` claim as the person identifier.
fn oidc_with_identifier(provider: &Provider) -> String {
    format!(
        "{}      claims: {{ person_identifier: national_id }}\n",
        oidc(provider)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizen_signs_in_sees_the_evidence_and_decides_in_a_real_browser() {
    let Some(browser) = Browser::from_env() else {
        return;
    };
    let front = Front::start().await;
    let back = front.back();
    let provider = Provider::start(&browser.dir, &format!("{}/callback", front.public_url()));
    let mut adapter = Adapter::start_with(2400, &oidc(&provider), &front.public_url()).await;
    front.0.set_backend(adapter.port);

    // Approve: sign in as the subject, see the evidence, use it; the requester gets it
    // and the browser goes back to the requester.
    let (link, _) = preview_link(&mut adapter).await;
    adapter.send(Some(&link), Some(&back));
    let seen = browser.visit(&back, &link, "jean", "approve", "approve", &[]);
    assert!(seen["shown"].as_str().unwrap().contains("Dupont"), "{seen}");
    // What the browser shows: the record's date of birth and the deadline written out,
    // never an ISO date or a UTC time (docs/preview.md, "Dates, times and languages").
    let shown = seen["shown"].as_str().unwrap();
    assert!(
        shown.contains("22 October 1992") && !shown.contains("1992-10-22"),
        "{seen}"
    );
    assert!(
        shown.contains("Valid until: ") && !shown.contains("UTC"),
        "{seen}"
    );
    assert!(
        seen["after_decision_url"]
            .as_str()
            .unwrap()
            .starts_with(&back),
        "{seen}"
    );
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");

    // Somebody else signs in: no evidence is shown, the requester gets the neutral
    // EDM:ERR:0004.
    let (link, _) = preview_link(&mut adapter).await;
    adapter.send(Some(&link), Some(&back));
    let seen = browser.visit(&back, &link, "other", "none", "mismatch", &[]);
    assert!(
        !seen["shown"].as_str().unwrap().contains("Dupont"),
        "{seen}"
    );
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_neutral_not_found(&answer);

    // The request names Jean Dupond, born in Berlin on 1992-10-22; matching takes the
    // register's Jean Dupont for him. Jean Dupond signs in: he is the request's subject,
    // but not the record's person. The page shows nothing of the record and offers no
    // decision, the document is not served, and the requester gets the neutral
    // EDM:ERR:0004.
    let dupond = RequestSpec {
        preview: true,
        optional: OptionalAttributes {
            place_of_birth: Some("Berlin".into()),
            ..OptionalAttributes::default()
        },
        ..RequestSpec::quickstart_birth("Dupond", "Jean", "1992-10-22", "application/pdf")
    };
    let (link, _) = preview_link_for(&mut adapter, Some(&dupond)).await;
    adapter.send_request(&dupond, Some(&link), Some(&back));
    let seen = browser.visit(
        &back,
        &link,
        "dupond",
        "none",
        "record-mismatch",
        &["--try-document"],
    );
    assert!(
        seen["shown"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("no evidence was sent"),
        "the mismatch page: {seen}"
    );
    assert_eq!(seen["decision_buttons"], 0, "{seen}");
    assert_ne!(seen["document_status"], 200, "{seen}");
    let html = seen["html"].as_str().unwrap();
    for record in ["G 4711/1992", "Pierre", "Claire", "Dupont"] {
        assert!(!html.contains(record), "{record} in the browser: {seen}");
    }
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_neutral_not_found(&answer);

    // Decline.
    let (link, _) = preview_link(&mut adapter).await;
    adapter.send(Some(&link), Some(&back));
    browser.visit(&back, &link, "jean", "decline", "decline", &[]);
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    // TDD 2.0.1 4.9 §1: a successful response with an empty object list, nothing sent.
    assert_declined(&answer);

    // A hostile browser: the cookies set beforehand to a chosen value (fixation), and
    // `returnurl` to another site on a 2.0 link. The adapter makes its own cookie at the
    // first visit, makes another at the sign-in, and sends the citizen back to the
    // requester's ReturnLocation (a redirect elsewhere fails the script).
    let (link, _) = preview_link(&mut adapter).await;
    adapter.send(Some(&link), Some(&back));
    let chosen = "c".repeat(64);
    let hostile_link = format!("{link}?returnurl=https%3A%2F%2Fevil.example%2Fsteal");
    let seen = browser.visit(
        &back,
        &hostile_link,
        "jean",
        "approve",
        "hostile",
        &["--plant-cookie", &chosen],
    );
    let landing = seen["cookie_after_landing"].as_str().expect("a cookie");
    let signed_in = seen["cookie_after_sign_in"].as_str().expect("a cookie");
    assert_ne!(landing, chosen, "the chosen cookie was adopted: {seen}");
    assert_ne!(
        signed_in, landing,
        "the sign-in did not rotate the cookie: {seen}"
    );
    assert!(
        seen["after_decision_url"]
            .as_str()
            .unwrap()
            .starts_with(&back),
        "{seen}"
    );
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");

    // A tampered link, and a link already opened in another browser: "not valid".
    let (link, _) = preview_link(&mut adapter).await;
    // Another last character (a link ending in `0` stays tampered: `1`).
    let last = if link.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{last}", &link[..link.len() - 1]);
    let seen = browser.visit(&back, &tampered, "-", "none", "tampered", &[]);
    assert_eq!(seen["first_status"], 404, "{seen}");
    browser.visit(&back, &link, "-", "none", "first-browser", &[]);
    let seen = browser.visit(&back, &link, "-", "none", "second-browser", &[]);
    assert_eq!(seen["first_status"], 404, "{seen}");
    adapter.stop();

    // Not deciding in time: the page says so, the requester gets EDM:ERR:0005.
    let mut adapter = Adapter::start_with(3, &oidc(&provider), &front.public_url()).await;
    front.0.set_backend(adapter.port);
    let (link, _) = preview_link(&mut adapter).await;
    adapter.send(Some(&link), Some(&back));
    let seen = browser.visit(
        &back,
        &link,
        "-",
        "none",
        "timeout",
        &["--reload-after", "4"],
    );
    assert_eq!(seen["reload_status"], 410, "{seen}");
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(exception(&answer).code, ErrorCode::Timeout);
    adapter.stop();
}

/// Two Lukas Wimmer born the same day (`mappings/birth-certificate`): the identifier the
/// person signs in with singles out theirs, which they see and approve; an identifier the
/// register does not hold shows nothing and ends in `EDM:ERR:0004`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_tells_homonyms_apart_in_a_real_browser() {
    let Some(browser) = Browser::from_env() else {
        return;
    };
    let front = Front::start().await;
    let back = front.back();
    let provider = Provider::start(&browser.dir, &format!("{}/callback", front.public_url()));
    let mut adapter = Adapter::start_deployment(
        &Deployment::austrian_births(),
        2400,
        &oidc_with_identifier(&provider),
        &front.public_url(),
    )
    .await;
    front.0.set_backend(adapter.port);
    let lukas = lukas_wimmer();

    let (link, _) = preview_link_for(&mut adapter, Some(&lukas)).await;
    adapter.send_request(&lukas, Some(&link), Some(&back));
    let seen = browser.visit(&back, &link, "lukas", "approve", "homonym-approve", &[]);
    let shown = seen["shown"].as_str().unwrap();
    assert!(
        shown.contains("G 0816/1995") && !shown.contains("G 0815/1995"),
        "{seen}"
    );
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let evidence = answer
        .payloads
        .iter()
        .find(|p| p.mime_type == "application/xml")
        .expect("the evidence");
    assert!(String::from_utf8_lossy(&evidence.bytes).contains("G 0816/1995"));

    let (link, _) = preview_link_for(&mut adapter, Some(&lukas)).await;
    adapter.send_request(&lukas, Some(&link), Some(&back));
    let seen = browser.visit(
        &back,
        &link,
        "lukas-unknown",
        "none",
        "homonym-unresolved",
        &[],
    );
    let shown = seen["shown"].as_str().unwrap();
    assert!(
        shown.contains("We could not tell which record is yours"),
        "{seen}"
    );
    assert!(!shown.contains("G 081"), "{seen}");
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_neutral_not_found(&answer);
    adapter.stop();
}

/// A company's extract (`mappings/company-registration-extract`) previewed by the
/// representative the request names (docs/preview.md, "Representatives"): the director
/// signs in, sees the company's extract and approves it; the request naming him again,
/// another company's director signs in and sees nothing, and the requester gets the
/// neutral `EDM:ERR:0004`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_s_representative_signs_in_and_approves_in_a_real_browser() {
    let Some(browser) = Browser::from_env() else {
        return;
    };
    let front = Front::start().await;
    let back = front.back();
    let provider = Provider::start(&browser.dir, &format!("{}/callback", front.public_url()));
    let mut adapter = Adapter::start_deployment(
        &Deployment::company_register(),
        2400,
        &oidc(&provider),
        &front.public_url(),
    )
    .await;
    front.0.set_backend(adapter.port);
    let spec = RequestSpec {
        version: oots_framework::edm::EdmVersion::V2_0,
        classification: "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/CZ/3ccfc0a2-3e01-4427-9df2-7c5a8113257c".into(),
        preview: true,
        provider: (
            "urn:cef.eu:names:identifier:EAS:9929".into(),
            "CZ99999999".into(),
            "Commercial Register".into(),
        ),
        legal: Some((
            "Pražské strojírny Kovář s.r.o.".into(),
            Some("CZ/BE/27074358".into()),
        )),
        representative: Some(RepresentativeSpec {
            family_name: "Kovář".into(),
            given_name: "Jiří".into(),
            date_of_birth: "1968-11-23".into(),
            scope: Some("X1".into()),
            legal_name: None,
        }),
        ..RequestSpec::quickstart_birth("", "", "", "application/pdf")
    };

    let (link, _) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(&spec, Some(&link), Some(&back));
    let seen = browser.visit(
        &back,
        &link,
        "kovar",
        "approve",
        "representative-approve",
        &[],
    );
    assert!(
        seen["shown"].as_str().unwrap().contains("27074358"),
        "{seen}"
    );
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    assert!(
        answer
            .payloads
            .iter()
            .any(|p| p.mime_type == "application/pdf")
    );

    let (link, _) = preview_link_for(&mut adapter, Some(&spec)).await;
    adapter.send_request(&spec, Some(&link), Some(&back));
    let seen = browser.visit(
        &back,
        &link,
        "hajkova",
        "none",
        "representative-mismatch",
        &["--try-document"],
    );
    assert_eq!(seen["decision_buttons"], 0, "{seen}");
    assert_ne!(seen["document_status"], 200, "{seen}");
    let html = seen["html"].as_str().unwrap();
    for record in ["27074358", "Křižíkova", "C 98765"] {
        assert!(!html.contains(record), "{record} in the browser: {seen}");
    }
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_neutral_not_found(&answer);
    adapter.stop();
}

/// `oots-adapter demo` without `--auto-approve`, with a person in the browser: the link it
/// prints opens, the demo identity provider signs them in, and their approval reaches
/// the requester.
#[test]
fn a_person_approves_the_demo_preview_in_a_browser() {
    let Some(browser) = Browser::from_env() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
        .current_dir(workspace())
        .args(["demo", "--out"])
        .arg(out.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(demo.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let link = loop {
        let line = lines.next().expect("the demo prints the link").unwrap();
        seen.push(line.clone());
        if let Some(link) = line.trim().strip_prefix("open") {
            break link.trim().to_owned();
        }
    };
    let report = browser.visit(
        "https://requester.example/oots/back",
        &link,
        "demo-idp",
        "approve",
        "demo",
        &[],
    );
    assert!(
        report["shown"].as_str().unwrap().contains("Dupont"),
        "{report}"
    );
    let answered = loop {
        let Some(Ok(line)) = lines.next() else {
            break false;
        };
        seen.push(line.clone());
        if line.contains("← ") {
            break line.contains("← ExecuteQueryResponse");
        }
    };
    let _ = demo.kill();
    let _ = demo.wait();
    assert!(answered, "{}", seen.join("\n"));
}

/// Several evidences (`evidence.several`, docs/preview.md "Several evidences"): the page
/// shows a tick-box per evidence, none ticked; ticking one of two releases only that one,
/// ticking none declines. Both pages pass axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizen_ticks_which_of_several_evidences_to_send() {
    let Some(browser) = Browser::from_env() else {
        return;
    };
    let front = Front::start().await;
    let back = front.back();
    let dir = tempfile::tempdir().unwrap();
    let deployment = Deployment::diplomas(dir.path());
    let mut adapter = Adapter::start_deployment(
        &deployment,
        2400,
        "  authentication: none\n",
        &front.public_url(),
    )
    .await;
    front.0.set_backend(adapter.port);
    let anna = preview_support::several::request(
        "Nowak",
        "Anna",
        "1990-01-01",
        oots_framework::edm::EdmVersion::V2_0,
        true,
    );

    // Tick the second of two: only it is released.
    let (link, _) = preview_link_for(&mut adapter, Some(&anna)).await;
    adapter.send_request(&anna, Some(&link), Some(&back));
    let seen = browser.visit(
        &back,
        &link,
        "-",
        "approve",
        "several-tick-one",
        &["--tick", "1"],
    );
    assert_eq!(seen["checkboxes"], 2, "{seen}");
    assert_eq!(seen["checked_before"], 0, "{seen}");
    let shown = seen["shown"].as_str().unwrap();
    assert!(
        shown.contains("ANNA-1") && shown.contains("ANNA-2"),
        "{seen}"
    );
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_eq!(answer.header.action, "ExecuteQueryResponse");
    let parts: Vec<String> = answer
        .payloads
        .iter()
        .filter(|p| p.mime_type == "application/xml")
        .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
        .collect();
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert!(parts[0].contains("ANNA-2"), "{parts:?}");

    // Tick none and use: declined, nothing released.
    let (link, _) = preview_link_for(&mut adapter, Some(&anna)).await;
    adapter.send_request(&anna, Some(&link), Some(&back));
    let seen = browser.visit(&back, &link, "-", "approve", "several-tick-none", &[]);
    assert_eq!(seen["checkboxes"], 2, "{seen}");
    let answer = adapter
        .answer(Duration::from_secs(10))
        .await
        .expect("answered");
    assert_declined(&answer);
    adapter.stop();
}
