//! The `failover` scenario (issue 13): three `plenary serve` nodes on one
//! PostgreSQL database, viewers spread across them and the hall on
//! assorted nodes.
//!
//! 1. **Fan-out**: the chair's burst, sent to a follower (so every command
//!    goes through the writer's inbox), with the viewers on three nodes,
//!    against the same viewers all on one node of the same cluster, A B A B
//!    in one run: last-client latency, and the ratio of the two.
//! 2. **kill -9 the writer** in the middle of a burst: the time to the
//!    first event the new writer commits, the time until every client
//!    (those of the dead node included, which resume on another) has it,
//!    acked events missing from the log, and clients with a gap.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use plenary_core::ids::MeetingId;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::clock::{ms, now_ns};
use crate::progress;
use crate::report::{Goal, Report};
use crate::scenario::{
    BurstPlan, Delivery, Runtimes, Session, Settings, chair_burst, populate, round_on,
};
use crate::target::{Endpoint, Kind, Service, ServiceChair, ServiceSpec, Spawned, Target};
use crate::viewer::Pool;

/// The nodes of one cluster; the first owns the database.
#[derive(Debug)]
pub struct Cluster {
    pub nodes: Vec<Option<Spawned>>,
}

impl Cluster {
    /// `count` nodes on a fresh PostgreSQL database (`spec` must name an
    /// admin URL): the first started first, so it is the first writer.
    pub async fn start(spec: &ServiceSpec, count: usize) -> anyhow::Result<Cluster> {
        if spec.postgres_admin.is_none() {
            bail!("the failover scenario needs PostgreSQL: pass --database-url");
        }
        let first = Spawned::service(spec).await?;
        let mut nodes = Vec::new();
        for i in 2..=count {
            nodes.push(Some(first.add_node(&format!("node-{i}")).await?));
        }
        nodes.insert(0, Some(first));
        Ok(Cluster { nodes })
    }

    fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .flatten()
            .map(|n| n.endpoint.url.clone())
            .collect()
    }

    fn endpoint(&self, i: usize) -> anyhow::Result<Endpoint> {
        self.nodes
            .get(i)
            .and_then(Option::as_ref)
            .map(|n| n.endpoint.clone())
            .context("no such node")
    }

    /// Which live node says it writes the meeting (`/metrics`).
    pub async fn writer(&self) -> Option<usize> {
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(node) = node else { continue };
            let Some(addr) = node.addr() else { continue };
            if let Ok(text) = get(addr, "/metrics").await
                && text.lines().any(|l| {
                    l.starts_with("plenary_meeting_writer{")
                        && l.contains(&node.endpoint.meeting)
                        && l.trim_end().ends_with(" 1")
                })
            {
                return Some(i);
            }
        }
        None
    }

    /// Stops every node, the database's owner last (it drops it).
    pub async fn finish(mut self) {
        let first = self.nodes.first_mut().and_then(Option::take);
        for node in self.nodes.into_iter().flatten() {
            node.finish().await;
        }
        if let Some(first) = first {
            first.finish().await;
        }
    }
}

/// `GET path` on `addr`: the body.
async fn get(addr: std::net::SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(text
        .split_once("\r\n\r\n")
        .map_or(text.clone(), |(_, b)| b.to_owned()))
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The whole scenario; false when a delivery check failed.
pub async fn run(
    rt: &Runtimes,
    spec: &ServiceSpec,
    s: &Settings,
    rounds: usize,
    report: &mut Report,
) -> anyhow::Result<bool> {
    progress("failover: starting three nodes on a fresh PostgreSQL database");
    let mut cluster = Cluster::start(spec, 3).await?;
    let result = scenario(rt, &mut cluster, s, rounds, report).await;
    cluster.finish().await;
    result
}

async fn scenario(
    rt: &Runtimes,
    cluster: &mut Cluster,
    s: &Settings,
    rounds: usize,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let writer = wait_writer(cluster, None).await?;
    let follower = (writer + 1) % 3;
    let urls = cluster.urls();
    let mut all_ok = true;
    let mut session = Session::default();
    let one = Settings {
        nodes: Vec::new(),
        reconnect_spread: None,
        storm: 0,
        ..s.clone()
    };
    let three = Settings {
        nodes: urls.clone(),
        ..one.clone()
    };
    // One node: everyone on the writer. Three: the chair on a follower.
    let on_writer = cluster.endpoint(writer)?;
    let on_follower = cluster.endpoint(follower)?;
    for r in 0..rounds {
        for (settings, ep) in [(&one, &on_writer), (&three, &on_follower)] {
            progress(format!(
                "failover, round {} of {rounds}: {}",
                r + 1,
                settings.label()
            ));
            all_ok &= round_on(rt, &Service(ep), settings, &mut session, report).await?;
        }
    }
    report.note(
        "Failover scenario: the rows of the 3-node rounds read the server's CPU and memory of one node only (the chair's, a follower); latency and delivery cover every client on every node. The 1-node rounds run on the same cluster, every client on the writer."
    );
    let (a, b) = (
        format!("chair burst, {}", one.label()),
        format!("chair burst, {}", three.label()),
    );
    ratio(report, &a, &b, "last client p50");
    ratio(report, &a, &b, "last client p99");
    all_ok &= kill_the_writer(rt, cluster, &three, writer, report).await?;
    Ok(all_ok)
}

/// Waits (10 s at most) for one live node to say it writes, other than `not`.
async fn wait_writer(cluster: &Cluster, not: Option<usize>) -> anyhow::Result<usize> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(w) = cluster.writer().await
            && Some(w) != not
        {
            return Ok(w);
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("no node became the writer within 10 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Adds `three ÷ one` of `metric`'s medians so far, with the issue's
/// bound (1.2×).
fn ratio(report: &mut Report, one: &str, three: &str, metric: &str) {
    let median = |label: &str| {
        report
            .rows
            .iter()
            .find(|r| r.scenario == label && r.metric == metric)
            .and_then(|r| {
                let mut v: Vec<f64> = r
                    .service
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .collect();
                v.sort_by(f64::total_cmp);
                v.get(v.len() / 2).copied()
            })
    };
    if let (Some(a), Some(b)) = (median(one), median(three)) {
        let scen = "failover: 3 nodes ÷ 1 node";
        let name = format!("{metric}, ratio");
        report.add(scen, &name, "×", Kind::Service, b / a);
        report.goal(scen, &name, "×", Goal::at_most(1.2));
    }
}

/// A burst from the chair (on a follower) with every viewer spread over
/// the nodes; the writer is killed a third of the way in.
async fn kill_the_writer(
    rt: &Runtimes,
    cluster: &mut Cluster,
    s: &Settings,
    writer: usize,
    report: &mut Report,
) -> anyhow::Result<bool> {
    let scen = format!("failover: kill -9 the writer, {}", s.label());
    let chair_node = (writer + 1) % 3;
    let ep = cluster.endpoint(chair_node)?;
    let target = Service(&ep);
    let mut pool = Pool::new(s.connect_concurrency);
    populate(&mut pool, rt, &target, s, true, 0..s.screens + s.public)?;
    let mut chair = ServiceChair::connect(rt, &ep).await?;
    let expected = pool.viewers.len();
    let ready = pool.wait_ready(1, Duration::from_secs(180)).await;
    progress(format!(
        "failover: {ready}/{expected} viewers connected; the burst starts"
    ));
    let before: Vec<u64> = pool.viewers.iter().map(|v| v.connects()).collect();
    pool.record(true);
    let commands = s.commands.max(30);
    let plan = BurstPlan::every(commands, s.interval);
    let kill_after = s.interval * u32::try_from(commands / 3).unwrap_or(10);
    // Out of the cluster while it dies, so the others can be asked who
    // writes meanwhile; back in afterwards (the first node owns the
    // database, which its finish drops).
    let mut dead = cluster.nodes[writer].take().context("the writer")?;
    let watched = &*cluster;
    let (burst, killed) =
        tokio::join!(chair_burst::<Service<'_>>(&mut chair, &pool, plan), async {
            tokio::time::sleep(kill_after).await;
            let at = (now_ns(), wall_ms());
            dead.kill().await?;
            let new_writer = wait_writer(watched, Some(writer)).await?;
            anyhow::Ok((at, new_writer, ms(at.0, now_ns()) / 1e3))
        });
    cluster.nodes[writer] = Some(dead);
    let burst = burst?;
    let ((killed_ns, killed_ms), new_writer, elected) = killed?;
    progress("failover: the writer was killed; waiting for every client");
    let expect = target.expect(&pool, burst.last_seq).await?;
    let behind = pool.wait_for(&expect, Duration::from_secs(60)).await;
    pool.record(false);
    // The log, read straight from the database.
    let url = cluster.nodes[0]
        .as_ref()
        .and_then(Spawned::database_url)
        .context("the database's URL")?;
    let store = plenary_store::Store::connect(&url).await?;
    let events = store
        .load_events(&MeetingId::new(ep.meeting.as_str()), 0)
        .await?;
    store.close().await;
    let mut gaps = 0;
    for (i, e) in events.iter().enumerate() {
        if e.seq != i as u64 + 1 {
            gaps += 1;
        }
    }
    let lost = burst
        .sent
        .keys()
        .filter(|seq| events.iter().all(|e| e.seq != **seq))
        .count();
    // The first event the new writer committed: the first stamped after
    // the kill (the dead writer commits nothing after it).
    let first_new = events.iter().find(|e| e.at.0 > killed_ms);
    let (first_seq, first_after) = match first_new {
        Some(e) => (e.seq, (e.at.0 - killed_ms) as f64 / 1e3),
        None => (0, f64::NAN),
    };
    // When each client had it (views: the first patch at or past it).
    let mut all_have: Option<u64> = None;
    let mut missing = 0;
    for v in &pool.viewers {
        let log = v.take_log();
        match log.iter().find(|(seq, _)| *seq >= first_seq) {
            Some((_, at)) => all_have = Some(all_have.map_or(*at, |a| a.max(*at))),
            None => missing += 1,
        }
    }
    let all_have_s = all_have.map_or(f64::NAN, |at| ms(killed_ns, at) / 1e3);
    let moved = pool
        .viewers
        .iter()
        .zip(&before)
        .filter(|(v, b)| v.connects() > **b)
        .count();
    let d = Delivery::check(&pool.viewers, &expect);
    let add = |report: &mut Report, metric: &str, unit: &str, value: f64| {
        report.add(&scen, metric, unit, Kind::Service, value);
    };
    add(
        report,
        "another node says it writes (/metrics, polled), from the kill",
        "s",
        elected,
    );
    add(
        report,
        "first event committed by the new writer, from the kill",
        "s",
        first_after,
    );
    report.goal(
        &scen,
        "first event committed by the new writer, from the kill",
        "s",
        Goal::at_most(3.0),
    );
    add(
        report,
        "every client has it, from the kill",
        "s",
        all_have_s,
    );
    add(
        report,
        "clients that resumed on another node",
        "",
        moved as f64,
    );
    add(report, "acked events lost", "", lost as f64);
    report.goal(&scen, "acked events lost", "", Goal::at_most(0.0));
    add(
        report,
        "clients with a gap, duplicate or missing event",
        "",
        (d.with_violations + d.behind + d.gave_up + missing) as f64,
    );
    report.goal(
        &scen,
        "clients with a gap, duplicate or missing event",
        "",
        Goal::at_most(0.0),
    );
    add(report, "seq gaps in the log", "", gaps as f64);
    add(
        report,
        "commands not acked during the failover",
        "",
        burst.refused as f64,
    );
    progress(format!(
        "failover: node {writer} killed; node {new_writer} writes ({elected:.2} s); first new event {first_after:.2} s after the kill (seq {first_seq}), every client has it at {all_have_s:.2} s; {moved} clients moved; {lost} acked lost; {}",
        d.describe(&pool.viewers)
    ));
    Service::close(chair).await;
    pool.stop().await;
    Ok(d.ok() && behind == 0 && lost == 0 && gaps == 0 && missing == 0)
}
