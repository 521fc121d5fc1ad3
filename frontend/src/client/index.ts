// The client this page uses: one connection, created once.
import { effect } from '@preact/signals-core';
import { meetingTimeZone } from '../i18n';
import { PlenaryClient, type ClientEnvironment, type SocketLike } from './connection';
import { storageLastViews, type Digest } from './lastView';

export { PlenaryClient } from './connection';
export type { ConnectionStatus, ServerError } from './connection';
export { changesTheFloor } from './commands';
export type { TrackedCommand, CommandState } from './commands';
export type { Credentials } from './credentials';

function browserEnvironment(): ClientEnvironment {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return {
    url: `${scheme}://${location.host}/ws`,
    // The browser's WebSocket has these members (with narrower event types).
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    // Monotonic within the page, anchored to the epoch.
    now: () => performance.timeOrigin + performance.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    random: Math.random,
    randomId: () => crypto.randomUUID(),
    storage: sessionStorageOrUndefined(),
    // The last document survives the tab (a kiosk's browser restarted while
    // the server is down); the code does not (it stays in sessionStorage).
    lastViews: storageLastViews(localStorageOrUndefined(), sha256()),
  };
}

function sessionStorageOrUndefined(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

function localStorageOrUndefined(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** WebCrypto's SHA-256; undefined outside a secure context. */
function sha256(): Digest | undefined {
  const subtle = globalThis.crypto?.subtle;
  return subtle ? (data) => subtle.digest('SHA-256', data) : undefined;
}

let instance: PlenaryClient | null = null;

/** The page's client (created on first use). Its documents' heading names
 * the meeting's time zone, in which every time is then shown. */
export function client(): PlenaryClient {
  if (instance === null) {
    const created = new PlenaryClient(browserEnvironment());
    instance = created;
    effect(() => {
      const view = created.view.value;
      meetingTimeZone.value = view?.heading.time_zone ?? meetingTimeZone.peek();
    });
  }
  return instance;
}
