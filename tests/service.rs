//! The service end to end, through real websockets and the client crate,
//! on SQLite and PostgreSQL: the scripted reference session, resuming
//! without gaps, idempotent commands, restarts that lose nothing, slow
//! consumers cut loose, and every role against every command.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::time::Duration;

use plenary_client::{CatchUp, Client, CommandReply, Hello, Session};
use plenary_core::command::CommandKind;
use plenary_core::display::{ScreenTarget, View};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{BoothId, DelegationId, ItemId, RequestId, ScreenId};
use plenary_core::roles::{RoleKind, permitted};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::script::{Expect, reference_half_day};
use plenary_core::timer::TimerRun;
use plenary_core::{Command, Event, Millis, Role, Timestamp};
use plenary_protocol::ServerMessage;
use plenary_protocol::views::Audience;
use plenary_tests::{Backend, MEETING, TestApp, on_both_databases};

fn item(id: &str) -> ItemId {
    ItemId::new(id)
}

fn request_floor(who: &str, item_id: &str) -> Command {
    Command::RequestFloor {
        item: item(item_id),
        delegation: DelegationId::new(who),
        kind: RequestKind::Statement,
        language: None,
    }
}

async fn ok(client: &Client, command: Command) -> u64 {
    match client.command(command.clone()).await.expect("answered") {
        CommandReply::Acked { seq } => seq,
        refused @ CommandReply::Refused { .. } => panic!("{command:?} refused: {refused:?}"),
    }
}

/// The server's own state for an audience, as JSON.
async fn server_view(app: &TestApp, audience: Audience) -> serde_json::Value {
    let hub = app.service.state.meeting(&MEETING.into()).expect("meeting");
    let (state, _) = hub.view(audience).await.expect("view");
    serde_json::to_value(state).unwrap()
}

async fn scripted_reference_session_over_websockets(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut screen = Session::connect(
        &app.ws_url(),
        Hello::access_code(app.code("screen:hall-left")),
    )
    .await
    .unwrap();
    let mut public = Session::connect(&app.ws_url(), Hello::public(MEETING))
        .await
        .unwrap();
    assert_eq!(public.client().role(), &Role::Public);
    let mut clients: BTreeMap<String, Client> = BTreeMap::new();
    let mut last_seq = 0;
    for (i, step) in reference_half_day(Timestamp(0)).into_iter().enumerate() {
        let key = step.actor.to_string();
        if !clients.contains_key(&key) {
            clients.insert(key.clone(), app.connect(&key).await);
        }
        let reply = clients[&key]
            .command(step.command.clone())
            .await
            .expect("answered");
        match (&step.expect, &reply) {
            (Expect::Accepted, CommandReply::Acked { seq }) => {
                assert!(*seq > last_seq, "step {i}: acks move forward");
                last_seq = *seq;
            }
            (
                Expect::Refused(code),
                CommandReply::Refused {
                    code: got,
                    messages,
                    ..
                },
            ) => {
                assert_eq!(got, code, "step {i}");
                // Refusals come in the meeting's languages.
                assert!(messages.get(&Lang::parse("es").unwrap()).is_some());
                assert!(messages.get(&Lang::parse("en").unwrap()).is_some());
            }
            (expect, reply) => panic!(
                "step {i} {:?}: expected {expect:?}, got {reply:?}",
                step.command
            ),
        }
    }
    // Every follower reaches the last seq without a gap and holds exactly
    // what the server holds for its audience.
    screen.sync_to(last_seq).await.unwrap();
    public.sync_to(last_seq).await.unwrap();
    assert_eq!(
        serde_json::to_value(screen.meeting()).unwrap(),
        server_view(&app, Audience::Screen).await
    );
    assert_eq!(
        serde_json::to_value(public.meeting()).unwrap(),
        server_view(&app, Audience::Public).await
    );
    let spoken: Vec<&str> = screen
        .meeting()
        .log
        .iter()
        .map(|r| r.delegation.as_str())
        .collect();
    assert_eq!(spoken.len(), 16, "{spoken:?}");
    // The screen never learns who pressed "slower please", nor the booths' shifts.
    assert!(screen.meeting().interpretation.slower_please.is_empty());
    assert!(screen.meeting().interpretation.booths.is_empty());
    app.finish().await;
}

async fn resuming_after_a_dropped_connection_is_gap_free(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    let hn = app.connect("delegation:hn").await;
    let mut screen = Session::connect(
        &app.ws_url(),
        Hello::access_code(app.code("screen:hall-left")),
    )
    .await
    .unwrap();
    ok(
        &chair,
        Command::OpenItem {
            item: item("stocktaking"),
        },
    )
    .await;
    let seq = ok(&hn, request_floor("hn", "stocktaking")).await;
    screen.sync_to(seq).await.unwrap();
    let before = screen.seq();

    // The screen's connection drops; the meeting goes on.
    let kept = screen.close().await;
    let mut last = 0;
    for who in ["gt", "mx", "ar", "co"] {
        let c = app.connect(&format!("delegation:{who}")).await;
        last = ok(&c, request_floor(who, "stocktaking")).await;
    }
    last = last.max(ok(&chair, Command::CallNext).await);

    let hello = Hello::access_code(app.code("screen:hall-left")).resume_from(kept.seq);
    let client = Client::connect(&app.ws_url(), hello).await.unwrap();
    match client.catch_up() {
        CatchUp::Events(frames) => {
            let seqs: Vec<u64> = frames.iter().map(|f| f.seq).collect();
            let expected: Vec<u64> = (before + 1..=last).collect();
            assert_eq!(seqs, expected, "exactly the missed events, in order, once");
        }
        CatchUp::Snapshot { .. } => panic!("a recent resume gets events, not a snapshot"),
    }
    let mut screen = Session::from_client(client, Some(kept)).unwrap();
    screen.sync_to(last).await.unwrap();
    assert_eq!(
        serde_json::to_value(screen.meeting()).unwrap(),
        server_view(&app, Audience::Screen).await
    );
    assert_eq!(
        screen.meeting().floor.speaker().map(|d| d.as_str()),
        Some("hn")
    );
    app.finish().await;
}

async fn a_repeated_command_id_is_applied_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    ok(
        &chair,
        Command::OpenItem {
            item: item("stocktaking"),
        },
    )
    .await;
    for who in ["hn", "gt"] {
        ok(
            &app.connect(&format!("delegation:{who}")).await,
            request_floor(who, "stocktaking"),
        )
        .await;
    }
    let first = chair
        .send_command("next-1", Command::CallNext)
        .await
        .unwrap();
    let again = chair
        .send_command("next-1", Command::CallNext)
        .await
        .unwrap();
    assert_eq!(first, again);
    // A retry on a new connection (after a reconnect) gets the same answer.
    let other = app.connect("chair").await;
    assert_eq!(
        other
            .send_command("next-1", Command::CallNext)
            .await
            .unwrap(),
        first
    );
    // Two in one burst are one command, too.
    let a = chair.submit("next-2", Command::CallNext).await.unwrap();
    let b = chair.submit("next-2", Command::CallNext).await.unwrap();
    let (a, b) = (a.wait().await.unwrap(), b.wait().await.unwrap());
    assert_eq!(a, b);
    // And after a restart, from the store.
    let app = app.restart().await;
    let chair = app.connect("chair").await;
    assert_eq!(
        chair
            .send_command("next-1", Command::CallNext)
            .await
            .unwrap(),
        first
    );
    let view = server_view(&app, Audience::Presiding).await;
    let log = view["log"].as_array().unwrap();
    assert_eq!(log.len(), 1, "hn spoke once, gt has the floor");
    assert_eq!(view["floor"]["current"]["delegation"], "gt");
    app.finish().await;
}

async fn a_restart_keeps_every_acknowledged_event_and_running_timers(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, plenary_tests::reference(), |c| {
        c.snapshot_every = 3
    })
    .await
    else {
        return;
    };
    let chair = app.connect("chair").await;
    ok(
        &chair,
        Command::OpenItem {
            item: item("stocktaking"),
        },
    )
    .await;
    for who in ["hn", "gt", "mx", "ar"] {
        ok(
            &app.connect(&format!("delegation:{who}")).await,
            request_floor(who, "stocktaking"),
        )
        .await;
    }
    ok(&chair, Command::CallNext).await;
    let last = ok(
        &chair,
        Command::ExtendTimer {
            by: Millis::from_mins(1),
        },
    )
    .await;
    let before = server_view(&app, Audience::Presiding).await;
    let since = before["floor"]["current"]["timer"]["run"]["since"]
        .as_i64()
        .unwrap();

    let app = app.restart().await;
    // A screen that had seen all but the last three events gets exactly
    // those three after the restart, not a snapshot.
    let hello = Hello::access_code(app.code("screen:podium")).resume_from(last - 3);
    let screen = Client::connect(&app.ws_url(), hello).await.unwrap();
    match screen.catch_up() {
        CatchUp::Events(frames) => {
            let seqs: Vec<u64> = frames.iter().map(|f| f.seq).collect();
            assert_eq!(seqs, [last - 2, last - 1, last]);
        }
        CatchUp::Snapshot { .. } => panic!("the resume window survives a restart"),
    }
    let mut chair = Session::connect(&app.ws_url(), Hello::access_code(app.code("chair")))
        .await
        .unwrap();
    assert_eq!(chair.seq(), last, "every acknowledged event is back");
    assert_eq!(serde_json::to_value(chair.meeting()).unwrap(), before);
    let timer = chair.meeting().floor.current.as_ref().unwrap().timer;
    assert_eq!(
        timer.run,
        TimerRun::Running {
            since: Timestamp(since),
            elapsed_before: Millis::ZERO
        }
    );
    assert_eq!(timer.limit, Millis::from_mins(6));
    // It kept counting while the service was down: a timestamp, not a tick.
    let remaining = timer.remaining(plenary_server::clock::now());
    assert!(
        remaining < Millis::from_mins(6) && remaining > Millis::from_mins(5),
        "{remaining:?}"
    );
    // And the meeting goes on.
    let next = ok(chair.client(), Command::CallNext).await;
    chair.sync_to(next).await.unwrap();
    assert_eq!(
        chair.meeting().floor.speaker().map(|d| d.as_str()),
        Some("gt")
    );
    app.finish().await;
}

async fn a_slow_consumer_is_cut_loose_without_delaying_a_fast_one(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, plenary_tests::reference(), |c| {
        c.outbound_queue = 16;
        c.commands_per_second = 10_000;
        c.command_burst = 10_000;
    })
    .await
    else {
        return;
    };
    // A screen that never reads after its hello.
    let (mut slow, _) = tokio_tungstenite::connect_async(app.ws_url())
        .await
        .unwrap();
    use futures_util::{SinkExt, StreamExt};
    let hello = serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": app.code("screen:podium")});
    slow.send(tokio_tungstenite::tungstenite::Message::Text(
        hello.to_string().into(),
    ))
    .await
    .unwrap();
    let mut fast = Session::connect(
        &app.ws_url(),
        Hello::access_code(app.code("screen:hall-left")),
    )
    .await
    .unwrap();
    let tech = app.connect("technician").await;
    // Large messages fill the slow screen's socket buffers, then its queue.
    let big = "x".repeat(60_000);
    let mut last = 0;
    let started = std::time::Instant::now();
    for i in 0..150 {
        let text = Texts::new().with("en", format!("{i} {big}"));
        last = ok(
            &tech,
            Command::PushMessage {
                target: ScreenTarget::All,
                text,
            },
        )
        .await;
        fast.sync_to(last).await.unwrap();
    }
    let elapsed = started.elapsed();
    assert!(
        fast.meeting().displays.screens[&ScreenId::new("hall-left")]
            .message
            .is_some()
    );
    assert_eq!(fast.seq(), last);
    // The slow one was closed with "too slow", after what it had queued.
    let mut close_code = None;
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(10), slow.next()).await {
        if let Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame))) = message {
            close_code = Some(u16::from(frame.code));
            break;
        }
    }
    assert_eq!(close_code, Some(4000));
    eprintln!("150 × 60 KB messages delivered to the fast screen in {elapsed:?}");
    app.finish().await;
}

/// One command of each kind, valid in a meeting with the debate open.
fn sample(kind: CommandKind) -> Command {
    let debate = item("stocktaking");
    let hn = DelegationId::new("hn");
    let booth = BoothId::new("booth-es");
    let hall = ScreenTarget::Screen(ScreenId::new("hall-left"));
    match kind {
        CommandKind::OpenItem => Command::OpenItem {
            item: item("adoption"),
        },
        CommandKind::NextItem => Command::NextItem,
        CommandKind::PreviousItem => Command::PreviousItem,
        CommandKind::MoveItem => Command::MoveItem {
            item: item("adoption"),
            to: 7,
        },
        CommandKind::SetTimeLimit => Command::SetTimeLimit {
            item: debate,
            category: Category::Observer,
            limit: Millis::from_mins(2),
        },
        CommandKind::RequestFloor => request_floor("hn", "stocktaking"),
        CommandKind::InsertSpeaker => Command::InsertSpeaker {
            item: debate,
            delegation: hn,
            kind: RequestKind::Statement,
            language: None,
            position: None,
        },
        CommandKind::WithdrawRequest => Command::WithdrawRequest {
            request: RequestId(1),
        },
        CommandKind::DeclareLanguage => Command::DeclareLanguage {
            request: RequestId(1),
            language: Lang::parse("en").unwrap(),
        },
        CommandKind::MoveRequest => Command::MoveRequest {
            request: RequestId(1),
            to: 0,
        },
        CommandKind::RemoveRequest => Command::RemoveRequest {
            request: RequestId(1),
        },
        CommandKind::ReaddRequest => Command::ReaddRequest {
            request: RequestId(1),
            position: None,
        },
        CommandKind::CloseList => Command::CloseList { item: debate },
        CommandKind::ReopenList => Command::ReopenList { item: debate },
        CommandKind::CallNext => Command::CallNext,
        CommandKind::GiveFloor => Command::GiveFloor {
            request: RequestId(1),
        },
        CommandKind::EndSpeech => Command::EndSpeech,
        CommandKind::PauseTimer => Command::PauseTimer,
        CommandKind::ResumeTimer => Command::ResumeTimer,
        CommandKind::ExtendTimer => Command::ExtendTimer {
            by: Millis::from_mins(1),
        },
        CommandKind::ResetTimer => Command::ResetTimer,
        CommandKind::TimeUp => Command::TimeUp,
        CommandKind::UndoFloorChange => Command::UndoFloorChange,
        CommandKind::StartPresentation => Command::StartPresentation {
            item: debate,
            presenter: None,
        },
        CommandKind::SkipPresenter => Command::SkipPresenter {
            item: debate,
            presenter: hn,
        },
        CommandKind::DeferPresenter => Command::DeferPresenter {
            item: debate,
            presenter: hn,
        },
        CommandKind::SetFloorLanguage => Command::SetFloorLanguage {
            language: Some(Lang::parse("en").unwrap()),
        },
        CommandKind::RequestHandover => Command::RequestHandover { booth },
        CommandKind::AcceptHandover => Command::AcceptHandover { booth },
        CommandKind::HandOver => Command::HandOver {
            booth,
            to: plenary_core::ids::InterpreterId::new("es-2"),
        },
        CommandKind::SlowerPlease => Command::SlowerPlease { booth },
        CommandKind::AcknowledgeSlowerPlease => Command::AcknowledgeSlowerPlease,
        CommandKind::AssignView => Command::AssignView {
            target: hall,
            view: View::Clock,
            languages: None,
        },
        CommandKind::PushMessage => Command::PushMessage {
            target: hall,
            text: Texts::new().with("en", "Hello"),
        },
        CommandKind::ClearMessage => Command::ClearMessage { target: hall },
        CommandKind::ReloadScreens => Command::ReloadScreens { target: hall },
    }
}

async fn every_role_against_every_command_matches_the_permissions_table(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    ok(
        &chair,
        Command::OpenItem {
            item: item("stocktaking"),
        },
    )
    .await;
    let roles: [(&str, RoleKind); 6] = [
        ("chair", RoleKind::Chair),
        ("secretariat", RoleKind::Secretariat),
        ("technician", RoleKind::Technician),
        ("delegation:hn", RoleKind::Delegation),
        ("interpreter:booth-es", RoleKind::Interpreter),
        ("screen:hall-left", RoleKind::Screen),
    ];
    let mut checked = 0;
    for kind in CommandKind::ALL {
        for (key, role) in roles
            .iter()
            .map(|(k, r)| (Some(*k), *r))
            .chain([(None, RoleKind::Public)])
        {
            let client = match key {
                Some(k) => app.connect(k).await,
                None => Client::connect(&app.ws_url(), Hello::public(MEETING))
                    .await
                    .unwrap(),
            };
            let reply = client.command(sample(kind)).await.unwrap();
            let refused_by_role = reply.code() == Some("not_permitted");
            assert_eq!(
                refused_by_role,
                !permitted(role, kind),
                "{role:?} × {kind:?}: {reply:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 36 * 7);
    // A delegation never acts for another, nor gives itself the floor.
    let hn = app.connect("delegation:hn").await;
    assert_eq!(
        hn.command(request_floor("gt", "stocktaking"))
            .await
            .unwrap()
            .code(),
        Some("not_your_delegation")
    );
    assert_eq!(
        hn.command(Command::CallNext).await.unwrap().code(),
        Some("not_permitted")
    );
    app.finish().await;
}

async fn the_chair_sees_a_screen_come_online(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut tech = app.connect("technician").await;
    let screen = app.connect("screen:overflow").await;
    let estimate = screen.time_sync(5).await.unwrap();
    assert!(estimate.rtt_ms >= 0.0 && estimate.rtt_ms < 1000.0);
    assert!(
        estimate.offset_ms.abs() < 1000.0,
        "same machine: {estimate:?}"
    );
    screen.send_status(&estimate).await.unwrap();
    // Presence frames reach the technician until one shows the report.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let frame = tokio::time::timeout_at(deadline, tech.next_frame())
            .await
            .expect("presence in time")
            .unwrap();
        if let ServerMessage::Presence { screens } = frame {
            let overflow = screens
                .iter()
                .find(|s| s.screen.as_str() == "overflow")
                .unwrap();
            if overflow.online && overflow.rtt_ms.is_some() {
                assert_eq!(overflow.connections, 1);
                break;
            }
        }
    }
    app.finish().await;
}

/// Events reach a follower as `event` frames, hidden ones as `null`.
async fn hidden_events_keep_their_seq_for_the_public(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let first = Client::connect(&app.ws_url(), Hello::public(MEETING))
        .await
        .unwrap();
    // The public's token names the meeting and needs no server-side session.
    let token = first.token().to_owned();
    assert_eq!(token, format!("public:{MEETING}"));
    first.close().await;
    let mut public = Client::connect(&app.ws_url(), Hello::token(token))
        .await
        .unwrap();
    assert_eq!(public.role(), &Role::Public);
    let booth = app.connect("interpreter:booth-es").await;
    let seq = ok(
        &booth,
        Command::SlowerPlease {
            booth: BoothId::new("booth-es"),
        },
    )
    .await;
    let frames = public.wait_for_seq(seq).await.unwrap();
    let event = frames.iter().find_map(|f| match f {
        ServerMessage::Event(e) if e.seq == seq => Some(e.clone()),
        _ => None,
    });
    let event = event.expect("the seq arrives");
    assert_eq!(event.event, None);
    assert_eq!(event.actor, None);
    // The chair sees the signal, but not who sent it.
    let mut chair = app.connect("chair").await;
    let seq2 = ok(&chair, Command::AcknowledgeSlowerPlease).await;
    let frames = chair.wait_for_seq(seq2).await.unwrap();
    assert!(frames.iter().any(|f| matches!(f, ServerMessage::Event(e) if matches!(e.event, Some(Event::SlowerPleaseAcknowledged)))));
    app.finish().await;
}

/// The server schedules thresholds from the timer's next-threshold
/// instant; under `end_speech` it takes the floor back when time is up.
/// On a manual clock: the test moves time, nothing waits real seconds.
async fn the_server_ends_a_speech_when_time_is_up(backend: Backend) {
    let definition = plenary_core::definition::load_str(
        "short.toml",
        &plenary_tests::REFERENCE.replacen(
            "on_time_up = \"overtime\"",
            "on_time_up = \"end_speech\"",
            1,
        ),
    )
    .unwrap();
    let (clock, time) = plenary_server::clock::Clock::manual();
    let Some(app) = TestApp::spawn_on_clock(backend, definition, |_| {}, clock).await else {
        return;
    };
    let chair = app.connect("chair").await;
    let mut screen = app.connect("screen:hall-left").await;
    ok(
        &chair,
        Command::OpenItem {
            item: item("stocktaking"),
        },
    )
    .await;
    ok(
        &app.connect("delegation:hn").await,
        request_floor("hn", "stocktaking"),
    )
    .await;
    let called = ok(&chair, Command::CallNext).await;
    screen.wait_for_seq(called).await.unwrap();
    // A statement of 5 minutes, warned at 1 minute left, final at 15 s.
    let mut phases = Vec::new();
    let next_phase = async |screen: &mut Client| loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), screen.next_frame())
            .await
            .expect("in time")
            .unwrap();
        match frame {
            ServerMessage::Phase { phase, .. } => return Ok(phase),
            ServerMessage::Event(e) => {
                if let Some(Event::SpeechEnded { reason, .. }) = e.event {
                    return Err((reason, e.actor));
                }
            }
            _ => {}
        }
    };
    time.advance(Millis::from_mins(4));
    phases.push(next_phase(&mut screen).await.unwrap());
    time.advance(Millis::from_secs(45));
    phases.push(next_phase(&mut screen).await.unwrap());
    time.advance(Millis::from_secs(15));
    phases.push(next_phase(&mut screen).await.unwrap());
    let ended = next_phase(&mut screen).await.unwrap_err();
    use plenary_core::timer::Phase;
    assert_eq!(phases, [Phase::Warning, Phase::Final, Phase::Overtime]);
    assert_eq!(
        ended,
        (plenary_core::floor::EndReason::Time, Some(Role::System))
    );
    app.finish().await;
}

/// A command that cannot be made durable is answered `store_unavailable`
/// and leaves nothing behind: not in the state, not on any screen.
async fn a_failed_commit_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    let seq = ok(
        &chair,
        Command::OpenItem {
            item: item("stocktaking"),
        },
    )
    .await;
    let before = server_view(&app, Audience::Presiding).await;
    app.store.close().await;
    let reply = chair
        .command(Command::CloseList {
            item: item("stocktaking"),
        })
        .await
        .unwrap();
    assert_eq!(reply.code(), Some("store_unavailable"));
    let after = server_view(&app, Audience::Presiding).await;
    assert_eq!(after, before, "the refused batch was rolled back in memory");
    assert_eq!(after["seq"], seq);
    // Decided again against the rolled-back state, the same command is
    // still refused for the same reason, not as "already closed".
    let again = chair
        .command(Command::CloseList {
            item: item("stocktaking"),
        })
        .await
        .unwrap();
    assert_eq!(again.code(), Some("store_unavailable"));
    app.finish().await;
}

on_both_databases!(
    a_failed_commit_changes_nothing,
    the_server_ends_a_speech_when_time_is_up,
    scripted_reference_session_over_websockets,
    resuming_after_a_dropped_connection_is_gap_free,
    a_repeated_command_id_is_applied_once,
    a_restart_keeps_every_acknowledged_event_and_running_timers,
    a_slow_consumer_is_cut_loose_without_delaying_a_fast_one,
    every_role_against_every_command_matches_the_permissions_table,
    the_chair_sees_a_screen_come_online,
    hidden_events_keep_their_seq_for_the_public,
);
