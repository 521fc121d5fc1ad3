//! The view stream (`stream: "views"`): each display gets its document once,
//! then RFC 6902 patches that bring it exactly to what the server derives;
//! a reconnect resumes with the patches it missed, or a whole document when
//! it cannot; and nothing a role may not see travels in its document.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use plenary_client::{Client, CommandReply};
use plenary_core::Command;
use plenary_core::ids::{DelegationId, ItemId};
use plenary_core::rules::RequestKind;
use plenary_protocol::views::{self, Audience, ViewKey};
use plenary_tests::{Backend, MEETING, TestApp, on_both_databases};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const DEBATE: &str = "responsibility-sharing";

/// A display following its document: the socket, the document and its seq.
struct Display {
    ws: Ws,
    doc: serde_json::Value,
    seq: u64,
    /// Every frame type received, in order.
    received: Vec<String>,
}

async fn next(ws: &mut Ws) -> Option<serde_json::Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Err(_) => return None,
            Ok(Some(Ok(Message::Text(t)))) => return Some(serde_json::from_str(&t).unwrap()),
            Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => panic!("connection closed"),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// Say hello asking for views; returns once welcomed, with what came first
/// (a whole view, patches, or nothing) applied.
async fn open(
    app: &TestApp,
    hello: serde_json::Value,
    held: Option<(serde_json::Value, u64)>,
) -> Display {
    let mut ws = tokio_tungstenite::connect_async(app.ws_url())
        .await
        .unwrap()
        .0;
    ws.send(Message::Text(hello.to_string().into()))
        .await
        .unwrap();
    let welcome = next(&mut ws).await.expect("welcome");
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    let (doc, seq) = held.unwrap_or((serde_json::Value::Null, 0));
    let mut display = Display {
        ws,
        doc,
        seq,
        received: vec!["welcome".to_owned()],
    };
    // What follows the welcome right away.
    while let Ok(Some(frame)) =
        tokio::time::timeout(Duration::from_millis(300), next(&mut display.ws)).await
    {
        display.take(frame);
    }
    display
}

fn hello(code: Option<String>, resume: Option<u64>) -> serde_json::Value {
    let mut h = serde_json::json!({"type": "hello", "protocol_version": 1, "stream": "views"});
    match code {
        Some(c) => h["access_code"] = c.into(),
        None => h["meeting"] = MEETING.into(),
    }
    if let Some(seq) = resume {
        h["resume_from_seq"] = seq.into();
    }
    h
}

impl Display {
    fn take(&mut self, frame: serde_json::Value) {
        let kind = frame["type"].as_str().unwrap().to_owned();
        match kind.as_str() {
            "view" => {
                self.doc = frame["view"].clone();
                self.seq = frame["seq"].as_u64().unwrap();
            }
            "patch" => {
                assert_eq!(
                    frame["from"].as_u64(),
                    Some(self.seq),
                    "a patch from the seq held"
                );
                let ops: json_patch::Patch = serde_json::from_value(frame["ops"].clone()).unwrap();
                json_patch::patch(&mut self.doc, &ops).expect("the patch applies");
                self.seq = frame["seq"].as_u64().unwrap();
            }
            _ => {}
        }
        self.received.push(kind);
    }

    /// Reads until the document is at `seq` or later.
    async fn until_seq(&mut self, seq: u64) {
        while self.seq < seq {
            let frame = next(&mut self.ws)
                .await
                .unwrap_or_else(|| panic!("no patch to {seq} (at {})", self.seq));
            self.take(frame);
        }
    }
}

/// The document the server derives now, for `key`.
async fn derived(app: &TestApp, key: &ViewKey) -> serde_json::Value {
    let hub = app.service.state.meeting(&MEETING.into()).expect("meeting");
    let (state, _) = hub.view(Audience::Presiding).await.expect("state");
    serde_json::to_value(views::derive(&state, key).expect("a known key")).unwrap()
}

async fn ok(client: &Client, command: Command) -> u64 {
    match client.command(command.clone()).await.expect("answered") {
        CommandReply::Acked { seq } => seq,
        refused @ CommandReply::Refused { .. } => panic!("{command:?} refused: {refused:?}"),
    }
}

fn request(who: &str) -> Command {
    Command::RequestFloor {
        item: ItemId::new(DEBATE),
        delegation: DelegationId::new(who),
        kind: RequestKind::Statement,
        language: None,
    }
}

async fn open_debate(chair: &Client) -> u64 {
    ok(
        chair,
        Command::OpenItem {
            item: ItemId::new(DEBATE),
        },
    )
    .await
}

async fn patches_follow_and_reach_the_derived_document(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    let mut br = open(&app, hello(Some(app.code("delegation:br")), None), None).await;
    let mut public = open(&app, hello(None, None), None).await;
    for d in [&br, &public] {
        assert_eq!(
            d.received[..2],
            ["welcome", "view"],
            "a whole document first"
        );
    }
    assert_eq!(br.doc["surface"], "delegation");
    assert_eq!(br.doc["me"]["id"], "br");
    assert_eq!(public.doc["surface"], "public");

    open_debate(&chair).await;
    let us = app.connect("delegation:us").await;
    ok(&us, request("us")).await;
    let br_client = app.connect("delegation:br").await;
    let seq = ok(&br_client, request("br")).await;
    br.until_seq(seq).await;
    public.until_seq(seq).await;

    for (d, key) in [
        (&br, ViewKey::Delegation(DelegationId::new("br"))),
        (&public, ViewKey::Public),
    ] {
        assert_eq!(
            d.doc,
            derived(&app, &key).await,
            "{key}: the patched document is the derived one"
        );
        for kind in ["snapshot", "event", "insight"] {
            assert!(
                !d.received.iter().any(|k| k == kind),
                "{key} received a {kind}"
            );
        }
    }
    // Brazil sees its own request second in line, and may not ask twice.
    assert_eq!(br.doc["mine"][0]["place"], 2);
    let statement = &br.doc["may_request"][0];
    assert_eq!(statement["kind"], "statement");
    assert_eq!(statement["verdict"]["verdict"], "refused");
    assert_eq!(statement["verdict"]["code"], "already_requested");
    assert_eq!(public.doc["next"][1]["delegation"], "br");
    app.finish().await;
}

async fn a_reconnect_gets_the_missed_patches_or_a_whole_document(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    open_debate(&chair).await;
    let code = app.code("screen:hall-left");
    let screen = open(&app, hello(Some(code.clone()), None), None).await;
    let (doc, seq) = (screen.doc.clone(), screen.seq);
    drop(screen);

    // Missed while away: two requests and a call.
    for who in ["us", "ca"] {
        ok(
            &app.connect(&format!("delegation:{who}")).await,
            request(who),
        )
        .await;
    }
    let last = ok(&chair, Command::CallNext).await;

    let mut back = open(
        &app,
        hello(Some(code.clone()), Some(seq)),
        Some((doc.clone(), seq)),
    )
    .await;
    assert!(
        back.received.iter().skip(1).all(|k| k == "patch"),
        "only patches: {:?}",
        back.received
    );
    assert!(back.received.len() > 1, "the missed patches came");
    back.until_seq(last).await;
    let key = ViewKey::Screen("hall-left".into());
    assert_eq!(back.doc, derived(&app, &key).await);

    // Up to date: nothing at all.
    let current = back.seq;
    let idle = open(
        &app,
        hello(Some(code.clone()), Some(current)),
        Some((back.doc.clone(), current)),
    )
    .await;
    assert_eq!(
        idle.received,
        ["welcome"],
        "nothing to send to a display up to date"
    );

    // A seq this document never had (another stream's, or invented): whole.
    let odd = open(
        &app,
        hello(Some(code.clone()), Some(current + 1_000)),
        Some((back.doc.clone(), current)),
    )
    .await;
    assert_eq!(odd.received[..2], ["welcome", "view"]);
    assert_eq!(odd.doc, derived(&app, &key).await);

    // After a restart the window is gone: a display behind gets it whole, and
    // one up to date keeps its document, which is still what is derived.
    let app = app.restart().await;
    let fresh = open(&app, hello(Some(code.clone()), Some(seq)), Some((doc, seq))).await;
    assert_eq!(fresh.received[..2], ["welcome", "view"]);
    let same = open(
        &app,
        hello(Some(code), Some(current)),
        Some((back.doc.clone(), current)),
    )
    .await;
    assert_eq!(same.received, ["welcome"]);
    assert_eq!(same.doc, derived(&app, &key).await);
    app.finish().await;
}

async fn documents_carry_only_what_the_role_may_see(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    open_debate(&chair).await;
    ok(&app.connect("delegation:us").await, request("us")).await;
    ok(&app.connect("delegation:ca").await, request("ca")).await;
    let definition = plenary_tests::reference();
    let names: Vec<String> = definition
        .booths
        .iter()
        .flat_map(|b| b.interpreters.iter().map(|i| i.name.clone()))
        .filter(|n| !n.is_empty())
        .collect();
    assert!(!names.is_empty());
    let mut codes: Vec<Option<String>> = vec![None];
    codes.extend(["delegation:br", "screen:hall-left"].map(|r| Some(app.code(r))));
    for code in codes {
        let d = open(&app, hello(code.clone(), None), None).await;
        let text = d.doc.to_string();
        for name in &names {
            assert!(
                !text.contains(name.as_str()),
                "{code:?}'s document names interpreter {name}"
            );
        }
        assert!(
            !text.contains("slower_please"),
            "{code:?} sees booth signals"
        );
        if code.is_none() {
            assert!(
                text.len() < 8 * 1024,
                "the public's first document is {} bytes",
                text.len()
            );
        }
    }
    // Brazil's document holds Brazil's requests only.
    let br = open(&app, hello(Some(app.code("delegation:br")), None), None).await;
    assert_eq!(br.doc["mine"], serde_json::json!([]));
    // The booth sees its own booth, with names.
    let booth = open(
        &app,
        hello(Some(app.code("interpreter:booth-es")), None),
        None,
    )
    .await;
    assert_eq!(booth.doc["surface"], "booth");
    assert_eq!(booth.doc["booth"]["id"], "booth-es");
    app.finish().await;
}

/// Two consoles: what one decided on a floor the other has since changed is
/// refused `stale` and changes nothing; the presiding document carries what
/// a console must send, and the undo it may still make.
async fn a_floor_command_decided_on_an_old_floor_is_refused_stale(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let chair = app.connect("chair").await;
    let secretariat = app.connect("secretariat").await;
    open_debate(&chair).await;
    for who in ["us", "ca"] {
        ok(
            &app.connect(&format!("delegation:{who}")).await,
            request(who),
        )
        .await;
    }
    ok(&chair, Command::CallNext).await;
    let mut console = open(&app, hello(Some(app.code("chair")), None), None).await;
    let seen: plenary_core::floor::FloorSeen =
        serde_json::from_value(console.doc["floor_seen"].clone()).unwrap();
    // The secretariat moves on first.
    let moved = ok(&secretariat, Command::CallNext).await;
    console.until_seq(moved).await;
    assert_eq!(console.doc["floor"]["delegation"], "ca");
    assert!(
        console.doc["undo"]["until"].as_i64().is_some(),
        "the call can be undone"
    );
    let reply = chair
        .send_command_seen("late-end", Command::EndSpeech, seen)
        .await
        .unwrap();
    assert_eq!(reply.code(), Some("stale"), "{reply:?}");
    assert_eq!(
        derived(&app, &ViewKey::Presiding).await["floor"]["delegation"],
        "ca"
    );
    // Resent with the same id after a reconnect: the same answer.
    let again = chair
        .send_command_seen("late-end", Command::EndSpeech, seen)
        .await
        .unwrap();
    assert_eq!(again.code(), Some("stale"));
    // Decided on what the console shows now, the undo applies.
    let now_seen: plenary_core::floor::FloorSeen =
        serde_json::from_value(console.doc["floor_seen"].clone()).unwrap();
    let reply = chair
        .send_command_seen("undo-1", Command::UndoFloorChange, now_seen)
        .await
        .unwrap();
    assert!(reply.is_acked(), "{reply:?}");
    let after = derived(&app, &ViewKey::Presiding).await;
    assert_eq!(after["floor"]["delegation"], "us");
    assert_eq!(after["next"][0]["delegation"], "ca");
    app.finish().await;
}

on_both_databases!(
    patches_follow_and_reach_the_derived_document,
    a_reconnect_gets_the_missed_patches_or_a_whole_document,
    documents_carry_only_what_the_role_may_see,
    a_floor_command_decided_on_an_old_floor_is_refused_stale,
);
