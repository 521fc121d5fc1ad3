// How this browser signs in: an access code (typed, or from the link's
// `#code=…`), or the public view of a meeting (`#public=<meeting>`). The
// code is kept in sessionStorage so that a reload reconnects; the session
// token is kept in memory only (docs/protocol.md §3.2).

export type Credentials =
  | { kind: 'code'; code: string }
  | { kind: 'public'; meeting: string };

const KEY = 'plenary.credentials';

/** Reads `#code=…` or `#public=…` from a location hash. */
export function fromHash(hash: string): Credentials | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const code = params.get('code')?.trim();
  if (code) return { kind: 'code', code: normaliseCode(code) };
  const meeting = params.get('public')?.trim();
  if (meeting) return { kind: 'public', meeting };
  return null;
}

/** Codes are printed in upper case in groups; people type them any way. */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase().replace(/\s+/g, '');
}

export function remembered(storage: Storage | undefined): Credentials | null {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Credentials;
    if (parsed.kind === 'code' && typeof parsed.code === 'string') return parsed;
    if (parsed.kind === 'public' && typeof parsed.meeting === 'string') return parsed;
  } catch {
    // A corrupt entry is as good as none.
  }
  return null;
}

export function remember(storage: Storage | undefined, credentials: Credentials): void {
  try {
    storage?.setItem(KEY, JSON.stringify(credentials));
  } catch {
    // Private mode: a reload will ask again.
  }
}

export function forget(storage: Storage | undefined): void {
  try {
    storage?.removeItem(KEY);
  } catch {
    // Nothing to forget.
  }
}

/** The link's hash wins over what was remembered (a new code was opened). */
export function initialCredentials(hash: string, storage: Storage | undefined): Credentials | null {
  return fromHash(hash) ?? remembered(storage);
}

/**
 * The address once the code is out of it: the path and the query — with a
 * `kiosk` that came in the fragment (`#code=…&kiosk=1`) moved to the query,
 * where it survives reloads (a room screen's link: kiosk.ts). The fragment,
 * and the code in it, never reach the server nor any cache.
 */
export function addressWithoutCode(pathname: string, search: string, hash: string): string {
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  const query = new URLSearchParams(search);
  if (fragment.has('kiosk') && !query.has('kiosk')) {
    const value = fragment.get('kiosk') ?? '';
    const rest = query.toString();
    // `?kiosk` reads better than `?kiosk=` when it has no value.
    const kiosk = value === '' ? 'kiosk' : `kiosk=${encodeURIComponent(value)}`;
    return `${pathname}?${rest ? `${rest}&` : ''}${kiosk}`;
  }
  return pathname + search;
}
