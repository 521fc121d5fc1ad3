//! The golden fixture of the browser's reducer
//! (`frontend/test/fixtures/reference-session.json`): the scripted
//! afternoon of the reference meeting, plus an epilogue that exercises every
//! event the script does not, as the presiding and public audiences receive
//! it — the snapshot at seq 1, every event frame after it, and the final
//! state. The frontend folds the frames with its TypeScript reducer and must
//! reach exactly the final state, so the browser can never drift from
//! `Meeting::apply`. The relay plan after each event checks the browser's
//! copy of `relay::plan`.
//!
//! Regenerate with
//! `UPDATE_FIXTURES=1 cargo test -p plenary-protocol --test browser_fixture`.
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
use plenary_core::rules::{Category, RequestKind};
use plenary_core::script::{Expect, reference_half_day};
use plenary_core::{
    Command, EVENT_VERSION, Event, Meeting, Millis, Role, StoredEvent, Timestamp, execute,
};
use plenary_protocol::ServerMessage;
use plenary_protocol::views::{self, Audience};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../frontend/test/fixtures/reference-session.json"
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
    s.wait(secs(20))
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

fn frame_json(message: &ServerMessage) -> serde_json::Value {
    serde_json::to_value(message).unwrap()
}

fn fixture(s: &Session) -> serde_json::Value {
    let created = &s.log[0];
    let initial = Meeting::new(
        match &created.event {
            Event::MeetingCreated { definition } => Arc::new((**definition).clone()),
            other => panic!("the log starts with {other:?}"),
        },
        created.seq,
        created.at,
    );
    // The relay plan after each event, as the server's insight gives it.
    let mut replay = initial.clone();
    let relay: Vec<_> = s.log[1..]
        .iter()
        .map(|e| {
            replay.apply(e);
            replay
                .floor_language()
                .map(|l| replay.interpretation.plan(&replay.definition, l))
        })
        .collect();
    let mut audiences = serde_json::Map::new();
    for audience in [Audience::Presiding, Audience::Public] {
        let snapshot = ServerMessage::Snapshot {
            seq: initial.seq,
            state: Box::new(views::redact(&initial, audience)),
        };
        let frames: Vec<_> = s.log[1..]
            .iter()
            .map(|e| frame_json(&ServerMessage::Event(views::event_frame(e, audience))))
            .collect();
        let name = serde_json::to_value(audience).unwrap();
        audiences.insert(
            name.as_str().unwrap().to_owned(),
            serde_json::json!({
                "snapshot": frame_json(&snapshot),
                "frames": frames,
                "final": views::redact(&s.meeting, audience),
            }),
        );
    }
    serde_json::json!({
        "description": "Generated by crates/plenary-protocol/tests/browser_fixture.rs: the reference session as each audience receives it. Do not edit.",
        "meeting": s.meeting.definition.id,
        "audiences": audiences,
        "relay_after_each_frame": relay,
    })
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
fn the_committed_browser_fixture_matches_the_core() {
    let s = run_session();
    let generated = serde_json::to_string_pretty(&fixture(&s)).unwrap() + "\n";
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(std::path::Path::new(PATH).parent().unwrap()).unwrap();
        std::fs::write(PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "frontend/test/fixtures/reference-session.json is out of date: run \
         `UPDATE_FIXTURES=1 cargo test -p plenary-protocol --test browser_fixture`"
    );
}
