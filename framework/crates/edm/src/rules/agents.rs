//! The agents of a request: collection content (requesters are a collection), the
//! requester agents (S040, C010–C015) and the provider agent (S043, C017/C018).

use roxmltree::Node;

use super::{Check, ensure, violation};
use crate::codelist;
use crate::rim::{self};
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self, NS_SDG};

use super::elements::{at_most_once, check_country};

/// Content elements of a collection slot value: each `rim:Element` of type AnyValueType
/// (`type_rule`) containing `sdg:<element>` (`content_rule`).
pub(crate) fn collection_content<'a, 'i>(
    value: Node<'a, 'i>,
    slot: &str,
    element: &'static str,
    type_rule: Rule,
    content_rule: Rule,
) -> Check<Vec<Node<'a, 'i>>> {
    rim::collection_elements(value)
        .into_iter()
        .map(|e| {
            ensure(xml::xsi_type(e) == Some("AnyValueType"), type_rule, || {
                format!("rim:Element of rim:Slot '{slot}' must be of xsi:type rim:AnyValueType")
            })?;
            xml::elements(e)
                .next()
                .filter(|c| xml::is(*c, NS_SDG, element))
                .ok_or_else(|| {
                    violation(
                        content_rule,
                        format!("rim:Element of rim:Slot '{slot}' must contain sdg:{element}"),
                    )
                })
        })
        .collect()
}

/// Requester agents: Identifier+Name (S040), schemeID (C010), Classification (C013) from
/// the code list and not EP/ERRP (C014), and an `ER` among them.
pub(crate) fn check_requester_agent(agent: Node<'_, '_>, version: EdmVersion) -> Check {
    let id = xml::child(agent, NS_SDG, "Identifier");
    ensure(
        id.is_some_and(|i| !xml::text(i).is_empty()) && xml::child(agent, NS_SDG, "Name").is_some(),
        Rule::ReqS040,
        || "an EvidenceRequester sdg:Agent must contain sdg:Identifier and sdg:Name".into(),
    )?;
    at_most_once(
        agent,
        &["Identifier", "Address", "Classification"],
        Rule::ReqS040,
        "an EvidenceRequester sdg:Agent",
    )?;
    ensure(
        id.is_some_and(|i| i.attribute("schemeID").is_some()),
        Rule::ReqC010,
        || {
            "the 'schemeID' attribute of the EvidenceRequester sdg:Identifier must be present"
                .into()
        },
    )?;
    ensure(
        id.and_then(|i| i.attribute("schemeID"))
            .is_some_and(codelist::is_agent_scheme),
        Rule::ReqC012,
        || {
            "the 'schemeID' of the EvidenceRequester sdg:Identifier must be urn:cef.eu:names:identifier:EAS:<code of the EAS code list> or urn:oasis:names:tc:ebcore:partyid-type:unregistered…".into()
        },
    )?;
    if let Some(address) = xml::child(agent, NS_SDG, "Address") {
        check_country(
            address,
            Rule::ReqC015,
            "EvidenceRequester sdg:Address",
            version,
        )?;
    }
    let class = xml::child_text(agent, NS_SDG, "Classification").unwrap_or_default();
    ensure(!class.is_empty(), Rule::ReqC013, || {
        "the EvidenceRequester sdg:Agent/sdg:Classification must be provided".into()
    })?;
    ensure(class == "ER" || class == "IP", Rule::ReqC014, || {
        "EvidenceRequester sdg:Classification must be 'ER' or 'IP' (AgentClassification; EP and ERRP not allowed)".into()
    })
}

/// At least one requester classified `ER` (C014: an `IP` needs an accompanying `ER`).
pub(crate) fn check_requester_present(classes: &[Option<String>]) -> Check {
    ensure(
        classes.iter().any(|c| c.as_deref() == Some("ER")),
        Rule::ReqC014,
        || "EvidenceRequester must contain an sdg:Agent classified 'ER'".into(),
    )
}

/// Provider agent: Identifier+Name (S043), schemeID (C017).
pub(crate) fn check_provider_agent(agent: Node<'_, '_>) -> Check {
    let id = xml::child(agent, NS_SDG, "Identifier");
    ensure(
        id.is_some_and(|i| !xml::text(i).is_empty()) && xml::child(agent, NS_SDG, "Name").is_some(),
        Rule::ReqS043,
        || "the EvidenceProvider sdg:Agent must contain sdg:Identifier and sdg:Name".into(),
    )?;
    at_most_once(
        agent,
        &["Identifier"],
        Rule::ReqS043,
        "the EvidenceProvider sdg:Agent",
    )?;
    ensure(
        id.is_some_and(|i| i.attribute("schemeID").is_some()),
        Rule::ReqC017,
        || "the 'schemeID' attribute of the EvidenceProvider sdg:Identifier must be present".into(),
    )?;
    ensure(
        id.and_then(|i| i.attribute("schemeID"))
            .is_some_and(codelist::is_agent_scheme),
        Rule::ReqC018,
        || {
            "the 'schemeID' of the EvidenceProvider sdg:Identifier must be urn:cef.eu:names:identifier:EAS:<code of the EAS code list> or urn:oasis:names:tc:ebcore:partyid-type:unregistered…".into()
        },
    )
}
