//! [`DomibusWsPlugin`]: the [`Gateway`] over the Domibus 5.x WS plugin (SOAP 1.2,
//! Basic auth, payloads inline as base64, no WS-Security on our side).

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use roxmltree::Node;

use super::config::DomibusConfig;
use super::soap::{self, SoapError};
use super::wire::read_payloads;
use crate::ebms::{self, EBMS_NS};
use crate::xml;
use crate::{Gateway, GatewayError, InboundMessage, OutboundMessage};

/// Fault code Domibus uses for authentication/authorisation failures.
pub const FAULT_AUTH: &str = "WS_PLUGIN:0002";
/// Fault code for "no message with this id".
pub const FAULT_NOT_FOUND: &str = "WS_PLUGIN:0009";

/// Client of one Domibus WS plugin.
#[derive(Debug, Clone)]
pub struct DomibusWsPlugin {
    cfg: DomibusConfig,
    base: reqwest::Url,
    http: reqwest::Client,
}

impl DomibusWsPlugin {
    /// Builds the client; fails on an endpoint that is not an http(s) URL.
    pub fn new(cfg: DomibusConfig) -> Result<Self, GatewayError> {
        let base = reqwest::Url::parse(cfg.endpoint.trim_end_matches('/'))
            .map_err(|e| GatewayError::Config(format!("endpoint: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(GatewayError::Config(
                "endpoint must be an http(s) URL".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .build()
            .map_err(|e| GatewayError::Config(format!("HTTP client: {e}")))?;
        Ok(DomibusWsPlugin { cfg, base, http })
    }

    /// The configuration in use.
    pub fn config(&self) -> &DomibusConfig {
        &self.cfg
    }

    /// Status of a message as Domibus reports it (`getStatus`): e.g. `ACKNOWLEDGED`,
    /// `SEND_FAILURE`, `NOT_FOUND`.
    pub async fn status(&self, message_id: &str) -> Result<String, GatewayError> {
        let body = format!(
            "<ws:statusRequest xmlns:ws=\"{}\"><messageID>{}</messageID></ws:statusRequest>",
            soap::WSPLUGIN_NS,
            xml::escape_text(message_id)
        );
        let text = self.call("getStatus", &soap::envelope("", &body)).await?;
        let doc = self.parse_answer(&text)?;
        let el = expect_body(&doc, "getStatusResponse")?;
        xml::text(el).ok_or_else(|| GatewayError::Malformed("getStatusResponse is empty".into()))
    }

    fn url(&self, operation: &str) -> reqwest::Url {
        let mut url = self.base.clone();
        let path = format!("{}/{}", url.path().trim_end_matches('/'), operation);
        url.set_path(&path);
        url
    }

    /// POSTs one operation and returns the answer text once it is known not to be a
    /// fault or an HTTP error.
    async fn call(&self, operation: &str, envelope: &str) -> Result<String, GatewayError> {
        let mut resp = self
            .http
            .post(self.url(operation))
            .basic_auth(&self.cfg.username, Some(self.cfg.password.expose()))
            .header(reqwest::header::CONTENT_TYPE, soap::SOAP12_CONTENT_TYPE)
            .header("SOAPAction", "\"\"")
            .body(envelope.to_string())
            .send()
            .await
            .map_err(|e| GatewayError::Unreachable(describe(e)))?;
        let status = resp.status();
        let limit = self.cfg.max_response_bytes;
        if resp.content_length().is_some_and(|l| l > limit as u64) {
            return Err(GatewayError::Malformed(format!(
                "{operation} answer larger than {limit} bytes"
            )));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| GatewayError::Unreachable(describe(e)))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(GatewayError::Malformed(format!(
                    "{operation} answer larger than {limit} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(bytes);
        // A SOAP fault wins over the HTTP status: it says why.
        if let Ok(text) = &text
            && let Ok(doc) = soap::parse(text, limit)
            && let Some(f) = soap::fault(&doc)
        {
            return Err(if f.code == FAULT_AUTH {
                GatewayError::Auth(f.message)
            } else {
                GatewayError::Fault {
                    code: f.code,
                    message: f.message,
                }
            });
        }
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(GatewayError::Auth(format!("HTTP {}", status.as_u16())));
        }
        if !status.is_success() {
            return Err(GatewayError::Http {
                status: status.as_u16(),
            });
        }
        text.map_err(|_| GatewayError::Malformed(format!("{operation} answer is not UTF-8")))
    }

    fn parse_answer<'i>(&self, text: &'i str) -> Result<roxmltree::Document<'i>, GatewayError> {
        soap::parse(text, self.cfg.max_response_bytes).map_err(malformed)
    }
}

fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return "timeout".to_string();
    }
    // Without the URL (it could carry credentials in exotic configurations), with causes.
    let e = e.without_url();
    let mut out = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

fn malformed(e: SoapError) -> GatewayError {
    GatewayError::Malformed(e.to_string())
}

fn expect_body<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    local: &str,
) -> Result<Node<'a, 'i>, GatewayError> {
    let el = soap::body_element(doc).map_err(malformed)?;
    if xml::is(el, soap::WSPLUGIN_NS, local) {
        Ok(el)
    } else {
        Err(GatewayError::Malformed(format!(
            "expected {local}, got {}",
            el.tag_name().name()
        )))
    }
}

fn message_ids(el: Node<'_, '_>) -> Vec<String> {
    xml::unqualified_children(el, "messageID")
        .filter_map(xml::text)
        .collect()
}

/// The `submitRequest` envelope: `eb:Messaging` in the header, payloads as strict base64.
pub fn submit_envelope(msg: &OutboundMessage) -> String {
    let mut body = String::with_capacity(
        msg.payloads
            .iter()
            .map(|p| p.bytes.len() * 4 / 3 + 200)
            .sum::<usize>()
            + 200,
    );
    body.push_str(&format!(
        "<ws:submitRequest xmlns:ws=\"{}\">",
        soap::WSPLUGIN_NS
    ));
    for p in &msg.payloads {
        body.push_str(&format!(
            "<payload payloadId=\"cid:{}\" contentType=\"{}\"><value>",
            xml::escape_attr(&p.content_id),
            xml::escape_attr(&p.mime_type)
        ));
        body.push_str(&BASE64.encode(&p.bytes));
        body.push_str("</value></payload>");
    }
    body.push_str("</ws:submitRequest>");
    soap::envelope(&msg.header.to_xml(), &body)
}

#[async_trait]
impl Gateway for DomibusWsPlugin {
    fn name(&self) -> &'static str {
        "domibus-ws"
    }

    fn push_needs_retrieve(&self) -> bool {
        true
    }

    async fn retrieve(&self, message_id: &str) -> Result<InboundMessage, GatewayError> {
        let body = format!(
            "<ws:retrieveMessageRequest xmlns:ws=\"{}\" markAsDownloaded=\"false\"><messageID>{}</messageID></ws:retrieveMessageRequest>",
            soap::WSPLUGIN_NS,
            xml::escape_text(message_id)
        );
        let text = self
            .call("retrieveMessage", &soap::envelope("", &body))
            .await?;
        let doc = self.parse_answer(&text)?;
        let el = expect_body(&doc, "retrieveMessageResponse")?;
        let messaging = soap::header(&doc)
            .and_then(|h| xml::child(h, EBMS_NS, "Messaging"))
            .ok_or_else(|| {
                GatewayError::Malformed("retrieveMessageResponse without eb:Messaging".into())
            })?;
        let header = ebms::parse_messaging(messaging)?;
        if header.message_id != message_id.trim() {
            return Err(GatewayError::Malformed(format!(
                "asked for message {message_id}, got {}",
                header.message_id
            )));
        }
        let payloads = read_payloads(el, &header).map_err(GatewayError::Malformed)?;
        Ok(InboundMessage { header, payloads })
    }

    async fn acknowledge(&self, message_id: &str) -> Result<(), GatewayError> {
        let body = format!(
            "<ws:markMessageAsDownloadedRequest xmlns:ws=\"{}\"><messageID>{}</messageID></ws:markMessageAsDownloadedRequest>",
            soap::WSPLUGIN_NS,
            xml::escape_text(message_id)
        );
        let text = self
            .call("markMessageAsDownloaded", &soap::envelope("", &body))
            .await?;
        let doc = self.parse_answer(&text)?;
        expect_body(&doc, "markMessageAsDownloadedResponse")?;
        Ok(())
    }

    async fn submit(&self, msg: &OutboundMessage) -> Result<String, GatewayError> {
        let text = self.call("submitMessage", &submit_envelope(msg)).await?;
        let doc = self.parse_answer(&text)?;
        let el = expect_body(&doc, "submitResponse")?;
        message_ids(el)
            .into_iter()
            .next()
            .ok_or_else(|| GatewayError::Malformed("submitResponse without messageID".into()))
    }

    async fn pending(&self) -> Result<Vec<String>, GatewayError> {
        let body = format!(
            "<ws:listPendingMessagesRequest xmlns:ws=\"{}\"/>",
            soap::WSPLUGIN_NS
        );
        let text = self
            .call("listPendingMessages", &soap::envelope("", &body))
            .await?;
        let doc = self.parse_answer(&text)?;
        let el = expect_body(&doc, "listPendingMessagesResponse")?;
        Ok(message_ids(el))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_http_endpoints() {
        let cfg = DomibusConfig::new("ftp://x/y", "u", "p");
        assert!(matches!(
            DomibusWsPlugin::new(cfg),
            Err(GatewayError::Config(_))
        ));
        let cfg = DomibusConfig::new("not a url", "u", "p");
        assert_eq!(
            DomibusWsPlugin::new(cfg).unwrap_err().code(),
            "gateway.config"
        );
    }

    #[test]
    fn operation_url_appends_to_the_base_path() {
        let cfg = DomibusConfig::new("http://127.0.0.1:9/domibus/services/wsplugin/", "u", "p");
        let c = DomibusWsPlugin::new(cfg).unwrap();
        assert_eq!(
            c.url("retrieveMessage").as_str(),
            "http://127.0.0.1:9/domibus/services/wsplugin/retrieveMessage"
        );
    }
}
