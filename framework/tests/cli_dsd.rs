//! `oots-adapter dsd export|diff`: the DSD registration generated from mapping files, and
//! its drift from a recorded DSD answer. Hostile and careless inputs first.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn birth() -> PathBuf {
    workspace().join("mappings/birth-certificate")
}

fn answer() -> PathBuf {
    workspace().join("framework/tests/fixtures/dsd/birth-certificate-answer.xml")
}

/// (exit code, stdout, stderr)
fn run(args: &[&str]) -> (i32, String, String) {
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("dsd")
            .args(args),
        120,
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn diff_with(answer_xml: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.xml");
    std::fs::write(&file, answer_xml).unwrap();
    run(&["diff", birth().to_str().unwrap(), file.to_str().unwrap()])
}

const CLASS: &str = "AT/79ba9682-3abe-463c-8523-35e1014f7dbd";

#[test]
fn a_hostile_answer_is_refused_before_anything_is_compared() {
    let dtd = br#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y "&x;&x;&x;">]>
<query:QueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0">&y;</query:QueryResponse>"#;
    let (code, out, err) = diff_with(dtd);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("OEA-D0002") && err.contains("hostile XML (dtd)"),
        "{err}"
    );
    assert!(!err.contains("root:"), "{err}");

    let (code, _, err) = diff_with(b"\x00\x01 not xml at all <<<");
    assert_eq!(code, 2);
    assert!(err.contains("OEA-D0002"), "{err}");

    let deep = format!("{}{}", "<a>".repeat(500), "</a>".repeat(500));
    let (code, _, err) = diff_with(deep.as_bytes());
    assert_eq!(code, 2);
    assert!(
        err.contains("OEA-D0002") && err.contains("max_depth"),
        "{err}"
    );

    let mut huge =
        b"<query:QueryResponse xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\">"
            .to_vec();
    huge.resize(5 * 1024 * 1024, b' ');
    let (code, _, err) = diff_with(&huge);
    assert_eq!(code, 2);
    assert!(
        err.contains("OEA-D0001") && err.contains("larger than"),
        "{err}"
    );
}

#[test]
fn a_document_that_is_no_query_response_or_names_no_type_is_a_usage_error() {
    let (code, _, err) = diff_with(br#"<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:4.0" id="x"/>"#);
    assert_eq!(code, 2);
    assert!(
        err.contains("OEA-D0003") && err.contains("SubmitObjectsRequest"),
        "{err}"
    );

    let text = std::fs::read_to_string(answer()).unwrap().replacen(
        "<sdg:Identifier>6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40</sdg:Identifier>",
        "",
        1,
    );
    let (code, _, err) = diff_with(text.as_bytes());
    assert_eq!(code, 2);
    assert!(
        err.contains("OEA-D0004") && err.contains("no sdg:Identifier"),
        "{err}"
    );

    for (element, said) in [
        (
            "<sdg:EvidenceTypeClassification>https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/AT/79ba9682-3abe-463c-8523-35e1014f7dbd</sdg:EvidenceTypeClassification>",
            "has no sdg:EvidenceTypeClassification",
        ),
        (
            "<sdg:Format>application/pdf</sdg:Format>",
            "has a DistributedAs without sdg:Format",
        ),
    ] {
        let text = std::fs::read_to_string(answer())
            .unwrap()
            .replacen(element, "", 1);
        let (code, _, err) = diff_with(text.as_bytes());
        assert_eq!(code, 2);
        assert!(err.contains("OEA-D0004") && err.contains(said), "{err}");
    }

    let (code, _, err) = run(&["diff", birth().to_str().unwrap(), "/nonexistent/answer.xml"]);
    assert_eq!(code, 2);
    assert!(err.contains("OEA-D0001"), "{err}");

    let (code, _, err) = run(&[
        "diff",
        workspace().join("mappings").to_str().unwrap(),
        answer().to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("OEA-D0005") && err.contains("5 deployments"),
        "{err}"
    );
}

#[test]
fn an_empty_answer_says_every_served_type_is_unregistered() {
    let empty = br#"<query:QueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">
  <rs:Exception xsi:type="rs:ObjectNotFoundExceptionType" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error" message="No matching data services found" code="DSD:ERR:0001"/>
</query:QueryResponse>"#;
    let (code, out, err) = diff_with(empty);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!("not-registered: {CLASS}: served by birth-certificate.yaml, absent from the DSD\n")
    );
    assert!(
        err.contains("DSD:ERR:0001: No matching data services found"),
        "{err}"
    );
}

#[test]
fn an_answer_about_another_provider_is_not_taken_for_ours() {
    let other = std::fs::read_to_string(answer())
        .unwrap()
        .replace(">ATU99887766<", ">FI0000000<");
    let (code, out, err) = diff_with(other.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!("not-registered: {CLASS}: served by birth-certificate.yaml, absent from the DSD\n")
    );
    assert!(
        err.contains("note: 3 data service evidence type(s)"),
        "{err}"
    );
}

#[test]
fn duplicate_entries_in_the_dsd_are_reported() {
    let text = std::fs::read_to_string(answer()).unwrap();
    let start = text.find("<rim:RegistryObject ").unwrap();
    let end = text.find("</rim:RegistryObject>").unwrap() + "</rim:RegistryObject>".len();
    let twice = format!("{}{}{}", &text[..end], &text[start..end], &text[end..]);
    let (code, out, _) = diff_with(twice.as_bytes());
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("duplicate: {CLASS}: the DSD lists 2 data service evidence types for it (6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40, 6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40); compared with the first\n")),
        "{out}"
    );
}

#[test]
fn the_recorded_answer_drifts_as_written() {
    let (code, out, err) = run(&[
        "diff",
        birth().to_str().unwrap(),
        answer().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "\
not-served: AT/5d3a8e20-6f1b-4c92-b7d4-0e9a1f2c8b65: the DSD lists it (identifier 2c9e4f61-3b8a-4d70-8e15-a47b92d0c6f3), no mapping file serves it
access-service: AT/79ba9682-3abe-463c-8523-35e1014f7dbd: the DSD names [AP_AT_02 (urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots)], adapter.yaml [AP_AT_01 (urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots)]
edm-version: AT/79ba9682-3abe-463c-8523-35e1014f7dbd: the DSD says the access service speaks [oots-edm:v1.2], adapter.yaml [oots-edm:v2.0]
format-not-offered: AT/79ba9682-3abe-463c-8523-35e1014f7dbd: the DSD lists application/json, no distribution serves it
language: AT/79ba9682-3abe-463c-8523-35e1014f7dbd: application/pdf: the DSD says [EN], served [DE]
level-of-assurance: AT/79ba9682-3abe-463c-8523-35e1014f7dbd: the DSD says Substantial, the mapping High
"
    );
    assert!(
        err.contains("note: 1 data service evidence type(s) of the answer are published by another provider; not compared"),
        "{err}"
    );
}

/// The DSD may name the classification on another Semantic Repository host.
#[test]
fn types_are_matched_whatever_host_the_classification_names() {
    let text = std::fs::read_to_string(answer()).unwrap().replace(
        "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/",
        "https://sr.acc.oots.tech.ec.europa.eu/evidencetypeclassifications/",
    );
    let (code, out, _) = diff_with(text.as_bytes());
    let (_, recorded, _) = run(&[
        "diff",
        birth().to_str().unwrap(),
        answer().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(out, recorded);
    assert!(!out.contains("not-registered"), "{out}");
}

/// The export's own `DataServiceEvidenceType`s, answered as a DSD would: no drift.
#[test]
fn an_answer_holding_what_the_export_registers_shows_no_drift() {
    let (code, xml, err) = run(&["export", birth().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let mut objects = String::new();
    let mut rest = xml.as_str();
    while let Some(s) = rest.find("<sdg:DataServiceEvidenceType>") {
        let e = rest.find("</sdg:DataServiceEvidenceType>").unwrap()
            + "</sdg:DataServiceEvidenceType>".len();
        objects.push_str(&format!(
            "<rim:RegistryObject id=\"urn:uuid:1\"><rim:Slot name=\"DataServiceEvidenceType\"><rim:SlotValue xsi:type=\"rim:AnyValueType\">{}</rim:SlotValue></rim:Slot></rim:RegistryObject>",
            &rest[s..e]
        ));
        rest = &rest[e..];
    }
    let answer = format!(
        r#"<query:QueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0" xmlns:sdg="http://data.europa.eu/p4s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rim:RegistryObjectList>{objects}</rim:RegistryObjectList></query:QueryResponse>"#
    );
    let (code, out, err) = diff_with(answer.as_bytes());
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

#[test]
fn the_export_is_the_same_bytes_every_time() {
    let (c1, a, _) = run(&["export", birth().to_str().unwrap()]);
    let (c2, b, _) = run(&["export", birth().to_str().unwrap()]);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(a, b);
    for needle in [
        "checkReferences=\"true\"",
        "<rim:Value>oots-lcm:v1.0</rim:Value>",
        "<sdg:Identifier>6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40</sdg:Identifier>",
        "classificationScheme=\"urn:fdc:oots:classification:dsd\"",
        "classificationNode=\"DataServiceEvidenceType\"",
        "type=\"urn:oasis:names:tc:ebxml-regrep:AssociationType:ProvidesEvidenceType\"",
        "<sdg:Identifier schemeID=\"urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots\">AP_AT_01</sdg:Identifier>",
        "<sdg:ConformsTo>oots-edm:v2.0</sdg:ConformsTo>",
        "<sdg:AuthenticationLevelOfAssurance>High</sdg:AuthenticationLevelOfAssurance>",
    ] {
        assert!(a.contains(needle), "{needle} missing:\n{a}");
    }
}

#[test]
fn a_folder_of_deployments_exports_one_file_each() {
    let (code, _, err) = run(&["export", workspace().join("mappings").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("OEA-D0005") && err.contains("--out <folder>"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dsd");
    let (code, summary, err) = run(&[
        "export",
        workspace().join("mappings").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "birth-certificate.xml",
            "company-registration-extract.xml",
            "proof-of-residence.xml",
            "tertiary-education-diploma.xml",
            "vehicle-registration.xml"
        ]
    );
    assert_eq!(summary.matches("== ").count(), 5, "{summary}");
    let (code, json, _) = run(&["export", birth().to_str().unwrap(), "--summary", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let t = &v[0]["registration"]["evidence_types"][0];
    assert_eq!(t["identifier"], "6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40");
    assert_eq!(t["identifier_derived"], false);
    assert_eq!(t["level_of_assurance"], "High");
}

/// A deployment without the DSD keys: the export still works, with derived identifier
/// and no access service, and `check` says what the DSD will miss.
#[test]
fn check_warns_about_what_the_dsd_would_miss() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&birth(), dir.path());
    let adapter = dir.path().join("adapter.yaml");
    let text = std::fs::read_to_string(&adapter).unwrap();
    let text = text[..text.find("\n# The DSD registration").unwrap()].to_owned() + "\n";
    std::fs::write(
        &adapter,
        text.replace("    EN: Civil Registry Office Vienna-Innere Stadt\n", ""),
    )
    .unwrap();
    let mapping = dir.path().join("mapping/birth-certificate.yaml");
    let text = std::fs::read_to_string(&mapping)
        .unwrap()
        .replace(
            "dsd:\n  identifier: 6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40\n",
            "",
        )
        .replace("    EN: Certificate of Birth\n", "")
        .replace("policy:\n  min_level_of_assurance: High\n", "");
    std::fs::write(&mapping, text).unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(dir.path()),
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for expected in [
        "adapter.yaml: OEA-W0204: the DSD registration names no access service: the gateway is not AS4 and dsd.access_service is not set",
        "adapter.yaml: OEA-W0205: provider.name has no EN entry: the DSD shows the publisher's name in English",
        "birth-certificate.yaml: OEA-W0201: no dsd.identifier: the DSD export derives one (a UUIDv5 of provider and classification), which changes if either does",
        "birth-certificate.yaml: OEA-W0202: evidence_type.title has no EN entry: the DSD shows every evidence type's title in English",
        "birth-certificate.yaml: OEA-W0203: neither dsd.level_of_assurance nor policy.min_level_of_assurance is set: the DSD registration states no AuthenticationLevelOfAssurance",
    ] {
        assert!(stdout.contains(expected), "{expected}\n---\n{stdout}");
    }
    let (code, summary, _) = run(&["export", dir.path().to_str().unwrap(), "--summary"]);
    assert_eq!(code, 0);
    assert!(
        summary.contains("(derived: set dsd.identifier)"),
        "{summary}"
    );
    assert!(summary.contains("access service  none"), "{summary}");
    assert!(summary.contains("assurance       none"), "{summary}");
}

/// Two mapping files registering under one identifier, and one that is no UUID.
#[test]
fn check_warns_about_a_shared_or_malformed_dsd_identifier() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&birth(), dir.path());
    let mapping = dir.path().join("mapping/birth-certificate.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap();
    let twin = text.replace(
        "AT/79ba9682-3abe-463c-8523-35e1014f7dbd",
        "AT/0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b",
    );
    std::fs::write(dir.path().join("mapping/twin.yaml"), &twin).unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(dir.path()),
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("OEA-W0207: dsd.identifier 6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40 is given by several mapping files (birth-certificate, twin): each evidence type needs its own"),
        "{stdout}"
    );
    std::fs::write(
        dir.path().join("mapping/twin.yaml"),
        twin.replace(
            "identifier: 6f1c2a4e-8b7d-4e0a-9c3f-2d5e7b1a9c40",
            "identifier: birth-1",
        ),
    )
    .unwrap();
    let out = common::output_within(
        Command::new(env!("CARGO_BIN_EXE_oots-adapter"))
            .arg("check")
            .arg(dir.path()),
        120,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("twin.yaml: OEA-W0206: dsd.identifier `birth-1` is not a UUID (requesters send it back as sdg:Identifier, R-EDM-REQ-C026)"),
        "{stdout}"
    );
    assert!(!stdout.contains("OEA-W0207"), "{stdout}");
}
