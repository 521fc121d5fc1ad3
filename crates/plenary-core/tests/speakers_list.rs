//! The list of speakers: the order requests wait in, who may ask for what,
//! and what the chair may do with the list (close, insert, move, remove,
//! put back, give the floor out of order, set time limits).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::i18n::Lang;
use plenary_core::ids::{ItemId, RequestId};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::speakers::RequestStatus;
use plenary_core::{Command, CommandError, Event, Millis, Timestamp};
use support::{Session, chair, d, definition_with, delegation, item};

const DEBATE: &str = "stocktaking";

fn debate() -> ItemId {
    item(DEBATE)
}

fn lang(tag: &str) -> Lang {
    Lang::parse(tag).unwrap()
}

/// A session with `stocktaking` open under a variant of the reference rules.
fn variant_on_debate(edit: impl FnOnce(&str) -> String) -> Session {
    let mut s = Session::new(definition_with(edit));
    s.ok(chair(), Command::OpenItem { item: debate() });
    s
}

fn ask(who: &str, on: &str, kind: RequestKind) -> Command {
    Command::RequestFloor {
        item: item(on),
        delegation: d(who),
        kind,
        language: None,
    }
}

/// The chair puts `who` on the list of `on`; returns the new request.
fn insert(
    s: &mut Session,
    on: &str,
    who: &str,
    kind: RequestKind,
    position: Option<usize>,
) -> RequestId {
    let events = s.ok(
        chair(),
        Command::InsertSpeaker {
            item: item(on),
            delegation: d(who),
            kind,
            language: None,
            position,
        },
    );
    match &events[..] {
        [Event::FloorRequested { request, .. }] => *request,
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn statements_are_called_in_order_of_request_when_the_rules_say_request_time() {
    let mut s = variant_on_debate(|src| {
        src.replacen(
            "preset = \"un-general-assembly\"",
            "preset = \"un-general-assembly\"\norder = \"request_time\"",
            1,
        )
    });
    let order = ["cs-nrc", "unhcr", "eu", "ar", "hn", "private-sector"];
    for who in order {
        s.statement(who);
        s.secs(5);
    }
    assert_eq!(s.queue(), order);
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("cs-nrc"));
    assert_eq!(s.queue(), ["unhcr", "eu", "ar", "hn", "private-sector"]);
    s.assert_replay_matches();
}

#[test]
fn statements_are_called_in_order_of_request_under_the_oas_preset() {
    let mut s = variant_on_debate(|src| {
        src.replacen("preset = \"un-general-assembly\"", "preset = \"oas\"", 1)
    });
    let order = ["private-sector", "iom", "ca", "gt", "sica", "mx"];
    for who in order {
        s.statement(who);
        s.secs(5);
    }
    assert_eq!(s.queue(), order);
    s.assert_replay_matches();
}

#[test]
fn statements_wait_by_category_precedence_then_by_time_of_request() {
    let mut s = Session::on_item(DEBATE);
    for who in [
        "private-sector",
        "cs-jesuit",
        "unhcr",
        "eu",
        "ar",
        "hn",
        "br",
        "iom",
        "gt",
    ] {
        s.statement(who);
        s.secs(5);
    }
    // Member states, cooperating states, regional bodies, international
    // organisations, civil society, observers; by time within each.
    assert_eq!(
        s.queue(),
        [
            "hn",
            "gt",
            "ar",
            "br",
            "eu",
            "unhcr",
            "iom",
            "cs-jesuit",
            "private-sector"
        ]
    );
    s.assert_replay_matches();
}

#[test]
fn a_delegation_has_at_most_one_open_statement_per_item() {
    let mut s = Session::on_item(DEBATE);
    let first = s.statement("hn");
    s.secs(10);

    let err = s.refused(delegation("hn"), ask("hn", DEBATE, RequestKind::Statement));
    assert_eq!(err.code(), "already_requested");
    assert_eq!(err, CommandError::AlreadyRequested { request: first });
    // Nor may the chair put it on the list a second time.
    let err = s.refused(
        chair(),
        Command::InsertSpeaker {
            item: debate(),
            delegation: d("hn"),
            kind: RequestKind::Statement,
            language: None,
            position: None,
        },
    );
    assert_eq!(err.code(), "already_requested");

    // Speaking, the request is still open.
    s.ok(chair(), Command::CallNext);
    let err = s.refused(delegation("hn"), ask("hn", DEBATE, RequestKind::Statement));
    assert_eq!(err, CommandError::AlreadyRequested { request: first });

    // Once heard, the delegation may ask again.
    s.secs(60);
    s.ok(chair(), Command::EndSpeech);
    let second = s.statement("hn");
    assert_ne!(first, second);
    assert_eq!(s.queue(), ["hn"]);

    // The rule is per item: on the next item the waiting request on
    // `stocktaking` does not stand in the way.
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("adoption"),
        },
    );
    s.statement("hn");
    assert_eq!(s.queue(), ["hn"]);
    assert_eq!(
        s.request_of(second).status,
        RequestStatus::Requested,
        "the request on the earlier item still waits there"
    );
    s.assert_replay_matches();
}

#[test]
fn a_delegation_may_hold_a_statement_and_a_point_of_order_at_the_same_time() {
    let mut s = Session::on_item(DEBATE);
    s.statement("gt");
    s.secs(5);
    let statement = s.statement("hn");
    s.secs(5);
    let point = s.request("hn", RequestKind::PointOfOrder);
    assert_eq!(s.queue(), ["hn", "gt", "hn"]);
    assert_eq!(s.request_of(point).kind, RequestKind::PointOfOrder);
    assert_eq!(s.request_of(statement).kind, RequestKind::Statement);

    // A right of reply is a third class of its own.
    s.request("hn", RequestKind::RightOfReply);
    assert_eq!(s.queue(), ["hn", "gt", "hn", "hn"]);

    // But only one of each.
    let err = s.refused(
        delegation("hn"),
        ask("hn", DEBATE, RequestKind::PointOfOrder),
    );
    assert_eq!(err, CommandError::AlreadyRequested { request: point });
    let err = s.refused(delegation("hn"), ask("hn", DEBATE, RequestKind::Statement));
    assert_eq!(err, CommandError::AlreadyRequested { request: statement });
    s.assert_replay_matches();
}

#[test]
fn a_delegation_withdraws_only_its_own_request() {
    let mut s = Session::on_item(DEBATE);
    let hn = s.statement("hn");
    let gt = s.statement("gt");

    let err = s.refused(delegation("gt"), Command::WithdrawRequest { request: hn });
    assert_eq!(err.code(), "not_your_delegation");
    assert_eq!(
        err,
        CommandError::NotYourDelegation {
            delegation: d("hn")
        }
    );

    s.ok(delegation("hn"), Command::WithdrawRequest { request: hn });
    assert_eq!(s.queue(), ["gt"]);
    assert_eq!(s.request_of(hn).status, RequestStatus::Withdrawn);

    let err = s.refused(delegation("hn"), Command::WithdrawRequest { request: hn });
    assert_eq!(err.code(), "request_not_waiting");

    // The chair may withdraw anyone's request.
    s.ok(chair(), Command::WithdrawRequest { request: gt });
    assert!(s.queue().is_empty());

    let err = s.refused(
        delegation("hn"),
        Command::WithdrawRequest {
            request: RequestId(99),
        },
    );
    assert_eq!(err.code(), "unknown_request");
    s.assert_replay_matches();
}

#[test]
fn a_delegation_can_never_ask_for_another_nor_give_itself_the_floor() {
    let mut s = Session::on_item(DEBATE);
    let err = s.refused(delegation("hn"), ask("gt", DEBATE, RequestKind::Statement));
    assert_eq!(err.code(), "not_your_delegation");
    assert_eq!(
        err,
        CommandError::NotYourDelegation {
            delegation: d("gt")
        }
    );

    let err = s.refused(
        delegation("hn"),
        Command::InsertSpeaker {
            item: debate(),
            delegation: d("hn"),
            kind: RequestKind::Statement,
            language: None,
            position: Some(0),
        },
    );
    assert_eq!(err.code(), "not_permitted");

    let hn = s.statement("hn");
    for command in [
        Command::CallNext,
        Command::GiveFloor { request: hn },
        Command::MoveRequest { request: hn, to: 0 },
        Command::CloseList { item: debate() },
    ] {
        let err = s.refused(delegation("hn"), command.clone());
        assert_eq!(err.code(), "not_permitted", "{command:?}");
    }
    assert_eq!(s.speaker(), None);
}

#[test]
fn closing_the_list_refuses_statements_but_takes_points_of_order_and_rights_of_reply() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.ok(chair(), Command::CloseList { item: debate() });
    assert!(!s.meeting.agenda.item(&debate()).unwrap().speakers.open);

    let err = s.refused(delegation("gt"), ask("gt", DEBATE, RequestKind::Statement));
    assert_eq!(err.code(), "list_closed");
    assert_eq!(err, CommandError::ListClosed { item: debate() });

    s.secs(5);
    s.request("ar", RequestKind::PointOfOrder);
    s.secs(5);
    s.request("gt", RequestKind::RightOfReply);
    assert_eq!(s.queue(), ["ar", "hn", "gt"]);
    s.assert_replay_matches();
}

#[test]
fn reopening_the_list_takes_statements_again() {
    let mut s = Session::on_item(DEBATE);
    let err = s.refused(chair(), Command::ReopenList { item: debate() });
    assert_eq!(err.code(), "list_already_open");

    s.ok(chair(), Command::CloseList { item: debate() });
    s.refused(delegation("gt"), ask("gt", DEBATE, RequestKind::Statement));
    s.ok(chair(), Command::ReopenList { item: debate() });
    s.statement("gt");
    assert_eq!(s.queue(), ["gt"]);
    s.assert_replay_matches();
}

#[test]
fn closing_a_closed_list_is_refused_with_list_already_closed() {
    let mut s = Session::on_item(DEBATE);
    s.ok(chair(), Command::CloseList { item: debate() });
    let err = s.refused(chair(), Command::CloseList { item: debate() });
    assert_eq!(err.code(), "list_already_closed");
    assert_eq!(err, CommandError::ListAlreadyClosed { item: debate() });

    // Items defined with `list_open = false` start closed.
    let mut s = Session::on_item("break-1");
    let err = s.refused(
        chair(),
        Command::CloseList {
            item: item("break-1"),
        },
    );
    assert_eq!(err.code(), "list_already_closed");
    let err = s.refused(
        delegation("hn"),
        ask("hn", "break-1", RequestKind::Statement),
    );
    assert_eq!(err.code(), "list_closed");
}

#[test]
fn the_chair_inserts_a_speaker_at_a_position_even_on_a_closed_list() {
    let mut s = Session::on_item(DEBATE);
    for who in ["hn", "gt", "ar"] {
        s.statement(who);
        s.secs(5);
    }
    s.ok(chair(), Command::CloseList { item: debate() });

    // Where the rules put it...
    let eu = insert(&mut s, DEBATE, "eu", RequestKind::Statement, None);
    assert_eq!(s.queue(), ["hn", "gt", "ar", "eu"]);
    // ...or where the chair says.
    let cs = insert(&mut s, DEBATE, "cs-jesuit", RequestKind::Statement, Some(0));
    assert_eq!(s.queue(), ["cs-jesuit", "hn", "gt", "ar", "eu"]);
    insert(&mut s, DEBATE, "mx", RequestKind::Statement, Some(5));
    assert_eq!(s.queue(), ["cs-jesuit", "hn", "gt", "ar", "eu", "mx"]);

    let r = s.request_of(cs);
    assert!(r.by_chair);
    assert_eq!(r.limit, Millis(180_000), "civil society: 3 minutes");
    assert_eq!(r.category, Category::CivilSociety);
    assert!(s.request_of(eu).by_chair);

    // The delegations themselves still may not.
    let err = s.refused(delegation("pa"), ask("pa", DEBATE, RequestKind::Statement));
    assert_eq!(err.code(), "list_closed");
    s.assert_replay_matches();
}

#[test]
fn a_position_outside_the_list_is_refused_with_position_out_of_range() {
    let mut s = Session::on_item(DEBATE);
    let hn = s.statement("hn");
    s.statement("gt");

    let err = s.refused(
        chair(),
        Command::InsertSpeaker {
            item: debate(),
            delegation: d("ar"),
            kind: RequestKind::Statement,
            language: None,
            position: Some(3),
        },
    );
    assert_eq!(err.code(), "position_out_of_range");
    assert_eq!(
        err,
        CommandError::PositionOutOfRange {
            position: 3,
            max: 2
        }
    );

    let err = s.refused(chair(), Command::MoveRequest { request: hn, to: 2 });
    assert_eq!(
        err,
        CommandError::PositionOutOfRange {
            position: 2,
            max: 1
        }
    );

    s.ok(chair(), Command::RemoveRequest { request: hn });
    let err = s.refused(
        chair(),
        Command::ReaddRequest {
            request: hn,
            position: Some(2),
        },
    );
    assert_eq!(
        err,
        CommandError::PositionOutOfRange {
            position: 2,
            max: 1
        }
    );
}

#[test]
fn the_chair_reorders_the_list() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.secs(5);
    s.statement("gt");
    s.secs(5);
    let ar = s.statement("ar");
    assert_eq!(s.queue(), ["hn", "gt", "ar"]);

    s.ok(chair(), Command::MoveRequest { request: ar, to: 0 });
    assert_eq!(s.queue(), ["ar", "hn", "gt"]);
    s.ok(chair(), Command::MoveRequest { request: ar, to: 1 });
    assert_eq!(s.queue(), ["hn", "ar", "gt"]);

    s.ok(chair(), Command::GiveFloor { request: ar });
    let err = s.refused(chair(), Command::MoveRequest { request: ar, to: 0 });
    assert_eq!(err.code(), "request_not_waiting");
    s.assert_replay_matches();
}

#[test]
fn a_newcomer_never_overtakes_an_earlier_request_of_the_same_rank_after_a_reorder() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.secs(5);
    let ar = s.statement("ar");
    s.secs(5);
    // The chair lets the cooperating state go first.
    s.ok(chair(), Command::MoveRequest { request: ar, to: 0 });
    assert_eq!(s.queue(), ["ar", "hn"]);

    // A member state asking later waits behind the member state that asked
    // earlier, and the chair's decision stands.
    s.statement("gt");
    assert_eq!(s.queue(), ["ar", "hn", "gt"]);
}

#[test]
fn the_chair_removes_a_request_and_puts_it_back_as_a_new_request() {
    let mut s = Session::on_item(DEBATE);
    let hn = s.statement("hn");
    s.secs(5);
    let gt = s.statement("gt");
    s.secs(5);
    let mx = s.statement("mx");
    assert_eq!(s.queue(), ["hn", "gt", "mx"]);

    s.ok(chair(), Command::RemoveRequest { request: hn });
    assert_eq!(s.queue(), ["gt", "mx"]);
    assert_eq!(s.request_of(hn).status, RequestStatus::Removed);
    let err = s.refused(chair(), Command::RemoveRequest { request: hn });
    assert_eq!(err.code(), "request_not_waiting");

    // Put back, it counts as a new request: behind those who asked before.
    s.secs(10);
    let readded_at: Timestamp = s.now;
    s.ok(
        chair(),
        Command::ReaddRequest {
            request: hn,
            position: None,
        },
    );
    assert_eq!(s.queue(), ["gt", "mx", "hn"]);
    assert_eq!(s.request_of(hn).status, RequestStatus::Requested);
    assert_eq!(s.request_of(hn).requested_at, readded_at);

    let err = s.refused(
        chair(),
        Command::ReaddRequest {
            request: hn,
            position: None,
        },
    );
    assert_eq!(err.code(), "request_still_open");
    assert_eq!(err, CommandError::RequestStillOpen { request: hn });

    // A withdrawn request too, at a position the chair chooses.
    s.ok(delegation("gt"), Command::WithdrawRequest { request: gt });
    s.ok(
        chair(),
        Command::ReaddRequest {
            request: gt,
            position: Some(0),
        },
    );
    assert_eq!(s.queue(), ["gt", "mx", "hn"]);

    // Still one open request per delegation.
    s.ok(chair(), Command::RemoveRequest { request: mx });
    let fresh = s.statement("mx");
    let err = s.refused(
        chair(),
        Command::ReaddRequest {
            request: mx,
            position: None,
        },
    );
    assert_eq!(err, CommandError::AlreadyRequested { request: fresh });

    let err = s.refused(
        chair(),
        Command::ReaddRequest {
            request: RequestId(99),
            position: None,
        },
    );
    assert_eq!(err.code(), "unknown_request");
    s.assert_replay_matches();
}

#[test]
fn the_chair_gives_the_floor_out_of_order() {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s.secs(5);
    let gt = s.statement("gt");
    s.secs(5);
    let ar = s.statement("ar");

    s.ok(chair(), Command::GiveFloor { request: ar });
    assert_eq!(s.speaker().as_deref(), Some("ar"));
    assert_eq!(s.queue(), ["hn", "gt"]);
    assert!(matches!(
        s.request_of(ar).status,
        RequestStatus::Speaking { .. }
    ));

    // Giving it to someone else ends the current speech.
    s.secs(30);
    s.ok(chair(), Command::GiveFloor { request: gt });
    assert_eq!(s.speaker().as_deref(), Some("gt"));
    assert_eq!(s.queue(), ["hn"]);
    assert_eq!(s.meeting.log.len(), 1);
    assert_eq!(s.meeting.log[0].delegation, d("ar"));

    let err = s.refused(chair(), Command::GiveFloor { request: ar });
    assert_eq!(err.code(), "request_not_waiting");
    assert_eq!(err, CommandError::RequestNotWaiting { request: ar });
    s.assert_replay_matches();
}

#[test]
fn a_request_on_an_item_other_than_the_current_one_is_refused_with_item_not_current() {
    let mut s = Session::reference();
    let err = s.refused(delegation("hn"), ask("hn", DEBATE, RequestKind::Statement));
    assert_eq!(err.code(), "item_not_current");

    s.ok(chair(), Command::OpenItem { item: debate() });
    let err = s.refused(
        delegation("hn"),
        ask("hn", "adoption", RequestKind::Statement),
    );
    assert_eq!(err.code(), "item_not_current");
    assert_eq!(
        err,
        CommandError::ItemNotCurrent {
            item: item("adoption")
        }
    );
    let err = s.refused(delegation("hn"), ask("hn", "lunch", RequestKind::Statement));
    assert_eq!(err.code(), "unknown_item");

    // A request left on an earlier item cannot be given the floor later.
    let hn = s.statement("hn");
    s.ok(
        chair(),
        Command::OpenItem {
            item: item("adoption"),
        },
    );
    let err = s.refused(chair(), Command::GiveFloor { request: hn });
    assert_eq!(err, CommandError::ItemNotCurrent { item: debate() });
}

#[test]
fn a_delegation_declares_the_language_it_will_speak() {
    let mut s = Session::on_item(DEBATE);
    // By default, the delegation's usual language.
    let br = s.statement("br");
    assert_eq!(s.request_of(br).language, lang("pt"));

    let events = s.ok(
        delegation("hn"),
        Command::RequestFloor {
            item: debate(),
            delegation: d("hn"),
            kind: RequestKind::Statement,
            language: Some(lang("en")),
        },
    );
    let [Event::FloorRequested { request: hn, .. }] = events[..] else {
        panic!("unexpected events {events:?}")
    };
    assert_eq!(s.request_of(hn).language, lang("en"));

    s.ok(
        delegation("hn"),
        Command::DeclareLanguage {
            request: hn,
            language: lang("es"),
        },
    );
    assert_eq!(s.request_of(hn).language, lang("es"));

    let err = s.refused(
        delegation("gt"),
        Command::DeclareLanguage {
            request: hn,
            language: lang("en"),
        },
    );
    assert_eq!(err.code(), "not_your_delegation");
    // Any BCP 47 language is accepted, canonicalised: who interprets it
    // decides coverage, not admission.
    s.ok(
        delegation("hn"),
        Command::DeclareLanguage {
            request: hn,
            language: lang("cab"),
        },
    );
    assert_eq!(s.request_of(hn).language, lang("cab"));
    s.ok(
        delegation("hn"),
        Command::DeclareLanguage {
            request: hn,
            language: lang("ES-hn"),
        },
    );
    assert_eq!(s.request_of(hn).language.as_str(), "es-HN");
    s.ok(
        delegation("gt"),
        Command::RequestFloor {
            item: debate(),
            delegation: d("gt"),
            kind: RequestKind::Statement,
            language: Some(lang("de")),
        },
    );

    // Declared while speaking, it changes the floor language at once.
    s.ok(chair(), Command::CallNext);
    assert_eq!(s.speaker().as_deref(), Some("hn"));
    assert_eq!(s.meeting.floor_language(), Some(&lang("es-HN")));
    s.ok(
        delegation("hn"),
        Command::DeclareLanguage {
            request: hn,
            language: lang("en"),
        },
    );
    assert_eq!(s.meeting.floor_language(), Some(&lang("en")));

    s.secs(60);
    s.ok(chair(), Command::EndSpeech);
    assert_eq!(s.meeting.log[0].language, lang("en"));
    let err = s.refused(
        delegation("hn"),
        Command::DeclareLanguage {
            request: hn,
            language: lang("es"),
        },
    );
    assert_eq!(err.code(), "request_not_waiting");
    s.assert_replay_matches();
}

#[test]
fn statement_limits_depend_on_the_item_and_the_category() {
    let mut s = Session::on_item("regional-actors");
    let limit = |s: &Session, id| s.request_of(id).limit;
    let cs = s.statement("cs-jesuit");
    let unhcr = s.statement("unhcr");
    let eu = s.statement("eu");
    let hn = s.statement("hn");
    let private = s.statement("private-sector");
    let point = s.request("ar", RequestKind::PointOfOrder);
    let reply = s.request("gt", RequestKind::RightOfReply);

    // The item's limits...
    assert_eq!(limit(&s, cs), Millis(180_000));
    assert_eq!(limit(&s, unhcr), Millis(300_000));
    assert_eq!(limit(&s, eu), Millis(300_000));
    // ...else the rules' by category, else the rules' default.
    assert_eq!(limit(&s, private), Millis(180_000));
    assert_eq!(limit(&s, hn), Millis(300_000));
    // Points of order and replies have their own.
    assert_eq!(limit(&s, point), Millis(120_000));
    assert_eq!(limit(&s, reply), Millis(600_000));

    // The limit is the speaker's countdown.
    s.ok(chair(), Command::GiveFloor { request: cs });
    assert_eq!(s.remaining(), Millis(180_000));
}

#[test]
fn setting_a_time_limit_updates_the_waiting_statements_of_that_category() {
    let mut s = Session::on_item("regional-actors");
    let jesuit = s.statement("cs-jesuit");
    let nrc = s.statement("cs-nrc");
    let unhcr = s.statement("unhcr");
    let reply = s.request("cs-caritas", RequestKind::RightOfReply);
    s.ok(chair(), Command::GiveFloor { request: jesuit });
    s.secs(30);

    s.ok(
        chair(),
        Command::SetTimeLimit {
            item: item("regional-actors"),
            category: Category::CivilSociety,
            limit: Millis::from_mins(2),
        },
    );
    // Waiting statements of civil society get the new limit...
    assert_eq!(s.request_of(nrc).limit, Millis(120_000));
    // ...others, replies and the speech under way keep theirs.
    assert_eq!(s.request_of(unhcr).limit, Millis(300_000));
    assert_eq!(s.request_of(reply).limit, Millis(600_000));
    assert_eq!(s.remaining(), Millis(150_000));
    // Newcomers get it too.
    let caritas = s.statement("cs-caritas");
    assert_eq!(s.request_of(caritas).limit, Millis(120_000));
    // Other items are unaffected.
    let stocktaking = s.meeting.agenda.item(&debate()).unwrap();
    assert_eq!(stocktaking.time_limits.get(&Category::CivilSociety), None);

    for bad in [Millis::ZERO, Millis(-1), Millis::from_mins(240) + Millis(1)] {
        let err = s.refused(
            chair(),
            Command::SetTimeLimit {
                item: item("regional-actors"),
                category: Category::CivilSociety,
                limit: bad,
            },
        );
        assert_eq!(err.code(), "invalid_duration", "{bad:?}");
    }
    let err = s.refused(
        delegation("cs-nrc"),
        Command::SetTimeLimit {
            item: item("regional-actors"),
            category: Category::CivilSociety,
            limit: Millis::from_mins(10),
        },
    );
    assert_eq!(err.code(), "not_permitted");
    s.assert_replay_matches();
}

/// What Brazil may ask for, as its console shows it: kind → Ok(limit) or
/// Err(refusal code).
fn brazil_may(s: &Session) -> Vec<(String, Result<Millis, String>)> {
    use plenary_core::projections::{Verdict, may_request};
    may_request(&s.meeting, &d("br"))
        .into_iter()
        .map(|a| {
            let verdict = match a.verdict {
                Verdict::Allowed { limit } => Ok(limit),
                Verdict::Refused { code, message } => {
                    assert!(!message.is_empty(), "a refusal says why");
                    Err(code)
                }
            };
            (a.kind.as_str().to_owned(), verdict)
        })
        .collect()
}

#[test]
fn a_delegation_is_told_in_advance_what_it_may_ask_for_and_why_not() {
    let mut s = Session::reference();
    assert!(
        brazil_may(&s)
            .iter()
            .all(|(_, v)| v == &Err("no_current_item".to_owned())),
        "{:?}",
        brazil_may(&s)
    );
    s = Session::on_item("responsibility-sharing");
    let before = brazil_may(&s);
    assert_eq!(before[0].0, "statement");
    assert!(before.iter().all(|(_, v)| v.is_ok()), "{before:?}");
    s.statement("br");
    let after = brazil_may(&s);
    assert_eq!(after[0].1, Err("already_requested".to_owned()));
    assert_eq!(
        after[1],
        ("point_of_order".to_owned(), Ok(Millis::from_mins(2)))
    );
    // The verdict is the one the command gets.
    let refused = s.refused(
        delegation("br"),
        Command::RequestFloor {
            item: item("responsibility-sharing"),
            delegation: d("br"),
            kind: RequestKind::Statement,
            language: None,
        },
    );
    assert_eq!(refused.code(), "already_requested");
}
