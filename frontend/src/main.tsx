// Boot: sign in from the link (`#code=…`, `#public=…`) or what this tab
// remembered, then let the role in `welcome` pick the surface. The service
// worker keeps the app for offline reloads (src/sw/); the page links the web
// app manifest of its role, or of its path before sign-in (src/pwa/).
import { render } from 'preact';
// Components re-render when a signal they read changes.
import '@preact/signals';
import { effect } from '@preact/signals-core';
import './styles/base.css';
import { client } from './client';
import { addressWithoutCode, fromHash, initialCredentials } from './client/credentials';
import { appFor, linkManifest } from './pwa/manifest';
import { startServiceWorker } from './pwa/serviceWorker';
import { uiLang } from './i18n';
import { App } from './app';

const c = client();
const credentials = initialCredentials(location.hash, sessionStorageOrUndefined());
if (credentials) {
  // The code stays in this tab's sessionStorage, not in the address bar.
  if (credentials.kind === 'code') history.replaceState(null, '', addressWithoutCode(location.pathname, location.search, location.hash));
  c.start(credentials);
}
window.addEventListener('online', () => c.reconnectNow());
window.addEventListener('offline', () => c.probe());
// A new link pasted into this tab: sign in with it.
window.addEventListener('hashchange', () => {
  const next = fromHash(location.hash);
  if (!next) return;
  if (next.kind === 'code') history.replaceState(null, '', addressWithoutCode(location.pathname, location.search, location.hash));
  c.start(next);
});
effect(() => {
  document.documentElement.lang = uiLang.value;
});
effect(() => {
  linkManifest(document, appFor(c.role.value, location.pathname));
});
if (import.meta.env.PROD) startServiceWorker(navigator, document, c, () => location.reload());

render(<App />, document.getElementById('app')!);

function sessionStorageOrUndefined(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}
