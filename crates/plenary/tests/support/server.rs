//! The real `plenary serve` as a child process: its configuration, its
//! readiness, signals, and its log, printed when a test fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_plenary");

/// The longest statement or commit the service waits for (`database_timeout`).
pub(crate) const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a blocked websocket write may take (`write_timeout`).
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a client may take to send a request's headers.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(1);
/// How long the meeting may take to accept commands again after a fault.
pub(crate) const RECOVERY: Duration = Duration::from_secs(5);

pub(crate) fn reference_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/meetings/san-pedro-sula-2017.toml")
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Writes `dir/plenary.toml`: the reference meeting, the fault-handling
/// keys at the values the scenarios assume, rate limits out of the way,
/// and `extra` lines.
pub(crate) fn write_config(dir: &Path, port: u16, database_url: &str, extra: &str) -> PathBuf {
    write_config_for(dir, port, database_url, &reference_path(), extra)
}

/// [`write_config`] with the meeting defined in `meeting`.
pub(crate) fn write_config_for(
    dir: &Path,
    port: u16,
    database_url: &str,
    meeting: &Path,
    extra: &str,
) -> PathBuf {
    let path = dir.join("plenary.toml");
    let text = format!(
        "listen = \"127.0.0.1:{port}\"
database_url = \"{database_url}\"
meetings = [\"{meeting}\"]
commands_per_second = 10000
command_burst = 10000
database_timeout = \"{database}s\"
write_timeout = \"{write}s\"
header_read_timeout = \"{header}s\"
ping_interval = \"5s\"
max_connections_per_address = 1000
limit_loopback = false
{extra}
",
        meeting = meeting.display(),
        database = DATABASE_TIMEOUT.as_secs(),
        write = WRITE_TIMEOUT.as_secs(),
        header = HEADER_READ_TIMEOUT.as_secs(),
    );
    std::fs::write(&path, text).expect("config written");
    path
}

/// Runs the binary to completion: exit code, stdout, stderr.
pub(crate) async fn plenary(args: &[&str]) -> (i32, String, String) {
    let out = tokio::process::Command::new(BIN)
        .args(args)
        .env_remove("PLENARY_DATABASE_URL")
        .kill_on_drop(true)
        .output()
        .await
        .expect("the plenary binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An access code for `role`, issued through the CLI straight on the
/// database (not through any fault).
pub(crate) async fn issue(database_url: &str, role: &str) -> String {
    let (code, out, err) = plenary(&[
        "access",
        "issue",
        "--database-url",
        database_url,
        "--meeting",
        plenary_tests::MEETING,
        "--role",
        role,
    ])
    .await;
    assert_eq!(
        code, 0,
        "`plenary access issue --role {role}` failed: {err}"
    );
    out.trim().to_owned()
}

/// What `GET` answered: the status and body, or why there was no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Status(u16, String),
    NoAnswer(String),
}

impl Answer {
    pub(crate) fn is(&self, status: u16) -> bool {
        matches!(self, Answer::Status(s, _) if *s == status)
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Status(status, body) => write!(f, "{status} `{}`", body.trim()),
            Answer::NoAnswer(why) => write!(f, "no answer ({why})"),
        }
    }
}

/// `GET path` on 127.0.0.1:port, one connection, bounded by `within`.
pub(crate) async fn get(port: u16, path: &str, within: Duration) -> Answer {
    let exchange = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .map_err(|e| format!("write: {e}"))?;
        let mut response = Vec::new();
        s.read_to_end(&mut response)
            .await
            .map_err(|e| format!("read: {e}"))?;
        Ok::<_, String>(String::from_utf8_lossy(&response).into_owned())
    };
    match tokio::time::timeout(within, exchange).await {
        Err(_) => Answer::NoAnswer(format!("nothing within {within:?}")),
        Ok(Err(e)) => Answer::NoAnswer(e),
        Ok(Ok(text)) => {
            let status = text
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let body = text
                .split_once("\r\n\r\n")
                .map_or("", |(_, b)| b)
                .to_owned();
            Answer::Status(status, body)
        }
    }
}

/// `/readyz`, answered within 3 s or not at all.
pub(crate) async fn readyz(port: u16) -> Answer {
    get(port, "/readyz", Duration::from_secs(3)).await
}

/// Polls `/readyz` until it answers `status`; the time it took, or the
/// last answer when `within` ran out.
pub(crate) async fn readyz_becomes(
    port: u16,
    status: u16,
    within: Duration,
) -> Result<Duration, Answer> {
    let start = Instant::now();
    loop {
        let answer = readyz(port).await;
        if answer.is(status) {
            return Ok(start.elapsed());
        }
        if start.elapsed() >= within {
            return Err(answer);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `plenary serve` running; killed (and its log printed, if the test is
/// failing) on drop.
#[derive(Debug)]
pub(crate) struct Server {
    child: Option<Child>,
    pub(crate) port: u16,
    log: PathBuf,
    /// The log's tail went into a failure message already.
    shown: std::sync::atomic::AtomicBool,
}

impl Server {
    /// Starts `plenary serve --config config` (listening on `port`), its
    /// log in `log_dir`, and waits until `/readyz` says 200.
    pub(crate) async fn start(config: &Path, port: u16, log_dir: &Path) -> Server {
        let log = log_dir.join(format!("plenary-{port}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let child = Process::new(BIN)
            .args(["serve", "--config", config.to_str().expect("utf-8 path")])
            .env_remove("PLENARY_DATABASE_URL")
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("plenary serve starts");
        let mut server = Server {
            child: Some(child),
            port,
            log,
            shown: std::sync::atomic::AtomicBool::new(false),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                server.child = None;
                panic!(
                    "plenary serve exited at start ({status}):\n{}",
                    server.log_tail(20)
                );
            }
            let answer = get(port, "/readyz", Duration::from_secs(2)).await;
            if answer.is(200) {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "plenary serve not ready 30 s after start; /readyz: {answer}\n{}",
                server.log_tail(20)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    fn pid(&self) -> String {
        self.child
            .as_ref()
            .map(|c| c.id().to_string())
            .expect("the server is running")
    }

    /// `kill -SIG pid` (STOP, CONT, TERM…).
    pub(crate) fn signal(&self, signal: &str) {
        let status = Process::new("kill")
            .args([format!("-{signal}"), self.pid()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// SIGTERM, then waits for the exit: the status and how long it took,
    /// or an error (and SIGKILL) if it took longer than `within`.
    pub(crate) async fn terminate(
        &mut self,
        within: Duration,
    ) -> Result<(ExitStatus, Duration), String> {
        self.signal("TERM");
        let start = Instant::now();
        loop {
            let child = self.child.as_mut().expect("the server is running");
            if let Some(status) = child.try_wait().expect("wait for plenary serve") {
                self.child = None;
                return Ok((status, start.elapsed()));
            }
            if start.elapsed() > within {
                let _ = child.kill();
                let _ = child.wait();
                self.child = None;
                return Err(format!(
                    "plenary serve still running {within:?} after SIGTERM (killed)"
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGTERM and a clean exit within 10 s, or the test fails.
    pub(crate) async fn stop(&mut self) {
        match self.terminate(Duration::from_secs(10)).await {
            Ok((status, _)) => assert!(
                status.success(),
                "plenary serve exited with {status} after SIGTERM\n{}",
                self.log_tail(20)
            ),
            Err(e) => panic!("{e}\n{}", self.log_tail(20)),
        }
    }

    /// The last `lines` lines of the service's log.
    pub(crate) fn log_tail(&self, lines: usize) -> String {
        self.shown.store(true, std::sync::atomic::Ordering::Relaxed);
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        let tail = all[all.len().saturating_sub(lines)..].join("\n");
        format!(
            "--- last lines of the service's log ({}):\n{tail}",
            self.log.display()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A stopped process is killed all the same; continue it anyway.
            let _ = Process::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() && !self.shown.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!("{}", self.log_tail(40));
        }
    }
}
