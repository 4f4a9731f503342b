//! The tag tree (logical structure) of the PDF: the title as H1, headings as H2,
//! paragraphs as P, consecutive rows as one Table of TR rows (TH label with row scope,
//! TD value), and the footer notes as P after the body. Rules, the page numbers and the
//! footer's repetitions on later pages are artifacts, outside the tree.

use std::num::NonZeroU16;

use krilla::tagging::{Identifier, Node, TableHeaderScope, Tag, TagGroup, TagTree};

use super::layout::Role;
use super::markup::{Block, Document};

/// The marked content of each block and footer note, collected while drawing.
pub(super) struct Tags {
    blocks: Vec<Vec<Identifier>>,
    labels: Vec<Vec<Identifier>>,
    notes: Vec<Vec<Identifier>>,
}

impl Tags {
    pub(super) fn new(doc: &Document) -> Self {
        Self {
            blocks: vec![Vec::new(); doc.blocks.len()],
            labels: vec![Vec::new(); doc.blocks.len()],
            notes: vec![Vec::new(); doc.footer.len()],
        }
    }

    /// Files one drawn line under its block (artifacts are never added).
    pub(super) fn add(&mut self, role: Role, id: Identifier) {
        let slot = match role {
            Role::Block(i) | Role::Value(i) => self.blocks.get_mut(i),
            Role::Label(i) => self.labels.get_mut(i),
            Role::Footer(i) => self.notes.get_mut(i),
            Role::PageNumber => None,
        };
        if let Some(slot) = slot {
            slot.push(id);
        }
    }

    /// The tree in reading order. Groups without content are left out (an empty
    /// paragraph has no marked content to point at).
    pub(super) fn tree(mut self, doc: &Document, lang: Option<String>) -> TagTree {
        let mut tree = TagTree::new().with_lang(lang);
        let mut table: Option<TagGroup> = None;
        for (index, block) in doc.blocks.iter().enumerate() {
            let content = std::mem::take(&mut self.blocks[index]);
            if let Block::Row { .. } = block {
                let mut row = TagGroup::new(Tag::TR);
                let label = std::mem::take(&mut self.labels[index]);
                row.push(leaves(TagGroup::new(Tag::TH(TableHeaderScope::Row)), label));
                row.push(leaves(TagGroup::new(Tag::TD), content));
                table
                    .get_or_insert_with(|| TagGroup::new(Tag::Table))
                    .push(row);
                continue;
            }
            if let Some(t) = table.take() {
                tree.push(t);
            }
            let group = match block {
                Block::Title(text) => TagGroup::new(Tag::Hn(level(1), Some(text.clone()))),
                Block::Heading(text) => TagGroup::new(Tag::Hn(level(2), Some(text.clone()))),
                Block::Paragraph(_) => TagGroup::new(Tag::P),
                Block::Rule | Block::Row { .. } => continue,
            };
            push_non_empty(&mut tree, leaves(group, content));
        }
        if let Some(t) = table.take() {
            tree.push(t);
        }
        for note in self.notes {
            push_non_empty(&mut tree, leaves(TagGroup::new(Tag::P), note));
        }
        tree
    }
}

fn level(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}

fn leaves(mut group: TagGroup, ids: Vec<Identifier>) -> TagGroup {
    for id in ids {
        group.push(Node::Leaf(id));
    }
    group
}

fn push_non_empty(tree: &mut TagTree, group: TagGroup) {
    if !group.children.is_empty() {
        tree.push(group);
    }
}
