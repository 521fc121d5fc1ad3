//! The view fixture the browser's tests read
//! (`frontend/test/fixtures/views.json`):
//!
//! - countdowns, ETAs and drifts with the instants to read them at and what
//!   the core says they show then: the browser's only arithmetic;
//! - the scripted afternoon of the reference meeting, plus an epilogue that
//!   exercises every event, as each kind of display receives it: the first
//!   view document, then one RFC 6902 patch per change. The browser applies
//!   them with its patch library and must reach the final document.
//!
//! Regenerate with
//! `UPDATE_FIXTURES=1 cargo test -p plenary-protocol --test view_fixture`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

use std::collections::BTreeSet;
use std::sync::Arc;

use plenary_core::definition::load_str;
use plenary_core::display::{ScreenTarget, View};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{BoothId, DelegationId, ItemId, RequestId, ScreenId};
use plenary_core::projections::{Drift, Eta};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::script::{Expect, reference_half_day};
use plenary_core::timer::{Thresholds, Timer};
use plenary_core::{
    Command, EVENT_VERSION, Event, Meeting, Millis, Role, StoredEvent, Timestamp, execute,
};
use plenary_protocol::views::{self, ViewKey};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../frontend/test/fixtures/views.json"
);
/// 26 October 2017, 14:00 in San Pedro Sula (UTC-6).
const T0: Timestamp = Timestamp(1_509_048_000_000);
const DEBATE: &str = "responsibility-sharing";

/// The meeting, its log and the clock.
struct Session {
    meeting: Meeting,
    log: Vec<StoredEvent>,
    now: Timestamp,
}

impl Session {
    fn run(&mut self, actor: Role, command: Command) -> Vec<StoredEvent> {
        let events = execute(&mut self.meeting, &actor, &command, self.now)
            .unwrap_or_else(|e| panic!("{command:?} by {actor:?} refused: {e}"));
        self.log.extend(events.iter().cloned());
        events
    }

    fn chair(&mut self, command: Command) -> &mut Self {
        self.run(Role::Chair, command);
        self
    }

    fn wait(&mut self, by: Millis) -> &mut Self {
        self.now = self.now + by;
        self
    }

    /// A delegation asks (or the chair inserts): the id the meeting gave.
    fn request(&mut self, actor: Role, command: Command) -> RequestId {
        let events = self.run(actor, command);
        match events.as_slice() {
            [
                StoredEvent {
                    event: Event::FloorRequested { request, .. },
                    ..
                },
            ] => *request,
            other => panic!("expected floor_requested, got {other:?}"),
        }
    }
}

fn delegation(id: &str) -> Role {
    Role::Delegation {
        delegation: DelegationId::new(id),
    }
}

fn ask(id: &str, kind: RequestKind, language: Option<&str>) -> Command {
    Command::RequestFloor {
        item: ItemId::new(DEBATE),
        delegation: DelegationId::new(id),
        kind,
        language: language.map(|l| Lang::parse(l).unwrap()),
    }
}

fn lang(tag: &str) -> Lang {
    Lang::parse(tag).unwrap()
}

/// The public running order at points of the session, read at instants
/// after each: the browser must project every item as the core does.
fn schedule_cases(s: &Session) -> Vec<serde_json::Value> {
    let mut meeting = Meeting::new(
        match &s.log[0].event {
            Event::MeetingCreated { definition } => Arc::new((**definition).clone()),
            other => panic!("the log starts with {other:?}"),
        },
        s.log[0].seq,
        s.log[0].at,
    );
    let mut out = Vec::new();
    for (n, e) in s.log[1..].iter().enumerate() {
        meeting.apply(e);
        if n % 7 != 0 {
            continue;
        }
        let document =
            serde_json::to_value(views::derive(&meeting, &ViewKey::Public).unwrap()).unwrap();
        for later in [-90, 0, 45, 700, 5_000] {
            let now = meeting.updated_at + secs(later);
            let order = plenary_core::projections::running_order(&meeting, now);
            out.push(serde_json::json!({
                "schedule": document["schedule"],
                "now": now,
                "items": order.items.iter().map(|i| serde_json::json!({
                    "item": i.item,
                    "projected_start": i.projected_start,
                    "projected_end": i.projected_end,
                })).collect::<Vec<_>>(),
                "drift": order.drift,
                "projected_end": order.projected_end,
            }));
        }
    }
    out
}

fn secs(s: i64) -> Millis {
    Millis::from_secs(s)
}

/// The reference afternoon, then every event it does not produce.
fn run_session() -> Session {
    let definition = load_str("san-pedro-sula-2017.toml", REFERENCE).unwrap();
    let created = StoredEvent {
        seq: 1,
        at: T0 - Millis::from_mins(30),
        actor: Role::System,
        v: EVENT_VERSION,
        event: Meeting::created(definition.clone()),
    };
    let mut s = Session {
        meeting: Meeting::new(Arc::new(definition), created.seq, created.at),
        log: vec![created],
        now: T0,
    };
    for (i, step) in reference_half_day(T0).into_iter().enumerate() {
        s.now = step.at;
        match (
            &step.expect,
            execute(&mut s.meeting, &step.actor, &step.command, step.at),
        ) {
            (Expect::Accepted, Ok(events)) => s.log.extend(events),
            (Expect::Refused(code), Err(e)) => assert_eq!(e.code(), *code, "step {i}"),
            (expect, outcome) => panic!("step {i}: expected {expect:?}, got {outcome:?}"),
        }
    }
    epilogue(&mut s);
    s
}

/// Reordering, limits, withdrawals, removals, languages, pauses, a point
/// of order over a paused speaker, the running order, presenters skipped,
/// screens reloaded, a booth handover.
fn epilogue(s: &mut Session) {
    let debate = || ItemId::new(DEBATE);
    s.wait(Millis::from_mins(1))
        .chair(Command::ReopenList { item: debate() });
    s.wait(secs(5));
    let uy = s.request(delegation("uy"), ask("uy", RequestKind::Statement, None));
    s.wait(secs(3));
    let ar = s.request(
        delegation("ar"),
        ask("ar", RequestKind::Statement, Some("en")),
    );
    s.wait(secs(4));
    let ch = s.request(
        delegation("ch"),
        ask("ch", RequestKind::Statement, Some("fr")),
    );
    s.wait(secs(6));
    let cs = s.request(
        delegation("cs-nrc"),
        ask("cs-nrc", RequestKind::Statement, None),
    );
    s.wait(secs(10))
        .chair(Command::MoveRequest { request: ch, to: 0 });
    s.run(
        delegation("ar"),
        Command::DeclareLanguage {
            request: ar,
            language: lang("es"),
        },
    );
    s.wait(secs(5)).chair(Command::SetTimeLimit {
        item: debate(),
        category: Category::CooperatingState,
        limit: Millis::from_mins(4),
    });
    s.wait(secs(5));
    s.run(delegation("uy"), Command::WithdrawRequest { request: uy });
    s.wait(secs(5))
        .chair(Command::RemoveRequest { request: cs })
        .chair(Command::ReaddRequest {
            request: cs,
            position: Some(0),
        });
    s.wait(secs(20)).chair(Command::CallNext); // the NRC, put back first
    s.wait(secs(40)).chair(Command::PauseTimer);
    s.wait(secs(30)).chair(Command::ResumeTimer);
    s.wait(secs(50)).chair(Command::ResetTimer);
    // Reset by mistake: taken back 3 s later, the countdown as it was.
    s.wait(secs(3)).chair(Command::UndoFloorChange);
    s.wait(secs(17))
        .chair(Command::ExtendTimer {
            by: Millis::from_mins(-1),
        })
        .chair(Command::GiveFloor { request: ar }); // Argentina, out of order
    s.wait(secs(60)).chair(Command::PauseTimer);
    // A point of order on a countdown the chair had paused: it stays paused.
    let pa = s.request(
        Role::Chair,
        Command::InsertSpeaker {
            item: debate(),
            delegation: DelegationId::new("pa"),
            kind: RequestKind::PointOfOrder,
            language: None,
            position: None,
        },
    );
    s.wait(secs(5)).chair(Command::GiveFloor { request: pa });
    s.wait(secs(10)).chair(Command::DeclareLanguage {
        request: ar,
        language: lang("en"),
    });
    s.run(
        Role::Technician,
        Command::SetFloorLanguage {
            language: Some(lang("pt")),
        },
    );
    s.wait(secs(50)).chair(Command::CallNext); // Argentina back, still paused
    s.wait(secs(10)).chair(Command::ResumeTimer);
    s.wait(secs(30))
        .chair(Command::SetFloorLanguage { language: None });
    s.wait(Millis::from_mins(3)).chair(Command::CallNext); // Switzerland, in French
    s.wait(Millis::from_mins(2))
        .chair(Command::ExtendTimer {
            by: Millis::from_mins(1),
        })
        .chair(Command::CloseList { item: debate() });
    s.wait(Millis::from_mins(4)).chair(Command::EndSpeech);

    // The running order and the closing presenters.
    s.wait(secs(30))
        .chair(Command::MoveItem {
            item: ItemId::new("closing"),
            to: 4,
        })
        .chair(Command::OpenItem {
            item: ItemId::new("closing"),
        })
        .chair(Command::SkipPresenter {
            item: ItemId::new("closing"),
            presenter: DelegationId::new("unhcr"),
        })
        .chair(Command::StartPresentation {
            item: ItemId::new("closing"),
            presenter: None,
        });
    s.wait(Millis::from_mins(9)).chair(Command::EndSpeech);
    s.wait(secs(10)).chair(Command::PreviousItem);

    // Screens and booths.
    s.run(
        Role::Technician,
        Command::AssignView {
            target: ScreenTarget::Screen(ScreenId::new("podium")),
            view: View::Clock,
            languages: Some(vec![lang("en")]),
        },
    );
    s.run(
        Role::Technician,
        Command::AssignView {
            target: ScreenTarget::All,
            view: View::RunningOrder,
            languages: None,
        },
    );
    s.run(
        Role::Chair,
        Command::PushMessage {
            target: ScreenTarget::All,
            text: Texts::new()
                .with("es", "Fin de la sesión de la tarde")
                .with("en", "End of the afternoon session"),
        },
    );
    s.run(
        Role::Technician,
        Command::ReloadScreens {
            target: ScreenTarget::Group(plenary_core::ids::ScreenGroup::new("hall")),
        },
    );
    let booth = || BoothId::new("booth-es");
    s.wait(secs(30)).run(
        Role::Interpreter { booth: booth() },
        Command::RequestHandover { booth: booth() },
    );
    s.wait(secs(20))
        .run(Role::Technician, Command::AcceptHandover { booth: booth() });
    s.wait(secs(5)).run(
        Role::Interpreter { booth: booth() },
        Command::SlowerPlease { booth: booth() },
    );
}

/// Each view document from the first event to the last, as a client
/// following `key` receives it: the first document, then one patch per
/// change.
fn session_of(s: &Session, key: &ViewKey) -> serde_json::Value {
    let created = &s.log[0];
    let mut meeting = Meeting::new(
        match &created.event {
            Event::MeetingCreated { definition } => Arc::new((**definition).clone()),
            other => panic!("the log starts with {other:?}"),
        },
        created.seq,
        created.at,
    );
    let document = |m: &Meeting| serde_json::to_value(views::derive(m, key).unwrap()).unwrap();
    let first = document(&meeting);
    let mut last = first.clone();
    let mut seq = meeting.seq;
    let mut patches = Vec::new();
    for e in &s.log[1..] {
        meeting.apply(e);
        let next = document(&meeting);
        let ops = views::diff(&last, &next);
        if !ops.0.is_empty() {
            patches.push(serde_json::json!({ "from": seq, "seq": e.seq, "ops": ops }));
            seq = e.seq;
            last = next;
        }
    }
    serde_json::json!({
        "surface": key.to_string(),
        "view": first,
        "patches": patches,
        "final": document(&s.meeting),
    })
}

fn keys() -> Vec<ViewKey> {
    vec![
        ViewKey::Presiding,
        ViewKey::Technician,
        ViewKey::Booth(BoothId::new("booth-es")),
        ViewKey::Delegation(DelegationId::new("br")),
        ViewKey::Screen(ScreenId::new("hall-left")),
        ViewKey::Public,
    ]
}

/// Countdowns in every state, each read at instants around its thresholds:
/// the browser must reach the core's remaining time and phase.
fn countdown_cases() -> Vec<serde_json::Value> {
    let thresholds = Thresholds {
        warning: secs(60),
        final_: secs(15),
    };
    let limit = secs(180);
    let running = Timer::started(limit, thresholds, T0);
    let mut resumed = running;
    resumed.pause(T0 + secs(50));
    resumed.resume(T0 + secs(80));
    let mut paused = running;
    paused.pause(T0 + secs(170));
    let mut over = Timer::started(secs(30), thresholds, T0);
    over.extend(secs(-40));
    let stopped = Timer::new(limit, thresholds);
    let timers = [running, resumed, paused, over, stopped];
    let offsets = [
        0, 1, 119_999, 120_000, 120_001, 164_999, 165_000, 179_999, 180_000, 180_001, 209_500,
        260_000, 400_000,
    ];
    let mut out = Vec::new();
    for timer in timers {
        for ms in offsets {
            let now = T0 + Millis(ms);
            let countdown = timer.countdown();
            let (remaining, phase) = (timer.remaining(now), timer.phase(now));
            assert_eq!(
                countdown.at(now),
                (remaining, phase),
                "{timer:?} at +{ms} ms"
            );
            out.push(serde_json::json!({
                "countdown": countdown,
                "now": now,
                "remaining": remaining,
                "phase": phase,
            }));
        }
    }
    out
}

fn eta_cases() -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let etas = [
        Eta::fixed(T0),
        Eta::now(),
        Eta::now().later(secs(90)),
        Eta::fixed(T0 + secs(60)).max(Eta::now()).later(secs(30)),
        Eta::now().later(secs(10)).not_before(T0 - secs(5)),
    ];
    let mut at = Vec::new();
    let mut drifts = Vec::new();
    for eta in etas {
        for s in [-120, -1, 0, 1, 59, 60, 61, 3600] {
            let now = T0 + secs(s);
            at.push(serde_json::json!({ "eta": eta, "now": now, "at": eta.at(now) }));
            let drift = Drift {
                planned: T0 + secs(45),
                projected: eta,
            };
            drifts.push(serde_json::json!({ "drift": drift, "now": now, "ms": drift.at(now) }));
        }
    }
    (at, drifts)
}

fn fixture(s: &Session) -> serde_json::Value {
    let (etas, drifts) = eta_cases();
    serde_json::json!({
        "description": "Generated by crates/plenary-protocol/tests/view_fixture.rs: countdown and ETA arithmetic cases, and the reference session's view documents as each display receives them. Do not edit.",
        "countdowns": countdown_cases(),
        "etas": etas,
        "drifts": drifts,
        "schedules": schedule_cases(s),
        "sessions": keys().iter().map(|k| session_of(s, k)).collect::<Vec<_>>(),
    })
}

#[test]
fn patches_bring_every_document_to_the_final_one() {
    let s = run_session();
    for key in keys() {
        let session = session_of(&s, &key);
        let mut doc = session["view"].clone();
        let patches = session["patches"].as_array().unwrap();
        assert!(!patches.is_empty(), "{key}: the session changes nothing");
        for p in patches {
            let ops: json_patch::Patch = serde_json::from_value(p["ops"].clone()).unwrap();
            json_patch::patch(&mut doc, &ops).unwrap();
        }
        assert_eq!(doc, session["final"], "{key}");
    }
}

#[test]
fn the_epilogue_produces_every_event_the_browser_must_fold() {
    let s = run_session();
    let seen: BTreeSet<String> = s
        .log
        .iter()
        .map(|e| {
            serde_json::to_value(&e.event).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for kind in Event::TYPES {
        assert!(seen.contains(kind), "the session never produces {kind}");
    }
    assert_eq!(
        Meeting::replay(&s.log).unwrap(),
        s.meeting,
        "the log replays to the same state"
    );
}

#[test]
fn the_committed_view_fixture_matches_the_server() {
    let s = run_session();
    let generated = serde_json::to_string_pretty(&fixture(&s)).unwrap() + "\n";
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(std::path::Path::new(PATH).parent().unwrap()).unwrap();
        std::fs::write(PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "frontend/test/fixtures/views.json is out of date: run \
         `UPDATE_FIXTURES=1 cargo test -p plenary-protocol --test view_fixture`"
    );
}
