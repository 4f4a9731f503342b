//! Writing the laid-out pages as PDF/A-2 with `krilla`: the bundled fonts embedded as
//! subsets (with a Unicode map for every glyph), XMP metadata, an sRGB output intent,
//! the document language and a tag tree (see `tags`). `krilla`'s validator refuses to
//! write a file that breaks the chosen PDF/A part.

use chrono::{Datelike, NaiveDateTime, Timelike};
use krilla::color::luma;
use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, SpanTag};
use krilla::text::{GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

use super::fonts::face;
use super::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Role};
use super::markup;
use super::tags::Tags;
use crate::error::RenderError;

/// Everything the metadata needs.
pub(super) struct Info {
    pub(super) title: Option<String>,
    pub(super) author: Option<String>,
    pub(super) language: Option<String>,
    pub(super) created: NaiveDateTime,
}

/// The PDF/A part written: 2a (tagged, accessible) when the document language is known,
/// which PDF/A-2a requires, else 2u (every glyph maps to Unicode; still tagged).
pub(super) fn validator(info: &Info) -> Validator {
    if info.language.is_some() {
        Validator::A(Archival::A2_A)
    } else {
        Validator::A(Archival::A2_U)
    }
}

/// The PDF file of `pages`, tagged after `doc`, its metadata from `info` and its
/// document identifier from `markup`.
pub(super) fn write(
    pages: &[Vec<Op>],
    doc: &markup::Document,
    info: &Info,
    markup: &str,
) -> Result<Vec<u8>, RenderError> {
    let configuration = ConfigurationBuilder::new()
        .set_validator(validator(info))
        .finish()
        .map_err(|e| pdf_error(format!("PDF/A configuration: {e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        // Content streams and Unicode maps stay readable; deflating each small stream
        // costs more time than the bytes it saves.
        compress_content_streams: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let mut tags = Tags::new(doc);
    for (index, ops) in pages.iter().enumerate() {
        let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| pdf_error("page size".to_owned()))?;
        let mut page = document.start_page_with(page_settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, index == 0, &mut tags)?;
        }
        surface.finish();
        page.finish();
    }
    document.set_metadata(metadata(info, markup));
    document.set_tag_tree(tags.tree(doc, info.language.clone()));
    document
        .finish()
        .map_err(|e| pdf_error(format!("PDF/A writer refused the document: {e:?}")))
}

fn pdf_error(detail: String) -> RenderError {
    RenderError::Pdf { detail }
}

/// Draws one operation, marked as content of the tag tree or as an artifact.
fn draw(
    surface: &mut Surface<'_>,
    op: &Op,
    first_page: bool,
    tags: &mut Tags,
) -> Result<(), RenderError> {
    match op {
        Op::Line {
            x1,
            x2,
            y,
            width,
            gray,
        } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, PAGE_HEIGHT - y);
            path.line_to(*x2, PAGE_HEIGHT - y);
            let Some(path) = path.finish() else {
                return Ok(());
            };
            surface.start_tagged(ContentTag::Artifact(Artifact::new(
                ArtifactType::Layout,
                None,
            )));
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: luma::Color::new(shade(*gray)).into(),
                width: *width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
            surface.end_tagged();
        }
        Op::Text {
            x,
            baseline,
            face: style,
            size,
            gray,
            text,
            role,
        } => {
            let font = face(*style)?;
            let glyphs = glyphs(text, font);
            let tag = match role {
                Role::PageNumber => {
                    ContentTag::Artifact(Artifact::new(ArtifactType::PageNumber, None))
                }
                // The footer repeats on every page: content once, on the first page.
                Role::Footer(_) if !first_page => {
                    ContentTag::Artifact(Artifact::new(ArtifactType::Footer, None))
                }
                _ => ContentTag::Span(SpanTag::empty()),
            };
            let is_artifact = matches!(tag, ContentTag::Artifact(_));
            let id = surface.start_tagged(tag);
            surface.set_fill(Some(Fill {
                paint: luma::Color::new(shade(*gray)).into(),
                ..Fill::default()
            }));
            surface.draw_glyphs(
                Point::from_xy(*x, PAGE_HEIGHT - baseline),
                &glyphs,
                font.font.clone(),
                text,
                *size,
                false,
            );
            surface.end_tagged();
            if !is_artifact {
                tags.add(*role, id);
            }
        }
    }
    Ok(())
}

/// 0.0 (black) … 1.0 (white) as an 8-bit grey level.
fn shade(gray: f32) -> u8 {
    (gray.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// One glyph per character (the text is NFC and checked against the font in layout;
/// Latin, Greek and Cyrillic need no shaping beyond that), each mapped back to its
/// character for text extraction.
fn glyphs(text: &str, font: &super::fonts::FaceData) -> Vec<KrillaGlyph> {
    text.char_indices()
        .map(|(at, c)| {
            let metric = font.metric(c);
            KrillaGlyph {
                glyph_id: GlyphId::new(metric.map_or(0, |m| u32::from(m.id))),
                text_range: at..at + c.len_utf8(),
                x_advance: metric.map_or(0.0, |m| m.advance / 1000.0),
                x_offset: 0.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            }
        })
        .collect()
}

fn metadata(info: &Info, markup: &str) -> Metadata {
    let mut meta = Metadata::new()
        .creator("oots-adapter".to_owned())
        .producer("oots-adapter".to_owned())
        .creation_date(pdf_date(info.created))
        .document_id(document_id(info, markup));
    if let Some(title) = &info.title {
        meta = meta.title(title.clone());
    }
    if let Some(author) = &info.author {
        meta = meta.authors(vec![author.clone()]);
    }
    if let Some(language) = &info.language {
        meta = meta.language(language.clone());
    }
    meta
}

fn pdf_date(created: NaiveDateTime) -> DateTime {
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    DateTime::new(u16::try_from(created.year()).unwrap_or(0))
        .month(narrow(created.month()))
        .day(narrow(created.day()))
        .hour(narrow(created.hour()))
        .minute(narrow(created.minute()))
        .second(narrow(created.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Deterministic document identifier derived from the input (FNV-1a, two seeds): stable
/// bytes, yet different documents get different identifiers.
fn document_id(info: &Info, markup: &str) -> String {
    let mut id = String::with_capacity(32);
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
        id.push_str(&format!("{hash:016x}"));
    }
    id
}
