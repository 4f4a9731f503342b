//! Laying the blocks out on A4 pages: word wrap with the real glyph widths, two-column
//! rows, page breaks, and the footer with page numbers on every page. The result is a list
//! of drawing operations per page.

use unicode_normalization::UnicodeNormalization;

use super::fonts::{Face, FaceData, check, face};
use super::markup::{Block, Document};
use crate::error::RenderError;

/// A4 in points.
pub(super) const PAGE_WIDTH: f32 = 595.276;
pub(super) const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm margins.
const MARGIN: f32 = 56.693;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// A document that needs more pages than this is refused (runaway template).
const MAX_PAGES: usize = 500;

const BODY_SIZE: f32 = 10.0;
const BODY_LEADING: f32 = 14.0;
const TITLE_SIZE: f32 = 18.0;
const TITLE_LEADING: f32 = 23.0;
const HEADING_SIZE: f32 = 12.0;
const HEADING_LEADING: f32 = 16.0;
const FOOTER_SIZE: f32 = 7.5;
const FOOTER_LEADING: f32 = 9.5;
const PARAGRAPH_GAP: f32 = 6.0;
const ROW_PADDING: f32 = 3.0;
const LABEL_WIDTH: f32 = TEXT_WIDTH * 0.36;
const COLUMN_GAP: f32 = 10.0;
const VALUE_WIDTH: f32 = TEXT_WIDTH - LABEL_WIDTH - COLUMN_GAP;

/// A drawing operation on a page.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    Text {
        x: f32,
        baseline: f32,
        face: Face,
        size: f32,
        gray: f32,
        text: String,
        role: Role,
    },
    Line {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        gray: f32,
    },
}

/// What a text line is part of, for the document's tag tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// A title, heading or paragraph: the index of its block.
    Block(usize),
    /// The label of the row at this block index.
    Label(usize),
    /// The value of the row at this block index.
    Value(usize),
    /// A line of the footer note with this index.
    Footer(usize),
    /// The page number.
    PageNumber,
}

/// Text as drawn: NFC (so `e` + U+0301 is the one glyph `é`), control characters as
/// spaces, and every character checked against the bundled fonts.
pub(super) fn prepare(text: &str) -> Result<String, RenderError> {
    let text: String = text
        .nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    check(&text)?;
    Ok(text)
}

/// The page being filled and the finished ones.
struct Cursor {
    pages: Vec<Vec<Op>>,
    y: f32,
    top: f32,
    bottom: f32,
}

impl Cursor {
    fn at_top(&self) -> bool {
        self.y >= self.top
    }

    fn ops(&mut self) -> Result<&mut Vec<Op>, RenderError> {
        self.pages.last_mut().ok_or_else(|| RenderError::Pdf {
            detail: "layout has no page".to_owned(),
        })
    }

    /// Vertical space between blocks; dropped at the top of a page.
    fn gap(&mut self, gap: f32) {
        if !self.at_top() {
            self.y -= gap;
        }
    }

    /// Starts a new page unless `height` still fits (or the page is empty anyway).
    fn ensure(&mut self, height: f32) -> Result<(), RenderError> {
        if self.y - height < self.bottom && !self.at_top() {
            self.new_page()?;
        }
        Ok(())
    }

    fn new_page(&mut self) -> Result<(), RenderError> {
        if self.pages.len() >= MAX_PAGES {
            return Err(RenderError::Pdf {
                detail: format!("document needs more than {MAX_PAGES} pages"),
            });
        }
        self.pages.push(Vec::new());
        self.y = self.top;
        Ok(())
    }

    /// Draws one text line whose line box starts at the cursor, and moves down.
    fn line(
        &mut self,
        x: f32,
        face: Face,
        size: f32,
        leading: f32,
        text: String,
        role: Role,
    ) -> Result<(), RenderError> {
        let baseline = baseline(self.y, size, leading);
        self.ops()?.push(Op::Text {
            x,
            baseline,
            face,
            size,
            gray: 0.0,
            text,
            role,
        });
        self.y -= leading;
        Ok(())
    }
}

/// Baseline of a line box of `leading` starting at `top`, centring the font's extent.
fn baseline(top: f32, size: f32, leading: f32) -> f32 {
    top - (leading - size) / 2.0 - 0.8 * size
}

/// Greedy word wrap at `width` using the font's glyph advances; words wider than a
/// line are broken between characters.
pub(super) fn wrap(text: &str, font: &FaceData, size: f32, width: f32) -> Vec<String> {
    let space = font.width(" ", size);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_width = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = font.width(word, size);
        if !current.is_empty() && current_width + space + word_width <= width {
            current.push(' ');
            current.push_str(word);
            current_width += space + word_width;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if word_width <= width {
            current.push_str(word);
            current_width = word_width;
            continue;
        }
        // A word longer than the line: break it between characters.
        current_width = 0.0;
        for c in word.chars() {
            let w = font.metric(c).map_or(0.0, |m| m.advance) * size / 1000.0;
            if !current.is_empty() && current_width + w > width {
                lines.push(std::mem::take(&mut current));
                current_width = 0.0;
            }
            current.push(c);
            current_width += w;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Prepares and wraps `text` in `style`.
fn wrapped(text: &str, style: Face, size: f32, width: f32) -> Result<Vec<String>, RenderError> {
    Ok(wrap(&prepare(text)?, face(style)?, size, width))
}

/// The drawing operations of each page of `doc`.
pub(super) fn layout(doc: &Document) -> Result<Vec<Vec<Op>>, RenderError> {
    let footer = footer_lines(doc)?;
    let footer_height = footer.len() as f32 * FOOTER_LEADING;
    let bottom = if footer.is_empty() {
        MARGIN
    } else {
        MARGIN + footer_height + 12.0
    };
    let top = PAGE_HEIGHT - MARGIN;
    if top - bottom < (top - MARGIN) * 0.5 {
        return Err(RenderError::Pdf {
            detail: "footer notes (`>` lines) take more than half of the page".to_owned(),
        });
    }
    let mut cur = Cursor {
        pages: vec![Vec::new()],
        y: top,
        top,
        bottom,
    };
    let mut previous: Option<&Block> = None;
    for (index, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Title(text) => {
                let lines = wrapped(text, Face::Bold, TITLE_SIZE, TEXT_WIDTH)?;
                cur.gap(PARAGRAPH_GAP * 2.0);
                cur.ensure(TITLE_LEADING * lines.len().min(2) as f32 + BODY_LEADING * 2.0)?;
                for line in lines {
                    cur.ensure(TITLE_LEADING)?;
                    let role = Role::Block(index);
                    cur.line(MARGIN, Face::Bold, TITLE_SIZE, TITLE_LEADING, line, role)?;
                }
                cur.y -= PARAGRAPH_GAP;
            }
            Block::Heading(text) => {
                let lines = wrapped(text, Face::Bold, HEADING_SIZE, TEXT_WIDTH)?;
                cur.gap(PARAGRAPH_GAP * 2.0);
                // Keep the heading with the first two lines of what follows.
                cur.ensure(HEADING_LEADING * lines.len().min(2) as f32 + BODY_LEADING * 2.0)?;
                for line in lines {
                    cur.ensure(HEADING_LEADING)?;
                    let role = Role::Block(index);
                    cur.line(
                        MARGIN,
                        Face::Bold,
                        HEADING_SIZE,
                        HEADING_LEADING,
                        line,
                        role,
                    )?;
                }
                cur.y -= 2.0;
            }
            Block::Paragraph(text) => {
                cur.gap(PARAGRAPH_GAP);
                let lines = wrapped(text, Face::Regular, BODY_SIZE, TEXT_WIDTH)?;
                for line in lines {
                    cur.ensure(BODY_LEADING)?;
                    let role = Role::Block(index);
                    cur.line(MARGIN, Face::Regular, BODY_SIZE, BODY_LEADING, line, role)?;
                }
            }
            Block::Rule => {
                cur.gap(PARAGRAPH_GAP);
                cur.ensure(1.0)?;
                let y = cur.y - 0.5;
                cur.ops()?.push(Op::Line {
                    x1: MARGIN,
                    x2: PAGE_WIDTH - MARGIN,
                    y,
                    width: 0.75,
                    gray: 0.0,
                });
                cur.y -= 1.0 + PARAGRAPH_GAP;
            }
            Block::Row { label, value } => {
                if !matches!(previous, Some(Block::Row { .. })) {
                    cur.gap(PARAGRAPH_GAP);
                }
                row(&mut cur, index, label, value)?;
            }
        }
        previous = Some(block);
    }
    let total = cur.pages.len();
    for (index, ops) in cur.pages.iter_mut().enumerate() {
        draw_footer(ops, &footer, index + 1, total)?;
    }
    Ok(cur.pages)
}

/// A two-column table row: bold label, wrapped value, thin rule below.
fn row(cur: &mut Cursor, index: usize, label: &str, value: &str) -> Result<(), RenderError> {
    let label_lines = wrapped(label, Face::Bold, BODY_SIZE, LABEL_WIDTH)?;
    let value_lines = wrapped(value, Face::Regular, BODY_SIZE, VALUE_WIDTH)?;
    let count = label_lines.len().max(value_lines.len()).max(1);
    let height = count as f32 * BODY_LEADING + 2.0 * ROW_PADDING;
    // Keep a row on one page when it fits on one.
    cur.ensure(height.min(cur.top - cur.bottom))?;
    cur.y -= ROW_PADDING;
    let mut labels = label_lines.into_iter();
    let mut values = value_lines.into_iter();
    for _ in 0..count {
        cur.ensure(BODY_LEADING)?;
        let top = cur.y;
        if let Some(l) = labels.next() {
            let role = Role::Label(index);
            cur.line(MARGIN, Face::Bold, BODY_SIZE, BODY_LEADING, l, role)?;
            cur.y = top;
        }
        if let Some(v) = values.next() {
            let x = MARGIN + LABEL_WIDTH + COLUMN_GAP;
            let role = Role::Value(index);
            cur.line(x, Face::Regular, BODY_SIZE, BODY_LEADING, v, role)?;
        }
        cur.y = top - BODY_LEADING;
    }
    cur.y -= ROW_PADDING;
    let y = cur.y;
    cur.ops()?.push(Op::Line {
        x1: MARGIN,
        x2: PAGE_WIDTH - MARGIN,
        y,
        width: 0.4,
        gray: 0.75,
    });
    Ok(())
}

/// The wrapped footer lines, each with the index of its note.
fn footer_lines(doc: &Document) -> Result<Vec<(usize, String)>, RenderError> {
    let mut lines = Vec::new();
    for (index, note) in doc.footer.iter().enumerate() {
        for line in wrapped(note, Face::Regular, FOOTER_SIZE, TEXT_WIDTH)? {
            lines.push((index, line));
        }
    }
    Ok(lines)
}

/// Footer notes above the bottom margin and "n / N" below it, on every page.
fn draw_footer(
    ops: &mut Vec<Op>,
    footer: &[(usize, String)],
    page: usize,
    total: usize,
) -> Result<(), RenderError> {
    if !footer.is_empty() {
        let top = MARGIN + footer.len() as f32 * FOOTER_LEADING;
        ops.push(Op::Line {
            x1: MARGIN,
            x2: PAGE_WIDTH - MARGIN,
            y: top + 5.0,
            width: 0.4,
            gray: 0.6,
        });
        for (i, (note, line)) in footer.iter().enumerate() {
            let line_top = top - i as f32 * FOOTER_LEADING;
            ops.push(Op::Text {
                x: MARGIN,
                baseline: baseline(line_top, FOOTER_SIZE, FOOTER_LEADING),
                face: Face::Regular,
                size: FOOTER_SIZE,
                gray: 0.3,
                text: line.clone(),
                role: Role::Footer(*note),
            });
        }
    }
    let number = format!("{page} / {total}");
    let width = face(Face::Regular)?.width(&number, FOOTER_SIZE);
    ops.push(Op::Text {
        x: PAGE_WIDTH - MARGIN - width,
        baseline: MARGIN - 20.0,
        face: Face::Regular,
        size: FOOTER_SIZE,
        gray: 0.3,
        text: number,
        role: Role::PageNumber,
    });
    Ok(())
}
