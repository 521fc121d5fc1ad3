//! The limits that bind a load test on one machine: open files per process
//! and ephemeral ports per source address.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};

use rlimit::Resource;

/// The open-file limit before and after raising it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nofile {
    pub soft_before: u64,
    pub soft: u64,
    pub hard: u64,
}

impl Nofile {
    /// Connections this process can hold, keeping `reserve` descriptors for
    /// everything else (the runtime, files, the server's pipes).
    pub fn connections(&self, reserve: u64) -> u64 {
        self.soft.saturating_sub(reserve)
    }
}

/// Raises the soft open-file limit to the hard one (as far as allowed; the
/// hard limit cannot be raised without privileges, and on this kind of
/// machine not even with them). The spawned server inherits it.
pub fn raise_nofile() -> std::io::Result<Nofile> {
    let (soft_before, hard) = Resource::NOFILE.get()?;
    let soft = if soft_before < hard {
        rlimit::increase_nofile_limit(hard)?
    } else {
        soft_before
    };
    Ok(Nofile {
        soft_before,
        soft,
        hard,
    })
}

/// Ephemeral ports per source address (`ip_local_port_range`).
pub fn ephemeral_ports() -> u64 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|n| n.parse::<u64>());
            match (it.next(), it.next()) {
                (Some(Ok(lo)), Some(Ok(hi))) if hi >= lo => Some(hi - lo + 1),
                _ => None,
            }
        })
        .unwrap_or(28_232)
}

/// Connections made from one source address before the next is used. Far
/// below the port range on purpose: a closed connection keeps its port in
/// TIME_WAIT for a minute, and the rounds of a run follow each other faster.
pub const PER_ADDRESS: u64 = 8_000;

static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

/// The source address for the next connection: 127.0.0.2, .3, … in turn,
/// [`PER_ADDRESS`] connections each (reconnections count), so that no
/// address runs out of ephemeral ports. The whole of 127.0.0.0/8 is local.
pub fn next_source_addr() -> IpAddr {
    let n = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    let host = 2 + (n / PER_ADDRESS) % 250;
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, host as u8))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn raising_never_lowers() {
        let n = raise_nofile().unwrap();
        assert!(n.soft >= n.soft_before);
        assert!(n.soft <= n.hard);
        assert!(ephemeral_ports() > 1000);
        assert!(next_source_addr().is_loopback());
    }
}
