//! One conformance suite for both backends. Every test below is written
//! once, as an `async fn` taking a migrated `&Store`, and run twice by
//! `conformance!`: on SQLite (a fresh file per test) and on PostgreSQL (a
//! fresh database per test) when `PLENARY_TEST_DATABASE_URL` names a server
//! where databases may be created, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`. Without it the PostgreSQL
//! runs say they are skipped and pass.
//!
//! The events are real: the reference meeting's scripted afternoon, run
//! through the core.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::Write as _;
use std::sync::{Arc, LazyLock};

use plenary_core::definition::load_str;
use plenary_core::ids::{DelegationId, MeetingId, ScreenId};
use plenary_core::script::reference_half_day;
use plenary_core::{EVENT_VERSION, Meeting, Millis, Role, StoredEvent, Timestamp, execute};
use plenary_store::{
    Backend, Claim, CommandResult, Commit, Lease, MeetingRecord, NewAccessCode, Store, StoreError,
    StoreOptions, hash_access_code,
};
use sqlx::{AssertSqlSafe, Connection};
use tempfile::TempDir;

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
/// 26 October 2017, 14:00 in San Pedro Sula (UTC-6).
const T0: Timestamp = Timestamp(1_509_048_000_000);
const DB_URL_VAR: &str = "PLENARY_TEST_DATABASE_URL";

// --- The reference log ---------------------------------------------------------

/// The reference afternoon as it would be committed: the events of each
/// accepted command, the meeting's creation first.
fn reference_commands() -> &'static [Vec<StoredEvent>] {
    static COMMANDS: LazyLock<Vec<Vec<StoredEvent>>> = LazyLock::new(|| {
        let definition =
            load_str("san-pedro-sula-2017.toml", REFERENCE).expect("the reference meeting loads");
        let created = StoredEvent {
            seq: 1,
            at: T0 - Millis::from_mins(60),
            actor: Role::System,
            v: EVENT_VERSION,
            event: Meeting::created(definition.clone()),
        };
        let mut meeting = Meeting::new(Arc::new(definition), created.seq, created.at);
        let mut commands = vec![vec![created]];
        for step in reference_half_day(T0) {
            if let Ok(events) = execute(&mut meeting, &step.actor, &step.command, step.at) {
                commands.push(events);
            }
        }
        commands
    });
    &COMMANDS
}

fn m(id: &str) -> MeetingId {
    MeetingId::new(id)
}

/// The first `n` reference commands as commits for `meeting`, command ids
/// `cmd-0`, `cmd-1`…
fn commits(meeting: &MeetingId, range: std::ops::Range<usize>) -> Vec<Commit> {
    let all = reference_commands();
    let mut seq_before: u64 = all[..range.start].iter().map(|c| c.len() as u64).sum();
    range
        .map(|i| {
            let commit = Commit::new(
                meeting.clone(),
                Some(format!("cmd-{i}")),
                seq_before,
                all[i].clone(),
            );
            seq_before = commit.result.last_seq;
            commit
        })
        .collect()
}

fn events_of(batch: &[Commit]) -> Vec<StoredEvent> {
    batch.iter().flat_map(|c| c.events.clone()).collect()
}

fn all_commands() -> std::ops::Range<usize> {
    0..reference_commands().len()
}

// --- The suite -------------------------------------------------------------------

async fn migrating_twice_is_harmless(store: &Store) {
    store.migrate().await.expect("second migration");
    store.migrate().await.expect("third migration");
    let meeting = m("hn");
    let batch = commits(&meeting, 0..3);
    store.append(&batch).await.unwrap();
    store.migrate().await.expect("migration after writes");
    assert_eq!(
        store.load_events(&meeting, 0).await.unwrap(),
        events_of(&batch)
    );
    store.ping().await.expect("ping");
}

async fn events_round_trip_exactly(store: &Store) {
    let meeting = m("san-pedro-sula-2017");
    let batch = commits(&meeting, all_commands());
    let expected = events_of(&batch);
    // More than one multi-row INSERT's worth (32 rows on SQLite).
    assert!(expected.len() > 32, "{} events", expected.len());
    store.append(&batch).await.unwrap();

    let loaded = store.load_events(&meeting, 0).await.unwrap();
    assert_eq!(loaded, expected);
    assert_eq!(
        serde_json::to_string(&loaded).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );
    // The log replays into the same meeting.
    let replayed = Meeting::replay(&loaded).expect("the stored log replays");
    assert_eq!(replayed.seq, expected.len() as u64);

    // A large group commit: the whole afternoon of ten more meetings at once.
    let others: Vec<MeetingId> = (0..10).map(|i| m(&format!("copy-{i}"))).collect();
    let big: Vec<Commit> = others
        .iter()
        .flat_map(|meeting| commits(meeting, all_commands()))
        .collect();
    store.append(&big).await.unwrap();
    for meeting in &others {
        assert_eq!(store.load_events(meeting, 0).await.unwrap(), expected);
    }
}

async fn batches_build_one_log(store: &Store) {
    let meeting = m("hn");
    let all = commits(&meeting, all_commands());
    for batch in all.chunks(7) {
        store.append(batch).await.unwrap();
    }
    assert_eq!(
        store.load_events(&meeting, 0).await.unwrap(),
        events_of(&all)
    );
}

async fn events_load_after_a_seq(store: &Store) {
    let meeting = m("hn");
    let batch = commits(&meeting, 0..20);
    let all = events_of(&batch);
    store.append(&batch).await.unwrap();

    let tail = store.load_events(&meeting, 5).await.unwrap();
    assert_eq!(tail, all[5..]);
    assert_eq!(tail[0].seq, 6);
    let last = all.last().unwrap().seq;
    assert!(store.load_events(&meeting, last).await.unwrap().is_empty());
    assert!(
        store
            .load_events(&meeting, last + 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.load_events(&m("nobody"), 0).await.unwrap().is_empty());
}

async fn last_seq_follows_the_log(store: &Store) {
    let meeting = m("hn");
    assert_eq!(store.last_seq(&meeting).await.unwrap(), 0);
    let batch = commits(&meeting, 0..4);
    store.append(&batch[..2]).await.unwrap();
    assert_eq!(
        store.last_seq(&meeting).await.unwrap(),
        batch[1].result.last_seq
    );
    store.append(&batch[2..]).await.unwrap();
    assert_eq!(
        store.last_seq(&meeting).await.unwrap(),
        batch[3].result.last_seq
    );
    assert_eq!(store.last_seq(&m("other")).await.unwrap(), 0);
}

async fn meetings_exist_from_their_first_event(store: &Store) {
    assert!(store.list_meetings().await.unwrap().is_empty());
    let first_at = reference_commands()[0][0].at;
    // One batch, two meetings: group commit spans meetings.
    let mut batch = commits(&m("zz"), 0..2);
    batch.extend(commits(&m("aa"), 0..1));
    store.append(&batch).await.unwrap();
    store.append(&commits(&m("zz"), 2..3)).await.unwrap();
    assert_eq!(
        store.list_meetings().await.unwrap(),
        vec![
            MeetingRecord {
                id: m("aa"),
                created_at: first_at
            },
            MeetingRecord {
                id: m("zz"),
                created_at: first_at
            },
        ]
    );
}

async fn a_conflicting_batch_writes_nothing(store: &Store) {
    let meeting = m("hn");
    let all = commits(&meeting, 0..6);
    store.append(&all[..3]).await.unwrap();
    let before = store.load_events(&meeting, 0).await.unwrap();

    // Another writer's view: it decided commands 3 and 4 against seq of
    // command 1, so its events reuse seqs that are stored already.
    let stale: Vec<Commit> = all[3..5]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut events = c.events.clone();
            let shift = all[2].result.last_seq - all[1].result.last_seq;
            for e in &mut events {
                e.seq -= shift;
            }
            Commit::new(
                meeting.clone(),
                Some(format!("stale-{i}")),
                events[0].seq - 1,
                events,
            )
        })
        .collect();
    let first_stale_seq = stale[0].events[0].seq;
    // A new meeting in the same batch must not be created either.
    let mut batch = commits(&m("new"), 0..2);
    batch.extend(stale);

    let err = store
        .append(&batch)
        .await
        .expect_err("a stored seq conflicts");
    match err {
        StoreError::Conflict { meeting: at, seq } => {
            assert_eq!(at, meeting);
            assert_eq!(seq, first_stale_seq);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.load_events(&meeting, 0).await.unwrap(), before);
    assert_eq!(store.last_seq(&m("new")).await.unwrap(), 0);
    assert_eq!(store.list_meetings().await.unwrap().len(), 1);
    assert_eq!(
        store.command_result(&meeting, "stale-0").await.unwrap(),
        None
    );
    assert_eq!(
        store.command_result(&m("new"), "cmd-0").await.unwrap(),
        None
    );

    // The rest of the log still goes in.
    store.append(&all[3..]).await.unwrap();
    assert_eq!(
        store.load_events(&meeting, 0).await.unwrap(),
        events_of(&all)
    );
}

async fn a_seq_twice_in_one_batch_conflicts(store: &Store) {
    let meeting = m("hn");
    let mut batch = commits(&meeting, 0..2);
    let mut again = batch[1].clone();
    again.command_id = Some("again".to_owned());
    let repeated = again.events[0].seq;
    batch.push(again);
    match store.append(&batch).await {
        Err(StoreError::Conflict { meeting: at, seq }) => {
            assert_eq!((at, seq), (meeting.clone(), repeated));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(store.list_meetings().await.unwrap().is_empty());
    assert_eq!(store.last_seq(&meeting).await.unwrap(), 0);
}

async fn concurrent_writers_of_one_seq_one_wins(store: &Store) {
    let meeting = m("hn");
    store.append(&commits(&meeting, 0..1)).await.unwrap();
    let next = commits(&meeting, 1..2);
    let mut rival = next.clone();
    rival[0].command_id = Some("rival".to_owned());
    let (a, b) = tokio::join!(store.append(&next), store.append(&rival));
    let outcomes = [a, b];
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        outcomes.iter().any(
            |r| matches!(r, Err(StoreError::Conflict { seq, .. }) if *seq == next[0].events[0].seq)
        ),
        "the loser gets a conflict: {outcomes:?}"
    );
    assert_eq!(
        store.last_seq(&meeting).await.unwrap(),
        next[0].result.last_seq
    );
}

async fn meetings_are_written_concurrently(store: &Store) {
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let meeting = m(&format!("meeting-{i}"));
                for batch in commits(&meeting, 0..12).chunks(3) {
                    store.append(batch).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let expected = events_of(&commits(&m("x"), 0..12));
    assert_eq!(store.list_meetings().await.unwrap().len(), 6);
    for i in 0..6 {
        let meeting = m(&format!("meeting-{i}"));
        assert_eq!(store.load_events(&meeting, 0).await.unwrap(), expected);
    }
}

async fn snapshots_latest_wins(store: &Store) {
    let meeting = m("hn");
    assert_eq!(store.latest_snapshot(&meeting).await.unwrap(), None);
    store.append(&commits(&meeting, 0..1)).await.unwrap();
    assert_eq!(store.latest_snapshot(&meeting).await.unwrap(), None);

    store
        .save_snapshot(&meeting, 10, r#"{"a":1}"#)
        .await
        .unwrap();
    store
        .save_snapshot(&meeting, 20, r#"{"b":2}"#)
        .await
        .unwrap();
    assert_eq!(
        store.latest_snapshot(&meeting).await.unwrap(),
        Some((20, r#"{"b":2}"#.to_owned()))
    );
    // A late, older snapshot does not replace a newer one.
    store
        .save_snapshot(&meeting, 15, r#"{"c":3}"#)
        .await
        .unwrap();
    assert_eq!(
        store.latest_snapshot(&meeting).await.unwrap(),
        Some((20, r#"{"b":2}"#.to_owned()))
    );
    // The same seq again: the state is replaced.
    store
        .save_snapshot(&meeting, 20, r#"{"d":4}"#)
        .await
        .unwrap();
    assert_eq!(
        store.latest_snapshot(&meeting).await.unwrap(),
        Some((20, r#"{"d":4}"#.to_owned()))
    );
    assert_eq!(store.latest_snapshot(&m("other")).await.unwrap(), None);
    assert!(matches!(
        store.save_snapshot(&m("other"), 1, "{}").await,
        Err(StoreError::UnknownMeeting { meeting }) if meeting == m("other")
    ));
}

async fn command_results_are_found_by_id(store: &Store) {
    let meeting = m("hn");
    let mut batch = commits(&meeting, 0..5);
    batch[2].command_id = None;
    store.append(&batch).await.unwrap();

    assert_eq!(
        store.command_result(&meeting, "cmd-3").await.unwrap(),
        Some(batch[3].result)
    );
    assert_eq!(
        store.command_result(&meeting, "cmd-0").await.unwrap(),
        Some(CommandResult {
            first_seq: 1,
            last_seq: 1
        })
    );
    assert_eq!(store.command_result(&meeting, "cmd-2").await.unwrap(), None);
    assert_eq!(
        store.command_result(&m("other"), "cmd-3").await.unwrap(),
        None
    );

    // Accepted without events: an empty range right after the current seq.
    let seq = store.last_seq(&meeting).await.unwrap();
    let noop = Commit::new(meeting.clone(), Some("noop".to_owned()), seq, Vec::new());
    store.append(std::slice::from_ref(&noop)).await.unwrap();
    let result = store
        .command_result(&meeting, "noop")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((result.first_seq, result.last_seq), (seq + 1, seq));
    assert!(result.is_empty());
    assert_eq!(store.last_seq(&meeting).await.unwrap(), seq);
}

async fn a_command_id_is_committed_once(store: &Store) {
    let meeting = m("hn");
    let all = commits(&meeting, 0..4);
    store.append(&all[..2]).await.unwrap();
    // A retry under the same id, decided again (new seqs): refused whole.
    let mut retry = all[2].clone();
    retry.command_id = Some("cmd-1".to_owned());
    match store.append(&[retry]).await {
        Err(StoreError::DuplicateCommand {
            meeting: at,
            command_id,
        }) => assert_eq!((at, command_id.as_str()), (meeting.clone(), "cmd-1")),
        other => panic!("expected a duplicate command, got {other:?}"),
    }
    assert_eq!(
        store.last_seq(&meeting).await.unwrap(),
        all[1].result.last_seq
    );
}

async fn a_commit_without_events_needs_its_meeting(store: &Store) {
    let noop = Commit::new(m("nowhere"), Some("noop".to_owned()), 0, Vec::new());
    match store.append(&[noop]).await {
        Err(StoreError::UnknownMeeting { meeting }) => assert_eq!(meeting, m("nowhere")),
        other => panic!("expected an unknown meeting, got {other:?}"),
    }
    // Nothing at all to write is not an error.
    store.append(&[]).await.unwrap();
    store
        .append(&[Commit::new(m("nowhere"), None, 0, Vec::new())])
        .await
        .unwrap();
    assert!(store.list_meetings().await.unwrap().is_empty());
}

async fn access_codes_by_hash(store: &Store) {
    let meeting = m("hn");
    store.append(&commits(&meeting, 0..1)).await.unwrap();
    let honduras = Role::Delegation {
        delegation: DelegationId::new("hn"),
    };
    let new = |code: &str, role: Role, at: i64| NewAccessCode {
        meeting: meeting.clone(),
        role,
        label: format!("label of {code}"),
        hash: hash_access_code(code),
        created_at: Timestamp(at),
    };

    let chair = store
        .insert_access_code(&new("CHAIR-CODE", Role::Chair, 1_000))
        .await
        .unwrap();
    let hn = store
        .insert_access_code(&new("HN-CODE", honduras.clone(), 2_000))
        .await
        .unwrap();
    assert_eq!(uuid::Uuid::parse_str(&hn.id).unwrap().get_version_num(), 7);
    assert_ne!(chair.id, hn.id);
    assert_eq!(hn.role, honduras);
    assert_eq!(hn.hash, hash_access_code("HN-CODE"));
    assert_eq!(hn.revoked_at, None);

    let found = store
        .find_access_code(&hash_access_code("HN-CODE"))
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&hn));
    assert_eq!(
        store
            .find_access_code(&hash_access_code("HN-CODE").to_ascii_uppercase())
            .await
            .unwrap(),
        found
    );
    assert_eq!(
        store
            .find_access_code(&hash_access_code("nope"))
            .await
            .unwrap(),
        None
    );

    // The same code twice is refused; a code where a hash belongs too.
    assert!(matches!(
        store
            .insert_access_code(&new("HN-CODE", Role::Public, 3_000))
            .await,
        Err(StoreError::DuplicateAccessCode)
    ));
    let mut raw = new("RAW", Role::Public, 3_000);
    raw.hash = "RAW".to_owned();
    assert!(matches!(
        store.insert_access_code(&raw).await,
        Err(StoreError::NotAHash)
    ));
    assert!(matches!(
        store.find_access_code("HN-CODE").await,
        Err(StoreError::NotAHash)
    ));
    let mut elsewhere = new("ELSEWHERE", Role::Public, 3_000);
    elsewhere.meeting = m("other");
    assert!(matches!(
        store.insert_access_code(&elsewhere).await,
        Err(StoreError::UnknownMeeting { .. })
    ));

    // Revoked: no longer found, still listed with its revocation time.
    assert!(
        !store
            .revoke_access_code(&m("other"), &hn.id, Timestamp(4_000))
            .await
            .unwrap(),
        "another meeting's code is not revoked"
    );
    assert!(
        store
            .revoke_access_code(&meeting, &hn.id, Timestamp(5_000))
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_access_code(&meeting, &hn.id, Timestamp(6_000))
            .await
            .unwrap(),
        "revoking twice changes nothing"
    );
    assert_eq!(
        store
            .find_access_code(&hash_access_code("HN-CODE"))
            .await
            .unwrap(),
        None
    );
    let listed = store.list_access_codes(&meeting).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], chair);
    assert_eq!(listed[1].id, hn.id);
    assert_eq!(listed[1].revoked_at, Some(Timestamp(5_000)));
    assert!(
        store
            .list_access_codes(&m("other"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn screens_are_seen(store: &Store) {
    let meeting = m("hn");
    assert!(store.screens_seen(&meeting).await.unwrap().is_empty());
    store.append(&commits(&meeting, 0..1)).await.unwrap();
    let screen = |s: &str| ScreenId::new(s).to_string();

    store
        .touch_screen(&meeting, &screen("hall-right"), Timestamp(1_000))
        .await
        .unwrap();
    store
        .touch_screen(&meeting, &screen("hall-left"), Timestamp(2_000))
        .await
        .unwrap();
    store
        .touch_screen(&meeting, &screen("hall-right"), Timestamp(3_000))
        .await
        .unwrap();
    // A late write with an older time does not move it back.
    store
        .touch_screen(&meeting, &screen("hall-right"), Timestamp(2_500))
        .await
        .unwrap();
    assert_eq!(
        store.screens_seen(&meeting).await.unwrap(),
        vec![
            ("hall-left".to_owned(), Timestamp(2_000)),
            ("hall-right".to_owned(), Timestamp(3_000)),
        ]
    );
    assert!(matches!(
        store
            .touch_screen(&m("other"), "hall-left", Timestamp(1))
            .await,
        Err(StoreError::UnknownMeeting { .. })
    ));
}

// --- Running the suite on both backends -----------------------------------------------

async fn command_results_load_after_a_seq(store: &Store) {
    let meeting = m("hn");
    let batch = commits(&meeting, 0..5);
    store.append(&batch).await.unwrap();
    let all = store.command_results_after(&meeting, 0).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[3], ("cmd-3".to_owned(), batch[3].result));
    let later = store
        .command_results_after(&meeting, batch[2].result.last_seq)
        .await
        .unwrap();
    let ids: Vec<&str> = later.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["cmd-3", "cmd-4"]);
    assert!(
        store
            .command_results_after(&m("other"), 0)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn revoked_codes_are_found_by_id_and_by_time(store: &Store) {
    let meeting = m("hn");
    store.append(&commits(&meeting, 0..1)).await.unwrap();
    let code = store
        .insert_access_code(&NewAccessCode {
            meeting: meeting.clone(),
            role: Role::Chair,
            label: "chair".to_owned(),
            hash: hash_access_code("CODE-1"),
            created_at: Timestamp(10),
        })
        .await
        .unwrap();
    let found = store.access_code_by_id(&meeting, &code.id).await.unwrap();
    assert_eq!(found.map(|c| c.revoked_at), Some(None));
    assert_eq!(
        store
            .access_code_by_id(&m("other"), &code.id)
            .await
            .unwrap(),
        None
    );
    assert!(store.revoked_since(Timestamp(0)).await.unwrap().is_empty());
    assert!(
        store
            .revoke_access_code(&meeting, &code.id, Timestamp(500))
            .await
            .unwrap()
    );
    let revoked = store.revoked_since(Timestamp(400)).await.unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].id, code.id);
    assert!(
        store
            .revoked_since(Timestamp(501))
            .await
            .unwrap()
            .is_empty()
    );
    let found = store
        .access_code_by_id(&meeting, &code.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.revoked_at, Some(Timestamp(500)));
}

async fn a_secret_is_created_once(store: &Store) {
    let first = store.secret("key", "aaaa").await.unwrap();
    assert_eq!(first, "aaaa");
    assert_eq!(store.secret("key", "bbbb").await.unwrap(), "aaaa");
    assert_eq!(store.secret("other", "cccc").await.unwrap(), "cccc");
}

async fn a_write_probe_leaves_nothing(store: &Store) {
    store.probe_write().await.unwrap();
    store.probe_write().await.unwrap();
    assert!(store.list_meetings().await.unwrap().is_empty());
}

macro_rules! conformance {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    let (_dir, store) = super::sqlite_store().await;
                    assert_eq!(store.backend(), super::Backend::Sqlite);
                    super::$test(&store).await;
                    store.close().await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    let Some(db) = super::PgDb::create(concat!("postgres::", stringify!($test))).await
                    else {
                        return;
                    };
                    assert_eq!(db.store.backend(), super::Backend::Postgres);
                    let store = db.store.clone();
                    // In a task, so that the database is dropped even when
                    // the test fails.
                    let outcome = tokio::spawn(async move { super::$test(&store).await }).await;
                    db.destroy().await;
                    if let Err(failure) = outcome {
                        std::panic::resume_unwind(failure.into_panic());
                    }
                }
            )*
        }
    };
}

// --- Writer leases (several nodes on one PostgreSQL database) -------------------

const TTL: std::time::Duration = std::time::Duration::from_millis(1000);

fn acquired(claim: Claim) -> Lease {
    match claim {
        Claim::Acquired(lease) => lease,
        held @ Claim::Held { .. } => panic!("expected the lease, got {held:?}"),
    }
}

/// A second node: another store on the same database.
async fn other_node(store: &Store) -> Store {
    match store.backend() {
        Backend::Sqlite => store.clone(),
        Backend::Postgres => Store::connect(store.url()).await.unwrap(),
    }
}

async fn a_lease_is_one_writers_until_it_expires(store: &Store) {
    let meeting = m("hn");
    let a = acquired(store.claim_lease(&meeting, "node-a", TTL).await.unwrap());
    assert_eq!(a.epoch, 1);
    let batch = commits(&meeting, 0..3);
    store.append_fenced(&batch, &a).await.unwrap();
    if store.backend() == Backend::Sqlite {
        // One node per file: nobody else ever claims.
        return;
    }
    // A lease nobody granted fences nothing in: no row, no commit.
    let forged = Lease {
        meeting: m("gt"),
        epoch: 1,
        holder: "node-a".to_owned(),
    };
    match store.append_fenced(&commits(&m("gt"), 0..1), &forged).await {
        Err(StoreError::Deposed { current: 0, .. }) => {}
        other => panic!("a commit under a lease never granted: {other:?}"),
    }
    assert!(store.load_events(&m("gt"), 0).await.unwrap().is_empty());
    let node_b = other_node(store).await;
    match node_b.claim_lease(&meeting, "node-b", TTL).await.unwrap() {
        Claim::Held {
            holder,
            epoch,
            expires_in,
        } => {
            assert_eq!((holder.as_str(), epoch), ("node-a", 1));
            assert!(expires_in <= TTL, "{expires_in:?}");
        }
        other @ Claim::Acquired(_) => panic!("node-b took a live lease: {other:?}"),
    }
    // Renewed, it stays node-a's past its first expiry.
    store.renew_lease(&a, TTL).await.unwrap();
    tokio::time::sleep(TTL / 2).await;
    store.renew_lease(&a, TTL).await.unwrap();
    tokio::time::sleep(TTL / 2 + TTL / 4).await;
    assert!(matches!(
        node_b.claim_lease(&meeting, "node-b", TTL).await.unwrap(),
        Claim::Held { .. }
    ));
    // node-a stops renewing (a SIGSTOPped process): node-b takes over.
    tokio::time::sleep(TTL + TTL / 4).await;
    let b = acquired(node_b.claim_lease(&meeting, "node-b", TTL).await.unwrap());
    assert_eq!(b.epoch, 2);
    node_b
        .append_fenced(&commits(&meeting, 3..5), &b)
        .await
        .unwrap();
    // node-a wakes up: its pending batch fails and nothing of it is stored.
    let stale = commits(&meeting, 5..6);
    match store.append_fenced(&stale, &a).await {
        Err(StoreError::Deposed {
            epoch: 1,
            current: 2,
            ..
        }) => {}
        other => panic!("a deposed writer committed: {other:?}"),
    }
    assert!(matches!(
        store.renew_lease(&a, TTL).await,
        Err(StoreError::Deposed { current: 2, .. })
    ));
    assert_eq!(
        store.load_events(&meeting, 0).await.unwrap(),
        events_of(&commits(&meeting, 0..5))
    );
    // Released at shutdown, it is free at once.
    node_b.release_lease(&b).await.unwrap();
    let c = acquired(store.claim_lease(&meeting, "node-c", TTL).await.unwrap());
    assert_eq!(c.epoch, 3);
    node_b.close().await;
}

/// The race a plain epoch check has under READ COMMITTED: a takeover
/// between the check and the commit. The fence reads the lease row FOR
/// SHARE in the commit's transaction, so the takeover's UPDATE waits for
/// that commit, and the new writer sees it.
async fn a_takeover_waits_for_a_fenced_commit_under_way(store: &Store) {
    if store.backend() == Backend::Sqlite {
        return;
    }
    let meeting = m("hn");
    let a = acquired(store.claim_lease(&meeting, "node-a", TTL).await.unwrap());
    tokio::time::sleep(TTL + TTL / 4).await;
    // node-a's commit is under way: its transaction holds the row FOR SHARE
    // (done here by hand, to hold it open for as long as the test needs).
    let mut commit = sqlx::PgConnection::connect(store.url()).await.unwrap();
    let mut tx = commit.begin().await.unwrap();
    let epoch: i64 =
        sqlx::query_scalar("SELECT epoch FROM writer_leases WHERE meeting = $1 FOR SHARE")
            .bind(meeting.as_str())
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(epoch, 1);
    let node_b = other_node(store).await;
    let takeover = {
        let node_b = node_b.clone();
        let meeting = meeting.clone();
        tokio::spawn(async move { node_b.claim_lease(&meeting, "node-b", TTL).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !takeover.is_finished(),
        "the takeover did not wait for the commit"
    );
    tx.commit().await.unwrap();
    let b = acquired(takeover.await.unwrap().unwrap());
    assert_eq!(b.epoch, 2);
    assert!(matches!(
        store.append_fenced(&commits(&meeting, 0..1), &a).await,
        Err(StoreError::Deposed { .. })
    ));
    node_b.close().await;
}

/// A commit whose answer was lost may still be under way in the database;
/// `await_writes` returns only once it has ended, so the log read after it
/// tells whether it landed. The commit under way is held open by hand: on
/// PostgreSQL a transaction holding the lease row FOR SHARE (as the fence
/// does), on SQLite one holding the file's write lock.
async fn awaiting_writes_waits_for_a_commit_under_way(store: &Store) {
    let meeting = m("hn");
    acquired(store.claim_lease(&meeting, "node-a", TTL).await.unwrap());
    let under_way = match store.backend() {
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(store.url()).await.unwrap();
            sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
            sqlx::query("SELECT epoch FROM writer_leases WHERE meeting = $1 FOR SHARE")
                .bind(meeting.as_str())
                .execute(&mut conn)
                .await
                .unwrap();
            Held::Postgres(conn)
        }
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(store.url()).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            Held::Sqlite(conn)
        }
    };
    let waiting = {
        let store = store.clone();
        let meeting = meeting.clone();
        tokio::spawn(async move { store.await_writes(&meeting).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "await_writes returned while a commit was under way"
    );
    under_way.commit().await;
    waiting.await.unwrap().unwrap();
}

/// A transaction left open on a connection of its own.
enum Held {
    Postgres(sqlx::PgConnection),
    Sqlite(sqlx::SqliteConnection),
}

impl Held {
    async fn commit(self) {
        match self {
            Held::Postgres(mut c) => sqlx::query("COMMIT").execute(&mut c).await.map(drop),
            Held::Sqlite(mut c) => sqlx::query("COMMIT").execute(&mut c).await.map(drop),
        }
        .unwrap();
    }
}

/// Commands for the writer: stored in the batch's order (ids rising in it,
/// read back in it), open until settled, settled once and only under the
/// lease.
async fn the_inbox_keeps_order_and_settles_under_the_lease(store: &Store) {
    let meeting = m("hn");
    if store.backend() == Backend::Sqlite {
        assert!(store.open_inbox(&meeting).await.unwrap().is_empty());
        return;
    }
    store.append(&commits(&meeting, 0..1)).await.unwrap();
    let forward = |i: usize| plenary_store::Forward {
        meeting: meeting.clone(),
        actor: r#"{"role":"chair"}"#.to_owned(),
        command_id: format!("c-{i:03}"),
        command: format!(r#"{{"type":"call_next","n":{i}}}"#),
        seen: i
            .is_multiple_of(2)
            .then(|| r#"{"speech":null,"rev":0}"#.to_owned()),
    };
    let batch: Vec<_> = (0..40).map(forward).collect();
    let ids = store.forward(&batch).await.unwrap();
    assert_eq!(ids.len(), 40);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids rise in the batch's order"
    );
    let open = store.open_inbox(&meeting).await.unwrap();
    let order: Vec<_> = open.iter().map(|e| e.forward.command_id.clone()).collect();
    let sent: Vec<_> = batch.iter().map(|f| f.command_id.clone()).collect();
    assert_eq!(order, sent);
    assert_eq!(open[3].forward, batch[3]);
    assert_eq!(open.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
    // Settled by the writer, once; a deposed writer settles nothing.
    let lease = acquired(store.claim_lease(&meeting, "node-a", TTL).await.unwrap());
    let first: Vec<_> = ids[..10]
        .iter()
        .map(|id| (*id, format!("first {id}")))
        .collect();
    store.settle_inbox(&meeting, &first, &lease).await.unwrap();
    let again: Vec<_> = ids[..10]
        .iter()
        .map(|id| (*id, "again".to_owned()))
        .collect();
    store.settle_inbox(&meeting, &again, &lease).await.unwrap();
    let outcomes = store.inbox_outcomes(&ids).await.unwrap();
    assert_eq!(outcomes.len(), 10);
    assert!(outcomes.iter().all(|(id, o)| *o == format!("first {id}")));
    assert_eq!(store.open_inbox(&meeting).await.unwrap().len(), 30);
    let stale = Lease { epoch: 0, ..lease };
    let late: Vec<_> = ids[10..]
        .iter()
        .map(|id| (*id, "late".to_owned()))
        .collect();
    assert!(matches!(
        store.settle_inbox(&meeting, &late, &stale).await,
        Err(StoreError::Deposed { .. })
    ));
    assert_eq!(store.open_inbox(&meeting).await.unwrap().len(), 30);
}

/// Each node's room screens, shared: a node sees the others' fresh rows,
/// never its own, and its own rows are replaced on every call.
async fn screen_presence_is_shared_between_nodes(store: &Store) {
    let meeting = m("hn");
    let seen = |screen: &str, connections: u32| plenary_store::ScreenSeen {
        screen: screen.to_owned(),
        connections,
        rtt_ms: Some(1.5),
        offset_ms: None,
        last_seen: Some(Timestamp(1_000)),
    };
    let fresh = std::time::Duration::from_secs(3);
    let from_a = store
        .share_presence(&meeting, "node-a", &[seen("hall-left", 1)], fresh)
        .await
        .unwrap();
    assert!(from_a.is_empty());
    let from_b = store
        .share_presence(&meeting, "node-b", &[seen("hall-right", 2)], fresh)
        .await
        .unwrap();
    if store.backend() == Backend::Sqlite {
        assert!(from_b.is_empty(), "one node: nobody else to hear from");
        return;
    }
    assert_eq!(from_b, vec![seen("hall-left", 1)]);
    // node-a's screen left: its rows are replaced by nothing.
    store
        .share_presence(&meeting, "node-a", &[], fresh)
        .await
        .unwrap();
    let from_b = store
        .share_presence(&meeting, "node-b", &[seen("hall-right", 2)], fresh)
        .await
        .unwrap();
    assert!(from_b.is_empty());
    // Rows older than `fresh` are a dead node's.
    store
        .share_presence(&meeting, "node-c", &[seen("hall-left", 1)], fresh)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let stale_window = std::time::Duration::from_millis(100);
    assert!(
        store
            .share_presence(&meeting, "node-b", &[], stale_window)
            .await
            .unwrap()
            .is_empty()
    );
}

conformance!(
    migrating_twice_is_harmless,
    events_round_trip_exactly,
    batches_build_one_log,
    events_load_after_a_seq,
    last_seq_follows_the_log,
    meetings_exist_from_their_first_event,
    a_conflicting_batch_writes_nothing,
    a_seq_twice_in_one_batch_conflicts,
    concurrent_writers_of_one_seq_one_wins,
    meetings_are_written_concurrently,
    snapshots_latest_wins,
    command_results_are_found_by_id,
    a_command_id_is_committed_once,
    a_commit_without_events_needs_its_meeting,
    access_codes_by_hash,
    screens_are_seen,
    command_results_load_after_a_seq,
    revoked_codes_are_found_by_id_and_by_time,
    a_secret_is_created_once,
    a_write_probe_leaves_nothing,
    a_lease_is_one_writers_until_it_expires,
    a_takeover_waits_for_a_fenced_commit_under_way,
    awaiting_writes_waits_for_a_commit_under_way,
    the_inbox_keeps_order_and_settles_under_the_lease,
    screen_presence_is_shared_between_nodes,
);

/// A migrated store on a new file in a new directory, removed on drop.
async fn sqlite_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("plenary.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    (dir, store)
}

/// A database of its own on the PostgreSQL server, for one test.
struct PgDb {
    admin_url: String,
    name: String,
    store: Store,
}

impl PgDb {
    /// `None` (and a line saying so) when no server is configured.
    async fn create(test: &str) -> Option<PgDb> {
        let Ok(admin_url) = std::env::var(DB_URL_VAR) else {
            say(&format!("{test}: skipped: {DB_URL_VAR} not set"));
            return None;
        };
        let name = format!("plenary_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to PLENARY_TEST_DATABASE_URL");
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let store = Store::connect(&with_database(&admin_url, &name))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        Some(PgDb {
            admin_url,
            name,
            store,
        })
    }

    /// Best effort: a database left behind only costs disk space.
    async fn destroy(self) {
        self.store.close().await;
        let Ok(mut admin) = sqlx::PgConnection::connect(&self.admin_url).await else {
            return;
        };
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = sqlx::query(AssertSqlSafe(drop)).execute(&mut admin).await {
            say(&format!("could not drop {}: {e}", self.name));
        }
    }
}

/// A line straight to stderr: the test harness captures `eprintln!`, and
/// a skipped backend should be seen.
fn say(line: &str) {
    let mut stderr = std::io::stderr().lock();
    writeln!(stderr, "{line}").unwrap();
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").expect("a URL");
    let authority = rest.split('/').next().unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}

// --- Opening ----------------------------------------------------------------------

#[tokio::test]
async fn sqlite_in_a_directory_that_cannot_exist_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let url = format!("sqlite://{}", file.join("sub").join("plenary.db").display());
    let err = Store::connect(&url).await.expect_err("cannot be opened");
    assert!(
        matches!(
            err,
            StoreError::Open {
                backend: Backend::Sqlite,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains(&url), "names the file: {shown}");
    assert!(shown.contains("cannot create the directory"), "{shown}");
}

#[tokio::test]
async fn postgres_on_a_closed_port_is_an_open_error_without_its_password() {
    let url = "postgres://plenary:s3cret-pw@127.0.0.1:1/plenary";
    let err = Store::connect(url)
        .await
        .expect_err("nothing listens on port 1");
    assert!(
        matches!(
            err,
            StoreError::Open {
                backend: Backend::Postgres,
                ..
            }
        ),
        "{err:?}"
    );
    let mut shown = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        shown.push_str(&format!(" / {cause}"));
        source = cause.source();
    }
    assert!(shown.contains("127.0.0.1:1"), "names the server: {shown}");
    assert!(shown.contains("plenary:***@"), "{shown}");
    assert!(!shown.contains("s3cret"), "leaks the password: {shown}");
    assert!(!format!("{err:?}").contains("s3cret"));
}

#[tokio::test]
async fn unknown_and_volatile_urls_are_refused() {
    for url in [
        "mysql://root:s3cret@localhost/db",
        "plenary.db",
        "sqlite::memory:",
    ] {
        match Store::connect(url).await {
            Err(err @ StoreError::UnsupportedUrl { .. }) => {
                assert!(!err.to_string().contains("s3cret"), "{err}");
            }
            other => panic!("{url}: expected an unsupported URL, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn sqlite_creates_a_wal_file_that_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("plenary.db");
    let url = format!("sqlite://{}", path.display());
    let meeting = m("hn");
    let batch = commits(&meeting, 0..10);
    {
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(store.url(), url);
        store.migrate().await.unwrap();
        store.append(&batch).await.unwrap();
        store.close().await;
    }
    assert!(path.is_file(), "the file and its directory are created");
    let mut raw = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    raw.close().await.unwrap();

    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(
        store.load_events(&meeting, 0).await.unwrap(),
        events_of(&batch)
    );
    store.close().await;
}

// --- Faults -----------------------------------------------------------------------

/// A real `SQLITE_FULL` (the file at its size cap) fails the commit, the
/// probe tells, nothing is written — and once space is freed the same
/// store commits again: the failed connection was discarded, not returned
/// to the pool inside its transaction.
#[tokio::test]
async fn sqlite_recovers_from_a_full_database_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plenary.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect_with(
        &url,
        StoreOptions {
            sqlite_max_size_mb: 2,
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let meeting = m("hn");
    let all = commits(&meeting, 0..reference_commands().len());
    store.append(&all[..2]).await.unwrap();
    // Fill the file up to its cap (512 pages) with a table the test can
    // empty later, from a connection of its own.
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE filler (b BLOB)")
        .execute(&mut conn)
        .await
        .unwrap();
    loop {
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        if pages >= 510 {
            break;
        }
        sqlx::query("INSERT INTO filler VALUES (zeroblob(3000))")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
    // Commit until the cap refuses.
    let mut committed = 2;
    let failure = loop {
        match store.append(&all[committed..committed + 1]).await {
            Ok(()) => committed += 1,
            Err(e) => break e,
        }
        assert!(
            committed < all.len(),
            "the cap was never reached: {} bytes after {committed} commits",
            std::fs::metadata(&path).unwrap().len()
        );
    };
    assert!(
        failure.to_string().contains("full"),
        "a real SQLITE_FULL: {failure}"
    );
    assert!(
        failure.nothing_written(),
        "SQLITE_FULL is a refusal: {failure}"
    );
    assert!(
        store.probe_write().await.is_err(),
        "the probe sees the full file"
    );
    let last = store.last_seq(&meeting).await.unwrap();
    assert_eq!(
        last,
        all[committed - 1].result.last_seq,
        "nothing of the failed commit"
    );
    // Free space from another connection, as an operator would.
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM filler")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    store.probe_write().await.unwrap();
    store.append(&all[committed..committed + 1]).await.unwrap();
    assert_eq!(
        store.last_seq(&meeting).await.unwrap(),
        all[committed].result.last_seq
    );
    store.close().await;
}
