//! The one error type of the store, and the redaction that keeps passwords
//! out of it.

use plenary_core::ids::MeetingId;
use sqlx::migrate::MigrateError;

use crate::Backend;

/// Everything that can go wrong in the store. The variants a caller acts
/// on (a conflict, a duplicate, an unknown meeting) are their own variants;
/// the rest is infrastructure, logged and answered with a 5xx.
///
/// No variant's `Display` contains a password: URLs are redacted first.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer stored this seq first (or the batch holds it twice).
    /// The whole batch was rolled back: reload the meeting and decide again.
    #[error("meeting {meeting}: event {seq} is already stored")]
    Conflict { meeting: MeetingId, seq: u64 },

    /// A result is already stored for this command id: the command was
    /// applied before, its retry must be answered from
    /// [`crate::Store::command_result`]. The batch was rolled back.
    #[error("meeting {meeting}: command {command_id} already has a result")]
    DuplicateCommand {
        meeting: MeetingId,
        command_id: String,
    },

    /// Another access code has the same hash, i.e. the same code.
    #[error("an access code with this hash already exists")]
    DuplicateAccessCode,

    /// The meeting has no event yet, so nothing can be filed under it.
    #[error("meeting {meeting} does not exist: none of its events is stored")]
    UnknownMeeting { meeting: MeetingId },

    /// An access-code hash that is not 64 hex digits, most likely a code
    /// passed where its hash was meant: refused so it is never stored.
    #[error("expected the hex SHA-256 of an access code (64 hex digits)")]
    NotAHash,

    /// The URL names no backend this store has.
    #[error("unsupported database URL {url}: expected sqlite://PATH or postgres://…")]
    UnsupportedUrl { url: String },

    /// The database could not be opened or reached. `url` is redacted.
    /// The source is a [`sqlx::Error`], or an [`std::io::Error`] when the
    /// SQLite file's directory cannot be created.
    #[error("cannot open the {backend} database at {url}: {source}")]
    Open {
        backend: Backend,
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error("migrating the {backend} database failed: {source}")]
    Migrate {
        backend: Backend,
        #[source]
        source: MigrateError,
    },

    /// The writer's lease of this meeting was taken over: its epoch is no
    /// longer the meeting's. Nothing was written; the node must step down.
    #[error("meeting {meeting}: deposed writer (epoch {epoch}, the lease is at {current})")]
    Deposed {
        meeting: MeetingId,
        epoch: u64,
        current: u64,
    },

    /// A multi-node operation (the command inbox) on SQLite, where one
    /// node runs every meeting.
    #[error("SQLite runs a single node: there is no other node to forward to")]
    SingleNode,

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    /// The database did not answer in time. For a write, the outcome is
    /// unknown: it may have been committed. The connection was discarded.
    #[error("the database did not answer within {} ms", .after.as_millis())]
    Timeout { after: std::time::Duration },

    /// A stored row that does not decode: written by something else, or by
    /// a newer version of this code.
    #[error("corrupt row in {table} ({key}): {reason}")]
    Corrupt {
        table: &'static str,
        key: String,
        reason: String,
    },

    /// A number that does not fit the database's signed 64-bit integers.
    #[error("{field} = {value} is out of range for the database")]
    OutOfRange { field: &'static str, value: u64 },
}

/// `url` with any password replaced by `***`, both in the user-info part
/// (`postgres://user:secret@host`) and in a `password=` query parameter.
pub fn redact_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let (before_query, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    match before_query.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            out.push_str(scheme);
            out.push_str("://");
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    match userinfo.split_once(':') {
                        Some((user, _password)) => {
                            out.push_str(user);
                            out.push_str(":***");
                        }
                        None => out.push_str(userinfo),
                    }
                    out.push('@');
                    out.push_str(host);
                }
                None => out.push_str(authority),
            }
            out.push_str(path);
        }
        None => out.push_str(before_query),
    }
    if let Some(query) = query {
        out.push('?');
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => param.to_owned(),
            })
            .collect();
        out.push_str(&params.join("&"));
    }
    out
}

/// Maps a foreign-key violation on `meeting` to [`StoreError::UnknownMeeting`].
pub(crate) fn on_meeting(meeting: &MeetingId) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::UnknownMeeting {
            meeting: meeting.clone(),
        },
        _ => StoreError::Database(e),
    }
}

impl StoreError {
    /// Whether a failed write certainly left nothing behind: it never got
    /// a connection, or the database itself answered with a refusal (at a
    /// statement or at `COMMIT`). Otherwise — the connection broke or the
    /// answer did not come in time — the commit may have happened and only
    /// the log can tell.
    pub fn nothing_written(&self) -> bool {
        match self {
            StoreError::Conflict { .. }
            | StoreError::DuplicateCommand { .. }
            | StoreError::DuplicateAccessCode
            | StoreError::UnknownMeeting { .. }
            | StoreError::NotAHash
            | StoreError::UnsupportedUrl { .. }
            | StoreError::OutOfRange { .. }
            | StoreError::Corrupt { .. }
            | StoreError::Deposed { .. }
            | StoreError::SingleNode => true,
            StoreError::Database(e) => matches!(
                e,
                sqlx::Error::PoolClosed
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::Database(_)
                    | sqlx::Error::Encode(_)
                    | sqlx::Error::Configuration(_)
            ),
            StoreError::Open { .. } | StoreError::Migrate { .. } | StoreError::Timeout { .. } => {
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://plenary:s3cret@db.example:5432/plenary?sslmode=require"),
            "postgres://plenary:***@db.example:5432/plenary?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://u:p@ss:w@rd@host/db"),
            "postgres://u:***@host/db"
        );
        assert_eq!(
            redact_url("postgresql://host/db?user=u&password=s3cret&x=1"),
            "postgresql://host/db?user=u&password=***&x=1"
        );
    }

    #[test]
    fn urls_without_passwords_are_unchanged() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgres://127.0.0.1/test",
            "sqlite://data/plenary.db",
            "sqlite:///var/lib/plenary/plenary.db?mode=rwc",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }
}
