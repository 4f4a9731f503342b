//! `oots-adapter test`: runs the tests written in mapping files. Each test sends a request
//! through the real exchange (parser, routing, matching, rendering, writer) with the
//! mapping's connector replaced by the test's registry fixtures, a fixed clock and
//! sequential ids, so answers are byte-stable and can be compared with golden files.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use oots_connector::{Record, Value};
use serde::Serialize;

use crate::clock::{FixedClock, SequentialIds};
use crate::config::AdapterConfig;
use crate::connector::Fixture;
use crate::edm::{self, EdmVersion, QueryResponse, XmlLimits};
use crate::exchange::{Answer, Exchange, Outcome};
use crate::mapping::{Mapping, MappingSet, TestCase};
use crate::requester::{self, RequestSpec};
use crate::store::SqliteStore;

/// The outcome of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub mapping: String,
    pub name: String,
    pub passed: bool,
    /// What differed, with personal data masked.
    pub failures: Vec<String>,
    /// The matching decision and why (masked), when matching ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
}

/// Runs every test of every mapping in `set`. With `update`, golden files are (re)written
/// instead of compared.
pub async fn run_tests(config: &AdapterConfig, set: &MappingSet, update: bool) -> Vec<TestResult> {
    let mut results = Vec::new();
    for m in set.mappings() {
        for t in &m.spec.tests {
            let (failures, matching) = match run_one(config, set, m, t, update).await {
                Ok(f) => f,
                Err(e) => (vec![e], None),
            };
            results.push(TestResult {
                mapping: m.name.clone(),
                name: t.name.clone(),
                passed: failures.is_empty(),
                failures,
                matching,
            });
        }
    }
    results
}

async fn run_one(
    config: &AdapterConfig,
    set: &MappingSet,
    m: &Arc<Mapping>,
    t: &TestCase,
    update: bool,
) -> Result<(Vec<String>, Option<String>), String> {
    let (exchange, now) = fixture_exchange(config, set, m, t).await?;
    let clock = FixedClock(now);

    let spec = request_spec(config, m, t)?;
    let mut request = requester::build_request(&spec, &SequentialIds::default(), clock.0);
    ask_associated(&mut request, t);
    request.provider_classifications = t
        .request
        .provider_classifications
        .iter()
        .map(|(identifier, value)| edm::ProviderClassification {
            identifier: identifier.clone(),
            value: value.clone(),
        })
        .collect();
    if let Some(t) = &t.request.transformation
        && let Some(d) = request.evidence_type.distributed_as.first_mut()
    {
        d.transformation = Some(t.clone());
    }
    let xml = edm::write_request(&request);
    let answer = exchange
        .answer(xml.as_bytes(), None)
        .await
        .map_err(|e| e.to_string())?;
    let mut failures = super::columns::fixture_gaps(m, t);
    failures.extend(compare(t, &answer));
    if let Some(golden) = &t.expect.golden {
        let path = m.file.parent().unwrap_or(Path::new(".")).join(golden);
        if update {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, answer.document.as_bytes()).map_err(|e| e.to_string())?;
        } else {
            match std::fs::read_to_string(&path) {
                Ok(g) if g == answer.document => {}
                Ok(g) => failures.push(format!(
                    "answer differs from golden file {} at line {} (run `oots-adapter test --update` after reviewing)",
                    path.display(),
                    first_difference(&g, &answer.document)
                )),
                Err(_) => failures.push(format!(
                    "golden file {} is missing (create it with `oots-adapter test --update`)",
                    path.display()
                )),
            }
        }
    }
    let matching = answer.matching.as_ref().map(|o| match o.explanation() {
        Some(e) => format!("{}: {}", o.name(), e.summary()),
        None => o.name().to_owned(),
    });
    Ok((failures, matching))
}

/// The exchange a mapping test runs against, and the time it runs at: the test's records
/// (and recorded responses) instead of the registry, an in-memory state store, a fixed
/// clock, sequential ids. Shared by `oots-adapter test` and `oots-adapter preview`.
pub async fn fixture_exchange(
    config: &AdapterConfig,
    set: &MappingSet,
    m: &Arc<Mapping>,
    t: &TestCase,
) -> Result<(Exchange, chrono::DateTime<Utc>), String> {
    let mut records: Vec<Record> = t
        .records
        .iter()
        .map(|r| r.iter().map(|(k, v)| (k.clone(), value(v))).collect())
        .collect();
    for response in &t.responses {
        records.extend(
            m.connector
                .decode_fixture(response, &m.spec.connector.fields)
                .map_err(|e| format!("recorded response: {e}"))?,
        );
    }
    let mut fixture = Fixture::new(m.connector.clone(), records);
    if let Some(rep) = &m.representation {
        let rows = t
            .representation_records
            .iter()
            .map(|r| r.iter().map(|(k, v)| (k.clone(), value(v))).collect())
            .collect();
        fixture = fixture.with_query(&rep.query, rows);
    }
    let fixture = Arc::new(fixture);
    let set = Arc::new(set.with_connector(&m.name, fixture));
    let store = SqliteStore::in_memory().await.map_err(|e| e.to_string())?;
    let clock = FixedClock(
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
            .single()
            .ok_or("fixed clock")?,
    );
    let exchange = Exchange::new(Arc::new(config.clone()), set, Arc::new(store))
        .with_clock(Arc::new(clock), Arc::new(SequentialIds::default()));
    Ok((exchange, clock.0))
}

fn value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .or_else(|| n.as_f64().map(Value::Float))
            .unwrap_or(Value::Null),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn compare(t: &TestCase, answer: &Answer) -> Vec<String> {
    let mut failures = Vec::new();
    let e = &t.expect;
    // Whatever the expectations, the answer must be a valid EDM document.
    if let Err(err) = edm::parse_response(answer.document.as_bytes(), &XmlLimits::default()) {
        failures.push(format!("the EDM answer does not re-parse: {err}"));
    } else if let Ok(QueryResponse::Evidence(r)) =
        edm::parse_response(answer.document.as_bytes(), &XmlLimits::default())
        && r.items.len() + r.items.iter().map(|i| i.supplements.len()).sum::<usize>()
            != answer.attachments.len()
    {
        failures.push("evidence items and attachments differ in number".to_owned());
    }
    if let Some(a) = &e.action
        && a != answer.action()
    {
        failures.push(format!(
            "action: expected {a}, got {}{}",
            answer.action(),
            answer.code().map(|c| format!(" ({c})")).unwrap_or_default()
        ));
    }
    match (&e.code, answer.code()) {
        (Some(want), Some(got)) if want != got => {
            failures.push(format!("code: expected {want}, got {got}"));
        }
        (Some(want), None) => {
            failures.push(format!("code: expected {want}, got an evidence answer"))
        }
        (None, Some(got)) if e.action.is_none() => {
            failures.push(format!("unexpected error answer {got}"));
        }
        _ => {}
    }
    if let Some(want) = &e.associated {
        let got = associated_kinds(answer);
        if &got != want {
            failures.push(format!("associated: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = &e.matching {
        let got = answer
            .matching
            .as_ref()
            .map(|o| o.name())
            .unwrap_or("(none)");
        if want != got {
            failures.push(format!("matching: expected {want}, got {got}"));
        }
    }
    if let Some(want) = e.evidences
        && want != answer.attachments.len()
    {
        failures.push(format!(
            "evidences: expected {want}, got {}",
            answer.attachments.len()
        ));
    }
    if let Some(want) = &e.attachment {
        match answer.attachments.first() {
            Some(a) if &a.mime_type == want => {}
            Some(a) => failures.push(format!("attachment: expected {want}, got {}", a.mime_type)),
            None => failures.push(format!("attachment: expected {want}, got none")),
        }
    }
    if let Some(want) = &e.deferred_until {
        match &answer.outcome {
            Outcome::Deferred { available, .. } if available == want => {}
            Outcome::Deferred { available, .. } => {
                failures.push(format!("deferred_until: expected {want}, got {available}"))
            }
            _ => failures.push(format!(
                "deferred_until: expected {want}, got {}",
                answer.outcome_label()
            )),
        }
    }
    if !e.evidence.is_empty() {
        match answer.attachments.first() {
            None => {
                failures.push("evidence fields expected, but no evidence was attached".to_owned())
            }
            Some(a) => {
                for (path, want) in &e.evidence {
                    let got = evidence_value(&a.mime_type, &a.bytes, path);
                    if got.as_deref() != Some(want.as_str()) {
                        failures.push(format!(
                            "evidence {path}: expected {}, got {}",
                            mask(Some(want)),
                            mask(got.as_deref())
                        ));
                    }
                }
            }
        }
    }
    failures
}

/// A value from the rendered evidence: an element path for XML, a dotted path for JSON.
fn evidence_value(media_type: &str, bytes: &[u8], path: &str) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    if media_type.contains("json") {
        let mut v: &serde_json::Value = &serde_json::from_str(text).ok()?;
        for seg in path.split('.') {
            v = match seg.parse::<usize>() {
                Ok(i) => v.get(i)?,
                Err(_) => v.get(seg)?,
            };
        }
        return Some(match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    let doc = roxmltree::Document::parse(text).ok()?;
    let mut node = doc.root_element();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(attr) = seg.strip_prefix('@') {
            return node.attribute(attr).map(str::to_owned);
        }
        node = node
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == seg)?;
    }
    Some(node.text().unwrap_or("").trim().to_owned())
}

/// Masks personal data in failure messages: first letter, then its length.
fn mask(v: Option<&str>) -> String {
    match v {
        None => "(nothing)".to_owned(),
        Some(s) => {
            let n = s.chars().count();
            match s.chars().next() {
                Some(c) if n > 1 => format!("\"{c}{}\" ({n} chars)", "*".repeat(n - 1)),
                Some(_) => "\"*\" (1 char)".to_owned(),
                None => "\"\" (empty)".to_owned(),
            }
        }
    }
}

fn first_difference(a: &str, b: &str) -> usize {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .map(|i| i + 1)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()) + 1)
}

/// The request a test describes, addressed to this deployment's provider (also used by
/// `oots-adapter demo` to play a deployment's tests against its live registry).
pub fn request_spec(
    config: &AdapterConfig,
    m: &Mapping,
    t: &TestCase,
) -> Result<RequestSpec, String> {
    let version =
        EdmVersion::from_spec_id(&format!("oots-edm:{}", t.request.version)).ok_or_else(|| {
            format!(
                "request.version `{}` is not v1.0, v1.1, v1.2 or v2.0",
                t.request.version
            )
        })?;
    let format = t
        .request
        .format
        .clone()
        .or_else(|| m.distributions.first().map(|d| d.format.clone()))
        .unwrap_or_default();
    let p = &config.provider;
    Ok(RequestSpec {
        version,
        family_name: t.request.family_name.clone(),
        given_name: t.request.given_name.clone(),
        date_of_birth: t.request.date_of_birth.clone(),
        classification: m
            .spec
            .evidence_type
            .classifications
            .first()
            .map(|c| c.value.clone())
            .unwrap_or_default(),
        format,
        conforms_to: t.request.conforms_to.clone(),
        preview: t.request.preview,
        level_of_assurance: t.request.level_of_assurance,
        optional: crate::requester::OptionalAttributes {
            birth_name: t.request.birth_name.clone(),
            place_of_birth: t.request.place_of_birth.clone(),
            gender: t.request.gender.clone(),
            post_code: t.request.post_code.clone(),
            post_city_name: t.request.post_city_name.clone(),
            thoroughfare: t.request.thoroughfare.clone(),
            locator_designator: t.request.locator_designator.clone(),
        },
        representative: t.request.representative.clone(),
        legal: (t.request.legal_name.is_some() || t.request.legal_person_identifier.is_some())
            .then(|| {
                (
                    t.request.legal_name.clone().unwrap_or_default(),
                    t.request.legal_person_identifier.clone(),
                )
            }),
        provider: (
            p.scheme.clone(),
            p.identifier.clone(),
            p.name
                .get("EN")
                .or_else(|| p.name.values().next())
                .cloned()
                .unwrap_or_default(),
        ),
    })
}

/// The test's 2.0 `AssociatedDocumentRequest` and `Language` values, on the request's
/// distribution.
fn ask_associated(request: &mut edm::EvidenceRequest, t: &TestCase) {
    if let Some(d) = request.evidence_type.distributed_as.first_mut() {
        d.associated_documents = t.request.associated.clone();
        if request.version.is_v2() && !t.request.languages.is_empty() {
            d.languages = t.request.languages.clone();
        }
    }
}

/// The kinds of the associated documents an evidence answer carries, in package order.
fn associated_kinds(answer: &Answer) -> Vec<String> {
    match edm::parse_response(answer.document.as_bytes(), &XmlLimits::default()) {
        Ok(QueryResponse::Evidence(r)) => r
            .items
            .iter()
            .flat_map(|i| i.supplements.iter().map(|s| s.kind.name().to_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_no_name() {
        assert_eq!(mask(Some("Dupont")), "\"D*****\" (6 chars)");
        assert_eq!(mask(None), "(nothing)");
    }

    #[test]
    fn evidence_paths_reach_xml_elements_attributes_and_json_members() {
        let xml = br#"<a><Child id="7"><FamilyName> Smith </FamilyName></Child></a>"#;
        assert_eq!(
            evidence_value("application/xml", xml, "Child/FamilyName").as_deref(),
            Some("Smith")
        );
        assert_eq!(
            evidence_value("application/xml", xml, "Child/@id").as_deref(),
            Some("7")
        );
        let json = br#"{"child":{"names":["Ann","Bo"],"age":3}}"#;
        assert_eq!(
            evidence_value("application/json", json, "child.names.1").as_deref(),
            Some("Bo")
        );
        assert_eq!(
            evidence_value("application/json", json, "child.age").as_deref(),
            Some("3")
        );
    }
}
