//! Stage four: the matched record's evidence is [`Produced`]: rendered from the
//! mapping's template, or passed through from the registry, under a stable code if not.

use chrono::{DateTime, Utc};
use oots_connector::{Record, Value};

use super::Exchange;
use super::context::template_data;
use super::route::Routed;
use crate::mapping::Source;
use crate::preview::held::Produced;

/// The evidence of each record, in order (`evidence.several`), or the first failure's
/// code: an answer never carries part of a subject's evidences.
pub(super) async fn produce_all(
    ex: &Exchange,
    routed: &Routed<'_>,
    records: &[Record],
    now: DateTime<Utc>,
) -> Result<Vec<Produced>, &'static str> {
    let mut produced = Vec::with_capacity(records.len());
    for record in records {
        produced.push(produce(ex, routed, record, now).await?);
    }
    Ok(produced)
}

/// Renders the evidence of `record` (or fetches the stored document), or says why not
/// with a stable code.
pub(super) async fn produce(
    ex: &Exchange,
    routed: &Routed<'_>,
    record: &Record,
    now: DateTime<Utc>,
) -> Result<Produced, &'static str> {
    use tracing::Instrument as _;
    let span = tracing::info_span!("render", mapping = %routed.mapping.name);
    produce_in_span(ex, routed, record, now)
        .instrument(span)
        .await
}

async fn produce_in_span(
    ex: &Exchange,
    routed: &Routed<'_>,
    record: &Record,
    now: DateTime<Utc>,
) -> Result<Produced, &'static str> {
    let request = routed.request;
    let mapping = &routed.mapping;
    let evidence_id = ex.ids.uuid().to_string();
    let meta = super::metadata::read(mapping, record, now).map_err(|e| {
        tracing::error!(code = e.code(), mapping = %mapping.name, error = %e, "the record's evidence metadata cannot be written");
        e.code()
    })?;
    let language = routed.evidence_language();
    let data = template_data(
        ex,
        request,
        mapping,
        record,
        &evidence_id,
        Some(&meta.issuing_date),
        language.as_deref(),
        now,
    );
    let (media_type, bytes) = match &routed.distribution.source {
        Source::Template { name, .. } => routed
            .set
            .renderer()
            .render(name, &data)
            .map(|r| (r.media_type.to_owned(), r.bytes))
            .map_err(|e| {
                tracing::error!(code = e.code(), mapping = %mapping.name, error = %e, "rendering the evidence failed");
                e.code()
            }),
        Source::Document { field } => passthrough(routed, record, field).await,
    }?;
    let associated = super::associated::produce(ex, routed, record, &data).await?;
    let readable = if request.possibility_for_preview
        && crate::preview::associated::is_structured(&media_type)
        && !associated
            .iter()
            .any(|a| a.kind == crate::edm::AssociatedKind::HumanReadableVersion)
    {
        super::associated::readable_for_page(ex, routed, &data)
    } else {
        None
    };
    Ok(Produced {
        evidence_id,
        media_type,
        bytes,
        registered: meta.registered(),
        issuing_date: Some(meta.issuing_date),
        associated,
        readable,
    })
}

/// A stored document: the bytes in the record field, or fetched by the connector from the
/// reference the field holds. It is sent under the distribution's declared format.
async fn passthrough(
    routed: &Routed<'_>,
    record: &Record,
    field: &str,
) -> Result<(String, Vec<u8>), &'static str> {
    let format = routed.distribution.format.clone();
    match record.get(field) {
        Some(Value::Bytes(b)) if !b.is_empty() => Ok((format, b.clone())),
        Some(Value::Text(reference)) if !reference.trim().is_empty() => {
            let cancel = oots_connector::CancellationToken::new();
            let doc = routed
                .mapping
                .connector
                .fetch_document(reference.trim(), routed.mapping.limits, &cancel)
                .await
                .map_err(|e| {
                    tracing::error!(code = e.code(), mapping = %routed.mapping.name, error = %e, "fetching the stored evidence failed");
                    e.code()
                })?;
            if !doc.media_type.starts_with(&format) {
                tracing::warn!(declared = %format, fetched = %doc.media_type, "stored document has another media type than the distribution declares");
            }
            Ok((format, doc.bytes))
        }
        _ => Err("RENDER_NO_DOCUMENT"),
    }
}
