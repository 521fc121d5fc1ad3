// Offline and installable (src/client/lastView.ts, src/sw/policy.ts,
// src/pwa/): the last document kept per surface under a digest of the
// credentials (never the code), shown "reconnecting" after a reload without
// a server and replaced by the server's; what the service worker caches and
// what it never touches; one manifest per console whose start_url holds no
// code; the kiosk flag kept, the code dropped, from a link.
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { PlenaryClient, SAVE_VIEW_AFTER_MS } from '../src/client/connection';
import { addressWithoutCode } from '../src/client/credentials';
import { LAST_VIEW_MAX_AGE_MS, digestOf, storageLastViews, type Digest } from '../src/client/lastView';
import type { Role } from '../src/client/protocol';
import { APP_NAMES, ICONS, appOfPath, appOfRole, manifestOf, startPath } from '../src/pwa/apps';
import { appFor, linkManifest } from '../src/pwa/manifest';
import { busyTyping, reloadWhenIdle } from '../src/pwa/serviceWorker';
import { CACHE_PREFIX, cacheName, serverDown, staleCaches, strategyFor } from '../src/sw/policy';
import { FakeEnvironment, MemoryStorage, publicSession } from './fake-server';

const CODE = 'ABCD-EFGH-JKLM-NPQR';
const sha256: Digest = async (data) => {
  const out = createHash('sha256').update(data).digest();
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
};
const settle = () => new Promise((r) => setTimeout(r, 0));
const screenRole: Role = { role: 'screen', screen: 'hall-left' };

/** An environment whose last views live in `local` (a device's localStorage). */
function envWith(local: MemoryStorage, clock?: number): FakeEnvironment & { lastViews: ReturnType<typeof storageLastViews> } {
  const env = new FakeEnvironment() as FakeEnvironment & { lastViews: ReturnType<typeof storageLastViews> };
  if (clock !== undefined) env.clock = clock;
  env.lastViews = storageLastViews(local, sha256);
  return env;
}

/** A client that saw the public session's document live, and kept it. */
async function sawLive(local: MemoryStorage): Promise<{ env: FakeEnvironment; client: PlenaryClient }> {
  const env = envWith(local);
  const client = new PlenaryClient(env);
  const session = publicSession();
  client.start({ kind: 'code', code: CODE });
  env.socket.open();
  env.socket.welcome(env, session.meeting, session.first.seq, screenRole);
  env.socket.receive(session.first);
  await settle();
  env.advance(SAVE_VIEW_AFTER_MS);
  await settle();
  return { env, client };
}

describe('the last view kept on the device', () => {
  it('names its owner by a digest, never by the code', async () => {
    const who = await digestOf({ kind: 'code', code: CODE }, sha256);
    expect(who).toMatch(/^[0-9a-f]{64}$/);
    expect(who).not.toContain(CODE);
    expect(await digestOf({ kind: 'code', code: 'OTHER' }, sha256)).not.toBe(who);
    expect(await digestOf({ kind: 'public', meeting: CODE }, sha256)).not.toBe(who);
  });

  it('is kept after the document arrives, without the code anywhere in it', async () => {
    const local = new MemoryStorage();
    const { env } = await sawLive(local);
    const keys = [...Array(local.length).keys()].map((i) => local.key(i)!);
    expect(keys).toEqual(['plenary.last-view.public']);
    const raw = local.getItem(keys[0]!)!;
    expect(raw).not.toContain(CODE);
    expect(JSON.parse(raw)).toMatchObject({ v: 1, meeting: publicSession().meeting, role: screenRole, view: publicSession().first.view });
    // The code itself stays in the tab's sessionStorage only.
    expect(env.storage.getItem('plenary.credentials')).toContain(CODE);
  });

  it('after a reload with the server down: the last view, "reconnecting", then the server\'s own', async () => {
    const local = new MemoryStorage();
    await sawLive(local);
    // The page again: a new client, the same device; the server is down.
    const env = envWith(local);
    const client = new PlenaryClient(env);
    client.start({ kind: 'code', code: CODE });
    env.socket.drop(1006);
    await settle();
    expect(client.status.value.kind).toBe('reconnecting');
    expect(client.restored.value).toBe(true);
    expect(client.role.value).toEqual(screenRole);
    expect(client.view.value).toStrictEqual(publicSession().first.view);
    // The server is back: the hello resumes from nothing (the kept document
    // is for the eyes only), and the server's document replaces it.
    env.advance(1_000);
    env.socket.open();
    expect(env.socket.of('hello')[0]).toMatchObject({ resume_from_seq: null });
    const session = publicSession();
    env.socket.welcome(env, session.meeting, 20, screenRole);
    expect(client.restored.value).toBe(true);
    env.socket.receive({ type: 'view', seq: 20, view: session.final });
    expect(client.restored.value).toBe(false);
    expect(client.view.value).toStrictEqual(session.final);
    expect(client.status.value.kind).toBe('live');
  });

  it('is not shown to another code, nor when it is from another day', async () => {
    const local = new MemoryStorage();
    await sawLive(local);
    const other = new PlenaryClient(envWith(local));
    other.start({ kind: 'code', code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' });
    await settle();
    expect(other.view.value).toBeNull();
    const later = envWith(local, new FakeEnvironment().clock + LAST_VIEW_MAX_AGE_MS + 60_000);
    const tomorrow = new PlenaryClient(later);
    tomorrow.start({ kind: 'code', code: CODE });
    await settle();
    expect(tomorrow.view.value).toBeNull();
  });

  it('never replaces a document the server already sent', async () => {
    const local = new MemoryStorage();
    await sawLive(local);
    const env = envWith(local);
    const client = new PlenaryClient(env);
    const session = publicSession();
    client.start({ kind: 'code', code: CODE });
    // The server answers before the digest is computed.
    env.socket.open();
    env.socket.welcome(env, session.meeting, 30, screenRole);
    env.socket.receive({ type: 'view', seq: 30, view: session.final });
    await settle();
    expect(client.restored.value).toBe(false);
    expect(client.view.value).toStrictEqual(session.final);
  });

  it('is forgotten on sign-out (and with a revoked code)', async () => {
    const local = new MemoryStorage();
    local.setItem('unrelated', 'kept');
    const { client } = await sawLive(local);
    client.signOut();
    expect(local.getItem('plenary.last-view.public')).toBeNull();
    expect(local.getItem('unrelated')).toBe('kept');
  });

  it('keeps nothing without WebCrypto (plain http to another host)', () => {
    expect(storageLastViews(new MemoryStorage(), undefined)).toBeUndefined();
    expect(storageLastViews(undefined, sha256)).toBeUndefined();
  });

  it('ignores a corrupt entry', () => {
    const local = new MemoryStorage();
    local.setItem('plenary.last-view.screen', '{not json');
    expect(storageLastViews(local, sha256)!.load('x', Date.now())).toBeNull();
  });
});

describe('the service worker', () => {
  const origin = 'http://127.0.0.1:8080';
  const shell = new Set(['/index.html', '/assets/index-abc.js', '/manifests/chair.webmanifest']);
  const get = (path: string, mode = 'cors', method = 'GET') => strategyFor({ method, url: origin + path, mode }, origin, shell);

  it('never touches the API, the websocket, health or metrics', () => {
    for (const path of ['/api/v1/meetings', '/api/v1/meetings/x/commands', '/ws', '/healthz', '/readyz', '/metrics', '/sw.js']) {
      expect(get(path), path).toBe('pass');
      expect(get(path, 'navigate'), path).toBe('pass');
    }
    expect(get('/api/v1/meetings/x/commands', 'cors', 'POST')).toBe('pass');
    expect(strategyFor({ method: 'GET', url: 'http://elsewhere/x.js', mode: 'cors' }, origin, shell)).toBe('pass');
  });

  it('serves navigations network first, and the shell from its cache', () => {
    expect(get('/', 'navigate')).toBe('navigate');
    expect(get('/screen?kiosk', 'navigate')).toBe('navigate');
    expect(get('/assets/index-abc.js')).toBe('shell');
    expect(get('/assets/index-abc.js?v=2')).toBe('shell');
    expect(get('/manifests/chair.webmanifest')).toBe('shell');
    // What the build did not write is not the shell's.
    expect(get('/assets/other.js')).toBe('pass');
  });

  it('falls back to the shell when a proxy says the server is down', () => {
    expect([502, 503, 504].every(serverDown)).toBe(true);
    expect([200, 304, 404, 500].some(serverDown)).toBe(false);
  });

  it('keeps one cache per build and deletes the others when a new build takes over', () => {
    const current = cacheName('new');
    expect(current).toBe(`${CACHE_PREFIX}new`);
    expect(staleCaches([cacheName('old'), current, 'someone-else', cacheName('older')], current)).toEqual([cacheName('old'), cacheName('older')]);
  });
});

describe('reloading into a new build', () => {
  it('waits until nobody is typing', async () => {
    const input = document.createElement('input');
    document.body.append(input);
    try {
      const reload = vi.fn();
      input.focus();
      expect(busyTyping(document)).toBe(false); // empty: nothing to lose
      input.value = 'Por favor';
      expect(busyTyping(document)).toBe(true);
      reloadWhenIdle(document, reload);
      expect(reload).not.toHaveBeenCalled();
      input.blur();
      await settle();
      expect(reload).toHaveBeenCalledOnce();
    } finally {
      input.remove();
    }
  });
});

describe('the installable consoles', () => {
  it('one manifest per console, opening at its path, with no code anywhere', () => {
    expect(APP_NAMES).toEqual(['chair', 'secretariat', 'delegation', 'technician', 'booth', 'screen']);
    for (const app of APP_NAMES) {
      const m = manifestOf(app) as Record<string, unknown> & { icons: { sizes: string; purpose: string; type: string }[] };
      expect(m.start_url).toBe(startPath(app));
      expect(m.id).toBe(startPath(app));
      expect(m.scope).toBe('/');
      expect(String(m.start_url)).not.toMatch(/code|#|\?/);
      expect(['standalone', 'fullscreen']).toContain(m.display);
      expect(m.name).toBeTruthy();
      expect(String(m.short_name).length).toBeLessThanOrEqual(12);
      expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/);
      expect(m.background_color).toMatch(/^#[0-9a-f]{6}$/);
      for (const size of ['192x192', '512x512']) {
        for (const purpose of ['any', 'maskable']) {
          expect(m.icons.some((i) => i.sizes === size && i.purpose === purpose && i.type === 'image/png'), `${app} ${size} ${purpose}`).toBe(true);
        }
      }
    }
    expect(ICONS.length).toBeGreaterThanOrEqual(4);
  });

  it('the role that signed in decides the manifest; before that, the path', () => {
    expect(appOfRole({ role: 'chair' })).toBe('chair');
    expect(appOfRole({ role: 'secretariat' })).toBe('secretariat');
    expect(appOfRole({ role: 'delegation', delegation: 'hn' })).toBe('delegation');
    expect(appOfRole({ role: 'interpreter', booth: 'booth-es' })).toBe('booth');
    expect(appOfRole({ role: 'screen', screen: 'hall-left' })).toBe('screen');
    expect(appOfRole({ role: 'technician' })).toBe('technician');
    expect(appOfRole({ role: 'public' })).toBeNull();
    expect(appOfPath('/chair')).toBe('chair');
    expect(appOfPath('/booth/')).toBe('booth');
    expect(appOfPath('/')).toBeNull();
    expect(appOfPath('/assets')).toBeNull();
    expect(appFor({ role: 'chair' }, '/delegation')).toBe('chair');
    expect(appFor(null, '/delegation')).toBe('delegation');
  });

  it('links the manifest in the page, and none for the public view', () => {
    linkManifest(document, 'chair');
    linkManifest(document, 'chair');
    expect([...document.head.querySelectorAll('link[rel="manifest"]')].map((l) => l.getAttribute('href'))).toEqual(['/manifests/chair.webmanifest']);
    linkManifest(document, 'booth');
    expect(document.head.querySelector('link[rel="manifest"]')!.getAttribute('href')).toBe('/manifests/booth.webmanifest');
    linkManifest(document, null);
    expect(document.head.querySelector('link[rel="manifest"]')).toBeNull();
  });
});

describe('a screen link', () => {
  it('loses the code and keeps the kiosk flag, in the query where a reload finds it', () => {
    expect(addressWithoutCode('/', '', `#code=${CODE}`)).toBe('/');
    expect(addressWithoutCode('/', '', `#code=${CODE}&kiosk=1`)).toBe('/?kiosk=1');
    expect(addressWithoutCode('/screen', '', `#code=${CODE}&kiosk`)).toBe('/screen?kiosk');
    expect(addressWithoutCode('/screen', '?lang=es', `#kiosk&code=${CODE}`)).toBe('/screen?lang=es&kiosk');
    expect(addressWithoutCode('/screen', '?kiosk', `#code=${CODE}&kiosk=1`)).toBe('/screen?kiosk');
    for (const out of [addressWithoutCode('/', '?kiosk', `#code=${CODE}`), addressWithoutCode('/', '', `#code=${CODE}&kiosk=1`)]) {
      expect(out).not.toContain(CODE);
    }
  });
});
