// What the service worker does with each request (./sw.ts wires it to the
// events). Pure, so that it is unit-tested without a worker.
//
// - The app shell (every file the build wrote: HTML, JavaScript, CSS,
//   icons, manifests; translations are in the JavaScript) is cached at
//   install, in one cache named after the build. A new binary brings a new
//   build id, so a new cache: it is filled whole before the new worker takes
//   over, and the old one is deleted when it does — a page never gets files
//   of two builds.
// - Navigations go to the network first; only when the server does not
//   answer (or a proxy in front says it is down) the cached index.html.
//   Nothing a navigation returns is stored: access codes travel in the
//   fragment, which never reaches a request, and no response is cached
//   at run time at all.
// - The API, the websocket, health and metrics are never touched.

export const CACHE_PREFIX = 'plenary-shell-';

/** The document served for a navigation when the server does not answer. */
export const SHELL_DOCUMENT = '/index.html';

/** A navigation waits this long for the server before the cached shell. */
export const NAVIGATION_TIMEOUT_MS = 5_000;

/** Paths the worker leaves to the browser, whatever they are. */
const NEVER = [/^\/api(\/|$)/, /^\/ws(\/|$)/, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/sw\.js$/];

export function cacheName(build: string): string {
  return `${CACHE_PREFIX}${build}`;
}

/** The caches of other builds (to delete once this one is active). */
export function staleCaches(names: readonly string[], current: string): string[] {
  return names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== current);
}

export type Strategy =
  /** Not the worker's business: the browser fetches it as if there were no worker. */
  | 'pass'
  /** Network first; the cached shell when the server does not answer. */
  | 'navigate'
  /** A file of the shell: from the cache (the network if it is missing). */
  | 'shell';

export interface RequestLike {
  method: string;
  url: string;
  mode: string;
}

export function strategyFor(request: RequestLike, origin: string, shell: ReadonlySet<string>): Strategy {
  if (request.method !== 'GET') return 'pass';
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return 'pass';
  }
  if (url.origin !== origin) return 'pass';
  if (NEVER.some((re) => re.test(url.pathname))) return 'pass';
  if (request.mode === 'navigate') return 'navigate';
  return shell.has(url.pathname) ? 'shell' : 'pass';
}

/** Whether a navigation's answer means "the server is not there" (a
 * reverse proxy answers 502–504 for a binary that is down). */
export function serverDown(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}
