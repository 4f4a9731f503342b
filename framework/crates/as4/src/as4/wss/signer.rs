//! Finding the certificate that signed: the token the signature's `KeyInfo` names, in the
//! message or among the peers' known certificates.

use roxmltree::{Document, Node};

use super::*;
use crate::as4::keys::Certificate;

/// The signer's certificate, from the signature's `SecurityTokenReference`: a
/// BinarySecurityToken in the message, or a known certificate by subject key identifier
/// or issuer and serial.
pub(super) fn signer_certificate(
    doc: &Document<'_>,
    signature: Node<'_, '_>,
    known: &[Certificate],
) -> Result<Certificate, WssError> {
    let str_node = child(signature, DS_NS, "KeyInfo")
        .and_then(|k| child(k, WSSE_NS, "SecurityTokenReference"))
        .ok_or_else(|| WssError::InvalidHeader("the signature names no key".into()))?;
    if let Some(r) = child(str_node, WSSE_NS, "Reference") {
        let id = r
            .attribute("URI")
            .and_then(|u| u.strip_prefix('#'))
            .ok_or_else(|| WssError::InvalidHeader("token reference without #id".into()))?;
        let [token] = find_by_id(doc, id)[..] else {
            return Err(WssError::FailedAuthentication(
                "the signing token is missing or ambiguous".into(),
            ));
        };
        if !xml::is(token, WSSE_NS, "BinarySecurityToken") {
            return Err(WssError::FailedAuthentication(
                "the signing token is not a BinarySecurityToken".into(),
            ));
        }
        let der = b64(&node_text(token))
            .map_err(|_| WssError::InvalidHeader("BinarySecurityToken is not base64".into()))?;
        return Certificate::from_der(der)
            .map_err(|e| WssError::FailedAuthentication(e.to_string()));
    }
    if let Some(k) = child(str_node, WSSE_NS, "KeyIdentifier")
        && k.attribute("ValueType") == Some(SKI_TYPE)
    {
        let ski = b64(&node_text(k))
            .map_err(|_| WssError::InvalidHeader("KeyIdentifier is not base64".into()))?;
        return known
            .iter()
            .find(|c| c.has_ski(&ski))
            .cloned()
            .ok_or_else(|| WssError::FailedAuthentication("unknown signing key".into()));
    }
    if let Some(issuer_serial) =
        child(str_node, DS_NS, "X509Data").and_then(|d| child(d, DS_NS, "X509IssuerSerial"))
    {
        let field = |local: &str| child(issuer_serial, DS_NS, local).map(node_text);
        let (Some(issuer), Some(serial)) = (field("X509IssuerName"), field("X509SerialNumber"))
        else {
            return Err(WssError::InvalidHeader(
                "X509IssuerSerial needs X509IssuerName and X509SerialNumber".into(),
            ));
        };
        return known
            .iter()
            .find(|c| c.has_issuer_serial(&issuer, &serial))
            .cloned()
            .ok_or_else(|| {
                WssError::FailedAuthentication(
                    "no known certificate has this issuer and serial".into(),
                )
            });
    }
    Err(WssError::PolicyNoncompliance(
        "unsupported key reference".into(),
    ))
}
