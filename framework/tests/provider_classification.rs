//! Evidence provider classifications (docs/mapping-files.md, `provider_classifications`):
//! the value the user chose at the DSD reaches the registry query as a bound parameter and
//! the template as `provider_classification.<name>`, end to end through `oots-adapter
//! respond` with the quickstart's real SQLite register, in EDM 1.2 and 2.0; hostile values
//! stay values; a required one missing, given twice or over-long is refused with
//! `EDM:ERR:0003` naming the rule; `check` points at undeclared uses.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use oots_framework::clock::RandomIds;
use oots_framework::edm::{EdmVersion, ProviderClassification, write_request};
use oots_framework::requester::{RequestSpec, build_request};

const OFFICE: &str = "0c7c9948-0a9f-4407-aedd-a956d1479fbd";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The quickstart, its query narrowed to the office the user chose (when given), the
/// office shown in the structured certificate.
fn deployment(required: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&workspace().join("examples/quickstart"), dir.path());
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    let text = text
        .replace(
            "     WHERE date_of_birth = :date_of_birth\n  parameters:\n    date_of_birth: DateOfBirth\n",
            "     WHERE date_of_birth = :date_of_birth AND (:office IS NULL OR registry_office = :office)\n  parameters:\n    date_of_birth: DateOfBirth\n  classifications:\n    office: registry_office\n",
        )
        .replace(
            "\nidentity:\n",
            &format!("\nprovider_classifications:\n  registry_office: {{ identifier: {OFFICE}, required: {required} }}\n\nidentity:\n"),
        )
        ;
    assert!(text.contains("classifications:\n    office") && text.contains("required:"));
    std::fs::write(&m, text).unwrap();
    let t = dir
        .path()
        .join("mappings/templates/birth-certificate.xml.hbs");
    let tpl = std::fs::read_to_string(&t).unwrap().replace(
        "  <RegistryOffice>{{record.registry_office}}</RegistryOffice>\n",
        "  <RegistryOffice>{{record.registry_office}}</RegistryOffice>\n  <ChosenOffice>{{provider_classification.registry_office}}</ChosenOffice>\n",
    );
    std::fs::write(&t, tpl).unwrap();
    dir
}

struct Answered {
    json: serde_json::Value,
    evidence: Option<String>,
}

/// `respond` to a Jean Dupont request carrying `values` (identifier, value).
fn respond(dir: &Path, version: EdmVersion, values: &[(&str, &str)]) -> Answered {
    let mut spec = RequestSpec::quickstart_birth("Dupont", "Jean", "1992-10-22", "application/xml");
    spec.version = version;
    let mut request = build_request(&spec, &RandomIds, chrono::Utc::now());
    request.provider_classifications = values
        .iter()
        .map(|(identifier, value)| ProviderClassification {
            identifier: (*identifier).to_owned(),
            value: (*value).to_owned(),
        })
        .collect();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("request.xml");
    std::fs::write(&file, write_request(&request)).unwrap();
    let output = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("respond")
            .arg("--config")
            .arg(dir.join("adapter.yaml"))
            .arg("--request")
            .arg(&file)
            .arg("--out")
            .arg(out.path().join("answer"))
            .arg("--state-dir")
            .arg(dir.join("state")),
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
    let evidence = json["files"].as_array().and_then(|f| {
        f.iter()
            .filter_map(|p| p.as_str())
            .find(|p| !p.ends_with("response.xml") && p.ends_with(".xml"))
            .map(|p| std::fs::read_to_string(p).unwrap())
    });
    Answered { json, evidence }
}

#[test]
fn the_chosen_office_narrows_the_query_and_reaches_the_template_in_1x_and_2_0() {
    let dir = deployment(false);
    for version in [EdmVersion::V1_2, EdmVersion::V2_0] {
        let found = respond(dir.path(), version, &[(OFFICE, "Standesamt Berlin I")]);
        assert_eq!(
            found.json["action"], "ExecuteQueryResponse",
            "{}",
            found.json
        );
        let xml = found.evidence.expect("the structured certificate");
        assert!(
            xml.contains("<ChosenOffice>Standesamt Berlin I</ChosenOffice>"),
            "{xml}"
        );
        // Another office holds no record of Jean Dupont: the query was narrowed.
        let elsewhere = respond(dir.path(), version, &[(OFFICE, "Standesamt Köln")]);
        assert_eq!(elsewhere.json["code"], "EDM:ERR:0004", "{}", elsewhere.json);
    }
    // Not given, not required: the parameter is null, the query unnarrowed, the
    // template's value empty.
    let open = respond(dir.path(), EdmVersion::V2_0, &[]);
    assert_eq!(open.json["action"], "ExecuteQueryResponse", "{}", open.json);
    assert!(
        open.evidence
            .unwrap()
            .contains("<ChosenOffice></ChosenOffice>")
    );
}

#[test]
fn hostile_values_stay_values() {
    let dir = deployment(false);
    for hostile in [
        "x' OR '1'='1",
        "Standesamt Berlin I' --",
        "'; DROP TABLE birth_register; --",
    ] {
        let r = respond(dir.path(), EdmVersion::V2_0, &[(OFFICE, hostile)]);
        // Bound, not spliced: no record has that office, so nobody is found.
        assert_eq!(r.json["code"], "EDM:ERR:0004", "{hostile}: {}", r.json);
    }
    // The register is still there.
    let r = respond(
        dir.path(),
        EdmVersion::V2_0,
        &[(OFFICE, "Standesamt Berlin I")],
    );
    assert_eq!(r.json["action"], "ExecuteQueryResponse", "{}", r.json);
}

#[test]
fn a_required_office_missing_twice_or_over_long_is_refused_naming_the_rule() {
    let dir = deployment(true);
    let long = "x".repeat(300);
    let many: Vec<(&str, &str)> = (0..200).map(|_| ("other", "y")).collect();
    for (why, values) in [
        ("missing", vec![]),
        ("only others", many),
        (
            "twice",
            vec![(OFFICE, "Standesamt Berlin I"), (OFFICE, "Standesamt Köln")],
        ),
        ("over-long", vec![(OFFICE, long.as_str())]),
    ] {
        for version in [EdmVersion::V1_2, EdmVersion::V2_0] {
            let r = respond(dir.path(), version, &values);
            assert_eq!(r.json["code"], "EDM:ERR:0003", "{why}: {}", r.json);
            let detail = r.json["detail"].as_str().unwrap_or_default();
            assert!(detail.contains("TDD 4.5.1 §3.4"), "{why}: {detail}");
            assert!(
                !detail.contains("xxxxxxxx"),
                "the value is not echoed: {detail}"
            );
        }
    }
    // The same value twice is one value.
    let r = respond(
        dir.path(),
        EdmVersion::V2_0,
        &[
            (OFFICE, "Standesamt Berlin I"),
            (OFFICE, " Standesamt Berlin I"),
        ],
    );
    assert_eq!(r.json["action"], "ExecuteQueryResponse", "{}", r.json);
}

#[test]
fn check_points_at_undeclared_classifications() {
    let dir = deployment(false);
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("    office: registry_office\n", "    office: school\n");
    std::fs::write(&m, &text).unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(dir.path()),
        120,
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text
        .lines()
        .position(|l| l == "    office: school")
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!("birth-certificate.yaml:{line}:"))
            && out.contains("OEA-E0128")
            && out.contains("`school`"),
        "{out}"
    );

    // A template naming a classification the mapping does not declare.
    let dir = deployment(false);
    let t = dir
        .path()
        .join("mappings/templates/birth-certificate.xml.hbs");
    let tpl = std::fs::read_to_string(&t).unwrap().replace(
        "provider_classification.registry_office",
        "provider_classification.school",
    );
    std::fs::write(&t, &tpl).unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(dir.path()),
        120,
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = tpl
        .lines()
        .position(|l| l.contains("ChosenOffice"))
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!("birth-certificate.xml.hbs:{line}:"))
            && out.contains("OEA-E0114")
            && out.contains("provider_classification.school"),
        "{out}"
    );
}

#[test]
fn mapping_tests_send_classification_values() {
    let dir = deployment(true);
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    let head = text.split("\ntests:\n").next().unwrap();
    let record = "{ register_number: G 4711/1992, family_name: Dupont, given_name: Jean, birth_name: null, sex: M, date_of_birth: \"1992-10-22\", place_of_birth: Berlin, father_name: null, mother_name: null, registration_date: \"1992-10-26\", registry_office: Standesamt Berlin I }";
    let office = OFFICE.to_uppercase();
    std::fs::write(
        &m,
        format!(
            "{head}\ntests:\n  - name: the chosen office\n    request: {{ family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\", format: application/xml, provider_classifications: {{ {office}: Standesamt Berlin I }} }}\n    records: [{record}]\n    expect: {{ action: ExecuteQueryResponse, evidence: {{ ChosenOffice: Standesamt Berlin I }} }}\n  - name: no office chosen\n    request: {{ version: v1.2, family_name: Dupont, given_name: Jean, date_of_birth: \"1992-10-22\" }}\n    records: [{record}]\n    expect: {{ action: ExceptionResponse, code: \"EDM:ERR:0003\" }}\n"
        ),
    )
    .unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("test")
            .arg(dir.path()),
        120,
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.contains("2 passed, 0 failed"), "{out}");
}

#[test]
fn without_blocking_passes_the_mapping_query_is_narrowed_too() {
    let dir = deployment(false);
    let m = dir.path().join("mappings/birth-certificate.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    let start = text.find("  blocking:\n").unwrap();
    let end = text[start..].find("\nevidence:").unwrap() + start;
    let text = format!("{}{}", &text[..start], &text[end..]);
    assert!(!text.contains("blocking:"));
    std::fs::write(&m, text).unwrap();
    let found = respond(
        dir.path(),
        EdmVersion::V2_0,
        &[(OFFICE, "Standesamt Berlin I")],
    );
    assert_eq!(
        found.json["action"], "ExecuteQueryResponse",
        "{}",
        found.json
    );
    let elsewhere = respond(dir.path(), EdmVersion::V2_0, &[(OFFICE, "x' OR '1'='1")]);
    assert_eq!(elsewhere.json["code"], "EDM:ERR:0004", "{}", elsewhere.json);
}
