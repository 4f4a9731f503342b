//! Writing the laid-out pages as a PDF: the standard-14 Helvetica fonts in WinAnsi and an
//! extended encoding, uncompressed content streams, the information dictionary, catalog and
//! a deterministic file identifier.

use chrono::{Datelike, NaiveDateTime, Timelike};
use pdf_writer::{Content, Date, Name, Pdf, Rect, Ref, Str, TextStr};

use super::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH};
use crate::encoding::{EXTENDED, EXTENDED_FIRST, Plane};
use crate::metrics::{FIRST_CHAR, Face, LAST_CHAR};

/// Everything the information dictionary and catalog need.
pub(super) struct Info {
    pub(super) title: Option<String>,
    pub(super) author: Option<String>,
    pub(super) language: Option<String>,
    pub(super) created: NaiveDateTime,
    pub(super) substituted: usize,
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

/// The PDF file of `pages`, its metadata from `info` and its identifier from `markup`.
pub(super) fn write(pages: &[Vec<Op>], info: &Info, markup: &str) -> Vec<u8> {
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
