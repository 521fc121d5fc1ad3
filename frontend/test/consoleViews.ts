// View documents of the consoles that run the meeting (presiding,
// technician, booth), written by hand as the server would send them for a
// small slice of the San Pedro Sula reference meeting: the tests render the
// surfaces from these and never work anything out themselves.
import type {
  SessionRecord,
  BoothLine,
  BoothView,
  Countdown,
  CoverageLine,
  DelegationLine,
  Heading,
  InterpretationView,
  InterpreterLine,
  OnFloor,
  PresidingView,
  ScreenLine,
  TechnicianView,
} from '../src/client/protocol';

/** The server's clock in these documents: 27 October 2017, 09:20 UTC. */
export const NOW = 1_509_096_000_000;

export const heading: Heading = {
  meeting: 'san-pedro-sula-2017',
  title: { en: 'San Pedro Sula Regional Conference', es: 'Conferencia Regional de San Pedro Sula' },
  languages: ['es', 'en'],
  time_zone: 'America/Tegucigalpa',
  item: {
    id: 'national-plans',
    title: { en: 'National action plans', es: 'Planes de acción nacionales' },
    kind: 'debate',
    number: 3,
    count: 6,
    list_open: true,
  },
  kinds: { question: { en: 'Question', es: 'Pregunta' } },
};

export const delegations: DelegationLine[] = [
  { id: 'bz', name: { en: 'Belize', es: 'Belice' }, category: 'member_state', floor_language: 'en' },
  { id: 'gt', name: { en: 'Guatemala', es: 'Guatemala' }, category: 'member_state', floor_language: 'es' },
  { id: 'hn', name: { en: 'Honduras', es: 'Honduras' }, category: 'member_state', floor_language: 'es' },
  { id: 'br', name: { en: 'Brazil', es: 'Brasil' }, category: 'cooperating_state', floor_language: 'pt' },
];

export const screens: ScreenLine[] = [
  {
    id: 'hall-left',
    name: 'Hall, left',
    location: 'Plenary hall, left of the podium',
    groups: ['hall'],
    languages: ['es', 'en'],
    view: 'current_speaker',
    state: { view: 'current_speaker', languages: ['es', 'en'], reloads: 0, message: null },
  },
  {
    id: 'hall-right',
    name: 'Hall, right',
    location: 'Plenary hall, right of the podium',
    groups: ['hall'],
    languages: ['es', 'en'],
    view: 'current_speaker',
    state: {
      view: 'speakers_list',
      languages: ['en'],
      reloads: 0,
      message: { since: NOW - 60_000, text: { en: 'Coffee at 11:00', es: 'Café a las 11:00' } },
    },
  },
  {
    id: 'podium',
    name: 'Podium confidence monitor',
    location: 'Speaker’s lectern',
    groups: ['podium'],
    languages: ['es'],
    view: 'current_speaker',
    state: { view: 'current_speaker', languages: ['es'], reloads: 0, message: null },
  },
];

const interpreter = (id: string, name: string, a: string[], b: string[], c: string[]): InterpreterLine => ({ id, name, a, b, c });

/** A booth's duty: 30 minutes from `since`, running. */
function duty(since: number): Countdown {
  const deadline = since + 1_800_000;
  return { limit: 1_800_000, clock: { state: 'running', since, deadline, warning_at: deadline - 300_000, final_at: deadline - 60_000 } };
}

const lucia = interpreter('es-1', 'Lucía Fernández', ['es'], ['en'], []);
const andres = interpreter('es-2', 'Andrés Molina', ['es'], [], ['en', 'fr']);
const margaret = interpreter('en-1', 'Margaret Hale', ['en'], [], ['es', 'pt']);
const david = interpreter('en-2', 'David Okafor', ['en'], ['es'], ['pt']);
const amara = interpreter('en-3', 'Amara Nwosu', ['en'], [], ['fr']);
const beatriz = interpreter('pt-1', 'Beatriz Campos', ['pt'], [], ['en']);

export const booths: BoothLine[] = [
  {
    id: 'booth-es',
    name: { en: 'Spanish booth', es: 'Cabina española' },
    channel: 1,
    output: 'es',
    on_mic: lucia,
    partner: andres,
    team: [lucia, andres],
    on_mic_since: NOW - 600_000,
    duty: duty(NOW - 600_000),
    handover_requested: null,
  },
  {
    id: 'booth-en',
    name: { en: 'English booth', es: 'Cabina inglesa' },
    channel: 2,
    output: 'en',
    on_mic: margaret,
    partner: david,
    // Three in this booth: the one after the partner waits for a later handover.
    team: [margaret, david, amara],
    on_mic_since: NOW - 1_200_000,
    duty: duty(NOW - 1_200_000),
    handover_requested: NOW - 30_000,
  },
  {
    id: 'booth-pt',
    name: { en: 'Portuguese booth', es: 'Cabina portuguesa' },
    channel: 3,
    output: 'pt',
    on_mic: beatriz,
    partner: null,
    team: [beatriz],
    on_mic_since: null,
    duty: null,
    handover_requested: null,
  },
];

const boothNames = Object.fromEntries(booths.map((b) => [b.id, b.name]));

/** Honduras on the floor in Spanish, 3 of 5 minutes left, running. */
export const floor: OnFloor = {
  speech: 7,
  delegation: 'hn',
  name: { en: 'Honduras', es: 'Honduras' },
  source: { from: 'request', kind: 'statement', request: 3 },
  language: 'es',
  started_at: NOW - 120_000,
  countdown: {
    limit: 300_000,
    clock: { state: 'running', since: NOW - 120_000, deadline: NOW + 180_000, warning_at: NOW + 120_000, final_at: NOW + 165_000 },
  },
};

/** The server's recommendations for Honduras (on the floor: nothing to
 * change), Belize (the Spanish booth hands over to Andrés, who has English)
 * and Brazil (the Spanish booth takes relay; Margaret would stay on past her
 * turn). */
export const coverage: CoverageLine[] = [
  {
    delegation: 'hn',
    name: { en: 'Honduras', es: 'Honduras' },
    request: 3,
    on_floor: true,
    expected_at: { not_before: NOW - 120_000 },
    language: 'es',
    interpreted: true,
    advice: [],
    duty: [],
    channels: [],
    warnings: [],
  },
  {
    delegation: 'bz',
    name: { en: 'Belize', es: 'Belice' },
    request: 4,
    on_floor: false,
    expected_at: { not_before: NOW + 180_000, after_now: 0 },
    language: 'en',
    interpreted: true,
    advice: [
      {
        advice: { advice: 'hand_over', booth: 'booth-es', from: 'es-1', to: 'es-2', language: 'en', class: 'c', mid_speech: false },
        text: {
          en: 'Spanish booth: hand over to Andrés Molina (C en) before Belize speaks',
          es: 'Cabina española: relevo a Andrés Molina (C en) antes de que hable Belice',
        },
      },
    ],
    duty: [],
    channels: [],
    warnings: [],
  },
  {
    delegation: 'br',
    name: { en: 'Brazil', es: 'Brasil' },
    request: 5,
    on_floor: false,
    expected_at: { not_before: NOW + 480_000, after_now: 300_000 },
    language: 'pt',
    interpreted: true,
    advice: [
      {
        advice: { advice: 'take_relay', booth: 'booth-es', pivot: 'booth-en', depth: 'one_relay', already: true },
        text: { en: 'Spanish booth: take relay from English booth', es: 'Cabina española: tomar el relé de Cabina inglesa' },
      },
    ],
    duty: [
      {
        warning: { duty: 'past_turn', booth: 'booth-en', interpreter: 'en-1', turn_ends_at: NOW + 600_000 },
        text: {
          en: 'Margaret Hale (English booth) would stay on the mic past a 30-minute turn',
          es: 'Margaret Hale (Cabina inglesa) seguiría en el micrófono más allá de un turno de 30 minutos',
        },
      },
    ],
    channels: [],
    warnings: [],
  },
];

/** Canada ahead in German: nobody in any booth has it. */
export const germanAhead: CoverageLine = {
  delegation: 'ca',
  name: { en: 'Canada', es: 'Canadá' },
  request: 8,
  on_floor: false,
  expected_at: { not_before: NOW + 780_000, after_now: 600_000 },
  language: 'de',
  interpreted: false,
  advice: [
    {
      advice: { advice: 'no_interpreter', language: 'de' },
      text: { en: 'No interpretation for de: no interpreter has it', es: 'Sin interpretación para de: ningún intérprete lo tiene' },
    },
  ],
  duty: [],
  channels: [],
  warnings: [
    { warning: 'uncovered', channel: 1, language: 'es' },
    { warning: 'uncovered', channel: 2, language: 'en' },
    { warning: 'uncovered', channel: 3, language: 'pt' },
  ],
};

export const interpretation: InterpretationView = {
  floor_language: 'es',
  floor_language_override: null,
  plan: {
    floor_language: 'es',
    channels: [
      { channel: 1, language: 'es', feed: { feed: 'floor_is_this_language' } },
      { channel: 2, language: 'en', feed: { feed: 'booth', booth: 'booth-en', depth: 'floor', source: { from: 'floor' } } },
      {
        channel: 3,
        language: 'pt',
        feed: { feed: 'booth', booth: 'booth-pt', depth: 'one_relay', source: { from: 'relay', booth: 'booth-en' } },
      },
    ],
    warnings: [],
  },
  ahead: [
    {
      delegation: 'bz',
      name: { en: 'Belize', es: 'Belice' },
      request: 4,
      language: 'en',
      expected_at: { not_before: NOW + 180_000, after_now: 0 },
      channels: [
        { channel: 1, language: 'es', feed: { feed: 'booth', booth: 'booth-es', depth: 'floor', source: { from: 'floor' } } },
        { channel: 2, language: 'en', feed: { feed: 'floor_is_this_language' } },
        { channel: 3, language: 'pt', feed: { feed: 'booth', booth: 'booth-pt', depth: 'floor', source: { from: 'floor' } } },
      ],
      warnings: [],
    },
    {
      delegation: 'br',
      name: { en: 'Brazil', es: 'Brasil' },
      request: 5,
      language: 'pt',
      expected_at: { not_before: NOW + 480_000, after_now: 300_000 },
      channels: [
        {
          channel: 1,
          language: 'es',
          feed: { feed: 'booth', booth: 'booth-es', depth: 'double_relay', source: { from: 'relay', booth: 'booth-en' } },
        },
        { channel: 2, language: 'en', feed: { feed: 'booth', booth: 'booth-en', depth: 'one_relay', source: { from: 'relay', booth: 'booth-pt' } } },
        { channel: 3, language: 'pt', feed: { feed: 'floor_is_this_language' } },
      ],
      warnings: [{ warning: 'double_relay', channel: 1, booth: 'booth-es' }],
    },
  ],
  coverage,
  booths,
  channels: [
    { number: 1, language: 'es' },
    { number: 2, language: 'en' },
    { number: 3, language: 'pt' },
  ],
  slower_please: [{ at: NOW - 5_000, language: 'pt' }],
  languages: ['es', 'en', 'pt', 'fr'],
  booth_names: boothNames,
};

/** The record of the session so far, as `plenary_core::record` derives it:
 * two statements (Belize 4:00 in English, Guatemala 6:30 in Spanish, one
 * minute over), today's two items of 30 min, the first done in 35 min, the
 * second under way since 10 minutes before `NOW`. */
export const sessionRecord: SessionRecord = {
  time_zone: 'America/Tegucigalpa',
  items: [],
  totals: { speeches: 2, spoken: 630_000, over_limit: 1, overrun: 60_000, points_of_order: 0, rights_of_reply: 0 },
  by_delegation: [
    { delegation: 'gt', name: { en: 'Guatemala', es: 'Guatemala' }, category: 'member_state', speeches: 1, spoken: 390_000, languages: ['es'] },
    { delegation: 'bz', name: { en: 'Belize', es: 'Belice' }, category: 'member_state', speeches: 1, spoken: 240_000, languages: ['en'] },
  ],
  by_category: [
    { category: 'member_state', speeches: 2, spoken: 630_000 },
    { category: 'civil_society', speeches: 0, spoken: 0 },
  ],
  by_language: [
    { language: 'es', speeches: 1, spoken: 390_000 },
    { language: 'en', speeches: 1, spoken: 240_000 },
  ],
  overruns: [],
  procedural: [],
  interpretation: [
    { channel: 1, language: 'es', original: 390_000, direct: 240_000, relay: 0, double_relay: 0, uncovered: 0 },
    { channel: 2, language: 'en', original: 240_000, direct: 390_000, relay: 0, double_relay: 0, uncovered: 0 },
  ],
  today: { date: '2017-10-27', items: 2, planned: 3_600_000, used_done: 2_100_000, current_since: NOW - 600_000 },
};

export function presidingView(): PresidingView {
  return {
    record: sessionRecord,
    heading,
    floor_seen: { speech: floor.speech, rev: 7 },
    undo: null,
    floor_commands: [
      'call_next',
      'give_floor',
      'end_speech',
      'pause_timer',
      'resume_timer',
      'extend_timer',
      'reset_timer',
      'start_presentation',
      'undo_floor_change',
    ],
    floor,
    interrupted: [],
    next: [
      {
        turn: 'request',
        request: 4,
        kind: 'statement',
        delegation: 'bz',
        name: { en: 'Belize', es: 'Belice' },
        language: 'en',
        duration: 300_000,
        expected_at: { not_before: NOW + 180_000, after_now: 0 },
      },
      {
        turn: 'request',
        request: 5,
        kind: 'right_of_reply',
        delegation: 'br',
        name: { en: 'Brazil', es: 'Brasil' },
        language: 'pt',
        duration: 180_000,
        expected_at: { not_before: NOW + 480_000, after_now: 300_000 },
      },
    ],
    // Queue order differs from calling order: a right of reply waits at
    // the end of the queue but is called when the rules say.
    queue: [
      {
        request: 4,
        delegation: 'bz',
        name: { en: 'Belize', es: 'Belice' },
        kind: 'statement',
        category: 'member_state',
        language: 'en',
        limit: 300_000,
        requested_at: NOW - 400_000,
        by_chair: false,
        expected_at: { not_before: NOW + 180_000, after_now: 0 },
      },
      {
        request: 6,
        delegation: 'gt',
        name: { en: 'Guatemala', es: 'Guatemala' },
        kind: 'question',
        category: 'member_state',
        language: 'es',
        limit: 60_000,
        requested_at: NOW - 300_000,
        by_chair: true,
        expected_at: null,
      },
      {
        request: 5,
        delegation: 'br',
        name: { en: 'Brazil', es: 'Brasil' },
        kind: 'right_of_reply',
        category: 'cooperating_state',
        language: 'pt',
        limit: 180_000,
        requested_at: NOW - 200_000,
        by_chair: false,
        expected_at: { not_before: NOW + 480_000, after_now: 300_000 },
      },
    ],
    // Brazil withdrew a statement before asking for its right of reply.
    gone: [
      {
        request: 2,
        delegation: 'br',
        name: { en: 'Brazil', es: 'Brasil' },
        kind: 'statement',
        status: { status: 'withdrawn' },
      },
    ],
    slots: [],
    time_limits: { member_state: 300_000 },
    // National action plans ends at the anchor (Honduras, then the two
    // still to speak: 08:00 later at the earliest, sliding with an overrun);
    // the break follows it, not before its planned start.
    schedule: {
      anchor: { not_before: NOW + 660_000, after_now: 480_000 },
      items: [
        {
          item: 'opening',
          title: { en: 'Opening', es: 'Apertura' },
          kind: 'opening',
          status: 'done',
          planned_start: NOW - 3_600_000,
          planned_end: NOW - 3_000_000,
          actual_start: NOW - 3_600_000,
          actual_end: NOW - 2_900_000,
          times: { as: 'done', start: NOW - 3_600_000, end: NOW - 2_900_000 },
        },
        {
          item: 'national-plans',
          title: { en: 'National action plans', es: 'Planes de acción nacionales' },
          kind: 'debate',
          status: 'current',
          planned_start: NOW - 3_000_000,
          planned_end: NOW + 600_000,
          actual_start: NOW - 2_900_000,
          times: { as: 'current', start: NOW - 2_900_000 },
        },
        {
          item: 'break',
          title: { en: 'Break', es: 'Pausa' },
          kind: 'break',
          status: 'pending',
          planned_start: NOW + 600_000,
          planned_end: NOW + 1_800_000,
          times: { as: 'pending', after: 0, not_before: NOW + 600_000, duration: 1_200_000 },
        },
      ],
      drift: { planned: NOW + 600_000, projected: { not_before: NOW + 660_000, after_now: 480_000 } },
      planned_end: NOW + 1_800_000,
      projected_end: { not_before: NOW + 1_860_000, after_now: 1_680_000 },
    },
    recent: [],
    interpretation,
    delegations,
    kinds: ['statement', 'point_of_order', 'right_of_reply', 'question'],
    screens,
  };
}

/** The technician's document: it may hand out the codes of the floor, the
 * booths and the screens only (the server's table). */
export function technicianView(): TechnicianView {
  return {
    heading,
    floor,
    interpretation,
    screens,
    code_roles: ['delegation', 'interpreter', 'screen'],
    delegations,
  };
}

/** The Portuguese booth's document: relay from the English booth now. */
export function boothView(): BoothView {
  return {
    heading,
    booth: booths[2]!,
    floor,
    floor_language: 'es',
    feed: { feed: 'booth', booth: 'booth-pt', depth: 'one_relay', source: { from: 'relay', booth: 'booth-en' } },
    ahead: [
      {
        delegation: 'bz',
        name: { en: 'Belize', es: 'Belice' },
        language: 'en',
        expected_at: { not_before: NOW + 180_000, after_now: 0 },
        feed: { feed: 'booth', booth: 'booth-pt', depth: 'floor', source: { from: 'floor' } },
        warnings: [],
      },
      {
        delegation: 'br',
        name: { en: 'Brazil', es: 'Brasil' },
        language: 'pt',
        expected_at: { not_before: NOW + 480_000, after_now: 300_000 },
        feed: { feed: 'floor_is_this_language' },
        // The plan for Brazil has trouble elsewhere: the Spanish booth on double relay.
        warnings: [{ warning: 'double_relay', channel: 1, booth: 'booth-es' }],
      },
    ],
    warnings: [],
    // Nothing for the Portuguese booth: the advice is the Spanish booth's.
    coverage: coverage.map((c) => ({ ...c, advice: [] })),
    slower_please: [],
    booth_names: boothNames,
  };
}
