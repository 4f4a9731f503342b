//! 2.0 associated documents: which ones a request gets, how they are produced from the
//! matched record, and how they join the answer (TDD 2.0.1 4.5.1 §3.5, 4.5.2 §2.6).
//!
//! Only what was asked is sent: the kinds named by `sdg:AssociatedDocumentRequest`
//! (R-EDM-REQ-C119) and, for translations, the languages named by `sdg:Language`
//! (R-EDM-REQ-C118). A requested kind the mapping lacks, or that the record has no
//! document for, is left out: "if the provider has none of the requested type, it
//! returns only the main evidence — it is not an error". 1.x requests carry neither
//! element and 1.x packages no associations, so a 1.x answer has none.

use oots_connector::{Record, Value};
use serde_json::Value as Json;

use super::Exchange;
use super::route::Routed;
use crate::edm::{AssociatedKind, Supplement};
use crate::mapping::{AssociatedDoc, Source};
use crate::preview::associated::ProducedAssociated;

/// Whether the request asked for `doc`: its kind, and for a translation its language.
fn requested(routed: &Routed<'_>, doc: &AssociatedDoc) -> bool {
    let want = &routed.requested;
    let kind_asked = want
        .associated_documents
        .iter()
        .any(|a| AssociatedKind::parse(a) == Some(doc.kind));
    if !kind_asked || !routed.request.version.is_v2() {
        return false;
    }
    match (doc.kind, &doc.language) {
        (AssociatedKind::Translation, Some(lang)) => want
            .languages
            .iter()
            .any(|l| l.trim().eq_ignore_ascii_case(lang)),
        (AssociatedKind::Translation, None) => false,
        _ => true,
    }
}

/// Produces the associated documents the request asked for, from the record and the
/// template data of the main evidence. A stored document that cannot be fetched fails
/// the whole answer (as the main evidence's passthrough does); an empty field is "none".
pub(super) async fn produce(
    ex: &Exchange,
    routed: &Routed<'_>,
    record: &Record,
    data: &Json,
) -> Result<Vec<ProducedAssociated>, &'static str> {
    let mut out = Vec::new();
    for doc in &routed.distribution.associated {
        if !requested(routed, doc) {
            continue;
        }
        let bytes = match &doc.source {
            Source::Template { name, .. } => {
                let mut data = data.clone();
                if let (Some(lang), Some(e)) = (&doc.language, data.get_mut("evidence")) {
                    e["language"] = Json::String(lang.clone());
                }
                let rendered = routed.set.renderer().render(name, &data).map_err(|e| {
                    tracing::error!(code = e.code(), mapping = %routed.mapping.name, kind = doc.kind.name(), error = %e, "rendering an associated document failed");
                    e.code()
                })?;
                Some(rendered.bytes)
            }
            Source::Document { field } => stored(routed, record, field, doc).await?,
        };
        let Some(bytes) = bytes else { continue };
        out.push(ProducedAssociated {
            kind: doc.kind,
            identifier: ex.ids.uuid().to_string(),
            media_type: doc.format.clone(),
            language: doc.language.clone(),
            title: doc.title.clone(),
            bytes,
        });
    }
    Ok(out)
}

/// The mapping's human-readable version rendered for the preview page only (the request
/// did not ask for it): from its template, with the main evidence's data. A stored one
/// is not fetched for this, and a rendering that fails leaves the page its fields.
pub(super) fn readable_for_page(
    ex: &Exchange,
    routed: &Routed<'_>,
    data: &Json,
) -> Option<ProducedAssociated> {
    let doc = routed
        .distribution
        .associated
        .iter()
        .find(|d| d.kind == AssociatedKind::HumanReadableVersion)?;
    let Source::Template { name, .. } = &doc.source else {
        return None;
    };
    match routed.set.renderer().render(name, data) {
        Ok(rendered) => Some(ProducedAssociated {
            kind: doc.kind,
            identifier: ex.ids.uuid().to_string(),
            media_type: doc.format.clone(),
            language: doc.language.clone(),
            title: doc.title.clone(),
            bytes: rendered.bytes,
        }),
        Err(e) => {
            tracing::warn!(code = e.code(), mapping = %routed.mapping.name, error = %e, "the human-readable version for the preview page cannot be rendered; the page shows the fields");
            None
        }
    }
}

/// A stored associated document: the bytes in the field, or fetched by the connector from
/// the reference it holds (the connector refuses references outside its base, other
/// hosts…); `None` when the record has none.
async fn stored(
    routed: &Routed<'_>,
    record: &Record,
    field: &str,
    doc: &AssociatedDoc,
) -> Result<Option<Vec<u8>>, &'static str> {
    match record.get(field) {
        Some(Value::Bytes(b)) if !b.is_empty() => Ok(Some(b.clone())),
        Some(Value::Text(reference)) if !reference.trim().is_empty() => {
            let cancel = oots_connector::CancellationToken::new();
            let fetched = routed
                .mapping
                .connector
                .fetch_document(reference.trim(), routed.mapping.limits, &cancel)
                .await
                .map_err(|e| {
                    tracing::error!(code = e.code(), mapping = %routed.mapping.name, kind = doc.kind.name(), error = %e, "fetching an associated document failed");
                    e.code()
                })?;
            Ok(Some(fetched.bytes))
        }
        _ => Ok(None),
    }
}

/// The package entries of produced associated documents, each with the Content-ID of the
/// payload part it travels in (the caller attaches the bytes under it).
pub(super) fn supplements(ex: &Exchange, produced: &[ProducedAssociated]) -> Vec<Supplement> {
    produced
        .iter()
        .map(|p| Supplement {
            kind: p.kind,
            object_id: format!("urn:uuid:{}", ex.ids.uuid()),
            classification_id: format!("urn:uuid:{}", ex.ids.uuid()),
            association_id: format!("urn:uuid:{}", ex.ids.uuid()),
            identifier: p.identifier.clone(),
            format: p.media_type.clone(),
            language: p.language.clone(),
            content_id: format!("{}@{}", ex.ids.uuid(), ex.config.provider.domain),
            title: p.title.clone(),
        })
        .collect()
}
