//! The rule named in an error detail is the rule violated (issue 16, items 10 and 11):
//! hostile variants of the French 2.0 sample go through `oots-adapter respond` with the
//! quickstart configuration; each refusal names a rule listed in docs/error-codes.md,
//! the one the request broke, and echoes no unbounded value.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const V2_FR: &str = "oots-spec/oots-france/spec/fixtures/reference/messages/requete.xml";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sample() -> Option<String> {
    match std::fs::read_to_string(common::shared_dir().join(V2_FR)) {
        Ok(s) => Some(s),
        Err(_) => {
            oots_testskip::skip(
                "OOTS_SHARED",
                "reference samples not found (set OOTS_SHARED=/path/to/shared)",
            );
            None
        }
    }
}

fn replace(doc: &str, from: &str, to: &str) -> String {
    assert!(doc.contains(from), "mutation target not found: {from}");
    doc.replacen(from, to, 1)
}

struct Answer {
    code: Option<String>,
    detail: String,
    document: String,
}

/// Answers `request` with `config` and a fresh state folder.
fn respond(config: &Path, request: &str) -> Answer {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("request.xml");
    std::fs::write(&file, request).unwrap();
    let output = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("respond")
            .arg("--config")
            .arg(config)
            .arg("--request")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("answer"))
            .arg("--state-dir")
            .arg(dir.path().join("state")),
        120,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
    let main = json["files"][0].as_str().unwrap().to_owned();
    Answer {
        code: json["code"].as_str().map(str::to_owned),
        detail: json["detail"].as_str().unwrap_or_default().to_owned(),
        document: std::fs::read_to_string(main).unwrap(),
    }
}

fn quickstart() -> PathBuf {
    workspace().join("examples/quickstart/adapter.yaml")
}

/// The rule ids docs/error-codes.md lists (back-quoted in its "Rule ids" table).
fn documented_rules() -> String {
    std::fs::read_to_string(workspace().join("docs/error-codes.md")).unwrap()
}

/// The rule a detail names: its text before the first `: `.
fn named_rule(detail: &str) -> &str {
    detail.split_once(": ").map_or("", |(rule, _)| rule)
}

fn assert_names(what: &str, answer: &Answer, code: &str, rule: &str) {
    assert_eq!(
        answer.code.as_deref(),
        Some(code),
        "{what}: {}",
        answer.detail
    );
    assert_eq!(
        named_rule(&answer.detail),
        rule,
        "{what}: {}",
        answer.detail
    );
    assert!(
        documented_rules().contains(&format!("| `{rule}` |")),
        "{what}: rule {rule} is not listed in docs/error-codes.md"
    );
    assert!(
        answer
            .document
            .contains(&answer.detail.replace('\'', "&apos;"))
            || answer.document.contains(rule),
        "{what}: the answer does not carry the detail"
    );
}

#[test]
fn bad_code_list_values_get_err_0003_not_evidence() {
    let Some(doc) = sample() else { return };
    let cases = [
        (
            "ZZ procedure",
            "R-EDM-REQ-C003",
            replace(
                &doc,
                "<rim:Value>T3</rim:Value>",
                "<rim:Value>ZZ</rim:Value>",
            ),
        ),
        (
            "EAS 1234",
            "R-EDM-REQ-C012",
            replace(&doc, "EAS:0009", "EAS:1234"),
        ),
        (
            "country XX",
            "R-EDM-REQ-C015",
            replace(
                &doc,
                "<sdg:AdminUnitLevel1>FR</sdg:AdminUnitLevel1>",
                "<sdg:AdminUnitLevel1>XX</sdg:AdminUnitLevel1>",
            ),
        ),
        (
            "DK-DE-123",
            "R-EDM-REQ-C040",
            replace(&doc, "FR/DE/123123123", "DK-DE-123"),
        ),
    ];
    for (what, rule, request) in cases {
        let answer = respond(&quickstart(), &request);
        assert_names(what, &answer, "EDM:ERR:0003", rule);
        for bad in ["ZZ", "1234", ">XX<", "DK-DE"] {
            assert!(
                !answer.document.contains(bad),
                "{what}: answer repeats {bad}"
            );
        }
    }
}

#[test]
fn another_provider_is_named_by_its_rule_and_not_echoed_in_full() {
    let Some(doc) = sample() else { return };
    let long = "A".repeat(10_000);
    let request = replace(
        &doc,
        ">DE73524311</sdg:Identifier>",
        &format!(">{long}</sdg:Identifier>"),
    );
    let answer = respond(&quickstart(), &request);
    assert_names("other provider", &answer, "EDM:ERR:0003", "TDD 4.5.1 §3.3");
    assert!(answer.detail.len() < 400, "{}", answer.detail.len());
    assert!(!answer.document.contains(&"A".repeat(100)));
}

#[test]
fn a_long_unsupported_format_is_not_echoed_in_full() {
    let Some(doc) = sample() else { return };
    let long = format!("application/{}", "x".repeat(10_000));
    let request = replace(&doc, ">application/pdf<", &format!(">{long}<"));
    let answer = respond(&quickstart(), &request);
    assert_eq!(
        answer.code.as_deref(),
        Some("EDM:ERR:0007"),
        "{}",
        answer.detail
    );
    assert!(answer.detail.len() < 400, "{}", answer.detail.len());
    assert!(!answer.document.contains(&"x".repeat(100)));
}

#[test]
fn a_legal_person_for_a_natural_person_evidence_type_names_the_subject_rule() {
    let Some(doc) = sample() else { return };
    let start = doc.find("<rim:Slot name=\"NaturalPerson\">").unwrap();
    let end = doc[start..].find("</rim:Slot>").unwrap() + start + "</rim:Slot>".len();
    let legal = "<rim:Slot name=\"LegalPerson\"><rim:SlotValue xsi:type=\"rim:AnyValueType\"><sdg:LegalPerson><sdg:LevelOfAssurance>High</sdg:LevelOfAssurance><sdg:LegalPersonIdentifier schemeID=\"eidas\">FR/DE/123456789</sdg:LegalPersonIdentifier><sdg:LegalName>Example SARL</sdg:LegalName></sdg:LegalPerson></rim:SlotValue></rim:Slot>";
    let request = format!("{}{legal}{}", &doc[..start], &doc[end..]);
    let answer = respond(&quickstart(), &request);
    assert_names("subject kind", &answer, "EDM:ERR:0003", "TDD 4.5.1 §3.6");
}

#[test]
fn a_level_of_assurance_below_the_minimum_names_the_subject_rule() {
    let Some(doc) = sample() else { return };
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let mapping = dir.path().join("mappings/birth-certificate.yaml");
    let mut yaml = std::fs::read_to_string(&mapping).unwrap();
    assert!(!yaml.contains("\npolicy:"));
    yaml.push_str("\npolicy:\n  min_level_of_assurance: High\n");
    std::fs::write(&mapping, yaml).unwrap();
    let request = replace(
        &doc,
        "<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>",
        "<sdg:LevelOfAssurance>Low</sdg:LevelOfAssurance>",
    );
    let answer = respond(&dir.path().join("adapter.yaml"), &request);
    assert_names("low LoA", &answer, "EDM:ERR:0001", "TDD 4.5.1 §3.6");
}

#[test]
fn an_unknown_preview_link_names_the_preview_rule() {
    let Some(doc) = sample() else { return };
    let request = replace(
        &doc,
        "<query:ResponseOption",
        "<rim:Slot name=\"PreviewLocation\"><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>https://preview.standesamt-berlin.example/oots/preview/not-issued-here</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name=\"ReturnLocation\"><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>https://requester.example.eu/back</rim:Value></rim:SlotValue></rim:Slot><query:ResponseOption",
    );
    let answer = respond(&quickstart(), &request);
    assert_names("unknown preview link", &answer, "EDM:ERR:0003", "TDD 4.9");
}

#[test]
fn a_reused_request_id_names_tdd_4_4() {
    // Baseline for the table: the replay refusal already names its rule.
    let Some(doc) = sample() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("request.xml");
    std::fs::write(&file, &doc).unwrap();
    let run = |out: &str| {
        let output = common::output_within(
            Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
                .arg("respond")
                .arg("--config")
                .arg(quickstart())
                .arg("--request")
                .arg(&file)
                .arg("--out")
                .arg(dir.path().join(out))
                .arg("--state-dir")
                .arg(dir.path().join("state")),
            120,
        );
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let json: serde_json::Value =
            serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
        json["detail"].as_str().unwrap_or_default().to_owned()
    };
    run("first");
    let detail = run("second");
    assert_eq!(named_rule(&detail), "TDD 4.4", "{detail}");
    assert!(documented_rules().contains("| `TDD 4.4` |"));
}

#[test]
fn every_rule_a_detail_can_name_is_documented() {
    let docs = documented_rules();
    for rule in oots_framework::edm::Rule::ALL {
        assert!(
            docs.contains(&format!("| `{}` |", rule.id())),
            "{} is not listed in docs/error-codes.md",
            rule.id()
        );
    }
}
