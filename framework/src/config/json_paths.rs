//! The JSONPaths written in `adapter.yaml` (a REST connection's `records` and
//! `pagination.path`), parsed with the connector's own engine when the file loads: a
//! wrong path shows at its line and column, even for a connection no mapping uses yet.

use std::collections::BTreeMap;
use std::path::Path;

use crate::connector::ConnectionConfig;
use crate::diag::yaml_tree::Node;
use crate::diag::{Diagnostic, codes};

/// One diagnostic per JSONPath of `connections` that does not parse (`text` is the file's
/// content, for the positions).
pub(super) fn problems(
    path: &Path,
    text: &str,
    connections: &BTreeMap<String, ConnectionConfig>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut tree = None;
    for (name, c) in connections {
        let ConnectionConfig::Rest(rest) = c else {
            continue;
        };
        for (key, reason) in rest.path_problems() {
            let tree = tree.get_or_insert_with(|| Node::parse(text));
            let mut at = vec!["connections", name.as_str()];
            at.extend(key.split('.'));
            out.push(
                Diagnostic::new(
                    path,
                    codes::CONNECTION_PATH,
                    format!("connection `{name}`: {key}: {reason}"),
                )
                .at_pos(tree.as_ref().and_then(|t| t.pos(&at)))
                .hint("an RFC 9535 JSONPath from the response's root, e.g. `$.residents[*]`"),
            );
        }
    }
    out
}
