//! Several `plenary serve` nodes on one PostgreSQL database (issue 13):
//! one writer per meeting under a fenced lease, commands on any node,
//! every node fanning out every event, and failover when the writer is
//! killed or paused.
//!
//! Every scenario checks the log against every answer the chair got
//! ([`support::ledger`]): no acked event lost, none applied twice, no gap.
//! Needs `PLENARY_TEST_DATABASE_URL` (skipped without).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr
)]

#[allow(dead_code)] // shared with the fault suite
mod support;

use std::time::{Duration, Instant};

use plenary_client::{Client, ConnectOptions, Hello};
use plenary_core::Event;
use plenary_protocol::ServerMessage;
use plenary_tests::{Backend, Database};
use sqlx::Connection as _;

use support::ledger::{Chair, Outcome};
use support::proxy::{Mode, Proxy};
use support::server::{self, Server};

/// The issue's bound on a takeover after the writer dies.
const TAKEOVER_BOUND: Duration = Duration::from_secs(3);

/// One cluster at a time: each scenario runs two or three nodes, and the
/// timings they assert are the nodes', not those of a machine shared with
/// five other clusters.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Nodes on one fresh PostgreSQL database.
struct Cluster {
    nodes: Vec<Option<Server>>,
    url: String,
    database: Option<Database>,
    _dirs: Vec<tempfile::TempDir>,
}

impl Cluster {
    async fn start(count: usize) -> Option<Cluster> {
        let database = Database::fresh(Backend::Postgres).await?;
        let url = database.url.clone();
        Some(Cluster::on(database, count, &server::reference_path(), &url).await)
    }

    /// `count` nodes running `meeting` on `database`, which they reach at
    /// `service_url` (straight, or through a proxy the test drives) while
    /// the test reads it straight.
    async fn on(
        database: Database,
        count: usize,
        meeting: &std::path::Path,
        service_url: &str,
    ) -> Cluster {
        let url = database.url.clone();
        let mut nodes = Vec::new();
        let mut dirs = Vec::new();
        for i in 0..count {
            let dir = tempfile::tempdir().unwrap();
            let port = server::free_port();
            let config = server::write_config_for(
                dir.path(),
                port,
                service_url,
                meeting,
                &format!("node_name = \"node-{i}\""),
            );
            nodes.push(Some(Server::start(&config, port, dir.path()).await));
            dirs.push(dir);
        }
        Cluster {
            nodes,
            url,
            database: Some(database),
            _dirs: dirs,
        }
    }

    fn node(&self, i: usize) -> &Server {
        self.nodes[i].as_ref().expect("node running")
    }

    fn port(&self, i: usize) -> u16 {
        self.node(i).port
    }

    /// Whether node `i` says it is the meeting's writer (`/metrics`).
    async fn is_writer(&self, i: usize) -> bool {
        let Some(node) = self.nodes[i].as_ref() else {
            return false;
        };
        match server::get(node.port, "/metrics", Duration::from_secs(2)).await {
            server::Answer::Status(200, body) => body.lines().any(|l| {
                l.starts_with("plenary_meeting_writer{")
                    && l.contains(plenary_tests::MEETING)
                    && l.trim_end().ends_with(" 1")
            }),
            _ => false,
        }
    }

    /// The live nodes that say they are the writer.
    async fn writers(&self) -> Vec<usize> {
        let mut found = Vec::new();
        for i in 0..self.nodes.len() {
            if self.is_writer(i).await {
                found.push(i);
            }
        }
        found
    }

    /// Waits until exactly one live node is the writer, other than
    /// `not`; which, and how long it took.
    async fn one_writer(&self, not: Option<usize>, within: Duration) -> (usize, Duration) {
        let start = Instant::now();
        loop {
            let writers = self.writers().await;
            if let [w] = writers[..]
                && Some(w) != not
            {
                return (w, start.elapsed());
            }
            assert!(
                start.elapsed() < within,
                "no single writer within {within:?}: writers {writers:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until node `i` says it is the writer; how long it took.
    async fn becomes_writer(&self, i: usize, within: Duration) -> Duration {
        let start = Instant::now();
        while !self.is_writer(i).await {
            assert!(
                start.elapsed() < within,
                "node-{i} did not become the writer within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        start.elapsed()
    }

    fn kill(&mut self, i: usize) {
        let node = self.nodes[i].take().expect("node running");
        node.signal("KILL");
        drop(node);
    }

    async fn finish(mut self) {
        for node in self.nodes.iter_mut().flatten() {
            node.stop().await;
        }
        if let Some(db) = self.database.take() {
            db.drop_database().await;
        }
    }
}

/// A public viewer on node `port`'s event stream.
async fn viewer(port: u16) -> Client {
    Client::connect_with(
        &format!("ws://127.0.0.1:{port}/ws"),
        Hello::public(plenary_tests::MEETING),
        ConnectOptions::default(),
    )
    .await
    .expect("a public viewer connects")
}

/// Reads `client`'s frames until event `seq` (gap-checked by the client);
/// the messages pushed on the way.
async fn until_seq(client: &mut Client, seq: u64, within: Duration) -> Vec<String> {
    let mut texts = Vec::new();
    let read = async {
        while client.last_seq() < seq {
            match client.next_frame().await {
                Ok(ServerMessage::Event(frame)) => {
                    if let Some(Event::MessagePushed { text, .. }) = &frame.event {
                        texts.extend(text.0.values().next().cloned());
                    }
                }
                Ok(_) => {}
                Err(e) => panic!(
                    "the viewer's stream broke at seq {}: {e}",
                    client.last_seq()
                ),
            }
        }
    };
    if tokio::time::timeout(within, read).await.is_err() {
        panic!(
            "the viewer on {} had seq {} after {within:?}, expected {seq}",
            client.url(),
            client.last_seq()
        );
    }
    texts
}

#[tokio::test]
async fn any_node_takes_commands_and_every_node_shows_every_event() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(cluster) = Cluster::start(3).await else {
        eprintln!("skipped: PLENARY_TEST_DATABASE_URL is not set");
        return;
    };
    let (writer, _) = cluster.one_writer(None, Duration::from_secs(5)).await;
    let follower = (writer + 1) % 3;
    let third = (writer + 2) % 3;
    let mut far = viewer(cluster.port(third)).await;
    let mut near = viewer(cluster.port(writer)).await;
    let code = server::issue(&cluster.url, "chair").await;
    let mut chair = Chair::connect(cluster.port(follower), &code, "cluster").await;
    let mut last = 0;
    for _ in 0..20 {
        last = chair
            .ack(Duration::from_secs(5), "a command sent to a follower")
            .await;
    }
    let far_texts = until_seq(&mut far, last, Duration::from_secs(5)).await;
    let near_texts = until_seq(&mut near, last, Duration::from_secs(5)).await;
    assert_eq!(
        far_texts.len(),
        20,
        "the third node's viewer saw {far_texts:?}"
    );
    assert_eq!(far_texts, near_texts, "both nodes fan out the same events");
    // A resend of an acked command on another node gets the same answer.
    let id = chair.fresh();
    let Outcome::Acked { seq } = chair.send(&id, Duration::from_secs(5)).await.outcome else {
        panic!("not acked");
    };
    let mut elsewhere = Chair::connect(cluster.port(third), &code, "cluster").await;
    elsewhere.ledger = std::mem::take(&mut chair.ledger);
    let again = elsewhere.send(&id, Duration::from_secs(5)).await;
    assert_eq!(
        again.outcome,
        Outcome::Acked { seq },
        "the same command_id on another node"
    );
    assert_eq!(cluster.writers().await, vec![writer], "still one writer");
    elsewhere.ledger.verify(&cluster.url).await;
    chair.close().await;
    elsewhere.close().await;
    cluster.finish().await;
}

#[tokio::test]
async fn killing_the_writer_mid_burst_loses_nothing() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(mut cluster) = Cluster::start(3).await else {
        eprintln!("skipped: PLENARY_TEST_DATABASE_URL is not set");
        return;
    };
    let (writer, _) = cluster.one_writer(None, Duration::from_secs(5)).await;
    let follower = (writer + 1) % 3;
    let third = (writer + 2) % 3;
    let code = server::issue(&cluster.url, "chair").await;
    let mut chair = Chair::connect(cluster.port(follower), &code, "failover").await;
    let mut far = viewer(cluster.port(third)).await;
    // A viewer on the writer, to follow over to another node.
    let on_writer = viewer(cluster.port(writer)).await;
    for _ in 0..20 {
        chair.ack(Duration::from_secs(5), "before the kill").await;
    }
    // The burst goes on while the writer dies.
    let killed = Instant::now();
    cluster.kill(writer);
    let mut first_ack_after = None;
    let mut acks_after = 0;
    while acks_after < 20 {
        assert!(
            killed.elapsed() < Duration::from_secs(30),
            "the burst stalled after the kill"
        );
        let (id, answered) = chair.push(Duration::from_secs(10)).await;
        match answered.outcome {
            Outcome::Acked { .. } => {
                first_ack_after.get_or_insert_with(|| killed.elapsed());
                acks_after += 1;
            }
            other => eprintln!("during the failover `{}`: {other}", chair.text(&id)),
        }
    }
    let (new_writer, _) = cluster
        .one_writer(Some(writer), Duration::from_secs(1))
        .await;
    let first = first_ack_after.expect("acks after the kill");
    eprintln!(
        "writer node-{writer} killed: node-{new_writer} writes; first command acked {:.0} ms after the kill",
        first.as_secs_f64() * 1000.0
    );
    assert!(
        first <= TAKEOVER_BOUND,
        "the first command after the kill was acked {first:?} after it (bound {TAKEOVER_BOUND:?})"
    );
    chair.resolve(Duration::from_secs(10), "the failover").await;
    let last = chair
        .ack(Duration::from_secs(5), "after the failover")
        .await;
    // The viewer on the dead node resumes on another, gap-free.
    let urls: Vec<String> = (0..3)
        .filter(|i| *i != writer)
        .map(|i| format!("ws://127.0.0.1:{}/ws", cluster.port(i)))
        .collect();
    let mut moved = on_writer
        .fail_over(&urls)
        .await
        .expect("the viewer of the dead node fails over");
    until_seq(&mut moved, last, Duration::from_secs(5)).await;
    until_seq(&mut far, last, Duration::from_secs(5)).await;
    let summary = chair.ledger.verify(&cluster.url).await;
    eprintln!("after the failover: {summary}");
    chair.close().await;
    cluster.finish().await;
}

#[tokio::test]
async fn a_paused_writer_is_fenced_when_it_wakes() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(cluster) = Cluster::start(2).await else {
        eprintln!("skipped: PLENARY_TEST_DATABASE_URL is not set");
        return;
    };
    let (writer, _) = cluster.one_writer(None, Duration::from_secs(5)).await;
    let other = 1 - writer;
    let code = server::issue(&cluster.url, "chair").await;
    let mut on_old = Chair::connect(cluster.port(writer), &code, "paused").await;
    let mut on_new = Chair::connect(cluster.port(other), &code, "awake").await;
    on_old.ack(Duration::from_secs(5), "before the pause").await;
    // The writer stops; its socket keeps taking bytes (the kernel
    // answers for it), so this command waits inside it.
    cluster.node(writer).signal("STOP");
    let held = on_old.fresh();
    let pending = {
        let id = held.clone();
        async move {
            let answered = on_old.send(&id, Duration::from_secs(20)).await;
            (on_old, answered)
        }
    };
    let pending = tokio::spawn(pending);
    // Only the awake node is asked: the paused one would not answer.
    let took = cluster.becomes_writer(other, Duration::from_secs(5)).await;
    eprintln!(
        "writer paused: node-{other} took over after {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    let committed = on_new
        .ack(Duration::from_secs(5), "on the new writer")
        .await;
    cluster.node(writer).signal("CONT");
    let (mut on_old, answered) = pending.await.unwrap();
    eprintln!("the command held by the paused writer: {answered}");
    if let Outcome::Acked { seq } = answered.outcome {
        assert!(
            seq > committed,
            "the paused writer's command was acked at seq {seq}, before the new writer's {committed}: it committed under an old lease"
        );
    }
    // It steps down and follows.
    let start = Instant::now();
    while cluster.is_writer(writer).await {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the woken writer still says it writes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(cluster.writers().await, vec![other]);
    // Commands on the old node reach the new writer.
    on_old
        .ack(Duration::from_secs(5), "on the old node after it woke")
        .await;
    on_old.ledger.verify(&cluster.url).await;
    on_new.ledger.verify(&cluster.url).await;
    on_old.close().await;
    on_new.close().await;
    cluster.finish().await;
}

/// A meeting like the reference one whose speeches end when their time is
/// up, with a 4 s statement limit.
fn ending_meeting(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(server::reference_path())
        .unwrap()
        .replace("on_time_up = \"overtime\"", "on_time_up = \"end_speech\"")
        .replace("statement_limit = \"5m\"", "statement_limit = \"4s\"")
        .replace("warning = \"1m\"", "warning = \"2s\"")
        .replace("final = \"15s\"", "final = \"1s\"");
    assert!(text.contains("end_speech") && text.contains("\"4s\""));
    let path = dir.join("meeting.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn a_countdown_runs_on_through_a_failover_and_time_is_up_once() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(database) = Database::fresh(Backend::Postgres).await else {
        eprintln!("skipped: PLENARY_TEST_DATABASE_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let meeting = ending_meeting(dir.path());
    let url = database.url.clone();
    let mut cluster = Cluster::on(database, 2, &meeting, &url).await;
    let (writer, _) = cluster.one_writer(None, Duration::from_secs(5)).await;
    let other = 1 - writer;
    let chair_code = server::issue(&cluster.url, "chair").await;
    let chair = Client::connect(
        &format!("ws://127.0.0.1:{}/ws", cluster.port(other)),
        Hello::access_code(chair_code),
    )
    .await
    .unwrap();
    let item = plenary_core::ids::ItemId::new("stocktaking");
    for command in [
        plenary_core::Command::OpenItem { item: item.clone() },
        plenary_core::Command::InsertSpeaker {
            item,
            delegation: plenary_core::ids::DelegationId::new("hn"),
            kind: plenary_core::rules::RequestKind::Statement,
            language: None,
            position: None,
        },
    ] {
        assert!(chair.command(command).await.unwrap().is_acked());
    }
    let called = chair
        .command(plenary_core::Command::CallNext)
        .await
        .unwrap();
    assert!(called.is_acked(), "{called:?}");
    // The writer dies 0.5 s into the 4 s speech; the other node takes
    // over before the time is up, and must end the speech at 4 s of wall
    // clock, once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.kill(writer);
    let mut viewer = viewer(cluster.port(other)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "the speech never ended");
        match tokio::time::timeout(Duration::from_secs(10), viewer.next_frame()).await {
            Ok(Ok(ServerMessage::Event(frame)))
                if matches!(frame.event, Some(Event::SpeechEnded { .. })) =>
            {
                break;
            }
            Ok(Ok(_)) => {}
            other => panic!("the viewer's stream ended: {other:?}"),
        }
    }
    // One more second, in case a second time_up were coming.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let store = plenary_store::Store::connect(&cluster.url).await.unwrap();
    let events = store
        .load_events(
            &plenary_core::ids::MeetingId::new(plenary_tests::MEETING),
            0,
        )
        .await
        .unwrap();
    store.close().await;
    let started = events
        .iter()
        .find(|e| matches!(e.event, Event::SpeechStarted { .. }))
        .expect("the speech started");
    let ended: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.event, Event::SpeechEnded { .. }))
        .collect();
    assert_eq!(ended.len(), 1, "the speech ended {} times", ended.len());
    assert!(
        matches!(
            ended[0].event,
            Event::SpeechEnded {
                reason: plenary_core::floor::EndReason::Time,
                ..
            }
        ),
        "{:?}",
        ended[0].event
    );
    let after = ended[0].at.0 - started.at.0;
    eprintln!("speech of 4 s ended by the new writer {after} ms after it started");
    assert!(
        (4_000..4_800).contains(&after),
        "time was up {after} ms after the start: the countdown did not run on wall-clock time through the failover"
    );
    cluster.finish().await;
}

#[tokio::test]
async fn nodes_cut_from_the_database_go_unready_and_come_back() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(database) = Database::fresh(Backend::Postgres).await else {
        eprintln!("skipped: PLENARY_TEST_DATABASE_URL is not set");
        return;
    };
    let proxy = Proxy::start(support::proxy::upstream_of(&database.url).await).await;
    let through = support::proxy::through(&database.url, proxy.port());
    let cluster = Cluster::on(database, 2, &server::reference_path(), &through).await;
    let (writer, _) = cluster.one_writer(None, Duration::from_secs(5)).await;
    let other = 1 - writer;
    let code = server::issue(&cluster.url, "chair").await;
    let mut chair = Chair::connect(cluster.port(other), &code, "cut-off").await;
    let mut watcher = viewer(cluster.port(writer)).await;
    let last = chair.ack(Duration::from_secs(5), "before the cut").await;
    until_seq(&mut watcher, last, Duration::from_secs(5)).await;
    // The database goes away for both nodes.
    proxy.set(Mode::Refuse);
    proxy.cut();
    let cut = Instant::now();
    for i in [writer, other] {
        if let Err(answer) =
            server::readyz_becomes(cluster.port(i), 503, Duration::from_secs(6)).await
        {
            panic!("node-{i} still says {answer} with the database gone");
        }
    }
    let answered = chair.push(Duration::from_secs(10)).await.1;
    assert!(
        matches!(
            answered.outcome,
            Outcome::Unavailable { .. } | Outcome::Unknown { .. }
        ),
        "a command with the database gone: {answered}"
    );
    // Viewers keep their connection and their last state meanwhile.
    assert!(
        watcher.try_next_frame().is_none_or(|f| f.is_ok()),
        "the viewer's connection broke while the database was away"
    );
    eprintln!(
        "database cut: both nodes unready after {:.1} s",
        cut.elapsed().as_secs_f64()
    );
    proxy.set(Mode::Pass);
    let back = Instant::now();
    for i in [writer, other] {
        if let Err(answer) =
            server::readyz_becomes(cluster.port(i), 200, Duration::from_secs(10)).await
        {
            panic!("node-{i} still says {answer} after the database came back");
        }
    }
    let took = chair.recovers(back, "the database's return").await;
    eprintln!(
        "database back: commands acked again after {:.1} s",
        took.as_secs_f64()
    );
    chair.resolve(Duration::from_secs(10), "the cut").await;
    let last = chair.ack(Duration::from_secs(5), "after the cut").await;
    until_seq(&mut watcher, last, Duration::from_secs(5)).await;
    chair.ledger.verify(&cluster.url).await;
    chair.close().await;
    cluster.finish().await;
}

#[tokio::test]
async fn a_console_sees_the_screens_connected_to_other_nodes() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(cluster) = Cluster::start(2).await else {
        eprintln!("skipped: PLENARY_TEST_DATABASE_URL is not set");
        return;
    };
    let screen_code = server::issue(&cluster.url, "screen:hall-left").await;
    let chair_code = server::issue(&cluster.url, "chair").await;
    let mut chair = Client::connect(
        &format!("ws://127.0.0.1:{}/ws", cluster.port(1)),
        Hello::access_code(chair_code),
    )
    .await
    .unwrap();
    // Until it connects anywhere, it is offline everywhere.
    let screen = Client::connect(
        &format!("ws://127.0.0.1:{}/ws", cluster.port(0)),
        Hello::access_code(screen_code),
    )
    .await
    .unwrap();
    let start = Instant::now();
    until_online(&mut chair, true).await;
    eprintln!(
        "a screen on node-0 seen online by the chair on node-1 after {:.0} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    screen.close().await;
    until_online(&mut chair, false).await;
    chair.close().await;
    cluster.finish().await;
}

/// Reads the chair's frames until a presence frame says `hall-left` is
/// online (or not), within 5 s.
async fn until_online(chair: &mut Client, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, chair.next_frame()).await {
            Ok(Ok(ServerMessage::Presence { screens }))
                if screens
                    .iter()
                    .any(|s| s.screen.as_str() == "hall-left" && s.online == want) =>
            {
                return;
            }
            Ok(Ok(_)) => {}
            other => panic!("the chair never saw hall-left online = {want}: {other:?}"),
        }
    }
}

/// A writer that holds the lease and never answers (a ghost: here a lease
/// row written by hand): a command forwarded to it is answered
/// `outcome_unknown` after the wait, and is not applied late when a real
/// writer takes over; sent again with its id, it is applied once.
#[tokio::test]
async fn a_command_nobody_decides_is_unknown_and_never_applied_late() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(cluster) = Cluster::start(1).await else {
        eprintln!("skipped: PLENARY_TEST_DATABASE_URL is not set");
        return;
    };
    cluster.becomes_writer(0, Duration::from_secs(5)).await;
    let code = server::issue(&cluster.url, "chair").await;
    let mut chair = Chair::connect(cluster.port(0), &code, "ghost").await;
    chair.ack(Duration::from_secs(5), "before the ghost").await;
    let mut db = sqlx::PgConnection::connect(&cluster.url).await.unwrap();
    let lease = |sql: &'static str| sqlx::query(sql).bind(plenary_tests::MEETING);
    lease(
        "UPDATE writer_leases SET epoch = epoch + 1, holder = 'ghost', \
         expires_at = now() + interval '60 seconds' WHERE meeting = $1",
    )
    .execute(&mut db)
    .await
    .unwrap();
    // Its renewal refused, the node steps down and forwards.
    let start = Instant::now();
    while cluster.is_writer(0).await {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the node never stepped down"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (id, answered) = chair.push(Duration::from_secs(15)).await;
    assert!(
        matches!(answered.outcome, Outcome::Unknown { .. }),
        "a command nobody decides: {answered}"
    );
    assert!(
        answered.took >= Duration::from_secs(8),
        "answered before the writer's wait ran out: {answered}"
    );
    // The ghost goes; the node takes over and finds the stale entry.
    lease(
        "UPDATE writer_leases SET expires_at = now() - interval '1 millisecond' WHERE meeting = $1",
    )
    .execute(&mut db)
    .await
    .unwrap();
    cluster.becomes_writer(0, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let store = plenary_store::Store::connect(&cluster.url).await.unwrap();
    let events = store
        .load_events(
            &plenary_core::ids::MeetingId::new(plenary_tests::MEETING),
            0,
        )
        .await
        .unwrap();
    store.close().await;
    let text = chair.text(&id).to_owned();
    assert!(
        !events.iter().any(|e| matches!(
            &e.event,
            Event::MessagePushed { text: t, .. } if t.0.values().any(|v| *v == text)
        )),
        "`{text}` was applied after its sender was told the outcome is unknown"
    );
    // Sent again with its id: applied now, once.
    chair.resolve(Duration::from_secs(10), "the ghost").await;
    chair.ledger.verify(&cluster.url).await;
    chair.close().await;
    cluster.finish().await;
}
