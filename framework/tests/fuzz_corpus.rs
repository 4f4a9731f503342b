//! Replays the fuzz corpora kept in `framework/fuzz/corpus/<target>/` through the same
//! harnesses the cargo-fuzz targets use (`framework/fuzz/fuzz_targets/harness.rs`): no
//! input may panic, and each must be handled well within a time bound. Runs in a plain
//! `cargo test`, no fuzzer needed.
//!
//! Two ignored tests maintain the fuzzing material (see `framework/fuzz/README.md`):
//! `fuzz_keys` regenerates the FUZZING-ONLY test PKI and `fuzz_seeds` writes the seed
//! inputs (real sealed AS4 messages, EDM samples) into the corpus folders.

#[path = "../fuzz/fuzz_targets/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Generous bound for one input in a debug build (the fuzzer's own timeout is far lower
/// on a release build).
const PER_INPUT: Duration = Duration::from_secs(2);
/// How long the watchdog waits for one input before calling it a hang.
const HANG: Duration = Duration::from_secs(30);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join("corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Feeds every corpus file of `target` to `harness` on a worker thread (8 MiB of stack,
/// as libFuzzer's main thread has); fails on a panic, a slow input or a hang, naming the
/// file. Returns how many inputs the parser accepted.
fn replay(target: &'static str, harness: fn(&[u8]) -> bool) -> usize {
    let files = corpus_files(target);
    assert!(!files.is_empty(), "corpus/{target} is empty");
    let (tx, rx) = mpsc::channel::<(PathBuf, Result<bool, String>, Duration)>();
    let worker_files = files.clone();
    let worker = std::thread::Builder::new()
        .name(format!("replay-{target}"))
        .stack_size(8 << 20)
        .spawn(move || {
            for file in worker_files {
                let data = std::fs::read(&file).expect("read corpus file");
                let started = Instant::now();
                let outcome = std::panic::catch_unwind(|| harness(&data)).map_err(|payload| {
                    payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "non-string panic".to_owned())
                });
                if tx.send((file, outcome, started.elapsed())).is_err() {
                    return;
                }
            }
        })
        .expect("spawn replay thread");

    let mut accepted = 0;
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, PathBuf::new());
    for _ in 0..files.len() {
        let (file, outcome, elapsed) = rx.recv_timeout(HANG).unwrap_or_else(|_| {
            panic!("corpus/{target}: an input did not finish within {HANG:?} (hang?)")
        });
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        match outcome {
            Ok(ok) => accepted += usize::from(ok),
            Err(message) => failures.push(format!("{name}: panicked: {message}")),
        }
        if elapsed > PER_INPUT {
            failures.push(format!("{name}: took {elapsed:?} (bound {PER_INPUT:?})"));
        }
        if elapsed > slowest.0 {
            slowest = (elapsed, file.clone());
        }
    }
    worker.join().expect("replay thread");
    println!(
        "corpus/{target}: {} inputs, {accepted} accepted, slowest {:?} ({})",
        files.len(),
        slowest.0,
        slowest.1.file_name().unwrap_or_default().to_string_lossy()
    );
    assert!(
        failures.is_empty(),
        "corpus/{target}:\n{}",
        failures.join("\n")
    );
    accepted
}

#[test]
fn mime_parse_corpus() {
    let accepted = replay("mime_parse", harness::mime_parse);
    assert!(
        accepted > 0,
        "no mime_parse corpus input is a valid message"
    );
}

#[test]
fn soap_open_corpus() {
    // The seeds are sealed with the fixed fuzzing PKI: some must open all the way.
    let accepted = replay("soap_open", harness::soap_open);
    assert!(
        accepted > 0,
        "no soap_open corpus input opens (keys changed?)"
    );
}

#[test]
fn edm_request_corpus() {
    let accepted = replay("edm_request", harness::edm_request);
    assert!(
        accepted > 0,
        "no edm_request corpus input is a valid request"
    );
}

#[test]
fn edm_response_corpus() {
    let accepted = replay("edm_response", harness::edm_response);
    assert!(
        accepted > 0,
        "no edm_response corpus input is a valid response"
    );
}

/// The harness's input layouts round-trip (what the seed writer relies on).
#[test]
fn harness_layouts_round_trip() {
    let data = harness::encode_mime("multipart/related; boundary=b", b"--b\r\nx\n");
    let (ct, body) = harness::split_mime(&data);
    assert_eq!(ct, "multipart/related; boundary=b");
    assert_eq!(body, b"--b\r\nx\n");
    let (ct, body) = harness::split_mime(&[b'a'; 600]);
    assert_eq!(ct.len(), harness::MAX_CONTENT_TYPE);
    assert_eq!(body.len(), 600 - harness::MAX_CONTENT_TYPE);

    let data = harness::encode_soap(true, true, b"<e/>", &[b"one", b"\0two"]);
    let input = harness::split_soap(&data);
    assert_eq!(input.soap, "<e/>");
    assert!(input.policy.require_encryption && input.policy.require_signature);
    assert_eq!(input.parts.len(), 2);
    assert_eq!(input.parts[0].content_id, harness::REGREP_CID);
    assert_eq!(input.parts[0].content_type, "application/x-ebrs+xml");
    assert_eq!(input.parts[0].bytes, b"one");
    assert_eq!(input.parts[1].content_id, harness::EVIDENCE_CID);
    assert_eq!(input.parts[1].bytes, b"\0two");
    let input = harness::split_soap(&harness::encode_soap(false, false, b"<e/>", &[b"x\0y"]));
    assert!(!input.policy.require_encryption);
    assert_eq!(input.parts.len(), 1);
    assert_eq!(input.parts[0].content_type, "application/octet-stream");
    assert_eq!(input.parts[0].bytes, b"x\0y");
    assert!(harness::split_soap(&[]).parts.is_empty());
}

// ---------------------------------------------------------------------------------------
// Maintenance (ignored): keys and seeds.

/// Regenerates the FUZZING-ONLY PKI in `framework/fuzz/keys/`. Every sealed seed must be
/// rewritten afterwards (`fuzz_seeds`), and the soap_open corpus minimised again.
///
/// `cargo test -p oots-framework --test fuzz_corpus -- --ignored fuzz_keys`
#[test]
#[ignore = "maintenance: rewrites framework/fuzz/keys"]
fn fuzz_keys() {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let dir = fuzz_dir().join("keys");
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "FUZZING ONLY - OOTS test CA");
    let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    std::fs::write(dir.join("fuzz-only-ca.cert.pem"), ca.pem()).expect("write CA");
    for (who, cn) in [
        ("sender", "FUZZING ONLY - AP_SENDER"),
        ("receiver", "FUZZING ONLY - AP_RECEIVER"),
    ] {
        let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("leaf key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, cn);
        let cert = params.signed_by(&key, &issuer).expect("leaf certificate");
        std::fs::write(
            dir.join(format!("fuzz-only-{who}.key.pem")),
            key.serialize_pem(),
        )
        .expect("write key");
        std::fs::write(dir.join(format!("fuzz-only-{who}.cert.pem")), cert.pem())
            .expect("write certificate");
    }
}

const EBMS_NS: &str = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/";

fn messaging(attrs: &str) -> String {
    format!(
        "<eb:Messaging xmlns:eb=\"{EBMS_NS}\" {attrs}><eb:UserMessage><eb:MessageInfo><eb:Timestamp>2026-11-24T10:00:00Z</eb:Timestamp><eb:MessageId>fuzz@oots.example</eb:MessageId></eb:MessageInfo><eb:PartyInfo><eb:From><eb:PartyId type=\"urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots\">AP_SENDER</eb:PartyId><eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role></eb:From><eb:To><eb:PartyId type=\"urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots\">AP_RECEIVER</eb:PartyId><eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role></eb:To></eb:PartyInfo><eb:CollaborationInfo><eb:Service type=\"urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0\">QueryManager</eb:Service><eb:Action>ExecuteQueryRequest</eb:Action><eb:ConversationId>c1</eb:ConversationId></eb:CollaborationInfo><eb:PayloadInfo><eb:PartInfo href=\"cid:{}\"/><eb:PartInfo href=\"cid:{}\"/></eb:PayloadInfo></eb:UserMessage></eb:Messaging>",
        harness::REGREP_CID,
        harness::EVIDENCE_CID
    )
}

fn receipt_messaging(attrs: &str) -> String {
    format!(
        "<eb:Messaging xmlns:eb=\"{EBMS_NS}\" {attrs}><eb:SignalMessage><eb:MessageInfo><eb:Timestamp>2026-11-24T10:00:01Z</eb:Timestamp><eb:MessageId>receipt@oots.example</eb:MessageId><eb:RefToMessageId>fuzz@oots.example</eb:RefToMessageId></eb:MessageInfo><eb:Receipt><ebbp:NonRepudiationInformation xmlns:ebbp=\"http://docs.oasis-open.org/ebxml-bp/ebbp-signals-2.0\"></ebbp:NonRepudiationInformation></eb:Receipt></eb:SignalMessage></eb:Messaging>"
    )
}

fn write_seed(target: &str, name: &str, bytes: &[u8]) {
    let path = fuzz_dir()
        .join("corpus")
        .join(target)
        .join(format!("seed-{name}"));
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let p = entry.expect("dir entry").path();
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

fn root_local_name(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let doc = roxmltree::Document::parse(text.trim_start_matches('\u{feff}')).ok()?;
    Some(doc.root_element().tag_name().name().to_owned())
}

/// A short, file-name-safe name for a seed taken from `path`.
fn seed_name(prefix: &str, path: &Path) -> String {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let clean: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{prefix}-{}", clean.trim_matches('-'))
}

/// Writes seed inputs into `framework/fuzz/corpus/<target>/seed-*`: real AS4 messages
/// sealed with the FUZZING-ONLY PKI (signed; signed and encrypted; a signed receipt; key
/// references by token, issuer-serial and subject key identifier), their MIME packaging,
/// and the EDM samples of `shared/oots-spec`, the goldens and `edm::samples`.
///
/// `cargo test -p oots-framework --test fuzz_corpus -- --ignored fuzz_seeds`
#[test]
#[ignore = "maintenance: writes seed files into framework/fuzz/corpus"]
fn fuzz_seeds() {
    use base64::Engine as _;
    use oots_devkit::samples;
    use oots_framework::edm::{self, EdmVersion, ErrorCode};
    use oots_framework::gateway::as4::mime;
    use oots_framework::gateway::as4::wss::{self, Attachment, Seal};

    let pki = harness::pki();
    let regrep = edm::write_request(&samples::natural_person_request(EdmVersion::V2_0));
    let evidence: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj<</Type/Catalog>>endobj\n"
        .iter()
        .copied()
        .chain((0u8..=255).cycle().take(200))
        .collect();
    let attachments = |xml_type: bool| {
        vec![
            Attachment {
                content_id: harness::REGREP_CID.into(),
                content_type: if xml_type {
                    "application/x-ebrs+xml".into()
                } else {
                    "application/octet-stream".into()
                },
                bytes: regrep.clone().into_bytes(),
            },
            Attachment {
                content_id: harness::EVIDENCE_CID.into(),
                content_type: "application/pdf".into(),
                bytes: evidence.clone(),
            },
        ]
    };
    let seal = |encrypt: bool, parts: Vec<Attachment>| {
        wss::seal(
            &Seal {
                credentials: &pki.sender,
                encrypt_for: encrypt.then(|| pki.receiver.certificate()),
            },
            messaging,
            parts,
        )
        .expect("seal")
    };
    let bodies = |sealed: &wss::Sealed| -> Vec<Vec<u8>> {
        sealed.parts.iter().map(|p| p.bytes.clone()).collect()
    };
    let refs = |v: &[Vec<u8>]| -> Vec<Vec<u8>> { v.to_vec() };

    // soap_open: each seed must open with the harness (checked below).
    let signed = seal(false, attachments(true));
    let signed_parts = bodies(&signed);
    let encrypted = seal(true, attachments(true));
    let encrypted_parts = bodies(&encrypted);
    let signed_one = seal(false, attachments(true).into_iter().take(1).collect());
    let receipt = wss::seal(
        &Seal {
            credentials: &pki.sender,
            encrypt_for: None,
        },
        receipt_messaging,
        Vec::new(),
    )
    .expect("seal receipt");
    let as_slices = |v: &[Vec<u8>]| -> Vec<Vec<u8>> { refs(v) };
    let soap_seeds: Vec<(&str, Vec<u8>, bool)> = {
        let enc = |req_enc: bool, xml: bool, soap: &[u8], parts: &[Vec<u8>]| {
            let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            harness::encode_soap(req_enc, xml, soap, &parts)
        };
        // The signing key referenced by issuer-serial and by SKI instead of a token
        // (KeyInfo is outside SignedInfo, so the signature still verifies).
        let signed_text = String::from_utf8(signed.envelope.clone()).expect("UTF-8");
        let (_, cert) = x509_parser::parse_x509_certificate(pki.sender.certificate().der())
            .expect("sender certificate");
        let serial = cert.serial.to_str_radix(10);
        let ski = cert
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => {
                    Some(k.0.to_vec())
                }
                _ => None,
            });
        let key_info = |replacement: &str| {
            let start = signed_text.rfind("<ds:KeyInfo>").expect("KeyInfo");
            let end = signed_text.rfind("</ds:KeyInfo>").expect("/KeyInfo") + "</ds:KeyInfo>".len();
            format!(
                "{}<ds:KeyInfo>{replacement}</ds:KeyInfo>{}",
                &signed_text[..start],
                &signed_text[end..]
            )
            .into_bytes()
        };
        let by_serial = key_info(&format!(
            "<wsse:SecurityTokenReference><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>CN=FUZZING ONLY - OOTS test CA</ds:X509IssuerName><ds:X509SerialNumber>{serial}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference>"
        ));
        let mut seeds = vec![
            (
                "signed-2parts",
                enc(false, true, &signed.envelope, &as_slices(&signed_parts)),
                true,
            ),
            (
                "signed-encrypted-2parts",
                enc(
                    true,
                    false,
                    &encrypted.envelope,
                    &as_slices(&encrypted_parts),
                ),
                true,
            ),
            (
                "signed-1part",
                enc(false, true, &signed_one.envelope, &bodies(&signed_one)),
                true,
            ),
            (
                "signed-receipt",
                enc(true, false, &receipt.envelope, &[]),
                true,
            ),
            (
                "signed-issuer-serial",
                enc(false, true, &by_serial, &as_slices(&signed_parts)),
                true,
            ),
        ];
        if let Some(ski) = ski {
            let by_ski = key_info(&format!(
                "<wsse:SecurityTokenReference><wsse:KeyIdentifier EncodingType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary\" ValueType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier\">{}</wsse:KeyIdentifier></wsse:SecurityTokenReference>",
                base64::engine::general_purpose::STANDARD.encode(ski)
            ));
            seeds.push((
                "signed-ski",
                enc(false, true, &by_ski, &as_slices(&signed_parts)),
                true,
            ));
        }
        // Refusals: signed-only under an encryption policy, an unsigned envelope.
        seeds.push((
            "signed-but-encryption-required",
            enc(true, true, &signed.envelope, &as_slices(&signed_parts)),
            false,
        ));
        seeds.push((
            "unsigned",
            enc(
                false,
                false,
                format!(
                    "<S12:Envelope xmlns:S12=\"{}\"><S12:Header>{}</S12:Header><S12:Body/></S12:Envelope>",
                    wss::SOAP12_NS,
                    messaging("")
                )
                .as_bytes(),
                &[],
            ),
            false,
        ));
        seeds
    };
    for (name, bytes, opens) in &soap_seeds {
        assert_eq!(harness::soap_open(bytes), *opens, "soap_open seed {name}");
        write_seed("soap_open", name, bytes);
    }

    // mime_parse: the sealed messages as they travel, plus hand-written shapes.
    let package = |sealed: &wss::Sealed| {
        let parts: Vec<mime::Part> = sealed
            .parts
            .iter()
            .map(|p| mime::Part {
                content_id: p.content_id.clone(),
                content_type: p.content_type.clone(),
                body: p.bytes.clone(),
            })
            .collect();
        let (ct, body) = mime::write(&sealed.envelope, &parts);
        harness::encode_mime(&ct, &body)
    };
    let mut mime_seeds = vec![
        ("as4-signed", package(&signed)),
        ("as4-encrypted", package(&encrypted)),
        ("as4-receipt-multipart", package(&receipt)),
        (
            "soap-only",
            harness::encode_mime("application/soap+xml; charset=UTF-8", &receipt.envelope),
        ),
    ];
    mime_seeds.push((
        "phase4-shape",
        harness::encode_mime(
            "multipart/related; type=\"application/soap+xml\"; boundary=\"----=_Part_0_1\"",
            b"------=_Part_0_1\r\nContent-Type: application/soap+xml; charset=UTF-8\r\n\
              Content-Transfer-Encoding: binary\r\n\r\n\xEF\xBB\xBF<S12:Envelope xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\"/>\r\n\
              ------=_Part_0_1\r\nContent-Type: application/octet-stream\r\n\
              Content-Transfer-Encoding: binary\r\nContent-ID: <regrep@oots.example>\r\n\r\n\
              \x00\x01\r\n\xFFbytes\r\n------=_Part_0_1--\r\n",
        ),
    ));
    mime_seeds.push((
        "start-base64-folded-lf",
        harness::encode_mime(
            "Multipart/Related; start=\"<root@x>\"; boundary=b1; type=\"application/soap+xml\"",
            b"preamble\n--b1\nContent-Type: application/gzip;\n\tname=\"p.gz\"\n\
              Content-Transfer-Encoding: BASE64\nContent-ID:\n <cid:p@x>\n\n\
              aGVsbG8g\nd29ybGQ=\n--b1 \t\nContent-Type: application/xop+xml\n\
              Content-ID: <root@x>\n\n<e/>\n--b1--\nepilogue",
        ),
    ));
    for (name, bytes) in &mime_seeds {
        assert!(harness::mime_parse(bytes), "mime_parse seed {name}");
        write_seed("mime_parse", name, bytes);
    }

    // EDM: every request / response sample, the goldens, our own writer's output.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = std::env::var_os("OOTS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("../shared"));
    let mut xml_files = files_under(&shared.join("oots-spec"));
    xml_files.extend(files_under(&workspace.join("examples")));
    xml_files.extend(files_under(&workspace.join("mappings")));
    let (mut requests, mut responses) = (0, 0);
    for path in xml_files {
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read sample");
        if bytes.len() > 64 * 1024 {
            continue;
        }
        let prefix = if path.starts_with(shared.join("oots-spec")) {
            "spec"
        } else {
            "golden"
        };
        match root_local_name(&bytes).as_deref() {
            Some("QueryRequest") => {
                requests += 1;
                write_seed("edm_request", &seed_name(prefix, &path), &bytes);
            }
            Some("QueryResponse") => {
                responses += 1;
                write_seed("edm_response", &seed_name(prefix, &path), &bytes);
            }
            // Real SOAP envelopes (Domibus WS-plugin answers) and ebMS headers.
            Some("Envelope" | "Messaging") => {
                let input = harness::encode_soap(false, false, &bytes, &[]);
                write_seed("soap_open", &seed_name(prefix, &path), &input);
            }
            _ => {}
        }
    }
    for v in EdmVersion::ALL {
        let tag = v.spec_id().replace(':', "-").replace('.', "_");
        let natural = edm::write_request(&samples::natural_person_request(v));
        let legal = edm::write_request(&samples::legal_person_request(v));
        assert!(harness::edm_request(natural.as_bytes()), "{tag} natural");
        write_seed(
            "edm_request",
            &format!("samples-natural-{tag}"),
            natural.as_bytes(),
        );
        write_seed(
            "edm_request",
            &format!("samples-legal-{tag}"),
            legal.as_bytes(),
        );
        let response = edm::write_response(&samples::evidence_response(v));
        assert!(harness::edm_response(response.as_bytes()), "{tag} response");
        write_seed(
            "edm_response",
            &format!("samples-evidence-{tag}"),
            response.as_bytes(),
        );
        let error = edm::write_error(&samples::error_response(v, ErrorCode::ObjectNotFound));
        write_seed(
            "edm_response",
            &format!("samples-error-{tag}"),
            error.as_bytes(),
        );
    }
    println!("seeds: {requests} request and {responses} response samples from files");
}
