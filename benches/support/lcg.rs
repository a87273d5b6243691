//! The deterministic generator behind the benchmark portfolios
//! (`benches/goals.rs`, `examples/portfolio.rs`): a PCG-style LCG, so every
//! run builds the same rows.

use chrono::{Days, NaiveDate};

pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() as f64 / (1u64 << 53) as f64) < p
    }

    pub fn day(&mut self, from: NaiveDate, span_days: u64) -> NaiveDate {
        from + Days::new(self.below(span_days))
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}
