// The client this page uses: one connection, created once.
import { PlenaryClient, type ClientEnvironment, type SocketLike } from './connection';

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
  };
}

function sessionStorageOrUndefined(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

let instance: PlenaryClient | null = null;

/** The page's client (created on first use). */
export function client(): PlenaryClient {
  instance ??= new PlenaryClient(browserEnvironment());
  return instance;
}
