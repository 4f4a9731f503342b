//! The envelope of a request: the root element (S001/S002), its id (S004) and language
//! (S059), and the query envelope (C024/C025).

use roxmltree::Node;

use super::{Check, ensure, violation};
use crate::lexical::is_urn_uuid;
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self, NS_QUERY, NS_XML};

/// R-EDM-REQ-S001/S002.
pub(crate) fn check_root(root: Node<'_, '_>) -> Check {
    ensure(
        root.tag_name().name() == "QueryRequest",
        Rule::ReqS001,
        || "the root element must be query:QueryRequest".into(),
    )?;
    ensure(
        root.tag_name().namespace() == Some(NS_QUERY),
        Rule::ReqS002,
        || format!("the root element must be in namespace {NS_QUERY}"),
    )
}

/// R-EDM-REQ-S004.
pub(crate) fn check_request_id(root: Node<'_, '_>) -> Check<String> {
    match root.attribute("id") {
        Some(id) if is_urn_uuid(id) => Ok(id.trim().to_string()),
        _ => Err(violation(
            Rule::ReqS004,
            "QueryRequest/@id must be 'urn:uuid:' followed by an RFC 4122 UUID",
        )),
    }
}

/// R-EDM-REQ-S059 (2.0 forbids `xml:lang` on the root).
pub(crate) fn check_root_lang(root: Node<'_, '_>, version: EdmVersion) -> Check<Option<String>> {
    let lang = root
        .attribute((NS_XML, "lang"))
        .map(|l| l.trim().to_string());
    ensure(!(version.is_v2() && lang.is_some()), Rule::ReqS059, || {
        "oots-edm:v2.0 requests must not carry xml:lang on query:QueryRequest (use sdg:DistributedAs/sdg:Language)".into()
    })?;
    Ok(if version.is_v2() { None } else { lang })
}

/// C024/C025; returns the `query:Query` element.
pub(crate) fn check_query_envelope<'a, 'i>(root: Node<'a, 'i>) -> Check<Node<'a, 'i>> {
    let option = xml::child(root, NS_QUERY, "ResponseOption");
    ensure(
        option
            .and_then(|o| o.attribute("returnType"))
            .map(str::trim)
            == Some("LeafClassWithRepositoryItem"),
        Rule::ReqC024,
        || "query:ResponseOption/@returnType must be 'LeafClassWithRepositoryItem'".into(),
    )?;
    let query = xml::child(root, NS_QUERY, "Query");
    ensure(
        query
            .and_then(|q| q.attribute("queryDefinition"))
            .map(str::trim)
            == Some("DocumentQuery"),
        Rule::ReqC025,
        || "query:Query/@queryDefinition must be 'DocumentQuery'".into(),
    )?;
    query.ok_or_else(|| violation(Rule::ReqC025, "query:Query is missing"))
}
