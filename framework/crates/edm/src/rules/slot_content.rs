//! What the request's top-level slots carry: texts, the issue date-time (C002), the
//! procedure code (C003), booleans (S024/S025) and the preview and return locations (C005,
//! C120, S062).

use roxmltree::Node;

use super::{Check, ensure, violation};
use crate::codelist;
use crate::rim::{self};
use crate::rule::Rule;
use crate::version::EdmVersion;
use crate::xml::{self};

use super::values::{is_https, is_issue_datetime, parse_boolean};

/// Text of a simple (`rim:Value`) slot, required non-empty.
pub(crate) fn simple_text(value: Node<'_, '_>, slot: &str) -> Check<String> {
    rim::simple_value(value)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            violation(
                Rule::ReqS051,
                format!("rim:Slot '{slot}' must carry a non-empty rim:Value"),
            )
        })
}

/// C002.
pub(crate) fn check_issue_date_time(value: &str) -> Check {
    ensure(is_issue_datetime(value), Rule::ReqC002, || {
        "IssueDateTime must be an xsd:dateTime (YYYY-MM-DDThh:mm:ss…)".into()
    })
}

/// Procedure code: 2.0 `rim:Value`, 1.x `rim:LocalizedString/@value`, from the Procedures
/// code list or `00`, the system check (C003).
pub(crate) fn procedure_code(value: Node<'_, '_>) -> Check<String> {
    let code = if xml::xsi_type(value) == Some("InternationalStringValueType") {
        rim::intl_values(value)
            .into_iter()
            .map(|l| l.text.trim().to_string())
            .find(|t| !t.is_empty())
    } else {
        rim::simple_value(value)
    };
    code.filter(|c| codelist::is_procedure(c)).ok_or_else(|| {
        violation(
            Rule::ReqC003,
            "Procedure must carry a code of the Procedures code list",
        )
    })
}

/// Boolean slots (S024/S025 value space xsd:boolean).
pub(crate) fn boolean(value: Node<'_, '_>, slot: &str, rule: Rule) -> Check<bool> {
    rim::simple_value(value)
        .and_then(|v| parse_boolean(&v))
        .ok_or_else(|| {
            violation(
                rule,
                format!("rim:Slot '{slot}' must carry an xsd:boolean (true/false/1/0)"),
            )
        })
}

/// C005 / C120 and (2.0) S062.
pub(crate) fn check_preview_locations(
    preview: Option<&str>,
    ret: Option<&str>,
    version: EdmVersion,
) -> Check {
    if let Some(p) = preview {
        ensure(is_https(p), Rule::ReqC005, || {
            "PreviewLocation must be a URI starting with 'https://'".into()
        })?;
    }
    if let Some(r) = ret {
        ensure(is_https(r), Rule::ReqC120, || {
            "ReturnLocation must be a URI starting with 'https://'".into()
        })?;
    }
    if version.is_v2() {
        ensure(preview.is_some() == ret.is_some(), Rule::ReqS062, || {
            "ReturnLocation must be present if and only if PreviewLocation is present".into()
        })?;
    }
    Ok(())
}
