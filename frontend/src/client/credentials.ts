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
