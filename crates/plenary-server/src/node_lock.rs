//! One node per SQLite file. SQLite is the embedded, single-node store: two
//! `plenary serve` (or `demo`) processes on one file would each decide
//! commands on their own copy of a meeting and interleave their sequence
//! numbers. A node holds an exclusive lock on `<file>.node-lock` for as
//! long as it runs (the kernel drops it when the process dies, even by
//! `kill -9`), and writes who it is into the file so the second node's
//! refusal can name the holder. The CLI's own commands (codes, export) do
//! not take it: they only write what every node reads from the store.
//! PostgreSQL runs several nodes and takes no such lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Held for as long as the node runs.
#[derive(Debug)]
pub struct NodeLock {
    _file: File,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum NodeLockError {
    #[error(
        "node_lock_held: {database} is already served by another plenary node ({holder}); a SQLite file runs one node: stop that one, or run several nodes on PostgreSQL (docs/deployment.md)"
    )]
    Held { database: String, holder: String },
    #[error("node_lock_io: cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The SQLite file a database URL names; `None` for PostgreSQL and for an
/// in-memory database.
pub fn sqlite_file(database_url: &str) -> Option<&Path> {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && path != ":memory:").then(|| Path::new(path))
}

/// Takes the node lock of `database_url`'s SQLite file, recording `who`
/// (for example "pid 4242 on hall-pc, listening on 0.0.0.0:8080"); `None`
/// for a database that needs none.
pub fn acquire(database_url: &str, who: &str) -> Result<Option<NodeLock>, NodeLockError> {
    let Some(database) = sqlite_file(database_url) else {
        return Ok(None);
    };
    let path = PathBuf::from(format!("{}.node-lock", database.display()));
    let io = |source| NodeLockError::Io {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            // The holder wrote itself in; an unreadable file still refuses.
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(NodeLockError::Held {
                database: database.display().to_string(),
                holder: if holder.is_empty() {
                    "it did not say who it is".to_owned()
                } else {
                    holder.to_owned()
                },
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{who}").map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(Some(NodeLock { _file: file, path }))
}

/// "pid N on HOST, listening on ADDR, since TIME": what a node writes into
/// its lock.
pub fn describe_this_node(listen: std::net::SocketAddr, since: std::time::SystemTime) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "this machine".to_owned());
    format!(
        "pid {} on {host}, listening on {listen}, since {}",
        std::process::id(),
        humantime::format_rfc3339_seconds(since)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlite_files_are_locked() {
        assert_eq!(
            sqlite_file("sqlite://data/plenary.db?mode=rwc"),
            Some(Path::new("data/plenary.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://postgres@127.0.0.1/test"), None);
    }

    #[test]
    fn a_second_lock_on_the_same_file_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let url = format!("sqlite://{}/plenary.db", dir.path().display());
        let first = acquire(&url, "pid 1 on hall-pc").unwrap_or_else(|e| panic!("{e}"));
        assert!(first.is_some());
        let e = acquire(&url, "pid 2")
            .err()
            .unwrap_or_else(|| panic!("refused"));
        let text = e.to_string();
        assert!(text.starts_with("node_lock_held: "), "{text}");
        assert!(text.contains("plenary.db"), "{text}");
        assert!(text.contains("pid 1 on hall-pc"), "{text}");
        drop(first);
        // Released with its holder.
        assert!(matches!(acquire(&url, "pid 3"), Ok(Some(_))));
    }
}
