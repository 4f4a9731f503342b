//! `oots-adapter preview`: the review page of a mapping test, rendered offline with the
//! quickstart deployment, self-contained, with the held evidence next to it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MAPPING: &str = "examples/quickstart/mappings/birth-certificate.yaml";
const PDF_TEST: &str = "the PDF certificate for the one matching record";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn preview(mapping: &Path, fixture: &str, out: &Path, extra: &[&str]) -> Output {
    common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("preview")
            .arg("--mapping")
            .arg(mapping)
            .arg("--fixture")
            .arg(fixture)
            .arg("--out")
            .arg(out)
            .args(extra),
        120,
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn renders_the_review_page_of_a_test_with_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review/page.html");
    let run = preview(&workspace().join(MAPPING), PDF_TEST, &out, &[]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", text(&run.stderr));
    assert!(
        stdout.contains(&out.display().to_string()) && stdout.contains("language en"),
        "{stdout}"
    );

    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<html lang=\"en\""), "{html}");
    // The labelled record fields, in English, with the test record's values.
    for (label, value) in [
        ("Family name", "Dupont"),
        ("Given names", "Jean"),
        // A record date in the page language, not ISO.
        ("Date of birth", "22 October 1992"),
        ("Place of birth", "Berlin"),
        ("Register number", "G 4711/1992"),
    ] {
        assert!(
            html.contains(&format!("<dt>{label}</dt>"))
                && html.contains(&format!("<dd>{value}</dd>")),
            "{label}: {html}"
        );
    }
    // A labelled field the record leaves empty (`birth_name: null`) is listed, marked.
    assert!(
        html.contains("<dt>Name at birth</dt>\n      <dd class=\"empty\">not recorded</dd>"),
        "{html}"
    );
    // The two decision buttons.
    assert!(
        html.contains("name=\"decision\" value=\"approve\">Use this evidence</button>"),
        "{html}"
    );
    assert!(
        html.contains("name=\"decision\" value=\"decline\">Do not use</button>"),
        "{html}"
    );
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    // Self-contained: the stylesheet is inlined, not linked.
    assert!(!html.contains("rel=\"stylesheet\""), "{html}");
    assert!(
        html.contains("<style>") && html.contains(".button-primary"),
        "{html}"
    );

    // The held document is next to the page, and the page links to it.
    let evidence = dir.path().join("review/page-evidence.pdf");
    let bytes = std::fs::read(&evidence).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert!(stdout.contains("page-evidence.pdf"), "{stdout}");
    assert!(html.contains("href=\"page-evidence.pdf\""), "{html}");
}

#[test]
fn the_language_can_be_chosen_and_the_config_given() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seite.html");
    let config = workspace().join("examples/quickstart/adapter.yaml");
    let run = preview(
        &workspace().join(MAPPING),
        PDF_TEST,
        &out,
        &["--lang", "de", "--config", config.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("language de"));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<html lang=\"de\""), "{html}");
    assert!(html.contains("<dt>Familienname</dt>"), "{html}");
    assert!(dir.path().join("seite-evidence.pdf").is_file());

    let run = preview(
        &workspace().join(MAPPING),
        PDF_TEST,
        &out,
        &["--lang", "xx"],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("en, de"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn an_unknown_test_name_lists_the_tests() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.html");
    let run = preview(&workspace().join(MAPPING), "no such test", &out, &[]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no such test")
            && stderr.contains(PDF_TEST)
            && stderr.contains("nobody in the register"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn an_answer_without_preview_gives_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.html");
    let run = preview(
        &workspace().join(MAPPING),
        "nobody in the register",
        &out,
        &[],
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("EDM:ERR:0004"), "{stderr}");
    // The requester's detail is neutral; the authority reads the matching outcome.
    assert!(stderr.contains("(matching no_match"), "{stderr}");
    assert!(!out.exists());

    // A mapping that never previews answers with the evidence at once.
    let deployment = dir.path().join("quickstart");
    common::copy_dir(&workspace().join("examples/quickstart"), &deployment);
    let mapping = deployment.join("mappings/birth-certificate.yaml");
    let yaml = std::fs::read_to_string(&mapping).unwrap();
    std::fs::write(
        &mapping,
        yaml.replacen("\ntests:\n", "\npolicy:\n  preview: never\n\ntests:\n", 1),
    )
    .unwrap();
    let run = preview(&mapping, PDF_TEST, &out, &[]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("preview: never"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn homonyms_left_to_the_sign_in_have_no_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.html");
    let run = preview(
        &workspace().join("mappings/birth-certificate/mapping/birth-certificate.yaml"),
        "homonyms go to the preview for re-authentication when the requester allows it",
        &out,
        &[],
    );
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("fits several records"), "{stderr}");
    assert!(!out.exists());
}

/// An XML evidence whose test request asks for no human-readable version: the offline
/// page links the PDF rendered for it, written next to the page, never the raw XML.
#[test]
fn an_xml_evidence_page_links_its_human_readable_version_written_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.html");
    let run = preview(
        &workspace().join("mappings/birth-certificate/mapping/birth-certificate.yaml"),
        "structured certificate for the one matching record, accents folded",
        &out,
        &[],
    );
    assert!(
        run.status.success(),
        "{}\n{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    let pdf = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".pdf"))
        .expect("the human-readable version beside the page");
    assert!(
        html.contains(&format!("<a href=\"{pdf}\" type=\"application/pdf\">")),
        "{html}"
    );
    assert!(
        std::fs::read(dir.path().join(&pdf))
            .unwrap()
            .starts_with(b"%PDF")
    );
    assert!(
        !html.contains("/readable/") && !html.contains(".xml\""),
        "{html}"
    );
}
