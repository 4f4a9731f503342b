//! A YAML file as a tree of positioned nodes: where each key and value was written, so
//! that checks made after loading (a record field, a JSONPath) can still point at the
//! line and column an authority has to fix. Built from the parser's events, not from
//! serde, because serde drops the positions of keys and of plain strings (the parser is
//! the one serde-saphyr re-exports, so both read the file alike).

use serde_saphyr::granit_parser::{Event, Parser, Span};

/// Nesting deeper than this is not a configuration file: the tree is not built.
const MAX_DEPTH: usize = 128;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    fn of(span: &Span) -> Self {
        Self {
            line: span.start.line() as u64,
            column: span.start.col() as u64 + 1,
        }
    }

    fn end_of(span: &Span) -> Self {
        Self {
            line: span.end.line() as u64,
            column: span.end.col() as u64 + 1,
        }
    }
}

/// One node of the tree and where it starts and ends.
#[derive(Debug, Clone)]
pub struct Node {
    pub start: Pos,
    pub end: Pos,
    pub kind: Kind,
}

/// What a node holds.
#[derive(Debug, Clone)]
pub enum Kind {
    Scalar(String),
    Seq(Vec<Node>),
    /// Keys in the order written, each with its own position.
    Map(Vec<(Key, Node)>),
}

/// A mapping key: its text and where it was written.
#[derive(Debug, Clone)]
pub struct Key {
    pub text: String,
    pub pos: Pos,
}

impl Node {
    /// The tree of `text`'s first document; `None` when it is not valid YAML (serde
    /// reports that itself).
    pub fn parse(text: &str) -> Option<Node> {
        let mut iter = Parser::new_from_str(text)
            .filter(|e| !matches!(e, Ok((Event::Comment(..), _))))
            .map(|e| e.ok());
        let events: &mut Events = &mut iter;
        loop {
            match events.next()?? {
                (Event::StreamStart | Event::DocumentStart(..), _) => continue,
                (ev, span) => return build(ev, span, events, 0),
            }
        }
    }

    /// The tree of the YAML file at `path`, when it can be read and parsed.
    pub fn read(path: &std::path::Path) -> Option<Node> {
        Self::parse(&std::fs::read_to_string(path).ok()?)
    }

    /// Where the value at `path` starts.
    pub fn pos(&self, path: &[&str]) -> Option<Pos> {
        self.get(path).map(|n| n.start)
    }

    /// Where the scalar `value` is written at `path` or, when `path` holds a sequence,
    /// among its items (`FamilyName: [family_name, birth_name]`).
    pub fn scalar_pos(&self, path: &[&str], value: &str) -> Option<Pos> {
        let node = self.get(path)?;
        match &node.kind {
            Kind::Scalar(s) if s == value => Some(node.start),
            Kind::Seq(items) => items
                .iter()
                .find(|i| matches!(&i.kind, Kind::Scalar(s) if s == value))
                .map(|i| i.start),
            _ => None,
        }
    }

    /// The node at `path` (mapping keys; a decimal segment indexes a sequence).
    pub fn get(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, seg| node.child(seg))
    }

    /// Where the key that opens `path` was written (its last segment's key), or, for a
    /// sequence item, where the item starts.
    pub fn key_pos(&self, path: &[&str]) -> Option<Pos> {
        let (last, parent) = path.split_last()?;
        let parent = self.get(parent)?;
        match &parent.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.text == *last)
                .map(|(k, _)| k.pos),
            Kind::Seq(_) => parent.child(last).map(|n| n.start),
            Kind::Scalar(_) => None,
        }
    }

    fn child(&self, seg: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.text == seg).map(|(_, v)| v),
            Kind::Seq(items) => items.get(seg.parse::<usize>().ok()?),
            Kind::Scalar(_) => None,
        }
    }

    /// The keys of a mapping node.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        let entries: &[(Key, Node)] = match &self.kind {
            Kind::Map(e) => e,
            _ => &[],
        };
        entries.iter().map(|(k, _)| k)
    }
}

/// The parser's first syntax error in `text`: where, and its message. serde may fail
/// earlier on the content it has read so far (a key missing from a section the bad
/// indentation cut short), hiding the real cause.
pub fn syntax_error(text: &str) -> Option<(Pos, String)> {
    Parser::new_from_str(text).find_map(|e| e.err()).map(|e| {
        let m = e.marker();
        let pos = Pos {
            line: m.line() as u64,
            column: m.col() as u64 + 1,
        };
        (pos, e.to_string())
    })
}

type Events<'a> = dyn Iterator<Item = Option<(Event<'a>, Span)>> + 'a;

fn build<'a>(ev: Event<'a>, span: Span, events: &mut Events<'a>, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let start = Pos::of(&span);
    match ev {
        Event::Scalar(v, ..) => Some(Node {
            start,
            end: Pos::end_of(&span),
            kind: Kind::Scalar(v.into_owned()),
        }),
        Event::Alias(_) | Event::UnresolvedAlias(_) => Some(Node {
            start,
            end: Pos::end_of(&span),
            kind: Kind::Scalar(String::new()),
        }),
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            loop {
                match next_node(events)? {
                    (Event::SequenceEnd, end) => {
                        return Some(Node {
                            start,
                            end: Pos::of(&end),
                            kind: Kind::Seq(items),
                        });
                    }
                    (ev, span) => items.push(build(ev, span, events, depth + 1)?),
                }
            }
        }
        Event::MappingStart(..) => {
            let mut entries = Vec::new();
            loop {
                let (kev, kspan) = next_node(events)?;
                if matches!(kev, Event::MappingEnd) {
                    return Some(Node {
                        start,
                        end: Pos::of(&kspan),
                        kind: Kind::Map(entries),
                    });
                }
                let key = build(kev, kspan, events, depth + 1)?;
                let (vev, vspan) = next_node(events)?;
                let value = build(vev, vspan, events, depth + 1)?;
                let text = match &key.kind {
                    Kind::Scalar(s) => s.clone(),
                    _ => String::new(),
                };
                entries.push((
                    Key {
                        text,
                        pos: key.start,
                    },
                    value,
                ));
            }
        }
        _ => None,
    }
}

/// The next event that is part of the tree (anchors are metadata, not nodes).
fn next_node<'a>(events: &mut Events<'a>) -> Option<(Event<'a>, Span)> {
    loop {
        let (ev, span) = events.next()??;
        if !matches!(ev, Event::Anchor(..)) {
            return Some((ev, span));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_items_keep_their_positions() {
        let t = "a:\n  b: one\n  c:\n    - x\n    - { d: 2 }\n";
        let n = Node::parse(t).unwrap();
        assert_eq!(n.key_pos(&["a", "b"]), Some(Pos { line: 2, column: 3 }));
        assert_eq!(
            n.get(&["a", "b"]).unwrap().start,
            Pos { line: 2, column: 6 }
        );
        assert_eq!(
            n.get(&["a", "c", "1", "d"]).unwrap().start,
            Pos {
                line: 5,
                column: 12
            }
        );
        assert_eq!(
            n.key_pos(&["a", "c", "0"]),
            Some(Pos { line: 4, column: 7 })
        );
        assert!(Node::parse("a: [").is_none());
    }

    #[test]
    fn anchors_and_deep_nesting_do_not_break_it() {
        let n = Node::parse("a: &x { b: 1 }\nc: *x\n").unwrap();
        assert!(n.get(&["a", "b"]).is_some());
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert!(Node::parse(&deep).is_none());
    }
}
