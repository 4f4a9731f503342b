//! How values are shown on the preview pages: names from the request with invisible
//! characters marked, times, short document formats, and only safe links.

use crate::render::l10n::{human_value, long_date_time};
use chrono_tz::Tz;

/// `current_path` with its `lang` query parameter set to `code` (other parameters kept,
/// fragment dropped).
pub(super) fn language_url(current_path: &str, code: &str) -> String {
    let without_fragment = current_path.split('#').next().unwrap_or("");
    let (path, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && *p != "lang" && !p.starts_with("lang="))
        .collect();
    let lang_param = format!("lang={code}");
    params.push(&lang_param);
    format!("{path}?{}", params.join("&"))
}

/// An http(s) URL or an absolute path, without spaces or control characters (so never
/// `javascript:`, `data:` and the like).
pub(super) fn is_safe_url(url: &str) -> bool {
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || url.starts_with('/')
}

/// RFC 3339 → the long date and time of `lang` in `zone`, the zone named (`3 mars 2026,
/// 14:05 CET`); any other text unchanged. Never an ISO date or a UTC time the citizen
/// would have to convert.
pub(super) fn display_time(value: &str, lang: &str, zone: Tz) -> String {
    match chrono::DateTime::parse_from_rfc3339(value.trim()) {
        Ok(t) => long_date_time(t.with_timezone(&chrono::Utc), zone, lang),
        Err(_) => value.to_owned(),
    }
}

/// A record value as the page shows it: ISO dates and RFC 3339 moments written out in
/// `lang` (see [`crate::render::l10n::human_value`]), anything else as it is.
pub(super) fn display_value(value: &str, lang: &str, zone: Tz) -> String {
    human_value(value, zone, lang).unwrap_or_else(|| value.to_owned())
}

/// A short, language-neutral format name for a media type (`application/pdf` → `PDF`).
pub(super) fn short_format(media_type: &str) -> String {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/pdf" => "PDF".to_owned(),
        "application/xml" | "text/xml" => "XML".to_owned(),
        "application/json" => "JSON".to_owned(),
        "text/html" => "HTML".to_owned(),
        "text/plain" => "TXT".to_owned(),
        "image/png" => "PNG".to_owned(),
        "image/jpeg" => "JPEG".to_owned(),
        _ if essence.is_empty() => "?".to_owned(),
        _ => essence,
    }
}

/// A name from the request as shown to the citizen: bidirectional overrides, zero-width
/// and other invisible characters become U+FFFD, so the page cannot show one name while
/// the request carries another.
pub(super) fn shown(name: &str) -> String {
    name.chars()
        .map(|c| {
            if crate::edm::is_invisible(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}
