// Issue 14, in the real venue: room screens that never sleep nor show a
// browser error page, consoles installable on tablets. The real `plenary
// demo` binary, Chromium, real keys and the real browser APIs (nothing is
// stubbed):
//
//   1. a room screen holds a Screen Wake Lock: refused while the permission
//      is denied, held once it is granted (DevTools' Browser.setPermission)
//      and the page is shown again; let go when another tab hides the page,
//      held again when the page is shown again;
//   2. F puts the screen in fullscreen and takes it out again;
//   3. the pointer is hidden after 3 s without movement, and comes back when
//      the mouse moves;
//   4. a `#code=…&kiosk=1` link: the code leaves the address, the kiosk flag
//      stays; fullscreen at the first click where the browser wants one;
//   5. the server is killed and the screen reloaded: plenary's own
//      "reconnecting" with the last view (from the service worker's cache
//      and the device's kept document), no browser error page, no code in
//      any cache; the binary again on the same data and port: the live
//      floor within 5 s;
//   6. every console's manifest: start_url without a code, which opens the
//      login and, after sign-in, that role's console, where Chromium finds
//      nothing against installing it (Page.getInstallabilityErrors).
//
// Two Chromiums. Playwright's own contexts are incognito (nothing installs
// there: `in-incognito`) and Playwright emulates focus on the pages it
// drives, which keeps them "visible" whatever happens — headless Chromium
// only hides a tab when another tab of its window comes to the front. So
// steps 1 and 6 run in a Chromium started here with a profile of its own,
// attached over CDP with `noDefaults` (no focus emulation in its default
// context): opening a second tab really hides the screen
// (`visibilitychange`, and the browser lets go of the lock), and its pages
// may be installed. Steps 2–5 use the usual launch (harness.mjs).
//
// All of it over HTTPS: `plenary demo --tls`, its generated CA trusted in
// the NSS database of the Chromiums' home (certutil), the way a hall
// device trusts it; no certificate error is ignored.
//
// Screenshots in $ARTIFACTS. Run with ./scripts/browser-tests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, homeTrusting, hook, launchChromium, restCommand, serverFetch, startServer, scenario, waitIn } from './harness.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('./harness.mjs').Server} Server */

const BIN = process.env.PLENARY_BIN ?? join(ROOT, 'target', 'debug', 'plenary');
const ARTIFACTS = process.env.ARTIFACTS ?? join(ROOT, 'test-artifacts');

/** The live floor is back on the screen within this of the server. */
const BACK_WITHIN_MS = 5_000;

/** Each console: the role that signs in, its app, and its ready hook. */
const CONSOLES = /** @type {const} */ ([
  { app: 'chair', role: 'chair', ready: 'chair-console', viewport: { width: 1366, height: 768 } },
  { app: 'secretariat', role: 'secretariat', ready: 'chair-console', viewport: { width: 1366, height: 768 } },
  { app: 'delegation', role: 'delegation:hn', ready: 'delegation-console', viewport: { width: 820, height: 1180 } },
  { app: 'technician', role: 'technician', ready: 'technician-console', viewport: { width: 1366, height: 768 } },
  { app: 'booth', role: 'interpreter:booth-es', ready: 'booth-view', viewport: { width: 1280, height: 800 } },
  { app: 'screen', role: 'screen:hall-left', ready: 'screen-view', viewport: { width: 1920, height: 1080 } },
]);

/**
 * Chromium started here with a profile of its own and a DevTools port, and
 * attached over CDP with `noDefaults`: its default context is not incognito
 * and its pages have no focus emulation, so a tab in front hides the
 * others, as in a real browser.
 * @param {{ width: number, height: number }} size
 * @param {string} home  a home whose NSS database trusts the server's CA
 */
async function chromiumWithProfile(size, home) {
  const profile = mkdtempSync(join(tmpdir(), 'plenary-kiosk-chromium-'));
  const child = spawn(
    '/usr/bin/chromium',
    [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--window-size=${size.width},${size.height}`, `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: home } },
  );
  let stderr = '';
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools endpoint:\n${stderr}`)), 30_000);
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`Chromium exited (${code}):\n${stderr}`)));
  });
  const browser = await chromium.connectOverCDP(/** @type {string} */ (endpoint), { noDefaults: true, isLocal: true, timeout: 30_000 });
  const close = async () => {
    await browser.close().catch(() => {});
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    // Its helper processes may still be writing there for a moment; it is
    // a temporary directory either way.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(() => {});
  };
  return { browser, context: browser.contexts()[0], close };
}

describe('issue 14: room screens that never sleep, consoles installable on tablets', { timeout: 300_000 }, () => {
  /** @type {Server} */
  let server;
  /** @type {string} kept across the restart */
  let dataDir = '';
  /** @type {string} Chromium's home, its NSS database trusting the demo's CA */
  let home = '';
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {Awaited<ReturnType<typeof chromiumWithProfile>> | undefined} */
  let real;
  /** @type {Record<string, Page>} */
  const pages = {};
  /** @type {string[]} */
  const shots = [];

  /** @param {string} role */
  const access = (role) => server.access.get(role) ?? assert.fail(`${role} is not in the demo's table`);

  /** @param {Page} p @param {string} name */
  async function shoot(p, name) {
    await p.evaluate(() => document.fonts.ready.then(() => undefined));
    const path = join(ARTIFACTS, `${name}.png`);
    await p.screenshot({ path, animations: 'disabled', caret: 'hide' });
    shots.push(path);
  }

  const step = scenario({ prefix: 'issue14-', artifacts: ARTIFACTS, pages: () => pages, timeout: 60_000 });

  /**
   * A new context's page on `url`, with the page's errors collected.
   * @param {{ width: number, height: number }} viewport @param {string} url
   */
  async function openPage(viewport, url) {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport, locale: 'es-HN', timezoneId: 'America/Tegucigalpa' });
    const p = await context.newPage();
    /** @type {string[]} */
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(url, { waitUntil: 'domcontentloaded', timeout: 15_000 });
    return { p, context, errors };
  }

  /** @param {Page} p */
  const isLive = (p, what = 'the page is live', timeout = 15_000) =>
    waitIn(p, what, () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live', undefined, timeout);

  /** @param {Page} p */
  const screenAttr = (p, /** @type {string} */ name) => p.getByTestId('screen-view').getAttribute(`data-${name}`);

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Over HTTPS, with the demo's own CA trusted the way a hall device
    // trusts it: in Chromium's NSS database (certutil), never by ignoring
    // certificate errors.
    server = await startServer({ bin: BIN, tls: true });
    dataDir = server.dataDir;
    home = homeTrusting(/** @type {string} */ (server.ca));
    // Set-up: Honduras has the floor, Guatemala waits.
    await restCommand(server, access('chair').code, { type: 'open_item', item: 'stocktaking' });
    for (const d of ['hn', 'gt']) {
      await restCommand(server, access(`delegation:${d}`).code, { type: 'request_floor', item: 'stocktaking', delegation: d, kind: 'statement', language: null });
    }
    await restCommand(server, access('chair').code, { type: 'call_next' });
    browser = await launchChromium({ env: { ...process.env, HOME: home } });
    real = await chromiumWithProfile({ width: 1920, height: 1080 }, home);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await real?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
  });

  step('1. the screen holds a wake lock: refused while denied, held when granted and shown, let go when hidden, held again when shown', async (t) => {
    if (!real) throw new Error('no Chromium with a profile');
    const origin = server.base;
    const cdp = await real.browser.newBrowserCDPSession();
    const permission = (/** @type {'granted' | 'denied'} */ setting) =>
      cdp.send('Browser.setPermission', { permission: { name: 'screen-wake-lock' }, setting, origin });
    await permission('denied');
    const screen = real.context.pages()[0] ?? (await real.context.newPage());
    await screen.goto(access('screen:hall-left').link, { waitUntil: 'domcontentloaded' });
    await screen.getByTestId('screen-view').waitFor({ timeout: 15_000 });
    await isLive(screen);
    assert.deepEqual(
      await screen.evaluate(() => [location.protocol, window.isSecureContext]),
      ['https:', true],
      'served over HTTPS with a trusted certificate',
    );
    const lock = () => screenAttr(screen, 'wake-lock');
    const visibility = () => screen.evaluate(() => document.visibilityState);
    await waitIn(screen, 'the lock is refused', () => document.querySelector('[data-testid="screen-view"]')?.getAttribute('data-wake-lock') === 'refused');
    t.diagnostic(`denied: data-wake-lock=${await lock()}, visibility ${await visibility()}`);

    await permission('granted');
    assert.equal(await screen.evaluate(async () => (await navigator.permissions.query({ name: /** @type {PermissionName} */ ('screen-wake-lock') })).state), 'granted');
    // Another tab in front: the screen is hidden (the browser says so).
    const other = await real.context.newPage();
    await waitIn(screen, 'the screen is hidden behind another tab', () => document.visibilityState === 'hidden');
    // In front again: it asks again, and now holds the lock.
    await other.close();
    await waitIn(screen, 'the screen is shown again', () => document.visibilityState === 'visible');
    await waitIn(screen, 'the lock is held once granted and shown', () => document.querySelector('[data-testid="screen-view"]')?.getAttribute('data-wake-lock') === 'held');
    t.diagnostic(`granted and shown: data-wake-lock=${await lock()}`);

    // Hidden: the browser lets go of the lock.
    const again = await real.context.newPage();
    await waitIn(screen, 'hidden again', () => document.visibilityState === 'hidden');
    await waitIn(screen, 'the lock is let go while hidden', () => document.querySelector('[data-testid="screen-view"]')?.getAttribute('data-wake-lock') === 'released');
    t.diagnostic(`hidden: visibility ${await visibility()}, data-wake-lock=${await lock()}`);
    // Shown: held again, by itself.
    await again.close();
    await waitIn(screen, 'the lock is held again once shown', () => document.querySelector('[data-testid="screen-view"]')?.getAttribute('data-wake-lock') === 'held');
    t.diagnostic(`shown again: visibility ${await visibility()}, data-wake-lock=${await lock()}`);
    pages.wakeLock = screen;
  });

  step('2. F puts the screen in fullscreen, and F again takes it out', async () => {
    const { p } = await openPage({ width: 1920, height: 1080 }, access('screen:hall-left').link);
    pages.screen = p;
    await p.getByTestId('screen-view').waitFor({ timeout: 15_000 });
    await isLive(p);
    assert.equal(await p.evaluate(() => document.fullscreenElement), null);
    await p.keyboard.press('f');
    await waitIn(p, 'fullscreen on F', () => document.fullscreenElement !== null);
    await p.locator(hook('screen-view', { fullscreen: 'true' })).waitFor({ timeout: 2_000 });
    await p.keyboard.press('f');
    await waitIn(p, 'out of fullscreen on F', () => document.fullscreenElement === null);
    await p.locator(hook('screen-view', { fullscreen: 'false' })).waitFor({ timeout: 2_000 });
  });

  step('3. the pointer is hidden after 3 s without movement, and back when the mouse moves', async (t) => {
    const p = pages.screen;
    const cursor = () =>
      p.evaluate(() => {
        const main = /** @type {HTMLElement} */ (document.querySelector('[data-testid="screen-view"]'));
        const under = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
        return { attr: main.dataset.cursor, main: getComputedStyle(main).cursor, under: under ? getComputedStyle(under).cursor : null };
      });
    await p.mouse.move(900, 500);
    await p.mouse.move(960, 540);
    const moved = Date.now();
    let c = await cursor();
    assert.equal(c.attr, 'shown', 'the pointer shows when the mouse moves');
    assert.notEqual(c.under, 'none');
    assert.ok(await p.getByTestId('fullscreen-toggle').isVisible(), 'the fullscreen button shows with it');
    await p.waitForTimeout(2_000);
    c = await cursor();
    assert.equal(c.attr, 'shown', 'still shown 2 s after the movement');
    await waitIn(p, 'the pointer hides', () => document.querySelector('[data-testid="screen-view"]')?.getAttribute('data-cursor') === 'hidden', undefined, 5_000);
    const hiddenAfter = Date.now() - moved;
    c = await cursor();
    t.diagnostic(`hidden ${hiddenAfter} ms after the last movement: ${JSON.stringify(c)}`);
    assert.ok(hiddenAfter >= 2_900 && hiddenAfter <= 4_500, `hidden about 3 s after the movement (${hiddenAfter} ms)`);
    assert.equal(c.main, 'none');
    assert.equal(c.under, 'none', 'no pointer over what the screen shows');
    await waitIn(p, 'the fullscreen button hides with the pointer', () => {
      const b = document.querySelector('[data-testid="fullscreen-toggle"]');
      return b !== null && getComputedStyle(b).opacity === '0';
    });
    await p.mouse.move(100, 100);
    assert.equal((await cursor()).attr, 'shown', 'a movement shows it again');
  });

  step('4. a kiosk link: the code leaves the address, the flag stays; fullscreen at the first click the browser wants', async (t) => {
    const link = access('screen:hall-right').link + '&kiosk=1';
    const { p, context } = await openPage({ width: 1920, height: 1080 }, link);
    try {
      await p.getByTestId('screen-view').waitFor({ timeout: 15_000 });
      await isLive(p);
      const url = new URL(p.url());
      assert.equal(url.hash, '', 'no fragment left');
      assert.equal(url.searchParams.get('kiosk'), '1', 'the kiosk flag is in the query');
      assert.ok(!p.url().includes(access('screen:hall-right').code), 'no code in the address');
      const fullscreen = await p.evaluate(() => document.fullscreenElement !== null);
      t.diagnostic(`fullscreen without a gesture: ${fullscreen}`);
      if (!fullscreen) {
        await p.getByTestId('fullscreen-hint').waitFor({ timeout: 5_000 });
        await shoot(p, 'kiosk-screen-1920x1080-fullscreen-hint');
        await p.mouse.click(400, 400);
        await waitIn(p, 'fullscreen at the first click', () => document.fullscreenElement !== null);
        await p.getByTestId('fullscreen-hint').waitFor({ state: 'detached', timeout: 2_000 });
      }
      // A reload keeps the flag (the code comes from the tab's sessionStorage).
      await p.reload({ waitUntil: 'domcontentloaded' });
      await p.getByTestId('screen-view').waitFor({ timeout: 15_000 });
      assert.equal(new URL(p.url()).searchParams.get('kiosk'), '1');
    } finally {
      await context.close();
    }
  });

  step(
    '5. server killed, screen reloaded: plenary’s “reconnecting” with the last view; the binary again: the live floor within 5 s',
    async (t) => {
      const p = pages.screen;
      const code = access('screen:hall-left').code;
      await p.locator(hook('current-speaker', { delegation: 'hn' })).first().waitFor({ timeout: 5_000 });
      // The service worker controls the page and the document is kept.
      await waitIn(p, 'the service worker controls the page', () => navigator.serviceWorker.controller !== null, undefined, 15_000);
      await waitIn(p, 'the last view is kept on the device', () => localStorage.getItem('plenary.last-view.screen') !== null);
      const shell = await p.evaluate(async () => {
        const names = await caches.keys();
        const urls = [];
        for (const name of names) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
        return { names, urls };
      });
      t.diagnostic(`cache ${shell.names.join(', ')}: ${shell.urls.length} files`);
      assert.equal(shell.names.length, 1, 'one cache, of this build');
      assert.ok(shell.urls.some((u) => u.endsWith('/index.html')) && shell.urls.some((u) => /\/assets\/RoomScreen-.*\.js$/.test(u)), 'the shell and the screen’s code');
      assert.ok(!shell.urls.some((u) => /\/api\/|\/ws$/.test(u)), 'no API nor websocket in the cache');

      const port = server.port;
      await server.kill();
      await p.reload({ waitUntil: 'domcontentloaded', timeout: 15_000 });
      assert.ok(!p.url().startsWith('chrome-error:'), `plenary, not a browser error page: ${p.url()}`);
      await p.getByTestId('screen-view').waitFor({ timeout: 10_000 });
      await p.locator(hook('screen-view', { restored: 'true' })).waitFor({ timeout: 5_000 });
      const indicator = p.locator('[data-testid="connection-status"]:not([data-status="live"])');
      await indicator.waitFor({ state: 'visible', timeout: 10_000 });
      await p.locator(hook('current-speaker', { delegation: 'hn' })).first().waitFor({ timeout: 2_000 });
      t.diagnostic(`offline: status ${await indicator.getAttribute('data-status')}, "${(await indicator.textContent())?.trim()}"`);
      // The code is in no cache and nowhere on the device but the tab's sessionStorage.
      const stored = await p.evaluate(async () => {
        const urls = [];
        for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
        const local = Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`);
        return { urls, local, session: sessionStorage.getItem('plenary.credentials') };
      });
      assert.ok(!stored.urls.some((u) => u.includes(code)), 'no code in the cache');
      assert.ok(!stored.local.some((v) => v.includes(code)), 'no code in localStorage');
      assert.ok(stored.session?.includes(code), 'the code is in the tab’s sessionStorage, as before');
      await shoot(p, 'kiosk-screen-1920x1080-reconnecting-last-view');

      // The binary again, on the same data and port.
      server = await startServer({ bin: BIN, dataDir, port, fresh: false, tls: true });
      const back = Date.now();
      await waitIn(
        p,
        'the screen shows the live floor',
        () => {
          const main = document.querySelector('[data-testid="screen-view"]');
          return (
            main?.getAttribute('data-restored') === 'false' &&
            document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live' &&
            document.querySelector('[data-testid="current-speaker"][data-delegation="hn"]') !== null
          );
        },
        undefined,
        BACK_WITHIN_MS,
      );
      t.diagnostic(`live again ${Date.now() - back} ms after the server answered`);
      await shoot(p, 'kiosk-screen-1920x1080-live-again');
    },
    90_000,
  );

  step('6. every console is installable: a manifest per role, start_url without a code, the console after sign-in', async (t) => {
    if (!real) throw new Error('no Chromium with a profile');
    const context = real.context;
    for (const { app, role, ready, viewport } of CONSOLES) {
      const manifestUrl = `${server.base}/manifests/${app}.webmanifest`;
      const res = await serverFetch(server, `/manifests/${app}.webmanifest`);
      assert.equal(res.status, 200, manifestUrl);
      assert.equal(res.headers.get('content-type'), 'application/manifest+json');
      const manifest = await res.json();
      const start = new URL(manifest.start_url, manifestUrl);
      const { code } = access(role);
      assert.ok(!start.href.includes(code) && !/code|#/.test(start.href), `${app}: start_url ${manifest.start_url} holds no access code`);
      assert.equal(start.pathname, `/${app}`);

      // The installed app opens at start_url: the login, then this role's console.
      const p = await context.newPage();
      /** @type {string[]} */
      const errors = [];
      p.on('pageerror', (e) => errors.push(e.message));
      try {
        await p.setViewportSize(viewport);
        await p.goto(start.href, { waitUntil: 'domcontentloaded', timeout: 15_000 });
        await p.getByTestId('login-code').waitFor({ timeout: 15_000 });
        assert.equal(await p.evaluate(() => document.querySelector('link[rel="manifest"]')?.getAttribute('href')), `/manifests/${app}.webmanifest`);
        await p.getByTestId('login-code').fill(code);
        await p.getByTestId('login-submit').click();
        await p
          .getByTestId(ready)
          .waitFor({ timeout: 15_000 })
          .catch((e) => {
            throw new Error(`${app}: "${ready}" did not open after sign-in; page errors: ${errors.join('; ') || 'none'}`, { cause: e });
          });
        await isLive(p);
        assert.equal(await p.evaluate(() => document.querySelector('link[rel="manifest"]')?.getAttribute('href')), `/manifests/${app}.webmanifest`);
        const cdp = await context.newCDPSession(p);
        const { url: linked, errors: parseErrors } = await cdp.send('Page.getAppManifest');
        assert.equal(linked, manifestUrl);
        assert.deepEqual(parseErrors, [], `${app}: the manifest parses cleanly`);
        /** @type {{ installabilityErrors: Array<{ errorId: string }> }} */
        let result = await cdp.send('Page.getInstallabilityErrors');
        // The icons may still be on their way: ask again for a moment.
        for (let i = 0; i < 20 && result.installabilityErrors.length > 0; i++) {
          await p.waitForTimeout(250);
          result = await cdp.send('Page.getInstallabilityErrors');
        }
        t.diagnostic(`${app}: installability errors ${JSON.stringify(result.installabilityErrors)}`);
        assert.deepEqual(result.installabilityErrors, [], `${app}: Chromium would install it`);
        if (app === 'chair') await shoot(p, 'kiosk-chair-1366x768-install-ready');
        if (app === 'delegation') await shoot(p, 'kiosk-delegation-tablet-820x1180');
      } finally {
        await p.close();
      }
    }
    const icon = await serverFetch(server, '/icons/plenary-512.png');
    assert.equal(icon.headers.get('content-type'), 'image/png');
    const sw = await serverFetch(server, '/sw.js');
    assert.equal(sw.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(sw.headers.get('cache-control'), 'no-cache');
    const csp = sw.headers.get('content-security-policy') ?? '';
    for (const d of ["worker-src 'self'", "manifest-src 'self'", "connect-src 'self' ws: wss:"]) assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
  });

  it('screenshots are PNGs', () => {
    for (const path of shots) {
      const head = readFileSync(path).subarray(0, 8);
      assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is a PNG`);
    }
  });
});
