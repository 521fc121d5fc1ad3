//! The client against a scripted server on port 0: handshake, commands and
//! their replies, clock sync, gaps, refusals and resuming.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::time::Duration;

use plenary_client::{
    CatchUp, Client, ClientError, CommandReply, ConnectOptions, Hello, Session, local_now_ms,
};
use plenary_core::Command;
use plenary_core::ids::MeetingId;
use plenary_protocol::{Audience, ClientMessage, ProtocolErrorCode, ServerMessage};

use support::{
    Reference, ScriptedServer, Ws, close, insight, recv, send, send_all, until_closed, welcome,
};

/// Reads the hello and answers with a snapshot at `seq` of the reference.
async fn welcome_with_snapshot(ws: &mut Ws, r: &Reference, seq: u64) -> ClientMessage {
    let hello = recv(ws).await;
    let state = r.state_at(seq);
    send_all(
        ws,
        &[
            welcome(seq),
            ServerMessage::Snapshot {
                seq,
                state: Box::new(state.clone()),
            },
            insight(&state),
        ],
    )
    .await;
    hello
}

/// Answers a resuming hello with the events after its `resume_from_seq`.
async fn welcome_with_events(ws: &mut Ws, r: &Reference, upto: u64) -> ClientMessage {
    let hello = recv(ws).await;
    let ClientMessage::Hello {
        resume_from_seq: Some(from),
        ..
    } = &hello
    else {
        panic!("expected a resuming hello, got {hello:?}");
    };
    let mut frames = vec![welcome(upto)];
    frames.extend(
        r.frames(*from, upto, Audience::Presiding)
            .into_iter()
            .map(ServerMessage::Event),
    );
    frames.push(insight(&r.state_at(upto)));
    send_all(ws, &frames).await;
    hello
}

async fn command(ws: &mut Ws) -> (String, Command) {
    match recv(ws).await {
        ClientMessage::Command {
            command_id,
            command,
            ..
        } => (command_id, command),
        other => panic!("expected a command, got {other:?}"),
    }
}

#[tokio::test]
async fn connect_returns_the_welcome_and_the_snapshot_then_live_frames_follow() {
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        let r = Reference::new();
        let hello = welcome_with_snapshot(&mut ws, &r, 20).await;
        assert_eq!(
            hello,
            ClientMessage::Hello {
                protocol_version: 1,
                access_code: Some("CHAIR-1".to_owned()),
                token: None,
                meeting: None,
                resume_from_seq: None,
                stream: plenary_protocol::Stream::Events,
            }
        );
        send(&mut ws, &ServerMessage::Presence { screens: vec![] }).await;
        until_closed(&mut ws).await;
    })
    .await;

    let mut client = Client::connect(&server.url, Hello::access_code("CHAIR-1"))
        .await
        .unwrap();
    assert_eq!(client.role(), &plenary_core::Role::Chair);
    assert_eq!(client.meeting(), &MeetingId::new("san-pedro-sula-2017"));
    assert_eq!(client.token(), "tok-1");
    assert_eq!(client.welcome_seq(), 20);
    assert_eq!(client.last_seq(), 20);
    assert_eq!(client.initial_insight().seq, 20);
    let CatchUp::Snapshot { seq, state } = client.catch_up() else {
        panic!("expected a snapshot");
    };
    assert_eq!((*seq, state.seq), (20, 20));
    assert_eq!(
        client.next_frame().await.unwrap(),
        ServerMessage::Presence { screens: vec![] }
    );
    client.close().await;
    server.finish().await;
}

#[tokio::test]
async fn concurrent_commands_get_their_own_replies_and_events_come_before_the_ack() {
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        let r = Reference::new();
        welcome_with_snapshot(&mut ws, &r, 20).await;
        let first = command(&mut ws).await;
        let second = command(&mut ws).await;
        let (refused, accepted) = if first.1 == Command::CallNext {
            (first, second)
        } else {
            (second, first)
        };
        assert_eq!(accepted.1, Command::EndSpeech);
        // Answer the second command first: its event, then its ack.
        let event = r.frames(20, 21, Audience::Presiding).remove(0);
        send_all(
            &mut ws,
            &[
                ServerMessage::Event(event),
                ServerMessage::Ack {
                    command_id: accepted.0,
                    seq: 21,
                },
                ServerMessage::Error {
                    command_id: Some(refused.0),
                    code: "queue_empty".to_owned(),
                    message: "nobody is waiting to speak".to_owned(),
                    messages: plenary_core::i18n::Texts::new()
                        .with("en", "nobody is waiting to speak")
                        .with("es", "nadie espera para hablar"),
                },
                // Nobody waits for this one: it goes to the frame stream.
                ServerMessage::Ack {
                    command_id: "stray".to_owned(),
                    seq: 21,
                },
            ],
        )
        .await;
        until_closed(&mut ws).await;
    })
    .await;

    let mut client = Client::connect(&server.url, Hello::access_code("CHAIR-1"))
        .await
        .unwrap();
    let (call, end) = tokio::join!(
        client.send_command("cmd-call", Command::CallNext),
        client.send_command("cmd-end", Command::EndSpeech),
    );
    let call = call.unwrap();
    assert_eq!(call.code(), Some("queue_empty"));
    let CommandReply::Refused { messages, .. } = &call else {
        unreachable!()
    };
    assert_eq!(
        messages.get(&plenary_core::i18n::Lang::parse("es").unwrap()),
        Some("nadie espera para hablar")
    );
    assert_eq!(end.unwrap(), CommandReply::Acked { seq: 21 });

    // The acked command's event is already queued.
    let frames = client.wait_for_seq(21).await.unwrap();
    assert!(matches!(&frames[..], [ServerMessage::Event(f)] if f.seq == 21));
    assert_eq!(client.last_seq(), 21);
    assert!(matches!(
        client.next_frame().await.unwrap(),
        ServerMessage::Ack { command_id, .. } if command_id == "stray"
    ));
    client.close().await;
    server.finish().await;
}

#[tokio::test]
async fn a_batch_is_one_write_and_a_resent_id_gets_the_first_answer_again() {
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        let r = Reference::new();
        welcome_with_snapshot(&mut ws, &r, 20).await;
        let mut ids = Vec::new();
        for _ in 0..4 {
            ids.push(command(&mut ws).await.0);
        }
        assert_eq!(ids, ["b-1", "b-2", "b-3", "b-1"]);
        // The server answers a repeated id with the first answer.
        let replies: Vec<_> = ids
            .iter()
            .map(|id| ServerMessage::Ack {
                command_id: id.clone(),
                seq: 20,
            })
            .collect();
        send_all(&mut ws, &replies).await;
        until_closed(&mut ws).await;
    })
    .await;

    let client = Client::connect(&server.url, Hello::access_code("CHAIR-1"))
        .await
        .unwrap();
    let pending = client
        .submit_batch(
            ["b-1", "b-2", "b-3", "b-1"]
                .into_iter()
                .map(|id| (id.to_owned(), Command::PauseTimer)),
        )
        .await
        .unwrap();
    assert_eq!(pending[3].command_id(), "b-1");
    for p in pending {
        assert_eq!(p.wait().await.unwrap(), CommandReply::Acked { seq: 20 });
    }
    client.close().await;
    server.finish().await;
}

#[tokio::test]
async fn command_ids_are_fresh_uuids() {
    let a = plenary_client::new_command_id();
    let b = plenary_client::new_command_id();
    assert_ne!(a, b);
    assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 4);
}

#[tokio::test]
async fn time_sync_finds_a_server_clock_five_seconds_ahead() {
    const SKEW: f64 = 5_000.0;
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        let r = Reference::new();
        welcome_with_snapshot(&mut ws, &r, 20).await;
        for _ in 0..5 {
            let ClientMessage::TimeSync { t0 } = recv(&mut ws).await else {
                panic!("expected time_sync");
            };
            let t1 = local_now_ms() + SKEW;
            let t2 = local_now_ms() + SKEW;
            send(&mut ws, &ServerMessage::TimeSync { t0, t1, t2 }).await;
        }
        let ClientMessage::Status { offset_ms, .. } = recv(&mut ws).await else {
            panic!("expected status");
        };
        assert!((offset_ms - SKEW).abs() < 100.0, "{offset_ms}");
        until_closed(&mut ws).await;
    })
    .await;

    let client = Client::connect(&server.url, Hello::access_code("SCREEN-1"))
        .await
        .unwrap();
    let estimate = client.time_sync(5).await.unwrap();
    assert_eq!(estimate.samples, 5);
    assert!(
        (estimate.offset_ms - SKEW).abs() < 100.0,
        "offset {} ms, rtt {} ms",
        estimate.offset_ms,
        estimate.rtt_ms
    );
    assert!(
        estimate.rtt_ms >= 0.0 && estimate.rtt_ms < 200.0,
        "{estimate:?}"
    );
    let server_now = estimate.server_now().0 as f64;
    assert!((server_now - (local_now_ms() + SKEW)).abs() < 100.0);
    client.send_status(&estimate).await.unwrap();
    client.close().await;
    server.finish().await;
}

#[tokio::test]
async fn a_gap_in_the_event_stream_is_reported_and_the_connection_dropped() {
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        let r = Reference::new();
        welcome_with_snapshot(&mut ws, &r, 20).await;
        let frames = r.frames(20, 23, Audience::Presiding);
        send_all(
            &mut ws,
            &[
                ServerMessage::Event(frames[0].clone()), // 21
                ServerMessage::Event(frames[2].clone()), // 23: 22 is missing
            ],
        )
        .await;
        // The client hangs up.
        until_closed(&mut ws).await;
    })
    .await;

    let mut client = Client::connect(&server.url, Hello::access_code("CHAIR-1"))
        .await
        .unwrap();
    assert!(matches!(client.next_frame().await.unwrap(), ServerMessage::Event(f) if f.seq == 21));
    let err = client.next_frame().await.unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Gap {
                expected: 22,
                found: 23
            }
        ),
        "{err}"
    );
    assert!(err.should_resume());
    assert_eq!(client.last_seq(), 21, "resume from the last good event");
    server.finish().await;
    // Commands are refused once the client gave up on the connection.
    assert!(matches!(
        client.command(Command::CallNext).await,
        Err(ClientError::Closed { .. })
    ));
}

#[tokio::test]
async fn a_refused_hello_is_a_protocol_error() {
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        recv(&mut ws).await;
        send(
            &mut ws,
            &ServerMessage::protocol_error(ProtocolErrorCode::InvalidAccessCode, None),
        )
        .await;
        close(&mut ws, 1008, "invalid access code").await;
    })
    .await;

    let err = Client::connect(&server.url, Hello::access_code("WRONG"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Protocol { code, .. } if code == "invalid_access_code"),
        "{err}"
    );
    assert!(!err.should_resume());
    server.finish().await;
}

#[tokio::test]
async fn a_server_that_never_welcomes_times_out() {
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        recv(&mut ws).await;
        until_closed(&mut ws).await;
    })
    .await;
    let options = ConnectOptions {
        hello_timeout: Duration::from_millis(200),
        ..ConnectOptions::default()
    };
    let err = Client::connect_with(&server.url, Hello::public("san-pedro-sula-2017"), options)
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err}");
    server.finish().await;
}

#[tokio::test]
async fn a_command_pending_when_the_server_goes_away_fails_with_its_close_code() {
    let server = ScriptedServer::start(1, |_, mut ws| async move {
        let r = Reference::new();
        welcome_with_snapshot(&mut ws, &r, 20).await;
        command(&mut ws).await;
        close(&mut ws, 1001, "server shutting down").await;
    })
    .await;
    let client = Client::connect(&server.url, Hello::access_code("CHAIR-1"))
        .await
        .unwrap();
    let err = client.command(Command::CallNext).await.unwrap_err();
    assert_eq!(err.close_code(), Some(1001), "{err}");
    assert!(err.should_resume());
    server.finish().await;
}

#[tokio::test]
async fn bad_urls_and_closed_ports_fail_to_connect() {
    let err = Client::connect("http://127.0.0.1:1/ws", Hello::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Url { .. }), "{err}");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = Client::connect(&format!("ws://{addr}/ws"), Hello::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Connect { .. }), "{err}");
}

#[tokio::test]
async fn a_session_that_is_dropped_and_resumes_ends_with_the_servers_state() {
    let r = Reference::new();
    let mid = r.last_seq() / 2;
    let last = r.last_seq();
    let server = ScriptedServer::start(2, move |n, mut ws| async move {
        let r = Reference::new();
        if n == 0 {
            welcome_with_snapshot(&mut ws, &r, mid).await;
            let frames: Vec<_> = r
                .frames(mid, mid + 5, Audience::Presiding)
                .into_iter()
                .map(ServerMessage::Event)
                .collect();
            send_all(&mut ws, &frames).await;
            close(&mut ws, 1001, "server shutting down").await;
        } else {
            let hello = welcome_with_events(&mut ws, &r, last).await;
            assert!(matches!(
                hello,
                ClientMessage::Hello { access_code: Some(code), resume_from_seq: Some(from), .. }
                    if code == "CHAIR-1" && from == mid + 5
            ));
            until_closed(&mut ws).await;
        }
    })
    .await;

    let mut session = Session::connect(&server.url, Hello::access_code("CHAIR-1"))
        .await
        .unwrap();
    assert_eq!(session.seq(), mid);
    let err = loop {
        match session.next().await {
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(err.close_code(), Some(1001), "{err}");
    assert!(err.should_resume());
    assert_eq!(session.seq(), mid + 5);

    session.reconnect().await.unwrap();
    assert_eq!(session.seq(), last);
    assert_eq!(session.insight().map(|i| i.seq), Some(last));
    let meeting = session.close().await;
    assert_eq!(meeting, r.last);
    server.finish().await;
}

#[tokio::test]
async fn a_session_resuming_too_far_back_takes_the_snapshot_instead() {
    let r = Reference::new();
    let last = r.last_seq();
    let server = ScriptedServer::start(1, move |_, mut ws| async move {
        let r = Reference::new();
        let hello = welcome_with_snapshot(&mut ws, &r, last).await;
        assert!(matches!(
            hello,
            ClientMessage::Hello {
                resume_from_seq: Some(10),
                ..
            }
        ));
        until_closed(&mut ws).await;
    })
    .await;

    let session = Session::resume(
        &server.url,
        Hello::access_code("CHAIR-1"),
        ConnectOptions::default(),
        r.state_at(10),
    )
    .await
    .unwrap();
    assert_eq!(session.close().await, r.last);
    server.finish().await;
}

/// `Client` follows the event stream: a views hello is refused before any
/// connection is made, instead of waiting for a snapshot that never comes.
#[tokio::test]
async fn a_views_hello_is_refused_at_once_with_a_clear_error() {
    let started = std::time::Instant::now();
    let Err(e) = Client::connect("ws://127.0.0.1:9/ws", Hello::public("m").views()).await else {
        panic!("a views hello was accepted");
    };
    assert!(matches!(e, ClientError::ViewsStream), "{e}");
    assert!(e.to_string().contains("stream = views"));
    assert!(!e.should_resume());
    assert!(started.elapsed() < Duration::from_secs(1));
}
