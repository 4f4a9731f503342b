//! The registration for a person to read before it is submitted: one block per evidence
//! type (text), or the same as JSON.

use serde_json::{Value, json};

use super::model::{Registration, ServiceType};

fn langs(v: &[(String, String)]) -> Value {
    v.iter()
        .map(|(l, t)| (l.clone(), Value::String(t.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn type_json(t: &ServiceType) -> Value {
    json!({
        "identifier": t.identifier,
        "identifier_derived": t.identifier_derived,
        "classification": t.classification,
        "title": langs(&t.titles),
        "description": langs(&t.descriptions),
        "distributions": t.distributions.iter().map(|d| json!({
            "format": d.format,
            "conforms_to": d.conforms_to,
            "language": d.language,
            "transformation": d.transformation,
        })).collect::<Vec<_>>(),
        "access_services": t.access_services.iter().map(|a| json!({
            "identifier": a.identifier,
            "scheme": a.scheme,
            "conforms_to": a.conforms_to,
        })).collect::<Vec<_>>(),
        "level_of_assurance": t.level_of_assurance,
        "jurisdiction": t.jurisdiction.as_ref().map(|j| json!({
            "context_id": j.context_id,
            "level": j.level,
        })),
        "provider_classifications": t.provider_classifications,
        "mapping": t.source.display().to_string(),
    })
}

/// The summary as JSON.
pub fn summary_json(reg: &Registration) -> Value {
    let p = &reg.publisher;
    json!({
        "publisher": {
            "identifier": p.identifier,
            "scheme": p.scheme,
            "name": langs(&p.names),
            "country": p.country,
        },
        "evidence_types": reg.types.iter().map(type_json).collect::<Vec<_>>(),
    })
}

fn first_title(t: &ServiceType) -> &str {
    t.titles
        .iter()
        .find(|(l, _)| l == "EN")
        .or_else(|| t.titles.first())
        .map_or("(no title)", |(_, v)| v.as_str())
}

/// The summary as text.
pub fn summary_text(reg: &Registration) -> String {
    let p = &reg.publisher;
    let mut out = format!(
        "publisher {} ({}), {}, {} evidence type(s)\n",
        p.identifier,
        p.scheme,
        p.country,
        reg.types.len()
    );
    for t in &reg.types {
        out.push_str(&format!("\n{}\n", first_title(t)));
        out.push_str(&format!("  classification  {}\n", t.classification));
        out.push_str(&format!(
            "  identifier      {}{}\n",
            t.identifier,
            if t.identifier_derived {
                " (derived: set dsd.identifier)"
            } else {
                ""
            }
        ));
        let titles: Vec<&str> = t.titles.iter().map(|(l, _)| l.as_str()).collect();
        out.push_str(&format!("  titles          {}\n", titles.join(", ")));
        for d in &t.distributions {
            out.push_str(&format!(
                "  distribution    {}{}{}{}\n",
                d.format,
                d.conforms_to
                    .as_deref()
                    .map(|c| format!(" conforming to {c}"))
                    .unwrap_or_default(),
                d.transformation
                    .as_deref()
                    .map(|x| format!(", subset {x}"))
                    .unwrap_or_default(),
                d.language
                    .as_deref()
                    .map(|l| format!(", in {l}"))
                    .unwrap_or_default()
            ));
        }
        if t.access_services.is_empty() {
            out.push_str("  access service  none (set dsd.access_service in adapter.yaml)\n");
        }
        for a in &t.access_services {
            out.push_str(&format!(
                "  access service  {} ({}), {}\n",
                a.identifier, a.scheme, a.conforms_to
            ));
        }
        out.push_str(&format!(
            "  assurance       {}\n",
            t.level_of_assurance.as_deref().unwrap_or("none")
        ));
        if let Some(j) = &t.jurisdiction {
            out.push_str(&format!(
                "  jurisdiction    {} ({})\n",
                j.context_id, j.level
            ));
        }
        for c in &t.provider_classifications {
            out.push_str(&format!("  classification  provider classification {c}\n"));
        }
    }
    out
}
