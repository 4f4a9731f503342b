//! The code lists requests are checked against (`codelists/README.md` of this crate): read
//! once from the Genericode files embedded at build time.

use std::collections::BTreeSet;
use std::sync::LazyLock;

const PROCEDURES: &str = include_str!("../codelists/Procedures-CodeList.gc");
const EAS: &str = include_str!("../codelists/EAS.gc");
const COUNTRIES: &str = include_str!("../codelists/CountryIdentificationCode-2.3.gc");

/// `urn:cef.eu:names:identifier:EAS:` — the EAS-coded identifier scheme prefix.
const EAS_PREFIX: &str = "urn:cef.eu:names:identifier:EAS:";
/// The fallback scheme for parties without an EAS code (often suffixed `:<CC>`).
const UNREGISTERED_PREFIX: &str = "urn:oasis:names:tc:ebcore:partyid-type:unregistered";

/// The countries of the OOTS: the EU member states (Greece is `EL`, not ISO's `GR`) and the
/// EEA EFTA states — the `OOTS_Country` set of the 2.0.1 person identifier rule (C040).
const OOTS_COUNTRIES: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
];

/// The values of the `code` column of a Genericode list; empty (so nothing passes) if the
/// embedded file ever fails to parse — a unit test proves it does not.
fn codes(gc: &str) -> BTreeSet<String> {
    let Ok(doc) = roxmltree::Document::parse(gc) else {
        return BTreeSet::new();
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("Value"))
        .filter(|n| {
            n.attribute("ColumnRef")
                .is_some_and(|c| c.eq_ignore_ascii_case("code"))
        })
        .filter_map(|v| v.children().find(|c| c.has_tag_name("SimpleValue")))
        .filter_map(|s| s.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

static PROCEDURE_CODES: LazyLock<BTreeSet<String>> = LazyLock::new(|| codes(PROCEDURES));
static EAS_CODES: LazyLock<BTreeSet<String>> = LazyLock::new(|| codes(EAS));
static COUNTRY_CODES: LazyLock<BTreeSet<String>> = LazyLock::new(|| codes(COUNTRIES));

/// A code of the Procedures list, or `00` (the system check, allowed since TDD 1.1.2).
pub(crate) fn is_procedure(code: &str) -> bool {
    code == "00" || PROCEDURE_CODES.contains(code)
}

/// An agent identifier scheme: an EAS code from the list, or the `unregistered` fallback.
pub fn is_agent_scheme(scheme: &str) -> bool {
    let scheme = scheme.trim();
    match scheme.strip_prefix(EAS_PREFIX) {
        Some(code) => EAS_CODES.contains(code),
        None => scheme.starts_with(UNREGISTERED_PREFIX),
    }
}

/// A two-letter code of the CountryIdentificationCode list (Greece `EL`).
pub(crate) fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRY_CODES.contains(code)
}

/// A country of the OOTS (upper case).
pub(crate) fn is_oots_country(code: &str) -> bool {
    OOTS_COUNTRIES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lists_read() {
        assert!(is_procedure("T3") && is_procedure("X6") && is_procedure("00"));
        assert!(!is_procedure("ZZ") && !is_procedure("t3"));
        assert!(is_agent_scheme("urn:cef.eu:names:identifier:EAS:9930"));
        assert!(is_agent_scheme(
            "urn:oasis:names:tc:ebcore:partyid-type:unregistered:FR"
        ));
        assert!(!is_agent_scheme("urn:cef.eu:names:identifier:EAS:1234"));
        assert!(!is_agent_scheme("EAS:9930"));
        assert!(is_country("EL") && is_country("FR") && is_country("US"));
        assert!(!is_country("GR") && !is_country("XX") && !is_country("GRL"));
        assert!(is_oots_country("EL") && !is_oots_country("GR") && !is_oots_country("US"));
        assert!(PROCEDURE_CODES.len() >= 21 && EAS_CODES.len() >= 80);
    }
}
