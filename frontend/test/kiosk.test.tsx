// The room screen as a kiosk (src/surfaces/screen/kiosk.ts): the wake lock
// taken again each time the page is shown, refused or missing without a
// fuss; fullscreen on F and the button; the pointer hidden when still;
// `?kiosk`. Fakes stand for the browser here; tests/browser/kiosk.test.mjs
// checks the same in Chromium with the real APIs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import '@preact/signals';
import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import { client } from '../src/client';
import type { ScreenView, SurfaceView } from '../src/client/protocol';
import RoomScreen from '../src/surfaces/screen/RoomScreen';
import {
  CURSOR_IDLE_MS,
  IdleWatch,
  ScreenWakeLock,
  enterFullscreen,
  isFullscreenKey,
  kioskRequested,
  toggleFullscreen,
  type SentinelLike,
  type WakeLockState,
} from '../src/surfaces/screen/kiosk';

/** A page whose visibility the test switches, as a browser does. */
class FakePage {
  visibilityState: DocumentVisibilityState = 'visible';
  #listeners = new Set<() => void>();
  addEventListener(_type: 'visibilitychange', fn: () => void) {
    this.#listeners.add(fn);
  }
  removeEventListener(_type: 'visibilitychange', fn: () => void) {
    this.#listeners.delete(fn);
  }
  get listeners() {
    return this.#listeners.size;
  }
  set(state: DocumentVisibilityState) {
    this.visibilityState = state;
    for (const fn of [...this.#listeners]) fn();
  }
}

class FakeSentinel implements SentinelLike {
  released = false;
  #listeners: (() => void)[] = [];
  addEventListener(_type: 'release', fn: () => void) {
    this.#listeners.push(fn);
  }
  async release() {
    if (this.released) return;
    this.released = true;
    for (const fn of this.#listeners) fn();
  }
}

/** navigator.wakeLock as the browser has it: the lock is let go when the
 * page is hidden, and refused while it is. */
class FakeWakeLock {
  requests = 0;
  refuse = false;
  held: FakeSentinel[] = [];
  constructor(readonly page: FakePage) {
    page.addEventListener('visibilitychange', () => {
      if (page.visibilityState === 'hidden') for (const s of this.held) void s.release();
    });
  }
  async request(type: 'screen') {
    expect(type).toBe('screen');
    this.requests += 1;
    if (this.refuse || this.page.visibilityState !== 'visible') throw new DOMException('refused', 'NotAllowedError');
    const s = new FakeSentinel();
    this.held.push(s);
    return s;
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the screen wake lock', () => {
  let page: FakePage;
  let api: FakeWakeLock;
  let states: WakeLockState[];
  beforeEach(() => {
    page = new FakePage();
    api = new FakeWakeLock(page);
    states = [];
  });

  it('is held while the screen is shown, let go when hidden, and taken again when shown', async () => {
    const lock = new ScreenWakeLock(api, page, (s) => states.push(s));
    lock.start();
    await settle();
    expect(lock.state).toBe('held');
    page.set('hidden');
    await settle();
    expect(lock.state).toBe('released');
    page.set('visible');
    await settle();
    expect(lock.state).toBe('held');
    expect(api.requests).toBe(2);
    expect(states).toEqual(['held', 'released', 'pending', 'held']);
    lock.stop();
    await settle();
    expect(api.held.every((s) => s.released)).toBe(true);
    expect(page.listeners).toBe(1); // the fake API's own, not the lock's
  });

  it('does not ask while the page is hidden, only once it is shown', async () => {
    page.visibilityState = 'hidden';
    const lock = new ScreenWakeLock(api, page, (s) => states.push(s));
    lock.start();
    await settle();
    expect(api.requests).toBe(0);
    page.set('visible');
    await settle();
    expect(lock.state).toBe('held');
  });

  it('says so when refused, and asks again when the page is shown again', async () => {
    api.refuse = true;
    const lock = new ScreenWakeLock(api, page, (s) => states.push(s));
    lock.start();
    await settle();
    expect(lock.state).toBe('refused');
    api.refuse = false;
    page.set('hidden');
    page.set('visible');
    await settle();
    expect(lock.state).toBe('held');
    // A second request while one is pending or held is never made.
    lock.acquire();
    lock.acquire();
    await settle();
    expect(api.requests).toBe(2);
  });

  it('is "unsupported" where the browser has none (many smart TVs)', () => {
    const lock = new ScreenWakeLock(undefined, page, (s) => states.push(s));
    lock.start();
    expect(lock.state).toBe('unsupported');
    expect(page.listeners).toBe(1);
  });

  it('lets go of a lock granted after the screen was closed', async () => {
    const lock = new ScreenWakeLock(api, page, (s) => states.push(s));
    lock.start();
    lock.stop();
    await settle();
    expect(api.held).toHaveLength(1);
    expect(api.held[0]!.released).toBe(true);
  });
});

describe('the pointer', () => {
  it('hides after 3 s still and shows on the next movement', () => {
    vi.useFakeTimers();
    try {
      const changes: boolean[] = [];
      const watch = new IdleWatch(CURSOR_IDLE_MS, { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) }, (idle) => changes.push(idle), true);
      expect(watch.idle).toBe(true);
      watch.activity();
      expect(watch.idle).toBe(false);
      vi.advanceTimersByTime(CURSOR_IDLE_MS - 1);
      watch.activity(); // moved again: 3 s from now
      vi.advanceTimersByTime(CURSOR_IDLE_MS - 1);
      expect(watch.idle).toBe(false);
      vi.advanceTimersByTime(1);
      expect(watch.idle).toBe(true);
      expect(changes).toEqual([false, true]);
      watch.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('fullscreen', () => {
  function fakeDoc(refuse = false) {
    const doc = {
      fullscreenElement: null as Element | null,
      documentElement: {
        requestFullscreen: vi.fn(async () => {
          if (refuse) throw new TypeError('Permissions check failed');
          doc.fullscreenElement = {} as Element;
        }),
      },
      exitFullscreen: vi.fn(async () => {
        doc.fullscreenElement = null;
      }),
    };
    return doc;
  }

  it('toggles in and out', async () => {
    const doc = fakeDoc();
    expect(await toggleFullscreen(doc)).toBe(true);
    expect(doc.fullscreenElement).not.toBeNull();
    expect(await toggleFullscreen(doc)).toBe(false);
    expect(doc.exitFullscreen).toHaveBeenCalledOnce();
  });

  it('says when the browser wants a click first', async () => {
    const doc = fakeDoc(true);
    expect(await enterFullscreen(doc)).toBe(false);
    expect(await enterFullscreen({ fullscreenElement: null, documentElement: {} })).toBe(false);
  });

  it('F toggles, but not with a modifier nor typed into a field', () => {
    const key = (key: string, extra: Partial<KeyboardEvent> = {}) =>
      isFullscreenKey({ key, ctrlKey: false, metaKey: false, altKey: false, repeat: false, target: null, ...extra });
    expect(key('f')).toBe(true);
    expect(key('F')).toBe(true);
    expect(key('g')).toBe(false);
    expect(key('f', { ctrlKey: true })).toBe(false);
    expect(key('f', { repeat: true })).toBe(false);
    expect(key('f', { target: document.createElement('input') })).toBe(false);
  });

  it('?kiosk in the link asks for it', () => {
    expect(kioskRequested('?kiosk')).toBe(true);
    expect(kioskRequested('?kiosk=1')).toBe(true);
    expect(kioskRequested('?a=b&kiosk')).toBe(true);
    expect(kioskRequested('?kiosk=0')).toBe(false);
    expect(kioskRequested('')).toBe(false);
  });
});

describe('a room screen as a kiosk', () => {
  let root: HTMLElement;
  const doc = signal<SurfaceView | null>(null);
  const screen = (): SurfaceView =>
    ({
      surface: 'screen',
      heading: { meeting: 'demo', title: { es: 'Reunión', en: 'Meeting' }, languages: ['es', 'en'], item: null, kinds: {} },
      screen: { id: 'hall-left', name: 'Hall left', location: 'Hall', groups: [], languages: ['es', 'en'], view: 'clock', message: null, reloads: 0 },
      content: { view: 'clock' },
    }) as unknown as ScreenView & SurfaceView;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    doc.value = screen();
    vi.spyOn(client(), 'view', 'get').mockReturnValue(doc);
    vi.spyOn(client(), 'serverNow').mockReturnValue(1_509_056_000_000);
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    vi.restoreAllMocks();
    vi.useRealTimers();
    delete (document.documentElement as { requestFullscreen?: unknown }).requestFullscreen;
  });

  const main = () => root.querySelector<HTMLElement>('[data-testid="screen-view"]')!;

  it('says it has no wake lock where the browser has none, and hides the pointer until it moves', async () => {
    await act(() => render(<RoomScreen />, root));
    expect(main().dataset.wakeLock).toBe('unsupported');
    expect(main().dataset.cursor).toBe('hidden');
    expect(main().classList.contains('cursor-idle')).toBe(true);
    await act(() => {
      window.dispatchEvent(new Event('pointermove'));
    });
    expect(main().dataset.cursor).toBe('shown');
    await act(() => {
      vi.advanceTimersByTime(CURSOR_IDLE_MS);
    });
    expect(main().dataset.cursor).toBe('hidden');
  });

  it('goes fullscreen on F and on its button', async () => {
    const request = vi.fn(async () => undefined);
    (document.documentElement as { requestFullscreen?: unknown }).requestFullscreen = request;
    await act(() => render(<RoomScreen />, root));
    await act(async () => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'f' }));
      await Promise.resolve();
    });
    expect(request).toHaveBeenCalledTimes(1);
    const button = root.querySelector<HTMLButtonElement>('[data-testid="fullscreen-toggle"]')!;
    expect(button.getAttribute('aria-label')).toBe('Pantalla completa (F)');
    await act(async () => {
      button.click();
      await Promise.resolve();
    });
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('with ?kiosk: fullscreen at once, or a hint and the first click where the browser wants one', async () => {
    const before = location.pathname + location.search;
    history.replaceState(null, '', '/screen?kiosk');
    try {
      let allowed = false;
      const request = vi.fn(async () => {
        if (!allowed) throw new TypeError('Permissions check failed');
      });
      (document.documentElement as { requestFullscreen?: unknown }).requestFullscreen = request;
      await act(async () => {
        render(<RoomScreen />, root);
        await Promise.resolve();
      });
      await act(async () => {
        await Promise.resolve();
      });
      expect(request).toHaveBeenCalledTimes(1);
      const hint = root.querySelector<HTMLElement>('[data-testid="fullscreen-hint"]')!;
      expect(hint.textContent).toContain('Pulse F o haga clic para pantalla completa');
      expect(hint.textContent).toContain('Press F or click for full screen');
      allowed = true;
      await act(async () => {
        window.dispatchEvent(new Event('pointerdown'));
        await Promise.resolve();
      });
      expect(request).toHaveBeenCalledTimes(2);
      // Once is enough.
      await act(async () => {
        window.dispatchEvent(new Event('pointerdown'));
        await Promise.resolve();
      });
      expect(request).toHaveBeenCalledTimes(2);
    } finally {
      history.replaceState(null, '', before);
    }
  });
});
