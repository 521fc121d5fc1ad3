//! Rights of reply: at most two per delegation and item, the first longer
//! than the second, waiting at the end of the list, taken on a closed list.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::floor::EndReason;
use plenary_core::ids::{ItemId, RequestId};
use plenary_core::rules::RequestKind;
use plenary_core::speakers::RequestStatus;
use plenary_core::{Command, CommandError, Millis};
use support::{Session, chair, d, definition_with, delegation, item};

const DEBATE: &str = "stocktaking";

fn debate() -> ItemId {
    item(DEBATE)
}

fn reply(s: &mut Session, who: &str) -> RequestId {
    s.request(who, RequestKind::RightOfReply)
}

fn ask_reply(who: &str) -> Command {
    Command::RequestFloor {
        item: debate(),
        delegation: d(who),
        kind: RequestKind::RightOfReply,
        language: None,
    }
}

/// Gives the floor to `request`, lets it speak `secs` and ends it.
fn hear(s: &mut Session, request: RequestId, secs: i64) {
    s.ok(chair(), Command::GiveFloor { request });
    s.secs(secs);
    s.ok(chair(), Command::EndSpeech);
}

#[test]
fn a_delegation_has_at_most_two_rights_of_reply_per_item_first_ten_then_five_minutes() {
    let mut s = Session::on_item(DEBATE);
    let first = reply(&mut s, "hn");
    assert_eq!(s.request_of(first).limit, Millis(600_000));
    // One waiting at a time.
    let err = s.refused(delegation("hn"), ask_reply("hn"));
    assert_eq!(err, CommandError::AlreadyRequested { request: first });

    s.ok(chair(), Command::CallNext);
    assert_eq!(s.remaining(), Millis(600_000));
    s.secs(240);
    s.ok(chair(), Command::EndSpeech);

    let second = reply(&mut s, "hn");
    assert_eq!(s.request_of(second).limit, Millis(300_000));
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.remaining(), Millis(300_000));
    s.secs(120);
    s.ok(chair(), Command::EndSpeech);

    let err = s.refused(delegation("hn"), ask_reply("hn"));
    assert_eq!(err.code(), "reply_limit_reached");
    assert_eq!(err, CommandError::ReplyLimitReached { max: 2 });
    // Nor may the chair grant a third one.
    let err = s.refused(
        chair(),
        Command::InsertSpeaker {
            item: debate(),
            delegation: d("hn"),
            kind: RequestKind::RightOfReply,
            language: None,
            position: None,
        },
    );
    assert_eq!(err.code(), "reply_limit_reached");
    // Other delegations keep theirs.
    let gt = reply(&mut s, "gt");
    assert_eq!(s.request_of(gt).limit, Millis(600_000));

    // The count starts again on the next item.
    hear(&mut s, gt, 10);
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("adoption"),
        },
    );
    let on_adoption = reply(&mut s, "hn");
    assert_eq!(s.request_of(on_adoption).limit, Millis(600_000));
    s.assert_replay_matches();
}

#[test]
fn rights_of_reply_wait_at_the_end_of_the_list_after_every_statement() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.secs(5);
    s.statement("ar");
    s.secs(5);
    reply(&mut s, "gt");
    s.secs(5);
    s.statement("mx");
    s.secs(5);
    reply(&mut s, "pa");
    s.secs(5);
    s.statement("cs-jesuit");
    assert_eq!(s.queue(), ["hn", "mx", "ar", "cs-jesuit", "gt", "pa"]);

    // A point of order still goes first.
    s.request("eu", RequestKind::PointOfOrder);
    assert_eq!(s.queue(), ["eu", "hn", "mx", "ar", "cs-jesuit", "gt", "pa"]);

    let mut called = Vec::new();
    for _ in 0..7 {
        s.ok(chair(), Command::CallNext);
        called.push(s.speaker().unwrap());
        s.secs(30);
    }
    assert_eq!(called, ["eu", "hn", "mx", "ar", "cs-jesuit", "gt", "pa"]);
    s.assert_replay_matches();
}

#[test]
fn a_withdrawn_or_removed_reply_does_not_count() {
    let mut s = Session::on_item(DEBATE);
    let withdrawn = reply(&mut s, "hn");
    s.ok(
        delegation("hn"),
        Command::WithdrawRequest { request: withdrawn },
    );
    let removed = reply(&mut s, "hn");
    assert_eq!(s.request_of(removed).limit, Millis(600_000));
    s.ok(chair(), Command::RemoveRequest { request: removed });

    let first = reply(&mut s, "hn");
    assert_eq!(s.request_of(first).limit, Millis(600_000));
    hear(&mut s, first, 300);
    let second = reply(&mut s, "hn");
    assert_eq!(s.request_of(second).limit, Millis(300_000));
    hear(&mut s, second, 60);
    let err = s.refused(delegation("hn"), ask_reply("hn"));
    assert_eq!(err.code(), "reply_limit_reached");
    s.assert_replay_matches();
}

#[test]
fn a_reply_cut_short_by_yielding_the_floor_still_counts() {
    let mut s = Session::on_item(DEBATE);
    let first = reply(&mut s, "hn");
    s.ok(chair(), Command::CallNext);
    s.secs(120);
    // The delegation yields the floor after two minutes of its reply.
    s.ok(
        delegation("hn"),
        Command::WithdrawRequest { request: first },
    );
    assert_eq!(s.speaker(), None);
    assert_eq!(s.meeting.log[0].ended_by, EndReason::Withdrawn);
    assert_eq!(s.meeting.log[0].spoken, Millis(120_000));

    // It was heard: the next one is the second, shorter reply...
    let second = reply(&mut s, "hn");
    assert_eq!(s.request_of(second).limit, Millis(300_000));
    hear(&mut s, second, 60);
    // ...and there is no third.
    let err = s.refused(delegation("hn"), ask_reply("hn"));
    assert_eq!(err.code(), "reply_limit_reached");
}

#[test]
fn a_removed_reply_put_back_by_the_chair_still_respects_the_limit() {
    let mut s = Session::on_item(DEBATE);
    let removed = reply(&mut s, "hn");
    s.ok(chair(), Command::RemoveRequest { request: removed });
    let first = reply(&mut s, "hn");
    hear(&mut s, first, 300);
    let second = reply(&mut s, "hn");
    hear(&mut s, second, 60);

    // Two replies were heard: putting the removed one back would be a third.
    let err = s.refused(
        chair(),
        Command::ReaddRequest {
            request: removed,
            position: None,
        },
    );
    assert_eq!(err.code(), "reply_limit_reached");
    assert_eq!(s.request_of(removed).status, RequestStatus::Removed);
}

#[test]
fn rights_of_reply_are_taken_on_a_closed_list() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.ok(chair(), Command::CloseList { item: debate() });
    let err = s.refused(
        delegation("gt"),
        Command::RequestFloor {
            item: debate(),
            delegation: d("gt"),
            kind: RequestKind::Statement,
            language: None,
        },
    );
    assert_eq!(err.code(), "list_closed");

    let gt = reply(&mut s, "gt");
    assert_eq!(s.request_of(gt).limit, Millis(600_000));
    assert_eq!(s.queue(), ["hn", "gt"]);

    // Also on an item whose list never opened.
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("break-2"),
        },
    );
    assert!(
        !s.meeting
            .agenda
            .item(&item("break-2"))
            .unwrap()
            .speakers
            .open
    );
    s.request("ar", RequestKind::RightOfReply);
    assert_eq!(s.queue(), ["ar"]);
    s.assert_replay_matches();
}

#[test]
fn under_the_oas_preset_replies_are_five_then_three_minutes() {
    let mut s = Session::new(definition_with(|src| {
        src.replacen("preset = \"un-general-assembly\"", "preset = \"oas\"", 1)
            .replacen("right_of_reply_limits = [\"10m\", \"5m\"]\n", "", 1)
    }));
    s.ok(chair(), Command::OpenItem { item: debate() });
    let first = reply(&mut s, "hn");
    assert_eq!(s.request_of(first).limit, Millis(300_000));
    hear(&mut s, first, 200);
    let second = reply(&mut s, "hn");
    assert_eq!(s.request_of(second).limit, Millis(180_000));
    s.ok(chair(), Command::GiveFloor { request: second });
    assert_eq!(s.remaining(), Millis(180_000));
    s.secs(100);
    s.ok(chair(), Command::EndSpeech);
    let err = s.refused(delegation("hn"), ask_reply("hn"));
    assert_eq!(err, CommandError::ReplyLimitReached { max: 2 });
    s.assert_replay_matches();
}

#[test]
fn a_reply_put_back_gets_the_limit_a_new_reply_would_get_now() {
    let mut s = Session::on_item(DEBATE);
    let first = reply(&mut s, "hn");
    assert_eq!(s.request_of(first).limit, Millis(600_000));
    s.ok(chair(), Command::RemoveRequest { request: first });
    let other = reply(&mut s, "hn");
    hear(&mut s, other, 120);
    s.ok(
        chair(),
        Command::ReaddRequest {
            request: first,
            position: None,
        },
    );
    // One reply was heard: this one is now the second, five minutes at most.
    assert_eq!(s.request_of(first).limit, Millis(300_000));
    s.assert_replay_matches();
}

#[test]
fn a_reply_already_heard_cannot_be_put_back() {
    let mut s = Session::on_item(DEBATE);
    let heard = reply(&mut s, "hn");
    hear(&mut s, heard, 30);
    let err = s.refused(
        chair(),
        Command::ReaddRequest {
            request: heard,
            position: None,
        },
    );
    assert_eq!(err.code(), "already_heard");
}
