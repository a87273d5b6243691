//! A request rate limit per token (per client address for anonymous readers).
//!
//! Counted in each server process: behind a load balancer over N processes a
//! caller may get up to N times the limit. That bounds abuse without a shared
//! counter on every request's path.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::domain::Message;

/// Requests per minute a token may make by default.
pub const DEFAULT_PER_MINUTE: u32 = 600;

/// Forget idle callers every this many checks, so the table stays small.
const SWEEP_EVERY: u64 = 10_000;

/// The refusal of a caller over its rate, who may retry in `seconds`.
pub fn too_many(seconds: u64) -> Message {
    Message::new(
        format!("too many requests; retry in {seconds} s"),
        format!("请求过于频繁，请 {seconds} 秒后重试"),
    )
}

pub struct RateLimits {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    checks: AtomicU64,
}

impl RateLimits {
    /// `per_minute` requests a minute for each caller, in bursts of up to that
    /// many; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            limiter: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(wait)` when `caller` must wait before its next request.
    pub fn check(&self, caller: &str) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter.check_key(&caller.to_owned()).map_err(|not_until| {
            crate::telemetry::record_rate_limited();
            not_until.wait_time_from(DefaultClock::default().now())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_over_its_quota_must_wait_and_others_need_not() {
        let limits = RateLimits::new(2);
        assert!(limits.check("a").is_ok());
        assert!(limits.check("a").is_ok());
        assert!(limits.check("a").is_err());
        assert!(limits.check("b").is_ok());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limits = RateLimits::new(0);
        assert!((0..1000).all(|_| limits.check("a").is_ok()));
    }
}
