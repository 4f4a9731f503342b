//! Evidence metadata from the register (docs/mapping-files.md, "Evidence metadata"):
//! `evidence.issuing_authority` and `evidence.validity` read from the matched record,
//! end to end through `oots-adapter test` (the exchange with fixture records) in EDM 1.2
//! and 2.0, the fallbacks, what a hostile register value gets, and `check`'s positions.
//! The written shape is validated against the XSD in `edm_xsd.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &str, args: &[&str], path: &Path) -> (bool, String) {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg(cmd)
            .arg(path)
            .args(args),
        120,
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const SECTION: &str = "  issuing_date: registration_date\n  issuing_authority:\n    identifier: office_id\n    scheme_id: urn:cef.eu:names:identifier:EAS:9930\n    names: { DE: registry_office }\n  validity: { start: valid_from, end: valid_until }\n";

/// The quickstart deployment with the metadata sections and `tests` replaced by `cases`
/// (name, record changes, expectation).
fn deployment(section: &str, cases: &[(&str, &str, serde_json::Value, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    let head = text.split("\ntests:\n").next().unwrap();
    let head = head
        .replace(
            "    registry_office: registry_office\n",
            "    registry_office: registry_office\n    office_id: office_id\n    valid_from: valid_from\n    valid_until: valid_until\n",
        )
        .replace("  issuing_date: registration_date\n", section)
        // Every field must be a column the query returns (`check`, OEA-E0121); the
        // register has none of these, so the query gives them as NULL.
        .replace(
            "registration_date, registry_office\n      FROM birth_register",
            "registration_date, registry_office, NULL AS office_id, NULL AS valid_from, NULL AS valid_until\n      FROM birth_register",
        );
    let t = dir
        .path()
        .join("mappings/templates/birth-certificate.xml.hbs");
    let tpl = std::fs::read_to_string(&t).unwrap().replace(
        "  <RegistrationDate>",
        "  <Issued>{{evidence.issuing_date}}</Issued>\n  <RegistrationDate>",
    );
    std::fs::write(&t, tpl).unwrap();
    let mut tests = String::from(if cases.is_empty() {
        "\ntests: []\n"
    } else {
        "\ntests:\n"
    });
    for (name, version, changes, expect) in cases {
        let mut record = json!({
            "register_number": "G 4711/1992", "family_name": "Dupont", "given_name": "Jean",
            "birth_name": null, "sex": "M", "date_of_birth": "1992-10-22", "place_of_birth": "Berlin",
            "father_name": null, "mother_name": null, "registration_date": "1992-10-26",
            "registry_office": "Standesamt Berlin I", "office_id": "DE-STA-BERLIN-1",
            "valid_from": "1992-10-26", "valid_until": "2099-12-31"
        });
        let format = if name.starts_with("xml") {
            "application/xml"
        } else {
            "application/pdf"
        };
        for (k, v) in changes.as_object().unwrap() {
            record[k] = v.clone();
        }
        tests.push_str(&format!(
            "  - name: {name}\n    request: {{ version: {version}, family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: {format} }}\n    records: [{record}]\n    expect: {expect}\n"
        ));
    }
    std::fs::write(&m, format!("{head}{tests}")).unwrap();
    dir
}

fn golden(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("mappings/golden").join(name)).unwrap()
}

const FOUND: &str =
    "{ action: ExecuteQueryResponse, attachment: application/pdf, golden: golden/GOLDEN }";
const REFUSED: &str = "{ action: ExceptionResponse, code: \"EDM:ERR:0008\" }";

#[test]
fn the_register_names_the_issuing_authority_and_validity_in_1x_and_2_0() {
    let found = |g: &str| FOUND.replace("GOLDEN", g);
    let markup = "Standesamt <b>Berlin</b> & \"Mitte\"";
    let dir = deployment(
        SECTION,
        &[
            (
                "named 2.0",
                "v2.0",
                json!({"registry_office": markup}),
                &found("v2.xml"),
            ),
            ("named 1.2", "v1.2", json!({}), &found("v12.xml")),
            (
                "no office, no dates",
                "v2.0",
                json!({"office_id": null, "registration_date": null, "valid_until": null}),
                &found("fallback.xml"),
            ),
            (
                "xml, the template sees the issuing date the answer carries",
                "v1.2",
                json!({"registration_date": null}),
                "{ action: ExecuteQueryResponse, evidence: { Issued: \"2026-01-01\" } }",
            ),
        ],
    );
    let (ok, out) = run("test", &["--update"], dir.path());
    assert!(ok, "{out}");
    let v2 = golden(dir.path(), "v2.xml");
    // The office is the issuer, its name escaped, not the provider; the period is written.
    assert!(
        v2.contains("<sdg:IssuingAuthority>\n                  <sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE-STA-BERLIN-1</sdg:Identifier>\n                  <sdg:Name lang=\"DE\">Standesamt &lt;b&gt;Berlin&lt;/b&gt; &amp; \"Mitte\"</sdg:Name>\n                </sdg:IssuingAuthority>"),
        "{v2}"
    );
    assert!(!v2.contains("<b>"), "{v2}");
    assert!(
        v2.contains("<sdg:ValidityPeriod>\n                  <sdg:StartDate>1992-10-26</sdg:StartDate>\n                  <sdg:EndDate>2099-12-31</sdg:EndDate>\n                </sdg:ValidityPeriod>"),
        "{v2}"
    );
    let v12 = golden(dir.path(), "v12.xml");
    assert!(v12.contains("oots-edm:v1.2"), "{v12}");
    assert!(
        v12.contains("<sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE-STA-BERLIN-1</sdg:Identifier>")
            && v12.contains("<sdg:Name lang=\"DE\">Standesamt Berlin I</sdg:Name>")
            && v12.contains("<sdg:EndDate>2099-12-31</sdg:EndDate>"),
        "{v12}"
    );

    // Nothing in the record: the provider issues it, on the day it is produced (the
    // test clock: 2026-01-01); one date of two: no period.
    let fb = golden(dir.path(), "fallback.xml");
    let authority = fb
        .split("<sdg:IssuingAuthority>")
        .nth(1)
        .and_then(|s| s.split("</sdg:IssuingAuthority>").next())
        .unwrap();
    assert!(!authority.contains("DE-STA-BERLIN-1"), "{authority}");
    let provider_block = fb
        .split("<rim:Slot name=\"EvidenceProvider\">")
        .nth(1)
        .unwrap();
    let provider_id = provider_block
        .split("<sdg:Identifier")
        .nth(1)
        .and_then(|s| s.split("</sdg:Identifier>").next())
        .unwrap();
    assert!(
        authority.contains(provider_id),
        "{authority} / {provider_id}"
    );
    assert!(
        fb.contains("<sdg:IssuingDate>2026-01-01</sdg:IssuingDate>"),
        "{fb}"
    );
    assert!(!fb.contains("ValidityPeriod"), "{fb}");
}

#[test]
fn a_register_value_that_cannot_be_written_refuses_the_evidence() {
    let long = "x".repeat(600);
    let dir = deployment(
        SECTION,
        &[
            (
                "control character",
                "v2.0",
                json!({"registry_office": "Amt\u{1}"}),
                REFUSED,
            ),
            (
                "over-long identifier",
                "v2.0",
                json!({"office_id": long}),
                REFUSED,
            ),
            (
                "validity not a date",
                "v2.0",
                json!({"valid_from": "26.10.1992"}),
                REFUSED,
            ),
            (
                "issuing date not a date",
                "v1.2",
                json!({"registration_date": "yesterday"}),
                REFUSED,
            ),
            (
                "year past 9999",
                "v2.0",
                json!({"valid_until": "+10000-01-01"}),
                REFUSED,
            ),
            (
                "validity reversed",
                "v2.0",
                json!({"valid_from": "2099-12-31", "valid_until": "1992-10-26"}),
                REFUSED,
            ),
        ],
    );
    let (ok, out) = run("test", &[], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("6 passed, 0 failed"), "{out}");

    // A scheme the register gives that is off the EAS list (R-EDM-RESP-C039).
    let section = SECTION.replace(
        "    scheme_id: urn:cef.eu:names:identifier:EAS:9930\n",
        "    scheme: office_scheme\n",
    );
    let dir = deployment(
        &section,
        &[
            (
                "bad scheme",
                "v2.0",
                json!({"office_scheme": "urn:cef.eu:names:identifier:EAS:1234"}),
                REFUSED,
            ),
            (
                "markup scheme",
                "v2.0",
                json!({"office_scheme": "<x/>"}),
                REFUSED,
            ),
        ],
    );
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace(
            "    office_id: office_id\n",
            "    office_id: office_id\n    office_scheme: office_scheme\n",
        )
        .replace(
            "NULL AS office_id,",
            "NULL AS office_id, NULL AS office_scheme,",
        );
    std::fs::write(&m, text).unwrap();
    let (ok, out) = run("test", &[], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("2 passed, 0 failed"), "{out}");
}

#[test]
fn check_points_at_unknown_fields_and_bad_schemes() {
    let section = "  issuing_date: registration_date\n  issuing_authority:\n    identifier: office_idx\n    scheme_id: urn:cef.eu:names:identifier:EAS:1234\n    names: { German: registry_office }\n  validity: { start: valid_from, end: valid_untl }\n";
    let dir = deployment(section, &[]);
    let (ok, out) = run("check", &[], dir.path());
    assert!(!ok, "{out}");
    // The file's line of `scheme_id` (the section starts after the connector fields).
    let file = "birth-certificate.yaml:";
    assert!(
        out.contains(file) && out.contains("OEA-E0127") && out.contains("EAS:1234"),
        "{out}"
    );
    assert!(
        out.contains("`German` is not a two-letter language code"),
        "{out}"
    );
    let m = std::fs::read_to_string(dir.path().join("mappings/birth-certificate.yaml")).unwrap();
    let line = m.lines().position(|l| l.contains("scheme_id:")).unwrap() + 1;
    assert!(
        out.contains(&format!("birth-certificate.yaml:{line}:")),
        "{out}"
    );

    // Fixed: the field names are then checked against connector.fields, with positions.
    let fixed = section
        .replace("EAS:1234", "EAS:9930")
        .replace("German", "DE");
    let dir = deployment(&fixed, &[]);
    let (ok, out) = run("check", &[], dir.path());
    assert!(!ok, "{out}");
    let m = std::fs::read_to_string(dir.path().join("mappings/birth-certificate.yaml")).unwrap();
    let line = m.lines().position(|l| l.contains("office_idx")).unwrap() + 1;
    assert!(
        out.contains(&format!("birth-certificate.yaml:{line}:"))
            && out.contains("OEA-E0115")
            && out.contains("`office_idx`"),
        "{out}"
    );
    assert!(
        out.contains("evidence.validity.end uses `valid_untl`"),
        "{out}"
    );
    // Both a scheme field and a fixed scheme.
    let both = fixed.replace("    scheme_id:", "    scheme: office_id\n    scheme_id:");
    let dir = deployment(&both, &[]);
    let (ok, out) = run("check", &[], dir.path());
    assert!(!ok && out.contains("not both"), "{out}");
}

#[test]
fn a_live_register_without_an_issuer_answers_with_the_provider_and_says_so() {
    let shared = common::shared_dir();
    let request = shared.join("oots-spec/oots-france/spec/fixtures/reference/messages/requete.xml");
    if !request.is_file() {
        oots_testskip::skip(
            "OOTS_SHARED",
            "reference samples not found (set OOTS_SHARED=/path/to/shared)",
        );
        return;
    }
    // The real SQLite register; the query (`deployment`) gives the office no identifier.
    let dir = deployment(SECTION, &[]);
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    assert!(text.contains("NULL AS office_id"));
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("respond")
            .arg("--config")
            .arg(dir.path().join("adapter.yaml"))
            .arg("--request")
            .arg(&request)
            .arg("--out")
            .arg(dir.path().join("answer"))
            .arg("--state-dir")
            .arg(dir.path().join("state")),
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("\"action\":\"ExecuteQueryResponse\""),
        "{stdout}"
    );
    assert!(stderr.contains("EVIDENCE_AUTHORITY_MISSING"), "{stderr}");
    assert!(
        !stderr.contains("Dupont"),
        "personal data in the log: {stderr}"
    );
    let response = std::fs::read_to_string(dir.path().join("answer/response.xml")).unwrap();
    let authority = response
        .split("<sdg:IssuingAuthority>")
        .nth(1)
        .and_then(|s| s.split("</sdg:IssuingAuthority>").next())
        .unwrap();
    assert!(
        authority.contains(">DE73524311</sdg:Identifier>"),
        "{authority}"
    );
    assert!(!response.contains("ValidityPeriod"), "{response}");
}
