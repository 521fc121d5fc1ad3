//! The `plenary` binary as an operator uses it: `serve` killed with
//! SIGKILL mid-session and restarted loses no acknowledged event and no
//! running timer; `check`, `access`, `migrate` and `export` give the exit
//! codes and messages scripts rely on.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

use plenary_client::{Client, CommandReply, Hello, Session};
use plenary_core::ids::{DelegationId, ItemId};
use plenary_core::rules::RequestKind;
use plenary_core::timer::TimerRun;
use plenary_core::{Command, Millis};
use plenary_tests::{Backend, Database, MEETING, on_both_databases};

const BIN: &str = env!("CARGO_BIN_EXE_plenary");

fn reference_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/meetings/san-pedro-sula-2017.toml")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn plenary(args: &[&str]) -> (i32, String, String) {
    let out = Process::new(BIN)
        .args(args)
        .env_remove("PLENARY_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(config: &Path, port: u16) -> Server {
        let child = Process::new(BIN)
            .args(["serve", "--config", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { child, port };
        for _ in 0..200 {
            if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await
                    .unwrap();
                let mut response = String::new();
                let _ = s.read_to_string(&mut response).await;
                if response.starts_with("HTTP/1.1 200") {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not become ready");
    }

    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL: no shutdown, no final snapshot
        self.child.wait().unwrap();
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        Process::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }
}

fn write_config(dir: &Path, port: u16, database_url: &str) -> PathBuf {
    let path = dir.join("plenary.toml");
    let text = format!(
        "listen = \"127.0.0.1:{port}\"\ndatabase_url = \"{database_url}\"\nmeetings = [\"{}\"]\nsnapshot_every = 4\n",
        reference_path().display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn issue(config: &Path, role: &str) -> String {
    let (code, out, err) = plenary(&[
        "access",
        "issue",
        "--config",
        config.to_str().unwrap(),
        "--meeting",
        MEETING,
        "--role",
        role,
    ]);
    assert_eq!(code, 0, "{err}");
    out.trim().to_owned()
}

async fn ok(client: &Client, command: Command) -> u64 {
    match client.command(command.clone()).await.unwrap() {
        CommandReply::Acked { seq } => seq,
        other @ CommandReply::Refused { .. } => panic!("{command:?}: {other:?}"),
    }
}

async fn sigkill_mid_session_loses_no_acknowledged_event(backend: Backend) {
    let Some(database) = Database::fresh(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("plenary.db").display()),
        Backend::Postgres => database.url.clone(),
    };
    let port = free_port();
    let config = write_config(dir.path(), port, &url);
    let server = Server::start(&config, port).await;
    let chair_code = issue(&config, "chair");
    let codes: Vec<(String, String)> = ["hn", "gt", "mx", "br"]
        .iter()
        .map(|d| (d.to_string(), issue(&config, &format!("delegation:{d}"))))
        .collect();

    let chair = Client::connect(&server.url(), Hello::access_code(&chair_code))
        .await
        .unwrap();
    ok(
        &chair,
        Command::OpenItem {
            item: ItemId::new("stocktaking"),
        },
    )
    .await;
    for (d, code) in &codes {
        let c = Client::connect(&server.url(), Hello::access_code(code))
            .await
            .unwrap();
        ok(
            &c,
            Command::RequestFloor {
                item: ItemId::new("stocktaking"),
                delegation: DelegationId::new(d),
                kind: RequestKind::Statement,
                language: None,
            },
        )
        .await;
    }
    ok(&chair, Command::CallNext).await;
    ok(
        &chair,
        Command::ExtendTimer {
            by: Millis::from_mins(2),
        },
    )
    .await;
    let mut last = ok(
        &chair,
        Command::MoveRequest {
            request: plenary_core::ids::RequestId(4),
            to: 0,
        },
    )
    .await;
    // Commands in flight when the process dies may or may not be committed;
    // only the acknowledged ones are promised.
    for _ in 0..5 {
        last = ok(&chair, Command::PauseTimer).await.max(last);
        last = ok(&chair, Command::ResumeTimer).await.max(last);
    }
    let mut before = Session::connect(&server.url(), Hello::access_code(&chair_code))
        .await
        .unwrap();
    before.sync_to(last).await.unwrap();
    let before = before.meeting().clone();
    server.kill();

    let server = Server::start(&config, port).await;
    let after = Session::connect(&server.url(), Hello::access_code(&chair_code))
        .await
        .unwrap();
    assert!(
        after.seq() >= last,
        "acked up to {last}, found {}",
        after.seq()
    );
    let after = after.meeting();
    assert_eq!(after.log, before.log);
    assert_eq!(after.agenda, before.agenda);
    let (t_before, t_after) = (
        before.floor.current.as_ref().unwrap().timer,
        after.floor.current.as_ref().unwrap().timer,
    );
    assert_eq!(
        t_after, t_before,
        "the running timer is where it was: timestamps, not ticks"
    );
    assert!(matches!(t_after.run, TimerRun::Running { .. }));
    assert_eq!(t_after.limit, Millis::from_mins(7));
    // SIGTERM: graceful, exit 0.
    assert!(server.terminate().success());
    database.drop_database().await;
}

on_both_databases!(sigkill_mid_session_loses_no_acknowledged_event);

#[test]
fn check_accepts_the_reference_meeting_and_names_file_line_and_field_of_errors() {
    let (code, out, _) = plenary(&["check", reference_path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.contains("ok — meeting `san-pedro-sula-2017`, 29 delegations, 9 agenda items"),
        "{out}"
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(reference_path()).unwrap().replacen(
        "delegation = \"gt\"",
        "delegation = \"xx\"",
        1,
    );
    std::fs::write(&bad, text).unwrap();
    let (code, _, err) = plenary(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    let line = err.lines().next().unwrap();
    assert!(
        line.starts_with(&format!("error: {}:", bad.display())),
        "{line}"
    );
    assert!(
        line.contains("agenda[1].schedule[2].delegation") && line.contains("[unknown_delegation]"),
        "{line}"
    );
    let (code, _, err) = plenary(&["check", "/nonexistent.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /nonexistent.toml"));
}

#[test]
fn access_codes_are_issued_listed_and_revoked_and_bad_roles_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    // No meeting yet: refused with exit 2.
    let (code, _, err) = plenary(&[
        "access",
        "issue",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
        "--role",
        "chair",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no meeting"));
    // A meeting comes into the store when served; create it by exporting? No:
    // start and stop the service once.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let port = free_port();
        let config = write_config(dir.path(), port, &db);
        let server = Server::start(&config, port).await;
        assert!(server.terminate().success());
    });
    let (code, out, _) = plenary(&[
        "access",
        "issue",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
        "--role",
        "delegation:hn",
        "--label",
        "Honduras desk",
    ]);
    assert_eq!(code, 0);
    let issued = out.trim();
    assert_eq!(issued.len(), 19);
    let (_, list, _) = plenary(&[
        "access",
        "list",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
    ]);
    assert!(
        list.contains("delegation:hn") && list.contains("Honduras desk") && list.contains("active")
    );
    assert!(!list.contains(issued), "codes are never listed");
    let id = list
        .lines()
        .find(|l| l.contains("delegation:hn"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        plenary(&[
            "access",
            "revoke",
            "--database-url",
            &db,
            "--meeting",
            MEETING,
            "--id",
            &id
        ])
        .0,
        0
    );
    let (_, list, _) = plenary(&[
        "access",
        "list",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
    ]);
    assert!(list.contains("revoked"));
    assert_eq!(
        plenary(&[
            "access",
            "revoke",
            "--database-url",
            &db,
            "--meeting",
            MEETING,
            "--id",
            &id
        ])
        .0,
        2
    );
    for role in [
        "president",
        "delegation:atlantis",
        "screen:nowhere",
        "public",
    ] {
        let (code, _, err) = plenary(&[
            "access",
            "issue",
            "--database-url",
            &db,
            "--meeting",
            MEETING,
            "--role",
            role,
        ]);
        assert_eq!(code, 2, "{role}: {err}");
    }
    // Export works without a running service.
    let (code, md, _) = plenary(&[
        "export",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
        "--format",
        "md",
    ]);
    assert_eq!(code, 0);
    // In the meeting's main language (Spanish), unless asked otherwise.
    assert!(md.contains("## Orden del día"), "{md}");
    let (code, md, _) = plenary(&[
        "export",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
        "--format",
        "md",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0);
    assert!(md.contains("## Running order"), "{md}");
    let (code, _, err) = plenary(&["export", "--database-url", &db, "--meeting", "nowhere"]);
    assert_eq!((code, err.contains("no meeting `nowhere`")), (2, true));
}

#[test]
fn a_database_that_cannot_be_opened_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let url = format!("sqlite://{}/db.sqlite", file.display());
    let (code, _, err) = plenary(&["migrate", "--database-url", &url]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("a-file"),
        "{err}"
    );
    let (code, _, err) = plenary(&[
        "migrate",
        "--database-url",
        "postgres://plenary:secret@127.0.0.1:1/x",
    ]);
    assert_eq!(code, 1);
    assert!(
        !err.contains("secret"),
        "passwords never reach the output: {err}"
    );
    let (code, _, err) = plenary(&["migrate", "--database-url", "mysql://x"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn a_bad_configuration_names_its_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("plenary.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nqueue = 3\n").unwrap();
    let (code, _, err) = plenary(&["serve", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{}:2: queue:", config.display())),
        "{err}"
    );
    let (code, _, err) = plenary(&["frobnicate"]);
    assert_eq!(code, 2, "{err}");
}

/// A database with the reference meeting in it: served once, then stopped.
fn served_once(dir: &Path) -> String {
    let db = format!("sqlite://{}", dir.join("p.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let port = free_port();
        let config = write_config(dir, port, &db);
        let server = Server::start(&config, port).await;
        assert!(server.terminate().success());
    });
    db
}

/// The id of the first active code of `role` in `plenary access list`.
fn listed_id(db: &str, role: &str) -> String {
    let (code, list, err) =
        plenary(&["access", "list", "--database-url", db, "--meeting", MEETING]);
    assert_eq!(code, 0, "{err}");
    list.lines()
        .find(|l| {
            let mut columns = l.split_whitespace().skip(1);
            columns.next() == Some(role) && columns.next() == Some("active")
        })
        .unwrap_or_else(|| panic!("no active {role} code in\n{list}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn the_operator_revokes_the_chairs_last_code_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = served_once(dir.path());
    let (code, out, err) = plenary(&[
        "access",
        "issue",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
        "--role",
        "chair",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim().len(), 19);
    // The chair's only code: over REST nobody may revoke it, here the
    // operator may.
    let id = listed_id(&db, "chair");
    let (code, out, err) = plenary(&[
        "access",
        "revoke",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
        "--id",
        &id,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("revoked {id}")));
    assert!(err.contains("chair"), "{err}");
    let (_, list, _) = plenary(&[
        "access",
        "list",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
    ]);
    assert!(
        list.lines()
            .any(|l| l.contains(&id) && l.contains("revoked"))
    );
}

/// `plenary demo` until it prints its codes: role key → code, and the
/// whole output.
fn demo_codes(data_dir: &Path) -> (std::collections::BTreeMap<String, String>, String) {
    use std::io::BufRead;
    let log = std::fs::File::create(data_dir.join("demo.log")).unwrap();
    let mut child = Process::new(BIN)
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--meeting",
            reference_path().to_str().unwrap(),
        ])
        .env_remove("PLENARY_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut output = String::new();
    let mut codes = std::collections::BTreeMap::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        output.push_str(&line);
        output.push('\n');
        if let Some((_, code)) = line.split_once("#code=") {
            let role = line.split_whitespace().next().unwrap().to_owned();
            let marked = line.split_whitespace().nth(1) == Some("*");
            let key = if marked { format!("{role} *") } else { role };
            codes.insert(key, code.trim().to_owned());
        }
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    Process::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let log = std::fs::read_to_string(data_dir.join("demo.log")).unwrap_or_default();
    // (It may be stopped before its signal handler is in place: how it
    // exits does not matter here, only that it started.)
    assert!(
        output.contains("Stop with Ctrl-C"),
        "the demo did not start ({status}):\n{output}\n{log}"
    );
    (codes, output)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_demo_starts_again_after_a_code_is_revoked_and_keeps_its_secret_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("demo-secret");
    let (first, _) = demo_codes(dir.path());
    assert_eq!(mode(&secret), 0o600, "a new secret is its owner's only");
    assert!(first.contains_key("chair") && first.contains_key("technician"));
    // The chair's demo code is revoked (its last one: as the operator).
    let db = format!("sqlite://{}", dir.path().join("demo.sqlite").display());
    let id = listed_id(&db, "chair");
    let (code, _, err) = plenary(&[
        "access",
        "revoke",
        "--database-url",
        &db,
        "--meeting",
        MEETING,
        "--id",
        &id,
    ]);
    assert_eq!(code, 0, "{err}");
    // A secret left readable by others is tightened.
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (second, output) = demo_codes(dir.path());
    assert_eq!(mode(&secret), 0o600);
    // The chair gets a new code, marked; the others keep theirs.
    let new_chair = second.get("chair *").unwrap_or_else(|| panic!("{output}"));
    assert_ne!(new_chair, &first["chair"]);
    assert!(output.contains("was revoked"), "{output}");
    assert_eq!(second["technician"], first["technician"]);
    // And keeps it from one run to the next.
    let (third, _) = demo_codes(dir.path());
    assert_eq!(third.get("chair *"), Some(new_chair));
}

/// SQLite runs one node: a second `serve` (or `demo`) on the same file is
/// refused with the file and the running node named, and changes nothing;
/// once the first has stopped, the file serves again.
#[test]
fn a_second_node_on_the_same_sqlite_file_is_refused_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let port = free_port();
        let config = write_config(dir.path(), port, &db);
        let first = Server::start(&config, port).await;
        let holder = format!("pid {}", first.child.id());
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        let second = write_config(&other, free_port(), &db);
        let (code, _, err) = plenary(&["serve", "--config", second.to_str().unwrap()]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("node_lock_held"), "{err}");
        assert!(err.contains("p.db"), "{err}");
        assert!(err.contains(&holder), "names the holder: {err}");
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        assert!(err.contains("PostgreSQL"), "{err}");
        // The first node is unharmed, and the CLI still works beside it.
        let chair = issue(&config, "chair");
        let client = Client::connect(&first.url(), Hello::access_code(&chair))
            .await
            .unwrap();
        drop(client);
        assert!(first.terminate().success());
        // Released with its holder.
        let again = Server::start(&config, port).await;
        again.kill();
    });
}

// --- HTTPS ------------------------------------------------------------------------

/// A TLS client that trusts exactly the CA in `ca_pem` (the real chain,
/// no verification switched off).
fn trusting(ca_pem: &Path) -> Trusting {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_pem).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    std::sync::Arc::new(config)
}

type Trusting = std::sync::Arc<rustls::ClientConfig>;

/// `GET path` over TLS to 127.0.0.1:`port` as `host`; the status line and
/// the headers.
async fn https_get(tls: &Trusting, port: u16, host: &str, path: &str) -> Result<String, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    let name =
        rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
    let mut stream = rustls_stream(tls, name, tcp).await?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

async fn rustls_stream(
    tls: &Trusting,
    name: rustls::pki_types::ServerName<'static>,
    tcp: tokio::net::TcpStream,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    tokio_rustls::TlsConnector::from(std::sync::Arc::clone(tls))
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())
}

/// `plenary demo --tls`: a local CA and a certificate in the data folder,
/// HTTPS and wss with the real chain, the same CA next time.
#[cfg(unix)]
#[test]
fn the_demo_serves_https_and_wss_with_its_own_ca() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut child = Process::new(BIN)
            .args([
                "demo",
                "--tls",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                dir.path().to_str().unwrap(),
                "--meeting",
                reference_path().to_str().unwrap(),
            ])
            .env_remove("PLENARY_LISTEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut output = String::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            output.push_str(&line);
            output.push('\n');
            if line.starts_with("Stop with Ctrl-C") {
                break;
            }
        }
        (child, output)
    };
    let (mut child, output) = start();
    let fingerprint = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("fingerprint "))
            .map(|l| l.trim_start_matches("fingerprint ").trim().to_owned())
            .unwrap_or_else(|| panic!("no fingerprint:\n{out}"))
    };
    let first_fingerprint = fingerprint(&output);
    assert!(output.contains("(issued now)"), "{output}");
    let ca = dir.path().join("tls").join("plenary-ca.pem");
    assert!(ca.exists(), "{output}");
    assert_eq!(
        std::fs::metadata(dir.path().join("tls").join("plenary-ca.key"))
            .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777)
            .unwrap(),
        0o600
    );
    let base = output
        .lines()
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("https://")))
        .unwrap_or_else(|| panic!("no https link:\n{output}"))
        .to_owned();
    let port: u16 = base
        .trim_start_matches("https://127.0.0.1:")
        .split(['/', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let code = output
        .lines()
        .find(|l| l.starts_with("chair "))
        .and_then(|l| l.split("#code=").nth(1))
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        output.contains(&format!("wss://127.0.0.1:{port}/ws")),
        "{output}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let tls = trusting(&ca);
        let health = https_get(&tls, port, "127.0.0.1", "/healthz")
            .await
            .unwrap();
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
        let by_name = https_get(&tls, port, "localhost", "/healthz")
            .await
            .unwrap();
        assert!(by_name.starts_with("HTTP/1.1 200"), "{by_name}");
        // A name the certificate does not carry is refused by the client.
        assert!(
            https_get(&tls, port, "plenary.invalid", "/healthz")
                .await
                .is_err()
        );
        // wss: the protocol is unchanged.
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let stream = rustls_stream(&tls, name, tcp).await.unwrap();
        let (mut ws, _) =
            tokio_tungstenite::client_async(format!("wss://127.0.0.1:{port}/ws"), stream)
                .await
                .unwrap();
        use futures_util::{SinkExt, StreamExt};
        let hello = Hello::access_code(&code).to_message();
        ws.send(tokio_tungstenite::tungstenite::Message::text(
            serde_json::to_string(&hello).unwrap(),
        ))
        .await
        .unwrap();
        let first = ws.next().await.unwrap().unwrap();
        assert!(
            first.to_text().unwrap().contains("\"welcome\""),
            "{first:?}"
        );
    });
    Process::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    // Run again: the same CA, the same certificate.
    let (mut child, again) = start();
    assert_eq!(fingerprint(&again), first_fingerprint);
    assert!(!again.contains("(issued now)"), "{again}");
    Process::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
}

/// `serve` with a certificate in its configuration; plain HTTP on the
/// redirect address answers 308 to the same path over HTTPS; a certificate
/// that is not there stops the start with the file named.
#[test]
fn serve_takes_its_certificate_from_the_configuration_and_redirects_http() {
    let dir = tempfile::tempdir().unwrap();
    // The demo makes a CA and certificate we can reuse.
    let certs = plenary_server::tls::local_certificates(
        &dir.path().join("tls"),
        &["localhost".to_owned(), "127.0.0.1".to_owned()],
        (2026, 11, 30),
    )
    .unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    let port = free_port();
    let redirect = free_port();
    let config = dir.path().join("plenary.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndatabase_url = \"{db}\"\nmeetings = [\"{}\"]\ntls_cert = \"{}\"\ntls_key = \"{}\"\nhttp_redirect_listen = \"127.0.0.1:{redirect}\"\n",
            reference_path().display(),
            certs.cert.display(),
            certs.key.display()
        ),
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut child = Process::new(BIN)
            .args(["serve", "--config", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let tls = trusting(&certs.ca_cert);
        let mut ready = String::new();
        for _ in 0..200 {
            if let Ok(r) = https_get(&tls, port, "localhost", "/readyz").await
                && r.starts_with("HTTP/1.1 200")
            {
                ready = r;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(ready.starts_with("HTTP/1.1 200"), "not ready over HTTPS");
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", redirect))
            .await
            .unwrap();
        plain
            .write_all(
                b"GET /chair?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n",
            )
            .await
            .unwrap();
        let mut answer = String::new();
        plain.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 308"), "{answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains(&format!("location: https://localhost:{port}/chair?x=1")),
            "{answer}"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    });
    // A certificate that is not there: exit 2, the file named.
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndatabase_url = \"{db}\"\ntls_cert = \"{0}/none.pem\"\ntls_key = \"{0}/none.key\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let (code, _, err) = plenary(&["serve", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("tls_cert") && err.contains("none.pem"),
        "{err}"
    );
    // Half of the pair: a configuration error naming the missing field.
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndatabase_url = \"{db}\"\ntls_cert = \"{}\"\n",
            certs.cert.display()
        ),
    )
    .unwrap();
    let (code, _, err) = plenary(&["serve", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("tls_key"), "{err}");
}
