//! Deciding: a command, checked against the state and the actor's role,
//! becomes events or a refusal. Nothing here changes the state.

use crate::command::Command;
use crate::display::{ScreenLanguages, ScreenTarget};
use crate::error::CommandError;
use crate::event::Event;
use crate::floor::{EndReason, Speech, SpeechSource};
use crate::i18n::Lang;
use crate::ids::{DelegationId, ItemId, RequestId, ScreenId};
use crate::meeting::Meeting;
use crate::presentations::Slot;
use crate::roles::{Role, authorise};
use crate::rules::{Category, RequestKind};
use crate::speakers::{Asking, Request, RequestStatus};
use crate::time::{Millis, Timestamp};

/// The longest a single extension or time limit may be: guards against a
/// typo such as minutes sent as seconds ×1000.
const MAX_EXTENSION: Millis = Millis::from_mins(60);
const MAX_LIMIT: Millis = Millis::from_mins(240);

/// Decides what `command` by `actor` at `now` means for `meeting`.
pub fn decide(
    meeting: &Meeting,
    actor: &Role,
    command: &Command,
    now: Timestamp,
) -> Result<Vec<Event>, CommandError> {
    authorise(actor, command)?;
    let d = Decider {
        meeting,
        actor,
        now,
    };
    match command {
        Command::OpenItem { item } => d.open_item(item),
        Command::NextItem => d.open_item(meeting.agenda.next_id()?),
        Command::PreviousItem => d.open_item(meeting.agenda.previous_id()?),
        Command::MoveItem { item, to } => {
            meeting.agenda.item(item)?;
            let max = meeting.agenda.items.len() - 1;
            if *to > max {
                return Err(CommandError::PositionOutOfRange { position: *to, max });
            }
            Ok(vec![Event::ItemMoved {
                item: item.clone(),
                to: *to,
            }])
        }
        Command::SetTimeLimit {
            item,
            category,
            limit,
        } => {
            meeting.agenda.item(item)?;
            if *limit <= Millis::ZERO || *limit > MAX_LIMIT {
                return Err(CommandError::InvalidDuration);
            }
            Ok(vec![Event::TimeLimitSet {
                item: item.clone(),
                category: *category,
                limit: *limit,
            }])
        }
        Command::RequestFloor {
            item,
            delegation,
            kind,
            language,
        } => {
            meeting.agenda.require_current(item)?;
            d.new_request(item, delegation, kind, language.as_ref(), None, false)
        }
        Command::InsertSpeaker {
            item,
            delegation,
            kind,
            language,
            position,
        } => d.new_request(item, delegation, kind, language.as_ref(), *position, true),
        Command::WithdrawRequest { request } => d.withdraw(*request),
        Command::DeclareLanguage { request, language } => {
            let r = d.own_request(*request)?;
            d.known_language(language)?;
            if !r.is_open() {
                return Err(CommandError::RequestNotWaiting { request: *request });
            }
            Ok(vec![Event::LanguageDeclared {
                request: *request,
                language: language.clone(),
            }])
        }
        Command::MoveRequest { request, to } => {
            let (item, _) = d.waiting_request(*request)?;
            let max = meeting.agenda.item(item)?.speakers.queue.len() - 1;
            if *to > max {
                return Err(CommandError::PositionOutOfRange { position: *to, max });
            }
            Ok(vec![Event::RequestMoved {
                request: *request,
                to: *to,
            }])
        }
        Command::RemoveRequest { request } => {
            d.waiting_request(*request)?;
            Ok(vec![Event::RequestRemoved { request: *request }])
        }
        Command::ReaddRequest { request, position } => d.readd(*request, *position),
        Command::CloseList { item } => {
            if !meeting.agenda.item(item)?.speakers.open {
                return Err(CommandError::ListAlreadyClosed { item: item.clone() });
            }
            Ok(vec![Event::ListClosed { item: item.clone() }])
        }
        Command::ReopenList { item } => {
            if meeting.agenda.item(item)?.speakers.open {
                return Err(CommandError::ListAlreadyOpen { item: item.clone() });
            }
            Ok(vec![Event::ListReopened { item: item.clone() }])
        }
        Command::CallNext => d.call_next(),
        Command::GiveFloor { request } => d.give_floor(*request),
        Command::EndSpeech => Ok(vec![d.end_current(EndReason::Chair)?]),
        Command::PauseTimer => {
            if !d.current()?.timer.is_running() {
                return Err(CommandError::TimerNotRunning);
            }
            Ok(vec![Event::TimerPaused])
        }
        Command::ResumeTimer => {
            if d.current()?.timer.is_running() {
                return Err(CommandError::TimerNotPaused);
            }
            Ok(vec![Event::TimerResumed])
        }
        Command::ExtendTimer { by } => {
            d.current()?;
            // `unsigned_abs`: `abs` of `i64::MIN` overflows (a panic in debug
            // builds, and a wrap to a negative that passed the check in release).
            if *by == Millis::ZERO
                || by.as_millis().unsigned_abs() > MAX_EXTENSION.as_millis().unsigned_abs()
            {
                return Err(CommandError::InvalidDuration);
            }
            Ok(vec![Event::TimerExtended { by: *by }])
        }
        Command::ResetTimer => {
            d.current()?;
            Ok(vec![Event::TimerReset])
        }
        Command::TimeUp => {
            if d.current()?.timer.remaining(now) > Millis::ZERO {
                return Err(CommandError::TimeNotUp);
            }
            match meeting.definition.rules.on_time_up {
                crate::rules::TimeUpPolicy::EndSpeech => Ok(vec![d.end_current(EndReason::Time)?]),
                // Overtime: the countdown counts up; nothing to record.
                crate::rules::TimeUpPolicy::Overtime => Ok(vec![]),
            }
        }
        Command::StartPresentation { item, presenter } => {
            d.start_presentation(item, presenter.as_ref())
        }
        Command::SkipPresenter { item, presenter } => {
            d.schedule_of(item)?.pending_slot(presenter)?;
            Ok(vec![Event::PresenterSkipped {
                item: item.clone(),
                presenter: presenter.clone(),
            }])
        }
        Command::DeferPresenter { item, presenter } => {
            d.schedule_of(item)?.pending_slot(presenter)?;
            Ok(vec![Event::PresenterDeferred {
                item: item.clone(),
                presenter: presenter.clone(),
            }])
        }
        Command::SetFloorLanguage { language } => {
            if let Some(l) = language {
                d.known_language(l)?;
            }
            Ok(vec![Event::FloorLanguageSet {
                language: language.clone(),
            }])
        }
        Command::RequestHandover { booth } => {
            let state = d.booth(booth)?;
            meeting
                .interpretation
                .partner(&meeting.definition, booth)
                .ok_or_else(|| CommandError::NoPartner {
                    booth: booth.clone(),
                })?;
            if state.handover_requested.is_some() {
                return Err(CommandError::HandoverAlreadyRequested {
                    booth: booth.clone(),
                });
            }
            Ok(vec![Event::HandoverRequested {
                booth: booth.clone(),
            }])
        }
        Command::AcceptHandover { booth } => {
            let state = d.booth(booth)?;
            if state.handover_requested.is_none() {
                return Err(CommandError::NoHandoverRequested {
                    booth: booth.clone(),
                });
            }
            let on_mic = meeting
                .interpretation
                .partner(&meeting.definition, booth)
                .ok_or_else(|| CommandError::NoPartner {
                    booth: booth.clone(),
                })?;
            Ok(vec![Event::HandoverAccepted {
                booth: booth.clone(),
                on_mic,
            }])
        }
        Command::SlowerPlease { booth } => {
            d.booth(booth)?;
            Ok(vec![Event::SlowerPleaseSignalled {
                booth: booth.clone(),
            }])
        }
        Command::AcknowledgeSlowerPlease => {
            if meeting.interpretation.slower_please.is_empty() {
                return Err(CommandError::NothingToAcknowledge);
            }
            Ok(vec![Event::SlowerPleaseAcknowledged])
        }
        Command::AssignView {
            target,
            view,
            languages,
        } => {
            let screens = d.screens(target)?;
            let languages = match languages {
                None => None,
                Some(list) => {
                    for l in list {
                        d.known_language(l)?;
                    }
                    Some(ScreenLanguages::new(list.clone()).ok_or_else(|| {
                        CommandError::UnknownLanguage {
                            language: d.main_language(),
                        }
                    })?)
                }
            };
            Ok(vec![Event::ViewAssigned {
                screens,
                view: *view,
                languages,
            }])
        }
        Command::PushMessage { target, text } => {
            let screens = d.screens(target)?;
            if text.0.values().all(|t| t.trim().is_empty()) {
                return Err(CommandError::EmptyMessage);
            }
            Ok(vec![Event::MessagePushed {
                screens,
                text: text.clone(),
            }])
        }
        Command::ClearMessage { target } => Ok(vec![Event::MessageCleared {
            screens: d.screens(target)?,
        }]),
        Command::ReloadScreens { target } => Ok(vec![Event::ScreensReloaded {
            screens: d.screens(target)?,
        }]),
    }
}

struct Decider<'a> {
    meeting: &'a Meeting,
    actor: &'a Role,
    now: Timestamp,
}

impl Decider<'_> {
    fn main_language(&self) -> Lang {
        self.meeting
            .definition
            .languages
            .first()
            .cloned()
            .unwrap_or_else(Lang::english)
    }

    fn known_language(&self, language: &Lang) -> Result<(), CommandError> {
        if self.meeting.definition.is_known_language(language) {
            Ok(())
        } else {
            Err(CommandError::UnknownLanguage {
                language: language.clone(),
            })
        }
    }

    fn current(&self) -> Result<&Speech, CommandError> {
        self.meeting
            .floor
            .current
            .as_ref()
            .ok_or(CommandError::NoSpeakerOnFloor)
    }

    fn booth(
        &self,
        booth: &crate::ids::BoothId,
    ) -> Result<&crate::interpretation::BoothState, CommandError> {
        self.meeting
            .interpretation
            .booths
            .get(booth)
            .ok_or_else(|| CommandError::UnknownBooth {
                booth: booth.clone(),
            })
    }

    fn screens(&self, target: &ScreenTarget) -> Result<Vec<ScreenId>, CommandError> {
        let screens = target.resolve(&self.meeting.definition);
        match (screens.is_empty(), target) {
            (true, ScreenTarget::Screen(screen)) => Err(CommandError::UnknownScreen {
                screen: screen.clone(),
            }),
            (true, _) => Err(CommandError::NoScreens),
            (false, _) => Ok(screens),
        }
    }

    fn schedule_of(&self, item: &ItemId) -> Result<&crate::presentations::Schedule, CommandError> {
        let schedule = &self.meeting.agenda.item(item)?.schedule;
        if schedule.is_empty() {
            return Err(CommandError::NoSchedule { item: item.clone() });
        }
        Ok(schedule)
    }

    // --- Agenda ----------------------------------------------------------

    fn open_item(&self, item: &ItemId) -> Result<Vec<Event>, CommandError> {
        self.meeting.agenda.item(item)?;
        if self.meeting.agenda.current.as_ref() == Some(item) {
            return Err(CommandError::ItemAlreadyCurrent { item: item.clone() });
        }
        self.floor_free()?;
        Ok(vec![Event::ItemOpened { item: item.clone() }])
    }

    fn floor_free(&self) -> Result<(), CommandError> {
        match &self.meeting.floor.current {
            Some(s) => Err(CommandError::FloorOccupied {
                delegation: s.delegation.clone(),
            }),
            None => Ok(()),
        }
    }

    // --- Speakers list ------------------------------------------------------

    /// A request of the actor's own (any request for the chair).
    fn own_request(&self, id: RequestId) -> Result<&Request, CommandError> {
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

    fn waiting_request(&self, id: RequestId) -> Result<(&ItemId, &Request), CommandError> {
        let (item, r) = self
            .meeting
            .request(id)
            .ok_or(CommandError::UnknownRequest { request: id })?;
        if r.status != RequestStatus::Requested {
            return Err(CommandError::RequestNotWaiting { request: id });
        }
        Ok((item, r))
    }

    fn category(&self, delegation: &DelegationId) -> Result<Category, CommandError> {
        self.meeting
            .definition
            .delegation(delegation)
            .map(|d| d.category)
            .ok_or_else(|| CommandError::UnknownDelegation {
                delegation: delegation.clone(),
            })
    }

    fn new_request(
        &self,
        item_id: &ItemId,
        delegation: &DelegationId,
        kind: &RequestKind,
        language: Option<&Lang>,
        position: Option<usize>,
        by_chair: bool,
    ) -> Result<Vec<Event>, CommandError> {
        let def = &self.meeting.definition;
        let category = self.category(delegation)?;
        let item = self.meeting.agenda.item(item_id)?;
        let language = match language {
            Some(l) => {
                self.known_language(l)?;
                l.clone()
            }
            None => def
                .delegation(delegation)
                .map(|d| d.floor_language.clone())
                .ok_or_else(|| CommandError::UnknownDelegation {
                    delegation: delegation.clone(),
                })?,
        };
        let list = &item.speakers;
        let limit = list.admit(
            item_id,
            &def.rules,
            &item.time_limits,
            Asking {
                delegation,
                category,
                kind,
                by_chair,
            },
        )?;
        let position = list.place(position, &def.rules, kind, category, self.now)?;
        Ok(vec![Event::FloorRequested {
            request: self.meeting.next_request_id(),
            item: item_id.clone(),
            delegation: delegation.clone(),
            kind: kind.clone(),
            language,
            limit,
            position,
            by_chair,
        }])
    }

    fn withdraw(&self, id: RequestId) -> Result<Vec<Event>, CommandError> {
        let r = self.own_request(id)?;
        match r.status {
            RequestStatus::Requested => Ok(vec![Event::RequestWithdrawn { request: id }]),
            // Withdrawing while speaking yields the floor.
            RequestStatus::Speaking { speech } => Ok(vec![self.end(speech, EndReason::Withdrawn)]),
            _ => Err(CommandError::RequestNotWaiting { request: id }),
        }
    }

    fn readd(&self, id: RequestId, position: Option<usize>) -> Result<Vec<Event>, CommandError> {
        let (item_id, r) = self
            .meeting
            .request(id)
            .ok_or(CommandError::UnknownRequest { request: id })?;
        match r.status {
            RequestStatus::Withdrawn | RequestStatus::Removed => {}
            RequestStatus::Done { .. } => return Err(CommandError::AlreadyHeard { request: id }),
            RequestStatus::Requested | RequestStatus::Speaking { .. } => {
                return Err(CommandError::RequestStillOpen { request: id });
            }
        }
        let item = self.meeting.agenda.item(item_id)?;
        let list = &item.speakers;
        // Put back, it must pass the same admission rules as a new request
        // (one open request per delegation, the replies limit; a withdrawn
        // or removed request counts for neither), the list being closed
        // aside: the chair may put anyone back.
        let rules = &self.meeting.definition.rules;
        let limit = list.admit(
            item_id,
            rules,
            &item.time_limits,
            Asking {
                delegation: &r.delegation,
                category: r.category,
                kind: &r.kind,
                by_chair: true,
            },
        )?;
        let position = list.place(position, rules, &r.kind, r.category, self.now)?;
        Ok(vec![Event::RequestReadded {
            request: id,
            position,
            limit,
        }])
    }

    // --- The floor ----------------------------------------------------------

    /// Ends a speech; ending the one on the floor gives it back to the
    /// speaker a point of order interrupted, if any.
    fn end(&self, speech: crate::ids::SpeechId, reason: EndReason) -> Event {
        let floor = &self.meeting.floor;
        let on_floor = floor.current.as_ref().is_some_and(|s| s.id == speech);
        let resumed = if on_floor {
            floor.interrupted.last().map(|s| s.id)
        } else {
            None
        };
        Event::SpeechEnded {
            speech,
            reason,
            resumed,
        }
    }

    fn end_current(&self, reason: EndReason) -> Result<Event, CommandError> {
        Ok(self.end(self.current()?.id, reason))
    }

    fn start_request(&self, item: &ItemId, r: &Request, interrupting: bool) -> Event {
        let rules = &self.meeting.definition.rules;
        Event::SpeechStarted {
            speech: self.meeting.next_speech_id(),
            item: item.clone(),
            delegation: r.delegation.clone(),
            source: SpeechSource::Request {
                request: r.id,
                kind: r.kind.clone(),
            },
            language: r.language.clone(),
            limit: r.limit,
            thresholds: rules.thresholds,
            interrupting,
        }
    }

    fn start_slot(&self, item: &ItemId, slot: &Slot) -> Event {
        let def = &self.meeting.definition;
        let language = slot.language.clone().or_else(|| {
            def.delegation(&slot.presenter)
                .map(|d| d.floor_language.clone())
        });
        Event::SpeechStarted {
            speech: self.meeting.next_speech_id(),
            item: item.clone(),
            delegation: slot.presenter.clone(),
            source: SpeechSource::Presentation,
            language: language.unwrap_or_else(|| self.main_language()),
            limit: slot.allotted,
            thresholds: def.rules.thresholds,
            interrupting: false,
        }
    }

    /// Events that give `r` the floor, following the point-of-order rules.
    fn give_to(&self, item: &ItemId, r: &Request) -> Result<Vec<Event>, CommandError> {
        let floor = &self.meeting.floor;
        let is_point_of_order = r.kind == RequestKind::PointOfOrder;
        if floor.point_of_order_in_progress() && !is_point_of_order {
            return Err(CommandError::PointOfOrderInProgress);
        }
        // A point of order interrupts a speaker, never another point of order:
        // the next one replaces the one being heard.
        let point_on_floor = floor
            .current
            .as_ref()
            .is_some_and(|s| s.source.is_point_of_order());
        let interrupts = is_point_of_order
            && self.meeting.definition.rules.point_of_order.interrupts
            && !point_on_floor;
        let mut events = Vec::new();
        if let Some(current) = &floor.current
            && !interrupts
        {
            // Ended without resuming anyone: whoever was interrupted keeps
            // waiting for the points of order to be dealt with.
            events.push(Event::SpeechEnded {
                speech: current.id,
                reason: EndReason::Chair,
                resumed: None,
            });
        }
        events.push(self.start_request(item, r, interrupts && floor.current.is_some()));
        Ok(events)
    }

    fn call_next(&self) -> Result<Vec<Event>, CommandError> {
        let item = self
            .meeting
            .agenda
            .current_item()
            .ok_or(CommandError::NoCurrentItem)?;
        let floor = &self.meeting.floor;
        if let Some(point) = item.speakers.next_point_of_order() {
            return self.give_to(&item.id, point);
        }
        if floor.point_of_order_in_progress() {
            // The point is dealt with: the interrupted speaker resumes.
            return Ok(vec![self.end_current(EndReason::Chair)?]);
        }
        let mut events: Vec<Event> = floor
            .current
            .iter()
            .map(|s| self.end(s.id, EndReason::Chair))
            .collect();
        if let Some(slot) = item.schedule.next_pending() {
            events.push(self.start_slot(&item.id, slot));
        } else if let Some(head) = item.speakers.head() {
            events.push(self.start_request(&item.id, head, false));
        } else {
            return Err(CommandError::QueueEmpty);
        }
        Ok(events)
    }

    fn give_floor(&self, id: RequestId) -> Result<Vec<Event>, CommandError> {
        let (item, r) = self.waiting_request(id)?;
        self.meeting.agenda.require_current(item)?;
        self.give_to(item, r)
    }

    fn start_presentation(
        &self,
        item: &ItemId,
        presenter: Option<&DelegationId>,
    ) -> Result<Vec<Event>, CommandError> {
        self.meeting.agenda.require_current(item)?;
        let schedule = self.schedule_of(item)?;
        let slot = match presenter {
            Some(p) => schedule.pending_slot(p)?,
            None => schedule
                .next_pending()
                .ok_or(CommandError::NoPresenterPending)?,
        };
        if self.meeting.floor.point_of_order_in_progress() {
            return Err(CommandError::PointOfOrderInProgress);
        }
        let mut events: Vec<Event> = self
            .meeting
            .floor
            .current
            .iter()
            .map(|s| self.end(s.id, EndReason::Chair))
            .collect();
        events.push(self.start_slot(item, slot));
        Ok(events)
    }
}

/// Convenience for servers and tests: decides, stamps the events with
/// sequence numbers from `meeting.seq + 1` and applies them.
pub fn execute(
    meeting: &mut Meeting,
    actor: &Role,
    command: &Command,
    now: Timestamp,
) -> Result<Vec<crate::event::StoredEvent>, CommandError> {
    let events = decide(meeting, actor, command, now)?;
    let stored: Vec<_> = events
        .into_iter()
        .enumerate()
        .map(|(i, event)| crate::event::StoredEvent {
            seq: meeting.seq + 1 + i as u64,
            at: now,
            actor: actor.clone(),
            v: crate::event::EVENT_VERSION,
            event,
        })
        .collect();
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
}
