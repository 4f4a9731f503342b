//! The generator's only source of randomness: SplitMix64, written out here rather than
//! taken from a crate so that a seed gives the same bytes for ever (a dependency upgrade
//! must never change a published data set), and weighted draws over it.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x0E17_DA7A_5EED_0001);
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An independent stream for one purpose (one request, one country's lists), so that
    /// a change in how many draws one part makes does not shift every later part.
    pub fn fork(&mut self, tag: u64) -> Rng {
        Rng::new(self.next_u64() ^ tag.wrapping_mul(0xD6E8_FEB8_6659_FD93))
    }

    /// Uniform in `0..n` (`n` > 0), without modulo bias worth speaking of.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + self.below((hi - lo + 1).max(1) as usize) as i32
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A roughly normal draw (sum of uniforms), for jitter.
    pub fn normalish(&mut self) -> f64 {
        (0..4).map(|_| self.unit()).sum::<f64>() - 2.0
    }
}

/// A discrete distribution: cumulative weights, drawn by binary search.
#[derive(Debug, Clone)]
pub struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    pub fn new(weights: &[f64]) -> Weighted {
        let mut total = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Weighted { cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c <= x);
        i.min(self.cumulative.len().saturating_sub(1))
    }
}

/// Zipf-like weights for a list written most frequent first: `1 / (rank + 1.5)^s`, each
/// jittered by up to about ±40 % (log scale) so that two seeds rank the names a little
/// differently, as two real populations would.
pub fn zipf(n: usize, s: f64, rng: &mut Rng) -> Vec<f64> {
    (0..n)
        .map(|i| (1.0 / (i as f64 + 1.5).powf(s)) * (0.2 * rng.normalish()).exp())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_stable() {
        // Guards the published data sets: these numbers must never change.
        let mut r = Rng(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn weighted_draws_follow_weights() {
        let w = Weighted::new(&[1.0, 0.0, 3.0]);
        let mut r = Rng::new(1);
        let mut counts = [0usize; 3];
        for _ in 0..4000 {
            counts[w.sample(&mut r)] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!(counts[2] > 2 * counts[0], "{counts:?}");
    }
}
