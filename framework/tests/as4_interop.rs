//! Our AS4 against software we did not write (`../shared/interop/as4-peer`): PyPI `as4`
//! 0.2.0 as the counterparty and `signxml` 5.2.0 as the signature checker, each run from
//! the shared folder, with a test PKI its `mkcerts.py` makes.
//!
//! - signxml verifies the signature of a message we sealed, and refuses it tampered;
//! - the `as4` peer accepts our signed and encrypted message and returns a signed receipt,
//!   which we verify, non-repudiation digests included; it answers a tampered message
//!   with `EBMS:0101` and an unencrypted one with `EBMS:0103`;
//! - we open (decrypt, verify) a message the `as4` package built;
//! - the `as4` package sends to `oots-adapter serve` (as an AS4 access point) and verifies
//!   our signed receipt, non-repudiation digests included; tampered, it gets `EBMS:0101`.
//!
//! Needs `AS4_PEER_PYTHON` (a Python with `as4==0.2.0` and `signxml==5.2.0`) and the
//! shared folder (`OOTS_SHARED`, default `../shared`); `.ci/run` provides both. Without
//! `AS4_PEER_PYTHON` the suite says it is skipped.

mod as4_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use oots_framework::gateway::as4::keys::{Credentials, TrustStore};
use oots_framework::gateway::as4::wss::{self, Attachment, Policy, Seal};
use oots_framework::gateway::as4::{compress, mime, signal};
use oots_framework::gateway::ebms::{self, PartInfo, Party, Property, Service, UserMessage};

struct Peer {
    python: PathBuf,
    scripts: PathBuf,
    dir: tempfile::TempDir,
}

impl Peer {
    fn from_env() -> Option<Peer> {
        let python = oots_testskip::skip_unless_env(
            "AS4_PEER_PYTHON",
            "AS4 interop suite (set AS4_PEER_PYTHON to a Python with as4==0.2.0 and signxml==5.2.0; .ci/run does)",
        )?;
        let shared = std::env::var_os("OOTS_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
        let scripts = shared.join("interop/as4-peer");
        assert!(scripts.join("peer.py").is_file(), "{}", scripts.display());
        let dir = tempfile::tempdir().unwrap();
        let peer = Peer {
            python: PathBuf::from(python),
            scripts,
            dir,
        };
        let made = peer.python(&["mkcerts.py"]).status().unwrap();
        assert!(made.success(), "mkcerts.py failed");
        Some(peer)
    }

    /// A command running one of the shared scripts in the PKI folder.
    fn python(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.python);
        c.current_dir(self.dir.path())
            .env("PYTHONPATH", &self.scripts)
            .arg(self.scripts.join(args[0]))
            .args(&args[1..]);
        c
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(name)).unwrap()
    }

    fn credentials(&self, who: &str) -> Credentials {
        Credentials::from_pem(
            &self.file(&format!("{who}.key")),
            &self.file(&format!("{who}.pem")),
        )
        .unwrap()
    }

    fn trust(&self) -> TrustStore {
        TrustStore::from_pem(&self.file("ca.pem")).unwrap()
    }
}

const PARTY_TYPE: &str = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots";
const REGREP: &[u8] = b"<query:QueryResponse xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\" status=\"urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success\"/>";
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// An OOTS-shaped UserMessage from AP_SENDER to AP_RECEIVER with two compressed parts.
fn user_message(message_id: &str) -> UserMessage {
    let party = |id: &str| Party {
        party_id: id.into(),
        party_id_type: Some(PARTY_TYPE.into()),
        role: ebms::OOTS_ROLE.into(),
    };
    let part = |cid: &str, mime: &str| {
        let mut p = PartInfo::new(cid, mime);
        p.properties
            .push(Property::new("CompressionType", "application/gzip"));
        p
    };
    UserMessage {
        mpc: None,
        message_id: message_id.into(),
        timestamp: "2026-11-24T10:00:00.000Z".into(),
        ref_to_message_id: None,
        from: party("AP_SENDER"),
        to: party("AP_RECEIVER"),
        service: Service::oots(),
        action: ebms::ACTION_EXECUTE_QUERY_RESPONSE.into(),
        conversation_id: "conversation-1".into(),
        properties: vec![
            Property::typed(
                "originalSender",
                "00000000000001",
                "urn:cef.eu:names:identifier:EAS:0009",
            ),
            Property::typed(
                "finalRecipient",
                "00000000000002",
                "urn:cef.eu:names:identifier:EAS:0009",
            ),
            Property::new("ExchangeId", "1647038b-7eaf-4711-b738-d5d83f96fa7b"),
            Property::new("SpecificationId", "oots-edm:v2.0"),
        ],
        parts: vec![
            part("regrep@oots.example", ebms::MIME_EBRS),
            part("evidence@oots.example", "application/pdf"),
        ],
    }
}

fn attachments() -> Vec<Attachment> {
    vec![
        Attachment {
            content_id: "regrep@oots.example".into(),
            content_type: "application/gzip".into(),
            bytes: compress::gzip(REGREP),
        },
        Attachment {
            content_id: "evidence@oots.example".into(),
            content_type: "application/gzip".into(),
            bytes: compress::gzip(PDF),
        },
    ]
}

/// Seals a message and packages it: (Content-Type, body, what was signed).
fn packaged(
    sender: &Credentials,
    encrypt_for: Option<&oots_framework::gateway::as4::keys::Certificate>,
    message_id: &str,
) -> (String, Vec<u8>, Vec<wss::SignedReference>) {
    let header = user_message(message_id);
    let sealed = wss::seal(
        &Seal {
            credentials: sender,
            encrypt_for,
        },
        |attrs| header.to_xml_with_prefix("eb", attrs),
        attachments(),
    )
    .unwrap();
    let parts: Vec<mime::Part> = sealed
        .parts
        .iter()
        .map(|p| mime::Part {
            content_id: p.content_id.clone(),
            content_type: p.content_type.clone(),
            body: p.bytes.clone(),
        })
        .collect();
    let (content_type, body) = mime::write(&sealed.envelope, &parts);
    (content_type, body, sealed.references)
}

fn file_with_headers(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Type: {content_type}\r\n\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn signxml_verifies_what_we_sign_and_refuses_it_tampered() {
    let Some(peer) = Peer::from_env() else {
        return;
    };
    let sender = peer.credentials("AP_SENDER");
    let (content_type, body, references) = packaged(&sender, None, "signed-only@oots.example");
    assert_eq!(references.len(), 4);
    let path = peer.dir.path().join("ours.mime");
    std::fs::write(&path, file_with_headers(&content_type, &body)).unwrap();
    let out = peer
        .python(&["verify_signxml.py", "ours.mime", "AP_SENDER.pem"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("signature valid over 4 references"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // One byte of the PDF part changed: signxml refuses it.
    let packaged = mime::parse(&content_type, &body, &mime::MimeLimits::default()).unwrap();
    let mut parts = packaged.parts.clone();
    let last = parts[1].body.len() - 1;
    parts[1].body[last] ^= 1;
    let (ct, tampered) = mime::write(&packaged.soap, &parts);
    std::fs::write(&path, file_with_headers(&ct, &tampered)).unwrap();
    let out = peer
        .python(&["verify_signxml.py", "ours.mime", "AP_SENDER.pem"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("InvalidDigest"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `peer.py serve` on a free loopback port, stopped on drop.
struct Served(Child, u16);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(peer: &Peer) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = peer
        .python(&["peer.py", "serve", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "peer.py did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Served(child, port)
}

/// Posts a message to the peer; its answer's signal, after verifying the answer's
/// signature against the test CA.
async fn post(
    served: &Served,
    peer: &Peer,
    content_type: &str,
    body: Vec<u8>,
) -> (signal::Signal, Vec<wss::SignedReference>) {
    let answer = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}/as4", served.1))
        .header("content-type", content_type)
        .body(body)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    let ct = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = answer.bytes().await.unwrap();
    let packaged = mime::parse(&ct, &bytes, &mime::MimeLimits::default())
        .unwrap_or_else(|e| panic!("{e}: {ct}\n{}", String::from_utf8_lossy(&bytes)));
    let soap = String::from_utf8(packaged.soap).unwrap();
    let opened = wss::open(
        &soap,
        Vec::new(),
        &peer.credentials("AP_SENDER"),
        &peer.trust(),
        &[],
        Policy {
            require_signature: true,
            require_encryption: false,
        },
        now(),
    )
    .unwrap_or_else(|e| panic!("the peer's answer does not verify: {e}\n{soap}"));
    assert_eq!(opened.signer.unwrap().common_name(), "AP_RECEIVER");
    let doc = roxmltree::Document::parse(&soap).unwrap();
    let messaging = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Messaging")
        .unwrap();
    (
        signal::parse(messaging).expect("a signal"),
        opened.references,
    )
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn the_as4_peer_accepts_our_message_with_a_signed_receipt() {
    let Some(peer) = Peer::from_env() else {
        return;
    };
    let served = serve(&peer);
    let sender = peer.credentials("AP_SENDER");
    let receiver = peer.credentials("AP_RECEIVER");
    let id = "encrypted@oots.example";
    let (ct, body, sent) = packaged(&sender, Some(receiver.certificate()), id);
    let (receipt, _) = post(&served, &peer, &ct, body.clone()).await;
    assert!(
        signal::acknowledges(&receipt, id, &sent),
        "the receipt must acknowledge every signed part: {receipt:?}"
    );

    // The Messaging header changed after signing: EBMS:0101.
    let mut tampered = body.clone();
    let at = tampered
        .windows(14)
        .position(|w| w == b"conversation-1")
        .unwrap();
    tampered[at + 13] = b'2';
    let (refused, _) = post(&served, &peer, &ct, tampered).await;
    assert!(
        matches!(&refused, signal::Signal::Error { code, .. } if code == "EBMS:0101"),
        "{refused:?}"
    );
    // Signed but not encrypted, where the peer requires encryption: EBMS:0103.
    let (ct, body, _) = packaged(&sender, None, "plain@oots.example");
    let (refused, _) = post(&served, &peer, &ct, body).await;
    assert!(
        matches!(&refused, signal::Signal::Error { code, .. } if code == "EBMS:0103"),
        "{refused:?}"
    );
}

#[test]
fn we_open_a_message_the_as4_package_built() {
    let Some(peer) = Peer::from_env() else {
        return;
    };
    let script = format!(
        "from cryptography import x509\nfrom oots_as4 import build, load_party\n\
         m = build(load_party('AP_SENDER'), x509.load_pem_x509_certificate(open('AP_RECEIVER.pem','rb').read()),\n\
           {{'regrep@oots.example': ('application/x-ebrs+xml', {regrep:?}.encode()), 'evidence@oots.example': ('application/pdf', bytes({pdf:?}))}},\n\
           action='ExecuteQueryRequest')\n\
         body, boundary = m.get_request_data()\n\
         open('theirs.mime','wb').write(b'Content-Type: ' + m.get_http_headers(boundary)['Content-Type'].encode() + b'\\r\\n\\r\\n' + body)\n",
        regrep = String::from_utf8_lossy(REGREP),
        pdf = PDF.to_vec(),
    );
    let status = Command::new(&peer.python)
        .current_dir(peer.dir.path())
        .env("PYTHONPATH", &peer.scripts)
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(status.success());
    let file = peer.file("theirs.mime");
    let split = file.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let header = String::from_utf8_lossy(&file[..split]).into_owned();
    let ct = header.trim_start_matches("Content-Type: ").trim();
    let packaged = mime::parse(ct, &file[split + 4..], &mime::MimeLimits::default()).unwrap();
    let soap = String::from_utf8(packaged.soap).unwrap();
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
        &peer.credentials("AP_RECEIVER"),
        &peer.trust(),
        &[],
        Policy {
            require_signature: true,
            require_encryption: true,
        },
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}\n{soap}"));
    assert_eq!(opened.signer.unwrap().common_name(), "AP_SENDER");
    assert_eq!(opened.references.len(), 4);
    let find = |cid: &str| {
        let p = opened.parts.iter().find(|p| p.content_id == cid).unwrap();
        compress::gunzip(&p.bytes, 1 << 20).unwrap()
    };
    assert_eq!(find("regrep@oots.example"), REGREP);
    assert_eq!(find("evidence@oots.example"), PDF);
    let header = ebms::from_xml(&soap).unwrap();
    assert_eq!(header.action, "ExecuteQueryRequest");
    assert_eq!(
        header.exchange_id(),
        Some("1647038b-7eaf-4711-b738-d5d83f96fa7b")
    );
}

#[test]
fn the_as4_package_sends_to_serve_and_verifies_our_receipt() {
    let Some(peer) = Peer::from_env() else {
        return;
    };
    let (port, peer_port) = (as4_support::free_port(), as4_support::free_port());
    let served = as4_support::serve(peer.dir.path(), "AP_RECEIVER", port, "AP_SENDER", peer_port);
    // Any RegRep document: the receipt only says the message arrived whole and stored.
    let request = String::from_utf8_lossy(REGREP).into_owned();
    let script = format!(
        "import sys, urllib.request\nfrom cryptography import x509\nfrom as4.core.receipt import AS4Receipt\nfrom oots_as4 import build, load_party\n\
         rc = x509.load_pem_x509_certificate(open('AP_RECEIVER.pem','rb').read())\n\
         def send(tamper):\n\
         \x20   m = build(load_party('AP_SENDER'), rc, {{'regrep@oots.example': ('application/x-ebrs+xml', {request:?}.encode())}}, action='ExecuteQueryRequest')\n\
         \x20   body, boundary = m.get_request_data()\n\
         \x20   if tamper: body = body.replace(b'ExecuteQueryRequest', b'ExecuteQueryRequesX', 1)\n\
         \x20   req = urllib.request.Request('http://127.0.0.1:{port}/as4', body, m.get_http_headers(boundary), method='POST')\n\
         \x20   return m, AS4Receipt.parse(urllib.request.urlopen(req, timeout=20).read(), rc)\n\
         m, r = send(False)\n\
         if r.error: sys.exit('refused: ' + r.error.error_code)\n\
         r.verify_non_repudiation(m.signed_references)\n\
         print('receipt verified over', len(r.non_repudiated_references), 'references')\n\
         m, r = send(True)\n\
         print('tampered ->', r.error.error_code if r.error else 'accepted')\n",
    );
    let out = Command::new(&peer.python)
        .current_dir(peer.dir.path())
        .env("PYTHONPATH", &peer.scripts)
        .args(["-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let log = served.stop();
    assert!(out.status.success(), "{stdout}{stderr}\n{log}");
    assert!(
        stdout.contains("receipt verified over 3 references"),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("tampered -> EBMS:0101"), "{stdout}{stderr}");
}

/// A verifier written here from the WSS4J rule for the SwA
/// Attachment-Content-Signature-Transform, on `signxml` and `lxml`: an XML part
/// (`text/xml`, `application/xml`, `*/*+xml`) is digested as its exclusive C14N, another
/// `text/*` part with its line ends made CRLF, anything else as it is.
const WSS4J_STYLE_VERIFIER: &str = r#"
import re, sys
from email import policy
from email.parser import BytesParser
from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
msg = BytesParser(policy=policy.default).parsebytes(open(sys.argv[1], "rb").read())
soap, parts = None, {}
for p in msg.iter_parts():
    kind = p.get_content_type().lower()
    data = p.get_payload(decode=True)
    if kind == "application/soap+xml":
        soap = data
        continue
    if kind in ("text/xml", "application/xml") or kind.endswith("+xml"):
        data = etree.tostring(etree.fromstring(data).getroottree(), method="c14n", exclusive=True, with_comments=False)
    elif kind.startswith("text/"):
        data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    parts["cid:" + p["content-id"].strip().strip("<>")] = data
root = etree.fromstring(soap)
n = len(root.findall(".//{http://www.w3.org/2000/09/xmldsig#}SignedInfo/{http://www.w3.org/2000/09/xmldsig#}Reference"))
XMLVerifier().verify(root, x509_cert=x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read()), uri_resolver=parts.get,
                     ignore_ambiguous_key_info=True, expect_config=SignatureConfiguration(location=".//", expect_references=n, require_x509=False))
print(f"wss4j-style: signature valid over {n} references")
"#;

/// Uncompressed parts (`compress: false`, or answers to a partner that does not
/// compress) are signed as WSS4J digests them: checked by the verifier above, which
/// computes every digest itself.
#[test]
fn a_wss4j_style_verifier_accepts_our_uncompressed_text_and_xml_parts() {
    let Some(peer) = Peer::from_env() else {
        return;
    };
    let sender = peer.credentials("AP_SENDER");
    let part = |cid: &str, content_type: &str, bytes: &[u8]| Attachment {
        content_id: cid.into(),
        content_type: content_type.into(),
        bytes: bytes.to_vec(),
    };
    let attachments = vec![
        part(
            "regrep@oots.example",
            ebms::MIME_EBRS,
            b"<query:QueryResponse xmlns:query='urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0'  status='x'/>",
        ),
        part(
            "note@oots.example",
            "text/plain; charset=UTF-8",
            b"Extract of the register\nline two\r\nline three\rend\n",
        ),
        part("table@oots.example", "text/csv", b"a;b\n1;2\n"),
        part(
            "record@oots.example",
            "text/xml",
            b"<?xml version='1.0'?>\n<?xml-stylesheet href='s.xsl'?><!-- c -->\n<r b='2'  a='1'>\n<x/></r><?tail  t ?>",
        ),
        part(
            "seal@oots.example",
            "image/svg+xml",
            b"<svg xmlns='http://www.w3.org/2000/svg' height='1'  width='2'/>",
        ),
        part("evidence@oots.example", "application/pdf", PDF),
    ];
    let mut header = user_message("uncompressed@oots.example");
    header.parts = attachments
        .iter()
        .map(|a| PartInfo::new(&a.content_id, &a.content_type))
        .collect();
    let sealed = wss::seal(
        &Seal {
            credentials: &sender,
            encrypt_for: None,
        },
        |attrs| header.to_xml_with_prefix("eb", attrs),
        attachments,
    )
    .unwrap();
    let parts: Vec<mime::Part> = sealed
        .parts
        .iter()
        .map(|p| mime::Part {
            content_id: p.content_id.clone(),
            content_type: p.content_type.clone(),
            body: p.bytes.clone(),
        })
        .collect();
    let (content_type, body) = mime::write(&sealed.envelope, &parts);
    std::fs::write(
        peer.dir.path().join("verify_wss4j.py"),
        WSS4J_STYLE_VERIFIER,
    )
    .unwrap();
    let verify = |body: &[u8]| {
        std::fs::write(
            peer.dir.path().join("plain.mime"),
            file_with_headers(&content_type, body),
        )
        .unwrap();
        Command::new(&peer.python)
            .current_dir(peer.dir.path())
            .args(["verify_wss4j.py", "plain.mime", "AP_SENDER.pem"])
            .output()
            .unwrap()
    };
    let out = verify(&body);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("signature valid over 8 references"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A changed letter in the text part: refused.
    let mut tampered = body.clone();
    let at = tampered.windows(8).position(|w| w == b"line two").unwrap();
    tampered[at] = b'L';
    let out = verify(&tampered);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("InvalidDigest"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
