//! Laying the blocks out on A4 pages: word wrap with the real glyph widths, two-column
//! rows, page breaks, and the footer with page numbers on every page. The result is a list
//! of drawing operations per page.

use super::markup::{Block, Document};
use crate::encoding::{Encoded, Glyph, Plane, encode};
use crate::error::RenderError;
use crate::metrics::Face;

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
        glyphs: Vec<Glyph>,
    },
    Line {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        gray: f32,
    },
}

/// Encodes strings and keeps the substitution count for the whole document.
#[derive(Default)]
pub(super) struct Encoder {
    pub(super) substituted: usize,
}

impl Encoder {
    fn encode(&mut self, text: &str) -> Vec<Glyph> {
        let Encoded {
            glyphs,
            substituted,
        } = encode(text);
        self.substituted += substituted;
        glyphs
    }
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
        glyphs: Vec<Glyph>,
    ) -> Result<(), RenderError> {
        let baseline = baseline(self.y, size, leading);
        self.ops()?.push(Op::Text {
            x,
            baseline,
            face,
            size,
            gray: 0.0,
            glyphs,
        });
        self.y -= leading;
        Ok(())
    }
}

/// Baseline of a line box of `leading` starting at `top`, centring the font's extent.
fn baseline(top: f32, size: f32, leading: f32) -> f32 {
    top - (leading - size) / 2.0 - 0.8 * size
}

fn is_space(g: &Glyph) -> bool {
    g.plane == Plane::WinAnsi && g.code == b' '
}

/// Greedy word wrap at `width` using the real glyph widths; words wider than a line
/// are broken between characters.
pub(super) fn wrap(glyphs: &[Glyph], face: Face, size: f32, width: f32) -> Vec<Vec<Glyph>> {
    let space = face.text_width(
        &[Glyph {
            plane: Plane::WinAnsi,
            code: b' ',
        }],
        size,
    );
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut current: Vec<Glyph> = Vec::new();
    let mut current_width = 0.0;
    for word in glyphs.split(is_space).filter(|w| !w.is_empty()) {
        let word_width = face.text_width(word, size);
        if !current.is_empty() && current_width + space + word_width <= width {
            current.push(Glyph {
                plane: Plane::WinAnsi,
                code: b' ',
            });
            current.extend_from_slice(word);
            current_width += space + word_width;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if word_width <= width {
            current.extend_from_slice(word);
            current_width = word_width;
            continue;
        }
        // A word longer than the line: break it between characters.
        current_width = 0.0;
        for &g in word {
            let w = face.text_width(&[g], size);
            if !current.is_empty() && current_width + w > width {
                lines.push(std::mem::take(&mut current));
                current_width = 0.0;
            }
            current.push(g);
            current_width += w;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The drawing operations of each page of `doc`.
pub(super) fn layout(doc: &Document, encoder: &mut Encoder) -> Result<Vec<Vec<Op>>, RenderError> {
    let footer = footer_lines(doc, encoder);
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
    for block in &doc.blocks {
        match block {
            Block::Title(text) => {
                let lines = wrap(&encoder.encode(text), Face::Bold, TITLE_SIZE, TEXT_WIDTH);
                cur.gap(PARAGRAPH_GAP * 2.0);
                cur.ensure(TITLE_LEADING * lines.len().min(2) as f32 + BODY_LEADING * 2.0)?;
                for line in lines {
                    cur.ensure(TITLE_LEADING)?;
                    cur.line(MARGIN, Face::Bold, TITLE_SIZE, TITLE_LEADING, line)?;
                }
                cur.y -= PARAGRAPH_GAP;
            }
            Block::Heading(text) => {
                let lines = wrap(&encoder.encode(text), Face::Bold, HEADING_SIZE, TEXT_WIDTH);
                cur.gap(PARAGRAPH_GAP * 2.0);
                // Keep the heading with the first two lines of what follows.
                cur.ensure(HEADING_LEADING * lines.len().min(2) as f32 + BODY_LEADING * 2.0)?;
                for line in lines {
                    cur.ensure(HEADING_LEADING)?;
                    cur.line(MARGIN, Face::Bold, HEADING_SIZE, HEADING_LEADING, line)?;
                }
                cur.y -= 2.0;
            }
            Block::Paragraph(text) => {
                cur.gap(PARAGRAPH_GAP);
                let lines = wrap(&encoder.encode(text), Face::Regular, BODY_SIZE, TEXT_WIDTH);
                for line in lines {
                    cur.ensure(BODY_LEADING)?;
                    cur.line(MARGIN, Face::Regular, BODY_SIZE, BODY_LEADING, line)?;
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
                row(&mut cur, encoder, label, value)?;
            }
        }
        previous = Some(block);
    }
    let total = cur.pages.len();
    for (index, ops) in cur.pages.iter_mut().enumerate() {
        draw_footer(ops, &footer, index + 1, total, encoder);
    }
    Ok(cur.pages)
}

/// A two-column table row: bold label, wrapped value, thin rule below.
fn row(
    cur: &mut Cursor,
    encoder: &mut Encoder,
    label: &str,
    value: &str,
) -> Result<(), RenderError> {
    let label_lines = wrap(&encoder.encode(label), Face::Bold, BODY_SIZE, LABEL_WIDTH);
    let value_lines = wrap(
        &encoder.encode(value),
        Face::Regular,
        BODY_SIZE,
        VALUE_WIDTH,
    );
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
            cur.line(MARGIN, Face::Bold, BODY_SIZE, BODY_LEADING, l)?;
            cur.y = top;
        }
        if let Some(v) = values.next() {
            cur.line(
                MARGIN + LABEL_WIDTH + COLUMN_GAP,
                Face::Regular,
                BODY_SIZE,
                BODY_LEADING,
                v,
            )?;
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

fn footer_lines(doc: &Document, encoder: &mut Encoder) -> Vec<Vec<Glyph>> {
    doc.footer
        .iter()
        .flat_map(|note| {
            wrap(
                &encoder.encode(note),
                Face::Regular,
                FOOTER_SIZE,
                TEXT_WIDTH,
            )
        })
        .collect()
}

/// Footer notes above the bottom margin and "n / N" below it, on every page.
fn draw_footer(
    ops: &mut Vec<Op>,
    footer: &[Vec<Glyph>],
    page: usize,
    total: usize,
    encoder: &mut Encoder,
) {
    if !footer.is_empty() {
        let top = MARGIN + footer.len() as f32 * FOOTER_LEADING;
        ops.push(Op::Line {
            x1: MARGIN,
            x2: PAGE_WIDTH - MARGIN,
            y: top + 5.0,
            width: 0.4,
            gray: 0.6,
        });
        for (i, line) in footer.iter().enumerate() {
            let line_top = top - i as f32 * FOOTER_LEADING;
            ops.push(Op::Text {
                x: MARGIN,
                baseline: baseline(line_top, FOOTER_SIZE, FOOTER_LEADING),
                face: Face::Regular,
                size: FOOTER_SIZE,
                gray: 0.3,
                glyphs: line.clone(),
            });
        }
    }
    let number = encoder.encode(&format!("{page} / {total}"));
    let width = Face::Regular.text_width(&number, FOOTER_SIZE);
    ops.push(Op::Text {
        x: PAGE_WIDTH - MARGIN - width,
        baseline: MARGIN - 20.0,
        face: Face::Regular,
        size: FOOTER_SIZE,
        gray: 0.3,
        glyphs: number,
    });
}
