//! `plenary-loadgen`: runs the benchmark scenarios against `plenary serve`
//! and the floor, alternating (A B A B …), and prints the table.
//!
//! Exit code 0 when every delivery check passed (all events, in order,
//! once; every command acked and durable), 1 when one failed, 2 on bad
//! usage. Speed never fails the run: the table says which targets are met.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use plenary_protocol::Stream;

use plenary_loadgen::limits;
use plenary_loadgen::progress;
use plenary_loadgen::report::{Goal, Machine, Report};
use plenary_loadgen::scenario::{self, DurableLoad, Runtimes, Session, Settings};
use plenary_loadgen::target::{Kind, ServiceSpec, Spawned};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Preset {
    /// About two minutes: 1,000 room screens, the 200-delegation storm,
    /// durability, clock skew, slow consumers, a restart with 1,000 clients.
    Short,
    /// 10,000 and 19,000 connections, a restart with 10,000, and the rest
    /// of the short version.
    Long,
}

/// What room screens and public viewers follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Follow {
    /// View documents and patches (what browsers do).
    Views,
    /// Events with their insight (what `stream: events` still sends):
    /// the "before" of issue 10.
    Events,
}

impl Follow {
    fn stream(self) -> Stream {
        match self {
            Follow::Views => Stream::Views,
            Follow::Events => Stream::Events,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Only {
    Both,
    Service,
    Floor,
}

#[derive(Debug, Parser)]
#[command(
    name = "plenary-loadgen",
    about = "Benchmarks plenary against the stack's floor (a minimal axum broadcaster), alternating A B A B in one run.",
    after_help = "Exit codes: 0 every delivery check passed; 1 a check failed (an event lost, duplicated or out of order, a command not acked or not durable); 2 usage or start-up error."
)]
struct Args {
    #[arg(long, value_enum, default_value = "short")]
    preset: Preset,
    /// Which targets to run.
    #[arg(long, value_enum, default_value = "both")]
    only: Only,
    /// Rounds per target and stage (A B A B …).
    #[arg(long)]
    rounds: Option<usize>,
    /// The plenary binary.
    #[arg(long, default_value = "target/release/plenary")]
    plenary_bin: PathBuf,
    /// The floor binary (default: next to this one).
    #[arg(long)]
    floor_bin: Option<PathBuf>,
    /// The meeting the service runs.
    #[arg(long, default_value = "config/meetings/san-pedro-sula-2017.toml")]
    meeting: PathBuf,
    /// An admin PostgreSQL URL: the durable-commands figure is also
    /// measured on a fresh database created there (and dropped after).
    #[arg(long, env = "PLENARY_BENCH_POSTGRES")]
    database_url: Option<String>,
    /// Instead of the preset's stages: one stage with this many bulk
    /// room screens …
    #[arg(long)]
    screens: Option<usize>,
    /// … and this many public viewers.
    #[arg(long)]
    public: Option<usize>,
    /// Chair commands per burst (custom stage).
    #[arg(long, default_value_t = 20)]
    commands: usize,
    /// Pause between the chair's commands, ms (custom stage).
    #[arg(long, default_value_t = 200)]
    interval_ms: u64,
    /// Run only these stages of the preset (screens, storm, 10k, 19k).
    #[arg(long)]
    stage: Vec<String>,
    /// Skip the scenarios that run once on the service (durable, skew,
    /// slow consumers, restart).
    #[arg(long)]
    no_extras: bool,
    /// What room screens and public viewers follow (consoles follow
    /// events); the floor's chair sends the same bytes as the service's.
    #[arg(long, value_enum, default_value = "views")]
    stream: Follow,
    /// Frames queued per connection before the service cuts a client loose.
    #[arg(long, default_value_t = 1024)]
    outbound_queue: usize,
    /// Run only the multi-node scenario (issue 13): three nodes on a fresh
    /// PostgreSQL database (--database-url), `--public` viewers (10,000 by
    /// default) spread over them, the fan-out against one node, then a
    /// kill -9 of the writer mid-burst.
    #[arg(long)]
    failover: bool,
    /// Write the report as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the table (Markdown) here too.
    #[arg(long)]
    markdown: Option<PathBuf>,
}

/// One set of connections and what they do.
#[derive(Debug, Clone)]
struct Stage {
    name: &'static str,
    settings: Settings,
    rounds: usize,
    goals: Vec<(&'static str, Goal)>,
}

fn base(read_buffer: usize, stream: Stream) -> Settings {
    Settings {
        screens: 0,
        public: 0,
        consoles: 29,
        hall_screens: 6,
        hold: Duration::from_secs(2),
        commands: 20,
        interval: Duration::from_millis(100),
        storm: 0,
        reconnect_spread: None,
        nodes: Vec::new(),
        read_buffer,
        connect_concurrency: 256,
        stream,
    }
}

fn stages(args: &Args) -> Vec<Stage> {
    let rb = 4096;
    let stream = args.stream.stream();
    let base = |rb| base(rb, stream);
    let rounds = args.rounds.unwrap_or(3);
    if args.screens.is_some() || args.public.is_some() {
        let s = Settings {
            screens: args.screens.unwrap_or(0),
            public: args.public.unwrap_or(0),
            commands: args.commands,
            interval: Duration::from_millis(args.interval_ms),
            reconnect_spread: Some(Duration::from_secs(3)),
            ..base(rb)
        };
        return vec![Stage {
            name: "custom",
            settings: s,
            rounds,
            goals: Vec::new(),
        }];
    }
    let screens_1k = Stage {
        name: "screens",
        settings: Settings {
            screens: 1000,
            commands: 30,
            interval: Duration::from_millis(100),
            reconnect_spread: Some(Duration::from_secs(2)),
            ..base(rb)
        },
        rounds,
        goals: vec![
            ("last client p50", Goal::at_most(8.0)),
            ("last client p99", Goal::at_most(20.0)),
            ("server memory per idle connection", Goal::at_most(8.0)),
            ("server CPU per delivered event", Goal::at_most(6.0)),
        ],
    };
    let storm = Stage {
        name: "storm",
        settings: Settings {
            commands: 0,
            storm: 200,
            ..base(rb)
        },
        rounds,
        goals: vec![
            ("ack p99", Goal::at_most(15.0)),
            ("acked", Goal::at_least(200.0)),
        ],
    };
    let all = match args.preset {
        Preset::Short => vec![screens_1k, storm],
        Preset::Long => vec![
            Stage {
                name: "10k",
                settings: Settings {
                    public: 10_000,
                    commands: 20,
                    interval: Duration::from_millis(400),
                    reconnect_spread: Some(Duration::from_secs(5)),
                    hold: Duration::from_secs(3),
                    ..base(rb)
                },
                rounds,
                goals: vec![
                    ("last client p99", Goal::at_most(150.0).and_ratio(1.2)),
                    ("hall (consoles, room screens) p99", Goal::at_most(20.0)),
                    ("server memory per idle connection", Goal::at_most(8.0)),
                    ("server CPU per delivered event", Goal::at_most(6.0)),
                ],
            },
            Stage {
                name: "19k",
                settings: Settings {
                    public: 19_000,
                    commands: 5,
                    interval: Duration::from_millis(700),
                    hold: Duration::from_secs(3),
                    ..base(rb)
                },
                // One A B pair: the figures here are counts and memory, and
                // connecting 19,000 clients takes most of a minute.
                rounds: 1,
                goals: vec![
                    ("idle hold: connections held", Goal::at_least(19_000.0)),
                    ("server memory per idle connection", Goal::at_most(8.0)),
                ],
            },
            screens_1k,
            storm,
        ],
    };
    all.into_iter()
        .filter(|s| args.stage.is_empty() || args.stage.iter().any(|n| n == s.name))
        .collect()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let nofile = match limits::raise_nofile() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: cannot read the open-file limit: {e}");
            return ExitCode::from(2);
        }
    };
    progress(format!(
        "open files: soft limit {} → {} (hard {}); the spawned server inherits it",
        nofile.soft_before, nofile.soft, nofile.hard
    ));
    let main_rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let hall_rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("hall")
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = Runtimes {
        main: main_rt.handle().clone(),
        hall: hall_rt.handle().clone(),
    };
    let result = main_rt.block_on(run(args, rt, nofile));
    hall_rt.shutdown_background();
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("a delivery check failed: see the table");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Waits (up to 30 s) until the target's process has gone idle: less than
/// 10 ms of CPU over a quarter of a second.
async fn settle(ep: &plenary_loadgen::target::Endpoint, kind: Kind) {
    let started = tokio::time::Instant::now();
    let mut last = ep.sample();
    while started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = ep.sample();
        let busy = match (last, now) {
            (Some(a), Some(b)) => b.cpu_ns.saturating_sub(a.cpu_ns) >= 10_000_000,
            _ => false,
        };
        if !busy {
            break;
        }
        last = now;
    }
    if started.elapsed() > Duration::from_secs(1) {
        progress(format!(
            "{} busy for {:.1} s after its round",
            kind.as_str(),
            started.elapsed().as_secs_f64()
        ));
    }
}

async fn run(args: Args, rt: Runtimes, nofile: limits::Nofile) -> anyhow::Result<bool> {
    let mut report = Report {
        machine: Machine::probe(),
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
        ..Report::default()
    };
    let floor_bin = match &args.floor_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("plenary-floor"),
    };
    let mut stages = stages(&args);
    let storm_size = stages.iter().map(|s| s.settings.storm).max().unwrap_or(0);

    // The open-file limit: this process holds every client.
    let reserve = 300;
    let room = nofile.connections(reserve) as usize;
    for st in &mut stages {
        let s = &mut st.settings;
        let wanted = s.screens + s.public + s.consoles + s.hall_screens + s.storm + 2;
        if wanted > room {
            let cut = wanted - room;
            s.public = s.public.saturating_sub(cut);
            let msg = format!(
                "LIMIT BINDS: open files — {wanted} connections asked, this process may hold {room} (RLIMIT_NOFILE {} minus {reserve} reserved); public viewers cut to {}",
                nofile.soft, s.public
            );
            progress(&msg);
            report.note(msg);
        }
    }
    let biggest = stages
        .iter()
        .map(|s| {
            s.settings.screens + s.settings.public + s.settings.consoles + s.settings.hall_screens
        })
        .max()
        .unwrap_or(0) as u64;
    let ports = limits::ephemeral_ports();
    progress(format!(
        "ports: {ports} ephemeral ports per source address; connections spread over 127.0.0.x, {} per address (largest stage: {biggest}, so {} addresses per round)",
        limits::PER_ADDRESS,
        biggest.div_ceil(limits::PER_ADDRESS).max(1)
    ));

    let spec = ServiceSpec {
        plenary_bin: args.plenary_bin.clone(),
        meeting_file: args.meeting.clone(),
        // The reference meeting as it is; the storm gets its own service
        // whose meeting has the extra delegations (a larger meeting makes
        // a larger snapshot, which changes the memory per connection).
        delegations: 29,
        postgres_admin: None,
        outbound_queue: args.outbound_queue,
    };
    let run_service = args.only != Only::Floor;
    let run_floor = args.only != Only::Service;
    let mut service = None;
    if run_service {
        progress("starting plenary serve (SQLite, fresh file) and issuing access codes");
        let s = Spawned::service(&spec).await?;
        if let Some(pid) = s.endpoint.pid
            && let Some(n) = plenary_loadgen::procstat::max_open_files(pid)
        {
            progress(format!("the service (pid {pid}) may open {n} files"));
        }
        service = Some(s);
    }
    let mut large = None;
    if run_service && storm_size > 29 {
        progress(format!(
            "starting a second plenary serve whose meeting has {storm_size} delegations, for the storm"
        ));
        large = Some(
            Spawned::service(&ServiceSpec {
                delegations: storm_size,
                ..spec.clone()
            })
            .await?,
        );
    }
    let mut floor = None;
    if run_floor {
        progress(format!("starting the floor: {}", floor_bin.display()));
        floor = Some(Spawned::floor(&floor_bin).await?);
    }
    if args.failover {
        let settings = Settings {
            public: args.public.unwrap_or(10_000),
            screens: args.screens.unwrap_or(0),
            commands: args.commands,
            interval: Duration::from_millis(args.interval_ms),
            hold: Duration::from_secs(1),
            ..base(4096, args.stream.stream())
        };
        let spec = ServiceSpec {
            postgres_admin: args.database_url.clone(),
            ..spec.clone()
        };
        let rounds = args.rounds.unwrap_or(2);
        let ok = plenary_loadgen::failover::run(&rt, &spec, &settings, rounds, &mut report).await?;
        return Ok(finish_report(&args, report) && ok);
    }
    let mut session = Session::default();
    let mut all_ok = true;
    for st in &stages {
        let label = st.settings.label();
        for r in 0..st.rounds {
            let svc = if st.settings.storm > 29 && large.is_some() {
                &mut large
            } else {
                &mut service
            };
            for (kind, target) in [(Kind::Service, svc), (Kind::Floor, &mut floor)] {
                let Some(t) = target.as_mut() else { continue };
                // A fresh process per round: memory freed by the previous
                // round would otherwise be reused and hide the cost.
                t.restart().await?;
                progress(format!(
                    "round {} of {}: {} with {label}",
                    r + 1,
                    st.rounds,
                    kind.as_str()
                ));
                let ok = scenario::round(&rt, &t.endpoint, &st.settings, &mut session, &mut report)
                    .await?;
                all_ok &= ok;
                // What a round leaves behind (the service writes every room
                // screen's disconnection to its store) must not run into
                // the other target's round.
                settle(&t.endpoint, kind).await;
            }
        }
        for (metric, goal) in &st.goals {
            for row in report.rows.clone() {
                if row.metric == *metric
                    && (row.scenario == label || row.scenario.ends_with(&label))
                {
                    report.goal(&row.scenario, metric, &row.unit, goal.clone());
                }
            }
        }
    }
    let frames = &session.frames;
    let (event, insight) = frames.sizes();
    if frames.views {
        report.note(format!(
            "Room screens and public viewers follow the views stream (consoles: events). The floor's chair sends, per command, a patch of ~{event} bytes{}: what a bulk viewer of the service receives per chair command. The chair puts a delegation on the list, then calls it, in turn: each command changes every display's document.",
            if frames.patches_from_service { ", copied from a bulk viewer's patches in this run" } else { " (synthetic: no service burst ran first)" }
        ));
    } else {
        report.note(format!(
            "Room screens and public viewers follow the event stream. The floor's chair sends, per command, an event frame of ~{event} bytes and an insight frame of {insight} bytes{}: the bytes the service sends per chair command.",
            if frames.from_service { ", copied from the service's frames in this run" } else { " (synthetic: no service round ran first)" }
        ));
    }

    if !args.no_extras
        && let Some(s) = service.as_mut()
    {
        let ep = s.endpoint.clone();
        let load = DurableLoad::standard("SQLite synchronous=FULL", 5000.0);
        all_ok &= scenario::durable(&rt, &ep, load, &mut report).await?;
        all_ok &= scenario::skew(&ep, 50, 8, Duration::from_millis(10), &mut report).await?;
        all_ok &= scenario::slow_consumers(&rt, &ep, 20, 5, 1500, 4096, &mut report).await?;
        let restart_clients = match args.preset {
            Preset::Short => 1000,
            Preset::Long => 10_000.min(room.saturating_sub(10)),
        };
        all_ok &= scenario::restart(
            &rt,
            s,
            restart_clients,
            4096,
            args.stream.stream(),
            &mut report,
        )
        .await?;
    }
    if let Some(s) = service {
        s.finish().await;
    }
    if let Some(s) = large {
        s.finish().await;
    }
    if let Some(f) = floor {
        f.finish().await;
    }
    if !args.no_extras
        && run_service
        && let Some(admin) = &args.database_url
    {
        progress("starting plenary serve on a fresh PostgreSQL database");
        let pg = Spawned::service(&ServiceSpec {
            postgres_admin: Some(admin.clone()),
            ..spec.clone()
        })
        .await?;
        let load = DurableLoad::standard("PostgreSQL synchronous_commit=on", 2500.0);
        all_ok &= scenario::durable(&rt, &pg.endpoint, load, &mut report).await?;
        pg.finish().await;
    }

    Ok(finish_report(&args, report) && all_ok)
}

/// Prints the table and writes the files asked for; false when one could
/// not be written.
fn finish_report(args: &Args, mut report: Report) -> bool {
    report.finish();
    let table = report.table();
    println!(
        "\nmachine: {} × {}, {} MiB, Linux {}; open files {} (hard {})\n",
        report.machine.cpus,
        report.machine.cpu_model,
        report.machine.memory_mib,
        report.machine.kernel,
        report.machine.open_files_soft,
        report.machine.open_files_hard
    );
    println!("{table}");
    let mut written = true;
    if let Some(p) = &args.json {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        if let Err(e) = std::fs::write(p, json) {
            eprintln!("cannot write {}: {e}", p.display());
            written = false;
        }
    }
    if let Some(p) = &args.markdown
        && let Err(e) = std::fs::write(p, &table)
    {
        eprintln!("cannot write {}: {e}", p.display());
        written = false;
    }
    written
}
