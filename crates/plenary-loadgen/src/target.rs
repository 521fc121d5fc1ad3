//! The systems under test: `plenary serve` with a fresh database, or the
//! floor binary. Both are spawned as their own processes so that their CPU
//! and memory can be read from `/proc` and never mix with the load
//! generator's.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

use crate::procstat::{self, ProcSample};
use crate::progress;

/// Which system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Service,
    Floor,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Floor => "floor",
        }
    }
}

/// What the scenarios need to know about a running target.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub kind: Kind,
    /// `ws://127.0.0.1:PORT/ws`
    pub url: String,
    /// The process to read CPU and memory from (none when in-process).
    pub pid: Option<u32>,
    /// The plenary meeting id.
    pub meeting: String,
    /// Access codes by role key (`chair`, `screen:hall-left`, `delegation:hn`…).
    pub codes: BTreeMap<String, String>,
    /// Delegation ids, in definition order.
    pub delegations: Vec<String>,
    /// Room screen ids.
    pub screens: Vec<String>,
}

impl Endpoint {
    pub fn code(&self, role: &str) -> anyhow::Result<String> {
        self.codes
            .get(role)
            .cloned()
            .with_context(|| format!("no access code for {role}"))
    }

    pub fn sample(&self) -> Option<ProcSample> {
        self.pid.and_then(|p| procstat::sample(p).ok())
    }
}

/// How to run `plenary serve`.
#[derive(Clone, Debug)]
pub struct ServiceSpec {
    pub plenary_bin: PathBuf,
    /// The reference meeting file.
    pub meeting_file: PathBuf,
    /// Delegations the meeting needs (extra ones are added when the
    /// reference has fewer).
    pub delegations: usize,
    /// An admin `postgres://…` URL: a fresh database is created on it.
    /// `None`: a fresh SQLite file.
    pub postgres_admin: Option<String>,
    pub outbound_queue: usize,
}

/// A spawned target; killed when dropped.
#[derive(Debug)]
pub struct Spawned {
    pub endpoint: Endpoint,
    child: Child,
    restart: Option<RestartInfo>,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

#[derive(Debug, Clone)]
struct RestartInfo {
    /// The plenary binary, or the floor's.
    bin: PathBuf,
    /// The service's configuration (none for the floor).
    config: Option<PathBuf>,
    log: PathBuf,
    addr: SocketAddr,
}

/// A free port on 127.0.0.1 (bound and released: a tiny race, fine for a
/// benchmark on one machine).
fn free_addr() -> anyhow::Result<SocketAddr> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

/// Polls `GET /healthz` (service) or a TCP connect (floor) until it answers.
async fn wait_listening(addr: SocketAddr, http: bool, child: &mut Child) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("the target exited at start with {status}");
        }
        if let Ok(mut s) = tokio::net::TcpStream::connect(addr).await {
            if !http {
                return Ok(());
            }
            let req = format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            if s.write_all(req.as_bytes()).await.is_ok() {
                let mut buf = Vec::new();
                let _read = s.read_to_end(&mut buf).await;
                if buf.starts_with(b"HTTP/1.1 200") {
                    return Ok(());
                }
            }
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("the target at {addr} did not start listening within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The reference meeting, with extra delegations appended when the storm
/// needs more than it has (TOML lets an array of tables continue later in
/// the file).
fn meeting_text(reference: &str, needed: usize, have: usize) -> String {
    let mut text = reference.to_owned();
    for i in have..needed {
        let n = i + 1;
        text.push_str(&format!(
            "\n[[delegations]]\nid = \"lg-{n:03}\"\nname = {{ es = \"Delegación {n:03}\", en = \"Delegation {n:03}\" }}\ncategory = \"member_state\"\nfloor_language = \"es\"\nseat = \"LG{n:03}\"\n"
        ));
    }
    text
}

fn ids_of(text: &str, table: &str) -> Vec<String> {
    // A light read of the file: the ids follow their table header.
    let header = format!("[[{table}]]");
    let mut ids = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == header;
            continue;
        }
        if inside
            && let Some(v) = line.strip_prefix("id = \"")
            && let Some(id) = v.strip_suffix('"')
        {
            ids.push(id.to_owned());
            inside = false;
        }
    }
    ids
}

fn meeting_id(text: &str) -> String {
    let mut in_meeting = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_meeting = line == "[meeting]";
            continue;
        }
        if in_meeting
            && let Some(v) = line.strip_prefix("id = \"")
            && let Some(id) = v.strip_suffix('"')
        {
            return id.to_owned();
        }
    }
    "san-pedro-sula-2017".to_owned()
}

impl Spawned {
    /// Starts `plenary serve` on a fresh database and issues the codes.
    pub async fn service(spec: &ServiceSpec) -> anyhow::Result<Spawned> {
        let dir = tempfile::tempdir()?;
        let reference = std::fs::read_to_string(&spec.meeting_file)
            .with_context(|| format!("cannot read {}", spec.meeting_file.display()))?;
        let have = ids_of(&reference, "delegations").len();
        let text = meeting_text(&reference, spec.delegations, have);
        let meeting_path = dir.path().join("meeting.toml");
        std::fs::write(&meeting_path, &text)?;
        let meeting = meeting_id(&text);
        let delegations = ids_of(&text, "delegations");
        let screens = ids_of(&text, "screens");

        let (database_url, postgres) = match &spec.postgres_admin {
            None => (
                format!("sqlite://{}", dir.path().join("plenary.db").display()),
                None,
            ),
            Some(admin) => {
                let name = format!("plenary_bench_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(admin)
                    .await
                    .context("cannot reach the PostgreSQL admin URL")?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut conn)
                    .await?;
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                (format!("{base}/{name}"), Some((admin.clone(), name)))
            }
        };
        let addr = free_addr()?;
        let config = dir.path().join("plenary.toml");
        // Rate limits far above the chair's burst; the outbound queue holds
        // a few seconds of a busy meeting.
        std::fs::write(
            &config,
            format!(
                "listen = \"{addr}\"\ndatabase_url = \"{database_url}\"\nmeetings = [\"{}\"]\n\
                 outbound_queue = {}\ncommands_per_second = 100000\ncommand_burst = 100000\n\
                 hello_timeout = \"30s\"\n",
                meeting_path.display(),
                spec.outbound_queue
            ),
        )?;
        let log = dir.path().join("server.log");
        let restart = RestartInfo {
            bin: spec.plenary_bin.clone(),
            config: Some(config.clone()),
            log,
            addr,
        };
        let mut child = spawn(&restart)?;
        wait_listening(addr, true, &mut child).await?;
        let mut roles = vec!["chair".to_owned(), "secretariat".to_owned()];
        roles.extend(screens.iter().map(|s| format!("screen:{s}")));
        roles.extend(
            delegations
                .iter()
                .take(spec.delegations.max(29))
                .map(|d| format!("delegation:{d}")),
        );
        let codes = issue_codes(&spec.plenary_bin, &config, &meeting, &roles).await?;
        let pid = child.id();
        Ok(Spawned {
            endpoint: Endpoint {
                kind: Kind::Service,
                url: format!("ws://{addr}/ws"),
                pid,
                meeting,
                codes,
                delegations,
                screens,
            },
            child,
            restart: Some(restart),
            postgres,
            _dir: dir,
        })
    }

    /// Starts the floor binary.
    pub async fn floor(floor_bin: &Path) -> anyhow::Result<Spawned> {
        let dir = tempfile::tempdir()?;
        let addr = free_addr()?;
        let restart = RestartInfo {
            bin: floor_bin.to_owned(),
            config: None,
            log: dir.path().join("floor.log"),
            addr,
        };
        let mut child = spawn(&restart)?;
        wait_listening(addr, false, &mut child).await?;
        let pid = child.id();
        Ok(Spawned {
            endpoint: Endpoint {
                kind: Kind::Floor,
                url: format!("ws://{addr}/ws"),
                pid,
                meeting: String::new(),
                codes: BTreeMap::new(),
                delegations: Vec::new(),
                screens: Vec::new(),
            },
            child,
            restart: Some(restart),
            postgres: None,
            _dir: dir,
        })
    }

    /// Stops the target (SIGTERM: the service closes every connection with
    /// 1001 and writes a last snapshot) and starts it again on the same
    /// database and port. Returns when it listens again, with the time it
    /// was away.
    pub async fn restart(&mut self) -> anyhow::Result<Duration> {
        let Some(info) = self.restart.clone() else {
            bail!("this target cannot be restarted");
        };
        let started = tokio::time::Instant::now();
        self.terminate().await?;
        let mut child = spawn(&info)?;
        wait_listening(info.addr, info.config.is_some(), &mut child).await?;
        self.endpoint.pid = child.id();
        self.child = child;
        Ok(started.elapsed())
    }

    /// SIGTERM, then wait (SIGKILL after 10 s).
    async fn terminate(&mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            // `kill` rather than libc: the workspace forbids `unsafe`.
            let _sent = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .await;
        }
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                progress("the target did not stop within 10 s: killing it");
                self.child.kill().await?;
            }
        }
        Ok(())
    }

    /// Stops the target and drops its PostgreSQL database.
    pub async fn finish(mut self) {
        let _stopped = self.terminate().await;
        if let Some((admin, name)) = &self.postgres
            && let Ok(mut conn) = sqlx::PgConnection::connect(admin).await
        {
            let _dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

fn spawn(info: &RestartInfo) -> anyhow::Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&info.log)?;
    let mut command = Command::new(&info.bin);
    match &info.config {
        Some(config) => {
            command.arg("serve").arg("--config").arg(config);
        }
        None => {
            command.arg("--listen").arg(info.addr.to_string());
        }
    }
    command
        // One log line per connection would cost the server more than the
        // fan-out being measured: warnings only.
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .with_context(|| {
            format!(
                "cannot start {} (build it with `cargo build --release -p plenary -p plenary-loadgen`)",
                info.bin.display()
            )
        })
}

/// `plenary access issue` per role, a few at a time.
async fn issue_codes(
    plenary_bin: &Path,
    config: &Path,
    meeting: &str,
    roles: &[String],
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut codes = BTreeMap::new();
    for chunk in roles.chunks(8) {
        let runs = chunk.iter().map(|role| async move {
            let out = Command::new(plenary_bin)
                .args(["access", "issue", "--config"])
                .arg(config)
                .args(["--meeting", meeting, "--role", role, "--label", "loadgen"])
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .output()
                .await?;
            if !out.status.success() {
                bail!(
                    "plenary access issue --role {role} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            let code = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            anyhow::Ok((role.clone(), code))
        });
        for r in futures_util::future::join_all(runs).await {
            let (role, code) = r?;
            codes.insert(role, code);
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_delegations_are_appended_and_found() {
        let reference = "[meeting]\nid = \"m\"\n\n[[delegations]]\nid = \"hn\"\nname = \"x\"\n\n[[screens]]\nid = \"s1\"\n";
        let text = meeting_text(reference, 3, 1);
        assert_eq!(meeting_id(&text), "m");
        assert_eq!(ids_of(&text, "delegations"), vec!["hn", "lg-002", "lg-003"]);
        assert_eq!(ids_of(&text, "screens"), vec!["s1"]);
    }
}
