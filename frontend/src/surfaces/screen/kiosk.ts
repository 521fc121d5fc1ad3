// What a room screen does as a kiosk: it keeps the display awake (Screen
// Wake Lock, taken again whenever the page is shown again: the browser lets
// go of it when the page is hidden), goes fullscreen on its button or the F
// key — or at once with `?kiosk` in its link, where the browser allows it
// without a click — and hides the mouse pointer after 3 s without movement.
// Where an API is missing or refused it does without, and says so in
// `data-*` attributes of the screen (frontend/README.md).
import { useCallback, useEffect, useState } from 'preact/hooks';

// --- Wake lock ---------------------------------------------------------------------

export type WakeLockState =
  /** Asked for, not answered yet. */
  | 'pending'
  | 'held'
  /** Let go (the page was hidden): taken again when it is shown. */
  | 'released'
  /** This browser has no Screen Wake Lock (many smart TVs, plain http). */
  | 'unsupported'
  /** Asked for and refused (permission, power saving): asked again when the
   * page is shown again or someone touches it. */
  | 'refused';

export interface SentinelLike {
  readonly released: boolean;
  release(): Promise<void>;
  addEventListener(type: 'release', listener: () => void): void;
}

export interface WakeLockApi {
  request(type: 'screen'): Promise<SentinelLike>;
}

export interface VisibilitySource {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/** Holds the screen wake lock while the page is visible and started. */
export class ScreenWakeLock {
  readonly #api: WakeLockApi | undefined;
  readonly #doc: VisibilitySource;
  readonly #onChange: (state: WakeLockState) => void;
  #state: WakeLockState = 'pending';
  #sentinel: SentinelLike | null = null;
  #asking = false;
  #running = false;

  constructor(api: WakeLockApi | undefined, doc: VisibilitySource, onChange: (state: WakeLockState) => void) {
    this.#api = api;
    this.#doc = doc;
    this.#onChange = onChange;
  }

  get state(): WakeLockState {
    return this.#state;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (!this.#api) {
      this.#set('unsupported');
      return;
    }
    this.#doc.addEventListener('visibilitychange', this.#onVisibility);
    this.acquire();
  }

  stop(): void {
    this.#running = false;
    this.#doc.removeEventListener('visibilitychange', this.#onVisibility);
    const sentinel = this.#sentinel;
    this.#sentinel = null;
    if (sentinel && !sentinel.released) sentinel.release().catch(() => undefined);
  }

  /** Asks for the lock if the page is visible and does not hold it. */
  acquire(): void {
    const api = this.#api;
    if (!api || !this.#running || this.#asking || this.#sentinel) return;
    if (this.#doc.visibilityState !== 'visible') return;
    this.#asking = true;
    if (this.#state !== 'refused') this.#set('pending');
    let request: Promise<SentinelLike>;
    try {
      request = api.request('screen');
    } catch {
      request = Promise.reject(new Error('wake lock request threw'));
    }
    request.then(
      (sentinel) => {
        this.#asking = false;
        if (!this.#running) {
          sentinel.release().catch(() => undefined);
          return;
        }
        this.#sentinel = sentinel;
        sentinel.addEventListener('release', () => {
          if (this.#sentinel !== sentinel) return;
          this.#sentinel = null;
          if (this.#running) this.#set('released');
        });
        this.#set('held');
      },
      () => {
        this.#asking = false;
        if (this.#running) this.#set('refused');
      },
    );
  }

  readonly #onVisibility = () => {
    if (this.#doc.visibilityState === 'visible') this.acquire();
  };

  #set(state: WakeLockState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#onChange(state);
  }
}

// --- Fullscreen -----------------------------------------------------------------------

export interface FullscreenDoc {
  readonly fullscreenElement: Element | null;
  readonly fullscreenEnabled?: boolean;
  readonly documentElement: { requestFullscreen?(options?: FullscreenOptions): Promise<void> };
  exitFullscreen?(): Promise<void>;
}

export function isFullscreen(doc: FullscreenDoc): boolean {
  return doc.fullscreenElement !== null && doc.fullscreenElement !== undefined;
}

/** Enters fullscreen; false when the browser refused (no click yet) or has none. */
export async function enterFullscreen(doc: FullscreenDoc): Promise<boolean> {
  const el = doc.documentElement;
  if (isFullscreen(doc)) return true;
  if (!el.requestFullscreen) return false;
  try {
    await el.requestFullscreen({ navigationUI: 'hide' });
    return true;
  } catch {
    return false;
  }
}

export async function toggleFullscreen(doc: FullscreenDoc): Promise<boolean> {
  if (!isFullscreen(doc)) return enterFullscreen(doc);
  try {
    await doc.exitFullscreen?.();
  } catch {
    // Already out.
  }
  return false;
}

/** The F key (no modifier, not typed into a field) toggles fullscreen. */
export function isFullscreenKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'repeat'>): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return false;
  if (e.key !== 'f' && e.key !== 'F') return false;
  const target = e.target as { tagName?: string; isContentEditable?: boolean } | null;
  return !(target?.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target?.tagName ?? ''));
}

/** `?kiosk` (or `?kiosk=1`) in the screen's link: start fullscreen. */
export function kioskRequested(search: string): boolean {
  const params = new URLSearchParams(search);
  if (!params.has('kiosk')) return false;
  return !/^(0|false|no|off)$/i.test(params.get('kiosk') ?? '');
}

// --- The pointer ----------------------------------------------------------------------

/** The pointer hides after this long without movement. */
export const CURSOR_IDLE_MS = 3_000;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Idle after `ms` without activity, active again on the next one. */
export class IdleWatch {
  readonly #ms: number;
  readonly #timers: Timers;
  readonly #onChange: (idle: boolean) => void;
  #timer: unknown = null;
  #idle = false;

  constructor(ms: number, timers: Timers, onChange: (idle: boolean) => void, idle = false) {
    this.#ms = ms;
    this.#timers = timers;
    this.#onChange = onChange;
    this.#idle = idle;
  }

  get idle(): boolean {
    return this.#idle;
  }

  /** Something moved: active, and idle again `ms` from now. */
  activity(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#setIdle(true);
    }, this.#ms);
    this.#setIdle(false);
  }

  stop(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #setIdle(idle: boolean): void {
    if (idle === this.#idle) return;
    this.#idle = idle;
    this.#onChange(idle);
  }
}

// --- The hook -------------------------------------------------------------------------

export interface Kiosk {
  wakeLock: WakeLockState;
  fullscreen: boolean;
  /** The pointer has not moved for CURSOR_IDLE_MS (or not at all since the
   * screen opened): hidden, and the fullscreen button with it. */
  cursorIdle: boolean;
  /** `?kiosk` asked for fullscreen and the browser wants a click or key first. */
  needsGesture: boolean;
  toggleFullscreen(): void;
}

function browserWakeLock(): WakeLockApi | undefined {
  const api = (navigator as Navigator & { wakeLock?: WakeLockApi }).wakeLock;
  return api && typeof api.request === 'function' ? api : undefined;
}

/** Already fullscreen as far as the person in the hall can see: the
 * browser runs in kiosk mode (F11, `--kiosk`) or as an installed app. */
function displayFullscreen(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(display-mode: fullscreen)').matches;
}

export function useKiosk(): Kiosk {
  const [wakeLock, setWakeLock] = useState<WakeLockState>('pending');
  const [fullscreen, setFullscreen] = useState(() => isFullscreen(document));
  const [cursorIdle, setCursorIdle] = useState(true);
  const [needsGesture, setNeedsGesture] = useState(false);

  const toggle = useCallback(() => {
    void toggleFullscreen(document).then((on) => {
      setFullscreen(on || isFullscreen(document));
      if (on) setNeedsGesture(false);
    });
  }, []);

  // The wake lock, for as long as the screen is shown; a click or key after
  // a refusal asks again (a browser may want a user activation first).
  useEffect(() => {
    const lock = new ScreenWakeLock(browserWakeLock(), document, setWakeLock);
    lock.start();
    const retry = () => {
      if (lock.state === 'refused' || lock.state === 'released') lock.acquire();
    };
    window.addEventListener('pointerdown', retry);
    window.addEventListener('keydown', retry);
    return () => {
      window.removeEventListener('pointerdown', retry);
      window.removeEventListener('keydown', retry);
      lock.stop();
    };
  }, []);

  // The pointer: hidden until it moves, and again after 3 s still.
  useEffect(() => {
    const watch = new IdleWatch(
      CURSOR_IDLE_MS,
      { setTimeout: (fn, ms) => window.setTimeout(fn, ms), clearTimeout: (h) => window.clearTimeout(h as number) },
      setCursorIdle,
      true,
    );
    const moved = () => watch.activity();
    window.addEventListener('pointermove', moved);
    window.addEventListener('pointerdown', moved);
    return () => {
      window.removeEventListener('pointermove', moved);
      window.removeEventListener('pointerdown', moved);
      watch.stop();
    };
  }, []);

  // Fullscreen: its state, the F key, and `?kiosk`.
  useEffect(() => {
    const changed = () => {
      const on = isFullscreen(document);
      setFullscreen(on);
      if (on) setNeedsGesture(false);
    };
    const key = (e: KeyboardEvent) => {
      if (!isFullscreenKey(e)) return;
      e.preventDefault();
      toggle();
    };
    document.addEventListener('fullscreenchange', changed);
    window.addEventListener('keydown', key);
    let gesture: ((e?: Event) => void) | null = null;
    if (kioskRequested(location.search) && !isFullscreen(document)) {
      void enterFullscreen(document).then((on) => {
        if (on || displayFullscreen()) return;
        // The browser wants a click or a key first: the first one anywhere.
        setNeedsGesture(true);
        gesture = (e?: Event) => {
          // The button does it itself (twice would toggle it back).
          if ((e?.target as Element | null)?.closest?.('[data-fullscreen-toggle]')) return;
          if (gesture) window.removeEventListener('pointerdown', gesture);
          gesture = null;
          if (!isFullscreen(document)) void enterFullscreen(document);
        };
        window.addEventListener('pointerdown', gesture);
      });
    }
    return () => {
      document.removeEventListener('fullscreenchange', changed);
      window.removeEventListener('keydown', key);
      if (gesture) window.removeEventListener('pointerdown', gesture);
    };
  }, [toggle]);

  return { wakeLock, fullscreen, cursorIdle, needsGesture, toggleFullscreen: toggle };
}
