//! Given / when / then for the meeting: a session on the reference meeting
//! (or any definition), a clock the test moves by hand, and assertions that
//! a refused command changed nothing.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::needless_pass_by_value,
    clippy::panic
)]

use std::sync::Arc;

use plenary_core::definition::load_str;
pub use plenary_core::ids::{BoothId, DelegationId, ItemId, RequestId};
use plenary_core::speakers::Request;
use plenary_core::{
    Command, CommandError, EVENT_VERSION, Event, Meeting, MeetingDefinition, Millis, Role,
    StoredEvent, Timestamp, execute,
};

pub const REFERENCE: &str = include_str!("../../../../config/meetings/san-pedro-sula-2017.toml");

/// 26 October 2017, 14:00 in San Pedro Sula (UTC-6).
pub const T0: Timestamp = Timestamp(1_509_048_000_000);

pub fn reference_definition() -> MeetingDefinition {
    load_str("san-pedro-sula-2017.toml", REFERENCE).expect("the reference meeting loads")
}

/// The reference meeting with its TOML edited by `edit` (for rule variants).
pub fn definition_with(edit: impl FnOnce(&str) -> String) -> MeetingDefinition {
    let source = edit(REFERENCE);
    load_str("variant.toml", &source).unwrap_or_else(|e| panic!("variant loads: {e:?}"))
}

pub fn chair() -> Role {
    Role::Chair
}

pub fn delegation(id: &str) -> Role {
    Role::Delegation {
        delegation: DelegationId::new(id),
    }
}

pub fn interpreter(booth: &str) -> Role {
    Role::Interpreter {
        booth: BoothId::new(booth),
    }
}

pub fn item(id: &str) -> ItemId {
    ItemId::new(id)
}

pub fn d(id: &str) -> DelegationId {
    DelegationId::new(id)
}

pub fn lang(tag: &str) -> plenary_core::i18n::Lang {
    plenary_core::i18n::Lang::parse(tag).expect("a language tag")
}

pub fn booth(id: &str) -> BoothId {
    BoothId::new(id)
}

/// A channel fed by booth `b` straight from the floor.
pub fn from_floor(b: &str) -> plenary_core::interpretation::ChannelFeed {
    use plenary_core::interpretation::{ChannelFeed, Depth, Source};
    ChannelFeed::Booth {
        booth: booth(b),
        source: Source::Floor,
        depth: Depth::Floor,
    }
}

/// A channel fed by booth `b` taking relay from `pivot`.
pub fn relay(
    b: &str,
    pivot: &str,
    depth: plenary_core::interpretation::Depth,
) -> plenary_core::interpretation::ChannelFeed {
    use plenary_core::interpretation::{ChannelFeed, Source};
    ChannelFeed::Booth {
        booth: booth(b),
        source: Source::Relay {
            booth: booth(pivot),
        },
        depth,
    }
}

pub struct Session {
    pub meeting: Meeting,
    pub now: Timestamp,
    pub log: Vec<StoredEvent>,
}

impl Session {
    pub fn new(definition: MeetingDefinition) -> Session {
        let created = StoredEvent {
            seq: 1,
            at: T0 - Millis::from_mins(30),
            actor: Role::System,
            v: EVENT_VERSION,
            event: Meeting::created(definition.clone()),
        };
        let meeting = Meeting::new(Arc::new(definition), 1, created.at);
        Session {
            meeting,
            now: T0,
            log: vec![created],
        }
    }

    pub fn reference() -> Session {
        Session::new(reference_definition())
    }

    /// The reference meeting with `item` open.
    pub fn on_item(id: &str) -> Session {
        let mut s = Session::reference();
        s.ok(chair(), Command::OpenItem { item: item(id) });
        s
    }

    pub fn advance(&mut self, by: Millis) -> &mut Self {
        self.now = self.now + by;
        self
    }

    pub fn secs(&mut self, s: i64) -> &mut Self {
        self.advance(Millis::from_secs(s))
    }

    /// When `actor` sends `command`, then it is accepted; returns the events.
    #[track_caller]
    pub fn ok(&mut self, actor: Role, command: Command) -> Vec<Event> {
        match execute(&mut self.meeting, &actor, &command, self.now) {
            Ok(stored) => {
                let events = stored.iter().map(|e| e.event.clone()).collect();
                self.log.extend(stored);
                events
            }
            Err(e) => panic!("{command:?} by {actor:?} was refused: {} ({e})", e.code()),
        }
    }

    /// When `actor` sends `command`, then it is refused and nothing changes.
    #[track_caller]
    pub fn refused(&mut self, actor: Role, command: Command) -> CommandError {
        let before = self.meeting.clone();
        match execute(&mut self.meeting, &actor, &command, self.now) {
            Ok(events) => panic!("{command:?} by {actor:?} was accepted: {events:?}"),
            Err(e) => {
                assert_eq!(self.meeting, before, "a refusal changed the state");
                e
            }
        }
    }

    /// A delegation asks for the floor on the current item.
    #[track_caller]
    pub fn request(&mut self, who: &str, kind: plenary_core::rules::RequestKind) -> RequestId {
        let item = self
            .meeting
            .agenda
            .current
            .clone()
            .expect("an item is open");
        let events = self.ok(
            delegation(who),
            Command::RequestFloor {
                item,
                delegation: d(who),
                kind,
                language: None,
            },
        );
        match &events[..] {
            [Event::FloorRequested { request, .. }] => *request,
            other => panic!("unexpected events {other:?}"),
        }
    }

    #[track_caller]
    pub fn statement(&mut self, who: &str) -> RequestId {
        self.request(who, plenary_core::rules::RequestKind::Statement)
    }

    /// Delegations waiting on the current item, in calling order.
    pub fn queue(&self) -> Vec<String> {
        self.meeting
            .agenda
            .current_item()
            .map(|i| {
                i.speakers
                    .waiting()
                    .map(|r| r.delegation.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn speaker(&self) -> Option<String> {
        self.meeting.floor.speaker().map(ToString::to_string)
    }

    pub fn request_of(&self, id: RequestId) -> &Request {
        self.meeting.request(id).expect("request exists").1
    }

    pub fn remaining(&self) -> Millis {
        self.meeting
            .floor
            .current
            .as_ref()
            .expect("someone speaks")
            .timer
            .remaining(self.now)
    }

    /// Replaying the log reproduces the state exactly.
    #[track_caller]
    pub fn assert_replay_matches(&self) {
        let replayed = Meeting::replay(&self.log).expect("log replays");
        assert_eq!(
            serde_json::to_value(&replayed).unwrap(),
            serde_json::to_value(&self.meeting).unwrap()
        );
    }
}
