//! Element checks shared by the agent, subject and evidence type rules: each element at
//! most once (the XSD sequences), country codes, names free of invisible characters.

use roxmltree::Node;

use super::{Check, ensure};
use crate::codelist;
use crate::lexical::is_invisible;
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self, NS_SDG};

/// `AdminUnitLevel1` of an address, when present: a code of the CountryIdentificationCode
/// list (Greece is `EL`). The Commission's own 1.0 samples write `GR`, so 1.x requests
/// may; a 2.0 request may not.
pub(super) fn check_country(
    address: Node<'_, '_>,
    rule: Rule,
    what: &str,
    version: EdmVersion,
) -> Check {
    match xml::child_text(address, NS_SDG, "AdminUnitLevel1") {
        Some(code) => ensure(
            codelist::is_country(&code) || (!version.is_v2() && code == "GR"),
            rule,
            || {
                format!(
                    "{what}/sdg:AdminUnitLevel1 must be a code of the CountryIdentificationCode list (Greece is EL)"
                )
            },
        ),
        None => Ok(()),
    }
}

/// Each of `elements` at most once (the XSD sequence), under `rule`.
pub(super) fn at_most_once(
    node: Node<'_, '_>,
    elements: &[&'static str],
    rule: Rule,
    parent: &str,
) -> Check {
    for &e in elements {
        ensure(
            xml::children(node, NS_SDG, e).nth(1).is_none(),
            rule,
            || format!("{parent} must not contain sdg:{e} more than once"),
        )?;
    }
    Ok(())
}

/// Names free of invisible and bidirectional control characters.
pub(super) fn check_names(node: Node<'_, '_>, elements: &[&'static str], parent: &str) -> Check {
    for &e in elements {
        for n in xml::children(node, NS_SDG, e) {
            ensure(
                !xml::text(n).chars().any(is_invisible),
                Rule::IdentityMatching,
                || {
                    format!(
                        "{parent}/sdg:{e} contains invisible formatting or bidirectional control characters"
                    )
                },
            )?;
        }
    }
    Ok(())
}
