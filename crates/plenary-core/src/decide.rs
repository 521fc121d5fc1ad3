//! Deciding: a command, checked against the state and the actor's role,
//! becomes events or a refusal. Nothing here changes the state.
//!
//! [`decide`] is a table of contents: each command goes to the module of
//! its rule area, where its `decide_*` function lives ([`crate::agenda`],
//! [`crate::speakers`], [`crate::floor`], [`crate::presentations`],
//! [`crate::interpretation`], [`crate::display`]). This file keeps only the
//! dispatch and the look-ups every area shares ([`Decider`]).

use crate::command::Command;
use crate::error::CommandError;
use crate::event::{Event, StoredEvent, stamp};
use crate::floor::{FloorSeen, Speech};
use crate::i18n::Lang;
use crate::ids::{ItemId, RequestId};
use crate::meeting::Meeting;
use crate::roles::{Role, authorise};
use crate::speakers::{Request, RequestStatus};
use crate::time::Timestamp;
use crate::{agenda, display, floor, interpretation, presentations, speakers, undo};

/// Decides what `command` by `actor` at `now` means for `meeting`.
pub fn decide(
    meeting: &Meeting,
    actor: &Role,
    command: &Command,
    now: Timestamp,
) -> Result<Vec<Event>, CommandError> {
    decide_seen(meeting, actor, command, None, now)
}

/// [`decide`] for a command decided on the floor as `seen`: a command that
/// changes the floor ([`CommandKind::changes_floor`]) is refused `stale`
/// if the floor is no longer what its sender saw. Without `seen` it applies
/// to the floor as it is.
///
/// [`CommandKind::changes_floor`]: crate::CommandKind::changes_floor
pub fn decide_seen(
    meeting: &Meeting,
    actor: &Role,
    command: &Command,
    seen: Option<&FloorSeen>,
    now: Timestamp,
) -> Result<Vec<Event>, CommandError> {
    authorise(actor, command)?;
    if let Some(seen) = seen
        && command.kind().changes_floor()
    {
        floor::check_seen(meeting, seen)?;
    }
    let d = &Decider {
        meeting,
        actor,
        now,
    };
    match command {
        // Agenda and running order.
        Command::OpenItem { item } => agenda::decide_open_item(d, item),
        Command::NextItem => agenda::decide_open_item(d, meeting.agenda.next_id()?),
        Command::PreviousItem => agenda::decide_open_item(d, meeting.agenda.previous_id()?),
        Command::MoveItem { item, to } => agenda::decide_move_item(d, item, *to),

        // The speakers list: admission, order, limits, requests.
        Command::SetTimeLimit {
            item,
            category,
            limit,
        } => speakers::decide_set_time_limit(d, item, *category, *limit),
        Command::RequestFloor {
            item,
            delegation,
            kind,
            language,
        } => speakers::decide_request_floor(d, item, delegation, kind, language.as_ref()),
        Command::InsertSpeaker {
            item,
            delegation,
            kind,
            language,
            position,
        } => {
            speakers::decide_insert_speaker(d, item, delegation, kind, language.as_ref(), *position)
        }
        Command::WithdrawRequest { request } => speakers::decide_withdraw(d, *request),
        Command::DeclareLanguage { request, language } => {
            speakers::decide_declare_language(d, *request, language)
        }
        Command::MoveRequest { request, to } => speakers::decide_move_request(d, *request, *to),
        Command::RemoveRequest { request } => speakers::decide_remove_request(d, *request),
        Command::ReaddRequest { request, position } => {
            speakers::decide_readd(d, *request, *position)
        }
        Command::CloseList { item } => speakers::decide_close_list(d, item),
        Command::ReopenList { item } => speakers::decide_reopen_list(d, item),

        // The floor: calling, giving the floor, ending, points of order, timers.
        Command::CallNext => floor::decide_call_next(d),
        Command::GiveFloor { request } => floor::decide_give_floor(d, *request),
        Command::EndSpeech => floor::decide_end_speech(d),
        Command::PauseTimer => floor::decide_pause_timer(d),
        Command::ResumeTimer => floor::decide_resume_timer(d),
        Command::ExtendTimer { by } => floor::decide_extend_timer(d, *by),
        Command::ResetTimer => floor::decide_reset_timer(d),
        Command::TimeUp => floor::decide_time_up(d),
        Command::UndoFloorChange => undo::decide_undo(d),

        // Scheduled presentations.
        Command::StartPresentation { item, presenter } => {
            presentations::decide_start(d, item, presenter.as_ref())
        }
        Command::SkipPresenter { item, presenter } => {
            presentations::decide_skip(d, item, presenter)
        }
        Command::DeferPresenter { item, presenter } => {
            presentations::decide_defer(d, item, presenter)
        }

        // Interpretation.
        Command::SetFloorLanguage { language } => {
            interpretation::decide_set_floor_language(d, language.as_ref())
        }
        Command::RequestHandover { booth } => interpretation::decide_request_handover(d, booth),
        Command::AcceptHandover { booth } => interpretation::decide_accept_handover(d, booth),
        Command::HandOver { booth, to } => interpretation::decide_hand_over(d, booth, to),
        Command::SlowerPlease { booth } => interpretation::decide_slower_please(d, booth),
        Command::AcknowledgeSlowerPlease => interpretation::decide_acknowledge_slower_please(d),

        // Room displays.
        Command::AssignView {
            target,
            view,
            languages,
        } => display::decide_assign_view(d, target, *view, languages.as_deref()),
        Command::PushMessage { target, text } => display::decide_push_message(d, target, text),
        Command::ClearMessage { target } => display::decide_clear_message(d, target),
        Command::ReloadScreens { target } => display::decide_reload_screens(d, target),
    }
}

/// A command being decided: the meeting, who asks and when, and the
/// look-ups every rule area shares.
#[derive(Debug)]
pub(crate) struct Decider<'a> {
    pub(crate) meeting: &'a Meeting,
    pub(crate) actor: &'a Role,
    pub(crate) now: Timestamp,
}

impl Decider<'_> {
    /// The meeting's first language (English if it names none).
    pub(crate) fn main_language(&self) -> Lang {
        self.meeting
            .definition
            .languages
            .first()
            .cloned()
            .unwrap_or_else(Lang::english)
    }

    /// A language a screen may be set to show: one the meeting knows.
    pub(crate) fn known_language(&self, language: &Lang) -> Result<(), CommandError> {
        if self
            .meeting
            .definition
            .known_languages()
            .any(|l| l == language)
        {
            Ok(())
        } else {
            Err(CommandError::UnknownLanguage {
                language: language.clone(),
            })
        }
    }

    /// The speech on the floor.
    pub(crate) fn current(&self) -> Result<&Speech, CommandError> {
        self.meeting
            .floor
            .current
            .as_ref()
            .ok_or(CommandError::NoSpeakerOnFloor)
    }

    /// A request of the actor's own (any request for the chair).
    pub(crate) fn own_request(&self, id: RequestId) -> Result<&Request, CommandError> {
        let (_, r) = self
            .meeting
            .request(id)
            .ok_or(CommandError::UnknownRequest { request: id })?;
        if let Role::Delegation { delegation } = self.actor
            && &r.delegation != delegation
        {
            return Err(CommandError::NotYourDelegation {
                delegation: r.delegation.clone(),
            });
        }
        Ok(r)
    }

    /// A request waiting in a queue, and its item.
    pub(crate) fn waiting_request(
        &self,
        id: RequestId,
    ) -> Result<(&ItemId, &Request), CommandError> {
        let (item, r) = self
            .meeting
            .request(id)
            .ok_or(CommandError::UnknownRequest { request: id })?;
        if r.status != RequestStatus::Requested {
            return Err(CommandError::RequestNotWaiting { request: id });
        }
        Ok((item, r))
    }
}

/// Convenience for servers and tests: decides, stamps the events with
/// sequence numbers from `meeting.seq + 1` ([`stamp`]) and applies them.
pub fn execute(
    meeting: &mut Meeting,
    actor: &Role,
    command: &Command,
    now: Timestamp,
) -> Result<Vec<StoredEvent>, CommandError> {
    let events = decide(meeting, actor, command, now)?;
    let stored = stamp(meeting.seq, now, actor, events);
    for e in &stored {
        meeting.apply(e);
    }
    Ok(stored)
}
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Arc;

    use super::*;
    use crate::definition::load_str;
    use crate::floor::MAX_EXTENSION;
    use crate::ids::DelegationId;
    use crate::rules::RequestKind;
    use crate::time::Millis;

    const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");
    const T0: Timestamp = Timestamp(1_509_048_000_000);

    /// The reference meeting with Mexico on the floor.
    fn someone_speaking() -> Meeting {
        let definition = load_str("san-pedro-sula-2017.toml", REFERENCE).expect("it loads");
        let mut meeting = Meeting::new(Arc::new(definition), 1, T0);
        let item = ItemId::new("responsibility-sharing");
        let mexico = DelegationId::new("mx");
        for (actor, command) in [
            (Role::Chair, Command::OpenItem { item: item.clone() }),
            (
                Role::Delegation {
                    delegation: mexico.clone(),
                },
                Command::RequestFloor {
                    item,
                    delegation: mexico,
                    kind: RequestKind::Statement,
                    language: None,
                },
            ),
            (Role::Chair, Command::CallNext),
        ] {
            execute(&mut meeting, &actor, &command, T0).unwrap();
        }
        assert!(meeting.floor.current.is_some());
        meeting
    }

    /// Found by `fuzz/fuzz_targets/decide_apply.rs`: `abs` of `i64::MIN`
    /// panicked in debug builds and, in release, wrapped to a negative that
    /// passed the check, so the extension was accepted and wiped the
    /// speaker's remaining time.
    #[test]
    fn extensions_beyond_the_maximum_are_refused_at_both_ends_of_i64() {
        let meeting = someone_speaking();
        let extend = |by: i64| {
            decide(
                &meeting,
                &Role::Chair,
                &Command::ExtendTimer { by: Millis(by) },
                T0,
            )
        };
        for by in [
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
            -MAX_EXTENSION.as_millis() - 1,
            MAX_EXTENSION.as_millis() + 1,
            0,
        ] {
            assert_eq!(extend(by), Err(CommandError::InvalidDuration), "{by}");
        }
        for by in [-MAX_EXTENSION.as_millis(), MAX_EXTENSION.as_millis(), -1] {
            assert!(extend(by).is_ok(), "{by}");
        }
    }

    /// A `time_limit_set` records the waiting statements it changed; a log
    /// written before that (no `changed`) replays to the same meeting.
    #[test]
    fn a_new_time_limit_records_the_requests_it_changed_and_old_logs_replay_alike() {
        let mut meeting = someone_speaking();
        let mut log = vec![StoredEvent {
            seq: 1,
            at: T0,
            actor: Role::System,
            v: crate::event::EVENT_VERSION,
            event: Meeting::created((*meeting.definition).clone()),
        }];
        let item = ItemId::new("responsibility-sharing");
        // Replay the three set-up commands into the log.
        let mut replayed = Meeting::replay(&log).unwrap();
        for e in [
            Command::OpenItem { item: item.clone() },
            Command::RequestFloor {
                item: item.clone(),
                delegation: DelegationId::new("mx"),
                kind: RequestKind::Statement,
                language: None,
            },
            Command::CallNext,
        ] {
            let actor = match &e {
                Command::RequestFloor { delegation, .. } => Role::Delegation {
                    delegation: delegation.clone(),
                },
                _ => Role::Chair,
            };
            log.extend(execute(&mut replayed, &actor, &e, T0).unwrap());
        }
        assert_eq!(replayed, meeting);
        for (who, kind) in [
            ("gt", RequestKind::Statement),
            ("cr", RequestKind::Statement),
            ("hn", RequestKind::PointOfOrder),
        ] {
            let delegation = DelegationId::new(who);
            let actor = Role::Delegation {
                delegation: delegation.clone(),
            };
            let command = Command::RequestFloor {
                item: item.clone(),
                delegation,
                kind,
                language: None,
            };
            log.extend(execute(&mut meeting, &actor, &command, T0).unwrap());
        }
        let set = Command::SetTimeLimit {
            item: item.clone(),
            category: crate::rules::Category::MemberState,
            limit: Millis::from_mins(2),
        };
        let stored = execute(&mut meeting, &Role::Chair, &set, T0).unwrap();
        let [
            StoredEvent {
                event: Event::TimeLimitSet { changed, .. },
                ..
            },
        ] = stored.as_slice()
        else {
            panic!("one time_limit_set: {stored:?}");
        };
        let statements: Vec<RequestId> = meeting.agenda.item(&item).unwrap().speakers.queue[..]
            .iter()
            .copied()
            .filter(|id| meeting.request(*id).unwrap().1.kind == RequestKind::Statement)
            .collect();
        assert_eq!(changed.as_deref(), Some(statements.as_slice()));
        assert_eq!(statements.len(), 2);
        log.extend(stored.iter().cloned());
        assert_eq!(Meeting::replay(&log).unwrap(), meeting);
        // The same log as written before `changed` was recorded.
        for e in &mut log {
            if let Event::TimeLimitSet { changed, .. } = &mut e.event {
                *changed = None;
            }
        }
        assert_eq!(Meeting::replay(&log).unwrap(), meeting);
    }
}
