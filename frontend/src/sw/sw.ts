// The service worker (/sw.js, scope /): the app shell offline, so that a
// room screen or a console reloaded while the server is down opens plenary
// itself — "reconnecting", with the last view it had — and not the
// browser's error page. What it does with each request: ./policy.ts.
//
// Built by vite/pwa.ts after the app, with the build id and the list of the
// build's files put in place of the two constants below: every build has
// its own bytes, so the browser sees a new binary's worker as an update.
import { NAVIGATION_TIMEOUT_MS, SHELL_DOCUMENT, cacheName, serverDown, staleCaches, strategyFor } from './policy';

declare const __PLENARY_BUILD__: string;
declare const __PLENARY_SHELL__: string[];

// The worker's own types (the DOM library of this project has none of them).
interface SwExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SwFetchEvent extends SwExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface SwScope {
  readonly location: { readonly origin: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: SwExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: SwFetchEvent) => void): void;
}

const sw = self as unknown as SwScope;
const CACHE = cacheName(__PLENARY_BUILD__);
const SHELL = new Set(__PLENARY_SHELL__);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Past the HTTP cache: every file as this binary serves it now.
      await cache.addAll([...SHELL].map((path) => new Request(path, { cache: 'reload' })));
      // Take over at once (a kiosk never closes its tab); the page reloads
      // into the new build when it sees the new worker (src/pwa/serviceWorker.ts).
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await Promise.all(staleCaches(await caches.keys(), CACHE).map((name) => caches.delete(name)));
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  switch (strategyFor(request, sw.location.origin, SHELL)) {
    case 'pass':
      return;
    case 'navigate':
      event.respondWith(navigate(request));
      return;
    case 'shell':
      event.respondWith(fromShell(request));
      return;
  }
});

async function cachedShell(): Promise<Response | undefined> {
  return (await caches.open(CACHE)).match(SHELL_DOCUMENT);
}

async function navigate(request: Request): Promise<Response> {
  const network = fetch(request);
  // Answered after the shell was served: nobody waits for it any more.
  network.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), NAVIGATION_TIMEOUT_MS);
  });
  try {
    const first = await Promise.race([network, late]);
    if (first !== 'late' && !serverDown(first.status)) return first;
    return (await cachedShell()) ?? (await network);
  } catch (e) {
    const shell = await cachedShell();
    if (shell) return shell;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

async function fromShell(request: Request): Promise<Response> {
  const cached = await (await caches.open(CACHE)).match(request, { ignoreSearch: true });
  return cached ?? fetch(request);
}
