//! Conformance in CI (issue 19, item 10): the Commission's Schematron and the XSDs over
//! every answer the suite produces — the goldens, `respond` over the official sample
//! requests, the demo's answers (evidence, refusals, the preview offer EDM:ERR:0002)
//! and every error code of every EDM version — with `tests/conformance/check.py`
//! (pyschematron + xmlschema, docs/conformance.md). Needs `EDM_CONFORMANCE_PYTHON`, a
//! Python 3.12+ with both installed (`.ci/run` makes it), and the shared reference
//! material (`OOTS_SHARED`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use oots_devkit::samples;
use oots_framework::edm::{
    DeferredResponse, EdmVersion, ErrorCode, write_deferred, write_error, write_response,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The checker's Python and the shared folder, or why the test is skipped.
fn setup() -> Option<(String, PathBuf)> {
    let python = oots_testskip::skip_unless_env(
        "EDM_CONFORMANCE_PYTHON",
        "the conformance check needs EDM_CONFORMANCE_PYTHON (a Python 3.12+ with pyschematron and xmlschema; .ci/run makes one)",
    )?;
    let shared = common::shared_dir();
    if !shared
        .join("oots-spec/tdd-edm-2023-04/OOTS-EDM/sch")
        .is_dir()
    {
        oots_testskip::skip(
            "OOTS_SHARED",
            &format!("the Schematron is not under {}", shared.display()),
        );
        return None;
    }
    Some((python, shared))
}

struct Checked {
    passed: bool,
    stdout: String,
    summary: serde_json::Value,
}

/// Runs the checker once over `paths` (files or folders).
fn check(python: &str, shared: &Path, paths: &[PathBuf]) -> Checked {
    check_with(python, shared, paths, &[])
}

fn check_with(python: &str, shared: &Path, paths: &[PathBuf], env: &[(&str, &str)]) -> Checked {
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.json");
    let out = common::output_within(
        Command::new(python)
            .envs(env.iter().copied())
            .arg(workspace().join("tests/conformance/check.py"))
            .arg("--shared")
            .arg(shared)
            .arg("--summary-json")
            .arg(&summary)
            .args(paths),
        900,
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "the checker itself failed ({code:?}): {stdout}\n{stderr}"
    );
    let summary = std::fs::read_to_string(&summary).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    Checked {
        passed: code == Some(0),
        stdout,
        summary: serde_json::from_str(&summary).unwrap(),
    }
}

/// Every folder named `golden` under `mappings/` and `examples/`.
fn golden_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "golden") {
                    out.push(p);
                } else {
                    walk(&p, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&workspace().join("mappings"), &mut out);
    walk(&workspace().join("examples"), &mut out);
    out.sort();
    out
}

const SAMPLES: &str = "oots-spec/tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange";
const FR_REQUEST: &str = "oots-spec/oots-france/spec/fixtures/reference/messages/requete.xml";

/// `respond` (quickstart configuration) over the official sample requests, France's 2.0
/// request and that request with preview allowed (EDM:ERR:0002).
fn respond_answers(shared: &Path, into: &Path) -> Vec<PathBuf> {
    let fr = std::fs::read_to_string(shared.join(FR_REQUEST)).unwrap();
    let preview = fr.replacen(
        "<rim:Slot name=\"PossibilityForPreview\">\n    <rim:SlotValue xsi:type=\"rim:BooleanValueType\">\n      <rim:Value>false</rim:Value>",
        "<rim:Slot name=\"PossibilityForPreview\">\n    <rim:SlotValue xsi:type=\"rim:BooleanValueType\">\n      <rim:Value>true</rim:Value>",
        1,
    );
    assert_ne!(preview, fr, "France's request changed shape");
    std::fs::create_dir_all(into).unwrap();
    std::fs::write(into.join("fr-preview.xml"), preview).unwrap();
    let requests = [
        shared.join(format!("{SAMPLES}/2 Example for requesting a Birth Certificate - natural person/2.1 Step 1  Evidence Request - Birth - full example.xml")),
        shared.join(format!("{SAMPLES}/4 Example for requesting an Extract of a Commercial Register/4.1 Step 1  Evidence Request  - Tax - full example.xml")),
        shared.join(FR_REQUEST),
        into.join("fr-preview.xml"),
    ];
    let mut answers = Vec::new();
    for (n, request) in requests.iter().enumerate() {
        let out = into.join(format!("respond-{n}"));
        let run = common::output_within(
            Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
                .arg("respond")
                .arg("--config")
                .arg(workspace().join("examples/quickstart/adapter.yaml"))
                .arg("--request")
                .arg(request)
                .arg("--out")
                .arg(out.join("answer"))
                .arg("--state-dir")
                .arg(out.join("state")),
            120,
        );
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "respond {}: {stdout}",
            request.display()
        );
        let json: serde_json::Value =
            serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
        for f in json["files"].as_array().unwrap() {
            let f = PathBuf::from(f.as_str().unwrap());
            // The answer itself, not the evidence attached to it.
            if f.ends_with("response.xml") || f.ends_with("error.xml") {
                answers.push(f);
            }
        }
    }
    answers
}

/// The demo's answers as its requester received them (`response.xml`, `error.xml`,
/// the preview offer included), from `demo --auto-approve --out`.
fn demo_answers(into: &Path) -> Vec<PathBuf> {
    let run = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .current_dir(workspace())
            .args(["demo", "--auto-approve", "--out"])
            .arg(into),
        300,
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "the demo failed: {stdout}");
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.ends_with("response.xml") || p.ends_with("error.xml") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(into, &mut out);
    out
}

/// What the EDM writer makes of the devkit's samples: a response, a declined preview's
/// empty response, two and twenty evidences for one subject, a deferral and every error
/// code, for each EDM version; a 1.x subset answer; a 2.0 package with associated
/// documents.
fn written_answers(into: &Path) -> usize {
    std::fs::create_dir_all(into).unwrap();
    let mut n = 0;
    let mut put = |name: String, xml: String| {
        std::fs::write(into.join(format!("{name}.xml")), xml).unwrap();
        n += 1;
    };
    for v in EdmVersion::ALL {
        let tag = v.spec_id().replace(':', "-");
        put(
            format!("{tag}-response"),
            write_response(&samples::evidence_response(v)),
        );
        let mut declined = samples::evidence_response(v);
        declined.items.clear();
        put(format!("{tag}-declined"), write_response(&declined));
        for count in [2, 20] {
            let mut several = samples::evidence_response(v);
            let one = several.items[0].clone();
            several.items = (0..count)
                .map(|i| {
                    let mut item = one.clone();
                    item.package_id = format!("urn:uuid:00000000-0000-4000-8000-{i:012}");
                    item.object_id = format!("urn:uuid:00000000-0000-4000-9000-{i:012}");
                    item.classification_id = format!("urn:uuid:00000000-0000-4000-a000-{i:012}");
                    item.evidence.identifier = format!("00000000-0000-4000-b000-{i:012}");
                    item.content_id = format!("part-{i}@example.org");
                    item
                })
                .collect();
            put(format!("{tag}-{count}-evidences"), write_response(&several));
        }
        let sample = samples::evidence_response(v);
        put(
            format!("{tag}-deferred"),
            write_deferred(&DeferredResponse {
                version: v,
                request_id: sample.request_id.clone(),
                response_id: sample.response_id.clone(),
                issue_date_time: sample.issue_date_time.clone(),
                available_date_time: "2026-08-07T10:00:00.000Z".to_owned(),
                provider: sample.provider.clone(),
                requester: sample.requester.clone(),
            }),
        );
        if !v.is_v2() {
            let mut subset = samples::evidence_response(v);
            let d = &mut subset.items[0].evidence.distribution;
            d.format = "application/xml".to_owned();
            d.conforms_to = Some(
                "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0"
                    .to_owned(),
            );
            d.transformation = Some(
                "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority"
                    .to_owned(),
            );
            put(format!("{tag}-subset"), write_response(&subset));
        }
        for code in ErrorCode::ALL {
            put(
                format!("{tag}-error-{}", &code.code()[8..]),
                write_error(&samples::error_response(v, code)),
            );
        }
    }
    put(
        "oots-edm-v2.0-associated-documents".to_owned(),
        write_response(&samples::evidence_response_with_supplements()),
    );
    n
}

#[test]
fn every_answer_the_suite_produces_meets_the_schematron_and_the_xsds() {
    let Some((python, shared)) = setup() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = golden_dirs();
    assert!(paths.len() >= 6, "{paths:?}");
    let respond = respond_answers(&shared, &tmp.path().join("respond"));
    assert!(respond.len() >= 4, "{respond:?}");
    let demo = demo_answers(&tmp.path().join("demo"));
    // Six evidence answers and fourteen refusals reach the demo's requester, the
    // preview offer's folder keeping the offer and the answer after approval.
    assert!(demo.len() >= 20, "{demo:?}");
    assert!(
        demo.iter()
            .any(|p| std::fs::read_to_string(p).unwrap().contains("EDM:ERR:0002")),
        "the demo's preview offer is among its answers"
    );
    let written = written_answers(&tmp.path().join("written"));
    paths.extend(respond.iter().cloned());
    paths.extend(demo.iter().cloned());
    paths.push(tmp.path().join("written"));

    let checked = check(&python, &shared, &paths);
    println!("{}", checked.stdout.lines().last().unwrap_or_default());
    println!("{}", checked.summary);
    assert!(
        checked.passed,
        "answers that fail the conformance check (file:rule:message):\n{}",
        checked.stdout
    );
    let files = checked.summary["files"].as_u64().unwrap();
    assert!(
        files >= (respond.len() + demo.len() + written + 12) as u64,
        "{}",
        checked.summary
    );
    // Every row of the drift table is needed by some answer: none is left stale.
    assert_eq!(
        checked.summary["drift_unused"],
        serde_json::json!([]),
        "{}",
        checked.summary
    );
    assert_eq!(
        checked.summary["structure_unused"],
        serde_json::json!([]),
        "{}",
        checked.summary
    );
}

const V12_GOLDEN: &str =
    "mappings/birth-certificate/mapping/golden/katarina-leitner-simic.v1.2.response.xml";
const V2_GOLDEN: &str = "mappings/birth-certificate/mapping/golden/elif-ozturk.v2.response.xml";

/// Cuts the first element that starts with `open` (through its `close`) out of `xml`.
fn cut(xml: &str, open: &str, close: &str) -> String {
    let start = xml.find(open).unwrap_or_else(|| panic!("{open} not found"));
    let end = start + xml[start..].find(close).unwrap() + close.len();
    format!("{}{}", &xml[..start], &xml[end..])
}

#[test]
fn deliberately_broken_answers_are_reported_with_their_rule() {
    let Some((python, shared)) = setup() else {
        return;
    };
    let v12 = std::fs::read_to_string(workspace().join(V12_GOLDEN)).unwrap();
    let v2 = std::fs::read_to_string(workspace().join(V2_GOLDEN)).unwrap();
    let error = write_error(&samples::error_response(
        EdmVersion::V1_2,
        ErrorCode::ObjectNotFound,
    ));
    let ecgi = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/";
    // (file, broken answer, what the checker must name)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "no-metadata",
            cut(&v12, "<rim:Slot name=\"EvidenceMetadata\">", "</rim:Slot>"),
            "R-EDM-RESP-S015",
        ),
        (
            "wrong-status",
            v12.replacen("ResponseStatusType:Success", "ResponseStatusType:Done", 1),
            "R-EDM-RESP-S006",
        ),
        // A drift row replaces the draft's test; it does not excuse any value.
        (
            "unknown-version",
            v12.replacen("oots-edm:v1.2", "oots-edm:v9.9", 1),
            "R-EDM-RESP-C002",
        ),
        (
            "foreign-classification",
            v12.replacen(
                ecgi,
                "https://sr.example.org/evidencetypeclassifications/",
                1,
            ),
            "R-EDM-RESP-C017",
        ),
        (
            "unknown-element",
            v12.replacen("<sdg:IssuingDate>", "<sdg:Bogus/><sdg:IssuingDate>", 1),
            "XSD",
        ),
        (
            "unknown-code",
            error.replacen("code=\"EDM:ERR:", "code=\"EDM:ERR:99", 1),
            "R-EDM-ERR-C017",
        ),
        (
            "v2-unclassified",
            cut(&v2, "<rim:Classification ", "/>"),
            "STRUCT",
        ),
        // The XSD row for associated documents (S063) does not excuse a MainEvidence
        // without its subject.
        (
            "v2-main-evidence-without-subject",
            cut(
                &write_response(&samples::evidence_response_with_supplements()),
                "<sdg:IsAbout>",
                "</sdg:IsAbout>",
            ),
            "XSD",
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, xml, _) in &cases {
        let p = tmp.path().join(format!("{name}.xml"));
        std::fs::write(&p, xml).unwrap();
        paths.push(p);
    }
    let checked = check(&python, &shared, &paths);
    assert!(!checked.passed, "{}", checked.stdout);
    // The checker's cache of rule contexts changes nothing pyschematron decides.
    let uncached = check_with(
        &python,
        &shared,
        &paths,
        &[("EDM_CONFORMANCE_NO_CACHE", "1")],
    );
    let findings = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| !l.starts_with("conformance:"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(findings(&checked.stdout), findings(&uncached.stdout));
    for ((name, _, rule), path) in cases.iter().zip(&paths) {
        let line = format!("{}:{rule}:", path.display());
        assert!(
            checked.stdout.contains(&line),
            "{name}: expected a line starting {line}\n{}",
            checked.stdout
        );
    }
}

/// A rule whose role in the `.sch` is `info` (or `warning`) is reported, never fatal.
#[test]
fn an_info_rule_is_counted_but_does_not_fail_the_answer() {
    let Some((python, shared)) = setup() else {
        return;
    };
    let v12 = std::fs::read_to_string(workspace().join(V12_GOLDEN)).unwrap();
    // R-EDM-RESP-S014 (role="info"): ResponseAvailableDateTime at most once.
    let slot = "<rim:Slot name=\"ResponseAvailableDateTime\"><rim:SlotValue xsi:type=\"rim:DateTimeValueType\"><rim:Value>2026-02-01T12:00:00Z</rim:Value></rim:SlotValue></rim:Slot>";
    let twice = v12.replacen(
        "<rim:Slot name=\"EvidenceProvider\">",
        &format!("{slot}{slot}<rim:Slot name=\"EvidenceProvider\">"),
        1,
    );
    assert_ne!(twice, v12);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("info-only.xml");
    std::fs::write(&file, twice).unwrap();
    let checked = check(&python, &shared, &[file]);
    assert!(checked.passed, "{}", checked.stdout);
    assert_eq!(checked.summary["not_fatal"], 1, "{}", checked.summary);
}

/// France's 2.0.1-validated reference messages fail exactly the draft rules the drift
/// table rewrites (and pass with it): what supports reading those rows as drift.
#[test]
fn frances_references_fail_only_the_draft_rules_of_the_drift_table() {
    let Some((python, shared)) = setup() else {
        return;
    };
    let fr = shared.join("oots-spec/oots-france/spec/fixtures/reference/messages");
    let references: Vec<PathBuf> = [
        "reponse.xml",
        "erreur.xml",
        "erreurCapaciteNonSupportee.xml",
        "erreurExpiration.xml",
        "erreurRequeteInvalide.xml",
    ]
    .iter()
    .map(|f| fr.join(f))
    .collect();
    let with_drift = check(&python, &shared, &references);
    assert!(with_drift.passed, "{}", with_drift.stdout);

    let tmp = tempfile::tempdir().unwrap();
    let none = tmp.path().join("no-drift.toml");
    std::fs::write(&none, "").unwrap();
    let mut args = vec![PathBuf::from("--drift"), none];
    args.extend(references);
    let without = check(&python, &shared, &args);
    let mut rules: Vec<&str> = without
        .stdout
        .lines()
        .filter(|l| !l.starts_with("conformance:"))
        .filter_map(|l| l.split(':').nth(1))
        .collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "R-EDM-ERR-C001",
            "R-EDM-RESP-C002",
            "R-EDM-RESP-C017",
            "R-EDM-RESP-C042"
        ],
        "{}",
        without.stdout
    );
}

/// docs/conformance.md's drift table names every rule row of drift.toml, and its limit
/// about R-EDM-ERR-C022 holds: the rule selects the draft's severity URN, which our
/// preview offer does not use.
#[test]
fn the_docs_name_every_drift_row_and_the_c022_limit_holds() {
    let drift = std::fs::read_to_string(workspace().join("tests/conformance/drift.toml")).unwrap();
    let docs = std::fs::read_to_string(workspace().join("docs/conformance.md")).unwrap();
    let ids: Vec<&str> = drift
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    assert!(ids.len() >= 6, "{ids:?}");
    for id in ids {
        assert!(docs.contains(id), "docs/conformance.md does not name {id}");
    }
    let Some(spec) = common::spec_dir() else {
        return;
    };
    let sch =
        std::fs::read_to_string(spec.join("tdd-edm-2023-04/OOTS-EDM/sch/EDM-ERR-C.sch")).unwrap();
    let c022 = sch.split("id=\"R-EDM-ERR-C022\"").next().unwrap();
    let context = c022.rsplit("<sch:rule context=").next().unwrap();
    let draft_urn =
        "urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired";
    assert!(context.contains(draft_urn), "{context}");
    let offer = write_error(&samples::error_response(
        EdmVersion::V2_0,
        ErrorCode::MissingAuthorization,
    ));
    assert!(offer.contains("EDM:ERR:0002"));
    assert!(!offer.contains(draft_urn));
}
