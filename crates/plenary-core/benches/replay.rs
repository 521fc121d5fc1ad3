//! `decide` + `apply` and replay on a large meeting: the reference meeting
//! grown to 200 delegations, and 10,000 events of debate (requests, calls,
//! points of order, extensions, pauses).
//!
//! `cargo bench -p plenary-core --bench replay`
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

use plenary_core::definition::{Delegation, load_str};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{DelegationId, ItemId};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::{
    Command, EVENT_VERSION, Meeting, MeetingDefinition, Millis, Role, StoredEvent, Timestamp,
    execute,
};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
const START: Timestamp = Timestamp(1_509_048_000_000);
const EVENTS: usize = 10_000;

fn definition_with_200_delegations() -> MeetingDefinition {
    let mut def = load_str("reference", REFERENCE).unwrap();
    let mut delegations: Vec<Delegation> = def.delegations.iter().cloned().collect();
    let mut n = 0;
    while delegations.len() < 200 {
        n += 1;
        delegations.push(Delegation {
            id: DelegationId::new(format!("extra-{n}")),
            name: Texts::new().with("en", format!("Delegation {n}")),
            category: Category::ALL[n % Category::ALL.len()],
            floor_language: Lang::parse(if n % 3 == 0 { "en" } else { "es" }).unwrap(),
            seat: None,
        });
    }
    def.delegations = delegations.into();
    def
}

/// A debate of `EVENTS` events: the commands that made it, and the log.
/// The commands that made a debate, with who sent them and when.
type Script = Vec<(Role, Command, Timestamp)>;

fn debate() -> (Arc<MeetingDefinition>, Script, Vec<StoredEvent>) {
    let def = Arc::new(definition_with_200_delegations());
    let ids: Vec<DelegationId> = def.delegations.iter().map(|d| d.id.clone()).collect();
    let created = StoredEvent {
        seq: 1,
        at: START,
        actor: Role::System,
        v: EVENT_VERSION,
        event: Meeting::created((*def).clone()),
    };
    let mut meeting = Meeting::new(Arc::clone(&def), 1, START);
    let mut log = vec![created];
    let mut commands = Vec::new();
    let item = ItemId::new("responsibility-sharing");
    let mut now = START;
    let mut run = |meeting: &mut Meeting,
                   log: &mut Vec<StoredEvent>,
                   role: Role,
                   command: Command,
                   now: Timestamp| {
        if let Ok(events) = execute(meeting, &role, &command, now) {
            commands.push((role, command, now));
            log.extend(events);
        }
    };
    run(
        &mut meeting,
        &mut log,
        Role::Chair,
        Command::OpenItem { item: item.clone() },
        now,
    );
    let mut i = 0usize;
    while log.len() < EVENTS {
        i += 1;
        now = now + Millis::from_secs(7);
        let who = ids[(i * 37) % ids.len()].clone();
        let kind = match i % 23 {
            0 => RequestKind::PointOfOrder,
            11 => RequestKind::RightOfReply,
            _ => RequestKind::Statement,
        };
        let role = Role::Delegation {
            delegation: who.clone(),
        };
        let command = Command::RequestFloor {
            item: item.clone(),
            delegation: who,
            kind,
            language: None,
        };
        run(&mut meeting, &mut log, role, command, now);
        let chair = match i % 9 {
            0 | 4 => Some(Command::CallNext),
            2 => Some(Command::ExtendTimer {
                by: Millis::from_mins(1),
            }),
            5 => Some(Command::PauseTimer),
            6 => Some(Command::ResumeTimer),
            _ => None,
        };
        if let Some(c) = chair {
            run(&mut meeting, &mut log, Role::Chair, c, now);
        }
    }
    log.truncate(EVENTS);
    (def, commands, log)
}

fn benches(c: &mut Criterion) {
    let (def, commands, log) = debate();
    assert_eq!(log.len(), EVENTS);
    c.bench_function("replay 10,000 events (200 delegations)", |b| {
        b.iter(|| Meeting::replay(black_box(&log)).unwrap());
    });
    c.bench_function("decide + apply the commands behind 10,000 events", |b| {
        b.iter(|| {
            let mut m = Meeting::new(Arc::clone(&def), 1, START);
            for (role, command, at) in &commands {
                let _ = black_box(execute(&mut m, role, command, *at));
            }
            m
        });
    });
}

criterion_group! {
    name = replay;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(replay);
