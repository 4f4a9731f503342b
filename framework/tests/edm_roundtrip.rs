//! Every message we write re-parses to an equal model.

use oots_devkit::samples;
use oots_framework::edm::{
    EdmVersion, ErrorCode, QueryResponse, Subject, XmlLimits, parse_request, parse_response,
    write_error, write_request, write_response,
};

const VERSIONS: [EdmVersion; 4] = [
    EdmVersion::V1_0,
    EdmVersion::V1_1,
    EdmVersion::V1_2,
    EdmVersion::V2_0,
];

fn assert_canonical(xml: &str) {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    for prefix in ["query", "rim", "rs", "sdg", "xsi", "xlink"] {
        assert!(
            xml.contains(&format!("xmlns:{prefix}=\"")),
            "missing xmlns:{prefix}"
        );
    }
}

#[test]
fn requests_round_trip_in_every_version() {
    for v in VERSIONS {
        for req in [
            samples::natural_person_request(v),
            samples::legal_person_request(v),
        ] {
            let xml = write_request(&req);
            assert_canonical(&xml);
            let back = parse_request(xml.as_bytes(), &XmlLimits::default())
                .unwrap_or_else(|e| panic!("{v}: {}\n{xml}", e.detail()));
            assert_eq!(back, req, "{v}");
        }
    }
}

#[test]
fn request_shapes_differ_per_version() {
    let v1 = write_request(&samples::legal_person_request(EdmVersion::V1_2));
    let v2 = write_request(&samples::legal_person_request(EdmVersion::V2_0));
    assert!(v1.contains("xml:lang=\"EN\" id=") && !v2.contains("xml:lang=\"EN\" id="));
    assert!(
        v1.contains("rim:InternationalStringValueType")
            && !v2.contains("rim:InternationalStringValueType")
    );
    assert!(v1.contains("<sdg:Transformation>") && !v2.contains("<sdg:Transformation>"));
    assert!(!v1.contains("ReturnLocation") && v2.contains("\"ReturnLocation\""));
    assert!(!v1.contains("<sdg:Language>") && v2.contains("<sdg:Language>EN</sdg:Language>"));
    assert!(v2.contains(
        "<sdg:AssociatedDocumentRequest>HumanReadableVersion</sdg:AssociatedDocumentRequest>"
    ));
    assert!(v2.contains("\"AuthorizedRepresentative\"") && v2.contains("<sdg:LegalPerson>"));
}

#[test]
fn text_and_attributes_are_escaped() {
    let req = samples::natural_person_request(EdmVersion::V2_0);
    let xml = write_request(&req);
    assert!(xml.contains("<sdg:FamilyName>Example-Müller &amp; Sons</sdg:FamilyName>"));
    assert!(xml.contains("<sdg:GivenName>Jane \"Q\" &lt;Test&gt;</sdg:GivenName>"));
    let err = samples::error_response(EdmVersion::V2_0, ErrorCode::MissingAuthorization);
    let xml = write_error(&err);
    assert!(xml.contains("?a=1&amp;b=2"));
    let Subject::Natural(p) = &req.subject else {
        panic!()
    };
    assert_eq!(p.given_name, "Jane \"Q\" <Test>");
}

#[test]
fn responses_round_trip_flat_and_packaged() {
    for v in VERSIONS {
        let mut resp = samples::evidence_response(v);
        // A second item about a legal person, to cover both IsAbout shapes.
        let mut second = resp.items[0].clone();
        second.object_id = "urn:uuid:dc518a5b-ff25-44de-9bc5-2ecda71d3f6e".into();
        if v.is_v2() {
            second.classification_id = "urn:uuid:2f3a1a65-1754-4e56-9911-3396f1db135f".into();
        }
        second.content_id = "attachment100002@example.oots.eu".into();
        let lp = samples::legal_person();
        second.evidence.is_about = Subject::Legal(oots_framework::edm::LegalPerson {
            legal_person_identifier: lp.legal_person_identifier,
            legal_name: lp.legal_name,
            ..Default::default()
        });
        second.evidence.validity = None;
        second.evidence.issuing_date = None;
        resp.items.push(second);
        let xml = write_response(&resp);
        assert_canonical(&xml);
        assert_eq!(xml.contains("rim:RegistryPackageType"), v.is_v2(), "{v}");
        assert_eq!(
            xml.contains("classificationNode=\"MainEvidence\""),
            v.is_v2(),
            "{v}"
        );
        assert!(xml.contains(
            "xlink:href=\"cid:attachment100001@example.oots.eu\" xlink:title=\"BirthCertificate\""
        ));
        assert!(xml.contains("<sdg:Classification>EP</sdg:Classification>"));
        match parse_response(xml.as_bytes(), &XmlLimits::default()).expect("re-parse") {
            QueryResponse::Evidence(back) => assert_eq!(back, resp, "{v}"),
            other => panic!("{v}: {other:?}"),
        }
    }
}

/// The user declined in the preview (TDD 2.0.1 4.9 §1): a successful response with an
/// empty object list, in 1.x and 2.0 alike: no package, no evidence, no reference.
#[test]
fn a_declined_response_has_an_empty_object_list_in_every_version() {
    for v in VERSIONS {
        let mut resp = samples::evidence_response(v);
        resp.items.clear();
        let xml = write_response(&resp);
        assert_canonical(&xml);
        assert!(
            xml.contains("status=\"urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success\""),
            "{v}: {xml}"
        );
        assert!(xml.contains("<rim:RegistryObjectList/>"), "{v}: {xml}");
        for absent in [
            "<rim:RegistryObject ",
            "RegistryPackageType",
            "EvidenceMetadata",
            "RepositoryItemRef",
            "cid:",
            "sdg:Evidence>",
        ] {
            assert!(!xml.contains(absent), "{v}: {absent} in {xml}");
        }
        match parse_response(xml.as_bytes(), &XmlLimits::default()).expect("re-parse") {
            QueryResponse::Evidence(back) => {
                assert!(back.items.is_empty(), "{v}");
                assert_eq!(back, resp, "{v}");
            }
            other => panic!("{v}: {other:?}"),
        }
    }
}

#[test]
fn errors_round_trip_for_every_code() {
    for v in VERSIONS {
        for code in ErrorCode::ALL {
            let err = samples::error_response(v, code);
            let xml = write_error(&err);
            assert_canonical(&xml);
            assert!(xml.contains(&format!("xsi:type=\"{}\"", code.xsi_type())));
            assert!(xml.contains(&format!("severity=\"{}\"", code.severity())));
            assert!(xml.contains("<sdg:Classification>ERRP</sdg:Classification>"));
            assert!(
                !xml.contains("IssueDateTime"),
                "only the four top-level slots"
            );
            assert_eq!(
                xml.contains("PreviewMethod"),
                code == ErrorCode::MissingAuthorization && !v.is_v2()
            );
            match parse_response(xml.as_bytes(), &XmlLimits::default()).expect("re-parse") {
                QueryResponse::Error(back) => assert_eq!(back, err, "{v} {code}"),
                other => panic!("{v} {code}: {other:?}"),
            }
        }
    }
}

#[test]
fn error_without_request_id_or_requester_round_trips() {
    let mut err = samples::error_response(EdmVersion::V2_0, ErrorCode::InvalidRequest);
    err.request_id = None;
    err.requester = None;
    let xml = write_error(&err);
    assert!(!xml.contains("requestId="));
    let Ok(QueryResponse::Error(back)) = parse_response(xml.as_bytes(), &XmlLimits::default())
    else {
        panic!()
    };
    assert_eq!(back, err);
}

#[test]
fn preview_error_carries_preview_slots() {
    let err = samples::error_response(EdmVersion::V2_0, ErrorCode::MissingAuthorization);
    let xml = write_error(&err);
    assert!(xml.contains("code=\"EDM:ERR:0002\""));
    assert!(xml.contains(
        "urn:sr.oots.tech.ec.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired"
    ));
    assert!(
        xml.contains(
            "<rim:LocalizedString xml:lang=\"EN\" value=\"Please select your diploma.\"/>"
        )
    );
    assert!(xml.contains("rim:InternationalStringValueType"));
}

/// A response with `n` evidences of the sample, each with its own ids and part.
fn several(v: EdmVersion, n: usize) -> oots_framework::edm::EvidenceResponse {
    let mut resp = samples::evidence_response(v);
    let one = resp.items[0].clone();
    resp.items = (0..n)
        .map(|i| {
            let mut item = one.clone();
            if v.is_v2() {
                item.package_id = format!("urn:uuid:00000000-0000-4000-8000-{i:012}");
            }
            item.object_id = format!("urn:uuid:00000000-0000-4000-9000-{i:012}");
            item.content_id = format!("part-{i}@example.org");
            item.evidence.identifier = format!("evidence-{i}");
            item
        })
        .collect();
    resp
}

/// Several evidences for one subject: 1.x one `ExtrinsicObjectType` per evidence in the
/// flat list (R-EDM-RESP-S015, S033–S035); 2.0 one package per evidence at the top level
/// (R-EDM-RESP-S066), each with one nested list holding its MainEvidence (S046, S047).
#[test]
fn several_evidences_round_trip_one_object_or_package_each() {
    for v in VERSIONS {
        for n in [2, 20] {
            let resp = several(v, n);
            let xml = write_response(&resp);
            assert_canonical(&xml);
            let packages = xml.matches("rim:RegistryPackageType").count();
            let objects = xml.matches("rim:ExtrinsicObjectType").count();
            let refs = xml.matches("<rim:RepositoryItemRef ").count();
            let metadata = xml.matches("name=\"EvidenceMetadata\"").count();
            assert_eq!((objects, refs, metadata), (n, n, n), "{v}");
            if v.is_v2() {
                assert_eq!(packages, n, "{v}");
                // Each package: exactly one nested list (S046) with one MainEvidence.
                assert_eq!(
                    xml.matches("<rim:RegistryObjectList>").count(),
                    n + 1,
                    "{v}"
                );
                assert_eq!(
                    xml.matches("classificationNode=\"MainEvidence\"").count(),
                    n
                );
            } else {
                assert_eq!(packages, 0, "{v}");
                assert_eq!(xml.matches("<rim:RegistryObjectList>").count(), 1, "{v}");
            }
            let QueryResponse::Evidence(back) =
                parse_response(xml.as_bytes(), &XmlLimits::default()).unwrap()
            else {
                panic!("{v}: evidence response expected")
            };
            assert_eq!(back, resp, "{v}");
        }
    }
}
