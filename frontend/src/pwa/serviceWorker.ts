// The page's side of the service worker (src/sw/sw.ts): registers /sw.js,
// asks for a new one each time the connection comes back (a new binary
// restarts the service, so the connection drops first), and when a new
// worker takes over — a new build, whose cache replaced the old one —
// reloads into it, so that the page never asks for files of the build it
// was loaded from. A console does not reload under someone's typing: it
// waits until the text field is left.
import { effect } from '@preact/signals-core';
import type { PlenaryClient } from '../client';

/** Whether reloading now would lose what someone is typing. */
export function busyTyping(doc: Document): boolean {
  const el = doc.activeElement;
  if (!el) return false;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return el.value !== '';
  return el instanceof HTMLElement && el.isContentEditable;
}

/** Calls `reload` now, or once nobody is typing any more. */
export function reloadWhenIdle(doc: Document, reload: () => void): void {
  if (!busyTyping(doc)) {
    reload();
    return;
  }
  const check = () => {
    // focusout fires before the focus moves: look once it has.
    setTimeout(() => {
      if (busyTyping(doc)) return;
      doc.removeEventListener('focusout', check);
      reload();
    }, 0);
  };
  doc.addEventListener('focusout', check);
}

/** Registers the worker and follows its updates (production builds, secure
 * contexts: elsewhere the browser has no `serviceWorker`). */
export function startServiceWorker(nav: Navigator, doc: Document, c: PlenaryClient, reload: () => void): void {
  if (!('serviceWorker' in nav)) return;
  const container = nav.serviceWorker;
  // A page the worker did not control yet has nothing to reload from.
  const controlled = container.controller !== null;
  let registration: ServiceWorkerRegistration | null = null;
  container.register('/sw.js', { scope: '/', updateViaCache: 'none' }).then(
    (r) => {
      registration = r;
    },
    () => {
      // No worker (refused, or the binary serves none): the app works online.
    },
  );
  container.addEventListener('controllerchange', () => {
    if (controlled) reloadWhenIdle(doc, reload);
  });
  let down = false;
  effect(() => {
    const kind = c.status.value.kind;
    if (kind === 'reconnecting') down = true;
    else if (kind === 'live' && down) {
      down = false;
      registration?.update().catch(() => undefined);
    }
  });
}
