//! Faults and attacks on the real `plenary serve`: PostgreSQL refusing,
//! cut, cut right after a `COMMIT`, slow and black-holed (through a proxy
//! the test drives); SQLite locked by another process, capped at its
//! maximum size, and on a full disk; the process stopped with SIGSTOP;
//! slowloris requests and websocket clients that never read.
//!
//! Every scenario checks three things:
//! - no acknowledged event is lost and none is applied twice (the log in
//!   the store against every answer the chair got: [`support::ledger`]);
//! - `/readyz` tells the truth during the fault: 503 while the node cannot
//!   commit, 200 otherwise — and a 200 is followed by an acked command;
//! - the meeting takes commands again by itself within 5 s of the fault's
//!   end.
//!
//! PostgreSQL scenarios need `PLENARY_TEST_DATABASE_URL` (skipped
//! without); the full-disk scenario needs to mount a tmpfs (skipped when
//! it cannot).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use plenary_client::{Client, ConnectOptions, Hello};
use plenary_tests::{Backend, Database, on_both_databases};
use sqlx::{ConnectOptions as _, Connection as _, SqliteConnection};
use tokio::task::JoinSet;

use support::ledger::{Chair, Outcome};
use support::proxy::{Mode, Proxy};
use support::server::{
    self, Answer, DATABASE_TIMEOUT, HEADER_READ_TIMEOUT, RECOVERY, Server, WRITE_TIMEOUT,
};
use support::sockets::{Drained, NeverReader, Slowloris, slowloris};

/// The longest a command may wait for its answer while the database is
/// faulty: the database timeout and a few seconds.
const ANSWER_BOUND: Duration = Duration::from_secs(DATABASE_TIMEOUT.as_secs() + 3);
/// How soon `/readyz` must say 503 once the node cannot commit.
const NOT_READY_WITHIN: Duration = Duration::from_secs(3);

/// One service on one database, the chair connected.
struct Floor {
    server: Server,
    chair: Chair,
    /// The store as the test reads it: straight, not through any fault.
    store_url: String,
    database: Dropping,
    /// The configuration and the service's log.
    _dir: tempfile::TempDir,
}

/// A test database, dropped (PostgreSQL) even when the test fails.
struct Dropping(Option<Database>);

impl Drop for Dropping {
    fn drop(&mut self) {
        if let Some(database) = self.0.take() {
            let _ = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|rt| rt.block_on(database.drop_database()))
            })
            .join();
        }
    }
}

impl Floor {
    /// Starts the service on `service_url`, issues the chair's code on
    /// `store_url` (the same database, without the fault in between) and
    /// gets a few commands acked.
    async fn open(
        database: Database,
        service_url: &str,
        store_url: &str,
        extra: &str,
        tag: &str,
    ) -> Floor {
        let database = Dropping(Some(database));
        let dir = tempfile::tempdir().unwrap();
        let port = server::free_port();
        let config = server::write_config(dir.path(), port, service_url, extra);
        let server = Server::start(&config, port, dir.path()).await;
        let code = server::issue(store_url, "chair").await;
        let mut chair = Chair::connect(port, &code, tag).await;
        for _ in 0..3 {
            chair.ack(Duration::from_secs(5), "before the fault").await;
        }
        Floor {
            server,
            chair,
            store_url: store_url.to_owned(),
            database,
            _dir: dir,
        }
    }

    fn port(&self) -> u16 {
        self.server.port
    }

    /// After the fault ended at `end`: a command acked within 5 s (and the
    /// next with the next seq), `/readyz` 200 and truthful, and every
    /// command whose outcome was unknown acked when sent again.
    async fn recovers(&mut self, end: Instant, what: &str) -> Duration {
        let took = self.chair.recovers(end, what).await;
        let left = RECOVERY.saturating_sub(end.elapsed());
        if let Err(last) = server::readyz_becomes(self.port(), 200, left).await {
            panic!("after {what}: commands are acked again but /readyz still says {last}");
        }
        self.chair
            .ack(
                Duration::from_secs(5),
                &format!("after {what}, /readyz said 200 but the next command"),
            )
            .await;
        self.chair.resolve(Duration::from_secs(10), what).await;
        took
    }

    /// After a lasting fault that ended at `end`: recovery, a report,
    /// SIGTERM and the log checked.
    async fn after(mut self, what: &str, end: Instant, during: &During) {
        let recovered = self.recovers(end, what).await;
        report(what, during, recovered);
        self.finish(what).await;
    }

    /// SIGTERM, a clean exit, then the log checked against every answer.
    async fn finish(mut self, what: &str) {
        self.chair.close().await;
        self.server.stop().await;
        self.verify(what).await;
    }

    async fn verify(mut self, what: &str) {
        let summary = self.chair.ledger.verify(&self.store_url).await;
        eprintln!("{what}: {summary}");
        if let Some(database) = self.database.0.take() {
            database.drop_database().await;
        }
    }
}

/// A PostgreSQL floor whose service reaches its database through a proxy.
async fn through_proxy(tag: &str) -> Option<(Floor, Proxy)> {
    let database = Database::fresh(Backend::Postgres).await?;
    let proxy = Proxy::start(support::proxy::upstream_of(&database.url).await).await;
    let service_url = support::proxy::through(&database.url, proxy.port());
    let store_url = database.url.clone();
    let floor = Floor::open(database, &service_url, &store_url, "", tag).await;
    Some((floor, proxy))
}

/// A floor on `backend`, straight.
async fn straight(backend: Backend, extra: &str, tag: &str) -> Option<Floor> {
    let database = Database::fresh(backend).await?;
    let url = database.url.clone();
    Some(Floor::open(database, &url, &url, extra, tag).await)
}

/// What happened while a fault lasted.
#[derive(Debug, Default)]
struct During {
    /// Every answer, in order.
    answers: Vec<(String, Outcome, Duration)>,
    /// `/readyz` answers with the time since the fault began.
    readiness: Vec<(Duration, Answer)>,
}

/// While the fault lasts (`hold`): commands one after the other, each
/// answered within [`ANSWER_BOUND`] and never acked unless `acks_possible`;
/// `/readyz` polled, 503 within [`NOT_READY_WITHIN`] and never 200 after.
async fn during_fault(
    floor: &mut Floor,
    what: &str,
    hold: Duration,
    acks_possible: bool,
) -> During {
    let start = Instant::now();
    let port = floor.port();
    let chair = &mut floor.chair;
    let commands = async {
        let mut answers = Vec::new();
        while start.elapsed() < hold {
            let (id, answered) = chair.push(ANSWER_BOUND + Duration::from_secs(2)).await;
            let text = chair.text(&id).to_owned();
            assert!(
                answered.took <= ANSWER_BOUND,
                "{what}: `{text}` was answered only after {:.1} s ({}); database_timeout is {} s",
                answered.took.as_secs_f64(),
                answered.outcome,
                DATABASE_TIMEOUT.as_secs()
            );
            if !acks_possible && let Outcome::Acked { seq } = answered.outcome {
                panic!(
                    "{what}: `{text}` was acked with seq {seq} although the database could not commit"
                );
            }
            answers.push((text, answered.outcome, answered.took));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        answers
    };
    let readiness = async {
        let mut seen = Vec::new();
        while start.elapsed() < hold {
            seen.push((start.elapsed(), server::readyz(port).await));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        seen
    };
    let (answers, readiness) = tokio::join!(commands, readiness);
    let first_503 = readiness.iter().position(|(_, a)| a.is(503));
    match first_503 {
        Some(i) if readiness[i].0 <= NOT_READY_WITHIN => {}
        _ => panic!(
            "{what}: /readyz did not say 503 within {NOT_READY_WITHIN:?} of the fault's start: {}",
            timeline(&readiness)
        ),
    }
    if let Some(i) = first_503
        && let Some((t, a)) = readiness[i..].iter().find(|(_, a)| a.is(200))
    {
        panic!(
            "{what}: /readyz said {a} {:.1} s into the fault, after 503: {}",
            t.as_secs_f64(),
            timeline(&readiness)
        );
    }
    During { answers, readiness }
}

fn timeline(readiness: &[(Duration, Answer)]) -> String {
    readiness
        .iter()
        .map(|(t, a)| format!("{:.1}s {a}", t.as_secs_f64()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn report(what: &str, during: &During, recovered: Duration) {
    let count = |f: fn(&Outcome) -> bool| during.answers.iter().filter(|(_, o, _)| f(o)).count();
    let slowest = during
        .answers
        .iter()
        .map(|(_, _, t)| *t)
        .max()
        .unwrap_or_default();
    let first_503 = match during.readiness.iter().find(|(_, a)| a.is(503)) {
        _ if during.readiness.is_empty() => "not polled".to_owned(),
        Some((t, a)) => format!("at {:.1} s ({a})", t.as_secs_f64()),
        None => "never".to_owned(),
    };
    eprintln!(
        "{what}: during the fault {} acked, {} {}, {} unknown, slowest answer {:.1} s; /readyz 503 {first_503}; commands acked again {:.2} s after the fault's end",
        count(|o| matches!(o, Outcome::Acked { .. })),
        count(|o| matches!(o, Outcome::Unavailable { .. })),
        support::ledger::STORE_UNAVAILABLE,
        count(|o| matches!(o, Outcome::Unknown { .. })),
        slowest.as_secs_f64(),
        recovered.as_secs_f64()
    );
}

// --- PostgreSQL through the proxy ---------------------------------------

/// New connections refused and the current ones cut: nothing can commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refusing_connections() {
    let what = "PostgreSQL refusing connections";
    let Some((mut floor, proxy)) = through_proxy("refuse").await else {
        return;
    };
    proxy.set(Mode::Refuse);
    proxy.cut();
    let during = during_fault(&mut floor, what, Duration::from_secs(4), false).await;
    proxy.set(Mode::Pass);
    floor.after(what, Instant::now(), &during).await;
}

/// Every connection cut, three times, while commands flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_cut() {
    let what = "PostgreSQL connections cut";
    let Some((mut floor, proxy)) = through_proxy("cut").await else {
        return;
    };
    let start = Instant::now();
    let chair = &mut floor.chair;
    let commands = async {
        let mut answers = Vec::new();
        while start.elapsed() < Duration::from_millis(1500) {
            let (id, answered) = chair.push(ANSWER_BOUND + Duration::from_secs(2)).await;
            assert!(
                answered.took <= ANSWER_BOUND,
                "{what}: `{}` was answered only after {answered}",
                chair.text(&id)
            );
            answers.push((chair.text(&id).to_owned(), answered.outcome, answered.took));
        }
        answers
    };
    let cuts = async {
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(400)).await;
            proxy.cut();
        }
        Instant::now()
    };
    let (answers, end) = tokio::join!(commands, cuts);
    // The fault is instantaneous: readiness is checked as recovery is.
    let during = During {
        answers,
        readiness: Vec::new(),
    };
    floor.after(what, end, &during).await;
}

/// The critical one: the COMMIT reaches PostgreSQL, the answer never
/// reaches the service. The events are durable; the service must find out
/// rather than reuse their seqs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_cut_after_commit() {
    let what = "a cut right after COMMIT";
    let Some((mut floor, proxy)) = through_proxy("commit-cut").await else {
        return;
    };
    proxy.arm_cut_after_commit();
    let (id, answered) = floor
        .chair
        .push(ANSWER_BOUND + Duration::from_secs(5))
        .await;
    let end = Instant::now();
    assert_eq!(
        proxy.fired(),
        1,
        "{what}: the cut was armed but never fired ({}): the COMMIT of the transaction appending the events was not seen as a simple-Query `COMMIT` (armed still: {})",
        proxy.describe(),
        proxy.armed()
    );
    let text = floor.chair.text(&id).to_owned();
    assert!(
        answered.took <= ANSWER_BOUND,
        "{what}: `{text}` was answered only after {answered}"
    );
    // The command must end up acked: directly, or by sending it again with
    // the same command_id, which returns the first answer.
    let seq = match answered.outcome {
        Outcome::Acked { seq } => seq,
        _ => match floor.chair.until_acked(&id, end + RECOVERY).await {
            Ok(seq) => seq,
            Err(last) => panic!(
                "{what}: `{text}` was answered {answered}; sent again with the same command_id it was still not acked {RECOVERY:?} later (last answer: {last}; /readyz says {}) although its events are durable",
                server::readyz(floor.port()).await
            ),
        },
    };
    let next = floor
        .chair
        .ack(
            Duration::from_secs(5),
            &format!("after {what}, the next command"),
        )
        .await;
    assert_eq!(
        next,
        seq + 1,
        "{what}: `{text}` acked with seq {seq}, the next command with seq {next}"
    );
    let recovered = floor.recovers(end, what).await;
    eprintln!(
        "{what}: first answer {answered}; acked with seq {seq}; commands acked again {:.2} s after the cut",
        recovered.as_secs_f64()
    );
    floor.finish(what).await;
}

/// 50 ms on every relayed chunk: slower, but everything is acked and the
/// node is ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_slow() {
    let what = "PostgreSQL 50 ms away";
    let Some((mut floor, proxy)) = through_proxy("delay").await else {
        return;
    };
    let delay = Duration::from_millis(50);
    proxy.set(Mode::Delay(delay));
    let mut slowest = Duration::ZERO;
    let mut fastest = Duration::MAX;
    for _ in 0..8 {
        let (id, answered) = floor.chair.push(Duration::from_secs(10)).await;
        assert!(
            matches!(answered.outcome, Outcome::Acked { .. }),
            "{what}: `{}` was not acked: {answered}",
            floor.chair.text(&id)
        );
        slowest = slowest.max(answered.took);
        fastest = fastest.min(answered.took);
    }
    assert!(
        fastest >= delay,
        "{what}: a command was acked in {fastest:?}: the proxy's delay did not apply"
    );
    assert!(
        slowest <= DATABASE_TIMEOUT,
        "{what}: a command took {slowest:?}, more than database_timeout"
    );
    let ready = server::readyz(floor.port()).await;
    assert!(
        ready.is(200),
        "{what}: the node can commit but /readyz said {ready}"
    );
    proxy.set(Mode::Pass);
    let recovered = floor.recovers(Instant::now(), what).await;
    eprintln!(
        "{what}: acks took {fastest:?} to {slowest:?}; after: {:.2} s",
        recovered.as_secs_f64()
    );
    floor.finish(what).await;
}

/// Nothing relayed either way, sockets open: answers must come from the
/// service's own timeouts, not TCP's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_black_hole() {
    let what = "PostgreSQL black-holed";
    let Some((mut floor, proxy)) = through_proxy("blackhole").await else {
        return;
    };
    proxy.set(Mode::Blackhole);
    let during = during_fault(&mut floor, what, Duration::from_secs(5), false).await;
    proxy.set(Mode::Pass);
    floor.after(what, Instant::now(), &during).await;
}

// --- SQLite ----------------------------------------------------------------

async fn sqlite_connection(url: &str) -> SqliteConnection {
    use std::str::FromStr;
    sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .unwrap()
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .unwrap_or_else(|e| panic!("the test cannot open {url}: {e}"))
}

/// Another process holds the write lock for 5 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_write_lock_held() {
    let what = "the SQLite write lock held by another process";
    let mut floor = straight(Backend::Sqlite, "", "lock").await.unwrap();
    let mut other = sqlite_connection(&floor.store_url).await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let during = during_fault(&mut floor, what, Duration::from_secs(5), false).await;
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let end = Instant::now();
    other.close().await.unwrap();
    floor.after(what, end, &during).await;
}

/// Commands of 4 KiB messages until one is not acked (the disk or the
/// size cap is full), at most `most`.
async fn until_refused(floor: &mut Floor, what: &str, most: usize) {
    for _ in 0..most {
        let (_, answered) = floor
            .chair
            .push(ANSWER_BOUND + Duration::from_secs(2))
            .await;
        if !matches!(answered.outcome, Outcome::Acked { .. }) {
            return;
        }
    }
    panic!("{what}: {most} more commands were acked after the space ran out");
}

/// `sqlite_max_size_mb` reached: a real SQLITE_FULL through
/// `max_page_count`. Another connection fills the file to the cap; freeing
/// space (`DELETE FROM filler`: freelist pages get reused) ends the fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_size_cap_reached() {
    let what = "SQLite at its size cap (SQLITE_FULL)";
    let cap_mb = 4;
    let mut floor = straight(
        Backend::Sqlite,
        &format!("sqlite_max_size_mb = {cap_mb}"),
        "cap",
    )
    .await
    .unwrap();
    let mut other = sqlite_connection(&floor.store_url).await;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut other)
        .await
        .unwrap();
    let cap_pages = cap_mb * 1024 * 1024 / page_size;
    sqlx::query("CREATE TABLE filler (b BLOB)")
        .execute(&mut other)
        .await
        .unwrap();
    loop {
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut other)
            .await
            .unwrap();
        if pages >= cap_pages {
            break;
        }
        sqlx::query("INSERT INTO filler VALUES (zeroblob(262144))")
            .execute(&mut other)
            .await
            .unwrap();
    }
    floor.chair.pad(4096);
    until_refused(&mut floor, what, 50).await;
    let during = during_fault(&mut floor, what, Duration::from_secs(3), false).await;
    sqlx::query("DELETE FROM filler")
        .execute(&mut other)
        .await
        .unwrap();
    let end = Instant::now();
    other.close().await.unwrap();
    floor.after(what, end, &during).await;
}

/// A tmpfs, unmounted on drop.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    /// `None`, with the reason printed, where mounting is not allowed.
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs(dir)),
            Ok(out) => {
                eprintln!(
                    "skipped: cannot mount a tmpfs to fill ({}): run as root to test a full disk",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount ({e}): a full disk is not tested");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0.path())
            .status();
    }
}

/// The disk holding the SQLite file fills up (ENOSPC); deleting the file
/// that filled it ends the fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_disk_full() {
    let what = "the disk under SQLite full";
    let Some(tmpfs) = Tmpfs::mount("8m") else {
        return;
    };
    let database = Database::fresh(Backend::Sqlite).await.unwrap();
    let url = format!("sqlite://{}", tmpfs.path().join("plenary.db").display());
    let mut floor = Floor::open(database, &url, &url, "", "disk").await;
    let filler = tmpfs.path().join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while file.write_all(&chunk).and_then(|()| file.flush()).is_ok() {}
    }
    floor.chair.pad(4096);
    until_refused(&mut floor, what, 300).await;
    let during = during_fault(&mut floor, what, Duration::from_secs(3), false).await;
    std::fs::remove_file(&filler).unwrap();
    // The log is checked before the tmpfs goes.
    floor.after(what, Instant::now(), &during).await;
    drop(tmpfs);
}

// --- Both databases --------------------------------------------------------

/// The process stopped for 3 s, then continued.
async fn sigstop_and_sigcont(backend: Backend) {
    let what = "SIGSTOP for 3 s, then SIGCONT";
    let Some(mut floor) = straight(backend, "", "sigstop").await else {
        return;
    };
    floor.server.signal("STOP");
    let start = Instant::now();
    let (id, answered) = floor.chair.push(Duration::from_secs(1)).await;
    assert!(
        matches!(answered.outcome, Outcome::Unknown { .. }),
        "{what}: `{}` was answered while the process was stopped ({answered}): the stop did not take",
        floor.chair.text(&id)
    );
    let ready = server::get(floor.port(), "/readyz", Duration::from_secs(1)).await;
    assert!(
        matches!(ready, Answer::NoAnswer(_)),
        "{what}: /readyz answered {ready} while the process was stopped"
    );
    tokio::time::sleep(Duration::from_secs(3).saturating_sub(start.elapsed())).await;
    floor.server.signal("CONT");
    let recovered = floor.recovers(Instant::now(), what).await;
    eprintln!(
        "{what}: commands acked again {:.2} s after SIGCONT",
        recovered.as_secs_f64()
    );
    floor.finish(what).await;
}

/// Requests whose headers never end are closed within
/// `header_read_timeout`; everyone else is served meanwhile.
async fn slowloris_requests(backend: Backend) {
    let what = "slowloris";
    let Some(mut floor) = straight(backend, "", "slowloris").await else {
        return;
    };
    let within = HEADER_READ_TIMEOUT + Duration::from_secs(2);
    let mut slow = JoinSet::new();
    for i in 0..20 {
        let how = if i % 2 == 0 {
            Slowloris::Idle
        } else {
            Slowloris::Trickle
        };
        let port = floor.port();
        slow.spawn(async move { (how, slowloris(port, how, within).await) });
    }
    // Served meanwhile.
    let start = Instant::now();
    while start.elapsed() < HEADER_READ_TIMEOUT {
        floor
            .chair
            .ack(Duration::from_secs(2), &format!("during {what}"))
            .await;
        let ready = server::readyz(floor.port()).await;
        assert!(ready.is(200), "during {what}: /readyz said {ready}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut closed = Vec::new();
    while let Some(result) = slow.join_next().await {
        match result.unwrap() {
            (how, Some(after)) => closed.push(format!("{how:?} {:.1}s", after.as_secs_f64())),
            (how, None) => panic!(
                "{what}: a connection sending its headers {how:?} was still open after {within:?}; header_read_timeout is {HEADER_READ_TIMEOUT:?}"
            ),
        }
    }
    eprintln!("{what}: closed after [{}]", closed.join(", "));
    floor.finish(what).await;
}

fn hello_json(code: &str) -> String {
    serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": code}).to_string()
}

/// Websocket clients that say hello and never read, while the chair
/// produces many large events: they are cut loose (4000, or dropped)
/// within `write_timeout`, the chair's acks and a reading client are not
/// held up, and SIGTERM completes quickly even with them connected.
async fn never_reading_clients(backend: Backend) {
    let what = "clients that never read";
    let Some(mut floor) = straight(backend, "outbound_queue = 64", "flood").await else {
        return;
    };
    let port = floor.port();
    let reader_code = server::issue(&floor.store_url, "secretariat").await;
    let mut reader = Client::connect_with(
        &floor.server.ws_url(),
        Hello::access_code(reader_code),
        ConnectOptions::default(),
    )
    .await
    .expect("the reading client connects");
    let mut slow = Vec::new();
    for delegation in ["hn", "mx"] {
        let code = server::issue(&floor.store_url, &format!("delegation:{delegation}")).await;
        slow.push(NeverReader::hello(port, &hello_json(&code)).await);
    }
    // 6 MB per client: more than a loopback socket's send buffer (about
    // 4 MB of memory, 2.8 MB of frames) and the outbound queue together.
    floor.chair.pad(32 * 1024);
    let mut last = 0;
    for _ in 0..200 {
        last = floor
            .chair
            .ack(Duration::from_secs(5), &format!("with {what} connected"))
            .await;
    }
    let last_event = Instant::now();
    // The reading client keeps receiving.
    match tokio::time::timeout(Duration::from_secs(10), reader.wait_for_seq(last)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => panic!(
            "{what}: the reading client failed at seq {}: {e}",
            reader.last_seq()
        ),
        Err(_) => panic!(
            "{what}: the reading client stopped at seq {} (last acked {last})",
            reader.last_seq()
        ),
    }
    let ready = server::readyz(port).await;
    assert!(
        ready.is(200),
        "{what}: the node can commit but /readyz said {ready}"
    );
    // Cut loose within write_timeout (and a margin) of the last event: the
    // server lets go of its end of the connection.
    let deadline = last_event + WRITE_TIMEOUT + Duration::from_secs(2);
    while slow.iter().any(|c| c.held_by_server() == Some(true)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waited = last_event.elapsed();
    assert!(
        !slow.iter().any(|c| c.held_by_server() == Some(true)),
        "{what}: the server still held a never-reading client's connection {:.1} s after the last event; write_timeout is {WRITE_TIMEOUT:?}",
        waited.as_secs_f64()
    );
    let mut ends = Vec::new();
    for client in slow {
        let drained = client.drain(Duration::from_secs(1)).await;
        ends.push(format!("{drained:?}"));
        match drained {
            Drained::Closed(4000) | Drained::Dropped => {}
            Drained::Closed(code) => {
                panic!("{what}: a never-reading client was closed with {code}, not 4000")
            }
            Drained::Open => panic!(
                "{what}: a never-reading client was still connected {:.1} s after the last event; write_timeout is {WRITE_TIMEOUT:?}",
                waited.as_secs_f64()
            ),
        }
    }
    // Shutdown with never-reading clients whose writes are blocked.
    let mut blocked = Vec::new();
    for delegation in ["gt", "br"] {
        let code = server::issue(&floor.store_url, &format!("delegation:{delegation}")).await;
        blocked.push(NeverReader::hello(port, &hello_json(&code)).await);
    }
    // Enough to fill their sockets, not their outbound queues: the
    // connections are stuck in a write when SIGTERM comes.
    for _ in 0..120 {
        floor
            .chair
            .ack(Duration::from_secs(5), &format!("with {what} connected"))
            .await;
    }
    let held = blocked
        .iter()
        .filter(|c| c.held_by_server() != Some(false))
        .count();
    assert!(
        held > 0,
        "{what}: the never-reading clients were gone before SIGTERM: shutdown with them connected is not tested"
    );
    let bound = WRITE_TIMEOUT + Duration::from_secs(3);
    match floor.server.terminate(Duration::from_secs(15)).await {
        Ok((status, took)) => {
            assert!(
                took <= bound,
                "{what}: SIGTERM took {:.1} s to complete with never-reading clients connected (at most {bound:?})",
                took.as_secs_f64()
            );
            assert!(status.success(), "{what}: exit {status} after SIGTERM");
            eprintln!(
                "{what}: cut loose ({}) within {:.1} s of the last event; SIGTERM with {held} connected completed in {:.2} s",
                ends.join(", "),
                waited.as_secs_f64(),
                took.as_secs_f64()
            );
        }
        Err(e) => panic!("{what}: {e}\n{}", floor.server.log_tail(20)),
    }
    drop(blocked);
    reader.close().await;
    floor.chair.close().await;
    floor.verify(what).await;
}

on_both_databases!(
    sigstop_and_sigcont,
    slowloris_requests,
    never_reading_clients
);

// --- The proxy itself --------------------------------------------------------

/// The parser finds the COMMIT of a transaction that appended events,
/// through prepared statements and chunks cut anywhere, and only that one.
#[test]
fn the_proxy_finds_the_commit_that_appends_events() {
    use support::proxy::FrontendParser;
    fn typed(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind];
        m.extend_from_slice(&i32::try_from(body.len() + 4).unwrap().to_be_bytes());
        m.extend_from_slice(body);
        m
    }
    let mut stream = Vec::new();
    let parameters = b"user\0postgres\0\0";
    stream.extend_from_slice(&i32::try_from(8 + parameters.len()).unwrap().to_be_bytes());
    stream.extend_from_slice(&196_608_i32.to_be_bytes());
    stream.extend_from_slice(parameters);
    // A probe's transaction: its COMMIT is not taken.
    stream.extend(typed(b'Q', b"BEGIN\0"));
    stream.extend(typed(b'P', b"s1\0INSERT INTO write_probe VALUES (1)\0\0\0"));
    stream.extend(typed(b'B', b"\0s1\0\0\0\0\0"));
    stream.extend(typed(b'Q', b"COMMIT\0"));
    // Events appended, through a prepared statement bound twice.
    stream.extend(typed(b'Q', b"BEGIN\0"));
    stream.extend(typed(
        b'P',
        b"s2\0INSERT INTO events (meeting, seq) SELECT 1\0\0\0",
    ));
    stream.extend(typed(b'B', b"\0s2\0\0\0\0\0"));
    stream.extend(typed(b'Q', b" commit ;\0"));
    let first = stream.len();
    stream.extend(typed(b'Q', b"BEGIN\0"));
    stream.extend(typed(b'B', b"\0s2\0\0\0\0\0"));
    stream.extend(typed(b'Q', b"COMMIT\0"));
    let second = stream.len();
    for cut in [1, 3, 7, 64, stream.len()] {
        let mut parser = FrontendParser::default();
        let mut found = Vec::new();
        let mut offset = 0;
        for chunk in stream.chunks(cut) {
            found.extend(parser.feed(chunk).into_iter().map(|end| offset + end));
            offset += chunk.len();
        }
        assert_eq!(found, vec![first, second], "chunks of {cut} bytes");
    }
}
