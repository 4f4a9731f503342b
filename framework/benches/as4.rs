//! Throughput of native AS4 on this machine: sign + package + verify + unpack of a request
//! with a 100 KB PDF attachment, on one thread (per core), and the same with gzip and
//! encryption. With `AS4_PEER_PYTHON` and the shared peer scripts, the PyPI `as4` package
//! does the same work side by side (build + parse of the same message) for comparison.
//!
//! `cargo bench -p oots-framework --bench as4` prints one JSON line per measure.
//! Target (issue 6): ≥ 1,500 messages/s per core, and at least 10× the `as4` peer.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use oots_framework::gateway::as4::keys::{Credentials, TrustStore};
use oots_framework::gateway::as4::wss::{self, Attachment, Policy, Seal};
use oots_framework::gateway::as4::{compress, mime};

struct Pki {
    ca: String,
    sender: (String, String),
    receiver: (String, String),
}

fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Bench CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf = |cn: &str| {
        let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        let cert = p.signed_by(&key, &issuer).expect("leaf");
        (key.serialize_pem(), cert.pem())
    };
    Pki {
        ca: ca.pem(),
        sender: leaf("AP_SENDER"),
        receiver: leaf("AP_RECEIVER"),
    }
}

/// 100 KB of PDF-like bytes (a header, then pseudo-random content: a scanned page does
/// not compress much).
fn pdf() -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < 100 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(100 * 1024);
    out
}

const REGREP: &[u8] = br#"<query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" id="urn:uuid:0c9b8b8e-6a43-4b2c-9e8f-2f0a4b1c1d11"><query:Query queryDefinition="DocumentQuery"/></query:QueryRequest>"#;

fn messaging(attrs: &str) -> String {
    format!(
        "<eb:Messaging xmlns:eb=\"http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/\" {attrs}><eb:UserMessage><eb:MessageInfo><eb:Timestamp>2026-11-24T10:00:00Z</eb:Timestamp><eb:MessageId>bench@oots.example</eb:MessageId></eb:MessageInfo><eb:PartyInfo><eb:From><eb:PartyId type=\"urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots\">AP_SENDER</eb:PartyId><eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role></eb:From><eb:To><eb:PartyId type=\"urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots\">AP_RECEIVER</eb:PartyId><eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role></eb:To></eb:PartyInfo><eb:CollaborationInfo><eb:Service type=\"urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0\">QueryManager</eb:Service><eb:Action>ExecuteQueryRequest</eb:Action><eb:ConversationId>c1</eb:ConversationId></eb:CollaborationInfo><eb:PayloadInfo><eb:PartInfo href=\"cid:regrep@oots.example\"/><eb:PartInfo href=\"cid:evidence@oots.example\"/></eb:PayloadInfo></eb:UserMessage></eb:Messaging>"
    )
}

fn round_trip(
    sender: &Credentials,
    receiver: &Credentials,
    trust: &TrustStore,
    parts: &[(&str, &str, &[u8])],
    compress_and_encrypt: bool,
    now: u64,
) -> usize {
    let attachments = parts
        .iter()
        .map(|(cid, ct, bytes)| Attachment {
            content_id: (*cid).to_owned(),
            content_type: if compress_and_encrypt {
                "application/gzip".to_owned()
            } else {
                (*ct).to_owned()
            },
            bytes: if compress_and_encrypt {
                compress::gzip(bytes)
            } else {
                bytes.to_vec()
            },
        })
        .collect();
    let sealed = wss::seal(
        &Seal {
            credentials: sender,
            encrypt_for: compress_and_encrypt.then(|| receiver.certificate()),
        },
        messaging,
        attachments,
    )
    .expect("seals");
    let wire: Vec<mime::Part> = sealed
        .parts
        .into_iter()
        .map(|p| mime::Part {
            content_id: p.content_id,
            content_type: p.content_type,
            body: p.bytes,
        })
        .collect();
    let (content_type, body) = mime::write(&sealed.envelope, &wire);
    let packaged = mime::parse(&content_type, &body, &mime::MimeLimits::default()).expect("parses");
    let soap = String::from_utf8(packaged.soap).expect("utf-8");
    let parts = packaged
        .parts
        .into_iter()
        .map(|p| Attachment {
            content_id: p.content_id,
            content_type: p.content_type,
            bytes: p.body,
        })
        .collect();
    let opened = wss::open(
        &soap,
        parts,
        receiver,
        trust,
        &[],
        Policy {
            require_signature: true,
            require_encryption: compress_and_encrypt,
        },
        now,
    )
    .expect("opens");
    let mut total = 0;
    for p in opened.parts {
        total += if compress_and_encrypt {
            compress::gunzip(&p.bytes, 1 << 20).expect("gunzips").len()
        } else {
            p.bytes.len()
        };
    }
    total
}

fn main() {
    let p = pki();
    let sender =
        Credentials::from_pem(p.sender.0.as_bytes(), p.sender.1.as_bytes()).expect("creds");
    let receiver =
        Credentials::from_pem(p.receiver.0.as_bytes(), p.receiver.1.as_bytes()).expect("creds");
    let trust = TrustStore::from_pem(p.ca.as_bytes()).expect("trust");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let pdf = pdf();
    let parts: [(&str, &str, &[u8]); 2] = [
        ("regrep@oots.example", "application/x-ebrs+xml", REGREP),
        ("evidence@oots.example", "application/pdf", &pdf),
    ];
    // Where the time goes, per message (µs), for the closing note.
    {
        let time = |f: &mut dyn FnMut()| {
            let t = Instant::now();
            for _ in 0..200 {
                f();
            }
            t.elapsed().as_micros() / 200
        };
        let z = compress::gzip(&pdf);
        let att = vec![Attachment {
            content_id: "e@x".into(),
            content_type: "application/gzip".into(),
            bytes: z.clone(),
        }];
        let sealing = |enc: bool| Seal {
            credentials: &sender,
            encrypt_for: enc.then(|| receiver.certificate()),
        };
        let gzip_us = time(&mut || {
            std::hint::black_box(compress::gzip(&pdf));
        });
        let gunzip_us = time(&mut || {
            std::hint::black_box(compress::gunzip(&z, 1 << 20).ok());
        });
        let seal_us = time(&mut || {
            std::hint::black_box(wss::seal(&sealing(false), messaging, att.clone()).ok());
        });
        let seal_encrypted_us = time(&mut || {
            std::hint::black_box(wss::seal(&sealing(true), messaging, att.clone()).ok());
        });
        let s = wss::seal(&sealing(true), messaging, att.clone()).expect("seals");
        let soap = String::from_utf8(s.envelope.clone()).expect("utf-8");
        let policy = Policy {
            require_signature: true,
            require_encryption: true,
        };
        let open_encrypted_us = time(&mut || {
            std::hint::black_box(
                wss::open(&soap, s.parts.clone(), &receiver, &trust, &[], policy, now).ok(),
            );
        });
        println!(
            "{{\"measure\":\"as4_stages_us_100kb_pdf\",\"gzip\":{gzip_us},\"gunzip\":{gunzip_us},\"seal\":{seal_us},\"seal_encrypted\":{seal_encrypted_us},\"open_encrypted\":{open_encrypted_us}}}"
        );
    }
    let mut ours = 0.0;
    for (name, full, n) in [
        ("sign_package_verify_unpack", false, 3000),
        ("with_gzip_and_encryption", true, 600),
    ] {
        for _ in 0..50 {
            round_trip(&sender, &receiver, &trust, &parts, full, now);
        }
        let t = Instant::now();
        for _ in 0..n {
            let got = round_trip(&sender, &receiver, &trust, &parts, full, now);
            assert_eq!(got, REGREP.len() + pdf.len());
        }
        let secs = t.elapsed().as_secs_f64();
        let rate = n as f64 / secs;
        if full {
            ours = rate;
        }
        println!(
            "{{\"measure\":\"as4_{name}_100kb_pdf\",\"count\":{n},\"seconds\":{secs:.3},\"per_second_one_core\":{rate:.0}}}"
        );
    }

    // The PyPI `as4` package doing the same work (build + parse of a signed, encrypted,
    // compressed message with the same payloads), side by side.
    let (Some(python), Some(scripts)) = (
        std::env::var_os("AS4_PEER_PYTHON"),
        std::env::var_os("OOTS_SHARED").map(|s| PathBuf::from(s).join("interop/as4-peer")),
    ) else {
        println!(
            "{{\"measure\":\"as4_peer_side_by_side\",\"skipped\":\"set AS4_PEER_PYTHON and OOTS_SHARED\"}}"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("oots-as4-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("evidence.pdf"), &pdf).expect("pdf");
    std::fs::write(dir.join("regrep.xml"), REGREP).expect("regrep");
    let script = r#"
import time
from cryptography import x509
from as4 import AS4ParseContext, SecurityPolicy, certificate_chain
from oots_as4 import OotsMessage, build, load_party, unpack
sender, receiver = load_party("AP_SENDER"), load_party("AP_RECEIVER")
ca = x509.load_pem_x509_certificate(open("ca.pem", "rb").read())
payloads = {"regrep@oots.example": ("application/x-ebrs+xml", open("regrep.xml", "rb").read()),
            "evidence@oots.example": ("application/pdf", open("evidence.pdf", "rb").read())}
def once():
    m = build(sender, receiver.credentials.certificate, payloads, action="ExecuteQueryRequest")
    body, boundary = m.get_request_data()
    soap, parts = unpack(m.get_http_headers(boundary)["Content-Type"], body)
    ctx = AS4ParseContext(local_party=receiver, security_policy=SecurityPolicy(signer_resolver=certificate_chain(ca)))
    got = OotsMessage.parse(parse_context=ctx, soap_bytes=soap, mime_attachments=parts)
    assert got.parse_error is None, got.parse_error
for _ in range(5): once()
n = 100
t = time.process_time()
for _ in range(n): once()
print(n / (time.process_time() - t))
"#;
    let made = Command::new(&python)
        .current_dir(&dir)
        .env("PYTHONPATH", &scripts)
        .arg(scripts.join("mkcerts.py"))
        .status()
        .expect("mkcerts");
    assert!(made.success());
    let out = Command::new(&python)
        .current_dir(&dir)
        .env("PYTHONPATH", &scripts)
        .args(["-c", script])
        .output()
        .expect("python runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let theirs: f64 = text.trim().parse().unwrap_or_else(|_| {
        panic!(
            "peer benchmark failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    println!(
        "{{\"measure\":\"as4_peer_same_work_100kb_pdf\",\"per_second_one_core\":{theirs:.0},\"ours_per_second_one_core\":{ours:.0},\"ratio\":{:.1}}}",
        ours / theirs
    );
}
