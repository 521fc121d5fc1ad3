// Read-only lookups on the meeting state, as the Rust accessors
// (`MeetingDefinition::delegation`, `Agenda::item`, `SpeakersList::waiting`…).
import type {
  AgendaItem,
  BoothDefinition,
  Delegation,
  ItemDefinition,
  Lang,
  Meeting,
  MeetingDefinition,
  Request,
  RequestId,
  SpeakersList,
  Speech,
} from './protocol';

/** First match by id, as `Roster::get` (later duplicates are unreachable). */
export function delegationOf(def: MeetingDefinition, id: string): Delegation | undefined {
  return def.delegations.find((d) => d.id === id);
}

export function boothOf(def: MeetingDefinition, id: string): BoothDefinition | undefined {
  return def.booths.find((b) => b.id === id);
}

export function itemDefinitionOf(def: MeetingDefinition, id: string): ItemDefinition | undefined {
  return def.agenda.find((i) => i.id === id);
}

export function agendaItem(meeting: Meeting, id: string): AgendaItem | undefined {
  return meeting.agenda.items.find((i) => i.id === id);
}

export function currentItem(meeting: Meeting): AgendaItem | undefined {
  const id = meeting.agenda.current;
  return id == null ? undefined : agendaItem(meeting, id);
}

export function requestIn(list: SpeakersList, id: RequestId): Request | undefined {
  return list.requests.find((r) => r.id === id);
}

/** Waiting requests in calling order. */
export function waiting(list: SpeakersList): Request[] {
  const out: Request[] = [];
  for (const id of list.queue) {
    const r = requestIn(list, id);
    if (r) out.push(r);
  }
  return out;
}

/** The item a request was made on (`Meeting::request_items`). */
export function itemOfRequest(meeting: Meeting, id: RequestId): string | undefined {
  return meeting.request_items.find(([r]) => r === id)?.[1];
}

/** A request by id, on whichever item it was made (`Meeting::request`). */
export function findRequest(meeting: Meeting, id: RequestId): Request | undefined {
  const item = itemOfRequest(meeting, id);
  if (item === undefined) return undefined;
  const it = agendaItem(meeting, item);
  return it ? requestIn(it.speakers, id) : undefined;
}

/** Waiting or speaking: it still counts against "one request per item". */
export function isOpen(r: Request): boolean {
  return r.status.status === 'requested' || r.status.status === 'speaking';
}

/** The language spoken on the floor now: the override, else the speaker's. */
export function floorLanguage(meeting: Meeting): Lang | null {
  return meeting.interpretation.floor_language_override ?? meeting.floor.current?.language ?? null;
}

export function speechRequest(speech: Speech): RequestId | null {
  return speech.source.from === 'request' ? speech.source.request : null;
}

export function isPointOfOrder(speech: Speech): boolean {
  return speech.source.from === 'request' && speech.source.kind === 'point_of_order';
}

/** The languages a delegation may declare: the meeting's, the channels', and
 * any an interpreter understands (`MeetingDefinition::is_known_language`). */
export function knownLanguages(def: MeetingDefinition): Lang[] {
  const out: Lang[] = [];
  const add = (l: Lang) => {
    if (!out.includes(l)) out.push(l);
  };
  def.languages.forEach(add);
  def.channels.forEach((c) => add(c.language));
  for (const b of def.booths) for (const i of b.interpreters) [...i.a, ...i.b, ...i.c].forEach(add);
  return out;
}

/** Someone still to speak on the current item. */
export interface Upcoming {
  delegation: string;
  /** The request, or `null` for a scheduled presenter. */
  request: Request | null;
  kind: string;
  language: Lang | null;
}

/** Who speaks next on the current item, in calling order: points of order,
 * then pending presenters, then the list (as `wait_estimates` orders them). */
export function upcomingSpeakers(meeting: Meeting): Upcoming[] {
  const item = currentItem(meeting);
  if (!item) return [];
  const queue = waiting(item.speakers);
  const fromRequest = (r: Request): Upcoming => ({
    delegation: r.delegation,
    request: r,
    kind: r.kind,
    language: r.language,
  });
  const presenters: Upcoming[] = item.schedule.slots
    .filter((s) => s.status.status === 'pending')
    .map((s) => ({
      delegation: s.presenter,
      request: null,
      kind: 'presentation',
      language: s.language ?? delegationOf(meeting.definition, s.presenter)?.floor_language ?? null,
    }));
  return [
    ...queue.filter((r) => r.kind === 'point_of_order').map(fromRequest),
    ...presenters,
    ...queue.filter((r) => r.kind !== 'point_of_order').map(fromRequest),
  ];
}
