//! The provider deadline: a request is answered only while its requester still waits.
//!
//! TDD 4.4 (table 4.4.3; shared/docs/oots-edm.md §2.7 item 4): T1 = 5 minutes for the
//! first round trip, T2 = 15 and T3 = 40 minutes for the preview; the requester waits
//! longer than the provider, and "a provider past its timeout returns `EDM:ERR:0005`
//! instead of nothing", counted from the ebMS `Timestamp` of the received message. A
//! gateway may hold a message for days: evidence sent then would reach nobody waiting
//! for it, or a requester that has long moved on.
//!
//! The `Timestamp` is the sending access point's; one that cannot be read, or that lies
//! ahead of our clock by more than the tolerated skew (it would stretch the deadline at
//! will), makes the ebMS header invalid: `EDM:ERR:0003` naming the rule, like every
//! ebMS header rule (oots-edm.md §4.1, "ebMS-header rule violations").

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::Refusal;
use crate::clock::edm_timestamp;
use crate::config::AdapterConfig;
use crate::edm::{ErrorCode, Rule};

/// Reads an ebMS `Timestamp` (xsd:dateTime). ebMS 3 says it is UTC: without an offset it
/// is read as UTC; with one, converted.
pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// Whether a request whose ebMS header says it was sent at `timestamp` may still be
/// answered at `now`, and until when; a follow-up (it carries a `PreviewLocation`) has
/// the whole preview round (T1 + T2 + T3), a first request T1.
pub(super) fn check(
    config: &AdapterConfig,
    timestamp: &str,
    follow_up: bool,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Refusal> {
    let Some(sent) = parse_timestamp(timestamp) else {
        return Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::EbmsTimestamp,
            "eb:Timestamp is not an xsd:dateTime (UTC)",
        ));
    };
    let skew = Duration::seconds(i64::from(config.exchange.clock_skew_seconds));
    if sent > now + skew {
        return Err(Refusal::rule(
            ErrorCode::InvalidRequest,
            Rule::EbmsTimestamp,
            format!(
                "eb:Timestamp {} lies in the future (our clock: {}; tolerated skew {} s)",
                edm_timestamp(sent),
                edm_timestamp(now),
                config.exchange.clock_skew_seconds
            ),
        ));
    }
    let (allowed, which) = deadline(config, follow_up);
    if now - sent > allowed {
        return Err(Refusal::rule(
            ErrorCode::Timeout,
            Rule::Tdd44,
            format!(
                "the request's ebMS Timestamp {} is older than the provider deadline ({} s, {which})",
                edm_timestamp(sent),
                allowed.num_seconds()
            ),
        ));
    }
    Ok(sent + allowed)
}

/// `EDM:ERR:0005` for evidence ready only after the deadline `by` (a slow registry):
/// the requester has stopped waiting.
pub(super) fn passed(by: DateTime<Utc>) -> Refusal {
    Refusal::rule(
        ErrorCode::Timeout,
        Rule::Tdd44,
        format!(
            "the provider deadline ({}) passed before the evidence was ready",
            edm_timestamp(by)
        ),
    )
}

/// The deadline that applies, and its name in TDD 4.4.
fn deadline(config: &AdapterConfig, follow_up: bool) -> (Duration, &'static str) {
    let t1 = Duration::seconds(i64::from(config.exchange.request_deadline_seconds));
    if follow_up {
        let t = config.preview.timeouts();
        (t1 + t.arrive + t.decide, "T1 + T2 + T3")
    } else {
        (t1, "T1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utc_offsets_and_naive_timestamps() {
        let z = parse_timestamp("2026-08-11T09:22:24.000Z").unwrap();
        assert_eq!(parse_timestamp(" 2026-08-11T10:22:24+01:00 "), Some(z));
        assert_eq!(parse_timestamp("2026-08-11T09:22:24"), Some(z));
        for bad in ["", "2026-08-11", "2026-02-30T00:00:00Z", "now"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }
}
