// What the technician's Identify and Blank remember, so that they can be
// taken back: the view and languages a screen showed before. Identify
// puts them back by itself after IDENTIFY_MS; Blank offers to undo. Kept
// outside the components, so that a re-render (or a switch of the
// interface language) does not lose a pending revert.
import { signal } from '@preact/signals-core';
import { client } from '../../client';
import type { ScreenLine, View } from '../../client/protocol';
import { viewOf } from '../../client/view';

/** How long Identify shows the screen's id before its view comes back. */
export const IDENTIFY_MS = 10_000;
/** How long a first click on a connected screen waits for the second. */
export const CONFIRM_MS = 4_000;

export interface Shown {
  view: View;
  languages: string[];
}

export interface Identifying {
  /** Local time the screen's view comes back. */
  until: number;
  previous: Shown;
}

/** Screens showing their id, by screen id. */
export const identifying = signal<ReadonlyMap<string, Identifying>>(new Map());
/** What blanked screens showed before, by screen id. */
export const blanked = signal<ReadonlyMap<string, Shown>>(new Map());

const timers = new Map<string, ReturnType<typeof setTimeout>>();

function without<T>(map: ReadonlyMap<string, T>, id: string): Map<string, T> {
  const next = new Map(map);
  next.delete(id);
  return next;
}

/** What a screen shows now, as the technician document has it; what it
 * would show by default when that is Identify or Blank itself. */
export function shownBy(screen: ScreenLine, not: View): Shown {
  const state = screen.state;
  const languages = [...(state?.languages ?? screen.languages)];
  const view = state?.view ?? screen.view;
  if (view !== not && view !== 'identify') return { view, languages };
  const fallback = screen.view !== not && screen.view !== 'identify' ? screen.view : 'current_speaker';
  return { view: fallback, languages };
}

function show(id: string, shown: Shown): void {
  client().send({ type: 'assign_view', target: { kind: 'screen', id }, view: shown.view, languages: shown.languages });
}

/** The screen's view as the technician's document has it now. */
function viewNow(id: string): View | undefined {
  const doc = viewOf(client().view.peek(), 'technician');
  const s = doc?.screens.find((x) => x.id === id);
  return s?.state?.view ?? s?.view;
}

/** Makes the screen show its id, and its view again after IDENTIFY_MS. */
export function identify(screen: ScreenLine, now: number = Date.now()): void {
  const previous = identifying.peek().get(screen.id)?.previous ?? shownBy(screen, 'identify');
  client().send({ type: 'assign_view', target: { kind: 'screen', id: screen.id }, view: 'identify', languages: null });
  const old = timers.get(screen.id);
  if (old) clearTimeout(old);
  timers.set(
    screen.id,
    setTimeout(() => endIdentify(screen.id), IDENTIFY_MS),
  );
  identifying.value = new Map(identifying.peek()).set(screen.id, { until: now + IDENTIFY_MS, previous });
}

/** Puts back what the screen showed before Identify (now, or when its
 * time is up) — unless someone assigned it another view meanwhile. */
export function endIdentify(id: string): void {
  const pending = identifying.peek().get(id);
  const timer = timers.get(id);
  if (timer) clearTimeout(timer);
  timers.delete(id);
  if (!pending) return;
  identifying.value = without(identifying.peek(), id);
  const now = viewNow(id);
  if (now === undefined || now === 'identify') show(id, pending.previous);
}

/** Blanks the screen, remembering what it showed. */
export function blank(screen: ScreenLine): void {
  // Blank twice: what it showed before the first.
  const again = (screen.state?.view ?? screen.view) === 'blank' ? blanked.peek().get(screen.id) : undefined;
  const previous = again ?? shownBy(screen, 'blank');
  client().send({ type: 'assign_view', target: { kind: 'screen', id: screen.id }, view: 'blank', languages: null });
  blanked.value = new Map(blanked.peek()).set(screen.id, previous);
}

/** Shows again what a blanked screen showed. */
export function undoBlank(id: string): void {
  const previous = blanked.peek().get(id);
  blanked.value = without(blanked.peek(), id);
  if (previous) show(id, previous);
}
