//! Round trips, the shapes real senders use, refusals with their codes, and hostile input.

use super::*;

fn limits() -> MimeLimits {
    MimeLimits::default()
}

const ENVELOPE: &[u8] = b"<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\"/>";

fn as4_style_message() -> (String, Vec<u8>) {
    let content_type = "multipart/related; boundary=\"===============123==\"; \
                        type=\"application/soap+xml\""
        .to_owned();
    let mut body = Vec::new();
    body.extend_from_slice(b"--===============123==\r\n");
    body.extend_from_slice(b"Content-Type: application/soap+xml; charset=UTF-8\r\n");
    body.extend_from_slice(b"MIME-Version: 1.0\r\n\r\n");
    body.extend_from_slice(b"\xEF\xBB\xBF");
    body.extend_from_slice(ENVELOPE);
    body.extend_from_slice(b"\r\n--===============123==\r\n");
    body.extend_from_slice(b"Content-Type: application/octet-stream\r\n");
    body.extend_from_slice(b"Content-Transfer-Encoding: binary\r\n");
    body.extend_from_slice(b"Content-ID: <regrep@oots.example>\r\n\r\n");
    body.extend_from_slice(b"\x00\x01\r\n\xFFbytes");
    body.extend_from_slice(b"\r\n--===============123==--\r\n");
    (content_type, body)
}

#[test]
fn round_trip_preserves_parts_ids_and_order() {
    let xml = Part {
        content_id: "regrep@oots.example".into(),
        content_type: "application/x-ebrs+xml".into(),
        body: b"<query:QueryRequest/>".to_vec(),
    };
    let mut binary = b"\r\n--MIMEBoundary_\r\n--\r\n\x00\xFF".to_vec();
    binary.extend((0..=255u8).cycle().take(5000));
    binary.extend_from_slice(b"\r\n");
    let binary = Part {
        content_id: "evidence@oots.example".into(),
        content_type: "application/octet-stream".into(),
        body: binary,
    };
    let (content_type, body) = write(ENVELOPE, &[xml.clone(), binary.clone()]);
    assert!(content_type.starts_with("multipart/related; boundary=\"MIMEBoundary_"));
    assert!(content_type.contains("type=\"application/soap+xml\""));
    assert!(!content_type.contains("start="));
    let parsed = parse(&content_type, &body, &limits()).unwrap();
    assert_eq!(parsed.soap, ENVELOPE);
    assert_eq!(parsed.parts, vec![xml, binary]);
}

#[test]
fn round_trip_with_empty_bodies_and_no_parts() {
    let (ct, body) = write(b"", &[]);
    let parsed = parse(&ct, &body, &limits()).unwrap();
    assert!(parsed.soap.is_empty());
    assert!(parsed.parts.is_empty());

    let empty = Part {
        content_id: "empty@x".into(),
        content_type: "application/octet-stream".into(),
        body: Vec::new(),
    };
    let (ct, body) = write(ENVELOPE, std::slice::from_ref(&empty));
    let parsed = parse(&ct, &body, &limits()).unwrap();
    assert_eq!(parsed.parts, vec![empty]);
}

#[test]
fn write_drops_control_characters_from_headers() {
    let part = Part {
        content_id: "a@x>\r\nX-Injected: 1".into(),
        content_type: "text/plain\r\nContent-ID: <evil@x>".into(),
        body: b"hello".to_vec(),
    };
    let (ct, body) = write(ENVELOPE, &[part]);
    let parsed = parse(&ct, &body, &limits()).unwrap();
    assert_eq!(parsed.parts.len(), 1);
    assert!(!String::from_utf8_lossy(&body).contains("\nX-Injected"));
}

#[test]
fn parses_pypi_as4_and_phase4_shape() {
    let (ct, body) = as4_style_message();
    let parsed = parse(&ct, &body, &limits()).unwrap();
    // The BOM is left for the XML layer.
    assert!(parsed.soap.starts_with(b"\xEF\xBB\xBF<S12:Envelope"));
    assert!(parsed.soap.ends_with(b"/>"));
    assert_eq!(parsed.parts.len(), 1);
    let part = &parsed.parts[0];
    assert_eq!(part.content_id, "regrep@oots.example");
    assert_eq!(part.content_type, "application/octet-stream");
    assert_eq!(part.body, b"\x00\x01\r\n\xFFbytes");
}

#[test]
fn accepts_bare_soap_body_without_attachments() {
    let parsed = parse(
        "application/soap+xml; charset=UTF-8; action=\"\"",
        ENVELOPE,
        &limits(),
    )
    .unwrap();
    assert_eq!(parsed.soap, ENVELOPE);
    assert!(parsed.parts.is_empty());
}

#[test]
fn start_parameter_selects_the_soap_part() {
    // The root comes second and is typed generically: only `start` finds it.
    let ct = "Multipart/Related; type=\"application/soap+xml\"; \
              start=\"<root@x>\"; boundary=b1";
    let body = b"preamble to ignore\r\n\
        --b1\r\n\
        Content-Type: application/soap+xml\r\n\
        Content-ID: <other@x>\r\n\
        \r\n\
        <not-the-root/>\r\n\
        --b1\r\n\
        content-type: application/xop+xml; type=\"application/soap+xml\"\r\n\
        CONTENT-ID: <root@x>\r\n\
        \r\n\
        <root/>\r\n\
        --b1--\r\nepilogue";
    let parsed = parse(ct, body, &limits()).unwrap();
    assert_eq!(parsed.soap, b"<root/>");
    assert_eq!(parsed.parts.len(), 1);
    assert_eq!(parsed.parts[0].content_id, "other@x");

    // A `start` naming no part falls back to the first SOAP-typed part.
    let ct = "multipart/related; boundary=b1; start=\"<missing@x>\"";
    let parsed = parse(ct, body, &limits()).unwrap();
    assert_eq!(parsed.soap, b"<not-the-root/>");
    assert_eq!(parsed.parts[0].content_id, "root@x");
}

#[test]
fn decodes_base64_parts_and_folded_headers() {
    let ct = "multipart/related; boundary=\"b\"";
    let body = b"--b\r\n\
        Content-Type: application/soap+xml\r\n\
        \r\n\
        <e/>\r\n\
        --b\r\n\
        Content-Type: application/gzip;\r\n\
        \tname=\"payload.gz\"\r\n\
        Content-Transfer-Encoding: BASE64\r\n\
        Content-ID:\r\n <cid:payload@x>\r\n\
        \r\n\
        aGVsbG8g\r\nd29ybGQ=\r\n\
        --b--";
    let parsed = parse(ct, body, &limits()).unwrap();
    assert_eq!(parsed.soap, b"<e/>");
    let part = &parsed.parts[0];
    assert_eq!(part.content_id, "payload@x");
    assert_eq!(part.content_type, "application/gzip; name=\"payload.gz\"");
    assert_eq!(part.body, b"hello world");
}

#[test]
fn accepts_lf_only_lines() {
    let ct = "multipart/related; boundary=lf";
    let body = b"--lf\n\
        Content-Type: application/soap+xml\n\
        \n\
        <e/>\n\
        --lf \t\n\
        Content-Type: text/plain\n\
        Content-ID: <t@x>\n\
        \n\
        line1\nline2\n\
        --lf--\n";
    let parsed = parse(ct, body, &limits()).unwrap();
    assert_eq!(parsed.soap, b"<e/>");
    assert_eq!(parsed.parts[0].body, b"line1\nline2");
}

#[test]
fn boundary_lookalikes_inside_content_are_content() {
    let ct = "multipart/related; boundary=b";
    let body = b"--b\r\n\
        Content-Type: application/soap+xml\r\n\
        \r\n\
        <e/>\r\n--bb\r\n--b-\r\n\
        --b\r\n\
        Content-ID: <x@x>\r\n\
        \r\n\
        --bx\r\n\
        --b--\r\n";
    let parsed = parse(ct, body, &limits()).unwrap();
    assert_eq!(parsed.soap, b"<e/>\r\n--bb\r\n--b-");
    assert_eq!(parsed.parts[0].body, b"--bx");
    assert_eq!(parsed.parts[0].content_type, DEFAULT_PART_TYPE);
}

#[test]
fn refusals_have_stable_codes() {
    let (ct, body) = as4_style_message();
    let code =
        |ct: &str, body: &[u8], limits: &MimeLimits| parse(ct, body, limits).unwrap_err().code();
    assert_eq!(code("text/xml", &body, &limits()), "MIME_NOT_MULTIPART");
    assert_eq!(code("", &body, &limits()), "MIME_NOT_MULTIPART");
    assert_eq!(
        code(
            "multipart/related; type=\"application/soap+xml\"",
            &body,
            &limits()
        ),
        "MIME_NO_BOUNDARY"
    );
    assert_eq!(
        code("multipart/related; boundary=\"\"", &body, &limits()),
        "MIME_NO_BOUNDARY"
    );

    let body_no_soap = String::from_utf8_lossy(&body)
        .replace("application/soap+xml; charset", "text/xml; charset")
        .into_bytes();
    assert_eq!(code(&ct, &body_no_soap, &limits()), "MIME_NO_SOAP_PART");
    assert_eq!(
        code("multipart/related; boundary=b", b"--b--\r\n", &limits()),
        "MIME_NO_SOAP_PART"
    );

    let few = MimeLimits {
        max_parts: 1,
        ..limits()
    };
    assert_eq!(code(&ct, &body, &few), "MIME_TOO_MANY_PARTS");

    let small = MimeLimits {
        max_total_bytes: body.len() - 1,
        ..limits()
    };
    assert_eq!(code(&ct, &body, &small), "MIME_TOO_LARGE");
    let short_headers = MimeLimits {
        max_header_bytes: 20,
        ..limits()
    };
    assert_eq!(code(&ct, &body, &short_headers), "MIME_TOO_LARGE");

    let dup = Part {
        content_id: "same@x".into(),
        content_type: "text/plain".into(),
        body: b"1".to_vec(),
    };
    let dup2 = Part {
        content_id: "SAME@x".into(),
        ..dup.clone()
    };
    let (dct, dbody) = write(ENVELOPE, &[dup, dup2]);
    assert_eq!(code(&dct, &dbody, &limits()), "MIME_DUPLICATE_CONTENT_ID");

    let unterminated = body.get(..body.len() - 30).unwrap();
    assert_eq!(code(&ct, unterminated, &limits()), "MIME_MALFORMED");
    assert_eq!(code(&ct, b"no delimiter here", &limits()), "MIME_MALFORMED");

    let bad64 = b"--b\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n\
        --b\r\nContent-ID: <p@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        not*base64!\r\n--b--";
    let err = parse("multipart/related; boundary=b", bad64, &limits()).unwrap_err();
    assert_eq!(err.code(), "MIME_BAD_BASE64");
    assert_eq!(err.ebms_code(), "EBMS:0007");

    let no_cid = b"--b\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--";
    assert_eq!(
        code("multipart/related; boundary=b", no_cid, &limits()),
        "MIME_MALFORMED"
    );
    let quoted_printable = b"--b\r\nContent-Type: application/soap+xml\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\n<e/>\r\n--b--";
    assert_eq!(
        code("multipart/related; boundary=b", quoted_printable, &limits()),
        "MIME_MALFORMED"
    );
}

#[test]
fn every_error_maps_to_mime_inconsistency() {
    let errors = [
        MimeError::NotMultipart("x".into()),
        MimeError::NoBoundary,
        MimeError::NoSoapPart,
        MimeError::TooLarge {
            what: "body",
            limit: 1,
        },
        MimeError::TooManyParts { limit: 1 },
        MimeError::Malformed("x"),
        MimeError::DuplicateContentId("x".into()),
        MimeError::BadBase64 {
            content_id: "x".into(),
        },
    ];
    for error in errors {
        assert_eq!(error.ebms_code(), "EBMS:0007");
        assert!(error.code().starts_with("MIME_"));
    }
}

#[test]
fn debug_hides_content() {
    let (ct, body) = as4_style_message();
    let parsed = parse(&ct, &body, &limits()).unwrap();
    let shown = format!("{parsed:?}");
    assert!(!shown.contains("Envelope"), "{shown}");
    assert!(shown.contains("regrep@oots.example"));
}

#[test]
fn pathological_bodies_stay_fast() {
    // Many near-miss delimiters: each costs a few bytes, not a boundary length.
    let boundary = "x".repeat(70);
    let ct = format!("multipart/related; boundary=\"{boundary}\"");
    let mut body = Vec::new();
    for _ in 0..200_000 {
        body.extend_from_slice(b"\n--");
        body.extend_from_slice(&boundary.as_bytes()[..69]);
    }
    let started = std::time::Instant::now();
    assert!(parse(&ct, &body, &limits()).is_err());
    let headers_only = vec![b'\n'; 1_000_000];
    assert!(parse(&ct, &headers_only, &limits()).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// Deterministic pseudo-fuzzing: byte flips, insertions and truncations of valid
/// messages must never panic.
#[test]
fn mutated_messages_never_panic() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let (ct, base) = as4_style_message();
    let b64 = b"--b\r\nContent-Type: application/soap+xml\r\n\r\n<e/>\r\n\
        --b\r\nContent-Type: application/gzip;\r\n\tname=x\r\nContent-ID: <p@x>\r\n\
        Content-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\n--b--\r\n"
        .to_vec();
    let seeds = [
        (ct, base),
        ("multipart/related; boundary=b".to_owned(), b64),
    ];
    let interesting: &[&[u8]] = &[b"\r\n", b"\n", b"--", b":", b"\"", b"--b", b" ", b"\r"];
    let small = MimeLimits {
        max_total_bytes: 1 << 20,
        max_parts: 3,
        max_header_bytes: 128,
    };
    let default = limits();
    let mut outcomes = [0usize; 2];
    for round in 0..2000 {
        let (ct, seed) = &seeds[round % seeds.len()];
        let mut body = seed.clone();
        let mut ct = ct.clone();
        for _ in 0..1 + next() % 4 {
            let len = body.len().max(1) as u64;
            let at = (next() % len) as usize;
            match next() % 6 {
                0 => {
                    if let Some(b) = body.get_mut(at) {
                        *b ^= 1 << (next() % 8);
                    }
                }
                1 => body.truncate(at),
                2 => {
                    let piece = interesting[(next() as usize) % interesting.len()];
                    let at = at.min(body.len());
                    body.splice(at..at, piece.iter().copied());
                }
                3 => {
                    let end = (at + (next() % 16) as usize).min(body.len());
                    body.drain(at.min(end)..end);
                }
                4 => {
                    let cut = (next() as usize) % (ct.len() + 1);
                    ct = ct.chars().take(cut).collect();
                }
                _ => {
                    if let Some(b) = body.get_mut(at) {
                        *b = (next() % 256) as u8;
                    }
                }
            }
        }
        let result = parse(&ct, &body, if round % 3 == 0 { &small } else { &default });
        outcomes[usize::from(result.is_ok())] += 1;
    }
    // The mutations must exercise both acceptance and refusal paths.
    assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
}
