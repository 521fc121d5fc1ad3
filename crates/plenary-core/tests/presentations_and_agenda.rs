//! Scheduled presentations (the national plans: start in order, extend,
//! skip, defer) and the agenda (opening items, moving through and
//! reordering the running order, actual start and end).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::agenda::ItemStatus;
use plenary_core::floor::{EndReason, SpeechSource};
use plenary_core::i18n::Lang;
use plenary_core::ids::{ItemId, SpeechId};
use plenary_core::presentations::{Slot, SlotStatus};
use plenary_core::{Command, CommandError, Millis, Timestamp};
use support::{Session, T0, chair, d, item};

const PLANS: &str = "national-plans";

fn plans() -> ItemId {
    item(PLANS)
}

fn at(secs: i64) -> Timestamp {
    T0 + Millis::from_secs(secs)
}

fn slots(s: &Session) -> &[Slot] {
    &s.meeting.agenda.item(&plans()).unwrap().schedule.slots
}

fn slot_status(s: &Session, who: &str) -> SlotStatus {
    slots(s)
        .iter()
        .find(|slot| slot.presenter.as_str() == who)
        .unwrap()
        .status
}

fn presenters(s: &Session) -> Vec<&str> {
    slots(s)
        .iter()
        .map(|slot| slot.presenter.as_str())
        .collect()
}

fn start(presenter: Option<&str>) -> Command {
    Command::StartPresentation {
        item: plans(),
        presenter: presenter.map(d),
    }
}

fn skip(presenter: &str) -> Command {
    Command::SkipPresenter {
        item: plans(),
        presenter: d(presenter),
    }
}

fn defer(presenter: &str) -> Command {
    Command::DeferPresenter {
        item: plans(),
        presenter: d(presenter),
    }
}

fn open(id: &str) -> Command {
    Command::OpenItem { item: item(id) }
}

fn running_order(s: &Session) -> Vec<&str> {
    s.meeting
        .agenda
        .items
        .iter()
        .map(|i| i.id.as_str())
        .collect()
}

fn status(s: &Session, id: &str) -> ItemStatus {
    s.meeting.agenda.item(&item(id)).unwrap().status
}

// --- Scheduled presentations ---------------------------------------------

#[test]
fn the_chair_starts_presenters_in_schedule_order() {
    let mut s = Session::on_item(PLANS);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("bz"));
    let speech = s.meeting.floor.current.as_ref().unwrap();
    assert_eq!(speech.source, SpeechSource::Presentation);
    assert_eq!(speech.language, Lang::parse("en").unwrap());
    assert_eq!(s.remaining(), Millis(720_000));
    assert_eq!(
        slot_status(&s, "bz"),
        SlotStatus::Presenting {
            speech: SpeechId(1)
        }
    );

    s.secs(600);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("cr"));
    assert_eq!(
        slot_status(&s, "bz"),
        SlotStatus::Done {
            speech: SpeechId(1)
        }
    );
    let bz = &s.meeting.log[0];
    assert_eq!(bz.source, SpeechSource::Presentation);
    assert_eq!(bz.spoken, Millis(600_000));
    assert_eq!(bz.limit, Millis(720_000));
    assert_eq!(bz.ended_by, EndReason::Chair);

    s.secs(700);
    s.ok(chair(), start(None));
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert_eq!(s.meeting.log.len(), 2, "starting the next ends the current");

    // The chair may name a presenter out of turn.
    s.secs(700);
    s.ok(chair(), start(Some("mx")));
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    let pending: Vec<&str> = s
        .meeting
        .agenda
        .item(&plans())
        .unwrap()
        .schedule
        .pending()
        .map(|slot| slot.presenter.as_str())
        .collect();
    assert_eq!(pending, ["hn", "pa"]);

    let err = s.refused(chair(), start(Some("mx")));
    assert_eq!(err.code(), "presenter_not_pending");
    let err = s.refused(chair(), start(Some("ar")));
    assert_eq!(err.code(), "unknown_presenter");
    s.assert_replay_matches();
}

#[test]
fn the_chair_extends_a_presenters_slot() {
    let mut s = Session::on_item(PLANS);
    s.ok(chair(), Command::CallNext);
    s.secs(700);
    assert_eq!(s.remaining(), Millis(20_000));
    s.ok(
        chair(),
        Command::ExtendTimer {
            by: Millis::from_mins(3),
        },
    );
    assert_eq!(s.remaining(), Millis(200_000));
    s.secs(200);
    assert_eq!(s.remaining(), Millis::ZERO);
    s.ok(chair(), Command::EndSpeech);

    let bz = &s.meeting.log[0];
    assert_eq!(bz.limit, Millis(900_000));
    assert_eq!(bz.spoken, Millis(900_000));
    assert_eq!(bz.overrun, Millis::ZERO);
    // The schedule keeps what was allotted.
    assert_eq!(slots(&s)[0].allotted, Millis(720_000));
    s.assert_replay_matches();
}

#[test]
fn a_skipped_presenter_is_passed_over_and_is_no_longer_pending() {
    let mut s = Session::on_item(PLANS);
    s.ok(chair(), skip("cr"));
    assert_eq!(slot_status(&s, "cr"), SlotStatus::Skipped);

    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("bz"));
    s.secs(600);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("gt"));

    for command in [skip("cr"), start(Some("cr")), defer("cr")] {
        let err = s.refused(chair(), command.clone());
        assert_eq!(err.code(), "presenter_not_pending", "{command:?}");
        assert_eq!(
            err,
            CommandError::PresenterNotPending { presenter: d("cr") }
        );
    }
    // Neither is one presenting or done.
    assert_eq!(
        s.refused(chair(), skip("gt")).code(),
        "presenter_not_pending"
    );
    assert_eq!(
        s.refused(chair(), skip("bz")).code(),
        "presenter_not_pending"
    );
    assert_eq!(s.refused(chair(), skip("ar")).code(), "unknown_presenter");
    s.assert_replay_matches();
}

#[test]
fn a_deferred_presenter_goes_to_the_end_of_the_schedule() {
    let mut s = Session::on_item(PLANS);
    s.ok(chair(), defer("bz"));
    assert_eq!(presenters(&s), ["cr", "gt", "hn", "mx", "pa", "bz"]);
    assert_eq!(slots(&s)[5].deferred, 1);
    assert_eq!(slot_status(&s, "bz"), SlotStatus::Pending);

    let mut heard = Vec::new();
    for _ in 0..6 {
        s.ok(chair(), Command::CallNext);
        heard.push(s.speaker().unwrap());
        s.secs(600);
    }
    assert_eq!(heard, ["cr", "gt", "hn", "mx", "pa", "bz"]);
    s.assert_replay_matches();
}

#[test]
fn no_presenter_is_pending_once_everyone_has_presented_or_was_skipped() {
    let mut s = Session::on_item(PLANS);
    for who in ["bz", "cr", "gt", "hn"] {
        s.ok(chair(), skip(who));
    }
    s.ok(chair(), start(None));
    assert_eq!(s.speaker().as_deref(), Some("mx"));
    s.secs(600);
    s.ok(chair(), start(None));
    assert_eq!(s.speaker().as_deref(), Some("pa"));
    s.secs(600);

    let err = s.refused(chair(), start(None));
    assert_eq!(err.code(), "no_presenter_pending");
    assert_eq!(err, CommandError::NoPresenterPending);
    // Nobody on the list either.
    let err = s.refused(chair(), Command::CallNext);
    assert_eq!(err.code(), "queue_empty");
    assert_eq!(s.speaker().as_deref(), Some("pa"));
    s.ok(chair(), Command::EndSpeech);
    assert_eq!(
        s.meeting
            .agenda
            .item(&plans())
            .unwrap()
            .schedule
            .pending_time(),
        Millis::ZERO
    );
    s.assert_replay_matches();
}

#[test]
fn a_debate_item_has_no_schedule() {
    let mut s = Session::on_item("stocktaking");
    for command in [
        Command::StartPresentation {
            item: item("stocktaking"),
            presenter: None,
        },
        Command::SkipPresenter {
            item: item("stocktaking"),
            presenter: d("hn"),
        },
        Command::DeferPresenter {
            item: item("stocktaking"),
            presenter: d("hn"),
        },
    ] {
        let err = s.refused(chair(), command.clone());
        assert_eq!(err.code(), "no_schedule", "{command:?}");
        assert_eq!(
            err,
            CommandError::NoSchedule {
                item: item("stocktaking")
            }
        );
    }
    // Presentations start only on the current item.
    let err = s.refused(chair(), start(None));
    assert_eq!(err.code(), "item_not_current");
}

// --- The agenda ------------------------------------------------------------

#[test]
fn the_chair_moves_through_the_agenda_in_running_order_and_actual_times_are_recorded() {
    let mut s = Session::reference();
    let err = s.refused(chair(), Command::PreviousItem);
    assert_eq!(err.code(), "no_previous_item");

    // Next from nothing opens the first item.
    s.ok(chair(), Command::NextItem);
    assert_eq!(s.meeting.agenda.current, Some(item("opening")));
    assert_eq!(status(&s, "opening"), ItemStatus::Current);
    let err = s.refused(chair(), Command::PreviousItem);
    assert_eq!(err, CommandError::NoPreviousItem);

    s.secs(1800);
    s.ok(chair(), Command::NextItem);
    assert_eq!(s.meeting.agenda.current, Some(plans()));
    let opening = s.meeting.agenda.item(&item("opening")).unwrap();
    assert_eq!(opening.status, ItemStatus::Done);
    assert_eq!(opening.actual_start, Some(T0));
    assert_eq!(opening.actual_end, Some(at(1800)));

    // Going back reopens an item: it keeps its first actual start.
    s.secs(60);
    s.ok(chair(), Command::PreviousItem);
    assert_eq!(s.meeting.agenda.current, Some(item("opening")));
    let opening = s.meeting.agenda.item(&item("opening")).unwrap();
    assert_eq!(opening.status, ItemStatus::Current);
    assert_eq!(opening.actual_start, Some(T0));
    assert_eq!(opening.actual_end, None);
    let national = s.meeting.agenda.item(&plans()).unwrap();
    assert_eq!(national.status, ItemStatus::Done);
    assert_eq!(national.actual_start, Some(at(1800)));
    assert_eq!(national.actual_end, Some(at(1860)));
    assert_eq!(status(&s, "break-1"), ItemStatus::Pending);
    assert_eq!(
        s.meeting
            .agenda
            .item(&item("break-1"))
            .unwrap()
            .actual_start,
        None
    );

    // Any item may be opened; after the last there is none.
    s.secs(60);
    s.ok(chair(), open("closing"));
    assert_eq!(status(&s, "opening"), ItemStatus::Done);
    let err = s.refused(chair(), Command::NextItem);
    assert_eq!(err.code(), "no_next_item");
    assert_eq!(err, CommandError::NoNextItem);
    let err = s.refused(chair(), open("lunch"));
    assert_eq!(err.code(), "unknown_item");
    s.ok(chair(), Command::PreviousItem);
    assert_eq!(s.meeting.agenda.current, Some(item("adoption")));
    s.assert_replay_matches();
}

#[test]
fn the_agenda_cannot_move_while_someone_has_the_floor() {
    let mut s = Session::on_item("stocktaking");
    s.statement("hn");
    s.ok(chair(), Command::CallNext);
    for command in [Command::NextItem, Command::PreviousItem, open("adoption")] {
        let err = s.refused(chair(), command.clone());
        assert_eq!(err.code(), "floor_occupied", "{command:?}");
        assert_eq!(
            err,
            CommandError::FloorOccupied {
                delegation: d("hn")
            }
        );
    }
    s.secs(60);
    s.ok(chair(), Command::EndSpeech);
    s.ok(chair(), Command::NextItem);
    assert_eq!(s.meeting.agenda.current, Some(item("break-2")));
    s.assert_replay_matches();
}

#[test]
fn opening_the_current_item_again_is_refused_with_item_already_current() {
    let mut s = Session::on_item("stocktaking");
    let err = s.refused(chair(), open("stocktaking"));
    assert_eq!(err.code(), "item_already_current");
    assert_eq!(
        err,
        CommandError::ItemAlreadyCurrent {
            item: item("stocktaking")
        }
    );
}

#[test]
fn moving_an_item_reorders_the_running_order() {
    let mut s = Session::reference();
    assert_eq!(
        running_order(&s),
        [
            "opening",
            "national-plans",
            "break-1",
            "responsibility-sharing",
            "regional-actors",
            "stocktaking",
            "break-2",
            "adoption",
            "closing"
        ]
    );
    s.ok(
        chair(),
        Command::MoveItem {
            item: item("stocktaking"),
            to: 0,
        },
    );
    s.ok(
        chair(),
        Command::MoveItem {
            item: item("break-1"),
            to: 8,
        },
    );
    assert_eq!(
        running_order(&s),
        [
            "stocktaking",
            "opening",
            "national-plans",
            "responsibility-sharing",
            "regional-actors",
            "break-2",
            "adoption",
            "closing",
            "break-1"
        ]
    );

    // Next and previous follow the new order.
    s.ok(chair(), Command::NextItem);
    assert_eq!(s.meeting.agenda.current, Some(item("stocktaking")));
    s.ok(chair(), Command::NextItem);
    assert_eq!(s.meeting.agenda.current, Some(item("opening")));
    s.ok(chair(), Command::PreviousItem);
    assert_eq!(s.meeting.agenda.current, Some(item("stocktaking")));

    let err = s.refused(
        chair(),
        Command::MoveItem {
            item: item("adoption"),
            to: 9,
        },
    );
    assert_eq!(err.code(), "position_out_of_range");
    assert_eq!(
        err,
        CommandError::PositionOutOfRange {
            position: 9,
            max: 8
        }
    );
    let err = s.refused(
        chair(),
        Command::MoveItem {
            item: item("lunch"),
            to: 0,
        },
    );
    assert_eq!(err.code(), "unknown_item");
    s.assert_replay_matches();
}
