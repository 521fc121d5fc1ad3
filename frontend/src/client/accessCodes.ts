// A meeting's access codes over the HTTP API (crates/plenary-server/src/api.rs
// `list_codes`, `issue_code`, `revoke_code`), for the technician console.
// Every call is authenticated with the code the console signed in with
// (`Authorization: Bearer <code>`); the list never carries the codes, and a
// new code is in the answer to its issue only.
//
// Imported by the technician surface only, so that it stays in its chunk.
import type { ServerError } from './connection';
import type { AccessCodeInfo, IssueCode, IssuedCode } from './protocol';

export type { AccessCodeInfo, IssueCode, IssuedCode } from './protocol';

/** Who calls, for which meeting. */
export interface ApiAuth {
  meeting: string;
  /** The access code the console signed in with. */
  code: string;
}

/** The meeting and code of a signed-in client (`PlenaryClient`), if it used a code. */
export function authOf(client: { readonly accessCode: string | null; readonly meetingId: string | null }): ApiAuth | null {
  const { accessCode, meetingId } = client;
  return accessCode && meetingId ? { meeting: meetingId, code: accessCode } : null;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Errors made here rather than by the server. */
export const LOCAL_ERROR = {
  /** No answer: the server or the network is down. */
  network: 'network',
  /** An answer that is neither what was asked for nor the server's error body. */
  badResponse: 'bad_response',
} as const;

/** A call that did not succeed: the server's `{code, message, messages}`
 * (shown in the interface language), or one of `LOCAL_ERROR`. */
export class AccessCodeError extends Error implements ServerError {
  readonly status: number;
  readonly code: string;
  readonly messages: ServerError['messages'];
  constructor(status: number, error: ServerError) {
    super(error.message);
    this.name = 'AccessCodeError';
    this.status = status;
    this.code = error.code;
    this.messages = error.messages;
  }
}

function codesUrl(meeting: string, id?: string): string {
  const base = `/api/v1/meetings/${encodeURIComponent(meeting)}/access-codes`;
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
}

function isServerError(body: unknown): body is ServerError {
  if (body === null || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  return typeof b.code === 'string' && typeof b.message === 'string';
}

async function request(
  auth: ApiAuth,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body: unknown,
  fetchImpl: FetchLike | undefined,
): Promise<Response> {
  // The global `fetch` as it is at the call (tests replace it).
  const doFetch: FetchLike = fetchImpl ?? ((u, i) => fetch(u, i));
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${auth.code}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await doFetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new AccessCodeError(0, {
      code: LOCAL_ERROR.network,
      message: e instanceof Error ? e.message : String(e),
      messages: {},
    });
  }
  if (response.ok) return response;
  let error: unknown = null;
  try {
    error = await response.json();
  } catch {
    // Not JSON (a proxy's error page…).
  }
  if (isServerError(error)) {
    throw new AccessCodeError(response.status, {
      code: error.code,
      message: error.message,
      messages: error.messages && typeof error.messages === 'object' ? error.messages : {},
    });
  }
  throw new AccessCodeError(response.status, {
    code: LOCAL_ERROR.badResponse,
    message: `HTTP ${response.status}`,
    messages: {},
  });
}

async function json<T>(response: Response, valid: (body: unknown) => boolean): Promise<T> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!valid(body)) {
    throw new AccessCodeError(response.status, {
      code: LOCAL_ERROR.badResponse,
      message: `HTTP ${response.status}: unexpected body`,
      messages: {},
    });
  }
  return body as T;
}

/** `GET …/access-codes`: every code of the meeting, active and revoked (oldest first). */
export async function listAccessCodes(auth: ApiAuth, fetchImpl?: FetchLike): Promise<AccessCodeInfo[]> {
  const response = await request(auth, 'GET', codesUrl(auth.meeting), undefined, fetchImpl);
  return json<AccessCodeInfo[]>(response, Array.isArray);
}

/** `POST …/access-codes`: a new code for a role; the answer is the only time it is seen. */
export async function issueAccessCode(auth: ApiAuth, issue: IssueCode, fetchImpl?: FetchLike): Promise<IssuedCode> {
  const response = await request(auth, 'POST', codesUrl(auth.meeting), issue, fetchImpl);
  return json<IssuedCode>(
    response,
    (b) => b !== null && typeof b === 'object' && typeof (b as IssuedCode).code === 'string' && typeof (b as IssuedCode).id === 'string',
  );
}

/** `DELETE …/access-codes/{id}`: the code no longer signs in (404 `unknown_access_code` when it is not active). */
export async function revokeAccessCode(auth: ApiAuth, id: string, fetchImpl?: FetchLike): Promise<void> {
  await request(auth, 'DELETE', codesUrl(auth.meeting, id), undefined, fetchImpl);
}

/** The link that signs a device in with `code` (the app reads `#code=`). */
export function codeLink(code: string, origin: string): string {
  return `${origin}/#code=${code}`;
}

// --- Role keys (`access::role_key` on the server) ---------------------------------

export type RoleKey =
  | { kind: 'chair' | 'secretariat' | 'technician' | 'public' | 'system' }
  | { kind: 'delegation' | 'interpreter' | 'screen'; id: string }
  /** A key this client does not know: shown as is. */
  | { kind: 'other'; key: string };

const SIMPLE = ['chair', 'secretariat', 'technician', 'public', 'system'] as const;
const WITH_ID = ['delegation', 'interpreter', 'screen'] as const;

/** `chair`, `delegation:hn`, `interpreter:booth-es`, `screen:hall-left`… */
export function parseRoleKey(key: string): RoleKey {
  const colon = key.indexOf(':');
  if (colon < 0) {
    const simple = SIMPLE.find((k) => k === key);
    return simple ? { kind: simple } : { kind: 'other', key };
  }
  const kind = WITH_ID.find((k) => k === key.slice(0, colon));
  const id = key.slice(colon + 1);
  return kind && id ? { kind, id } : { kind: 'other', key };
}
