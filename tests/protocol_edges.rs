//! Bad input on the websocket gets a clear error and changes nothing:
//! malformed JSON, unknown messages, oversized frames, wrong versions,
//! bad codes, a missing hello, too many commands, foreign origins — and
//! shutdown closes every connection with 1001.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use plenary_tests::{Backend, MEETING, TestApp};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn raw(app: &TestApp) -> Ws {
    tokio_tungstenite::connect_async(app.ws_url())
        .await
        .unwrap()
        .0
}

async fn send_json(ws: &mut Ws, value: serde_json::Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// The next JSON frame, or the close code.
async fn next(ws: &mut Ws) -> Result<serde_json::Value, Option<u16>> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("answer in time")
        {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| u16::from(f.code))),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(None),
        }
    }
}

/// Reads until a frame of `kind` arrives.
async fn until(ws: &mut Ws, kind: &str) -> serde_json::Value {
    loop {
        let v = next(ws)
            .await
            .unwrap_or_else(|c| panic!("closed {c:?} waiting for {kind}"));
        if v["type"] == kind {
            return v;
        }
    }
}

/// Reads until the connection closes; its close code.
async fn closed(ws: &mut Ws) -> Option<u16> {
    loop {
        if let Err(code) = next(ws).await {
            return code;
        }
    }
}

async fn welcomed(app: &TestApp, role: &str) -> Ws {
    let mut ws = raw(app).await;
    send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": app.code(role)}),
    )
    .await;
    until(&mut ws, "welcome").await;
    until(&mut ws, "insight").await;
    ws
}

#[tokio::test]
async fn malformed_and_unknown_messages_get_an_error_and_the_connection_stays() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut ws = welcomed(&app, "chair").await;
    ws.send(Message::Text("{not json".into())).await.unwrap();
    assert_eq!(until(&mut ws, "error").await["code"], "bad_message");
    send_json(&mut ws, serde_json::json!({"type": "dance"})).await;
    assert_eq!(until(&mut ws, "error").await["code"], "bad_message");
    send_json(
        &mut ws,
        serde_json::json!({"type": "command", "command_id": "x", "command": {"type": "call_nxt"}}),
    )
    .await;
    let unknown = until(&mut ws, "error").await;
    assert_eq!(unknown["code"], "bad_message");
    assert_eq!(
        unknown["command_id"], "x",
        "a client matching answers by id is not left waiting"
    );
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(until(&mut ws, "error").await["code"], "bad_message");
    send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "protocol_version": 1}),
    )
    .await;
    assert_eq!(until(&mut ws, "error").await["code"], "already_welcomed");
    send_json(
        &mut ws,
        serde_json::json!({"type": "command", "command_id": "", "command": {"type": "call_next"}}),
    )
    .await;
    assert_eq!(until(&mut ws, "error").await["code"], "invalid_command_id");
    // Still alive, and nothing was applied.
    send_json(
        &mut ws,
        serde_json::json!({"type": "time_sync", "t0": 12.5}),
    )
    .await;
    let sync = until(&mut ws, "time_sync").await;
    assert_eq!(sync["t0"], 12.5);
    assert!(sync["t1"].as_f64().unwrap() <= sync["t2"].as_f64().unwrap());
    let hub = app.service.state.meeting(&MEETING.into()).unwrap();
    assert_eq!(
        hub.view(plenary_protocol::Audience::Presiding)
            .await
            .unwrap()
            .0
            .seq,
        1
    );
    app.finish().await;
}

#[tokio::test]
async fn a_frame_over_64_kib_closes_with_1009() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut ws = welcomed(&app, "chair").await;
    let big = format!(
        "{{\"type\":\"time_sync\",\"t0\":1,\"pad\":\"{}\"}}",
        "x".repeat(70 * 1024)
    );
    ws.send(Message::Text(big.into())).await.unwrap();
    assert_eq!(closed(&mut ws).await, Some(1009));
    app.finish().await;
}

#[tokio::test]
async fn hello_problems_are_refused_with_a_code_and_closed_with_1008() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for (hello, code) in [
        (
            serde_json::json!({"type": "hello", "protocol_version": 7, "access_code": app.code("chair")}),
            "unsupported_version",
        ),
        (
            serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": "AAAA-BBBB-CCCC-DDDD"}),
            "invalid_access_code",
        ),
        (
            serde_json::json!({"type": "hello", "protocol_version": 1, "token": "nope"}),
            "invalid_access_code",
        ),
        (
            serde_json::json!({"type": "hello", "protocol_version": 1, "meeting": "elsewhere"}),
            "unknown_meeting",
        ),
        (
            serde_json::json!({"type": "time_sync", "t0": 1}),
            "hello_required",
        ),
    ] {
        let mut ws = raw(&app).await;
        send_json(&mut ws, hello).await;
        let error = next(&mut ws).await.unwrap();
        assert_eq!(error["type"], "error");
        assert_eq!(error["code"], code);
        assert!(error["messages"]["es"].is_string());
        assert_eq!(next(&mut ws).await, Err(Some(1008)));
    }
    // Codes are typed loosely: case and separators do not matter.
    let mut ws = raw(&app).await;
    let loose = app.code("chair").to_lowercase().replace('-', " ");
    send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": loose}),
    )
    .await;
    assert_eq!(until(&mut ws, "welcome").await["role"]["role"], "chair");
    app.finish().await;
}

#[tokio::test]
async fn no_hello_in_time_closes_with_4001() {
    let app = TestApp::spawn_with(Backend::Sqlite, plenary_tests::reference(), |c| {
        c.hello_timeout = Duration::from_millis(300);
    })
    .await
    .unwrap();
    let mut ws = raw(&app).await;
    assert_eq!(closed(&mut ws).await, Some(4001));
    app.finish().await;
}

#[tokio::test]
async fn a_closed_public_view_needs_a_code() {
    let mut definition = plenary_tests::reference();
    definition.public_view_open = false;
    let app = TestApp::spawn_with(Backend::Sqlite, definition, |_| {})
        .await
        .unwrap();
    let mut ws = raw(&app).await;
    send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "protocol_version": 1, "meeting": MEETING}),
    )
    .await;
    assert_eq!(next(&mut ws).await.unwrap()["code"], "public_view_closed");
    app.finish().await;
}

#[tokio::test]
async fn too_many_commands_are_rate_limited_and_not_applied() {
    let app = TestApp::spawn_with(Backend::Sqlite, plenary_tests::reference(), |c| {
        c.commands_per_second = 1;
        c.command_burst = 2;
    })
    .await
    .unwrap();
    let mut ws = welcomed(&app, "technician").await;
    for i in 0..3 {
        let cmd = serde_json::json!({"type": "reload_screens", "target": {"kind": "all"}});
        send_json(
            &mut ws,
            serde_json::json!({"type": "command", "command_id": format!("c{i}"), "command": cmd}),
        )
        .await;
    }
    let mut answers = Vec::new();
    while answers.len() < 3 {
        let v = next(&mut ws).await.unwrap();
        if v["type"] == "ack" || v["type"] == "error" {
            answers.push((
                v["command_id"].as_str().unwrap().to_owned(),
                v["type"].as_str().unwrap().to_owned(),
                v["code"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    answers.sort();
    assert_eq!(answers[0].1, "ack");
    assert_eq!(answers[1].1, "ack");
    assert_eq!(answers[2].1, "error");
    assert_eq!(answers[2].2, "rate_limited");
    app.finish().await;
}

#[tokio::test]
async fn a_foreign_origin_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut request = app.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Origin", "http://evil.example".parse().unwrap());
    let error = tokio_tungstenite::connect_async(request)
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("403"), "{error}");
    // The service's own origin is fine.
    let mut request = app.ws_url().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Origin", format!("http://{}", app.addr).parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
    app.finish().await;
}

#[tokio::test]
async fn shutdown_closes_every_websocket_with_1001() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut a = welcomed(&app, "chair").await;
    let mut b = welcomed(&app, "screen:hall-left").await;
    let stopping = tokio::spawn(async move { app.finish().await });
    assert_eq!(closed(&mut a).await, Some(1001));
    assert_eq!(closed(&mut b).await, Some(1001));
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("shutdown completes")
        .unwrap();
}

#[tokio::test]
async fn a_10_mib_frame_closes_with_1009_too() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut ws = welcomed(&app, "chair").await;
    let huge = "x".repeat(10 * 1024 * 1024);
    // The server may close before the whole frame is written.
    let _maybe = ws.send(Message::Text(huge.into())).await;
    assert_eq!(closed(&mut ws).await, Some(1009));
    app.finish().await;
}

/// A code revoked elsewhere (the CLI writes the store directly) ends the
/// sockets opened with it, and the session token it gave is refused.
#[tokio::test]
async fn revoking_a_code_in_the_store_closes_its_sockets_with_1008() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut ws = welcomed(&app, "delegation:hn").await;
    let mut other = welcomed(&app, "delegation:gt").await;
    let codes = app.store.list_access_codes(&MEETING.into()).await.unwrap();
    let hn = codes
        .iter()
        .find(|c| c.role.to_string() == "delegation:hn")
        .unwrap();
    let revoked = app
        .store
        .revoke_access_code(&MEETING.into(), &hn.id, plenary_server::clock::now())
        .await
        .unwrap();
    assert!(revoked);
    assert_eq!(closed(&mut ws).await, Some(1008));
    // Others are untouched.
    send_json(
        &mut other,
        serde_json::json!({"type": "time_sync", "t0": 1.0}),
    )
    .await;
    until(&mut other, "time_sync").await;
    // Neither the code nor a token from it logs in again.
    let mut again = raw(&app).await;
    send_json(
        &mut again,
        serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": app.code("delegation:hn")}),
    )
    .await;
    assert_eq!(
        until(&mut again, "error").await["code"],
        "invalid_access_code"
    );
    app.finish().await;
}

/// Session tokens are signed, not remembered: one outlives a restart, a
/// forged one is refused.
#[tokio::test]
async fn a_session_token_survives_a_restart_and_a_forged_one_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut ws = raw(&app).await;
    send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": app.code("chair")}),
    )
    .await;
    let token = until(&mut ws, "welcome").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(ws);
    let app = app.restart().await;
    let mut back = raw(&app).await;
    send_json(
        &mut back,
        serde_json::json!({"type": "hello", "protocol_version": 1, "token": token}),
    )
    .await;
    assert_eq!(until(&mut back, "welcome").await["role"]["role"], "chair");
    // One digit of the signature changed, always to another digit (a
    // fixed replacement would equal the original one time in sixteen).
    let (kept, last) = token.split_at(token.len() - 1);
    let forged = format!("{kept}{}", if last == "0" { '1' } else { '0' });
    assert_ne!(forged, token);
    let mut bad = raw(&app).await;
    send_json(
        &mut bad,
        serde_json::json!({"type": "hello", "protocol_version": 1, "token": forged}),
    )
    .await;
    assert_eq!(
        until(&mut bad, "error").await["code"],
        "invalid_access_code"
    );
    assert_eq!(closed(&mut bad).await, Some(1008));
    app.finish().await;
}

/// Closed connections are forgotten by the hub within a second, without
/// waiting for the meeting's next event.
#[tokio::test]
async fn closed_connections_are_pruned_without_an_event() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let hub = app.service.state.meeting(&MEETING.into()).unwrap();
    let mut viewers = Vec::new();
    for _ in 0..40 {
        let mut ws = raw(&app).await;
        send_json(
            &mut ws,
            serde_json::json!({"type": "hello", "protocol_version": 1, "meeting": MEETING}),
        )
        .await;
        until(&mut ws, "welcome").await;
        viewers.push(ws);
    }
    assert_eq!(hub.subscriber_count(), 40);
    for mut ws in viewers {
        ws.close(None).await.unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while hub.subscriber_count() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} closed connections still held",
            hub.subscriber_count()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.finish().await;
}

/// A countdown pushed past its thresholds by a command (a large negative
/// extension) announces the phase it landed in at once.
#[tokio::test]
async fn a_jump_over_thresholds_is_announced() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut ws = welcomed(&app, "chair").await;
    let command = |id: &str, command: serde_json::Value| serde_json::json!({"type": "command", "command_id": id, "command": command});
    send_json(
        &mut ws,
        command(
            "1",
            serde_json::json!({"type": "open_item", "item": "stocktaking"}),
        ),
    )
    .await;
    until(&mut ws, "ack").await;
    send_json(
        &mut ws,
        command(
            "2",
            serde_json::json!({"type": "insert_speaker", "item": "stocktaking", "delegation": "hn", "kind": "statement"}),
        ),
    )
    .await;
    let inserted = until(&mut ws, "ack").await;
    assert!(inserted["seq"].is_u64(), "{inserted}");
    send_json(
        &mut ws,
        command("3", serde_json::json!({"type": "call_next"})),
    )
    .await;
    until(&mut ws, "ack").await;
    // Leave 5 s of a limit of several minutes: past warning and final.
    let state = app
        .service
        .state
        .meeting(&MEETING.into())
        .unwrap()
        .view(plenary_protocol::Audience::Presiding)
        .await
        .unwrap()
        .0;
    let limit = state
        .floor
        .current
        .as_ref()
        .unwrap()
        .timer
        .limit
        .as_millis();
    send_json(
        &mut ws,
        command(
            "4",
            serde_json::json!({"type": "extend_timer", "by": -(limit - 5_000)}),
        ),
    )
    .await;
    let phase = until(&mut ws, "phase").await;
    assert_eq!(phase["phase"], "final", "{phase}");
    app.finish().await;
}

/// Guessing codes over the websocket is slowed per address: after a burst
/// of wrong codes, even a right one waits.
#[tokio::test]
async fn wrong_codes_are_throttled_per_address() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let hello = |code: String| serde_json::json!({"type": "hello", "protocol_version": 1, "access_code": code});
    for i in 0..20 {
        let mut ws = raw(&app).await;
        send_json(&mut ws, hello(format!("WRONG-CODE-{i:04}"))).await;
        assert_eq!(until(&mut ws, "error").await["code"], "invalid_access_code");
    }
    let mut ws = raw(&app).await;
    send_json(&mut ws, hello(app.code("chair"))).await;
    assert_eq!(until(&mut ws, "error").await["code"], "too_many_attempts");
    assert_eq!(closed(&mut ws).await, Some(1008));
    app.finish().await;
}
