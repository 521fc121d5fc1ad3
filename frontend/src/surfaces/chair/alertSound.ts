// The chair's alert sound: a short double beep (WebAudio, no file to load)
// when a point of order is raised. The chair can switch it off; the choice
// is remembered on this device. Browsers only let a page make a sound after
// the user has interacted with it: the audio context is opened once the
// console is idle after loading (suspended, until a gesture) and the first
// key or click only wakes it. Opening it is what costs: Chromium starts its
// audio service (here ~90 ms of the page's thread and ~0.7 s of CPU), and
// done in the first click's handler it delayed the chair's first command
// and the screens showing it.
import { signal } from '@preact/signals-core';

const STORAGE_KEY = 'plenary.chair.sound';

function initialSound(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Whether a point of order makes a sound on this console (on by default). */
export const alertSound = signal<boolean>(initialSound());

export function setAlertSound(on: boolean): void {
  alertSound.value = on;
  // Sound off lets go of the audio device; on again, the next gesture
  // opens it.
  if (!on && context) {
    void context.close().catch(() => undefined);
    context = null;
  }
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Not remembered.
  }
}

type AudioContextClass = typeof AudioContext;

let context: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (context) return context;
  const Ctor: AudioContextClass | undefined =
    typeof window === 'undefined'
      ? undefined
      : (window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioContextClass }).webkitAudioContext);
  if (!Ctor) return null;
  try {
    context = new Ctor();
  } catch {
    return null;
  }
  return context;
}

function wake(ctx: AudioContext | null): void {
  if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
}

/** Opens the audio context ahead of need, when the page is next idle (and
 * the sound is on). Returns what cancels it. */
export function prepareAlertSound(): () => void {
  if (!alertSound.peek() || context || typeof window === 'undefined') return () => undefined;
  // Safari has no idle callback: a second after loading will do.
  if ('requestIdleCallback' in window) {
    // The pair as it is now: the cancel may come after a page (or a test)
    // swapped them.
    const { requestIdleCallback, cancelIdleCallback } = window;
    const id = requestIdleCallback(() => void audioContext(), { timeout: 3_000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(() => void audioContext(), 1_000);
  return () => clearTimeout(id);
}

/** Wakes the audio context from a user gesture; call from a key or pointer
 * handler. Not opened yet (a gesture before the page was idle), it is
 * opened after the event's own handlers: the command goes first. */
export function unlockAlertSound(): void {
  if (!alertSound.peek()) return;
  if (context) wake(context);
  else setTimeout(() => wake(audioContext()), 0);
}

/** Beeps (two short tones) unless the chair switched the sound off.
 * Returns whether it tried. */
export function beep(): boolean {
  if (!alertSound.peek()) return false;
  const ctx = audioContext();
  if (!ctx) return false;
  try {
    const start = ctx.currentTime + 0.01;
    for (const [at, freq] of [
      [0, 880],
      [0.22, 1175],
    ] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + at);
      gain.gain.exponentialRampToValueAtTime(0.3, start + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + at);
      osc.stop(start + at + 0.2);
    }
  } catch {
    return false;
  }
  return true;
}
