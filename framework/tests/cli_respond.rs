//! `oots-adapter respond` with the quickstart configuration, unmodified, against the
//! official sample requests; hostile and preview requests get the right error answers.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shared() -> Option<PathBuf> {
    let p = common::shared_dir();
    if p.join("oots-spec").is_dir() {
        Some(p)
    } else {
        oots_testskip::skip(
            "OOTS_SHARED",
            "reference samples not found (set OOTS_SHARED=/path/to/shared)",
        );
        None
    }
}

const V1_BIRTH: &str = "oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange/2 Example for requesting a Birth Certificate - natural person/2.1 Step 1  Evidence Request - Birth - full example.xml";
const V2_FR: &str = "oots-spec/oots-france/spec/fixtures/reference/messages/requete.xml";

struct Run {
    json: serde_json::Value,
    out: tempfile::TempDir,
}

/// Runs `respond` with a fresh state folder (request ids are single-use by design).
fn respond(request: &Path) -> Run {
    let out = tempfile::tempdir().unwrap();
    let state = out.path().join("state");
    let output = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("respond")
            .arg("--config")
            .arg(workspace().join("examples/quickstart/adapter.yaml"))
            .arg("--request")
            .arg(request)
            .arg("--out")
            .arg(out.path().join("answer"))
            .arg("--state-dir")
            .arg(&state),
        120,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "respond failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout.lines().last().unwrap_or_default();
    let json: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    Run { json, out }
}

fn files(run: &Run) -> Vec<PathBuf> {
    run.json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| PathBuf::from(f.as_str().unwrap()))
        .collect()
}

#[test]
fn french_v2_request_gets_the_pdf_birth_certificate() {
    let Some(shared) = shared() else { return };
    let run = respond(&shared.join(V2_FR));
    assert_eq!(run.json["action"], "ExecuteQueryResponse", "{}", run.json);
    assert!(run.json["code"].is_null());
    let files = files(&run);
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("response.xml"));
    let response = std::fs::read_to_string(&files[0]).unwrap();
    assert!(response.contains("oots-edm:v2.0"));
    assert!(response.contains("requestId=\"urn:uuid:1a2b3c4d-0000-4000-8000-000000000000\""));
    assert!(response.contains("classificationNode=\"MainEvidence\""));
    assert!(response.contains("<sdg:FamilyName>Dupont</sdg:FamilyName>"));
    assert!(response.contains("<sdg:IssuingDate>1992-10-26</sdg:IssuingDate>"));
    let pdf = std::fs::read(&files[1]).unwrap();
    assert!(files[1].extension().unwrap() == "pdf");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    // The attachment's file name derives from the Content-ID the response points to.
    let href = response
        .split("xlink:href=\"cid:")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    let safe: String = href
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    assert_eq!(files[1].file_stem().unwrap().to_string_lossy(), safe);
    drop(run.out);
}

#[test]
fn official_v1_birth_request_gets_the_structured_certificate() {
    let Some(shared) = shared() else { return };
    let run = respond(&shared.join(V1_BIRTH));
    assert_eq!(run.json["action"], "ExecuteQueryResponse", "{}", run.json);
    let files = files(&run);
    assert_eq!(files.len(), 2, "{files:?}");
    let response = std::fs::read_to_string(&files[0]).unwrap();
    assert!(response.contains("oots-edm:v1.0"));
    // 1.x: flat list, no package.
    assert!(!response.contains("RegistryPackageType"));
    assert!(response.contains("certificate-of-birth-1.0.0"));
    let xml = std::fs::read_to_string(&files[1]).unwrap();
    assert!(files[1].extension().unwrap() == "xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let text = |name: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(str::to_owned)
    };
    assert_eq!(text("FamilyName").as_deref(), Some("Smith"));
    assert_eq!(text("DateOfBirth").as_deref(), Some("1970-03-01"));
    assert_eq!(text("PlaceOfBirth").as_deref(), Some("Hamburg"));
    // The sample asks for the age-of-majority subset: that subset, and nothing more
    // (no parents, no register entry); the response echoes it (R-EDM-RESP-C043).
    for whole_only in ["Mother", "Father", "RegisterNumber", "Sex"] {
        assert!(
            text(whole_only).is_none(),
            "{whole_only} in the subset: {xml}"
        );
    }
    assert!(
        response.contains("<sdg:Transformation>https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority</sdg:Transformation>"),
        "{response}"
    );
}

#[test]
fn a_subset_the_quickstart_does_not_serve_is_refused_not_replaced_by_the_whole() {
    let Some(shared) = shared() else { return };
    let sample = std::fs::read_to_string(shared.join(V1_BIRTH)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (subset, code) in [
        // Well-formed, not served: unsupported capability, as an unoffered ConformsTo.
        ("certificate-of-birth-1.0.0/parents", "EDM:ERR:0007"),
        // Breaks R-EDM-REQ-C035: an invalid request.
        (
            "certificate-of-birth-1.0.0/age-of-majority/x",
            "EDM:ERR:0003",
        ),
    ] {
        let file = dir.path().join("request.xml");
        std::fs::write(
            &file,
            sample.replace("certificate-of-birth-1.0.0/age-of-majority", subset),
        )
        .unwrap();
        let run = respond(&file);
        assert_eq!(run.json["code"], code, "{subset}: {}", run.json);
        assert_eq!(files(&run).len(), 1, "no evidence attached");
    }
}

#[test]
fn preview_allowed_gets_err_0002_with_an_https_preview_location() {
    let Some(shared) = shared() else { return };
    let text = std::fs::read_to_string(shared.join(V2_FR)).unwrap();
    let preview = text.replacen(
        "<rim:Slot name=\"PossibilityForPreview\">\n    <rim:SlotValue xsi:type=\"rim:BooleanValueType\">\n      <rim:Value>false</rim:Value>",
        "<rim:Slot name=\"PossibilityForPreview\">\n    <rim:SlotValue xsi:type=\"rim:BooleanValueType\">\n      <rim:Value>true</rim:Value>",
        1,
    );
    assert_ne!(preview, text, "sample changed shape");
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("preview.xml");
    std::fs::write(&req, preview).unwrap();
    let run = respond(&req);
    assert_eq!(run.json["action"], "ExceptionResponse");
    assert_eq!(run.json["code"], "EDM:ERR:0002");
    let files = files(&run);
    assert_eq!(files.len(), 1);
    let error = std::fs::read_to_string(&files[0]).unwrap();
    assert!(error.contains("rs:AuthorizationExceptionType"));
    assert!(error.contains("EDMErrorResponse:PreviewRequired"));
    let loc = error
        .split("<rim:Slot name=\"PreviewLocation\">")
        .nth(1)
        .and_then(|s| s.split("<rim:Value>").nth(1))
        .and_then(|s| s.split("</rim:Value>").next())
        .unwrap();
    assert!(
        loc.starts_with("https://preview.standesamt-berlin.example/oots/preview/"),
        "{loc}"
    );
    assert!(loc.len() > 60, "token too short: {loc}");
    assert!(error.contains("PreviewDescription"));
}

#[test]
fn hostile_and_unreadable_requests_get_exception_responses() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "xxe.xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>".to_vec(),
        ),
        (
            "laughs.xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><l>&c;</l>".to_vec(),
        ),
        ("deep.xml", "<a>".repeat(100_000).into_bytes()),
        ("garbage.xml", vec![0xff, 0xfe, 0x00, 0x01, 0x02]),
    ];
    for (name, body) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        let run = respond(&p);
        assert_eq!(run.json["action"], "ExceptionResponse", "{name}");
        assert_eq!(run.json["code"], "EDM:ERR:0003", "{name}");
        let error = std::fs::read_to_string(&files(&run)[0]).unwrap();
        assert!(!error.contains("root:"), "{name}: file content leaked");
    }
}

/// Issue 20: a request file that is missing or cannot be read is the operator's usage
/// error, not a hostile request: a message naming the file, exit status 2, no answer
/// written (no `EDM:ERR:0003` exception response).
#[test]
fn a_missing_or_unreadable_request_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("a-folder.xml");
    std::fs::create_dir(&folder).unwrap();
    for request in [dir.path().join("does-not-exist.xml"), folder] {
        let answer = dir.path().join("answer");
        let output = common::output_within(
            Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
                .arg("respond")
                .arg("--config")
                .arg(workspace().join("examples/quickstart/adapter.yaml"))
                .arg("--request")
                .arg(&request)
                .arg("--out")
                .arg(&answer)
                .arg("--state-dir")
                .arg(dir.path().join("state")),
            120,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(output.stdout.is_empty(), "{stderr}");
        assert!(
            stderr.contains("cannot read the request file")
                && stderr.contains(&request.display().to_string()),
            "{stderr}"
        );
        assert!(!answer.exists(), "an answer was written for {request:?}");
    }
}

#[test]
fn a_request_id_is_answered_once() {
    let Some(shared) = shared() else { return };
    let out = tempfile::tempdir().unwrap();
    let go = || {
        let o = common::output_within(
            Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
                .args(["respond", "--config"])
                .arg(workspace().join("examples/quickstart/adapter.yaml"))
                .arg("--request")
                .arg(shared.join(V2_FR))
                .arg("--out")
                .arg(out.path().join("a"))
                .arg("--state-dir")
                .arg(out.path().join("state")),
            120,
        );
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    assert_eq!(go()["action"], "ExecuteQueryResponse");
    let second = go();
    assert_eq!(second["code"], "EDM:ERR:0003");
    assert!(second["detail"].as_str().unwrap().contains("TDD 4.4"));
}
