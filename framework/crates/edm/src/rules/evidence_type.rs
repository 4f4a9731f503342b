//! The requested evidence type, `sdg:DataServiceEvidenceType`: its children (S045),
//! identifier (C026), classification (C027), distributions (C032/C033) and associated
//! documents (C119).

use roxmltree::Node;

use super::{Check, ensure};
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self, NS_SDG};

use super::elements::at_most_once;
use super::values::{ends_with_uuid, is_https, normalize_classification};

/// The only children an evidence type may have (S045).
const EVIDENCE_TYPE_CHILDREN: [&str; 5] = [
    "Identifier",
    "EvidenceTypeClassification",
    "Title",
    "Description",
    "DistributedAs",
];

/// What a 2.0 `sdg:AssociatedDocumentRequest` may ask for (C119).
const ASSOCIATED_DOCUMENTS: [&str; 3] = ["Annex", "HumanReadableVersion", "Translation"];

/// `sdg:DataServiceEvidenceType`: children (S045), Identifier UUID (C026), classification
/// URI (C027), DistributedAs count (C032: 1.x exactly one, 2.0 at least one), Format
/// present (C033), associated documents (C119, 2.0).
pub(crate) fn check_evidence_type(node: Node<'_, '_>, version: EdmVersion) -> Check {
    for c in xml::elements(node) {
        ensure(
            c.tag_name().namespace() == Some(NS_SDG)
                && EVIDENCE_TYPE_CHILDREN.contains(&c.tag_name().name()),
            Rule::ReqS045,
            || {
                "sdg:DataServiceEvidenceType may only contain sdg:Identifier, sdg:EvidenceTypeClassification, \
                 sdg:Title, sdg:Description and sdg:DistributedAs"
                    .into()
            },
        )?;
    }
    at_most_once(
        node,
        &["Identifier", "EvidenceTypeClassification"],
        Rule::SdgXsdDataServiceEvidenceType,
        "sdg:DataServiceEvidenceType",
    )?;
    ensure(
        xml::child_text(node, NS_SDG, "Identifier").is_some_and(|i| ends_with_uuid(&i)),
        Rule::ReqC026,
        || "the sdg:Identifier of sdg:DataServiceEvidenceType must be a UUID (RFC 4122)".into(),
    )?;
    ensure(
        xml::child_text(node, NS_SDG, "EvidenceTypeClassification")
            .is_some_and(|c| is_https(&c) && normalize_classification(&c).is_some()),
        Rule::ReqC027,
        || {
            "sdg:EvidenceTypeClassification must be https://<Semantic Repository host>/evidencetypeclassifications/<CC>/<UUID>"
                .into()
        },
    )?;
    ensure(
        xml::child(node, NS_SDG, "Title").is_some(),
        Rule::ReqS045,
        || "sdg:DataServiceEvidenceType must contain at least one sdg:Title".into(),
    )?;
    let distributions: Vec<_> = xml::children(node, NS_SDG, "DistributedAs").collect();
    let count_ok = if version.is_v2() {
        !distributions.is_empty()
    } else {
        distributions.len() == 1
    };
    ensure(count_ok, Rule::ReqC032, || {
        if version.is_v2() {
            "sdg:DataServiceEvidenceType must contain at least one sdg:DistributedAs".into()
        } else {
            "sdg:DataServiceEvidenceType must contain exactly one sdg:DistributedAs".into()
        }
    })?;
    for d in distributions {
        check_distribution(d, version)?;
    }
    Ok(())
}

/// One `sdg:DistributedAs`: children by version (XSD), Format (C033), a 1.x subset URI
/// (C035), 2.0 associated documents (C119).
fn check_distribution(d: Node<'_, '_>, version: EdmVersion) -> Check {
    let admitted: &[&str] = if version.is_v2() {
        &[
            "Format",
            "ConformsTo",
            "Language",
            "AssociatedDocumentRequest",
        ]
    } else {
        &["Format", "ConformsTo", "Transformation"]
    };
    ensure(
        xml::elements(d).all(|c| {
            c.tag_name().namespace() == Some(NS_SDG) && admitted.contains(&c.tag_name().name())
        }),
        Rule::SdgXsdDistributionType,
        || {
            format!(
                "sdg:DistributedAs of a {version} request may only contain sdg:{}",
                admitted.join(", sdg:")
            )
        },
    )?;
    ensure(
        xml::child_text(d, NS_SDG, "Format").is_some_and(|f| f.contains('/')),
        Rule::ReqC033,
        || "every sdg:DistributedAs must contain sdg:Format with a media type".into(),
    )?;
    if !version.is_v2() {
        ensure(
            xml::child_text(d, NS_SDG, "Transformation").is_none_or(|t| is_transformation_uri(&t)),
            Rule::ReqC035,
            || {
                "sdg:Transformation must be https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]/[Subset]".into()
            },
        )?;
    }
    if version.is_v2() {
        ensure(
            xml::children(d, NS_SDG, "AssociatedDocumentRequest")
                .all(|a| ASSOCIATED_DOCUMENTS.contains(&xml::text(a).as_str())),
            Rule::ReqC119,
            || {
                "sdg:AssociatedDocumentRequest must be Annex, HumanReadableVersion or Translation"
                    .into()
            },
        )?;
    }
    Ok(())
}

/// The prefix of a 1.x subset URI (R-EDM-REQ-C035, R-EDM-RESP-C043).
pub const TRANSFORMATION_PREFIX: &str = "https://sr.oots.tech.europa.eu/distributions/";

/// A 1.x `sdg:Transformation`: `https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]/[Subset]`
/// (R-EDM-REQ-C035), both segments non-empty, nothing after them, no spaces.
pub fn is_transformation_uri(uri: &str) -> bool {
    let Some(rest) = uri.trim().strip_prefix(TRANSFORMATION_PREFIX) else {
        return false;
    };
    let mut parts = rest.split('/');
    let (Some(scheme), Some(subset), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_graphic() && !"?#\"<>".contains(c))
    };
    ok(scheme) && ok(subset)
}
