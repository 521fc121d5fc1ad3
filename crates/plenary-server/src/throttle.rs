//! What an attacker repeats, slowed down.
//!
//! - [`LoginThrottle`]: wrong access codes (and wrong operator tokens) are
//!   counted per source address, over the websocket and REST alike; past
//!   the allowance every login attempt from that address — a right code
//!   included — is refused until the allowance refills. Only failures
//!   count: a console reconnecting a thousand times is never slowed.
//!   Loopback is not exempt: a local attacker guesses as fast as any other.
//! - [`CommandLimiter`]: REST commands per access code, at the websocket's
//!   rate (`commands_per_second`, `command_burst`).
//!
//! Both are independent of `AppState`: callers pass the address or key.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Wrong codes allowed per address in a burst: a person mistyping is never
/// slowed, a script is. Constants rather than configuration: nobody has
/// needed to tune them, and a lower burst would lock out a hall of
/// consoles behind one NAT address after a code was revoked.
const BURST: u32 = 20;
/// Then one more wrong code every six seconds: ten a minute.
const REFILL: Duration = Duration::from_secs(6);
/// Forget addresses whose allowance is full again every so many failures.
const SHRINK_EVERY: u32 = 1024;

/// How long to wait before trying again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up, at least one: the `Retry-After` header.
    pub fn seconds(self) -> u64 {
        let whole = self.0.as_secs();
        let up = whole + u64::from(self.0.subsec_nanos() > 0);
        up.max(1)
    }
}

/// The per-address counter of failed logins.
pub struct LoginThrottle {
    failures: DefaultKeyedRateLimiter<IpAddr, StateInformationMiddleware>,
    /// Addresses that spent their allowance, and until when.
    blocked: Mutex<BTreeMap<IpAddr, Instant>>,
    recorded: AtomicU32,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("addresses", &self.failures.len())
            .finish_non_exhaustive()
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let quota = Quota::with_period(REFILL)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN));
        LoginThrottle {
            failures: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            blocked: Mutex::new(BTreeMap::new()),
            recorded: AtomicU32::new(0),
        }
    }
}

/// The unit an attacker controls: an IPv4 address, or an IPv6 /64 (one
/// host usually has a whole /64 to pick addresses from).
fn source(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(
                u128::from(v6) & 0xffff_ffff_ffff_ffff_0000_0000_0000_0000,
            )),
        },
    }
}

impl LoginThrottle {
    /// Whether `ip` may try a code now. Spends nothing: only
    /// [`LoginThrottle::record_failure`] does.
    pub fn check(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        let key = source(ip);
        let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
        match blocked.get(&key) {
            Some(until) => {
                let now = Instant::now();
                if *until > now {
                    Err(RetryAfter(*until - now))
                } else {
                    blocked.remove(&key);
                    Ok(())
                }
            }
            None => Ok(()),
        }
    }

    /// `ip` presented a wrong code (or operator token). The failure that
    /// spends the last of the allowance blocks the address until the next
    /// one refills.
    pub fn record_failure(&self, ip: IpAddr) {
        let key = source(ip);
        let wait = match self.failures.check_key(&key) {
            Ok(state) if state.remaining_burst_capacity() > 0 => None,
            Ok(_) => Some(REFILL),
            Err(not_until) => Some(not_until.wait_time_from(self.failures.clock().now())),
        };
        if let Some(wait) = wait {
            let until = Instant::now() + wait.max(Duration::from_millis(1));
            let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = blocked.entry(key).or_insert(until);
            *entry = (*entry).max(until);
        }
        if self.recorded.fetch_add(1, Ordering::Relaxed) % SHRINK_EVERY == SHRINK_EVERY - 1 {
            self.shrink();
        }
    }

    /// Forgets addresses whose allowance is full again and whose block is
    /// over (called every [`SHRINK_EVERY`] failures; callers may too).
    pub fn shrink(&self) {
        self.failures.retain_recent();
        self.failures.shrink_to_fit();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, until| *until > now);
    }
}

/// Commands per caller (an access code's id; a source address for a
/// caller without one), at the websocket's rate.
pub struct CommandLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
    checked: AtomicU32,
}

impl std::fmt::Debug for CommandLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandLimiter")
            .field("callers", &self.limiter.len())
            .finish_non_exhaustive()
    }
}

impl CommandLimiter {
    /// `per_second` commands a second after a burst of `burst` (zero is
    /// taken as one).
    pub fn new(per_second: u32, burst: u32) -> CommandLimiter {
        let quota = Quota::per_second(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        CommandLimiter {
            limiter: RateLimiter::keyed(quota),
            checked: AtomicU32::new(0),
        }
    }

    /// Spends one command of `caller`'s allowance, or says how long to wait.
    pub fn check(&self, caller: &str) -> Result<(), RetryAfter> {
        if self.checked.fetch_add(1, Ordering::Relaxed) % SHRINK_EVERY == SHRINK_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&caller.to_owned())
            .map_err(|not_until| RetryAfter(not_until.wait_time_from(self.limiter.clock().now())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_is_blocked_after_its_burst_of_failures_and_others_are_not() {
        let t = LoginThrottle::default();
        let attacker = ip("127.0.0.1");
        for n in 0..BURST {
            assert_eq!(t.check(attacker), Ok(()), "attempt {n}");
            t.record_failure(attacker);
        }
        let wait = t.check(attacker).unwrap_err();
        assert!(wait.0 <= REFILL && wait.seconds() >= 1, "{wait:?}");
        assert_eq!(t.check(ip("127.0.0.2")), Ok(()));
    }

    #[test]
    fn successes_spend_nothing() {
        let t = LoginThrottle::default();
        for _ in 0..10 * BURST {
            assert_eq!(t.check(ip("10.0.0.1")), Ok(()));
        }
    }

    #[test]
    fn an_ipv6_host_is_one_source_per_64() {
        let t = LoginThrottle::default();
        for n in 0..BURST {
            t.record_failure(ip(&format!("2001:db8:1:2::{n:x}")));
        }
        assert!(t.check(ip("2001:db8:1:2:ffff::1")).is_err());
        assert_eq!(t.check(ip("2001:db8:1:3::1")), Ok(()));
        assert_eq!(source(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
    }

    #[test]
    fn commands_are_limited_per_caller() {
        let l = CommandLimiter::new(1, 3);
        for _ in 0..3 {
            assert_eq!(l.check("a"), Ok(()));
        }
        assert!(l.check("a").is_err());
        assert_eq!(l.check("b"), Ok(()));
    }
}
