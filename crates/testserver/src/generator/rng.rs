//! The seeded random numbers every generated value is drawn from.

/// Small deterministic PRNG (splitmix64).
#[derive(Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from several values.
    pub fn from(parts: &[u64]) -> Rng {
        let mut h = 0x9E37_79B9_7F4A_7C15u64;
        for p in parts {
            h = mix(h ^ p.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        }
        Rng(h)
    }

    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `lo..hi` (returns `lo` when the range is empty).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next() % (hi - lo) as u64) as i64
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    /// 32 lowercase hex digits (a .NET `Guid.ToString("N")`).
    pub fn guid_hex(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
