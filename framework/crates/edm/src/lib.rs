//! Evidence Exchange Data Model (EDM): typed messages, hardened XML reader, writer, rule checks.
//!
//! - [`parse_request`] reads an inbound `query:QueryRequest` under [`XmlLimits`] and checks
//!   the EDM request rules; failures carry the rule id and what could be recovered.
//! - [`parse_response`] reads evidence and error responses (the demo requester's side).
//! - [`write_request`], [`write_response`], [`write_error`] produce canonical XML
//!   (prefixes `query rim rs sdg xsi xlink`) in the message's version.
//!
//! Facts and rule ids: `shared/docs/oots-edm.md`.
//!
//! Layers: the typed model (modules `model`, `error`, `version`) imports nothing of the XML
//! code, so it can be used without it; the codec (`xml`, `rim`, `sdg`, `rules`, `request`,
//! `response`, `error_xml`) reads and writes it. [`clock`] gives messages their times and
//! identifiers.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod association;
pub mod clock;
mod codelist;
mod data_model;
mod deferred;
mod error;
mod error_xml;
mod lexical;
mod model;
mod parse_error;
mod query_response;
mod request;
mod response;
mod response_head;
mod rim;
mod rule;
mod rules;
mod sdg;
mod supplement;
mod version;
mod xml;

#[cfg(test)]
mod tests;

pub use codelist::is_agent_scheme;
pub use data_model::{V1_DATA_MODEL_PREFIX, V2_DATA_MODEL_PREFIX, data_model_uri};
pub use deferred::write_deferred;
pub use error::{
    EdmException, ErrorCode, ErrorResponse, NOT_FOUND_DETAIL, SEVERITY_ERROR,
    SEVERITY_PREVIEW_REQUIRED, STATUS_FAILURE,
};
pub use error_xml::write_error;
pub use lexical::{is_invisible, is_urn_uuid};
pub use model::*;
pub use parse_error::{EdmError, RequestError, RequestErrorKind};
pub use query_response::QueryResponse;
pub use request::{parse_request, write_request};
pub use response::{
    EDM_CLASSIFICATION_SCHEME, MAIN_EVIDENCE, STATUS_SUCCESS, STATUS_UNAVAILABLE, parse_response,
    write_response,
};
pub use rule::{ECHO_CHARS, Rule, echo};
pub use rules::{
    TRANSFORMATION_PREFIX, is_transformation_uri, is_xsd_date, normalize_classification,
};
pub use supplement::{ASSOCIATION_TYPE_PREFIX, AssociatedKind, Supplement};
pub use version::EdmVersion;
pub use xml::{
    NS_QUERY, NS_RIM, NS_RS, NS_SDG, NS_XLINK, NS_XML, NS_XSI, XmlLimits, escape_attr, escape_text,
    parse_hardened,
};
