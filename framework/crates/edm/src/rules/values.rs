//! Value validators: the formats (dates, date-times, UUIDs, eIDAS identifiers, booleans,
//! HTTPS URIs) and classification URIs the rules check values against, each strict so that
//! a value outside them is never served or echoed.

use crate::codelist;
use crate::lexical::{is_invisible, is_uuid};
use crate::version::EdmVersion;

/// Value ends with a UUID (the unanchored R-EDM-REQ-C026 pattern).
pub(super) fn ends_with_uuid(s: &str) -> bool {
    let s = s.trim();
    s.len() >= 36 && s.is_char_boundary(s.len() - 36) && is_uuid(&s[s.len() - 36..])
}

/// All-ASCII-digit text as a number (no sign, no spaces).
fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Strict `YYYY-MM-DD` calendar date (xsd:date without time zone) — R-EDM-REQ-C043.
pub fn is_xsd_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&s[..4]), digits(&s[5..7]), digits(&s[8..])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// A whole xsd:dateTime that is a real instant — R-EDM-REQ-C002: a calendar date,
/// `T`, `hh:mm:ss` in range, optional fraction, optional `Z` or `±hh:mm` offset. The
/// Schematron's unanchored pattern would let `2026-13-45T25:61:00 and more` through.
pub(crate) fn is_issue_datetime(s: &str) -> bool {
    let s = s.trim();
    if !s.is_ascii() {
        return false;
    }
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    if !is_xsd_date(date) || time.len() < 8 {
        return false;
    }
    let b = time.as_bytes();
    if b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) =
        (digits(&time[..2]), digits(&time[3..5]), digits(&time[6..8]))
    else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    let mut rest = &time[8..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', _, _, b':', _, _] => {
            matches!((digits(&rest[1..3]), digits(&rest[4..6])), (Some(oh), Some(om)) if oh <= 14 && om <= 59)
        }
        _ => false,
    }
}

/// An eIDAS person identifier `CC/CC/…` (R-EDM-REQ-C039/C040/C050/C061): two country
/// codes and a value without spaces. 2.0.1 (C040) admits only OOTS countries (Greece is
/// `EL`) and 6–256 characters; 1.x only the shape.
pub(super) fn is_eidas_identifier(value: &str, version: EdmVersion) -> bool {
    let mut parts = value.trim().splitn(3, '/');
    let (Some(from), Some(to), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let country = |c: &str| {
        c.len() == 2
            && c.bytes().all(|b| b.is_ascii_alphabetic())
            && (!version.is_v2() || codelist::is_oots_country(&c.to_ascii_uppercase()))
    };
    let len = rest.chars().count();
    let min = if version.is_v2() { 6 } else { 1 };
    country(from)
        && country(to)
        && (min..=256).contains(&len)
        && !rest.chars().any(|c| c.is_whitespace() || is_invisible(c))
}

/// xsd:boolean (`true`/`false`/`1`/`0`).
pub(crate) fn parse_boolean(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

pub(super) fn is_https(s: &str) -> bool {
    s.trim().starts_with("https://")
}

/// Semantic Repository hosts: production, acceptance and the early-2023 host.
const SR_HOSTS: [&str; 3] = [
    "sr.oots.tech.ec.europa.eu",
    "sr.acc.oots.tech.ec.europa.eu",
    "sr.oots.tech.europa.eu",
];

/// Host-independent key of an evidence type classification URI,
/// `<SEGMENT upper-case>/<uuid lower-case>` (e.g. `DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e`),
/// so the same classification published on any SR host (`sr.oots.tech.ec.europa.eu`,
/// `sr.acc.…`, early `sr.oots.tech.europa.eu`) maps to one key. `None` when the URI is
/// not an SR `evidencetypeclassifications/<CC>/<uuid>` URI.
pub fn normalize_classification(uri: &str) -> Option<String> {
    let uri = uri.trim();
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    if !SR_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return None;
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut parts = path.split('/');
    let (kind, segment, id) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !kind.eq_ignore_ascii_case("evidencetypeclassifications") {
        return None;
    }
    // Country code in production; test systems use tokens such as `oots` (FR captures).
    if !(2..=10).contains(&segment.len())
        || !segment.bytes().all(|c| c.is_ascii_alphanumeric())
        || !is_uuid(id)
    {
        return None;
    }
    Some(format!(
        "{}/{}",
        segment.to_ascii_uppercase(),
        id.to_ascii_lowercase()
    ))
}

/// Slot names are attacker-chosen: keep a short, name-like excerpt for the detail text.
pub(super) fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(40)
        .collect();
    if s.is_empty() { "(unnamed)".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexical::is_urn_uuid;

    #[test]
    fn validators() {
        assert!(is_urn_uuid("urn:uuid:4FFB5281-179d-4578-adf2-39fd13ccc797"));
        assert!(!is_urn_uuid("4ffb5281-179d-4578-adf2-39fd13ccc797"));
        assert!(!is_urn_uuid("urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc79"));
        assert!(!is_urn_uuid(
            "urn:uui\u{e9}4ffb5281-179d-4578-adf2-39fd13ccc79"
        ));
        assert!(!is_urn_uuid(
            "urn:uuid\u{e9}ffb5281-179d-4578-adf2-39fd13ccc797"
        ));
        assert!(is_xsd_date("2000-02-29"));
        assert!(!is_xsd_date("1900-02-29"));
        assert!(!is_xsd_date("1992-13-01"));
        assert!(!is_xsd_date("1992-10-22Z"));
        assert!(!is_xsd_date("22/10/1992"));
        assert!(is_issue_datetime("2026-08-06T10:00:00.000Z"));
        assert!(!is_issue_datetime("2026-08-06"));
        assert_eq!(parse_boolean(" 1 "), Some(true));
        assert_eq!(parse_boolean("yes"), None);
        assert!(ends_with_uuid("41170824-15d9-4c16-984e-63b75b937b8c"));
        assert!(!ends_with_uuid("é41170824-15d9-4c16-984e-63b75b937b8"));
    }

    #[test]
    fn classification_keys_are_host_independent() {
        let id = "ca8afed6-2dc0-422a-a931-d21c3d8d370e";
        let a = normalize_classification(&format!(
            "https://sr.oots.tech.europa.eu/evidencetypeclassifications/DE/{id}"
        ));
        let b = normalize_classification(&format!(
            "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/de/{}",
            id.to_uppercase()
        ));
        let c = normalize_classification(&format!(
            "https://sr.acc.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/{id}/"
        ));
        assert_eq!(
            a.as_deref(),
            Some("DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e")
        );
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(
            normalize_classification(&format!(
                "https://evil.example/evidencetypeclassifications/DE/{id}"
            )),
            None
        );
        assert_eq!(
            normalize_classification(&format!(
                "https://sr.oots.tech.ec.europa.eu/requirements/{id}"
            )),
            None
        );
        assert_eq!(
            normalize_classification(
                "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/x"
            ),
            None
        );
    }
}
