//! The CI smoke scenario: a few hundred clients against the service (in
//! this process, fresh SQLite file) and against the floor, for a few
//! seconds. It asserts delivery only — every event to every client, in
//! order, exactly once; every floor request acked and durable — and never
//! speed: timings on a shared CI machine mean nothing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr)]

use std::time::Duration;

use plenary_loadgen::report::Report;
use plenary_loadgen::scenario::{self, Runtimes, Session, Settings};
use plenary_loadgen::target::{Endpoint, Kind};
use plenary_protocol::Stream;
use plenary_tests::{Backend, MEETING, TestApp, reference};

fn settings() -> Settings {
    Settings {
        screens: 150,
        public: 150,
        consoles: 29,
        hall_screens: 6,
        hold: Duration::from_millis(200),
        commands: 20,
        interval: Duration::from_millis(20),
        storm: 29,
        reconnect_spread: Some(Duration::from_millis(500)),
        read_buffer: 4096,
        connect_concurrency: 64,
        // Room screens and the public follow view documents and patches,
        // as browsers do; consoles follow events.
        stream: Stream::Views,
        nodes: Vec::new(),
    }
}

/// The runtime the consoles and the chair run on; shut down in the
/// background because a runtime cannot be dropped inside another.
fn hall_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("hall runtime")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_sees_every_event_once_in_order() {
    let definition = reference();
    let app = TestApp::spawn_with(Backend::Sqlite, definition.clone(), |c| {
        c.commands_per_second = 10_000;
        c.command_burst = 10_000;
    })
    .await
    .expect("SQLite is always there");
    let hall = hall_runtime();
    let rt = Runtimes {
        main: tokio::runtime::Handle::current(),
        hall: hall.handle().clone(),
    };
    let service = Endpoint {
        kind: Kind::Service,
        url: app.ws_url(),
        pid: None,
        meeting: MEETING.to_owned(),
        codes: app.codes.clone(),
        delegations: definition
            .delegations
            .iter()
            .map(|d| d.id.0.clone())
            .collect(),
        screens: definition.screens.iter().map(|s| s.id.0.clone()).collect(),
    };

    // The floor, in this process too, on port 0.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let floor_url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let (stop_floor, stopped) = tokio::sync::oneshot::channel::<()>();
    let floor_task = tokio::spawn(plenary_loadgen::floor::serve(listener, async {
        let _ = stopped.await;
    }));
    let floor = Endpoint {
        kind: Kind::Floor,
        url: floor_url,
        pid: None,
        meeting: String::new(),
        codes: Default::default(),
        delegations: Vec::new(),
        screens: Vec::new(),
    };

    let mut report = Report::default();
    let mut session = Session::default();
    let s = settings();
    let service_ok = scenario::round(&rt, &service, &s, &mut session, &mut report)
        .await
        .expect("the service round runs");
    let floor_ok = scenario::round(&rt, &floor, &s, &mut session, &mut report)
        .await
        .expect("the floor round runs");
    report.finish();
    let table = report.table();
    eprintln!("{table}");

    // Delivery, never speed.
    for row in &report.rows {
        if row.metric.starts_with("clients with a gap") || row.metric == "commands refused or lost"
        {
            assert!(
                row.service.iter().chain(&row.floor).all(|v| *v == 0.0),
                "{} / {}: {:?} {:?}",
                row.scenario,
                row.metric,
                row.service,
                row.floor
            );
        }
        if row.metric.starts_with("durable") {
            assert_eq!(row.service, vec![29.0], "every request on the list");
        }
        if row.metric == "acked" {
            assert!(
                row.service.iter().chain(&row.floor).all(|v| *v == 29.0),
                "{row:?}"
            );
        }
    }
    assert!(
        service_ok,
        "the service round failed a delivery check:\n{table}"
    );
    assert!(
        floor_ok,
        "the floor round failed a delivery check:\n{table}"
    );

    let _ = stop_floor.send(());
    floor_task.await.unwrap().unwrap();
    app.finish().await;
    hall.shutdown_background();
}
