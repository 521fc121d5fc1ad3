//! OSC in and out, through real UDP packets on loopback (encoded and
//! decoded with `rosc`): a command from a port bound to an allowed code is
//! applied and reaches the websocket clients; a port bound to a
//! delegation's code is refused and counted; a malformed packet is counted
//! and ignored; a flood is held to the code's command rate before it is
//! judged; while the store cannot look the code up, packets are
//! unavailable at once and nothing acts; a packet delivered twice does not
//! call two speakers; the output reports a speech and its countdown second
//! by second.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};
use sqlx::Connection as _;
use tokio::net::UdpSocket;

use plenary_client::Client;
use plenary_core::{Event, Millis, Role};
use plenary_protocol::ServerMessage;
use plenary_server::clock::Clock;
use plenary_server::config::{OscFormat, OscInput, OscOutput, Secret, ServerConfig};
use plenary_server::{access, clock};
use plenary_store::NewAccessCode;
use plenary_tests::{Backend, MEETING, TestApp, on_both_databases, reference};

const WAIT: Duration = Duration::from_secs(10);

/// A service whose OSC ports act as `roles` (one port each, in order), with
/// `outputs`; returns the app and the ports.
async fn spawn(
    backend: Backend,
    roles: &[Role],
    outputs: Vec<OscOutput>,
    clock: Clock,
) -> Option<(TestApp, Vec<SocketAddr>)> {
    let codes: Vec<String> = roles.iter().map(|_| access::generate()).collect();
    let inputs: Vec<OscInput> = codes
        .iter()
        .map(|code| OscInput {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            access_code: Secret::new(code.clone()),
        })
        .collect();
    let app = TestApp::spawn_on_clock(
        backend,
        reference(),
        |config| {
            config.osc_inputs = inputs;
            config.osc_outputs = outputs;
        },
        clock,
    )
    .await?;
    // The ports' codes are issued like any other (looked up on first use).
    for (role, code) in roles.iter().zip(&codes) {
        app.store
            .insert_access_code(&NewAccessCode {
                meeting: MEETING.into(),
                role: role.clone(),
                label: "osc".to_owned(),
                hash: access::hash(code),
                created_at: clock::now(),
            })
            .await
            .unwrap();
    }
    let ports = tokio::time::timeout(WAIT, app.service.state.osc.inputs())
        .await
        .expect("the OSC inputs listen");
    assert_eq!(ports.len(), roles.len());
    Some((app, ports))
}

/// Sends one OSC message to `port` from a fresh socket.
async fn send(port: SocketAddr, path: &str, args: Vec<OscType>) {
    let packet = OscPacket::Message(OscMessage {
        addr: format!("/plenary/{MEETING}/{path}"),
        args,
    });
    send_raw(port, &rosc::encoder::encode(&packet).unwrap()).await;
}

async fn send_raw(port: SocketAddr, bytes: &[u8]) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.send_to(bytes, port).await.unwrap();
}

/// The next event the client sees (events it may not see are skipped).
async fn next_event(client: &mut Client) -> Event {
    loop {
        let frame = tokio::time::timeout(WAIT, client.next_frame())
            .await
            .expect("an event in time")
            .expect("the connection stays open");
        if let ServerMessage::Event(frame) = frame
            && let Some(event) = frame.event
        {
            return event;
        }
    }
}

/// `plenary_osc_packets_total{outcome}` as the service reports it.
async fn osc_count(app: &TestApp, outcome: &str) -> u64 {
    let addr = app.addr;
    let body = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    })
    .await
    .unwrap();
    let series = format!("plenary_osc_packets_total{{outcome=\"{outcome}\"}} ");
    body.lines()
        .find_map(|l| l.strip_prefix(&series))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Waits until the counter of `outcome` reaches `at_least`.
async fn counted(app: &TestApp, outcome: &str, at_least: u64) {
    risen(app, &[(outcome, 0)], at_least).await;
}

/// Waits until the counters of the outcomes have risen, together, by
/// `at_least` above the values given with them; returns each one's rise.
async fn risen(app: &TestApp, from: &[(&str, u64)], at_least: u64) -> Vec<u64> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut rises = Vec::new();
        for (outcome, before) in from {
            rises.push(osc_count(app, outcome).await.saturating_sub(*before));
        }
        if rises.iter().sum::<u64>() >= at_least {
            return rises;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "plenary_osc_packets_total of {from:?} rose only by {rises:?}, not {at_least} in all"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn an_allowed_command_is_applied_and_broadcast(backend: Backend) {
    let Some((app, ports)) = spawn(
        backend,
        &[Role::Technician, Role::Chair],
        Vec::new(),
        Clock::System,
    )
    .await
    else {
        return;
    };
    let (technician, chair) = (ports[0], ports[1]);
    let mut screen = app.connect("screen:hall-left").await;
    let mut delegation = app.connect("technician").await;

    // The technician's port changes a screen's view.
    send(
        technician,
        "screen/hall-left/view",
        vec![OscType::String("speakers_list".to_owned())],
    )
    .await;
    for client in [&mut screen, &mut delegation] {
        match next_event(client).await {
            Event::ViewAssigned { screens, view, .. } => {
                assert_eq!(screens, ["hall-left".into()]);
                assert_eq!(view.as_str(), "speakers_list");
            }
            other => panic!("expected view_assigned, got {other:?}"),
        }
    }

    // The chair's port opens the first item, then calls the next speaker
    // with nobody on the floor (0).
    let first = reference().agenda.iter().next().unwrap().id.clone();
    send(chair, "item/open", vec![OscType::String(first.to_string())]).await;
    match next_event(&mut delegation).await {
        Event::ItemOpened { item, .. } => assert_eq!(item, first),
        other => panic!("expected item_opened, got {other:?}"),
    }
    send(chair, "floor/next", vec![OscType::Int(0)]).await;
    let speech = match next_event(&mut delegation).await {
        Event::SpeechStarted { speech, .. } => speech,
        other => panic!("expected speech_started, got {other:?}"),
    };
    // UDP delivered the packet twice: the second saw nobody on the floor,
    // which is no longer true, so it is refused `stale` — not a second call.
    let refused = osc_count(&app, "refused").await;
    send(chair, "floor/next", vec![OscType::Int(0)]).await;
    counted(&app, "refused", refused + 1).await;
    // A bundle from the chair's port: end the speech the output named.
    let bundle = OscPacket::Bundle(OscBundle {
        timetag: OscTime::from((0, 1)),
        content: vec![OscPacket::Message(OscMessage {
            addr: format!("/plenary/{MEETING}/floor/end"),
            args: vec![OscType::Int(i32::try_from(speech.0).unwrap())],
        })],
    });
    send_raw(chair, &rosc::encoder::encode(&bundle).unwrap()).await;
    match next_event(&mut delegation).await {
        Event::SpeechEnded { speech: ended, .. } => assert_eq!(ended, speech),
        other => panic!("expected speech_ended (and no second speaker), got {other:?}"),
    }
    // The technician's port may not give the floor: the permissions table.
    let before = osc_count(&app, "refused").await;
    send(technician, "floor/next", vec![OscType::Int(0)]).await;
    counted(&app, "refused", before + 1).await;
    // …but blanks every screen.
    send(technician, "screens/blank", Vec::new()).await;
    match next_event(&mut delegation).await {
        Event::ViewAssigned { view, screens, .. } => {
            assert_eq!(view.as_str(), "blank");
            assert!(screens.len() > 1);
        }
        other => panic!("expected view_assigned, got {other:?}"),
    }
    app.finish().await;
}

async fn a_port_bound_to_a_delegation_code_is_refused(backend: Backend) {
    let delegation_role = Role::Delegation {
        delegation: "hn".into(),
    };
    let Some((app, ports)) = spawn(
        backend,
        &[delegation_role, Role::Technician],
        Vec::new(),
        Clock::System,
    )
    .await
    else {
        return;
    };
    let (delegation, technician) = (ports[0], ports[1]);
    let mut screen = app.connect("screen:hall-left").await;
    let before = osc_count(&app, "refused").await;
    send(delegation, "screens/blank", Vec::new()).await;
    send(
        delegation,
        "message",
        vec![OscType::String("Hacked".to_owned())],
    )
    .await;
    counted(&app, "refused", before + 2).await;
    // Nothing reached the screens: the next event is the technician's.
    send(
        technician,
        "screen/hall-left/message",
        vec![
            OscType::String("Pausa".to_owned()),
            OscType::String("es".to_owned()),
        ],
    )
    .await;
    match next_event(&mut screen).await {
        Event::MessagePushed { text, .. } => {
            assert_eq!(text.0.values().collect::<Vec<_>>(), ["Pausa"]);
        }
        other => panic!("expected the technician's message, got {other:?}"),
    }
    app.finish().await;
}

async fn a_malformed_packet_is_counted_and_ignored(backend: Backend) {
    let Some((app, ports)) = spawn(backend, &[Role::Technician], Vec::new(), Clock::System).await
    else {
        return;
    };
    let port = ports[0];
    let mut screen = app.connect("screen:hall-left").await;
    let malformed = osc_count(&app, "malformed").await;
    let unknown = osc_count(&app, "unknown_address").await;
    let bad = osc_count(&app, "bad_arguments").await;
    send_raw(port, b"this is not OSC at all").await;
    send_raw(port, &[0u8; 3]).await;
    send(port, "screens/teleport", Vec::new()).await;
    send(port, "screen/hall-left/view", vec![OscType::Int(3)]).await;
    // Packets are handled in order: once this one is applied, the others were counted.
    send(port, "screen/hall-left/identify", Vec::new()).await;
    match next_event(&mut screen).await {
        Event::ViewAssigned { view, .. } => assert_eq!(view.as_str(), "identify"),
        other => panic!("expected view_assigned, got {other:?}"),
    }
    assert!(osc_count(&app, "malformed").await >= malformed + 2);
    assert!(osc_count(&app, "unknown_address").await > unknown);
    assert!(osc_count(&app, "bad_arguments").await > bad);
    app.finish().await;
}

/// Reads OSC messages from `socket` until `path` arrives; returns every
/// message read, by path, in order.
async fn until(socket: &UdpSocket, path: &str) -> Vec<(String, OscType)> {
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        let (n, _) = tokio::time::timeout(WAIT, socket.recv_from(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("{path} never came; got {seen:?}"))
            .unwrap();
        let (_, packet) = rosc::decoder::decode_udp(&buf[..n]).unwrap();
        let OscPacket::Message(message) = packet else {
            panic!("plain messages, not bundles")
        };
        let prefix = format!("/plenary/{MEETING}/");
        let short = message.addr.strip_prefix(&prefix).unwrap().to_owned();
        assert_eq!(message.args.len(), 1, "one plain value: {}", message.addr);
        let value = message.args[0].clone();
        let done = short == path;
        seen.push((short, value));
        if done {
            return seen;
        }
    }
}

fn value<'a>(seen: &'a [(String, OscType)], path: &str) -> Option<&'a OscType> {
    seen.iter().rev().find(|(p, _)| p == path).map(|(_, v)| v)
}

async fn the_output_reports_the_speaker_and_the_countdown(backend: Backend) {
    let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let output = OscOutput {
        target: receiver.local_addr().unwrap(),
        meeting: MEETING.into(),
        format: OscFormat::Plenary,
        companion_prefix: "plenary_".to_owned(),
    };
    let (clock, manual) = Clock::manual();
    let Some((app, ports)) = spawn(backend, &[Role::Chair], vec![output], clock).await else {
        return;
    };
    // Everything first: nobody speaks.
    let first = until(&receiver, "screens/blank").await;
    assert_eq!(value(&first, "speaker/id"), Some(&OscType::Int(0)));
    assert_eq!(
        value(&first, "timer/phase"),
        Some(&OscType::String("none".to_owned()))
    );
    assert!(value(&first, "screen/hall-left/view").is_some());

    // The chair's port gives the floor (the first item opens with it).
    let chair = app.connect("chair").await;
    assert!(
        chair
            .command(plenary_core::Command::NextItem)
            .await
            .unwrap()
            .is_acked()
    );
    send(ports[0], "floor/next", vec![OscType::Int(0)]).await;
    let started = until(&receiver, "speaker/started").await;
    let Some(OscType::Int(speech)) = value(&started, "speaker/started").cloned() else {
        panic!("speaker/started carries the speech id: {started:?}")
    };
    assert_eq!(value(&started, "speaker/id"), Some(&OscType::Int(speech)));
    let Some(OscType::String(delegation)) = value(&started, "speaker/delegation").cloned() else {
        panic!("the delegation: {started:?}")
    };
    assert!(!delegation.is_empty());
    for path in [
        "speaker/name",
        "speaker/name/es",
        "speaker/name/en",
        "item/title",
    ] {
        assert!(
            matches!(value(&started, path), Some(OscType::String(s)) if !s.is_empty()),
            "{path}: {started:?}"
        );
    }
    assert_eq!(
        value(&started, "speaker/kind"),
        Some(&OscType::String("presentation".to_owned()))
    );
    assert_eq!(value(&started, "timer/running"), Some(&OscType::Int(1)));
    let Some(OscType::Int(limit)) = value(&started, "timer/remaining").cloned() else {
        panic!("the remaining seconds: {started:?}")
    };
    assert!(limit > 0);

    // A second passes on the meeting's clock: the remaining seconds follow.
    manual.advance(Millis::from_secs(1));
    let tick = until(&receiver, "timer/remaining_text").await;
    assert_eq!(
        value(&tick, "timer/remaining"),
        Some(&OscType::Int(limit - 1))
    );
    manual.advance(Millis::from_secs(1));
    let tick = until(&receiver, "timer/remaining_text").await;
    assert_eq!(
        value(&tick, "timer/remaining"),
        Some(&OscType::Int(limit - 2))
    );

    // The speech ends: the id the output sent is the one to feed back.
    send(ports[0], "floor/end", vec![OscType::Int(speech)]).await;
    let ended = until(&receiver, "speaker/ended").await;
    assert_eq!(value(&ended, "speaker/ended"), Some(&OscType::Int(speech)));
    assert_eq!(value(&ended, "speaker/id"), Some(&OscType::Int(0)));
    app.finish().await;
}

/// A flood of packets the port's code may not send (here: for another
/// meeting) is held to the code's command rate before anything is judged:
/// beyond the burst the packets are only counted `rate_limited`, not each
/// refused and logged; the port acts again once the rate allows.
async fn a_flood_is_held_to_the_command_rate_before_it_is_judged(backend: Backend) {
    let Some((app, ports)) = spawn(backend, &[Role::Technician], Vec::new(), Clock::System).await
    else {
        return;
    };
    let port = ports[0];
    let mut screen = app.connect("screen:hall-left").await;
    let refused = osc_count(&app, "refused").await;
    let limited = osc_count(&app, "rate_limited").await;
    const FLOOD: u64 = 100;
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let packet = rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: "/plenary/another-meeting/screens/blank".to_owned(),
        args: Vec::new(),
    }))
    .unwrap();
    let started = tokio::time::Instant::now();
    for _ in 0..FLOOD {
        socket.send_to(&packet, port).await.unwrap();
    }
    let rises = risen(
        &app,
        &[("refused", refused), ("rate_limited", limited)],
        FLOOD,
    )
    .await;
    let (refused, limited) = (rises[0], rises[1]);
    // At most the burst and what the rate gave meanwhile were judged.
    let rate = ServerConfig::default();
    let allowed = u64::from(rate.command_burst)
        + u64::from(rate.commands_per_second) * (started.elapsed().as_secs() + 1);
    assert!(
        refused <= allowed,
        "{refused} packets were judged (and logged), at most {allowed} expected"
    );
    assert!(limited >= FLOOD - allowed, "{limited} rate limited");
    // Once the rate allows, the port's own commands act again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    send(port, "screen/hall-left/identify", Vec::new()).await;
    match next_event(&mut screen).await {
        Event::ViewAssigned { view, .. } => assert_eq!(view.as_str(), "identify"),
        other => panic!("expected view_assigned, got {other:?}"),
    }
    app.finish().await;
}

/// While the store cannot say who a port's code is (here: another session
/// holds the codes' table, so the lookup waits out the database timeout),
/// the port's packets are counted `unavailable` after one lookup, not one
/// lookup per packet each waiting for the timeout; nothing is applied; once
/// the store answers, the port acts again within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_code_cannot_be_looked_up_packets_are_unavailable_and_nothing_acts() {
    let Some((app, ports)) = spawn(
        Backend::Postgres,
        &[Role::Technician],
        Vec::new(),
        Clock::System,
    )
    .await
    else {
        return;
    };
    let port = ports[0];
    let mut screen = app.connect("screen:hall-left").await;
    let mut locker = sqlx::PgConnection::connect(&app.database.url)
        .await
        .unwrap();
    let mut lock = locker.begin().await.unwrap();
    sqlx::query("LOCK TABLE access_codes IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let before = osc_count(&app, "unavailable").await;
    // Five packets: one lookup per packet would take 5 × 5 s, beyond WAIT.
    const PACKETS: u64 = 5;
    for _ in 0..PACKETS {
        send(
            port,
            "screen/hall-left/view",
            vec![OscType::String("blank".to_owned())],
        )
        .await;
    }
    counted(&app, "unavailable", before + PACKETS).await;
    lock.rollback().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    send(port, "screen/hall-left/identify", Vec::new()).await;
    // The first thing the screen sees is the packet sent after the outage.
    match next_event(&mut screen).await {
        Event::ViewAssigned { view, .. } => assert_eq!(view.as_str(), "identify"),
        other => panic!("expected view_assigned, got {other:?}"),
    }
    app.finish().await;
}

on_both_databases!(
    an_allowed_command_is_applied_and_broadcast,
    a_port_bound_to_a_delegation_code_is_refused,
    a_malformed_packet_is_counted_and_ignored,
    a_flood_is_held_to_the_command_rate_before_it_is_judged,
    the_output_reports_the_speaker_and_the_countdown,
);
