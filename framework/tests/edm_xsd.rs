//! XSD validation of what we write, with `xmllint` (set `XMLLINT=/usr/bin/xmllint`).
//!
//! Schemas: RegRep 4 (`xsd/regrep4`) plus the SDG profile v1.0.0 through the OOTS driver
//! (`oots_driver_v1.0.0.xsd`), copied into a temp dir with local `schemaLocation`s.
//! Coverage: every 1.x message (requests, responses, the declined preview's response
//! with an empty object list, all error codes) and the 2.0 responses (declined too) and
//! errors validate against RegRep + SDG 1.0.0; a 2.0 response with supplementary
//! objects (whose metadata is Identifier + Distribution only, S063, which the 1.0.0
//! profile's `sdg:Evidence` does not admit) validates against the RegRep layer, where
//! the packages, classifications and associations live; 2.0 requests carry 2.0-only
//! SDG elements (Requirement/Description, DistributedAs/Language, Nationality…) that the
//! 1.0.0 profile lacks, so they are validated against the RegRep layer only
//! (`query.xsd`; `rim:AnyValueType` content is lax).

mod common;

use std::path::Path;
use std::process::Command;

use oots_devkit::samples;
use oots_framework::edm::{
    Agent, EdmVersion, ErrorCode, EvidenceDistribution, Identifier, LocalizedText, write_error,
    write_request, write_response,
};

fn xmllint() -> Option<String> {
    oots_testskip::skip_unless_env(
        "XMLLINT",
        "XSD validation needs xmllint (set XMLLINT=/usr/bin/xmllint)",
    )
}

/// Copies the schemas into `dir`, giving every import a local schemaLocation.
fn prepare_schemas(spec: &Path, dir: &Path) {
    let tdd = spec.join("tdd-edm-2023-04/OOTS-EDM/xsd");
    let imports = [
        ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),
        ("http://www.w3.org/1999/xlink", "xlink.xsd"),
        ("http://www.w3.org/2005/08/addressing", "ws-addr.xsd"),
    ];
    for (sub, file) in [
        ("regrep4", "rim.xsd"),
        ("regrep4", "rs.xsd"),
        ("regrep4", "query.xsd"),
        ("regrep4", "lcm.xsd"),
        ("xml", "xml.xsd"),
        ("xml", "xlink.xsd"),
        ("xml", "ws-addr.xsd"),
    ] {
        let mut text = std::fs::read_to_string(tdd.join(sub).join(file)).unwrap();
        for (ns, loc) in imports {
            for prefix in ["", "xs:"] {
                for space in ["", " "] {
                    let from = format!("<{prefix}import namespace=\"{ns}\"{space}/>");
                    let to =
                        format!("<{prefix}import namespace=\"{ns}\" schemaLocation=\"{loc}\"/>");
                    text = text.replace(&from, &to);
                }
            }
        }
        std::fs::write(dir.join(file), text).unwrap();
    }
    let sdg = spec.join(
        "oots-poc-xsd/oots-poc/src/main/resources/xsd/sdg/SDG-GenericMetadataProfile-v1.0.0.xsd",
    );
    std::fs::copy(sdg, dir.join("SDG-GenericMetadataProfile-v1.0.0.xsd")).unwrap();
    let driver = std::fs::read_to_string(tdd.join("sdg/oots_driver_v1.0.0.xsd"))
        .unwrap()
        .replace(
            "http://docs.oasis-open.org/regrep/regrep-core/v4.0/os/xsd/",
            "",
        );
    std::fs::write(dir.join("oots_driver.xsd"), driver).unwrap();
}

fn validate(xmllint: &str, schema: &Path, dir: &Path, name: &str, xml: &str) -> Result<(), String> {
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new(xmllint)
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(schema)
        .arg(&file)
        .output()
        .map_err(|e| format!("cannot run {xmllint}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{name}: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

#[test]
fn written_messages_validate_against_the_schemas() {
    let (Some(xmllint), Some(spec)) = (xmllint(), common::spec_dir()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    prepare_schemas(&spec, tmp.path());
    let full = tmp.path().join("oots_driver.xsd");
    let regrep = tmp.path().join("query.xsd");
    let mut failures = Vec::new();
    let mut validated = 0;
    let mut check = |schema: &Path, name: String, xml: String| {
        validated += 1;
        if let Err(e) = validate(&xmllint, schema, tmp.path(), &name, &xml) {
            failures.push(e);
        }
    };
    for v in [EdmVersion::V1_0, EdmVersion::V1_2, EdmVersion::V2_0] {
        let tag = v.spec_id().replace(':', "-");
        let request_schema = if v.is_v2() { &regrep } else { &full };
        check(
            request_schema,
            format!("{tag}-np-request"),
            write_request(&samples::natural_person_request(v)),
        );
        check(
            request_schema,
            format!("{tag}-lp-request"),
            write_request(&samples::legal_person_request(v)),
        );
        check(
            &full,
            format!("{tag}-response"),
            write_response(&samples::evidence_response(v)),
        );
        // Several evidences for one subject: one object (1.x) or package (2.0) each.
        for n in [2, 20] {
            let mut several = samples::evidence_response(v);
            let one = several.items[0].clone();
            several.items = (0..n)
                .map(|i| {
                    let mut item = one.clone();
                    if v.is_v2() {
                        item.package_id = format!("urn:uuid:00000000-0000-4000-8000-{i:012}");
                    }
                    item.object_id = format!("urn:uuid:00000000-0000-4000-9000-{i:012}");
                    item.classification_id = format!("urn:uuid:00000000-0000-4000-a000-{i:012}");
                    item.content_id = format!("part-{i}@example.org");
                    item
                })
                .collect();
            check(
                &full,
                format!("{tag}-response-{n}-evidences"),
                write_response(&several),
            );
        }
        // The register names the issuing office (escaped markup) and a validity period
        // (evidence_metadata.rs runs them through the exchange).
        let mut named = samples::evidence_response(v);
        named.items[0].evidence.issuing_authority = Agent {
            identifier: Identifier {
                scheme_id: Some("urn:cef.eu:names:identifier:EAS:9930".into()),
                value: "DE-STA-1".into(),
            },
            names: vec![LocalizedText {
                lang: "DE".into(),
                text: "Standesamt <b>Berlin</b> & \"Mitte\"".into(),
            }],
            address: None,
            classification: None,
        };
        named.items[0].evidence.validity = Some(("2020-01-01".into(), "2030-12-31".into()));
        // A 1.x subset, echoed after ConformsTo (R-EDM-RESP-C043); never written in 2.0.
        named.items[0].evidence.distribution = EvidenceDistribution {
            format: "application/xml".into(),
            language: Some("DE".into()),
            conforms_to: Some(
                "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0".into(),
            ),
            transformation: Some(
                "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority"
                    .into(),
            ),
        };
        let xml = write_response(&named);
        assert_eq!(xml.contains("<sdg:Transformation>"), !v.is_v2(), "{xml}");
        check(&full, format!("{tag}-named-authority-response"), xml);
        // The user declined in the preview: Success with an empty object list.
        let mut declined = samples::evidence_response(v);
        declined.items.clear();
        check(
            &full,
            format!("{tag}-declined-response"),
            write_response(&declined),
        );
        // A deferral (TDD 4.5.2): Unavailable, ResponseAvailableDateTime, an empty list.
        let r = samples::evidence_response(v);
        let deferred = oots_framework::edm::DeferredResponse {
            version: v,
            request_id: r.request_id,
            response_id: r.response_id,
            issue_date_time: r.issue_date_time,
            available_date_time: "2026-08-07T10:00:00.000Z".into(),
            provider: r.provider,
            requester: r.requester,
        };
        check(
            &full,
            format!("{tag}-deferred-response"),
            oots_framework::edm::write_deferred(&deferred),
        );
        for code in ErrorCode::ALL {
            check(
                &full,
                format!("{tag}-error-{}", &code.code()[8..]),
                write_error(&samples::error_response(v, code)),
            );
        }
    }
    // Annex, human-readable version and translation: packages, classifications and
    // associations are RegRep constructs (TDD 2.0.1 4.5.2 §2.6).
    check(
        &regrep,
        "oots-edm-v2.0-response-with-supplements".to_owned(),
        write_response(&samples::evidence_response_with_supplements()),
    );
    assert!(
        failures.is_empty(),
        "{} of {validated} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(validated, 49);
}

#[test]
fn schema_setup_rejects_an_invalid_message() {
    // Guards against a setup that validates everything (e.g. schema not loaded).
    let (Some(xmllint), Some(spec)) = (xmllint(), common::spec_dir()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    prepare_schemas(&spec, tmp.path());
    let xml = write_request(&samples::natural_person_request(EdmVersion::V1_2))
        .replace("<sdg:FamilyName>", "<sdg:Surname>")
        .replace("</sdg:FamilyName>", "</sdg:Surname>");
    assert!(
        validate(
            &xmllint,
            &tmp.path().join("oots_driver.xsd"),
            tmp.path(),
            "bad",
            &xml
        )
        .is_err()
    );
    let xml = write_error(&samples::error_response(
        EdmVersion::V1_2,
        ErrorCode::Timeout,
    ))
    .replace(
        "<rim:Slot name=\"SpecificationIdentifier\">",
        "<rim:Bogus name=\"x\"/><rim:Slot name=\"SpecificationIdentifier\">",
    );
    assert!(
        validate(
            &xmllint,
            &tmp.path().join("oots_driver.xsd"),
            tmp.path(),
            "bad2",
            &xml
        )
        .is_err()
    );
}
