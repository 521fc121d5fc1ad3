//! `decide` + `apply` on the reference meeting: up to 40 commands from any
//! actor (chair, secretariat, technician, each delegation, each booth's
//! interpreter, each screen, the public, the system, and a few that do not
//! exist), built from the meeting's real ids so that most of them mean
//! something, with the clock moving forward by arbitrary steps. The
//! generator mirrors `crates/plenary-core/tests/properties.rs`.
//!
//! Checked after every command: nothing panics; one speaker at most holds
//! the floor (and the speakers list agrees with it); a refused command
//! changes nothing; a running countdown gains time only by an extension or
//! a reset; every display's view document derives without panicking, and
//! the patch from the previous document applies and gives the new one. At
//! the end: replaying the log gives the live state.
//!
//! Only events `decide` produced are applied: `apply` trusts `decide`.
#![no_main]

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use plenary_core::definition::load_str;
use plenary_core::display::{ScreenTarget, View};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{
    BoothId, DelegationId, InterpreterId, ItemId, RequestId, ScreenGroup, ScreenId, SpeechId,
};
use plenary_core::rules::{Category, RequestKind};
use plenary_core::speakers::RequestStatus;
use plenary_core::{
    Command, EVENT_VERSION, Event, Meeting, Millis, Role, StoredEvent, Timestamp, decide, execute,
};
use plenary_protocol::views::{self, ViewKey};

const REFERENCE: &str = include_str!("../../config/meetings/san-pedro-sula-2017.toml");
/// 26 October 2017, 14:00 in San Pedro Sula (UTC-6).
const T0: Timestamp = Timestamp(1_509_048_000_000);
const MAX_STEPS: usize = 40;

/// The reference meeting, created, and the ids commands are built from:
/// every real one plus one that does not exist.
struct Reference {
    created: StoredEvent,
    meeting: Meeting,
    items: Vec<ItemId>,
    delegations: Vec<DelegationId>,
    booths: Vec<BoothId>,
    interpreters: Vec<InterpreterId>,
    screens: Vec<ScreenId>,
    groups: Vec<ScreenGroup>,
    langs: Vec<Lang>,
    extra_kinds: Vec<String>,
}

static REFERENCE_MEETING: LazyLock<Reference> = LazyLock::new(|| {
    let definition =
        load_str("san-pedro-sula-2017.toml", REFERENCE).expect("the reference meeting loads");
    let mut items: Vec<ItemId> = definition.agenda.iter().map(|i| i.id.clone()).collect();
    items.push(ItemId::new("nowhere"));
    let mut delegations: Vec<DelegationId> = definition
        .delegations
        .iter()
        .map(|d| d.id.clone())
        .collect();
    delegations.push(DelegationId::new("nobody"));
    let mut booths: Vec<BoothId> = definition.booths.iter().map(|b| b.id.clone()).collect();
    booths.push(BoothId::new("booth-xx"));
    let mut interpreters: Vec<InterpreterId> = definition
        .booths
        .iter()
        .flat_map(|b| &b.interpreters)
        .map(|i| i.id.clone())
        .collect();
    interpreters.push(InterpreterId::new("xx-1"));
    let mut screens: Vec<ScreenId> = definition.screens.iter().map(|s| s.id.clone()).collect();
    screens.push(ScreenId::new("nowhere"));
    let mut groups: BTreeSet<ScreenGroup> = definition
        .screens
        .iter()
        .flat_map(|s| s.groups.iter().cloned())
        .collect();
    groups.insert(ScreenGroup::new("nowhere"));
    let mut langs: BTreeSet<Lang> = definition.languages.iter().cloned().collect();
    langs.extend(definition.channels.iter().map(|c| c.language.clone()));
    for b in &definition.booths {
        for i in &b.interpreters {
            langs.extend(i.a.iter().chain(&i.b).chain(&i.c).cloned());
        }
    }
    for unknown in ["fr", "de", "zh-Hant-TW", "x-klingon", "es-HN", "cab"] {
        if let Ok(l) = Lang::parse(unknown) {
            langs.insert(l);
        }
    }
    let mut extra_kinds: Vec<String> = definition
        .rules
        .extra_kinds
        .iter()
        .map(|k| k.id.clone())
        .collect();
    extra_kinds.extend(["question".to_owned(), "statement".to_owned(), String::new()]);
    let created = StoredEvent {
        seq: 1,
        at: T0 - Millis::from_mins(30),
        actor: Role::System,
        v: EVENT_VERSION,
        event: Meeting::created(definition.clone()),
    };
    let meeting = Meeting::new(Arc::new(definition), created.seq, created.at);
    Reference {
        created,
        meeting,
        items,
        delegations,
        booths,
        interpreters,
        screens,
        groups: groups.into_iter().collect(),
        langs: langs.into_iter().collect(),
        extra_kinds,
    }
});

/// Picks an arm by weight: `weighted(u, &[8, 2, 1])` is 0 eight times in
/// eleven.
fn weighted(u: &mut Unstructured<'_>, weights: &[u32]) -> Result<usize> {
    let total: u32 = weights.iter().sum();
    let mut pick = u.int_in_range(0..=total - 1)?;
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            return Ok(i);
        }
        pick -= w;
    }
    Ok(weights.len() - 1)
}

struct Gen<'a, 'u> {
    u: &'a mut Unstructured<'u>,
    r: &'static Reference,
    meeting: &'a Meeting,
}

impl Gen<'_, '_> {
    fn role(&mut self) -> Result<Role> {
        Ok(match weighted(self.u, &[8, 2, 4, 1, 1, 1, 1, 1])? {
            0 => Role::Chair,
            1 => Role::Secretariat,
            2 => Role::Delegation {
                delegation: self.delegation()?,
            },
            3 => Role::Technician,
            4 => Role::Interpreter {
                booth: self.booth()?,
            },
            5 => Role::Screen {
                screen: self.u.choose(&self.r.screens)?.clone(),
            },
            6 => Role::Public,
            _ => Role::System,
        })
    }

    /// Mostly the current item, so that requests land where the meeting is.
    fn item(&mut self) -> Result<ItemId> {
        if self.u.ratio(1, 2)?
            && let Some(current) = &self.meeting.agenda.current
        {
            return Ok(current.clone());
        }
        Ok(self.u.choose(&self.r.items)?.clone())
    }

    fn delegation(&mut self) -> Result<DelegationId> {
        Ok(self.u.choose(&self.r.delegations)?.clone())
    }

    fn booth(&mut self) -> Result<BoothId> {
        Ok(self.u.choose(&self.r.booths)?.clone())
    }

    fn lang(&mut self) -> Result<Lang> {
        Ok(self.u.choose(&self.r.langs)?.clone())
    }

    fn option<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.u.arbitrary()? {
            Ok(Some(f(self)?))
        } else {
            Ok(None)
        }
    }

    /// Existing requests, the next one, one beyond and 0.
    fn request(&mut self) -> Result<RequestId> {
        let next = self.meeting.next_request_id().0;
        Ok(RequestId(self.u.int_in_range(0..=next.saturating_add(1))?))
    }

    /// A place in a list of about `len`: inside it, just past it, or absurd.
    fn position(&mut self, len: usize) -> Result<usize> {
        Ok(match weighted(self.u, &[12, 1, 1])? {
            0 => self.u.int_in_range(0..=len.saturating_add(2))?,
            1 => usize::MAX,
            _ => self.u.arbitrary()?,
        })
    }

    fn queue_len(&self) -> usize {
        self.meeting
            .agenda
            .items
            .iter()
            .map(|i| i.speakers.queue.len())
            .max()
            .unwrap_or(0)
    }

    /// Durations: usual ones, negative ones, and any `i64` at all.
    fn millis(&mut self) -> Result<Millis> {
        Ok(match weighted(self.u, &[1, 8, 1, 1, 1, 1])? {
            0 => Millis::ZERO,
            1 => Millis::from_mins(self.u.int_in_range(-5..=20)?),
            2 => Millis::from_mins(90),
            3 => Millis(self.u.int_in_range(-3_600_000..=3_600_000)?),
            4 => *self
                .u
                .choose(&[Millis(i64::MAX), Millis(i64::MIN), Millis(-1)])?,
            _ => Millis(self.u.arbitrary()?),
        })
    }

    fn kind(&mut self) -> Result<RequestKind> {
        Ok(match weighted(self.u, &[4, 2, 2, 1])? {
            0 => RequestKind::Statement,
            1 => RequestKind::PointOfOrder,
            2 => RequestKind::RightOfReply,
            _ => RequestKind::Extra(self.u.choose(&self.r.extra_kinds)?.clone()),
        })
    }

    fn target(&mut self) -> Result<ScreenTarget> {
        Ok(match weighted(self.u, &[1, 1, 2])? {
            0 => ScreenTarget::All,
            1 => ScreenTarget::Group(self.u.choose(&self.r.groups)?.clone()),
            _ => ScreenTarget::Screen(self.u.choose(&self.r.screens)?.clone()),
        })
    }

    fn texts(&mut self) -> Result<Texts> {
        let mut texts = Texts::new();
        let n = self.u.int_in_range(0..=3)?;
        for _ in 0..n {
            let lang = self.lang()?;
            let text = match weighted(self.u, &[1, 2, 1])? {
                0 => String::new(),
                1 => "Please take your seats".to_owned(),
                _ => self.u.arbitrary::<String>()?,
            };
            texts.0.insert(lang, text);
        }
        Ok(texts)
    }

    fn command(&mut self) -> Result<Command> {
        let items = self.r.items.len();
        Ok(
            match weighted(
                self.u,
                &[
                    2, 2, 1, 1, 1, 16, 2, 3, 1, 2, 1, 1, 1, 1, 8, 2, 2, 2, 2, 2, 1, 2, 2, 1, 1, 1,
                    1, 1, 1, 1, 1, 1, 1, 1, 2, 3,
                ],
            )? {
                0 => Command::OpenItem { item: self.item()? },
                1 => Command::NextItem,
                2 => Command::PreviousItem,
                3 => Command::MoveItem {
                    item: self.item()?,
                    to: self.position(items)?,
                },
                4 => Command::SetTimeLimit {
                    item: self.item()?,
                    category: *self.u.choose(&Category::ALL)?,
                    limit: self.millis()?,
                },
                5 => Command::RequestFloor {
                    item: self.item()?,
                    delegation: self.delegation()?,
                    kind: self.kind()?,
                    language: self.option(Self::lang)?,
                },
                6 => {
                    let len = self.queue_len();
                    Command::InsertSpeaker {
                        item: self.item()?,
                        delegation: self.delegation()?,
                        kind: self.kind()?,
                        language: self.option(Self::lang)?,
                        position: self.option(|g| g.position(len))?,
                    }
                }
                7 => Command::WithdrawRequest {
                    request: self.request()?,
                },
                8 => Command::DeclareLanguage {
                    request: self.request()?,
                    language: self.lang()?,
                },
                9 => {
                    let len = self.queue_len();
                    Command::MoveRequest {
                        request: self.request()?,
                        to: self.position(len)?,
                    }
                }
                10 => Command::RemoveRequest {
                    request: self.request()?,
                },
                11 => {
                    let len = self.queue_len();
                    Command::ReaddRequest {
                        request: self.request()?,
                        position: self.option(|g| g.position(len))?,
                    }
                }
                12 => Command::CloseList { item: self.item()? },
                13 => Command::ReopenList { item: self.item()? },
                14 => Command::CallNext,
                15 => Command::GiveFloor {
                    request: self.request()?,
                },
                16 => Command::EndSpeech,
                17 => Command::PauseTimer,
                18 => Command::ResumeTimer,
                19 => Command::ExtendTimer { by: self.millis()? },
                20 => Command::ResetTimer,
                21 => Command::TimeUp,
                22 => Command::StartPresentation {
                    item: self.item()?,
                    presenter: self.option(Self::delegation)?,
                },
                23 => Command::SkipPresenter {
                    item: self.item()?,
                    presenter: self.delegation()?,
                },
                24 => Command::DeferPresenter {
                    item: self.item()?,
                    presenter: self.delegation()?,
                },
                25 => Command::SetFloorLanguage {
                    language: self.option(Self::lang)?,
                },
                26 => Command::RequestHandover {
                    booth: self.booth()?,
                },
                27 => Command::AcceptHandover {
                    booth: self.booth()?,
                },
                28 => Command::SlowerPlease {
                    booth: self.booth()?,
                },
                29 => Command::AcknowledgeSlowerPlease,
                30 => {
                    let n = self.u.int_in_range(0..=3)?;
                    let languages = if self.u.arbitrary()? {
                        Some((0..n).map(|_| self.lang()).collect::<Result<Vec<_>>>()?)
                    } else {
                        None
                    };
                    Command::AssignView {
                        target: self.target()?,
                        view: *self.u.choose(&View::ALL)?,
                        languages,
                    }
                }
                31 => Command::PushMessage {
                    target: self.target()?,
                    text: self.texts()?,
                },
                32 => Command::ClearMessage {
                    target: self.target()?,
                },
                33 => Command::ReloadScreens {
                    target: self.target()?,
                },
                34 => Command::HandOver {
                    booth: self.booth()?,
                    to: self.u.choose(&self.r.interpreters)?.clone(),
                },
                _ => Command::UndoFloorChange,
            },
        )
    }

    /// Most requests come from the delegation they name, and most
    /// withdrawals and language changes from the request's own delegation,
    /// so that the speakers list fills up.
    fn actor_for(&mut self, actor: Role, command: &Command) -> Result<Role> {
        if !self.u.ratio(4, 5)? {
            return Ok(actor);
        }
        Ok(match command {
            Command::RequestFloor { delegation, .. } => Role::Delegation {
                delegation: delegation.clone(),
            },
            Command::WithdrawRequest { request } | Command::DeclareLanguage { request, .. } => self
                .meeting
                .request(*request)
                .map_or(actor, |(_, r)| Role::Delegation {
                    delegation: r.delegation.clone(),
                }),
            _ => actor,
        })
    }

    /// How long until the next command: often nothing or a few seconds,
    /// sometimes long enough for a speech to run out, rarely hours.
    fn wait(&mut self) -> Result<Millis> {
        Ok(match weighted(self.u, &[2, 4, 4, 1])? {
            0 => Millis::ZERO,
            1 => Millis(self.u.int_in_range(0..=5_000)?),
            2 => Millis::from_secs(self.u.int_in_range(0..=600)?),
            _ => Millis::from_mins(self.u.int_in_range(0..=240)?),
        })
    }
}

/// The floor invariant of `properties.rs`: the speech on the floor and
/// those interrupted are exactly the requests marked speaking, each once;
/// interrupted ones are paused; each queue holds exactly the waiting
/// requests of its item.
fn assert_one_speaker(m: &Meeting) {
    let floor = &m.floor;
    assert!(
        floor.current.is_some() || floor.interrupted.is_empty(),
        "interrupted with an empty floor"
    );
    let mut on_floor: Vec<SpeechId> = floor
        .current
        .iter()
        .chain(&floor.interrupted)
        .map(|s| s.id)
        .collect();
    on_floor.sort();
    let before = on_floor.len();
    on_floor.dedup();
    assert_eq!(before, on_floor.len(), "a speech twice on the floor");
    for s in &floor.interrupted {
        assert!(!s.timer.is_running(), "an interrupted speaker's timer runs");
    }
    let mut speaking: Vec<SpeechId> = m
        .agenda
        .items
        .iter()
        .flat_map(|i| i.speakers.requests.values())
        .filter_map(|r| match r.status {
            RequestStatus::Speaking { speech } => Some(speech),
            _ => None,
        })
        .collect();
    speaking.sort();
    let from_requests: Vec<SpeechId> = floor
        .current
        .iter()
        .chain(&floor.interrupted)
        .filter(|s| s.source.request().is_some())
        .map(|s| s.id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        speaking, from_requests,
        "requests marked speaking vs the floor"
    );
    for item in &m.agenda.items {
        for id in &item.speakers.queue {
            assert_eq!(item.speakers.requests[id].status, RequestStatus::Requested);
        }
        let waiting = item
            .speakers
            .requests
            .values()
            .filter(|r| r.status == RequestStatus::Requested)
            .count();
        assert_eq!(
            waiting,
            item.speakers.queue.len(),
            "queue vs waiting requests"
        );
    }
}

/// One step of the session: who, what, and how long after the last one.
fn step(
    u: &mut Unstructured<'_>,
    r: &'static Reference,
    meeting: &Meeting,
) -> Result<(Role, Command, Millis)> {
    let mut g = Gen { u, r, meeting };
    let actor = g.role()?;
    let command = g.command()?;
    let actor = g.actor_for(actor, &command)?;
    Ok((actor, command, g.wait()?))
}

fn run(data: &[u8]) {
    let r: &'static Reference = &REFERENCE_MEETING;
    let mut u = Unstructured::new(data);
    let mut meeting = r.meeting.clone();
    // The events after `meeting_created` (not cloned: it holds the whole
    // definition).
    let mut log: Vec<StoredEvent> = Vec::new();
    let mut now = T0;
    let keys = view_keys(r);
    let mut documents: Vec<serde_json::Value> = keys.iter().map(|k| document(&meeting, k)).collect();
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        // Running out of input ends the session early.
        let Ok((actor, command, wait)) = step(&mut u, r, &meeting) else {
            break;
        };
        now = now + wait;

        let speeches_before: Vec<(SpeechId, Millis)> = meeting
            .floor
            .current
            .iter()
            .chain(&meeting.floor.interrupted)
            .map(|s| (s.id, s.timer.remaining(now)))
            .collect();
        // `decide` first: the state is copied only for a refusal, where
        // `execute` must give the same refusal and leave the copy as it was.
        let decided = decide(&meeting, &actor, &command, now);
        let executed = match &decided {
            Err(e) => {
                let mut copy = meeting.clone();
                let again = execute(&mut copy, &actor, &command, now);
                assert_eq!(again.as_ref().err(), Some(e), "{command:?} by {actor:?}");
                assert!(
                    copy == meeting,
                    "refusal {} of {command:?} by {actor:?} changed the state",
                    e.code()
                );
                assert!(!e.code().is_empty());
                again
            }
            Ok(_) => execute(&mut meeting, &actor, &command, now),
        };
        match executed {
            Err(_) => {}
            Ok(events) => {
                // `decide` is a function of its arguments.
                let stamped: Vec<&Event> = events.iter().map(|e| &e.event).collect();
                let decided: Vec<&Event> = decided.iter().flatten().collect();
                assert_eq!(stamped, decided, "{command:?} by {actor:?}");
                assert_eq!(meeting.seq, 1 + log.len() as u64 + events.len() as u64);
                log.extend(events);
                if !matches!(command, Command::ExtendTimer { .. } | Command::ResetTimer) {
                    for s in meeting
                        .floor
                        .current
                        .iter()
                        .chain(&meeting.floor.interrupted)
                    {
                        if let Some((_, was)) = speeches_before.iter().find(|(id, _)| *id == s.id) {
                            let left = s.timer.remaining(now);
                            assert!(
                                left <= *was,
                                "{:?} gained time: {was:?} -> {left:?} after {command:?}",
                                s.id
                            );
                        }
                    }
                }
            }
        }
        assert_one_speaker(&meeting);
        for (key, before) in keys.iter().zip(documents.iter_mut()) {
            let after = document(&meeting, key);
            let patch = views::diff(before, &after);
            json_patch::patch(before, &patch).expect("the patch applies");
            assert!(*before == after, "{key}: the patch does not give the new document");
        }
    }

    let replayed =
        Meeting::replay(std::iter::once(&r.created).chain(&log)).expect("the log replays");
    assert!(
        replayed == meeting,
        "the replay differs from the live state"
    );
}

/// A display of each kind (a real delegation, booth and screen).
fn view_keys(r: &Reference) -> Vec<ViewKey> {
    vec![
        ViewKey::Presiding,
        ViewKey::Technician,
        ViewKey::Booth(r.booths[0].clone()),
        ViewKey::Delegation(r.delegations[7].clone()),
        ViewKey::Screen(r.screens[0].clone()),
        ViewKey::Public,
    ]
}

fn document(meeting: &Meeting, key: &ViewKey) -> serde_json::Value {
    let view = views::derive(meeting, key).expect("a known display");
    serde_json::to_value(view).expect("a document serialises")
}

fuzz_target!(|data: &[u8]| run(data));
