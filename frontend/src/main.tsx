// Boot: sign in from the link (`#code=…`, `#public=…`) or what this tab
// remembered, then let the role in `welcome` pick the surface.
import { render } from 'preact';
// Components re-render when a signal they read changes.
import '@preact/signals';
import { effect } from '@preact/signals-core';
import './styles/base.css';
import { client } from './client';
import { fromHash, initialCredentials } from './client/credentials';
import { uiLang } from './i18n';
import { App } from './app';

const c = client();
const credentials = initialCredentials(location.hash, sessionStorageOrUndefined());
if (credentials) {
  // The code stays in this tab's sessionStorage, not in the address bar.
  if (credentials.kind === 'code') history.replaceState(null, '', location.pathname + location.search);
  c.start(credentials);
}
window.addEventListener('online', () => c.reconnectNow());
window.addEventListener('offline', () => c.probe());
// A new link pasted into this tab: sign in with it.
window.addEventListener('hashchange', () => {
  const next = fromHash(location.hash);
  if (!next) return;
  if (next.kind === 'code') history.replaceState(null, '', location.pathname + location.search);
  c.start(next);
});
effect(() => {
  document.documentElement.lang = uiLang.value;
});

render(<App />, document.getElementById('app')!);

function sessionStorageOrUndefined(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}
