//! Dates and times written for people, in their language: `3. März 2026`, `3 mars 2026`,
//! `3 March 2026`. Why own tables rather than a locale library: the adapter shows dates
//! in a handful of languages (the preview page languages) and needs one fixed long form
//! per language, the same in the page and in the human-readable documents; an unknown
//! language gets the English form rather than an ISO date a citizen may misread.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Month names by language (the form that follows a day number: Polish genitive).
const MONTHS: [(&str, [&str; 12]); 7] = [
    (
        "en",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    ),
    (
        "de",
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    ),
    (
        "es",
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
    ),
    (
        "fr",
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    ),
    (
        "it",
        [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ],
    ),
    (
        "nl",
        [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
    ),
    (
        "pl",
        [
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ],
    ),
];

/// The languages with their own long date form; any other is written as `en`.
pub fn date_languages() -> impl Iterator<Item = &'static str> {
    MONTHS.iter().map(|(code, _)| *code)
}

/// The primary subtag of `lang` (`"FR"`, `"fr-BE"` → `fr`) if it has a table, else `en`.
fn table(lang: &str) -> (&'static str, &'static [&'static str; 12]) {
    let primary = lang.trim().split(['-', '_']).next().unwrap_or("");
    let found = MONTHS
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(primary))
        .unwrap_or(&MONTHS[0]);
    (found.0, &found.1)
}

/// The long date form of `lang`: en `3 March 2026`, de `3. März 2026`, es `3 de marzo
/// de 2026`, fr `1er mars 2026`, it `1º marzo 2026`, nl `3 maart 2026`, pl `3 marca 2026`.
pub fn long_date(date: NaiveDate, lang: &str) -> String {
    let (code, months) = table(lang);
    let month = months[date.month0() as usize];
    let (day, year) = (date.day(), date.year());
    match code {
        "de" => format!("{day}. {month} {year}"),
        "es" => format!("{day} de {month} de {year}"),
        "fr" if day == 1 => format!("1er {month} {year}"),
        "it" if day == 1 => format!("1º {month} {year}"),
        _ => format!("{day} {month} {year}"),
    }
}

/// A moment as `lang` writes it in `zone`, with the zone named: `3 March 2026, 14:05 CET`
/// (an offset-only zone as `UTC-03`). The zone is named because the reader may be in
/// another one.
pub fn long_date_time(at: DateTime<Utc>, zone: Tz, lang: &str) -> String {
    let local = zone.from_utc_datetime(&at.naive_utc());
    let abbreviation = local.format("%Z").to_string();
    let zone_name = if abbreviation.starts_with(['+', '-']) {
        format!("UTC{abbreviation}")
    } else {
        abbreviation
    };
    format!(
        "{}, {:02}:{:02} {zone_name}",
        long_date(local.date_naive(), lang),
        local.hour(),
        local.minute()
    )
}

/// A record value written for people: an ISO date (`YYYY-MM-DD`) as the long date of
/// `lang`, an RFC 3339 moment as [`long_date_time`] in `zone`; `None` for anything
/// else (shown as it is).
pub fn human_value(value: &str, zone: Tz, lang: &str) -> Option<String> {
    let text = value.trim();
    let iso_date = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if iso_date {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(|d| long_date(d, lang));
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| long_date_time(t.with_timezone(&Utc), zone, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn march_3() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
    }

    #[test]
    fn long_dates_follow_the_language() {
        let expected = [
            ("en", "3 March 2026"),
            ("de", "3. März 2026"),
            ("es", "3 de marzo de 2026"),
            ("fr", "3 mars 2026"),
            ("it", "3 marzo 2026"),
            ("nl", "3 maart 2026"),
            ("pl", "3 marca 2026"),
        ];
        for (lang, text) in expected {
            assert_eq!(long_date(march_3(), lang), text, "{lang}");
        }
        assert_eq!(date_languages().count(), expected.len());
    }

    #[test]
    fn language_tags_are_read_loosely_and_unknown_ones_get_english() {
        assert_eq!(long_date(march_3(), "DE"), "3. März 2026");
        assert_eq!(long_date(march_3(), "fr-BE"), "3 mars 2026");
        assert_eq!(long_date(march_3(), "cs"), "3 March 2026");
        assert_eq!(long_date(march_3(), ""), "3 March 2026");
    }

    #[test]
    fn first_of_the_month_in_french_and_italian() {
        let first = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert_eq!(long_date(first, "fr"), "1er mai 2026");
        assert_eq!(long_date(first, "it"), "1º maggio 2026");
        assert_eq!(long_date(first, "de"), "1. Mai 2026");
    }

    #[test]
    fn moments_are_shown_in_the_zone_with_its_name_and_never_as_iso() {
        let at = DateTime::parse_from_rfc3339("2026-03-03T13:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let brussels: Tz = "Europe/Brussels".parse().unwrap();
        assert_eq!(
            long_date_time(at, brussels, "de"),
            "3. März 2026, 14:05 CET"
        );
        assert_eq!(long_date_time(at, brussels, "fr"), "3 mars 2026, 14:05 CET");
        let summer = DateTime::parse_from_rfc3339("2026-07-01T22:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // Past midnight in Brussels: the date moves too.
        assert_eq!(
            long_date_time(summer, brussels, "en"),
            "2 July 2026, 00:30 CEST"
        );
        assert_eq!(long_date_time(at, Tz::UTC, "en"), "3 March 2026, 13:05 UTC");
        let sao_paulo: Tz = "America/Sao_Paulo".parse().unwrap();
        assert_eq!(
            long_date_time(at, sao_paulo, "es"),
            "3 de marzo de 2026, 10:05 UTC-03"
        );
    }

    #[test]
    fn record_values_that_are_dates_are_written_out_and_others_left_alone() {
        let z = Tz::UTC;
        assert_eq!(human_value("2026-03-03", z, "pl").unwrap(), "3 marca 2026");
        assert_eq!(
            human_value("2026-03-03T13:05:00+01:00", z, "nl").unwrap(),
            "3 maart 2026, 12:05 UTC"
        );
        for other in [
            "Novák",
            "2026-3-3",
            "2026-02-30",
            "12345-01-01",
            "",
            "20260303",
        ] {
            assert_eq!(human_value(other, z, "en"), None, "{other}");
        }
    }
}
