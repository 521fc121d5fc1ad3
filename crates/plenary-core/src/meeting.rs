//! The meeting state and how events change it. `apply` is mechanical: every
//! decision was taken in [`crate::decide`] and recorded in the event.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::agenda::Agenda;
use crate::definition::MeetingDefinition;
use crate::display::{Displays, ScreenMessage};
use crate::event::{Event, StoredEvent};
use crate::floor::{Floor, Speech, SpeechRecord, SpeechSource};
use crate::i18n::Lang;
use crate::ids::{ItemId, RequestId, SpeechId};
use crate::interpretation::{Interpretation, SlowerPlease};
use crate::presentations::SlotStatus;
use crate::speakers::{Request, RequestStatus};
use crate::time::Timestamp;
use crate::timer::Timer;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Meeting {
    pub definition: Arc<MeetingDefinition>,
    pub agenda: Agenda,
    pub floor: Floor,
    /// Every finished speech, in order.
    pub log: Vec<SpeechRecord>,
    pub interpretation: Interpretation,
    pub displays: Displays,
    /// The sequence number of the last event applied.
    pub seq: u64,
    /// When the last event was committed.
    pub updated_at: Timestamp,
    next_request: u64,
    next_speech: u64,
    /// Which item each request belongs to (`[request, item]` pairs on the wire).
    #[serde(with = "crate::roster::pairs")]
    #[schemars(with = "Vec<(RequestId, ItemId)>")]
    request_items: BTreeMap<RequestId, ItemId>,
}

/// A log that does not start with `meeting_created`, or skips a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("the event log is empty")]
    Empty,
    #[error("the first event must be meeting_created, found seq {seq}")]
    NotCreated { seq: u64 },
    #[error("event seq {found} follows seq {previous}: the log has a gap or is out of order")]
    Gap { previous: u64, found: u64 },
}

impl Meeting {
    /// The first event of every meeting.
    pub fn created(definition: MeetingDefinition) -> Event {
        Event::MeetingCreated {
            definition: Box::new(definition),
        }
    }

    /// The meeting as defined, before anything happened.
    pub fn new(definition: Arc<MeetingDefinition>, seq: u64, at: Timestamp) -> Meeting {
        Meeting {
            agenda: Agenda::from_definition(&definition),
            floor: Floor::default(),
            log: Vec::new(),
            interpretation: Interpretation::from_definition(&definition),
            displays: Displays::from_definition(&definition),
            seq,
            updated_at: at,
            next_request: 1,
            next_speech: 1,
            request_items: BTreeMap::new(),
            definition,
        }
    }

    /// Folds a whole log, which must start with `meeting_created` and have
    /// no gaps.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a StoredEvent>,
    ) -> Result<Meeting, ReplayError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ReplayError::Empty)?;
        let Event::MeetingCreated { definition } = &first.event else {
            return Err(ReplayError::NotCreated { seq: first.seq });
        };
        let mut meeting = Meeting::new(Arc::new((**definition).clone()), first.seq, first.at);
        for e in events {
            if e.seq != meeting.seq + 1 {
                return Err(ReplayError::Gap {
                    previous: meeting.seq,
                    found: e.seq,
                });
            }
            meeting.apply(e);
        }
        Ok(meeting)
    }

    /// The id the next request will get.
    pub fn next_request_id(&self) -> RequestId {
        RequestId(self.next_request)
    }

    /// The id the next speech will get.
    pub fn next_speech_id(&self) -> SpeechId {
        SpeechId(self.next_speech)
    }

    /// A request by id, on whichever item it was made.
    pub fn request(&self, id: RequestId) -> Option<(&ItemId, &Request)> {
        let item = self.request_items.get(&id)?;
        let r = self.agenda.item(item).ok()?.speakers.requests.get(&id)?;
        Some((item, r))
    }

    fn request_mut(&mut self, id: RequestId) -> Option<&mut Request> {
        let item = self.request_items.get(&id)?.clone();
        self.agenda.item_mut(&item)?.speakers.requests.get_mut(&id)
    }

    fn set_request_status(&mut self, id: RequestId, status: RequestStatus) {
        if let Some(item) = self.request_items.get(&id).cloned()
            && let Some(item) = self.agenda.item_mut(&item)
        {
            item.speakers.set_status(id, status);
        }
    }

    /// The language spoken on the floor now: the chair's or technician's
    /// override, else the speaker's declared language.
    pub fn floor_language(&self) -> Option<&Lang> {
        self.interpretation
            .floor_language_override
            .as_ref()
            .or_else(|| self.floor.current.as_ref().map(|s| &s.language))
    }

    /// Applies one committed event. Never fails: events are facts.
    pub fn apply(&mut self, stored: &StoredEvent) {
        let at = stored.at;
        self.seq = stored.seq;
        self.updated_at = at;
        match &stored.event {
            // A second creation event would be a corrupt log; replay refuses
            // it as the first event only, so ignore it here.
            Event::MeetingCreated { .. } => {}
            Event::ItemOpened { item } => {
                self.agenda.open(item, at);
                // Interpreters' shifts start when the meeting does.
                for booth in self.interpretation.booths.values_mut() {
                    booth.on_mic_since.get_or_insert(at);
                }
            }
            Event::ItemMoved { item, to } => self.agenda.move_item(item, *to),
            Event::TimeLimitSet {
                item,
                category,
                limit,
            } => {
                if let Some(item) = self.agenda.item_mut(item) {
                    item.time_limits.insert(*category, *limit);
                    // Waiting statements of that category get the new limit.
                    for id in item.speakers.queue.clone() {
                        if let Some(r) = item.speakers.requests.get_mut(&id)
                            && r.category == *category
                            && r.kind == crate::rules::RequestKind::Statement
                        {
                            r.limit = *limit;
                        }
                    }
                }
            }
            Event::FloorRequested {
                request,
                item,
                delegation,
                kind,
                language,
                limit,
                position,
                by_chair,
            } => {
                let category = self
                    .definition
                    .delegation(delegation)
                    .map_or(crate::rules::Category::Observer, |d| d.category);
                if let Some(it) = self.agenda.item_mut(item) {
                    it.speakers.insert(
                        Request {
                            id: *request,
                            delegation: delegation.clone(),
                            category,
                            kind: kind.clone(),
                            language: language.clone(),
                            requested_at: at,
                            limit: *limit,
                            by_chair: *by_chair,
                            status: RequestStatus::Requested,
                        },
                        *position,
                    );
                    self.request_items.insert(*request, item.clone());
                }
                self.next_request = self.next_request.max(request.0 + 1);
            }
            Event::RequestWithdrawn { request } => {
                self.set_request_status(*request, RequestStatus::Withdrawn);
            }
            Event::RequestRemoved { request } => {
                self.set_request_status(*request, RequestStatus::Removed);
            }
            Event::RequestMoved { request, to } => {
                if let Some(item) = self.request_items.get(request).cloned()
                    && let Some(item) = self.agenda.item_mut(&item)
                {
                    item.speakers.move_to(*request, *to);
                }
            }
            Event::RequestReadded {
                request,
                position,
                limit,
            } => {
                if let Some(item) = self.request_items.get(request).cloned()
                    && let Some(item) = self.agenda.item_mut(&item)
                {
                    item.speakers.readd(*request, *position, *limit, at);
                }
            }
            Event::LanguageDeclared { request, language } => {
                if let Some(r) = self.request_mut(*request) {
                    r.language = language.clone();
                }
                if let Some(speech) = self
                    .floor
                    .current
                    .iter_mut()
                    .chain(self.floor.interrupted.iter_mut())
                    .find(|s| s.source.request() == Some(*request))
                {
                    speech.language = language.clone();
                }
            }
            Event::ListClosed { item } => {
                if let Some(item) = self.agenda.item_mut(item) {
                    item.speakers.open = false;
                }
            }
            Event::ListReopened { item } => {
                if let Some(item) = self.agenda.item_mut(item) {
                    item.speakers.open = true;
                }
            }
            Event::SpeechStarted {
                speech,
                item,
                delegation,
                source,
                language,
                limit,
                thresholds,
                interrupting,
            } => {
                match source {
                    SpeechSource::Request { request, .. } => {
                        self.set_request_status(
                            *request,
                            RequestStatus::Speaking { speech: *speech },
                        );
                    }
                    SpeechSource::Presentation => {
                        if let Some(it) = self.agenda.item_mut(item) {
                            it.schedule
                                .set_status(delegation, SlotStatus::Presenting { speech: *speech });
                        }
                    }
                }
                self.floor.start(
                    Speech::new(
                        *speech,
                        item.clone(),
                        delegation.clone(),
                        source.clone(),
                        language.clone(),
                        Timer::started(*limit, *thresholds, at),
                        at,
                    ),
                    *interrupting,
                    at,
                );
                self.interpretation.floor_language_override = None;
                self.next_speech = self.next_speech.max(speech.0 + 1);
            }
            Event::SpeechEnded {
                speech,
                reason,
                resumed,
            } => {
                if let Some(record) = self.floor.end(*speech, *reason, *resumed, at) {
                    match &record.source {
                        SpeechSource::Request { request, .. } => {
                            // A speaker who yields has still spoken: the
                            // request is done; the log says how it ended.
                            self.set_request_status(
                                *request,
                                RequestStatus::Done { speech: *speech },
                            );
                        }
                        SpeechSource::Presentation => {
                            if let Some(it) = self.agenda.item_mut(&record.item) {
                                it.schedule.set_status(
                                    &record.delegation,
                                    SlotStatus::Done { speech: *speech },
                                );
                            }
                        }
                    }
                    self.log.push(record);
                }
                if resumed.is_some() {
                    self.interpretation.floor_language_override = None;
                }
            }
            Event::TimerPaused => {
                if let Some(s) = self.floor.current.as_mut() {
                    s.pause(at);
                }
            }
            Event::TimerResumed => {
                if let Some(s) = self.floor.current.as_mut() {
                    s.resume(at);
                }
            }
            Event::TimerExtended { by } => {
                if let Some(s) = self.floor.current.as_mut() {
                    s.timer.extend(*by);
                }
            }
            Event::TimerReset => {
                if let Some(s) = self.floor.current.as_mut() {
                    s.reset(at);
                }
            }
            Event::PresenterSkipped { item, presenter } => {
                if let Some(it) = self.agenda.item_mut(item) {
                    it.schedule.set_status(presenter, SlotStatus::Skipped);
                }
            }
            Event::PresenterDeferred { item, presenter } => {
                if let Some(it) = self.agenda.item_mut(item) {
                    it.schedule.defer(presenter);
                }
            }
            Event::FloorLanguageSet { language } => {
                self.interpretation.floor_language_override = language.clone();
            }
            Event::HandoverRequested { booth } => {
                if let Some(b) = self.interpretation.booths.get_mut(booth) {
                    b.handover_requested = Some(at);
                }
            }
            Event::HandoverAccepted { booth, on_mic } => {
                if let Some(b) = self.interpretation.booths.get_mut(booth) {
                    b.on_mic = *on_mic;
                    b.on_mic_since = Some(at);
                    b.handover_requested = None;
                }
            }
            Event::SlowerPleaseSignalled { booth } => {
                if let Some(b) = self.definition.booth(booth) {
                    self.interpretation.slower_please.push(SlowerPlease {
                        at,
                        language: b.output.clone(),
                    });
                }
            }
            Event::SlowerPleaseAcknowledged => self.interpretation.slower_please.clear(),
            Event::ViewAssigned {
                screens,
                view,
                languages,
            } => {
                self.displays.assign(screens, *view, languages.as_ref());
            }
            Event::MessagePushed { screens, text } => {
                let message = ScreenMessage {
                    text: text.clone(),
                    since: at,
                };
                self.displays.set_message(screens, Some(&message));
            }
            Event::MessageCleared { screens } => self.displays.set_message(screens, None),
            Event::ScreensReloaded { screens } => self.displays.reload(screens),
        }
    }
}
