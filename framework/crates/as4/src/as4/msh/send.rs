//! Sending: an outgoing message sealed once (signed, encrypted, compressed, packaged),
//! its bytes kept in the state store so every retry posts the same ones, and one post
//! with the peer's signal verified.

use axum::http::header;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::{As4Gateway, now_secs};
use crate::as4::pmode::Peer;
use crate::as4::signal::{self, Signal};
use crate::as4::wss::{self, Attachment, Policy, Seal, SignedReference};
use crate::as4::{compress, mime};
use crate::ebms::Property;
use crate::{GatewayError, OutboundMessage};
use oots_store::SealedMessage;

/// A message as sent: resent byte for byte.
pub(super) struct Sent {
    content_type: String,
    body: Vec<u8>,
    /// The references signed, which a receipt must acknowledge.
    pub(super) references: Vec<SignedReference>,
}

impl Sent {
    /// As the state store keeps it: the references as JSON (digests in base64).
    fn to_stored(&self) -> SealedMessage {
        let refs: Vec<serde_json::Value> = self
            .references
            .iter()
            .map(|r| {
                serde_json::json!({
                    "uri": r.uri,
                    "digest": B64.encode(&r.digest),
                    "xml": r.xml,
                })
            })
            .collect();
        SealedMessage {
            content_type: self.content_type.clone(),
            body: self.body.clone(),
            references: serde_json::Value::Array(refs).to_string(),
        }
    }

    /// The kept form back (as another attempt or replica stored it).
    fn from_stored(s: SealedMessage) -> Result<Self, GatewayError> {
        let bad = || GatewayError::Malformed("the stored sealed message cannot be read".into());
        let refs: Vec<serde_json::Value> =
            serde_json::from_str(&s.references).map_err(|_| bad())?;
        let references = refs
            .iter()
            .map(|r| {
                let text = |k: &str| r.get(k).and_then(|v| v.as_str()).ok_or_else(bad);
                Ok(SignedReference {
                    uri: text("uri")?.to_owned(),
                    digest: B64.decode(text("digest")?).map_err(|_| bad())?,
                    xml: text("xml")?.to_owned(),
                })
            })
            .collect::<Result<Vec<_>, GatewayError>>()?;
        Ok(Self {
            content_type: s.content_type,
            body: s.body,
            references,
        })
    }
}

/// A state store failure while keeping or reading the sealed bytes: nothing is sent
/// (bytes that might differ from a first attempt's must not go out).
fn store_failed(e: &oots_store::StoreError) -> GatewayError {
    GatewayError::Fault {
        code: e.code().to_owned(),
        message: "the sealed message cannot be kept in the state store".into(),
    }
}

impl As4Gateway {
    /// The outgoing message as first sealed: read from the state store, or sealed now
    /// and kept there (when another replica kept its bytes first, those are sent).
    pub(super) async fn sealed(&self, msg: &OutboundMessage) -> Result<Sent, GatewayError> {
        let id = &msg.header.message_id;
        if let Some(kept) = self.store.sealed(id).await.map_err(|e| store_failed(&e))? {
            return Sent::from_stored(kept);
        }
        let fresh = self.seal(msg)?.to_stored();
        let kept = self
            .store
            .keep_sealed(id, &fresh, chrono::Utc::now())
            .await
            .map_err(|e| store_failed(&e))?;
        Sent::from_stored(kept)
    }

    /// Seals and packages an outgoing message.
    fn seal(&self, msg: &OutboundMessage) -> Result<Sent, GatewayError> {
        let pm = &self.pmode;
        let peer = pm.peer(&msg.header.to.party_id).ok_or_else(|| {
            GatewayError::Config(format!(
                "no peer {} in the AS4 PMode",
                msg.header.to.party_id
            ))
        })?;
        let mut header = msg.header.clone();
        let mut attachments = Vec::new();
        for p in &msg.payloads {
            let (content_type, bytes) = if pm.compress {
                ("application/gzip".to_owned(), compress::gzip(&p.bytes))
            } else {
                (p.mime_type.clone(), p.bytes.clone())
            };
            if pm.compress
                && let Some(info) = header
                    .parts
                    .iter_mut()
                    .find(|i| i.content_id().eq_ignore_ascii_case(&p.content_id))
                && !info.properties.iter().any(|x| x.name == "CompressionType")
            {
                info.properties
                    .push(Property::new("CompressionType", "application/gzip"));
            }
            attachments.push(Attachment {
                content_id: p.content_id.clone(),
                content_type,
                bytes,
            });
        }
        let sealed = wss::seal(
            &Seal {
                credentials: &pm.credentials,
                encrypt_for: pm.encrypt.then_some(&peer.certificate),
            },
            |attrs| header.to_xml_with_prefix("eb", attrs),
            attachments,
        )
        .map_err(|e| GatewayError::Config(e.to_string()))?;
        let parts: Vec<mime::Part> = sealed
            .parts
            .into_iter()
            .map(|a| mime::Part {
                content_id: a.content_id,
                content_type: a.content_type,
                body: a.bytes,
            })
            .collect();
        let (content_type, body) = mime::write(&sealed.envelope, &parts);
        Ok(Sent {
            content_type,
            body,
            references: sealed.references,
        })
    }

    /// One post of `sent`; the peer's signal and its SOAP envelope as received.
    pub(super) async fn attempt(
        &self,
        peer: &Peer,
        sent: &Sent,
    ) -> Result<(Signal, String), GatewayError> {
        let answer = self
            .http
            .post(&peer.endpoint)
            .header(header::CONTENT_TYPE, &sent.content_type)
            .body(sent.body.clone())
            .send()
            .await
            .map_err(|e| GatewayError::Unreachable(e.without_url().to_string()))?;
        let status = answer.status().as_u16();
        let content_type = answer
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = answer
            .bytes()
            .await
            .map_err(|e| GatewayError::Unreachable(e.without_url().to_string()))?;
        let Ok(packaged) = mime::parse(&content_type, &body, &mime::MimeLimits::default()) else {
            return Err(if status >= 500 {
                GatewayError::Http { status }
            } else {
                GatewayError::Malformed(format!("HTTP {status} without an ebMS signal"))
            });
        };
        let soap = String::from_utf8(packaged.soap)
            .map_err(|_| GatewayError::Malformed("signal is not UTF-8".into()))?;
        let pm = &self.pmode;
        let opened = wss::open(
            &soap,
            Vec::new(),
            &pm.credentials,
            &pm.trust,
            &pm.peer_certificates(),
            Policy {
                require_signature: true,
                require_encryption: false,
            },
            now_secs(),
        )
        .map_err(|e| GatewayError::Malformed(format!("the peer's signal: {e}")))?;
        // Only the peer we sent to may sign its signal: another certificate of the trust
        // store does not speak for it.
        if opened.signer.as_ref().map(|c| c.der()) != Some(peer.certificate.der()) {
            return Err(GatewayError::Malformed(format!(
                "the signal is not signed with {}'s certificate",
                peer.party_id
            )));
        }
        // The signal is read from the signed eb:Messaging, not from whatever comes first.
        let doc = crate::xml::parse(&opened.messaging, usize::MAX)
            .map_err(|e| GatewayError::Malformed(e.to_string()))?;
        let signal = signal::parse(doc.root_element())
            .ok_or_else(|| GatewayError::Malformed("no ebMS signal in the answer".into()))?;
        Ok((signal, soap))
    }
}
