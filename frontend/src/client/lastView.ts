// The last view document each surface showed, kept in localStorage, so that
// a room screen or a console reloaded while the server is down (the app
// itself comes from the service worker's cache) shows what it showed, with
// "reconnecting", instead of a splash — until the server sends the
// document again.
//
// One entry per surface (`plenary.last-view.<surface>`). An entry says whose
// it is by a SHA-256 digest of the credentials, never by the code itself:
// the code stays in the tab's sessionStorage (./credentials.ts) and nowhere
// else. Another code on the same device finds nothing. Signing out (or a
// revoked code) deletes every entry. Without WebCrypto (a page served over
// plain http to another host is not a secure context), nothing is kept.
import type { Credentials } from './credentials';
import type { Role, SurfaceView } from './protocol';

export interface SavedView {
  /** Digest of the credentials (hex). */
  who: string;
  meeting: string;
  role: Role;
  view: SurfaceView;
  /** When it was saved (this device's clock, ms). */
  at: number;
}

export interface LastViewStore {
  /** Whose entries these credentials may read and write (null: keep nothing). */
  whoOf(credentials: Credentials): Promise<string | null>;
  load(who: string, now: number): SavedView | null;
  save(entry: SavedView): void;
  clear(): void;
}

const PREFIX = 'plenary.last-view.';
const VERSION = 1;

/** An entry older than this is yesterday's session: not shown. */
export const LAST_VIEW_MAX_AGE_MS = 12 * 60 * 60 * 1000;

export type Digest = (data: Uint8Array<ArrayBuffer>) => Promise<ArrayBuffer>;

/** The credentials as the entries name them: a salted SHA-256, in hex. */
export async function digestOf(credentials: Credentials, digest: Digest): Promise<string> {
  const text = credentials.kind === 'code' ? `code\n${credentials.code}` : `public\n${credentials.meeting}`;
  const bytes = await digest(new TextEncoder().encode(`plenary last view\n${text}`));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function parse(raw: string | null): SavedView | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<SavedView> & { v?: number };
    if (
      v.v === VERSION &&
      typeof v.who === 'string' &&
      typeof v.meeting === 'string' &&
      typeof v.at === 'number' &&
      typeof v.role?.role === 'string' &&
      typeof v.view?.surface === 'string'
    ) {
      return { who: v.who, meeting: v.meeting, role: v.role, view: v.view, at: v.at };
    }
  } catch {
    // A corrupt entry is as good as none.
  }
  return null;
}

function keys(storage: Storage): string[] {
  const out: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(PREFIX)) out.push(key);
  }
  return out;
}

/** The store on `storage` (the browser's localStorage); undefined when
 * there is no storage or no digest to name entries with. */
export function storageLastViews(storage: Storage | undefined, digest: Digest | undefined): LastViewStore | undefined {
  if (!storage || !digest) return undefined;
  return {
    whoOf: (credentials) => digestOf(credentials, digest).catch(() => null),
    load(who, now) {
      try {
        for (const key of keys(storage)) {
          const entry = parse(storage.getItem(key));
          if (entry && entry.who === who && now - entry.at <= LAST_VIEW_MAX_AGE_MS && now >= entry.at - 60_000) return entry;
        }
      } catch {
        // Storage refused: nothing to show.
      }
      return null;
    },
    save(entry) {
      try {
        storage.setItem(`${PREFIX}${entry.view.surface}`, JSON.stringify({ v: VERSION, ...entry }));
      } catch {
        // Full or refused: the next reload while offline shows the splash.
      }
    },
    clear() {
      try {
        for (const key of keys(storage)) storage.removeItem(key);
      } catch {
        // Nothing to clear.
      }
    },
  };
}
