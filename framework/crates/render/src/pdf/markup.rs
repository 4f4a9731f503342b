//! The markup of `docs/pdf-markup.md` parsed into blocks (titles, headings, label/value
//! rows, rules, paragraphs), footer notes and directives, with its escapes removed.

use crate::error::RenderError;

/// One block of the document body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    Title(String),
    Heading(String),
    Row { label: String, value: String },
    Rule,
    Paragraph(String),
}

/// Parsed markup: body blocks, footer notes and directives.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Document {
    pub(super) blocks: Vec<Block>,
    pub(super) footer: Vec<String>,
    pub(super) title: Option<String>,
    pub(super) author: Option<String>,
    pub(super) lang: Option<String>,
}

impl Document {
    /// The first `# Title` block, for a document without a title directive.
    pub(super) fn first_title(&self) -> Option<&str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
    }
}

/// Parses the markup; an unknown directive is an error.
pub(super) fn parse(markup: &str) -> Result<Document, RenderError> {
    let mut doc = Document::default();
    let mut paragraph: Vec<String> = Vec::new();
    let flush = |paragraph: &mut Vec<String>, doc: &mut Document| {
        if !paragraph.is_empty() {
            doc.blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for (index, raw) in markup.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut paragraph, &mut doc);
        } else if let Some(rest) = line.strip_prefix('@') {
            flush(&mut paragraph, &mut doc);
            let (key, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let value = unescape(value.trim());
            match key {
                "title" => doc.title = Some(value),
                "author" => doc.author = Some(value),
                "lang" => doc.lang = Some(value),
                _ => {
                    return Err(RenderError::Pdf {
                        detail: format!(
                            "markup line {}: unknown directive `@{key}` (known: @title, @author, @lang; write `\\@` for a literal @)",
                            index + 1
                        ),
                    });
                }
            }
        } else if line.len() >= 3 && line.bytes().all(|b| b == b'-') {
            flush(&mut paragraph, &mut doc);
            doc.blocks.push(Block::Rule);
        } else if let Some(rest) = line.strip_prefix("## ") {
            flush(&mut paragraph, &mut doc);
            doc.blocks.push(Block::Heading(unescape(rest.trim())));
        } else if let Some(rest) = line.strip_prefix("# ") {
            flush(&mut paragraph, &mut doc);
            doc.blocks.push(Block::Title(unescape(rest.trim())));
        } else if let Some(rest) = line.strip_prefix('>') {
            doc.footer.push(unescape(rest.trim()));
        } else if let Some((label, value)) = split_row(line) {
            flush(&mut paragraph, &mut doc);
            doc.blocks.push(Block::Row {
                label: unescape(label.trim()),
                value: unescape(value.trim()),
            });
        } else {
            paragraph.push(unescape(line));
        }
    }
    flush(&mut paragraph, &mut doc);
    Ok(doc)
}

/// Splits at the first unescaped `|`.
fn split_row(line: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '|' => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Removes markup escapes: `\x` → `x`.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next().unwrap_or('\\'));
        } else {
            out.push(c);
        }
    }
    out
}
