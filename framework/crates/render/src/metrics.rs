//! Glyph advance widths of the PDF standard-14 fonts Helvetica and Helvetica-Bold for
//! the bytes of `WinAnsiEncoding`, in 1/1000 em (the AFM `WX` values).
//!
//! Why a table: standard-14 fonts are not embedded, so the writer must know their
//! metrics to wrap lines and to declare `/Widths` consistently with every viewer.

use super::encoding::{EXTENDED, EXTENDED_FIRST, Glyph, Plane};

/// The two faces the PDF rendition uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// `Helvetica` (regular).
    Regular,
    /// `Helvetica-Bold`.
    Bold,
}

impl Face {
    /// The PostScript name of the standard-14 font.
    pub fn base_font(self) -> &'static str {
        match self {
            Face::Regular => "Helvetica",
            Face::Bold => "Helvetica-Bold",
        }
    }

    /// Advance width of one WinAnsi byte, in 1/1000 em (0 for undefined codes).
    pub fn width(self, byte: u8) -> u16 {
        let table = match self {
            Face::Regular => &HELVETICA,
            Face::Bold => &HELVETICA_BOLD,
        };
        match byte {
            32..=255 => table[usize::from(byte - 32)],
            _ => 0,
        }
    }

    /// Advance width of an encoded glyph of either plane, in 1/1000 em.
    pub fn glyph_width(self, glyph: Glyph) -> u16 {
        match glyph.plane {
            Plane::WinAnsi => self.width(glyph.code),
            Plane::Extended => glyph
                .code
                .checked_sub(EXTENDED_FIRST)
                .and_then(|i| EXTENDED.get(usize::from(i)))
                .map_or(0, |&(_, _, regular, bold)| match self {
                    Face::Regular => regular,
                    Face::Bold => bold,
                }),
        }
    }

    /// Width of a run of glyphs in points at `size`.
    pub fn text_width(self, glyphs: &[Glyph], size: f32) -> f32 {
        let units: u32 = glyphs.iter().map(|&g| u32::from(self.glyph_width(g))).sum();
        units as f32 * size / 1000.0
    }
}

/// First code covered by the width tables (`/FirstChar`).
pub const FIRST_CHAR: u8 = 32;
/// Last code covered by the width tables (`/LastChar`).
pub const LAST_CHAR: u8 = 255;

/// Helvetica, codes 32..=255 of WinAnsiEncoding (undefined codes 127, 129, 141, 143,
/// 144, 157 are 0; the encoder never produces them).
#[rustfmt::skip]
pub const HELVETICA: [u16; 224] = [
    // 32..=47:  space ! " # $ % & ' ( ) * + , - . /
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    // 48..=63:  0-9 : ; < = > ?
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    // 64..=79:  @ A-O
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    // 80..=95:  P-Z [ \ ] ^ _
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    // 96..=111: ` a-o
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    // 112..=127: p-z { | } ~ (127 undefined)
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
    // 128..=143: Euro - quotesinglbase florin quotedblbase ellipsis dagger daggerdbl
    //            circumflex perthousand Scaron guilsinglleft OE - Zcaron -
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    // 144..=159: - quoteleft quoteright quotedblleft quotedblright bullet endash emdash
    //            tilde trademark scaron guilsinglright oe - zcaron Ydieresis
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    // 160..=175: nbsp exclamdown cent sterling currency yen brokenbar section
    //            dieresis copyright ordfeminine guillemotleft logicalnot hyphen registered macron
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    // 176..=191: degree plusminus twosuperior threesuperior acute mu paragraph periodcentered
    //            cedilla onesuperior ordmasculine guillemotright onequarter onehalf threequarters questiondown
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    // 192..=207: Agrave..Aring AE Ccedilla Egrave..Edieresis Igrave..Idieresis
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    // 208..=223: Eth Ntilde Ograve..Odieresis multiply Oslash Ugrave..Udieresis Yacute Thorn germandbls
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    // 224..=239: agrave..aring ae ccedilla egrave..edieresis igrave..idieresis
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    // 240..=255: eth ntilde ograve..odieresis divide oslash ugrave..udieresis yacute thorn ydieresis
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Helvetica-Bold, codes 32..=255 of WinAnsiEncoding (same layout as [`HELVETICA`]).
#[rustfmt::skip]
pub const HELVETICA_BOLD: [u16; 224] = [
    // 32..=47
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    // 48..=63
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    // 64..=79
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    // 80..=95
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    // 96..=111
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    // 112..=127
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
    // 128..=143
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    // 144..=159
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
    // 160..=175
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    // 176..=191
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    // 192..=207
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    // 208..=223
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    // 224..=239
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    // 240..=255
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_widths() {
        assert_eq!(Face::Regular.width(b' '), 278);
        assert_eq!(Face::Regular.width(b'W'), 944);
        assert_eq!(Face::Regular.width(b'i'), 222);
        assert_eq!(Face::Bold.width(b'i'), 278);
        assert_eq!(Face::Bold.width(b'm'), 889);
        assert_eq!(Face::Regular.width(0xE9), 556); // eacute
        assert_eq!(Face::Regular.width(0x80), 556); // Euro
        assert_eq!(Face::Regular.width(10), 0);
        let lslash = crate::encoding::encode("ł").glyphs[0];
        assert_eq!(Face::Regular.glyph_width(lslash), 222);
        assert_eq!(Face::Bold.glyph_width(lslash), 278);
        let w = Face::Regular.text_width(&crate::encoding::encode("Hello").glyphs, 10.0);
        assert!((w - 22.78).abs() < 0.001, "{w}");
    }
}
