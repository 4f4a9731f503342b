//! The evidence metadata read from the matched record (`sdg:IssuingDate`,
//! `sdg:IssuingAuthority`, `sdg:ValidityPeriod`), checked so that whatever the register
//! holds, the answer stays schema-valid: a value that cannot be written refuses the
//! evidence under a stable code rather than producing an invalid answer.
//!
//! Decisions (docs/mapping-files.md, "Evidence metadata"):
//! - no issuing date in the record → the date the evidence is produced: the XSD (1.x) and
//!   R-EDM-RESP-S062 (2.0.1) require `IssuingDate` on the (main) evidence;
//! - an issuing authority the record leaves empty → the provider (the one answerable for
//!   what its register releases); one it names wrongly (scheme off the EAS list, control
//!   characters, over-long) → refused, never rewritten;
//! - a validity period is written only when the record has both dates.

use chrono::{DateTime, Utc};
use oots_connector::{Record, Value};

use crate::edm::{Agent, Identifier, LocalizedText, is_agent_scheme, is_xsd_date};
use crate::mapping::Mapping;
use crate::preview::held::{IssuingAuthority, Registered};

/// The longest identifier, scheme or name taken from a register (characters).
pub const MAX_METADATA_CHARS: usize = 512;

/// Why a record's metadata cannot be written, under a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// A date field holds something that is not a calendar date (or not an xs:date).
    #[error("a metadata date field does not hold a date")]
    NotADate,
    /// The validity period ends before it starts.
    #[error("the validity period ends before it starts")]
    ValidityReversed,
    /// The record's issuing authority cannot be written: a scheme off the EAS list and not
    /// `unregistered` (R-EDM-RESP-C039), control characters, or over-long.
    #[error("the record's issuing authority cannot be written")]
    AuthorityInvalid,
}

impl MetadataError {
    /// The stable code (logs, the answer's detail).
    pub fn code(self) -> &'static str {
        match self {
            MetadataError::NotADate => "EVIDENCE_DATE_INVALID",
            MetadataError::ValidityReversed => "EVIDENCE_VALIDITY_REVERSED",
            MetadataError::AuthorityInvalid => "EVIDENCE_AUTHORITY_INVALID",
        }
    }
}

/// The metadata of one evidence, as the answer writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Metadata {
    pub issuing_date: String,
    pub issuing_authority: Option<IssuingAuthority>,
    pub validity: Option<(String, String)>,
}

impl Metadata {
    /// What a produced evidence keeps beyond its issuing date (nothing: `None`).
    pub fn registered(&self) -> Option<Box<Registered>> {
        (self.issuing_authority.is_some() || self.validity.is_some()).then(|| {
            Box::new(Registered {
                issuing_authority: self.issuing_authority.clone(),
                validity: self.validity.clone(),
            })
        })
    }
}

/// Reads the metadata the mapping maps from `record`.
pub(super) fn read(
    mapping: &Mapping,
    record: &Record,
    now: DateTime<Utc>,
) -> Result<Metadata, MetadataError> {
    let spec = &mapping.spec.evidence;
    let issuing_date = match spec.issuing_date.as_deref() {
        Some(f) => date(record, f)?,
        None => None,
    }
    .unwrap_or_else(|| date_of(now));
    let validity = match &spec.validity {
        Some(v) => match (date(record, &v.start.value)?, date(record, &v.end.value)?) {
            (Some(start), Some(end)) if start > end => return Err(MetadataError::ValidityReversed),
            (Some(start), Some(end)) => Some((start, end)),
            _ => None,
        },
        None => None,
    };
    let issuing_authority = match &spec.issuing_authority {
        Some(a) => authority(&a.value, record)?,
        None => None,
    };
    if spec.issuing_authority.is_some() && issuing_authority.is_none() {
        tracing::warn!(mapping = %mapping.name, code = "EVIDENCE_AUTHORITY_MISSING", "the record names no issuing authority: the provider is written");
    }
    Ok(Metadata {
        issuing_date,
        issuing_authority,
        validity,
    })
}

/// The (UTC) day of `now` as xs:date: the issuing date of an evidence produced now.
pub(super) fn date_of(now: DateTime<Utc>) -> String {
    now.date_naive().format("%Y-%m-%d").to_string()
}

/// A date field as xs:date; `None` when empty, an error when it holds a non-date.
fn date(record: &Record, field: &str) -> Result<Option<String>, MetadataError> {
    match record.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(v) => {
            let text = v
                .as_date()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .ok_or(MetadataError::NotADate)?;
            // chrono writes years past 9999 as `+10000`: not an xs:date we can send.
            if is_xsd_date(&text) {
                Ok(Some(text))
            } else {
                Err(MetadataError::NotADate)
            }
        }
    }
}

/// The authority the record names; `None` when it leaves its identifier, scheme or
/// every name empty.
fn authority(
    spec: &crate::mapping::AuthoritySpec,
    record: &Record,
) -> Result<Option<IssuingAuthority>, MetadataError> {
    let Some(identifier) = text(record, &spec.identifier.value)? else {
        return Ok(None);
    };
    let scheme = match (&spec.scheme, &spec.scheme_id) {
        (Some(field), _) => text(record, &field.value)?,
        (None, Some(fixed)) => Some(fixed.value.trim().to_owned()),
        (None, None) => None,
    };
    let Some(scheme) = scheme else {
        return Ok(None);
    };
    if !is_agent_scheme(&scheme) {
        return Err(MetadataError::AuthorityInvalid);
    }
    let mut names = std::collections::BTreeMap::new();
    for (lang, field) in &spec.names {
        if let Some(name) = text(record, &field.value)? {
            names.insert(lang.to_ascii_uppercase(), name);
        }
    }
    if names.is_empty() {
        return Ok(None);
    }
    Ok(Some(IssuingAuthority {
        identifier,
        scheme,
        names,
    }))
}

/// A text field, trimmed; `None` when empty; an error when it holds a control character
/// (XML 1.0 cannot carry most of them) or is longer than [`MAX_METADATA_CHARS`].
fn text(record: &Record, field: &str) -> Result<Option<String>, MetadataError> {
    let Some(t) = record.get(field).and_then(Value::as_text) else {
        return Ok(None);
    };
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().any(char::is_control) || t.chars().count() > MAX_METADATA_CHARS {
        return Err(MetadataError::AuthorityInvalid);
    }
    Ok(Some(t.to_owned()))
}

/// `sdg:IssuingAuthority`: the record's authority, or the provider (identifier and names).
pub(super) fn issuing_authority(provider: &Agent, named: Option<&IssuingAuthority>) -> Agent {
    match named {
        Some(a) => Agent {
            identifier: Identifier {
                scheme_id: Some(a.scheme.clone()),
                value: a.identifier.clone(),
            },
            names: a
                .names
                .iter()
                .map(|(lang, text)| LocalizedText {
                    lang: lang.clone(),
                    text: text.clone(),
                })
                .collect(),
            address: None,
            classification: None,
        },
        None => Agent {
            identifier: provider.identifier.clone(),
            names: provider.names.clone(),
            address: None,
            classification: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(v: Value) -> Record {
        let mut r = Record::new();
        r.push("d", v);
        r
    }

    #[test]
    fn dates_are_xsd_dates_or_refused_and_empty_is_absent() {
        let day = chrono::NaiveDate::from_ymd_opt(2020, 2, 29).unwrap();
        assert_eq!(
            date(&record(Value::Date(day)), "d"),
            Ok(Some("2020-02-29".into()))
        );
        let at = day.and_hms_opt(23, 59, 0).unwrap();
        assert_eq!(
            date(&record(Value::DateTime(at)), "d"),
            Ok(Some("2020-02-29".into()))
        );
        assert_eq!(date(&record(Value::Text(" ".into())), "d"), Ok(None));
        assert_eq!(date(&record(Value::Null), "d"), Ok(None));
        assert_eq!(date(&record(Value::Null), "missing"), Ok(None));
        for bad in [
            Value::Int(20200229),
            Value::Text("2021-02-29".into()),
            Value::Text("29.02.2020".into()),
            Value::Bytes(vec![1]),
        ] {
            assert_eq!(date(&record(bad), "d"), Err(MetadataError::NotADate));
        }
        let far = chrono::NaiveDate::from_ymd_opt(12000, 1, 1).unwrap();
        assert_eq!(
            date(&record(Value::Date(far)), "d"),
            Err(MetadataError::NotADate)
        );
    }

    #[test]
    fn texts_are_bounded_and_free_of_control_characters() {
        let ok = "Standesamt <Graz> & Umgebung";
        assert_eq!(
            text(&record(Value::Text(ok.into())), "d"),
            Ok(Some(ok.into()))
        );
        assert_eq!(text(&record(Value::Int(7)), "d"), Ok(Some("7".into())));
        for bad in [
            "a\u{0}b",
            "a\u{1b}[31m",
            &"x".repeat(MAX_METADATA_CHARS + 1),
        ] {
            assert_eq!(
                text(&record(Value::Text(bad.to_owned())), "d"),
                Err(MetadataError::AuthorityInvalid)
            );
        }
        assert_eq!(MetadataError::NotADate.code(), "EVIDENCE_DATE_INVALID");
    }
}
