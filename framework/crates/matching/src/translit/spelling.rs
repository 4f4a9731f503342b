//! What a letter spells to: fixed text, or a choice between spellings that knows which one
//! each consistent convention writes. Shared by the forward tables (Latin, Cyrillic, Greek),
//! the reverse choices of blocking, and the combination of both into spellings.

/// One piece of the spelled-out string: text with a single spelling, or a letter (or Greek
/// digraph) with alternatives.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Segment {
    Text(String),
    Choice(Choice),
}

/// How many consistent conventions besides the plain fold a choice records: Latin letters
/// have one (ICAO's expansion, repeated), Cyrillic two (popular, Bulgarian), Greek three
/// (popular, classical, BGN/PCGN); the reverse choices of [`native_plain_folds`](super::native_plain_folds) four.
pub(super) const CONVENTIONS: usize = 4;

/// Alternatives for one letter. `opts[0]` is the plain fold; `opts[conv[k]]` the spelling
/// of consistent convention `k` (ICAO expansion of umlauts, popular or Bulgarian Cyrillic,
/// popular, classical or BGN Greek, …). The other options only appear in mixes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Choice {
    pub(super) opts: &'static [&'static str],
    pub(super) conv: [u8; CONVENTIONS],
}

/// What one letter spells to.
pub(super) enum Spelling {
    Fixed(&'static str),
    Choice(Choice),
}

/// Choice whose other conventions all write `opts[1]`.
pub(super) const fn ch(opts: &'static [&'static str]) -> Spelling {
    conv(opts, [1; 3])
}

/// Choice where only the plain fold is a consistent convention; the rest are variants.
pub(super) const fn extra(opts: &'static [&'static str]) -> Spelling {
    conv(opts, [0; 3])
}

/// Choice with the option each convention writes (Cyrillic: popular, Bulgarian, popular;
/// Greek: popular, classical, BGN/PCGN).
pub(super) const fn conv(opts: &'static [&'static str], [a, b, c]: [u8; 3]) -> Spelling {
    Spelling::Choice(Choice {
        opts,
        conv: [a, b, c, a],
    })
}
