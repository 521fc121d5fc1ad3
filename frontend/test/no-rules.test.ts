// The browser holds no rule of procedure and no event reducer: the server
// derives each display's document in Rust and the browser only formats it
// (docs/protocol.md, the views stream). This reads every source file under
// src/ (the generated types aside) and fails when one
//   - imports a type of the event stream or of the meeting's state — what
//     a reducer or a rule would need — from the protocol module;
//   - switches over the names of events (or handles the events stream);
//   - is named like the modules that mirrored the Rust rules.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FRONTEND = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(FRONTEND, 'src');
const GENERATED = join(SRC, 'generated');

/** Types only a program that keeps the state from events needs. */
const STATE_TYPES = [
  'Event',
  'EventFrame',
  'StoredEvent',
  'Insight',
  'Meeting',
  'MeetingDefinition',
  'Rules',
  'ExtraKind',
  'PointOfOrderRules',
  'RightOfReplyRules',
  'QueueOrder',
  'Thresholds',
  'Agenda',
  'AgendaItem',
  'SpeakersList',
  'Request',
  'Floor',
  'Speech',
  'SpeechRecord',
  'Timer',
  'TimerRun',
  'Interpretation',
  'BoothState',
  'Displays',
  'RunningOrder',
  'ItemProjection',
  'WaitEstimate',
  'UpcomingWarning',
];

/** Messages of the events stream, which the browser does not follow. */
const EVENT_STREAM_MESSAGES = ['snapshot', 'event', 'insight'];

/** Every event name, from the `Event` union of the generated types. */
function eventNames(): string[] {
  const text = readFileSync(join(GENERATED, 'protocol.ts'), 'utf8');
  const start = text.indexOf('export type Event =');
  if (start < 0) throw new Error('no `Event` union in src/generated/protocol.ts');
  const end = text.indexOf('\nexport ', start + 1);
  const union = text.slice(start, end < 0 ? undefined : end);
  return [...union.matchAll(/\btype: '([a-z_]+)'/g)].map((m) => m[1]!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === GENERATED ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|jsx|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const isProtocolModule = (specifier: string) => /(^|\/)(generated\/)?protocol(\.ts)?$/.test(specifier);

/** Names a file takes from the protocol module, however it takes them. */
function protocolNames(text: string): string[] {
  const names: string[] = [];
  // import [type] { A, type B as C } from '…protocol'; export { … } from '…protocol'
  for (const m of text.matchAll(/\b(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    if (!isProtocolModule(m[2]!)) continue;
    for (const part of m[1]!.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim();
      if (name) names.push(name);
    }
  }
  // import * as P from '…protocol' … P.Meeting
  for (const m of text.matchAll(/\bimport\s+(?:type\s+)?\*\s+as\s+(\w+)\s+from\s*['"]([^'"]+)['"]/g)) {
    if (!isProtocolModule(m[2]!)) continue;
    for (const use of text.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g'))) names.push(use[1]!);
  }
  // import('…protocol').Meeting
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)\.(\w+)/g)) {
    if (isProtocolModule(m[1]!)) names.push(m[2]!);
  }
  return names;
}

/** `case 'x':` labels of a file. */
function caseLabels(text: string): string[] {
  return [...text.matchAll(/\bcase\s+['"`]([\w-]+)['"`]\s*:/g)].map((m) => m[1]!);
}

/** reducer.ts, admission.ts, relayPlan.tsx, sync.ts… */
const RULE_MODULE = /^(reducer|admission|relay|sync)s?([A-Z._-]|$)/i;

const files = sourceFiles(SRC);
const events = new Set(eventNames());
const where = (file: string) => relative(FRONTEND, file);

describe('no rule of procedure in the browser', () => {
  it('reads the sources and the event names', () => {
    expect(files.length).toBeGreaterThan(10);
    // A few names the check must know, so that a change of the generator is noticed.
    for (const name of ['floor_requested', 'speech_started', 'speech_ended', 'timer_paused']) expect(events.has(name), name).toBe(true);
  });

  it('no file takes a type of the event stream or the meeting state from the protocol module', () => {
    const found = files.flatMap((f) =>
      protocolNames(readFileSync(f, 'utf8'))
        .filter((n) => STATE_TYPES.includes(n))
        .map((n) => `${where(f)}: ${n}`),
    );
    expect(found, 'these are for programs that keep the state from events; render the view document instead').toEqual([]);
  });

  it('no file switches over event names or handles the events stream', () => {
    const found = files.flatMap((f) =>
      caseLabels(readFileSync(f, 'utf8'))
        .filter((label) => events.has(label) || EVENT_STREAM_MESSAGES.includes(label))
        .map((label) => `${where(f)}: case '${label}'`),
    );
    expect(found, 'applying events is the server’s job (plenary-core)').toEqual([]);
  });

  it('no module is named like the rules it would mirror', () => {
    const found = files.map(where).filter((f) => RULE_MODULE.test(basename(f)));
    expect(found, 'reducers, admission, relay plans and state sync live in Rust').toEqual([]);
  });
});
