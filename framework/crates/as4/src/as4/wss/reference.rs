//! Checking one signed `ds:Reference`: its algorithms, what it resolves to (an element
//! by id or a MIME part) and its digest.

use roxmltree::{Document, Node};
use subtle::ConstantTimeEq;

use super::attachment_digest::attachment_digest_input;
use super::*;
use crate::as4::c14n;

/// The `Algorithm` of `node`'s `ds:{local}` child.
pub(super) fn method<'a>(node: Node<'a, '_>, local: &str) -> Option<&'a str> {
    child(node, DS_NS, local).and_then(|m| m.attribute("Algorithm"))
}

/// The `PrefixList` of an exclusive C14N transform's `InclusiveNamespaces`.
pub(super) fn inclusive_prefixes(transform: Option<Node<'_, '_>>) -> Vec<String> {
    transform
        .and_then(|t| {
            t.children()
                .find(|c| xml::is(*c, EC_NS, "InclusiveNamespaces"))
        })
        .and_then(|n| n.attribute("PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The element a same-document reference resolved to, and the bytes digested.
pub(super) type Target = (roxmltree::NodeId, Vec<u8>);

/// Recomputes one reference's digest; the reference as signed if it matches.
/// A same-document reference also gives its [`Target`].
pub(super) fn check_reference(
    doc: &Document<'_>,
    reference: Node<'_, '_>,
    parts: &[Attachment],
) -> Result<(SignedReference, Option<Target>), WssError> {
    let uri = reference.attribute("URI").unwrap_or("");
    let digest_method =
        child(reference, DS_NS, "DigestMethod").and_then(|m| m.attribute("Algorithm"));
    if digest_method != Some(SHA256_URI) {
        return Err(WssError::PolicyNoncompliance(format!(
            "reference {uri}: the digest must be SHA-256"
        )));
    }
    let transforms: Vec<Node<'_, '_>> = child(reference, DS_NS, "Transforms")
        .map(|t| {
            t.children()
                .filter(|c| xml::is(*c, DS_NS, "Transform"))
                .collect()
        })
        .unwrap_or_default();
    let expected = child(reference, DS_NS, "DigestValue")
        .map(node_text)
        .and_then(|t| b64(&t).ok())
        .ok_or_else(|| WssError::InvalidHeader(format!("reference {uri}: no DigestValue")))?;
    let mut resolved = None;
    let input = if let Some(id) = uri.strip_prefix('#') {
        let [target] = find_by_id(doc, id)[..] else {
            return Err(WssError::FailedAuthentication(format!(
                "reference {uri}: no single element with this id"
            )));
        };
        let mut prefixes = Vec::new();
        for t in &transforms {
            if t.attribute("Algorithm") != Some(EXC_C14N) {
                return Err(WssError::PolicyNoncompliance(format!(
                    "reference {uri}: only exclusive C14N may transform it"
                )));
            }
            prefixes = inclusive_prefixes(Some(*t));
        }
        let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        let canonical = c14n::canonicalize(target, &prefixes)
            .map_err(|e| WssError::FailedAuthentication(format!("reference {uri}: {e}")))?;
        resolved = Some(target.id());
        canonical
    } else if let Some(cid) = uri.strip_prefix("cid:") {
        if transforms.len() != 1
            || transforms[0].attribute("Algorithm") != Some(SWA_CONTENT_SIGNATURE)
        {
            return Err(WssError::PolicyNoncompliance(format!(
                "reference {uri}: attachments are signed with the Attachment-Content-Signature-Transform"
            )));
        }
        let part = parts
            .iter()
            .find(|p| p.content_id.eq_ignore_ascii_case(cid))
            .ok_or_else(|| {
                WssError::FailedAuthentication(format!("reference {uri}: no such part"))
            })?;
        attachment_digest_input(&part.content_type, &part.bytes)
            .map_err(|e| WssError::FailedAuthentication(format!("reference {uri}: {e}")))?
    } else {
        return Err(WssError::PolicyNoncompliance(format!(
            "reference `{uri}` is neither a same-document nor an attachment reference"
        )));
    };
    let actual = sha256(&input);
    if !bool::from(actual.as_slice().ct_eq(expected.as_slice())) {
        return Err(WssError::FailedAuthentication(format!(
            "reference {uri}: digest mismatch"
        )));
    }
    // Canonical, so the copy declares the namespaces it uses (the sender's `ds` prefix is
    // bound on an ancestor) and a receipt can carry it as it is.
    let xml = c14n::canonicalize(reference, &[])
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let target = resolved.map(|id| (id, input));
    Ok((
        SignedReference {
            uri: uri.to_owned(),
            digest: actual,
            xml,
        },
        target,
    ))
}
