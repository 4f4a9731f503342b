//! PDF rendition of a small line-oriented markup (see `docs/pdf-markup.md`).
//!
//! Why this shape: the authority's Handlebars template produces plain text markup, and
//! this module lays it out on A4 pages with the standard-14 Helvetica fonts and writes it
//! with `pdf-writer`. No layout engine, no font files, deterministic bytes.

use chrono::{Datelike, NaiveDateTime, Timelike};
use pdf_writer::{Content, Date, Name, Pdf, Rect, Ref, Str, TextStr};

use super::encoding::{EXTENDED, EXTENDED_FIRST, Encoded, Glyph, Plane, encode};
use super::error::RenderError;
use super::metrics::{FIRST_CHAR, Face, LAST_CHAR};

/// Document metadata written into the PDF information dictionary and catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfMeta {
    /// `/Title`; when empty, the markup's `@title` or its first `# Title` is used.
    pub title: String,
    /// `/Author`; when empty, the markup's `@author` is used (omitted if none).
    pub author: String,
    /// BCP 47 tag for the catalog `/Lang`; when `None`, the markup's `@lang` is used.
    pub language: Option<String>,
    /// `/CreationDate`, interpreted as UTC. Fixed by callers that need stable bytes.
    pub created: NaiveDateTime,
}

/// A rendered PDF with facts a caller may want to log (no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfReport {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Characters the standard fonts cannot show that were transliterated (or replaced
    /// by `?`); also stated in the document's `/Keywords`.
    pub substituted: usize,
}

/// Renders `markup` to PDF bytes. Same markup and meta → identical bytes.
pub fn render_pdf(markup: &str, meta: &PdfMeta) -> Result<Vec<u8>, RenderError> {
    render_pdf_report(markup, meta).map(|r| r.bytes)
}

/// Like [`render_pdf`], also returning the page count and the substitution count.
pub fn render_pdf_report(markup: &str, meta: &PdfMeta) -> Result<PdfReport, RenderError> {
    let doc = parse(markup)?;
    let mut encoder = Encoder::default();
    let laid = layout(&doc, &mut encoder)?;
    let title = first_non_empty(&[&meta.title, doc.title.as_deref().unwrap_or("")])
        .or_else(|| doc.first_title().map(str::to_owned));
    let author = first_non_empty(&[&meta.author, doc.author.as_deref().unwrap_or("")]);
    let language = meta.language.clone().or_else(|| doc.lang.clone());
    let info = Info {
        title,
        author,
        language,
        created: meta.created,
        substituted: encoder.substituted,
    };
    let pages = laid.len();
    let bytes = write(&laid, &info, markup);
    Ok(PdfReport {
        bytes,
        pages,
        substituted: encoder.substituted,
    })
}

/// Escapes a value for inclusion in markup: the markup's special characters get a
/// backslash, line breaks and other control characters become spaces, so a record
/// value can never start a heading, a row, a rule or a directive.
pub fn escape_markup(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | '|' | '#' | '>' | '-' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn first_non_empty(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------------------
// Markup

/// One block of the document body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Title(String),
    Heading(String),
    Row { label: String, value: String },
    Rule,
    Paragraph(String),
}

/// Parsed markup: body blocks, footer notes and directives.
#[derive(Debug, Default, PartialEq, Eq)]
struct Document {
    blocks: Vec<Block>,
    footer: Vec<String>,
    title: Option<String>,
    author: Option<String>,
    lang: Option<String>,
}

impl Document {
    fn first_title(&self) -> Option<&str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
    }
}

fn parse(markup: &str) -> Result<Document, RenderError> {
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

// ---------------------------------------------------------------------------------------
// Layout

/// A4 in points.
const PAGE_WIDTH: f32 = 595.276;
const PAGE_HEIGHT: f32 = 841.89;
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
enum Op {
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
struct Encoder {
    substituted: usize,
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
fn wrap(glyphs: &[Glyph], face: Face, size: f32, width: f32) -> Vec<Vec<Glyph>> {
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

fn layout(doc: &Document, encoder: &mut Encoder) -> Result<Vec<Vec<Op>>, RenderError> {
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

// ---------------------------------------------------------------------------------------
// Writing

/// Everything the information dictionary and catalog need.
struct Info {
    title: Option<String>,
    author: Option<String>,
    language: Option<String>,
    created: NaiveDateTime,
    substituted: usize,
}

/// Font resource names: regular/bold × WinAnsi/extended.
fn font_name(face: Face, plane: Plane) -> Name<'static> {
    match (face, plane) {
        (Face::Regular, Plane::WinAnsi) => Name(b"F1"),
        (Face::Bold, Plane::WinAnsi) => Name(b"F2"),
        (Face::Regular, Plane::Extended) => Name(b"F3"),
        (Face::Bold, Plane::Extended) => Name(b"F4"),
    }
}

const FONTS: [(Face, Plane); 4] = [
    (Face::Regular, Plane::WinAnsi),
    (Face::Bold, Plane::WinAnsi),
    (Face::Regular, Plane::Extended),
    (Face::Bold, Plane::Extended),
];

fn write(pages: &[Vec<Op>], info: &Info, markup: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let tree_id = alloc.bump();
    let info_id = alloc.bump();
    let font_ids: Vec<Ref> = FONTS.iter().map(|_| alloc.bump()).collect();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc.bump(), alloc.bump())).collect();

    {
        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(tree_id);
        if let Some(lang) = &info.language {
            catalog.lang(TextStr(lang));
        }
        catalog.viewer_preferences().display_doc_title(true);
    }

    {
        let mut doc_info = pdf.document_info(info_id);
        if let Some(title) = &info.title {
            doc_info.title(TextStr(title));
        }
        if let Some(author) = &info.author {
            doc_info.author(TextStr(author));
        }
        doc_info.producer(TextStr("oots-adapter"));
        doc_info.creator(TextStr("oots-adapter"));
        doc_info.creation_date(pdf_date(info.created));
        if info.substituted > 0 {
            let note = format!(
                "transliterated: {} character(s) outside the standard PDF fonts were replaced by Latin stand-ins",
                info.substituted
            );
            doc_info.keywords(TextStr(&note));
        }
    }

    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));

    for ((face, plane), id) in FONTS.iter().zip(&font_ids) {
        let mut font = pdf.type1_font(*id);
        font.base_font(Name(face.base_font().as_bytes()));
        match plane {
            Plane::WinAnsi => {
                font.encoding_predefined(Name(b"WinAnsiEncoding"));
                font.first_char(FIRST_CHAR)
                    .last_char(LAST_CHAR)
                    .widths((FIRST_CHAR..=LAST_CHAR).map(|b| f32::from(face.width(b))));
            }
            Plane::Extended => {
                let last = EXTENDED_FIRST.saturating_add(
                    u8::try_from(EXTENDED.len().saturating_sub(1)).unwrap_or(u8::MAX),
                );
                font.first_char(EXTENDED_FIRST)
                    .last_char(last)
                    .widths(EXTENDED.iter().map(|&(_, _, regular, bold)| {
                        f32::from(match face {
                            Face::Regular => regular,
                            Face::Bold => bold,
                        })
                    }));
                let mut encoding = font.encoding_custom();
                encoding.base_encoding(Name(b"WinAnsiEncoding"));
                encoding.differences().consecutive(
                    EXTENDED_FIRST,
                    EXTENDED.iter().map(|(_, name, ..)| Name(name.as_bytes())),
                );
            }
        }
    }

    for (ops, (page_id, content_id)) in pages.iter().zip(&page_ids) {
        {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
                .parent(tree_id)
                .contents(*content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            for ((face, plane), id) in FONTS.iter().zip(&font_ids) {
                fonts.pair(font_name(*face, *plane), *id);
            }
        }
        let content = content_stream(ops);
        pdf.stream(*content_id, &content);
    }

    pdf.set_file_id(file_id(info, markup));
    pdf.finish()
}

/// Content stream of one page. Uncompressed on purpose: readable, and tests can find
/// the text in it.
fn content_stream(ops: &[Op]) -> Vec<u8> {
    let mut content = Content::new();
    for op in ops {
        match op {
            Op::Line {
                x1,
                x2,
                y,
                width,
                gray,
            } => {
                content
                    .set_stroke_gray(*gray)
                    .set_line_width(*width)
                    .move_to(*x1, *y)
                    .line_to(*x2, *y)
                    .stroke();
            }
            Op::Text {
                x,
                baseline,
                face,
                size,
                gray,
                glyphs,
            } => {
                content.begin_text();
                content.set_fill_gray(*gray);
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *baseline]);
                for run in glyphs.chunk_by(|a, b| a.plane == b.plane) {
                    let plane = run.first().map_or(Plane::WinAnsi, |g| g.plane);
                    let bytes: Vec<u8> = run.iter().map(|g| g.code).collect();
                    content.set_font(font_name(*face, plane), *size);
                    content.show(Str(&bytes));
                }
                content.end_text();
            }
        }
    }
    content.finish().to_vec()
}

fn pdf_date(created: NaiveDateTime) -> Date {
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    Date::new(u16::try_from(created.year()).unwrap_or(0))
        .month(narrow(created.month()))
        .day(narrow(created.day()))
        .hour(narrow(created.hour()))
        .minute(narrow(created.minute()))
        .second(narrow(created.second()))
        .utc_offset_hour(0)
}

/// Deterministic trailer `/ID` derived from the input (FNV-1a, two seeds): stable bytes,
/// yet different documents get different identifiers.
fn file_id(info: &Info, markup: &str) -> (Vec<u8>, Vec<u8>) {
    let mut id = Vec::with_capacity(16);
    for seed in [0xcbf2_9ce4_8422_2325_u64, 0x6c62_272e_07bb_0142_u64] {
        let mut hash = seed;
        let parts = [
            markup.as_bytes(),
            info.title.as_deref().unwrap_or("").as_bytes(),
            info.author.as_deref().unwrap_or("").as_bytes(),
            info.language.as_deref().unwrap_or("").as_bytes(),
        ];
        for part in parts {
            for &b in part.iter().chain([0xFF_u8].iter()) {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        for b in info.created.and_utc().timestamp().to_be_bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        id.extend_from_slice(&hash.to_be_bytes());
    }
    (id.clone(), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_block_kinds() {
        let doc = parse(
            "@lang de\n# Title\n## Head\nName | Doe\n---\nline one\nline two\n\nnext\n> fine print\n",
        )
        .unwrap();
        assert_eq!(doc.lang.as_deref(), Some("de"));
        assert_eq!(
            doc.blocks,
            vec![
                Block::Title("Title".into()),
                Block::Heading("Head".into()),
                Block::Row {
                    label: "Name".into(),
                    value: "Doe".into()
                },
                Block::Rule,
                Block::Paragraph("line one line two".into()),
                Block::Paragraph("next".into()),
            ]
        );
        assert_eq!(doc.footer, vec!["fine print".to_owned()]);
    }

    #[test]
    fn escaped_values_cannot_create_markup() {
        let hostile = "# x | y\n---\n> z @lang";
        let line = format!("Remark | {}", escape_markup(hostile));
        let doc = parse(&format!("{}\n{}", escape_markup(hostile), line)).unwrap();
        assert_eq!(
            doc.blocks,
            vec![
                Block::Paragraph("# x | y --- > z @lang".into()),
                Block::Row {
                    label: "Remark".into(),
                    value: "# x | y --- > z @lang".into()
                }
            ]
        );
        assert!(doc.footer.is_empty());
        assert!(doc.lang.is_none());
    }

    #[test]
    fn unknown_directive_is_an_error() {
        let err = parse("@colour red").unwrap_err();
        assert_eq!(err.code(), "RENDER_PDF");
        assert!(err.to_string().contains("@colour"));
    }

    #[test]
    fn wrap_respects_width() {
        let glyphs = encode(&"word ".repeat(100)).glyphs;
        let lines = wrap(&glyphs, Face::Regular, 10.0, 100.0);
        assert!(lines.len() > 10);
        for l in &lines {
            assert!(Face::Regular.text_width(l, 10.0) <= 100.0);
        }
        let long = encode(&"x".repeat(200)).glyphs;
        let lines = wrap(&long, Face::Regular, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.iter().map(Vec::len).sum::<usize>(), 200);
    }
}
