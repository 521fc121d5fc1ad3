// The browser's fold of the event stream: `Meeting::apply`
// (crates/plenary-core/src/meeting.rs) and the helpers it calls, line by
// line, so the state here equals the server's. A golden test
// (test/reducer.test.ts) folds the reference session that Rust wrote and
// compares the result with Rust's own final state.
//
// Like `apply`, this mutates the meeting in place and never fails: events
// are facts. Callers that need a new object per event (signals) copy first
// with `nextMeeting`.
import type {
  Agenda,
  Event,
  Lang,
  Meeting,
  Millis,
  Request,
  RequestId,
  RequestStatus,
  Schedule,
  SlotStatus,
  Speech,
  SpeechId,
  SpeechRecord,
  SpeakersList,
  Timestamp,
} from './protocol';
import { agendaItem, boothOf, delegationOf, itemOfRequest, requestIn } from './meeting';
import { elapsed, extendTimer, isRunning, pauseTimer, resetTimer, resumeTimer, startedTimer } from './timer';

/** What the reducer needs of an event frame. */
export interface AppliedFrame {
  seq: number;
  at: Timestamp;
  /** `null`: an event this audience may not see; only seq and time move. */
  event: Event | null;
}

/** A deep copy that shares the definition (no event ever changes it). */
export function nextMeeting(meeting: Meeting): Meeting {
  const { definition, ...rest } = meeting;
  return { ...structuredClone(rest), definition };
}

/** `Meeting::apply`. */
export function applyEvent(m: Meeting, frame: AppliedFrame): void {
  const at = frame.at;
  m.seq = frame.seq;
  m.updated_at = at;
  const e = frame.event;
  if (e === null) return;
  switch (e.type) {
    case 'meeting_created':
      // A second creation event would be a corrupt log: ignored.
      break;
    case 'item_opened':
      openItem(m.agenda, e.item, at);
      // Interpreters' shifts start when the meeting does.
      for (const booth of Object.values(m.interpretation.booths)) {
        if (booth && booth.on_mic_since == null) booth.on_mic_since = at;
      }
      break;
    case 'item_moved':
      moveItem(m.agenda, e.item, e.to);
      break;
    case 'time_limit_set': {
      const item = agendaItem(m, e.item);
      if (item) {
        item.time_limits[e.category] = e.limit;
        // The event names the requests that take the new limit; one written
        // before it did (no `changed`) means the waiting statements of
        // that category, as the core replays it.
        const changed =
          e.changed ??
          item.speakers.queue.filter((id) => {
            const r = requestIn(item.speakers, id);
            return r !== undefined && r.category === e.category && r.kind === 'statement';
          });
        for (const id of changed) {
          const r = requestIn(item.speakers, id);
          if (r) r.limit = e.limit;
        }
      }
      break;
    }
    case 'floor_requested': {
      const category = delegationOf(m.definition, e.delegation)?.category ?? 'observer';
      const item = agendaItem(m, e.item);
      if (item) {
        insertRequest(
          item.speakers,
          {
            id: e.request,
            delegation: e.delegation,
            category,
            kind: e.kind,
            language: e.language,
            requested_at: at,
            limit: e.limit,
            by_chair: e.by_chair,
            status: { status: 'requested' },
          },
          e.position,
        );
        setRequestItem(m, e.request, e.item);
      }
      m.next_request = Math.max(m.next_request, e.request + 1);
      break;
    }
    case 'request_withdrawn':
      setRequestStatus(m, e.request, { status: 'withdrawn' });
      break;
    case 'request_removed':
      setRequestStatus(m, e.request, { status: 'removed' });
      break;
    case 'request_moved': {
      const item = requestItem(m, e.request);
      if (item) moveRequest(item.speakers, e.request, e.to);
      break;
    }
    case 'request_readded': {
      const item = requestItem(m, e.request);
      if (item) readd(item.speakers, e.request, e.position, e.limit, at);
      break;
    }
    case 'language_declared': {
      const r = requestMut(m, e.request);
      if (r) r.language = e.language;
      const speech = [...(m.floor.current ? [m.floor.current] : []), ...m.floor.interrupted].find(
        (s) => s.source.from === 'request' && s.source.request === e.request,
      );
      if (speech) speech.language = e.language;
      break;
    }
    case 'list_closed': {
      const item = agendaItem(m, e.item);
      if (item) item.speakers.open = false;
      break;
    }
    case 'list_reopened': {
      const item = agendaItem(m, e.item);
      if (item) item.speakers.open = true;
      break;
    }
    case 'speech_started': {
      if (e.source.from === 'request') {
        setRequestStatus(m, e.source.request, { status: 'speaking', speech: e.speech });
      } else {
        const item = agendaItem(m, e.item);
        if (item) setSlotStatus(item.schedule, e.delegation, { status: 'presenting', speech: e.speech });
      }
      startSpeech(
        m,
        {
          id: e.speech,
          item: e.item,
          delegation: e.delegation,
          source: structuredClone(e.source),
          language: e.language,
          timer: startedTimer(e.limit, { ...e.thresholds }, at),
          started_at: at,
          pauses: [],
          spoken_before_reset: 0,
          running_when_interrupted: false,
        },
        e.interrupting,
        at,
      );
      m.interpretation.floor_language_override = null;
      m.next_speech = Math.max(m.next_speech, e.speech + 1);
      break;
    }
    case 'speech_ended': {
      const record = endSpeech(m, e.speech, e.reason, e.resumed ?? null, at);
      if (record) {
        if (record.source.from === 'request') {
          // A speaker who yields has still spoken: the request is done.
          setRequestStatus(m, record.source.request, { status: 'done', speech: e.speech });
        } else {
          const item = agendaItem(m, record.item);
          if (item) setSlotStatus(item.schedule, record.delegation, { status: 'done', speech: e.speech });
        }
        m.log.push(record);
      }
      if (e.resumed != null) m.interpretation.floor_language_override = null;
      break;
    }
    case 'timer_paused':
      if (m.floor.current) pauseSpeech(m.floor.current, at);
      break;
    case 'timer_resumed':
      if (m.floor.current) resumeSpeech(m.floor.current, at);
      break;
    case 'timer_extended':
      if (m.floor.current) extendTimer(m.floor.current.timer, e.by);
      break;
    case 'timer_reset':
      if (m.floor.current) resetSpeech(m.floor.current, at);
      break;
    case 'presenter_skipped': {
      const item = agendaItem(m, e.item);
      if (item) setSlotStatus(item.schedule, e.presenter, { status: 'skipped' });
      break;
    }
    case 'presenter_deferred': {
      const item = agendaItem(m, e.item);
      if (item) deferSlot(item.schedule, e.presenter);
      break;
    }
    case 'floor_language_set':
      m.interpretation.floor_language_override = e.language ?? null;
      break;
    case 'handover_requested': {
      const b = m.interpretation.booths[e.booth];
      if (b) b.handover_requested = at;
      break;
    }
    case 'handover_accepted': {
      const b = m.interpretation.booths[e.booth];
      if (b) {
        b.on_mic = e.on_mic;
        b.on_mic_since = at;
        b.handover_requested = null;
      }
      break;
    }
    case 'slower_please_signalled': {
      const b = boothOf(m.definition, e.booth);
      if (b) m.interpretation.slower_please.push({ at, language: b.output });
      break;
    }
    case 'slower_please_acknowledged':
      m.interpretation.slower_please = [];
      break;
    case 'view_assigned':
      for (const id of e.screens) {
        const s = m.displays.screens[id];
        if (s) {
          s.view = e.view;
          if (e.languages != null) s.languages = [...e.languages] as typeof s.languages;
        }
      }
      break;
    case 'message_pushed':
      for (const id of e.screens) {
        const s = m.displays.screens[id];
        if (s) s.message = { text: { ...e.text }, since: at };
      }
      break;
    case 'message_cleared':
      for (const id of e.screens) {
        const s = m.displays.screens[id];
        if (s) s.message = null;
      }
      break;
    case 'screens_reloaded':
      for (const id of e.screens) {
        const s = m.displays.screens[id];
        if (s) s.reloads += 1;
      }
      break;
    default: {
      // A new event type must be handled above: this fails to compile.
      const unknown: never = e;
      void unknown;
    }
  }
}

// --- Agenda (agenda.rs) ------------------------------------------------------

function openItem(agenda: Agenda, id: string, at: Timestamp): void {
  const current = agenda.current == null ? undefined : agenda.items.find((i) => i.id === agenda.current);
  if (current) {
    current.status = 'done';
    current.actual_end = at;
  }
  const item = agenda.items.find((i) => i.id === id);
  if (item) {
    item.status = 'current';
    item.actual_start ??= at;
    item.actual_end = null;
  }
  agenda.current = id;
}

function moveItem(agenda: Agenda, id: string, to: number): void {
  const from = agenda.items.findIndex((i) => i.id === id);
  if (from < 0) return;
  const [item] = agenda.items.splice(from, 1);
  agenda.items.splice(Math.min(to, agenda.items.length), 0, item!);
}

// --- Requests (speakers.rs, meeting.rs) --------------------------------------

/** Requests are a map by id in Rust, written as a list in id order. */
function putRequest(list: SpeakersList, request: Request): void {
  const i = list.requests.findIndex((r) => r.id >= request.id);
  if (i < 0) list.requests.push(request);
  else if (list.requests[i]!.id === request.id) list.requests[i] = request;
  else list.requests.splice(i, 0, request);
}

function insertRequest(list: SpeakersList, request: Request, position: number): void {
  list.queue.splice(Math.min(position, list.queue.length), 0, request.id);
  putRequest(list, request);
}

/** `request_items` is a map by id in Rust, written as pairs in id order. */
function setRequestItem(m: Meeting, request: RequestId, item: string): void {
  const pairs = m.request_items;
  const i = pairs.findIndex(([r]) => r >= request);
  if (i < 0) pairs.push([request, item]);
  else if (pairs[i]![0] === request) pairs[i] = [request, item];
  else pairs.splice(i, 0, [request, item]);
}

function requestItem(m: Meeting, request: RequestId) {
  const item = itemOfRequest(m, request);
  return item === undefined ? undefined : agendaItem(m, item);
}

function requestMut(m: Meeting, request: RequestId): Request | undefined {
  const item = requestItem(m, request);
  return item ? requestIn(item.speakers, request) : undefined;
}

/** `Meeting::set_request_status` → `SpeakersList::set_status`. */
function setRequestStatus(m: Meeting, request: RequestId, status: RequestStatus): void {
  const item = requestItem(m, request);
  if (!item) return;
  const list = item.speakers;
  if (status.status !== 'requested') list.queue = list.queue.filter((q) => q !== request);
  const r = requestIn(list, request);
  if (r) r.status = status;
}

function moveRequest(list: SpeakersList, id: RequestId, to: number): void {
  list.queue = list.queue.filter((q) => q !== id);
  list.queue.splice(Math.min(to, list.queue.length), 0, id);
}

function readd(list: SpeakersList, id: RequestId, position: number, limit: Millis, at: Timestamp): void {
  const r = requestIn(list, id);
  if (!r) return;
  r.status = { status: 'requested' };
  r.limit = limit;
  // A request put back counts as a new request (PACE practice).
  r.requested_at = at;
  list.queue = list.queue.filter((q) => q !== id);
  list.queue.splice(Math.min(position, list.queue.length), 0, id);
}

// --- Schedules (presentations.rs) ---------------------------------------------

function sameSlotStatus(a: SlotStatus, b: SlotStatus): boolean {
  if (a.status !== b.status) return false;
  return !('speech' in a) || !('speech' in b) || a.speech === b.speech;
}

function pendingIndex(schedule: Schedule, presenter: string): number {
  return schedule.slots.findIndex((s) => s.presenter === presenter && s.status.status === 'pending');
}

/** `Schedule::set_status`. */
function setSlotStatus(schedule: Schedule, presenter: string, status: SlotStatus): void {
  const index =
    status.status === 'done'
      ? schedule.slots.findIndex((s) =>
          sameSlotStatus(s.status, { status: 'presenting', speech: status.speech }),
        )
      : pendingIndex(schedule, presenter);
  const slot = index < 0 ? undefined : schedule.slots[index];
  if (slot) slot.status = status;
}

/** `Schedule::defer`: a pending presenter moves to the end. */
function deferSlot(schedule: Schedule, presenter: string): void {
  const i = pendingIndex(schedule, presenter);
  if (i < 0) return;
  const [slot] = schedule.slots.splice(i, 1);
  slot!.deferred += 1;
  schedule.slots.push(slot!);
}

// --- The floor (floor.rs) -------------------------------------------------------

function pauseSpeech(s: Speech, at: Timestamp): void {
  if (isRunning(s.timer)) {
    pauseTimer(s.timer, at);
    s.pauses.push({ from: at, to: null });
  }
}

function resumeSpeech(s: Speech, at: Timestamp): void {
  if (!isRunning(s.timer)) {
    resumeTimer(s.timer, at);
    const last = s.pauses[s.pauses.length - 1];
    if (last && last.to == null) last.to = at;
  }
}

/** `Speech::reset`: the full limit again, keeping the time spoken. */
function resetSpeech(s: Speech, at: Timestamp): void {
  const running = isRunning(s.timer);
  s.spoken_before_reset += elapsed(s.timer, at);
  resetTimer(s.timer);
  if (running) resumeTimer(s.timer, at);
}

/** `Floor::start`. */
function startSpeech(m: Meeting, speech: Speech, interrupting: boolean, at: Timestamp): void {
  const current = m.floor.current;
  m.floor.current = null;
  if (current && interrupting) {
    current.running_when_interrupted = isRunning(current.timer);
    pauseSpeech(current, at);
    m.floor.interrupted.push(current);
  }
  // Otherwise decide ended it with an event of its own first.
  m.floor.current = speech;
}

/** `Floor::end` then `Speech::finish`. */
function endSpeech(
  m: Meeting,
  speech: SpeechId,
  reason: SpeechRecord['ended_by'],
  resumed: SpeechId | null,
  at: Timestamp,
): SpeechRecord | undefined {
  const floor = m.floor;
  let ended: Speech;
  if (floor.current && floor.current.id === speech) {
    ended = floor.current;
    floor.current = null;
  } else {
    const i = floor.interrupted.findIndex((s) => s.id === speech);
    if (i < 0) return undefined;
    ended = floor.interrupted.splice(i, 1)[0]!;
  }
  if (resumed != null) {
    const i = floor.interrupted.findIndex((s) => s.id === resumed);
    if (i >= 0) {
      const back = floor.interrupted.splice(i, 1)[0]!;
      // A countdown the chair had paused stays paused.
      if (back.running_when_interrupted) resumeSpeech(back, at);
      floor.current = back;
    }
  }
  return finish(ended, at, reason);
}

function finish(s: Speech, at: Timestamp, reason: SpeechRecord['ended_by']): SpeechRecord {
  const last = s.pauses[s.pauses.length - 1];
  if (last && last.to == null) last.to = at;
  const used = elapsed(s.timer, at);
  return {
    id: s.id,
    item: s.item,
    delegation: s.delegation,
    source: s.source,
    language: s.language as Lang,
    started_at: s.started_at,
    ended_at: at,
    limit: s.timer.limit,
    spoken: s.spoken_before_reset + used,
    overrun: Math.max(0, used - s.timer.limit),
    pauses: s.pauses,
    ended_by: reason,
  };
}
