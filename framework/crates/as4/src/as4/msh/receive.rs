//! Receiving: one pushed HTTP body unpacked, opened (verified, decrypted), checked
//! against the agreement, inflated, stored durably and journaled, then answered with a
//! signed receipt; a refusal is answered with a signed ebMS error signal.

use super::{As4Gateway, MAX_PAYLOAD_BYTES, TEST_SERVICE, now_secs};
use crate::as4::signal;
use crate::as4::wss::{self, Attachment, Policy, Seal, SignedReference};
use crate::as4::{compress, mime};
use crate::ebms;
use crate::{InboundMessage, Payload};
use oots_edm::clock::edm_timestamp;
use oots_store::{Inbound, proof};

/// A digest of what a message says (its header and every payload, inflated): a resend
/// has the same, another message under the same MessageId has not.
fn content_digest(header: &ebms::UserMessage, payloads: &[Payload]) -> String {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut field = |bytes: &[u8]| {
        ctx.update(&(bytes.len() as u64).to_be_bytes());
        ctx.update(bytes);
    };
    field(header.to_xml().as_bytes());
    for p in payloads {
        field(p.content_id.as_bytes());
        field(p.mime_type.as_bytes());
        field(&p.bytes);
    }
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a received message is refused, as the ebMS error it is answered with.
struct Refused {
    code: &'static str,
    detail: String,
    ref_to: Option<String>,
}

impl Refused {
    fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            ref_to: None,
        }
    }

    /// A refusal that names the message it answers.
    fn about(message_id: &str, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            ref_to: Some(message_id.to_owned()),
        }
    }
}

impl As4Gateway {
    /// Processes one received HTTP body: the signal to answer with, and the id of a
    /// newly stored request.
    pub async fn accept(&self, content_type: &str, body: &[u8]) -> (Vec<u8>, Option<String>) {
        match self.accept_inner(content_type, body).await {
            Ok((receipt, stored)) => (receipt, stored),
            Err(r) => {
                tracing::warn!(code = r.code, detail = %r.detail, "AS4 message refused");
                (self.error_signal(&r), None)
            }
        }
    }

    /// The steps of [`As4Gateway::accept`]; a refusal becomes the error signal.
    async fn accept_inner(
        &self,
        content_type: &str,
        body: &[u8],
    ) -> Result<(Vec<u8>, Option<String>), Refused> {
        let (soap, parts) = unpack(content_type, body)?;
        // Unverified: only names the message in an error signal until the signature is
        // checked; the header processed is the one the signature covers (below).
        let claimed =
            ebms::from_xml(&soap).map_err(|e| Refused::new("EBMS:0009", e.to_string()))?;
        let opened = self
            .open(&soap, parts)
            .map_err(|e| Refused::about(&claimed.message_id, e.ebms_code(), e.to_string()))?;
        let header = ebms::from_xml(&opened.messaging)
            .map_err(|e| Refused::about(&claimed.message_id, "EBMS:0009", e.to_string()))?;
        let with_ref =
            |code: &'static str, detail: String| Refused::about(&header.message_id, code, detail);
        // Only a configured peer, signing with its own certificate, within the agreement.
        self.pmode
            .check_agreement(&header, opened.signer.as_ref())
            .map_err(|e| with_ref(e.ebms_code(), e.to_string()))?;
        let payloads = payloads(&header, opened.parts)?;
        let receipt = self.receipt(&header.message_id, &opened.references)?;
        if header.service.value == TEST_SERVICE {
            return Ok((receipt, None));
        }
        let inbound = InboundMessage {
            header: header.clone(),
            payloads,
        };
        let fresh = self.store_once(&inbound).await?;
        self.journal_receipt(&header.message_id, &receipt).await?;
        if fresh && let Some(inbox) = &self.inbox {
            let _ = inbox.send(inbound.clone());
        }
        Ok((receipt, fresh.then(|| header.message_id.clone())))
    }

    /// Verifies and decrypts the message under our PMode: signed always, encrypted if
    /// the PMode encrypts, by a certificate of the trust store.
    fn open(&self, soap: &str, parts: Vec<Attachment>) -> Result<wss::Opened, wss::WssError> {
        let pm = &self.pmode;
        wss::open(
            soap,
            parts,
            &pm.credentials,
            &pm.trust,
            &pm.peer_certificates(),
            Policy {
                require_signature: true,
                require_encryption: pm.encrypt,
            },
            now_secs(),
        )
    }

    /// Stores the request durably; whether it is new (`false` for a resend).
    ///
    /// Durable before the receipt: a receiver that cannot keep the message must not
    /// acknowledge it. A resend (same MessageId, same content) is acknowledged again,
    /// not stored; the same MessageId with another content is refused, and the
    /// message stored first stays as it was.
    async fn store_once(&self, inbound: &InboundMessage) -> Result<bool, Refused> {
        let header = &inbound.header;
        let with_ref =
            |code: &'static str, detail: String| Refused::about(&header.message_id, code, detail);
        let regrep = inbound
            .regrep_payload()
            .ok_or_else(|| with_ref("EBMS:0004", "no RegRep payload".to_owned()))?;
        let stored = self
            .store
            .store_inbound_once(
                &header.message_id,
                &content_digest(header, &inbound.payloads),
                &header.to_xml(),
                &regrep.bytes,
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| {
                with_ref(
                    "EBMS:0202",
                    format!("cannot store the message ({})", e.code()),
                )
            })?;
        match stored {
            Inbound::Stored => Ok(true),
            Inbound::Resent => Ok(false),
            Inbound::Conflict => {
                tracing::warn!(
                    message_id = %header.message_id,
                    "AS4 message refused: its MessageId was received before with another content"
                );
                Err(with_ref(
                    "EBMS:0004",
                    "this MessageId was received before with another content".to_owned(),
                ))
            }
        }
    }

    /// Journals the receipt before it leaves: it is the proof of what this access point
    /// acknowledged (a resend gets a new receipt, journaled too).
    async fn journal_receipt(&self, message_id: &str, receipt: &[u8]) -> Result<(), Refused> {
        self.store
            .append_journal(
                &proof::receipt_given(message_id, receipt),
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| {
                Refused::about(
                    message_id,
                    "EBMS:0202",
                    format!("cannot journal the receipt ({})", e.code()),
                )
            })?;
        Ok(())
    }

    /// A signed receipt for `ref_to`, acknowledging what its signature covered.
    fn receipt(&self, ref_to: &str, references: &[SignedReference]) -> Result<Vec<u8>, Refused> {
        let id = format!("{}@{}", uuid::Uuid::new_v4(), self.pmode.party_id);
        let now = edm_timestamp(chrono::Utc::now());
        wss::seal(
            &Seal {
                credentials: &self.pmode.credentials,
                encrypt_for: None,
            },
            |attrs| signal::receipt(attrs, &id, ref_to, &now, references),
            Vec::new(),
        )
        .map(|s| s.envelope)
        .map_err(|e| Refused::new("EBMS:0004", e.to_string()))
    }

    /// A signed error signal (unsigned only if signing itself failed).
    fn error_signal(&self, r: &Refused) -> Vec<u8> {
        let id = format!("{}@{}", uuid::Uuid::new_v4(), self.pmode.party_id);
        let now = edm_timestamp(chrono::Utc::now());
        let write =
            |attrs: &str| signal::error(attrs, &id, r.ref_to.as_deref(), &now, r.code, &r.detail);
        match wss::seal(
            &Seal {
                credentials: &self.pmode.credentials,
                encrypt_for: None,
            },
            write,
            Vec::new(),
        ) {
            Ok(s) => s.envelope,
            Err(_) => format!(
                "<S12:Envelope xmlns:S12=\"{}\"><S12:Header>{}</S12:Header><S12:Body/></S12:Envelope>",
                wss::SOAP12_NS,
                write(&format!("xmlns:S12=\"{}\" S12:mustUnderstand=\"true\"", wss::SOAP12_NS))
            )
            .into_bytes(),
        }
    }
}

/// The MIME package's SOAP envelope (UTF-8) and its parts as attachments.
fn unpack(content_type: &str, body: &[u8]) -> Result<(String, Vec<Attachment>), Refused> {
    let packaged = mime::parse(content_type, body, &mime::MimeLimits::default())
        .map_err(|e| Refused::new("EBMS:0007", e.to_string()))?;
    let soap = String::from_utf8(packaged.soap)
        .map_err(|_| Refused::new("EBMS:0009", "the SOAP envelope is not UTF-8"))?;
    let parts = packaged
        .parts
        .into_iter()
        .map(|p| Attachment {
            content_id: p.content_id,
            content_type: p.content_type,
            bytes: p.body,
        })
        .collect();
    Ok((soap, parts))
}

/// The payloads as the header describes them: inflated where it says they are
/// compressed, with the MIME type it gives (else the part's own).
fn payloads(header: &ebms::UserMessage, parts: Vec<Attachment>) -> Result<Vec<Payload>, Refused> {
    let mut payloads = Vec::new();
    for part in parts {
        let info = header
            .parts
            .iter()
            .find(|i| i.content_id().eq_ignore_ascii_case(&part.content_id));
        let compressed = info.is_some_and(|i| {
            i.properties
                .iter()
                .any(|p| p.name == "CompressionType" && p.value == "application/gzip")
        });
        let bytes = if compressed {
            compress::gunzip(&part.bytes, MAX_PAYLOAD_BYTES)
                .map_err(|e| Refused::about(&header.message_id, "EBMS:0303", e.to_string()))?
        } else {
            part.bytes
        };
        let mime_type = info
            .and_then(|i| i.mime_type())
            .map(str::to_owned)
            .unwrap_or(part.content_type);
        payloads.push(Payload {
            content_id: part.content_id,
            mime_type,
            bytes,
        });
    }
    Ok(payloads)
}
