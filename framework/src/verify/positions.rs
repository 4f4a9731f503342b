//! Where in a mapping file a finding of `check` belongs, for values serde keeps no
//! position of (plain strings in maps and lists).

use std::path::Path;

use crate::diag::yaml_tree::{Node, Pos};

/// The `document:` of the distribution passing `field` through.
pub(super) fn document(file: &Path, field: &str) -> Option<Pos> {
    let tree = Node::read(file)?;
    let node = tree.get(&["evidence", "distributions"])?;
    (0..)
        .map_while(|i| node.get(&[&i.to_string()]))
        .find_map(|d| d.scalar_pos(&["document"], field))
}
