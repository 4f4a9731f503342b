//! Combining the segments of a string into its spellings: the plain fold, each consistent
//! convention, then breadth-first the mixes, bounded in number and in work.

use super::MAX_TRANSLITERATIONS;
use super::spelling::{CONVENTIONS, Choice, Segment};

/// Most combinations tried before giving up: bounds the work when the alternatives happen to
/// collapse into spellings already produced.
const MAX_ATTEMPTS: usize = MAX_TRANSLITERATIONS * 8;

/// Spells out the combinations: plain fold, the other consistent conventions, then
/// breadth-first by number of letters deviating from the plain fold, stopping at `cap`
/// spellings (or [`MAX_ATTEMPTS`] tries).
pub(super) fn combine(segments: &[Segment], cap: usize) -> Vec<String> {
    let choices: Vec<Choice> = segments
        .iter()
        .filter_map(|s| match s {
            Segment::Choice(c) => Some(*c),
            Segment::Text(_) => None,
        })
        .collect();
    let mut acc = Accumulator {
        segments,
        out: Vec::new(),
        attempts: 0,
        cap,
    };
    let mut picks = vec![0usize; choices.len()];
    acc.try_picks(&picks);
    // Conventions that agree on every letter (all of them for Latin letters) are spelled
    // out once.
    let mut tried: Vec<Vec<usize>> = vec![picks.clone()];
    for k in 0..CONVENTIONS {
        let convention: Vec<usize> = choices.iter().map(|c| usize::from(c.conv[k])).collect();
        if !tried.contains(&convention) {
            acc.try_picks(&convention);
            tried.push(convention);
        }
    }
    for level in 1..=choices.len() {
        if !acc.room() || !enumerate(&choices, level, 0, &mut picks, &mut acc) {
            break;
        }
    }
    acc.out
}

/// Tries every pick vector with exactly `level` non-plain choices at positions ≥ `from`.
/// Returns false once the accumulator is full.
fn enumerate(
    choices: &[Choice],
    level: usize,
    from: usize,
    picks: &mut [usize],
    acc: &mut Accumulator<'_>,
) -> bool {
    if level == 0 {
        acc.try_picks(picks);
        return acc.room();
    }
    // Leave enough positions for the remaining deviations.
    for pos in from..=choices.len().saturating_sub(level) {
        for opt in 1..choices[pos].opts.len() {
            picks[pos] = opt;
            let go_on = enumerate(choices, level - 1, pos + 1, picks, acc);
            picks[pos] = 0;
            if !go_on {
                return false;
            }
        }
    }
    true
}

/// Collects distinct spellings up to the cap and counts the work spent.
struct Accumulator<'a> {
    segments: &'a [Segment],
    out: Vec<String>,
    attempts: usize,
    cap: usize,
}

impl Accumulator<'_> {
    fn room(&self) -> bool {
        self.out.len() < self.cap && self.attempts < MAX_ATTEMPTS
    }

    fn try_picks(&mut self, picks: &[usize]) {
        if !self.room() {
            return;
        }
        self.attempts += 1;
        let s = self.render(picks);
        if !s.is_empty() && !self.out.contains(&s) {
            self.out.push(s);
        }
    }

    /// The string for one pick per choice, whitespace collapsed and trimmed.
    fn render(&self, picks: &[usize]) -> String {
        let mut s = String::new();
        let mut k = 0;
        let mut space = false;
        let mut push = |s: &mut String, part: &str| {
            for c in part.chars() {
                if c == ' ' {
                    space = true;
                } else {
                    if space && !s.is_empty() {
                        s.push(' ');
                    }
                    space = false;
                    s.push(c);
                }
            }
        };
        for seg in self.segments {
            match seg {
                Segment::Text(t) => push(&mut s, t),
                Segment::Choice(c) => {
                    let pick = picks.get(k).copied().unwrap_or(0);
                    push(&mut s, c.opts.get(pick).copied().unwrap_or(""));
                    k += 1;
                }
            }
        }
        s
    }
}
