//! Drift between what the DSD says about this provider and what its mappings serve: a
//! requester trusts the DSD, so every difference is a request that will fail or an
//! evidence type nobody can find.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::model::{Registration, ServiceType};
use super::parse::DsdAnswer;

/// A DSD value as printed: invisible and control characters shown as `?`, cut at 256
/// characters (a data model URI is longer than the 64 an EDM detail echoes).
fn echo(value: &str) -> String {
    let value = value.trim();
    let mut out: String = value
        .chars()
        .take(256)
        .map(|c| {
            if c.is_control() || crate::edm::is_invisible(c) {
                '?'
            } else {
                c
            }
        })
        .collect();
    if value.chars().count() > 256 {
        out.push('…');
    }
    out
}

/// One difference, printed as `<kind>: <classification key>: <detail>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Drift {
    /// Host-independent classification key (`AT/79ba9682-…`).
    pub classification: String,
    /// `not-registered`, `not-served`, `duplicate`, `identifier`, `format-not-offered`,
    /// `format-not-registered`, `conformance`, `language`, `level-of-assurance`,
    /// `access-service`, `edm-version`, `title`, `jurisdiction`, `provider-classification`.
    pub kind: &'static str,
    pub detail: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.kind, self.classification, self.detail)
    }
}

/// The drift between `ours` and the DSD's answer, in a stable order (classification,
/// kind, detail), and how many of the answer's types another provider publishes (not
/// compared).
pub fn diff(ours: &Registration, answer: &DsdAnswer) -> (Vec<Drift>, usize) {
    let me = (&ours.publisher.scheme, &ours.publisher.identifier);
    let (mine, others): (Vec<&ServiceType>, Vec<&ServiceType>) =
        answer.types.iter().partition(|t| {
            t.access_services.iter().any(|a| {
                a.publisher.scheme.trim().eq_ignore_ascii_case(me.0.trim())
                    && a.publisher
                        .identifier
                        .trim()
                        .eq_ignore_ascii_case(me.1.trim())
            })
        });
    let mut registered: BTreeMap<String, Vec<&ServiceType>> = BTreeMap::new();
    for t in mine {
        registered.entry(t.key()).or_default().push(t);
    }
    let mut out = Vec::new();
    let mut push = |classification: &str, kind: &'static str, detail: String| {
        out.push(Drift {
            classification: echo(classification),
            kind,
            detail,
        });
    };
    let served: BTreeSet<String> = ours.types.iter().map(ServiceType::key).collect();
    for (key, list) in &registered {
        if list.len() > 1 {
            let ids: Vec<String> = list.iter().map(|t| echo(&t.identifier)).collect();
            push(
                key,
                "duplicate",
                format!(
                    "the DSD lists {} data service evidence types for it ({}); compared with the first",
                    list.len(),
                    ids.join(", ")
                ),
            );
        }
        if !served.contains(key) {
            push(
                key,
                "not-served",
                format!(
                    "the DSD lists it (identifier {}), no mapping file serves it",
                    echo(&list[0].identifier)
                ),
            );
        }
    }
    for t in &ours.types {
        let key = t.key();
        match registered.get(&key).and_then(|l| l.first()) {
            None => push(
                &key,
                "not-registered",
                format!(
                    "served by {}, absent from the DSD",
                    t.source.file_name().map_or_else(
                        || t.source.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    )
                ),
            ),
            Some(dsd) => compare(t, dsd, &mut |kind, detail| push(&key, kind, detail)),
        }
    }
    out.sort();
    (out, others.len())
}

/// `[a, b]`, or `none`.
fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.into_iter().collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        format!("[{}]", v.join(", "))
    }
}

fn opt(v: Option<&str>) -> String {
    v.map_or_else(|| "none".to_owned(), echo)
}

/// Field-by-field comparison of one served type with its DSD entry.
fn compare(ours: &ServiceType, dsd: &ServiceType, push: &mut dyn FnMut(&'static str, String)) {
    if ours.identifier.trim() != dsd.identifier.trim() {
        push(
            "identifier",
            format!(
                "the DSD has {}, the export {}",
                echo(&dsd.identifier),
                echo(&ours.identifier)
            ),
        );
    }
    compare_distributions(ours, dsd, push);
    if ours.level_of_assurance.as_deref().map(str::trim)
        != dsd.level_of_assurance.as_deref().map(str::trim)
    {
        push(
            "level-of-assurance",
            format!(
                "the DSD says {}, the mapping {}",
                opt(dsd.level_of_assurance.as_deref()),
                opt(ours.level_of_assurance.as_deref())
            ),
        );
    }
    compare_access(ours, dsd, push);
    compare_texts(ours, dsd, push);
    if dsd.jurisdiction != ours.jurisdiction {
        push(
            "jurisdiction",
            format!(
                "the DSD determines it by {}, the mapping by {}",
                opt(dsd.jurisdiction.as_ref().map(|j| j.context_id.as_str())),
                opt(ours.jurisdiction.as_ref().map(|j| j.context_id.as_str()))
            ),
        );
    }
    if dsd.provider_classifications != ours.provider_classifications {
        push(
            "provider-classification",
            format!(
                "the DSD asks for {}, the mapping uses {}",
                list(
                    dsd.provider_classifications
                        .iter()
                        .map(|c| echo(c))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                ),
                list(
                    ours.provider_classifications
                        .iter()
                        .map(|c| echo(c))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                )
            ),
        );
    }
}

/// The access points and the EDM versions they speak.
fn compare_access(
    ours: &ServiceType,
    dsd: &ServiceType,
    push: &mut dyn FnMut(&'static str, String),
) {
    let points = |t: &ServiceType| -> BTreeSet<String> {
        t.access_services
            .iter()
            .map(|a| format!("{} ({})", echo(&a.identifier), echo(&a.scheme)))
            .collect()
    };
    let (dp, op) = (points(dsd), points(ours));
    if dp != op {
        push(
            "access-service",
            format!(
                "the DSD names {}, adapter.yaml {}",
                list(dp.iter().map(String::as_str)),
                list(op.iter().map(String::as_str))
            ),
        );
    }
    let versions = |t: &ServiceType| -> BTreeSet<String> {
        t.access_services
            .iter()
            .map(|a| echo(&a.conforms_to))
            .collect()
    };
    let (dv, ov) = (versions(dsd), versions(ours));
    if dv != ov {
        push(
            "edm-version",
            format!(
                "the DSD says the access service speaks {}, adapter.yaml {}",
                list(dv.iter().map(String::as_str)),
                list(ov.iter().map(String::as_str))
            ),
        );
    }
}

/// Titles and descriptions, by language.
fn compare_texts(
    ours: &ServiceType,
    dsd: &ServiceType,
    push: &mut dyn FnMut(&'static str, String),
) {
    for (kind, d, o) in [
        ("title", &dsd.titles, &ours.titles),
        ("description", &dsd.descriptions, &ours.descriptions),
    ] {
        let langs = |v: &Vec<(String, String)>| -> BTreeMap<String, String> {
            v.iter().map(|(l, t)| (l.clone(), t.clone())).collect()
        };
        let (dm, om) = (langs(d), langs(o));
        let differing: BTreeSet<String> = dm
            .keys()
            .chain(om.keys())
            .filter(|l| dm.get(*l) != om.get(*l))
            .map(|l| echo(l))
            .collect();
        if !differing.is_empty() {
            push(
                kind,
                format!("differs in {}", list(differing.iter().map(String::as_str))),
            );
        }
    }
}

/// By format: offered or not, then its data models, then its languages.
fn compare_distributions(
    ours: &ServiceType,
    dsd: &ServiceType,
    push: &mut dyn FnMut(&'static str, String),
) {
    type ByFormat = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;
    let by_format = |t: &ServiceType| -> ByFormat {
        let mut m: ByFormat = BTreeMap::new();
        for d in &t.distributions {
            let e = m.entry(echo(&d.format).to_ascii_lowercase()).or_default();
            let model = match (&d.conforms_to, &d.transformation) {
                (Some(c), Some(x)) => format!("{} / {}", echo(c), echo(x)),
                (Some(c), None) => echo(c),
                (None, Some(x)) => format!("/ {}", echo(x)),
                (None, None) => String::new(),
            };
            if !model.is_empty() {
                e.0.insert(model);
            }
            if let Some(l) = &d.language {
                e.1.insert(echo(l).to_ascii_uppercase());
            }
        }
        m
    };
    let (dm, om) = (by_format(dsd), by_format(ours));
    let formats: BTreeSet<&String> = dm.keys().chain(om.keys()).collect();
    for f in formats {
        match (dm.get(f), om.get(f)) {
            (Some(_), None) => push(
                "format-not-offered",
                format!("the DSD lists {f}, no distribution serves it"),
            ),
            (None, Some(_)) => push(
                "format-not-registered",
                format!("{f} is served, the DSD does not list it"),
            ),
            (Some(d), Some(o)) => {
                if d.0 != o.0 {
                    push(
                        "conformance",
                        format!(
                            "{f}: the DSD says it conforms to {}, served {}",
                            list(d.0.iter().map(String::as_str)),
                            list(o.0.iter().map(String::as_str))
                        ),
                    );
                }
                if d.1 != o.1 {
                    push(
                        "language",
                        format!(
                            "{f}: the DSD says {}, served {}",
                            list(d.1.iter().map(String::as_str)),
                            list(o.1.iter().map(String::as_str))
                        ),
                    );
                }
            }
            (None, None) => {}
        }
    }
}
