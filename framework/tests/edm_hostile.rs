//! Hostile inputs: each returns a clean `RequestError`/`EdmError` quickly, never a panic.

use std::time::{Duration, Instant};

use oots_devkit::samples;
use oots_framework::edm::{
    EdmError, EdmVersion, RequestError, RequestErrorKind, XmlLimits, parse_request, parse_response,
    write_request,
};

const QUICK: Duration = Duration::from_secs(3);

fn refused(input: &[u8]) -> RequestError {
    let start = Instant::now();
    let err =
        parse_request(input, &XmlLimits::default()).expect_err("hostile input must be refused");
    assert!(start.elapsed() < QUICK, "took {:?}", start.elapsed());
    assert!(
        matches!(
            err.kind,
            RequestErrorKind::Hostile { .. } | RequestErrorKind::Malformed(_)
        ),
        "{err:?}"
    );
    assert!(!err.detail().is_empty());
    // The response reader applies the same hardening.
    assert!(matches!(
        parse_response(input, &XmlLimits::default()),
        Err(EdmError::Hostile { .. } | EdmError::Malformed(_))
    ));
    err
}

fn hostile_limit(err: &RequestError) -> &'static str {
    match err.kind {
        RequestErrorKind::Hostile { limit } => limit,
        _ => panic!("expected a hardening refusal, got {err:?}"),
    }
}

#[test]
fn billion_laughs_is_refused() {
    let mut doc =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]>\n<query:QueryRequest xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\">&lol9;</query:QueryRequest>");
    assert_eq!(hostile_limit(&refused(doc.as_bytes())), "dtd");
}

#[test]
fn external_entity_is_never_resolved() {
    let doc = r#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" id="urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797">&x;</query:QueryRequest>"#;
    let err = refused(doc.as_bytes());
    assert_eq!(hostile_limit(&err), "dtd");
    let everything = format!("{err:?} {} {err}", err.detail());
    assert!(!everything.contains("root:"), "passwd content leaked");
    assert!(!everything.contains("/bin/"), "passwd content leaked");
    let resp = format!(
        "{:?}",
        parse_response(doc.as_bytes(), &XmlLimits::default())
    );
    assert!(!resp.contains("root:") && !resp.contains("/bin/"));
}

#[test]
fn oversized_body_is_refused_before_parsing() {
    let mut doc = Vec::with_capacity(50 * 1024 * 1024 + 16);
    doc.extend_from_slice(b"<a>");
    doc.resize(50 * 1024 * 1024, b'x');
    doc.extend_from_slice(b"</a>");
    assert_eq!(hostile_limit(&refused(&doc)), "max_bytes");
}

#[test]
fn deep_nesting_is_refused() {
    let doc = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    assert_eq!(hostile_limit(&refused(doc.as_bytes())), "max_depth");
}

#[test]
fn deep_nesting_without_depth_limit_does_not_recurse() {
    // Even with the depth limit switched off nothing recurses along the input.
    let limits = XmlLimits {
        max_depth: usize::MAX,
        ..XmlLimits::default()
    };
    let doc = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let err = parse_request(doc.as_bytes(), &limits).expect_err("not a QueryRequest");
    assert_eq!(err.rule(), Some("R-EDM-REQ-S001"));
}

#[test]
fn many_attributes_are_refused() {
    let attrs: String = (0..10_000).map(|i| format!(" a{i}=\"v\"")).collect();
    let doc = format!(
        "<query:QueryRequest xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\"{attrs}/>"
    );
    assert_eq!(hostile_limit(&refused(doc.as_bytes())), "max_attributes");
}

#[test]
fn too_many_nodes_are_refused() {
    let doc = format!("<a>{}</a>", "<b/>".repeat(250_000));
    assert_eq!(hostile_limit(&refused(doc.as_bytes())), "max_nodes");
}

#[test]
fn invalid_utf8_is_malformed() {
    let mut doc = write_request(&samples::natural_person_request(EdmVersion::V2_0)).into_bytes();
    let at = doc.len() / 2;
    doc[at] = 0xff;
    doc[at + 1] = 0xfe;
    assert!(matches!(refused(&doc).kind, RequestErrorKind::Malformed(_)));
}

#[test]
fn truncated_document_is_malformed_and_keeps_the_request_id() {
    let req = samples::natural_person_request(EdmVersion::V2_0);
    let doc = write_request(&req);
    let err = refused(&doc.as_bytes()[..doc.len() / 2]);
    assert!(matches!(err.kind, RequestErrorKind::Malformed(_)));
    assert_eq!(err.request_id.as_deref(), Some(req.id.as_str()));
    assert!(
        !err.detail().contains("Example-Müller"),
        "no personal data in details"
    );
}

#[test]
fn empty_blank_and_binary_inputs_are_malformed() {
    for input in [
        &b""[..],
        b"   \n\t",
        b"\x00\x01\x02\x03\xff\xfe",
        b"%PDF-1.3\n%\xe2\xe3",
        b"<",
        b"<a",
        b"</a>",
    ] {
        let err = refused(input);
        assert!(
            matches!(err.kind, RequestErrorKind::Malformed(_)),
            "{input:?}: {err:?}"
        );
        assert!(err.request_id.is_none());
    }
}

#[test]
fn every_prefix_of_a_valid_request_is_handled() {
    // Cheap fuzzing: all truncations of a real message give a clean result.
    let doc = write_request(&samples::legal_person_request(EdmVersion::V1_2));
    let bytes = doc.as_bytes();
    let complete = doc.trim_end().len();
    for end in (0..complete).step_by(7) {
        let r = parse_request(&bytes[..end], &XmlLimits::default());
        assert!(r.is_err(), "a strict prefix cannot be a complete request");
    }
    assert!(parse_request(bytes, &XmlLimits::default()).is_ok());
}

#[test]
fn random_byte_mutations_never_panic() {
    // Deterministic cheap fuzzing over requests, responses and errors of both lines.
    let seeds = [
        write_request(&samples::legal_person_request(EdmVersion::V1_0)),
        write_request(&samples::natural_person_request(EdmVersion::V2_0)),
        oots_framework::edm::write_response(&samples::evidence_response(EdmVersion::V2_0)),
        oots_framework::edm::write_error(&samples::error_response(
            EdmVersion::V1_2,
            oots_framework::edm::ErrorCode::MissingAuthorization,
        )),
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet: &[&[u8]] = &[
        b"<",
        b">",
        b"\"",
        b"'",
        b"/",
        b"&",
        b":",
        b"-",
        b"\xc3\xa9",
        b"\xff",
        b"\x00",
        b"<!--",
        b"]]>",
        b"a",
    ];
    for seed in &seeds {
        for _ in 0..500 {
            let mut doc = seed.as_bytes().to_vec();
            for _ in 0..(1 + next() % 4) {
                let at = (next() as usize) % doc.len();
                let piece = alphabet[(next() as usize) % alphabet.len()];
                let cut = (next() as usize % 3).min(doc.len() - at);
                doc.splice(at..at + cut, piece.iter().copied());
            }
            let r = parse_request(&doc, &XmlLimits::default());
            if let Err(e) = r {
                assert!(!e.detail().is_empty());
            }
            let _ = parse_response(&doc, &XmlLimits::default());
        }
    }
}
