//! Cutting a string into segments: runs of text with one spelling, and the letters (or Greek
//! digraphs) with several, each spelled by the table of its script.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::cyrillic::{CyrillicFlags, cyrillic, is_cyrillic};
use super::greek::{greek, is_greek};
use super::latin::latin;
use super::spelling::{Segment, Spelling};

/// Builds the segment list of `s`, merging adjacent fixed text.
pub(super) fn segment(s: &str) -> Vec<Segment> {
    let chars: Vec<char> = if s.is_ascii() {
        s.chars().map(|c| c.to_ascii_lowercase()).collect()
    } else {
        s.nfkc()
            .flat_map(char::to_lowercase)
            .filter(|c| !is_combining_mark(*c))
            .collect()
    };
    let flags = CyrillicFlags::detect(&chars);
    let mut out = Builder::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii() {
            out.ascii(c);
            i += 1;
        } else if let Some(sp) = latin(c) {
            out.spelling(sp);
            i += 1;
        } else if is_cyrillic(c) {
            let (sp, used) = cyrillic(&chars, i, flags);
            out.spelling(sp);
            i += used;
        } else if is_greek(c) {
            let (sp, used) = greek(&chars, i);
            for p in sp {
                out.spelling(p);
            }
            i += used;
        } else {
            out.fallback(c);
            i += 1;
        }
    }
    out.finish()
}

/// Accumulates segments, folding whitespace to single spaces as it goes.
#[derive(Default)]
struct Builder {
    segments: Vec<Segment>,
    text: String,
}

impl Builder {
    fn ascii(&mut self, c: char) {
        if c.is_ascii_whitespace() || c.is_ascii_control() {
            self.text.push(' ');
        } else {
            self.text.push(c.to_ascii_lowercase());
        }
    }

    fn str(&mut self, s: &str) {
        for c in s.chars() {
            self.ascii(c);
        }
    }

    fn spelling(&mut self, sp: Spelling) {
        match sp {
            Spelling::Fixed(s) => self.str(s),
            Spelling::Choice(c) => {
                if !self.text.is_empty() {
                    self.segments
                        .push(Segment::Text(std::mem::take(&mut self.text)));
                }
                self.segments.push(Segment::Choice(c));
            }
        }
    }

    /// Letters without a table entry: strip diacritics, then let `deunicode` spell what is
    /// still not ASCII. Unknown signs become a space so they never glue words together.
    fn fallback(&mut self, c: char) {
        if c.is_whitespace() || c.is_control() {
            self.text.push(' ');
            return;
        }
        let mut parts = [None; 4];
        let mut n = 0;
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) && n < parts.len() {
                parts[n] = Some(d);
                n += 1;
            }
        });
        for d in parts.into_iter().flatten() {
            if d.is_ascii() {
                self.ascii(d);
            } else if let Some(sp) = latin(d) {
                self.spelling(sp);
            } else {
                match deunicode::deunicode_char(d) {
                    Some(s) if !s.is_empty() => self.str(s),
                    _ => self.text.push(' '),
                }
            }
        }
    }

    fn finish(mut self) -> Vec<Segment> {
        if !self.text.is_empty() {
            self.segments.push(Segment::Text(self.text));
        }
        self.segments
    }
}
