//! Every EDM sample under `shared/oots-spec` parses with the right function.
//!
//! The shared folder is found relative to `CARGO_MANIFEST_DIR` (`../../shared`); when it
//! is absent the tests print SKIPPED and return.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use oots_framework::edm::{
    EdmError, EdmVersion, ErrorCode, QueryResponse, RequestErrorKind, Subject, XmlLimits,
    normalize_classification, parse_request, parse_response,
};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn root_local_name(xml: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(xml).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    Some(doc.root_element().tag_name().name().to_string())
}

#[test]
fn fr_reference_messages_parse() {
    let Some(spec) = common::spec_dir() else {
        return;
    };
    let dir = spec.join("oots-france/spec/fixtures/reference/messages");
    let limits = XmlLimits::default();

    let req = parse_request(&std::fs::read(dir.join("requete.xml")).unwrap(), &limits)
        .expect("requete.xml");
    assert_eq!(req.version, EdmVersion::V2_0);
    assert_eq!(req.id, "urn:uuid:1a2b3c4d-0000-4000-8000-000000000000");
    assert_eq!(req.procedure.as_deref(), Some("T3"));
    assert_eq!(req.requesters.len(), 2);
    assert_eq!(req.requester().identifier.value, "00000000000002");
    assert_eq!(req.provider.identifier.value, "DE73524311");
    assert!(!req.possibility_for_preview && req.explicit_request_given);
    assert_eq!(req.requirements[0].descriptions.len(), 1);
    let Subject::Natural(p) = &req.subject else {
        panic!("natural person expected")
    };
    assert_eq!(p.date_of_birth, "1992-10-22");
    assert_eq!(
        p.identifier.as_ref().and_then(|i| i.scheme_id.as_deref()),
        Some("eidas")
    );
    assert_eq!(
        req.evidence_type.distributed_as[0].languages,
        vec!["EN".to_string()]
    );
    assert_eq!(
        normalize_classification(&req.evidence_type.classification).as_deref(),
        Some("DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e")
    );

    let QueryResponse::Evidence(resp) =
        parse_response(&std::fs::read(dir.join("reponse.xml")).unwrap(), &limits)
            .expect("reponse.xml")
    else {
        panic!("evidence response expected")
    };
    assert_eq!(resp.version, EdmVersion::V2_0);
    assert_eq!(
        resp.items[0].package_id,
        "urn:uuid:1a2b3c4d-0000-4000-8000-000000000016"
    );
    assert_eq!(resp.items.len(), 1);
    assert_eq!(
        resp.items[0].content_id,
        "1a2b3c4d-0000-4000-8000-000000000003@pdf.oots.fr"
    );
    assert_eq!(
        resp.items[0].classification_id,
        "urn:uuid:1a2b3c4d-0000-4000-8000-000000000019"
    );
    assert_eq!(resp.provider.classification.as_deref(), Some("EP"));

    let expected = [
        ("erreur.xml", ErrorCode::ObjectNotFound),
        (
            "erreurCapaciteNonSupportee.xml",
            ErrorCode::UnsupportedCapability,
        ),
        ("erreurExpiration.xml", ErrorCode::Timeout),
        ("erreurRequeteInvalide.xml", ErrorCode::InvalidRequest),
    ];
    for (file, code) in expected {
        let parsed = parse_response(&std::fs::read(dir.join(file)).unwrap(), &limits);
        let Ok(QueryResponse::Error(err)) = parsed else {
            panic!("{file}: {parsed:?}")
        };
        assert_eq!(err.exceptions[0].code, code, "{file}");
        assert_eq!(
            err.error_provider.classification.as_deref(),
            Some("ERRP"),
            "{file}"
        );
        assert!(err.requester.is_some(), "{file}");
    }
}

#[test]
fn soap_captures_payloads_parse() {
    let Some(spec) = common::spec_dir() else {
        return;
    };
    let limits = XmlLimits::default();
    let mut parsed = 0;
    for path in files_under(&spec.join("oots-france/spec/fixtures/incoming")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        for value in doc
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "value")
        {
            let b64: String = value.text().unwrap_or("").split_whitespace().collect();
            let payload = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("base64");
            match root_local_name(&payload).as_deref() {
                Some("QueryRequest") => {
                    let req = parse_request(&payload, &limits)
                        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
                    assert_eq!(req.version, EdmVersion::V2_0);
                    assert!(
                        req.evidence_type
                            .classification
                            .contains("/evidencetypeclassifications/oots/")
                    );
                    parsed += 1;
                }
                Some("QueryResponse") => {
                    let resp = parse_response(&payload, &limits)
                        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
                    match resp {
                        QueryResponse::Evidence(r) => assert_eq!(r.items.len(), 1),
                        QueryResponse::Error(e) => {
                            let x = &e.exceptions[0];
                            if x.code == ErrorCode::MissingAuthorization {
                                assert!(
                                    x.preview_location
                                        .as_deref()
                                        .unwrap_or("")
                                        .starts_with("https://")
                                );
                            }
                        }
                        QueryResponse::Deferred(d) => panic!("{}: {d:?}", path.display()),
                    }
                    parsed += 1;
                }
                _ => assert!(
                    payload.starts_with(b"%PDF"),
                    "{}: unexpected payload",
                    path.display()
                ),
            }
        }
    }
    assert_eq!(parsed, 5, "four Domibus captures plus the preview error");
}

#[test]
fn tdd_2023_samples_parse() {
    let Some(spec) = common::spec_dir() else {
        return;
    };
    let limits = XmlLimits::default();
    let dir = spec.join("tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange");
    let (mut requests, mut responses, mut errors) = (0, 0, 0);
    for path in files_under(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.to_lowercase().contains("header")
            || path.to_string_lossy().contains("Evidence Samples")
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if name.contains("Request") {
            let req = parse_request(&bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(req.version, EdmVersion::V1_0, "{name}");
            assert!(
                normalize_classification(&req.evidence_type.classification).is_some(),
                "{name}"
            );
            assert_eq!(req.evidence_type.distributed_as.len(), 1, "{name}");
            requests += 1;
        } else {
            match parse_response(&bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e:?}")) {
                QueryResponse::Evidence(r) => {
                    assert_eq!(r.version, EdmVersion::V1_0, "{name}");
                    assert!(!r.items.is_empty(), "{name}");
                    responses += 1;
                }
                QueryResponse::Error(e) => {
                    let x = &e.exceptions[0];
                    assert_eq!(x.code, ErrorCode::MissingAuthorization, "{name}");
                    assert_eq!(x.preview_method.as_deref(), Some("GET"), "{name}");
                    assert_eq!(x.preview_description.len(), 3, "{name}");
                    errors += 1;
                }
                QueryResponse::Deferred(d) => panic!("{name}: no deferral sample: {d:?}"),
            }
        }
    }
    assert_eq!((requests, responses, errors), (4, 5, 2));
}

#[test]
fn tdd_2023_full_documents_among_snippets() {
    let Some(spec) = common::spec_dir() else {
        return;
    };
    let limits = XmlLimits::default();
    let dir = spec.join("tdd-edm-2023-04/OOTS-EDM/xml/Request-Response Samples/Snippets");
    let mut full = 0;
    for path in files_under(&dir) {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // Only whole documents (with an XML declaration) are messages; the rest are fragments
        // (covered by the unit tests in crates/edm/src/tests.rs).
        if !text.trim_start().starts_with("<?xml") {
            continue;
        }
        full += 1;
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if text.contains("QueryRequest") {
            // Skeleton without slots: refused with the first missing-slot rule.
            let err = parse_request(&bytes, &limits).expect_err(&name);
            assert_eq!(err.rule(), Some("R-EDM-REQ-S005"), "{name}");
            assert_eq!(
                err.request_id.as_deref(),
                Some("urn:uuid:c4369c4d-740e-4b64-80f0-7b209a66d629")
            );
        } else if text.contains("ResponseStatusType:Failure") {
            let Ok(QueryResponse::Error(e)) = parse_response(&bytes, &limits) else {
                panic!("{name}")
            };
            assert_eq!(e.exceptions[0].code, ErrorCode::Timeout);
        } else {
            // Declares xmlns:sdg twice: not well-formed, must be refused cleanly.
            assert!(
                matches!(parse_response(&bytes, &limits), Err(EdmError::Malformed(_))),
                "{name}"
            );
        }
    }
    assert_eq!(full, 3);
}

#[test]
fn request_errors_never_panic_on_any_sample() {
    // Every shared XML file thrown at both readers: results may be errors, never panics.
    let Some(spec) = common::spec_dir() else {
        return;
    };
    let limits = XmlLimits::default();
    for path in files_under(&spec) {
        let bytes = std::fs::read(&path).unwrap();
        let r = parse_request(&bytes, &limits);
        if let Err(e) = &r {
            assert!(!e.detail().is_empty());
            if let RequestErrorKind::Rule { rule, .. } = &e.kind {
                assert!(rule.id().starts_with("R-EDM-REQ-") || rule.id().starts_with("SDG-XSD-"));
            }
        }
        let _ = parse_response(&bytes, &limits);
    }
}
