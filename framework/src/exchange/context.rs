//! The data a mapping's templates see.
//!
//! ```text
//! record    the matched registry record, field by field (typed: dates as YYYY-MM-DD)
//! subject   what the request states: family_name, given_name, date_of_birth, …
//! evidence  identifier, issuing_date, language, title, classification
//! provider  identifier, scheme, name, country
//! request   id, procedure, requester { identifier, name }, power_of_representation_scope
//! provider_classification  the value of each declared classification (null: not given)
//! issued_at the answer's timestamp (xsd:dateTime)
//! ```

use chrono::{DateTime, Utc};
use oots_connector::Record;
use serde_json::{Map, Value as Json, json};

use super::Exchange;
use crate::clock::edm_timestamp;
use crate::edm::{EvidenceRequest, Subject};
use crate::mapping::{Mapping, pick_lang};

#[allow(clippy::too_many_arguments)]
pub(super) fn template_data(
    ex: &Exchange,
    request: &EvidenceRequest,
    mapping: &Mapping,
    record: &Record,
    evidence_id: &str,
    issuing_date: Option<&str>,
    language: Option<&str>,
    now: DateTime<Utc>,
) -> Json {
    let mut rec = Map::new();
    for (name, value) in record.fields() {
        rec.insert(
            name.to_owned(),
            serde_json::to_value(value).unwrap_or(Json::Null),
        );
    }
    let subject = match &request.subject {
        Subject::Natural(p) => json!({
            "family_name": p.family_name,
            "given_name": p.given_name,
            "date_of_birth": p.date_of_birth,
            "birth_name": p.birth_name,
            "place_of_birth": p.place_of_birth,
            "gender": p.gender,
            "identifier": p.identifier.as_ref().map(|i| i.value.clone()),
        }),
        Subject::Legal(l) => json!({
            "legal_name": l.legal_name,
            "identifier": l.legal_person_identifier.as_ref().map(|i| i.value.clone()),
        }),
    };
    let p = &ex.config.provider;
    let requester = request.requester();
    json!({
        "record": Json::Object(rec),
        "subject": subject,
        "evidence": {
            "identifier": evidence_id,
            "issuing_date": issuing_date,
            "language": language,
            "title": mapping.title(language).map(|(_, t)| t),
            "classification": request.evidence_type.classification,
        },
        "provider": {
            "identifier": p.identifier,
            "scheme": p.scheme,
            "name": pick_lang(&p.name, language).map(|(_, n)| n),
            "country": p.country,
        },
        "request": {
            "id": request.id,
            "procedure": request.procedure,
            "power_of_representation_scope": super::represent::scope(request),
            "requester": {
                "identifier": requester.identifier.value,
                "name": requester.names.first().map(|n| n.text.clone()),
            },
        },
        "provider_classification": crate::mapping::resolve_classifications(
            &mapping.spec.provider_classifications,
            request,
        )
        .unwrap_or_default(),
        "issued_at": edm_timestamp(now),
    })
}
