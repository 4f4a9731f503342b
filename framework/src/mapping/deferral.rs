//! `evidence.deferred`: when a matched record's evidence exists but cannot be served yet
//! (digitisation, payment, manual handling), the request is answered with a deferral
//! (`status=…:Unavailable` with `ResponseAvailableDateTime`, TDD 4.5.2; R-EDM-RESP-S006,
//! S014/S045) instead of the evidence; the requester asks again with a new request.
//!
//! ```yaml
//! evidence:
//!   deferred:
//!     available_at: available_from   # a date-time (or date) field; a future value defers
//!     when: { field: status, equals: pending }  # and/or: a condition on a field …
//!     delay_hours: 48                           # … deferring by a fixed delay
//! ```

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use oots_connector::{Record, Value};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, codes};

/// How a record says its evidence is not available yet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeferralSpec {
    /// Record field holding when the evidence becomes available: an xsd:dateTime (UTC
    /// when it names no offset) or a date (00:00 UTC). Empty or past: available now.
    #[serde(default)]
    pub available_at: Option<Spanned<String>>,
    /// A condition on a record field; when it holds (and `available_at` gives no future
    /// date), the evidence is available `delay_hours` from now.
    #[serde(default)]
    pub when: Option<DeferralCondition>,
    /// The fixed delay of `when`, in hours (1 or more).
    #[serde(default)]
    pub delay_hours: Option<Spanned<u32>>,
}

/// `when: { field, equals }`: the field's text equals the value (spaces trimmed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeferralCondition {
    pub field: Spanned<String>,
    pub equals: String,
}

/// The record's availability date could not be read: nothing is answered from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the record's evidence.deferred.available_at value is not a date or date-time")]
pub struct UnreadableDate;

impl UnreadableDate {
    /// Stable code, as rendering failures have.
    pub fn code(&self) -> &'static str {
        "DEFERRAL_DATE_UNREADABLE"
    }
}

impl DeferralSpec {
    /// When `record`'s evidence becomes available, if later than `now`; `None` when it is
    /// available now.
    pub fn until(
        &self,
        record: &Record,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, UnreadableDate> {
        if let Some(field) = &self.available_at
            && let Some(value) = record.get(&field.value)
            && let Some(at) = instant(value)?
            && at > now
        {
            return Ok(Some(at));
        }
        if let (Some(when), Some(delay)) = (&self.when, &self.delay_hours) {
            let holds = record
                .get(&when.field.value)
                .and_then(Value::as_text)
                .is_some_and(|v| v.trim() == when.equals.trim());
            if holds {
                return Ok(Some(now + TimeDelta::hours(i64::from(delay.value))));
            }
        }
        Ok(None)
    }

    /// The record fields it reads, with where the mapping file names them.
    pub fn fields(&self) -> Vec<&Spanned<String>> {
        let condition = self.when.as_ref().map(|w| &w.field);
        self.available_at.iter().chain(condition).collect()
    }

    /// What makes it unusable, with positions in `path`.
    pub fn problems(&self, path: &Path, at: serde_saphyr::Location) -> Vec<Diagnostic> {
        let problem = |message: &str| Diagnostic::new(path, codes::DEFERRAL, message);
        let mut out = Vec::new();
        if self.available_at.is_none() && self.when.is_none() {
            out.push(
                problem("evidence.deferred names neither `available_at` nor `when`")
                    .at_location(at)
                    .hint("available_at: <field holding the date-time the evidence becomes available>"),
            );
        }
        match (&self.when, &self.delay_hours) {
            (Some(when), None) => out.push(
                problem("evidence.deferred.when needs `delay_hours`")
                    .at_location(when.field.referenced)
                    .hint("delay_hours: 48"),
            ),
            (None, Some(delay)) => out.push(
                problem("evidence.deferred.delay_hours needs a `when` condition")
                    .at_location(delay.referenced)
                    .hint("when: { field: status, equals: pending }"),
            ),
            (Some(_), Some(delay)) if delay.value == 0 => out.push(
                problem("evidence.deferred.delay_hours must be 1 or more")
                    .at_location(delay.referenced),
            ),
            _ => {}
        }
        out
    }
}

/// A record value as an instant: `None` for null or empty.
fn instant(value: &Value) -> Result<Option<DateTime<Utc>>, UnreadableDate> {
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    match value {
        Value::Null => Ok(None),
        Value::DateTime(t) => Ok(Some(t.and_utc())),
        Value::Date(d) => midnight(*d).map(Some).ok_or(UnreadableDate),
        Value::Text(t) if t.trim().is_empty() => Ok(None),
        Value::Text(t) => {
            let t = t.trim();
            if let Ok(at) = DateTime::parse_from_rfc3339(t) {
                return Ok(Some(at.with_timezone(&Utc)));
            }
            if let Ok(at) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
                return Ok(Some(at.and_utc()));
            }
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(midnight)
                .map(Some)
                .ok_or(UnreadableDate)
        }
        _ => Err(UnreadableDate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn spec(yaml: &str) -> DeferralSpec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn record(fields: &[(&str, Value)]) -> Record {
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn a_future_date_defers_until_it_and_a_past_or_empty_one_does_not() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let s = spec("available_at: ready\n");
        let text = |t: &str| record(&[("ready", Value::Text(t.into()))]);
        assert_eq!(
            s.until(&text("2026-02-01T08:30:00Z"), now),
            Ok(Some(Utc.with_ymd_and_hms(2026, 2, 1, 8, 30, 0).unwrap()))
        );
        assert_eq!(
            s.until(&text("2026-02-01"), now),
            Ok(Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()))
        );
        assert_eq!(s.until(&text("2025-12-31T23:59:59Z"), now), Ok(None));
        assert_eq!(s.until(&text(""), now), Ok(None));
        assert_eq!(s.until(&record(&[("ready", Value::Null)]), now), Ok(None));
        assert_eq!(s.until(&record(&[]), now), Ok(None));
        assert_eq!(s.until(&text("next week"), now), Err(UnreadableDate));
    }

    #[test]
    fn a_condition_defers_by_its_delay() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let s = spec("when: { field: status, equals: pending }\ndelay_hours: 48\n");
        let status = |t: &str| record(&[("status", Value::Text(t.into()))]);
        assert_eq!(
            s.until(&status(" pending "), now),
            Ok(Some(now + TimeDelta::hours(48)))
        );
        assert_eq!(s.until(&status("issued"), now), Ok(None));
        // With both, a future `available_at` wins over the delay.
        let both = spec(
            "available_at: ready\nwhen: { field: status, equals: pending }\ndelay_hours: 48\n",
        );
        let later = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let r = record(&[
            ("status", Value::Text("pending".into())),
            ("ready", Value::Text("2026-03-01".into())),
        ]);
        assert_eq!(both.until(&r, now), Ok(Some(later)));
    }

    #[test]
    fn an_unusable_section_is_reported_where_it_is_written() {
        let at = serde_saphyr::Location::UNKNOWN;
        let path = Path::new("m.yaml");
        let empty = spec("{}\n").problems(path, at);
        assert_eq!(empty.len(), 1, "{empty:?}");
        let no_delay = spec("when:\n  field: status\n  equals: pending\n").problems(path, at);
        assert_eq!(
            (no_delay[0].line, no_delay[0].column),
            (2, 10),
            "{no_delay:?}"
        );
        let no_when = spec("available_at: a\ndelay_hours: 3\n").problems(path, at);
        assert_eq!((no_when[0].line, no_when[0].column), (2, 14), "{no_when:?}");
        let zero = spec("when: { field: s, equals: p }\ndelay_hours: 0\n").problems(path, at);
        assert!(zero[0].message.contains("1 or more"), "{zero:?}");
        assert!(spec("available_at: a\n").problems(path, at).is_empty());
    }
}
