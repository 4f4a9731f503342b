//! The bundled fonts (DejaVu Sans and DejaVu Sans Bold, `fonts/`), parsed once per
//! process: glyph ids and advances for layout, and the `krilla` fonts the writer embeds
//! (subsetted) into each PDF.
//!
//! Why DejaVu Sans: one free family that covers every script of the EU's official
//! languages (Latin with all diacritics, Greek, Cyrillic) in regular and bold, so a
//! registry renders its evidence in its own script with no system fonts.

use std::collections::HashMap;
use std::sync::OnceLock;

use krilla::text::Font;
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

use crate::error::RenderError;

static REGULAR_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// Code points below this are looked up in a flat table (Latin, Greek, Cyrillic and
/// the punctuation blocks); the rest in a map.
const DENSE: usize = 0x2200;

/// A font style of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Face {
    Regular,
    Bold,
}

/// A glyph of the font: id and advance in thousandths of the font size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Metric {
    pub(super) id: u16,
    pub(super) advance: f32,
}

/// One parsed font: the character map with advances, and the font to embed.
pub(super) struct FaceData {
    dense: Vec<Option<Metric>>,
    sparse: HashMap<char, Metric>,
    pub(super) font: Font,
}

impl FaceData {
    fn load(bytes: &'static [u8], name: &str) -> Result<Self, String> {
        let parsed = FontRef::new(bytes).map_err(|e| format!("bundled font {name}: {e}"))?;
        let units = parsed
            .head()
            .map_err(|e| format!("bundled font {name}: {e}"))?
            .units_per_em();
        let scale = 1000.0 / f32::from(units.max(1));
        let metrics = parsed.glyph_metrics(Size::unscaled(), LocationRef::default());
        let mut dense = vec![None; DENSE];
        let mut sparse = HashMap::new();
        for (code, gid) in parsed.charmap().mappings() {
            let (Some(c), Ok(id)) = (char::from_u32(code), u16::try_from(gid.to_u32())) else {
                continue;
            };
            if id == 0 {
                continue;
            }
            let advance = metrics.advance_width(gid).unwrap_or(0.0) * scale;
            let metric = Metric { id, advance };
            match dense.get_mut(c as usize) {
                Some(slot) => *slot = Some(metric),
                None => {
                    sparse.insert(c, metric);
                }
            }
        }
        let font = Font::new(bytes.into(), 0).ok_or_else(|| format!("bundled font {name}"))?;
        Ok(Self {
            dense,
            sparse,
            font,
        })
    }

    /// The glyph of `c`, if the font has one.
    pub(super) fn metric(&self, c: char) -> Option<Metric> {
        match self.dense.get(c as usize) {
            Some(slot) => *slot,
            None => self.sparse.get(&c).copied(),
        }
    }

    /// Width of `text` at `size` points; characters the font lacks count as nothing
    /// (text is checked with [`check`] before layout).
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .filter_map(|c| self.metric(c))
            .map(|m| m.advance)
            .sum::<f32>()
            * size
            / 1000.0
    }
}

struct Fonts {
    regular: FaceData,
    bold: FaceData,
}

static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();

/// The parsed font of `face` (parsed on first use).
pub(super) fn face(face: Face) -> Result<&'static FaceData, RenderError> {
    let fonts = FONTS.get_or_init(|| {
        Ok(Fonts {
            regular: FaceData::load(REGULAR_TTF, "DejaVuSans.ttf")?,
            bold: FaceData::load(BOLD_TTF, "DejaVuSans-Bold.ttf")?,
        })
    });
    match fonts {
        Ok(f) => Ok(match face {
            Face::Regular => &f.regular,
            Face::Bold => &f.bold,
        }),
        Err(detail) => Err(RenderError::Pdf {
            detail: detail.clone(),
        }),
    }
}

/// Refuses text with a character the bundled fonts cannot draw, naming it: the PDF
/// never shows a blank box (`.notdef`) or a stand-in in place of a real character.
pub(super) fn check(text: &str) -> Result<(), RenderError> {
    let regular = face(Face::Regular)?;
    let bold = face(Face::Bold)?;
    for c in text.chars() {
        if regular.metric(c).is_none() || bold.metric(c).is_none() {
            return Err(RenderError::Pdf {
                detail: format!(
                    "character `{}` (U+{:04X}) is not in the bundled fonts (DejaVu Sans: Latin, Greek, Cyrillic)",
                    c.escape_debug(),
                    u32::from(c)
                ),
            });
        }
    }
    Ok(())
}
