//! The meeting state and how events change it. `apply` is mechanical: every
//! decision was taken in [`crate::decide`] and recorded in the event. Like
//! `decide`, it is a table of contents: the code that changes the state for
//! each event lives in the module of its rule area.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::agenda::{Agenda, AgendaItem};
use crate::definition::MeetingDefinition;
use crate::display::Displays;
use crate::event::{Event, StoredEvent};
use crate::floor::{Floor, SpeechRecord};
use crate::i18n::Lang;
use crate::ids::{ItemId, RequestId, SpeechId};
use crate::interpretation::Interpretation;
use crate::speakers::{Request, RequestStatus};
use crate::time::Timestamp;
use crate::undo::UndoPoint;
use crate::{agenda, display, floor, interpretation, presentations, speakers, undo};

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
    /// The floor before the last change the chair can still undo.
    #[serde(default)]
    pub undo: Option<UndoPoint>,
    pub(crate) next_request: u64,
    pub(crate) next_speech: u64,
    /// Which item each request belongs to (`[request, item]` pairs on the wire).
    #[serde(with = "crate::roster::pairs")]
    #[schemars(with = "Vec<(RequestId, ItemId)>")]
    pub(crate) request_items: BTreeMap<RequestId, ItemId>,
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
            undo: None,
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

    pub(crate) fn request_mut(&mut self, id: RequestId) -> Option<&mut Request> {
        let item = self.request_items.get(&id)?.clone();
        self.agenda.item_mut(&item)?.speakers.requests.get_mut(&id)
    }

    pub(crate) fn set_request_status(&mut self, id: RequestId, status: RequestStatus) {
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

    /// The agenda item a request belongs to.
    pub(crate) fn item_of_request_mut(&mut self, id: RequestId) -> Option<&mut AgendaItem> {
        let item = self.request_items.get(&id)?.clone();
        self.agenda.item_mut(&item)
    }

    /// Applies one committed event. Never fails: events are facts. Each
    /// event goes to the `apply_*` function of its rule area, next to the
    /// `decide_*` function that records it.
    pub fn apply(&mut self, stored: &StoredEvent) {
        let at = stored.at;
        undo::before_event(self, stored);
        self.seq = stored.seq;
        self.updated_at = at;
        let m = self;
        match &stored.event {
            // A second creation event would be a corrupt log; replay refuses
            // it as the first event only, so ignore it here.
            Event::MeetingCreated { .. } => {}

            // Agenda and running order.
            Event::ItemOpened { item } => agenda::apply_item_opened(m, item, at),
            Event::ItemMoved { item, to } => agenda::apply_item_moved(m, item, *to),

            // The speakers list.
            Event::TimeLimitSet {
                item,
                category,
                limit,
                changed,
            } => speakers::apply_time_limit_set(m, item, *category, *limit, changed.as_deref()),
            Event::FloorRequested {
                request,
                item,
                delegation,
                kind,
                language,
                limit,
                position,
                by_chair,
            } => speakers::apply_floor_requested(
                m,
                &speakers::FloorRequested {
                    request: *request,
                    item,
                    delegation,
                    kind,
                    language,
                    limit: *limit,
                    position: *position,
                    by_chair: *by_chair,
                },
                at,
            ),
            Event::RequestWithdrawn { request } => speakers::apply_request_withdrawn(m, *request),
            Event::RequestRemoved { request } => speakers::apply_request_removed(m, *request),
            Event::RequestMoved { request, to } => speakers::apply_request_moved(m, *request, *to),
            Event::RequestReadded {
                request,
                position,
                limit,
            } => speakers::apply_request_readded(m, *request, *position, *limit, at),
            Event::LanguageDeclared { request, language } => {
                speakers::apply_language_declared(m, *request, language);
            }
            Event::ListClosed { item } => speakers::apply_list_open(m, item, false),
            Event::ListReopened { item } => speakers::apply_list_open(m, item, true),

            // The floor.
            Event::SpeechStarted {
                speech,
                item,
                delegation,
                source,
                language,
                limit,
                thresholds,
                interrupting,
            } => floor::apply_speech_started(
                m,
                &floor::SpeechStarted {
                    speech: *speech,
                    item,
                    delegation,
                    source,
                    language,
                    limit: *limit,
                    thresholds: *thresholds,
                    interrupting: *interrupting,
                },
                at,
            ),
            Event::SpeechEnded {
                speech,
                reason,
                resumed,
            } => floor::apply_speech_ended(m, *speech, *reason, *resumed, at),
            Event::TimerPaused => floor::apply_timer_paused(m, at),
            Event::TimerResumed => floor::apply_timer_resumed(m, at),
            Event::TimerExtended { by } => floor::apply_timer_extended(m, *by),
            Event::TimerReset => floor::apply_timer_reset(m, at),
            Event::FloorChangeUndone => undo::apply_undone(m, at),

            // Scheduled presentations.
            Event::PresenterSkipped { item, presenter } => {
                presentations::apply_skipped(m, item, presenter);
            }
            Event::PresenterDeferred { item, presenter } => {
                presentations::apply_deferred(m, item, presenter);
            }

            // Interpretation.
            Event::FloorLanguageSet { language } => {
                interpretation::apply_floor_language_set(m, language.as_ref());
            }
            Event::HandoverRequested { booth } => {
                interpretation::apply_handover_requested(m, booth, at);
            }
            Event::HandoverAccepted { booth, on_mic } => {
                interpretation::apply_handover_accepted(m, booth, *on_mic, at);
            }
            Event::SlowerPleaseSignalled { booth } => {
                interpretation::apply_slower_please_signalled(m, booth, at);
            }
            Event::SlowerPleaseAcknowledged => interpretation::apply_slower_please_acknowledged(m),

            // Room displays.
            Event::ViewAssigned {
                screens,
                view,
                languages,
            } => display::apply_view_assigned(m, screens, *view, languages.as_ref()),
            Event::MessagePushed { screens, text } => {
                display::apply_message_pushed(m, screens, text, at);
            }
            Event::MessageCleared { screens } => display::apply_message_cleared(m, screens),
            Event::ScreensReloaded { screens } => display::apply_screens_reloaded(m, screens),
        }
    }
}
