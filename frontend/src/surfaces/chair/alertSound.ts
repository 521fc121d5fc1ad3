// The chair's alert sound: a short double beep (WebAudio, no file to load)
// when a point of order is raised. The chair can switch it off; the choice
// is remembered on this device. Browsers only let a page make a sound after
// the user has interacted with it, so the audio context is opened on the
// first key or click.
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

/** Opens (or wakes) the audio context from a user gesture; call from a
 * key or pointer handler. */
export function unlockAlertSound(): void {
  const ctx = audioContext();
  if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
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
