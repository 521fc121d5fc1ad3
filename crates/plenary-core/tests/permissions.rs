//! Who may do what: every command tried as every role against the permissions table, and the bindings of delegations and interpreters.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::display::{ScreenTarget, View};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{BoothId, RequestId, ScreenId};
use plenary_core::roles::{self, PERMISSIONS, RoleKind};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::{Command, CommandKind, Millis, Role, execute};
use support::{Session, chair, d, delegation, interpreter, item};

const DEBATE: &str = "responsibility-sharing";

fn lang(tag: &str) -> Lang {
    Lang::parse(tag).unwrap()
}

fn booth(id: &str) -> BoothId {
    BoothId::new(id)
}

/// One role of each kind, bound to Honduras, the Spanish booth and the left
/// hall screen.
fn every_role() -> Vec<Role> {
    vec![
        Role::Chair,
        Role::Secretariat,
        delegation("hn"),
        Role::Technician,
        interpreter("booth-es"),
        Role::Screen {
            screen: ScreenId::new("hall-left"),
        },
        Role::Public,
        Role::System,
    ]
}

/// The debate under way: Brazil has the floor and has run a minute over,
/// Honduras and Canada wait, the United States withdrew.
struct Debate {
    s: Session,
    hn: RequestId,
    ca: RequestId,
    us: RequestId,
}

fn debate() -> Debate {
    let mut s = Session::on_item(DEBATE);
    s.statement("br");
    s.ok(chair(), Command::CallNext);
    let hn = s.statement("hn");
    let ca = s.statement("ca");
    let us = s.statement("us");
    s.ok(delegation("us"), Command::WithdrawRequest { request: us });
    s.advance(Millis::from_mins(6));
    assert_eq!(s.speaker().as_deref(), Some("br"));
    assert_eq!(s.queue(), ["hn", "ca"]);
    Debate { s, hn, ca, us }
}

/// The debate open with Honduras waiting and nobody speaking.
fn idle_debate() -> Session {
    let mut s = Session::on_item(DEBATE);
    s.statement("hn");
    s
}

/// A state in which `kind` is valid for every role the table allows, and
/// the command.
fn scenario(kind: CommandKind) -> (Session, Command) {
    let Debate { mut s, hn, ca, us } = debate();
    let command = match kind {
        CommandKind::OpenItem => {
            return (
                idle_debate(),
                Command::OpenItem {
                    item: item("stocktaking"),
                },
            );
        }
        CommandKind::NextItem => return (idle_debate(), Command::NextItem),
        CommandKind::PreviousItem => return (idle_debate(), Command::PreviousItem),
        CommandKind::MoveItem => Command::MoveItem {
            item: item("closing"),
            to: 0,
        },
        CommandKind::SetTimeLimit => Command::SetTimeLimit {
            item: item(DEBATE),
            category: Category::CivilSociety,
            limit: Millis::from_mins(2),
        },
        CommandKind::RequestFloor => Command::RequestFloor {
            item: item(DEBATE),
            delegation: d("hn"),
            kind: RequestKind::PointOfOrder,
            language: None,
        },
        CommandKind::InsertSpeaker => Command::InsertSpeaker {
            item: item(DEBATE),
            delegation: d("co"),
            kind: RequestKind::Statement,
            language: None,
            position: None,
        },
        CommandKind::WithdrawRequest => Command::WithdrawRequest { request: hn },
        CommandKind::DeclareLanguage => Command::DeclareLanguage {
            request: hn,
            language: lang("en"),
        },
        CommandKind::MoveRequest => Command::MoveRequest { request: ca, to: 0 },
        CommandKind::RemoveRequest => Command::RemoveRequest { request: ca },
        CommandKind::ReaddRequest => Command::ReaddRequest {
            request: us,
            position: None,
        },
        CommandKind::CloseList => Command::CloseList { item: item(DEBATE) },
        CommandKind::ReopenList => {
            s.ok(chair(), Command::CloseList { item: item(DEBATE) });
            Command::ReopenList { item: item(DEBATE) }
        }
        CommandKind::CallNext => Command::CallNext,
        CommandKind::GiveFloor => Command::GiveFloor { request: ca },
        CommandKind::EndSpeech => Command::EndSpeech,
        CommandKind::PauseTimer => Command::PauseTimer,
        CommandKind::ResumeTimer => {
            s.ok(chair(), Command::PauseTimer);
            Command::ResumeTimer
        }
        CommandKind::ExtendTimer => Command::ExtendTimer {
            by: Millis::from_mins(1),
        },
        CommandKind::ResetTimer => Command::ResetTimer,
        CommandKind::TimeUp => Command::TimeUp,
        CommandKind::UndoFloorChange => {
            s.ok(chair(), Command::CallNext);
            Command::UndoFloorChange
        }
        CommandKind::StartPresentation => {
            return (
                Session::on_item("opening"),
                Command::StartPresentation {
                    item: item("opening"),
                    presenter: None,
                },
            );
        }
        CommandKind::SkipPresenter => {
            return (
                Session::on_item("opening"),
                Command::SkipPresenter {
                    item: item("opening"),
                    presenter: d("unhcr"),
                },
            );
        }
        CommandKind::DeferPresenter => {
            return (
                Session::on_item("opening"),
                Command::DeferPresenter {
                    item: item("opening"),
                    presenter: d("hn"),
                },
            );
        }
        CommandKind::SetFloorLanguage => Command::SetFloorLanguage {
            language: Some(lang("en")),
        },
        CommandKind::RequestHandover => Command::RequestHandover {
            booth: booth("booth-es"),
        },
        CommandKind::AcceptHandover => {
            s.ok(
                interpreter("booth-es"),
                Command::RequestHandover {
                    booth: booth("booth-es"),
                },
            );
            Command::AcceptHandover {
                booth: booth("booth-es"),
            }
        }
        CommandKind::HandOver => Command::HandOver {
            booth: booth("booth-es"),
            to: plenary_core::ids::InterpreterId::new("es-2"),
        },
        CommandKind::SlowerPlease => Command::SlowerPlease {
            booth: booth("booth-es"),
        },
        CommandKind::AcknowledgeSlowerPlease => {
            s.ok(
                interpreter("booth-pt"),
                Command::SlowerPlease {
                    booth: booth("booth-pt"),
                },
            );
            Command::AcknowledgeSlowerPlease
        }
        CommandKind::AssignView => Command::AssignView {
            target: ScreenTarget::All,
            view: View::Clock,
            languages: Some(vec![lang("es")]),
        },
        CommandKind::PushMessage => Command::PushMessage {
            target: ScreenTarget::All,
            text: Texts::new()
                .with("es", "Por favor, tomen asiento")
                .with("en", "Please take your seats"),
        },
        CommandKind::ClearMessage => Command::ClearMessage {
            target: ScreenTarget::All,
        },
        CommandKind::ReloadScreens => Command::ReloadScreens {
            target: ScreenTarget::All,
        },
    };
    (s, command)
}

#[test]
fn every_command_appears_in_the_permissions_table_exactly_once() {
    for kind in CommandKind::ALL {
        let entries = PERMISSIONS.iter().filter(|(c, _)| *c == kind).count();
        assert_eq!(entries, 1, "{kind} appears {entries} times");
    }
    assert_eq!(PERMISSIONS.len(), CommandKind::ALL.len());
    let mut kinds = CommandKind::ALL.to_vec();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), CommandKind::ALL.len(), "ALL has no duplicates");
}

#[test]
fn the_roles_tried_cover_every_role_kind() {
    let kinds: Vec<RoleKind> = every_role().iter().map(Role::kind).collect();
    assert_eq!(kinds, RoleKind::ALL);
}

#[test]
fn every_command_as_every_role_follows_the_permissions_table() {
    let mut checked = 0;
    for kind in CommandKind::ALL {
        let (s, command) = scenario(kind);
        assert_eq!(command.kind(), kind);
        for role in every_role() {
            let mut meeting = s.meeting.clone();
            let result = execute(&mut meeting, &role, &command, s.now);
            if roles::permitted(role.kind(), kind) {
                if let Err(e) = &result {
                    assert_ne!(
                        e.code(),
                        "not_permitted",
                        "{kind} as {role:?} is in the table but was refused as not permitted"
                    );
                }
                assert!(
                    result.is_ok(),
                    "{kind} as {role:?}: the representative command was refused: {:?}",
                    result.err().map(|e| e.code())
                );
            } else {
                let e = result.expect_err(&format!("{kind} as {role:?} was accepted"));
                assert_eq!(e.code(), "not_permitted", "{kind} as {role:?}");
                assert_eq!(
                    e,
                    plenary_core::CommandError::NotPermitted {
                        role: role.kind(),
                        command: kind
                    }
                );
                assert_eq!(meeting, s.meeting, "{kind} as {role:?} changed the state");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 36 * 8);
}

#[test]
fn screens_and_the_public_may_do_nothing() {
    for kind in CommandKind::ALL {
        for role in [RoleKind::Screen, RoleKind::Public] {
            assert!(!roles::permitted(role, kind), "{role} may {kind}");
        }
    }
}

#[test]
fn only_the_system_reports_time_up() {
    let allowed: Vec<RoleKind> = RoleKind::ALL
        .into_iter()
        .filter(|r| roles::permitted(*r, CommandKind::TimeUp))
        .collect();
    assert_eq!(allowed, [RoleKind::System]);
    let system_may: Vec<CommandKind> = CommandKind::ALL
        .into_iter()
        .filter(|c| roles::permitted(RoleKind::System, *c))
        .collect();
    assert_eq!(system_may, [CommandKind::TimeUp]);
}

#[test]
fn a_delegation_cannot_request_the_floor_for_another_delegation() {
    let mut s = Session::on_item(DEBATE);
    let e = s.refused(
        delegation("hn"),
        Command::RequestFloor {
            item: item(DEBATE),
            delegation: d("gt"),
            kind: RequestKind::Statement,
            language: None,
        },
    );
    assert_eq!(e.code(), "not_your_delegation");
    assert_eq!(s.queue(), Vec::<String>::new());
}

#[test]
fn a_delegation_cannot_withdraw_another_delegations_request() {
    let Debate { mut s, ca, .. } = debate();
    let e = s.refused(delegation("hn"), Command::WithdrawRequest { request: ca });
    assert_eq!(e.code(), "not_your_delegation");
    // Nor yield the floor for the speaker.
    let br = s.meeting.floor.current.as_ref().unwrap().source.request();
    let e = s.refused(
        delegation("hn"),
        Command::WithdrawRequest {
            request: br.unwrap(),
        },
    );
    assert_eq!(e.code(), "not_your_delegation");
}

#[test]
fn a_delegation_cannot_declare_a_language_on_another_delegations_request() {
    let Debate { mut s, ca, .. } = debate();
    let e = s.refused(
        delegation("hn"),
        Command::DeclareLanguage {
            request: ca,
            language: lang("fr"),
        },
    );
    assert_eq!(e.code(), "not_your_delegation");
    assert_eq!(s.request_of(ca).language, lang("en"));
}

#[test]
fn a_delegation_cannot_grant_itself_the_floor() {
    let Debate { mut s, hn, .. } = debate();
    for command in [
        Command::CallNext,
        Command::GiveFloor { request: hn },
        Command::MoveRequest { request: hn, to: 0 },
        Command::InsertSpeaker {
            item: item(DEBATE),
            delegation: d("hn"),
            kind: RequestKind::RightOfReply,
            language: None,
            position: Some(0),
        },
    ] {
        let e = s.refused(delegation("hn"), command);
        assert_eq!(e.code(), "not_permitted");
    }
    assert_eq!(s.speaker().as_deref(), Some("br"));
}

#[test]
fn an_interpreter_acts_only_for_its_own_booth() {
    let mut s = Session::on_item(DEBATE);
    for command in [
        Command::RequestHandover {
            booth: booth("booth-en"),
        },
        Command::AcceptHandover {
            booth: booth("booth-en"),
        },
        Command::HandOver {
            booth: booth("booth-en"),
            to: plenary_core::ids::InterpreterId::new("en-2"),
        },
        Command::SlowerPlease {
            booth: booth("booth-en"),
        },
    ] {
        let e = s.refused(interpreter("booth-es"), command);
        assert_eq!(e.code(), "not_your_booth");
    }
    // The technician runs every booth.
    s.ok(
        Role::Technician,
        Command::RequestHandover {
            booth: booth("booth-en"),
        },
    );
}

#[test]
fn the_chair_acts_on_any_delegations_request() {
    let Debate { mut s, hn, ca, .. } = debate();
    s.ok(
        chair(),
        Command::DeclareLanguage {
            request: hn,
            language: lang("en"),
        },
    );
    s.ok(Role::Secretariat, Command::WithdrawRequest { request: ca });
    assert_eq!(s.queue(), ["hn"]);
    assert_eq!(s.request_of(hn).language, lang("en"));
    s.assert_replay_matches();
}
