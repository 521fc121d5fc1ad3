//! CPU time and resident memory of a process, from `/proc/<pid>`: the
//! server's cost is read from outside, the same way for the service and
//! the floor.

use std::io;

/// One reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcSample {
    /// User plus system CPU time of all threads, in nanoseconds
    /// (resolution: one clock tick, 10 ms).
    pub cpu_ns: u64,
    /// Resident set size (VmRSS), in KiB.
    pub rss_kib: u64,
}

/// Clock ticks per second as `/proc/<pid>/stat` counts them. Linux has
/// reported 100 (USER_HZ) to user space on every architecture for decades;
/// reading it with sysconf would need `unsafe`.
const TICKS_PER_SECOND: u64 = 100;

pub fn sample(pid: u32) -> io::Result<ProcSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    Ok(ProcSample {
        cpu_ns: cpu_ticks(&stat).ok_or_else(|| bad("stat"))? * (1_000_000_000 / TICKS_PER_SECOND),
        rss_kib: rss_kib(&status).ok_or_else(|| bad("status"))?,
    })
}

fn bad(file: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("unreadable /proc {file}"),
    )
}

/// utime + stime: fields 14 and 15, counted after the command name, which
/// is in parentheses and may itself contain spaces.
fn cpu_ticks(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // `after` starts at field 3 (state).
    let utime: u64 = fields.get(14 - 3)?.parse().ok()?;
    let stime: u64 = fields.get(15 - 3)?.parse().ok()?;
    Some(utime + stime)
}

fn rss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// The soft open-file limit of a process, from `/proc/<pid>/limits`.
pub fn max_open_files(pid: u32) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_this_process() {
        let s = sample(std::process::id()).unwrap();
        assert!(s.rss_kib > 0);
        assert!(max_open_files(std::process::id()).unwrap() > 0);
    }

    #[test]
    fn a_command_name_with_spaces_and_parentheses() {
        let stat = "42 (tokio (worker) 1) S 1 42 42 0 -1 4194560 100 0 0 0 7 5 0 0 20 0";
        assert_eq!(cpu_ticks(stat), Some(12));
    }
}
