// Issue 11 acceptance, end to end ("the chair can never cut a speaker off by
// accident"): the real `plenary demo` binary, Chromium, real clicks and keys.
//
//   1. Space after a mouse click on "Call next" pauses the speaker: it never
//      presses "Call next" again, and Enter presses nothing;
//   2. a point of order raises the chair's alert, on screen without
//      scrolling at 1366×768, next to the interpretation badges;
//   3. during the point of order, a room screen's Next lists the
//      interrupted speaker first;
//   4. the server is killed: the chair's floor buttons say they are offline,
//      three clicks on "Call next" (and three N) are not sent, the binary is
//      restarted on the same data and port, and nothing was applied;
//   5. a screen message and 60-character delegation names at 1920×1080 and
//      1280×720: the message, the countdown and the Next strip do not
//      overlap, Next names are at least 5 % of the height, no word is cut;
//   6. the technician: offline screens counted and marked, Identify / Blank
//      confirmed on a connected screen, Identify back by itself after 10 s,
//      click targets of at least 24×24 px.
//
// The meeting is a copy of the reference meeting where two delegations have
// 60-character names. Set-up that is not under test (requests, the message)
// goes through the REST API; what is under test goes through the surfaces.
// Screenshots in $ARTIFACTS.
//
// Run with ./scripts/browser-tests (PLENARY_BIN, ARTIFACTS).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, hook, launchChromium, restCommand, restState, startServer, scenario, waitIn } from './harness.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./harness.mjs').Server} Server */

const BIN = process.env.PLENARY_BIN ?? join(ROOT, 'target', 'debug', 'plenary');
const ARTIFACTS = process.env.ARTIFACTS ?? join(ROOT, 'test-artifacts');

/** Two names of exactly 60 characters, in both languages of the meeting. */
const LONG = {
  cr: {
    es: 'República Democrática Federal de las Islas del Mar de Bering',
    en: 'Federal Democratic Republic of the Islands of the Bering Sea',
  },
  pa: {
    es: 'Comisión Regional de Cooperación para el Desarrollo Integral',
    en: 'Regional Commission for Economic Cooperation and Development',
  },
};

/** The reference meeting with Costa Rica and Panama renamed (60 characters each). */
function longNamesMeeting() {
  let text = readFileSync(join(ROOT, 'config', 'meetings', 'san-pedro-sula-2017.toml'), 'utf8');
  for (const [id, name] of Object.entries(LONG)) {
    for (const n of Object.values(name)) assert.equal([...n].length, 60, `"${n}" has 60 characters`);
    const line = new RegExp(`(id = "${id}"\\nname = )\\{[^}]*\\}`);
    assert.match(text, line, `the reference meeting names ${id} on the line after its id`);
    text = text.replace(line, `$1{ es = "${name.es}", en = "${name.en}" }`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'plenary-meeting-'));
  const file = join(dir, 'san-pedro-sula-2017-long-names.toml');
  writeFileSync(file, text);
  return { dir, file };
}

/** Whether two boxes share any area. */
const overlap = (/** @type {DOMRect} */ a, /** @type {DOMRect} */ b) =>
  a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

describe('issue 11: the chair can never cut a speaker off by accident', { timeout: 300_000 }, () => {
  /** @type {Server} */
  let server;
  /** @type {{ dir: string, file: string }} */
  let meeting;
  /** @type {string} the data directory kept across the restart */
  let dataDir = '';
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {Record<string, Page>} */
  const pages = {};
  /** @type {string[]} */
  const shots = [];

  /** @param {string} role */
  const code = (role) => server.access.get(role)?.code ?? assert.fail(`no access code for ${role}`);
  /** @param {string} role @param {object} command */
  const rest = (role, command) => restCommand(server, code(role), command);
  /** The floor as the server has it (REST). */
  const floorNow = async () => (await restState(server, code('chair'))).state.floor;

  /**
   * A screenshot of what the page shows (the viewport, as a person sees it
   * without scrolling) into $ARTIFACTS.
   * @param {Page} p @param {string} name
   */
  async function shoot(p, name) {
    await p.evaluate(() => document.fonts.ready.then(() => undefined));
    const path = join(ARTIFACTS, `${name}.png`);
    await p.screenshot({ path, animations: 'disabled', caret: 'hide' });
    shots.push(path);
  }

  const step = scenario({ prefix: 'issue11-', artifacts: ARTIFACTS, pages: () => pages, timeout: 60_000 });

  /**
   * Opens a role's surface in a context of its own and waits until it is live.
   * @param {string} name @param {string} role @param {{ width: number, height: number }} viewport @param {string} ready
   */
  async function open(name, role, viewport, ready) {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport, locale: 'es-HN', timezoneId: 'America/Tegucigalpa' });
    const p = await context.newPage();
    /** @type {string[]} */
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    const link = server.access.get(role)?.link ?? assert.fail(`${role} is not in the demo's table`);
    await p.goto(link, { waitUntil: 'domcontentloaded', timeout: 15_000 });
    await p
      .locator(hook(ready))
      .waitFor({ timeout: 15_000 })
      .catch((e) => {
        throw new Error(`${name}: "${ready}" did not open; page errors: ${errors.join('; ') || 'none'}`, { cause: e });
      });
    await waitIn(p, `${name} goes live`, () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live');
    pages[name] = p;
    return p;
  }

  /** @param {Page} p */
  const liveAgain = (p, what = 'the page is live again', timeout = 25_000) =>
    waitIn(p, what, () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live', undefined, timeout);

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    meeting = longNamesMeeting();
    server = await startServer({ bin: BIN, meeting: meeting.file });
    dataDir = server.dataDir;
    // Set-up: the debate, and four delegations on its list.
    await rest('chair', { type: 'open_item', item: 'stocktaking' });
    for (const d of ['hn', 'cr', 'pa', 'br']) {
      await rest(`delegation:${d}`, { type: 'request_floor', item: 'stocktaking', delegation: d, kind: 'statement', language: null });
    }
    browser = await launchChromium();
    await open('screen', 'screen:hall-left', { width: 1920, height: 1080 }, 'screen-view');
    await open('chair', 'chair', { width: 1366, height: 768 }, 'chair-console');
    await open('technician', 'technician', { width: 1366, height: 768 }, 'technician-console');
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (meeting) rmSync(meeting.dir, { recursive: true, force: true });
  });

  step('1. Space after a click on Call next pauses the speaker and cuts nobody off; Enter presses nothing', async (t) => {
    const chair = pages.chair;
    await chair.locator(hook('current-speaker', { delegation: '' })).waitFor({ timeout: 5_000 });
    // With the mouse: Honduras gets the floor.
    await chair.getByTestId('call-next').click();
    await chair.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    await chair.locator('[data-testid="countdown"][data-run="running"]').waitFor({ timeout: 5_000 });
    await chair.locator('[data-testid="call-next"][data-state="acked"]').waitFor({ timeout: 5_000 });
    const speech = (await floorNow()).current;
    assert.equal(speech?.delegation, 'hn');
    const focused = await chair.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);
    t.diagnostic(`after the click the focus is on ${focused}`);
    assert.notEqual(focused, 'call-next', 'the clicked button let go of the focus');

    // Space: the label says pause. It pauses, and calls nobody.
    await chair.keyboard.press('Space');
    await chair.locator('[data-testid="countdown"][data-run="paused"]').waitFor({ timeout: 5_000 });
    let floor = await floorNow();
    assert.equal(floor.current?.id, speech.id, 'the same speech is on the floor after Space');
    assert.equal(floor.current?.timer.run.state, 'paused', 'and its countdown is paused');
    assert.equal(await chair.locator(hook('queue-item', { delegation: 'cr' })).count(), 1, 'Costa Rica still waits: nobody was called');
    assert.match((await chair.getByTestId('pause-resume').textContent()) ?? '', /Reanudar/);

    // Enter is no shortcut: with the focus let go, it presses nothing.
    await chair.keyboard.press('Enter');
    await chair.waitForTimeout(700);
    floor = await floorNow();
    assert.equal(floor.current?.id, speech.id, 'Enter did not press "Call next" again');
    assert.equal(floor.current?.timer.run.state, 'paused');

    // Space again: resumes (the label's other half).
    await chair.keyboard.press('Space');
    await chair.locator('[data-testid="countdown"][data-run="running"]').waitFor({ timeout: 5_000 });
    floor = await floorNow();
    assert.equal(floor.current?.id, speech.id, 'still Honduras after Space, Enter, Space');

    // Even with the focus put on "Call next" itself, Space means pause.
    await chair.getByTestId('call-next').focus();
    await chair.keyboard.press('Space');
    await chair.locator('[data-testid="countdown"][data-run="paused"]').waitFor({ timeout: 5_000 });
    await chair.keyboard.press('Space');
    await chair.locator('[data-testid="countdown"][data-run="running"]').waitFor({ timeout: 5_000 });
    floor = await floorNow();
    assert.equal(floor.current?.id, speech.id, 'Space on the focused "Call next" paused and resumed Honduras, and called nobody');
    const keyed = await chair.locator(hook('activity-item')).allTextContents();
    t.diagnostic(`activity: ${keyed.slice(0, 4).join(' | ')}`);
    assert.equal(await chair.locator(hook('activity-item')).filter({ hasText: 'Siguiente orador' }).count(), 1, 'one "Call next", the click');
  });

  step('2. a point of order raises the chair’s alert, on screen at 1366×768 without scrolling', async () => {
    const chair = pages.chair;
    // An interpreter asks for "slower please"; Guatemala raises a point of order.
    await rest('interpreter:booth-en', { type: 'slower_please', booth: 'booth-en' });
    await rest('delegation:gt', { type: 'request_floor', item: 'stocktaking', delegation: 'gt', kind: 'point_of_order', language: null });
    const alert = chair.locator(hook('point-of-order-alert', { state: 'waiting', delegation: 'gt' }));
    await alert.waitFor({ timeout: 5_000 });
    assert.match((await alert.textContent()) ?? '', /Cuestión de orden: Guatemala/);
    assert.equal(await chair.evaluate(() => window.scrollY), 0, 'the page is not scrolled');
    const viewport = { width: 1366, height: 768 };
    for (const [what, locator] of /** @type {const} */ ([
      ['the point-of-order alert', alert],
      ['its "Give the floor"', chair.getByTestId('point-of-order-give')],
      ['the "slower please" badge', chair.locator('[data-testid="interpretation-badge"][data-kind="slower"]')],
      ['the sound switch', chair.getByTestId('alert-sound')],
      ['the floor panel', chair.getByTestId('floor-panel')],
      ['the floor-language control', chair.getByTestId('floor-language-select')],
    ])) {
      const box = await locator.boundingBox();
      assert.ok(box, `${what} is shown`);
      assert.ok(box.y >= 0 && box.y + box.height <= viewport.height && box.x >= 0 && box.x + box.width <= viewport.width, `${what} is within the 1366×768 screen: ${JSON.stringify(box)}`);
    }
    assert.equal(await chair.getByTestId('alert-sound').getAttribute('aria-pressed'), 'true', 'the sound is on by default');
    await shoot(chair, 'chair-1366x768-point-of-order');
  });

  step('3. during the point of order, the room screen’s Next lists the interrupted speaker first', async () => {
    const chair = pages.chair;
    const screen = pages.screen;
    // The chair gives the floor to the point of order with N.
    await chair.keyboard.press('n');
    await screen.locator(hook('current-speaker', { delegation: 'gt' })).waitFor({ timeout: 5_000 });
    await chair.locator(hook('point-of-order-alert', { state: 'on_floor', delegation: 'gt' })).waitFor({ timeout: 5_000 });
    const items = screen.getByTestId('next-speakers').getByTestId('queue-item');
    await waitIn(screen, 'Next lists three speakers', () => document.querySelectorAll('[data-testid="next-speakers"] [data-testid="queue-item"]').length === 3);
    const first = items.first();
    assert.equal(await first.getAttribute('data-delegation'), 'hn', 'Honduras, interrupted, is first in Next');
    assert.equal(await first.getAttribute('data-turn'), 'resumes');
    const text = (await first.textContent()) ?? '';
    assert.match(text, /retoma la palabra tras la cuestión de orden/);
    assert.match(text, /resumes after the point of order/);
    assert.deepEqual(
      await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-delegation'))),
      ['hn', 'cr', 'pa'],
      'then the list in its order',
    );
    await shoot(screen, 'screen-point-of-order-next');
    // The point is dealt with: Honduras resumes.
    await chair.keyboard.press('n');
    await screen.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    await chair.locator(hook('point-of-order-alert')).waitFor({ state: 'detached', timeout: 5_000 });
  });

  step(
    '4. clicks during a server outage are not applied after reconnect, and the buttons say so',
    async (t) => {
      const chair = pages.chair;
      const screen = pages.screen;
      const before = (await floorNow()).current;
      assert.equal(before?.delegation, 'hn');
      const port = server.port;

      // The server dies.
      await server.kill();
      await waitIn(chair, 'the chair notices the outage', () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') !== 'live');
      const callNext = chair.getByTestId('call-next');
      await chair.locator('[data-testid="call-next"][data-offline="true"]').waitFor({ timeout: 5_000 });
      for (const id of ['call-next', 'pause-resume', 'extend', 'reset-timer', 'end-speech']) {
        const b = chair.getByTestId(id);
        assert.equal(await b.isDisabled(), true, `${id} is disabled while offline`);
        assert.match((await b.textContent()) ?? '', /sin conexión: no enviado/, `${id} says it would not be sent`);
      }
      for (const b of await chair.getByTestId('give-floor').all()) assert.equal(await b.isDisabled(), true, '"Give the floor" is disabled while offline');
      await chair.getByTestId('reconnect-banner').waitFor({ timeout: 5_000 });
      assert.match((await chair.getByTestId('reconnect-banner').textContent()) ?? '', /nada de lo que se pulse mientras tanto se enviará/);

      // Three clicks on Call next (real clicks on the disabled button), and N three times.
      for (let i = 0; i < 3; i++) await callNext.click({ force: true });
      for (let i = 0; i < 3; i++) await chair.keyboard.press('n');
      await chair.locator('[data-testid="activity-item"][data-state="not_sent"]').first().waitFor({ timeout: 5_000 });
      const notSent = await chair.locator('[data-testid="activity-item"][data-state="not_sent"]').count();
      t.diagnostic(`${notSent} presses recorded as not sent`);
      assert.equal(notSent, 3, 'the three N presses are recorded as not sent (the disabled button sent nothing)');
      await shoot(chair, 'chair-1366x768-offline');

      // The hall screen says it is reconnecting, from the back of the hall.
      const indicator = screen.locator('[data-testid="connection-status"]:not([data-status="live"])');
      await indicator.waitFor({ state: 'visible', timeout: 15_000 });
      const size = await indicator.evaluate((el) => ({
        font: parseFloat(getComputedStyle(el).fontSize),
        icon: el.querySelector('svg')?.getBoundingClientRect().height ?? 0,
        height: innerHeight,
      }));
      t.diagnostic(`"reconnecting": ${size.font}px text, ${size.icon}px icon on a ${size.height}px screen`);
      assert.ok(size.font >= 0.03 * size.height, `"reconnecting" is at least 3 % of the height: ${size.font}px`);
      assert.ok(size.icon >= 0.03 * size.height, 'with an icon as big');
      await shoot(screen, 'screen-reconnecting');

      // The binary again, on the same data and port.
      server = await startServer({ bin: BIN, meeting: meeting.file, dataDir, port, fresh: false });
      await liveAgain(chair, 'the chair is live again');
      await liveAgain(screen, 'the screen is live again');
      await chair.locator('[data-testid="call-next"]:not([data-offline])').waitFor({ timeout: 5_000 });
      // Time for anything (wrongly) queued to arrive and be applied.
      await chair.waitForTimeout(2_000);
      const after = (await floorNow()).current;
      t.diagnostic(`before the outage: speech ${before.id} (${before.delegation}); after: speech ${after?.id} (${after?.delegation})`);
      assert.equal(after?.id, before.id, 'the same speech is on the floor: no click made during the outage was applied');
      assert.equal(after?.delegation, 'hn');
      await chair.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
      await screen.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
      assert.equal(await chair.locator(hook('queue-item', { delegation: 'cr' })).count(), 1, 'Costa Rica still waits');
      assert.equal(await chair.locator('[data-testid="activity-item"][data-state="not_sent"]').count(), 3, 'still not sent');
    },
    90_000,
  );

  step('4b. undo restores the speaker on every surface, with the time they had, and the one called by mistake heads the list', async (t) => {
    const chair = pages.chair;
    const screen = pages.screen;
    const before = (await floorNow()).current;
    assert.equal(before?.delegation, 'hn');
    // A slip: Call next gives Costa Rica the floor.
    await chair.getByTestId('call-next').click();
    await screen.locator(hook('current-speaker', { delegation: 'cr' })).waitFor({ timeout: 5_000 });
    const offer = chair.getByTestId('undo');
    await offer.waitFor({ timeout: 5_000 });
    assert.match((await offer.textContent()) ?? '', /Honduras recupera la palabra/);
    await shoot(chair, 'chair-1366x768-undo-offer');
    await offer.click();
    await chair.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    await screen.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    const after = (await floorNow()).current;
    assert.equal(after?.id, before.id, 'the same speech is back on the floor');
    const left = (timer) => timer.limit - (timer.run.state === 'running' ? timer.run.elapsed_before : timer.run.elapsed);
    t.diagnostic(`time left before the slip ~${left(before.timer)} ms (at its last change); after the undo ${left(after.timer)} ms`);
    const first = screen.getByTestId('next-speakers').getByTestId('queue-item').first();
    await waitIn(screen, 'Costa Rica heads Next again', () => document.querySelector('[data-testid="next-speakers"] [data-testid="queue-item"]')?.getAttribute('data-delegation') === 'cr');
    assert.equal(await first.getAttribute('data-delegation'), 'cr');
    await shoot(screen, 'screen-after-undo');
  });

  step('5. a message and 60-character names at 1920×1080 and 1280×720: message, countdown and Next strip do not overlap', async (t) => {
    const screen = pages.screen;
    // Set-up: Costa Rica (60 characters) speaks, Panama (60) is next; a message on every screen.
    await rest('chair', { type: 'call_next' });
    await rest('chair', {
      type: 'push_message',
      target: { kind: 'all' },
      text: {
        es: 'Por favor, tomen asiento: la sesión se reanuda en cinco minutos',
        en: 'Please take your seats: the session resumes in five minutes',
      },
    });
    await screen.locator(hook('current-speaker', { delegation: 'cr' })).waitFor({ timeout: 5_000 });
    await screen.getByTestId('message-overlay').waitFor({ timeout: 5_000 });
    await screen.locator(hook('queue-item', { delegation: 'pa' })).first().waitFor({ timeout: 5_000 });

    for (const [width, height] of [
      [1920, 1080],
      [1280, 720],
    ]) {
      await screen.setViewportSize({ width, height });
      // The names are fitted again after the resize (a frame or two).
      await screen.waitForTimeout(600);
      const m = await screen.evaluate(() => {
        const box = (/** @type {string} */ sel) => {
          const el = document.querySelector(sel);
          if (!el) throw new Error(`${sel} is not on the screen`);
          const r = el.getBoundingClientRect();
          return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
        };
        /** Words of the fitted lines that the layout splits over two lines. */
        const cutWords = [];
        for (const line of document.querySelectorAll('.speaker-names .fit-line, .next-names .fit-line, .screen-item .fit-line')) {
          if (line.scrollWidth > line.clientWidth + 1) continue; // ellipsis: the last resort
          const text = line.firstChild;
          if (!text || text.nodeType !== Node.TEXT_NODE) continue;
          const s = text.textContent ?? '';
          for (const match of s.matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(text, match.index);
            range.setEnd(text, match.index + match[0].length);
            const rects = [...range.getClientRects()].filter((r) => r.width > 0);
            if (rects.length > 1 && new Set(rects.map((r) => Math.round(r.top))).size > 1) cutWords.push(match[0]);
          }
        }
        const names = [...document.querySelectorAll('.next-names .fit-line')].map((el) => ({
          text: el.textContent,
          font: parseFloat(getComputedStyle(el).fontSize),
          ellipsis: el.scrollWidth > el.clientWidth + 1,
        }));
        const speaker = [...document.querySelectorAll('.speaker-names .fit-line')].map((el) => ({
          text: el.textContent,
          font: parseFloat(getComputedStyle(el).fontSize),
          wrap: getComputedStyle(el).overflowWrap,
          wordBreak: getComputedStyle(el).wordBreak,
        }));
        return {
          message: box('[data-testid="message-overlay"]'),
          countdown: box('[data-testid="countdown"]'),
          next: box('[data-testid="next-speakers"]'),
          speaker: box('.speaker-block'),
          top: box('.screen-top'),
          names,
          speaker_names: speaker,
          cutWords,
        };
      });
      t.diagnostic(
        `${width}×${height}: message ${Math.round(m.message.top)}–${Math.round(m.message.bottom)}, countdown ${Math.round(m.countdown.top)}–${Math.round(m.countdown.bottom)}, ` +
          `Next ${Math.round(m.next.top)}–${Math.round(m.next.bottom)}; Next names ${m.names.map((n) => `${n.font.toFixed(1)}px${n.ellipsis ? ' …' : ''}`).join(', ')}; ` +
          `speaker ${m.speaker_names.map((n) => `${n.font.toFixed(1)}px`).join(', ')}`,
      );
      const boxes = /** @type {const} */ ([
        ['the message', m.message],
        ['the countdown', m.countdown],
        ['the Next strip', m.next],
        ['the speaker', m.speaker],
        ['the top bar', m.top],
      ]);
      for (let i = 0; i < boxes.length; i++) {
        const [what, b] = boxes[i];
        assert.ok(b.left >= -0.5 && b.top >= -0.5 && b.right <= width + 0.5 && b.bottom <= height + 0.5, `${width}×${height}: ${what} is on the screen: ${JSON.stringify(b)}`);
        for (let j = i + 1; j < boxes.length; j++) {
          const [other, c] = boxes[j];
          assert.ok(!overlap(/** @type {DOMRect} */ (b), /** @type {DOMRect} */ (c)), `${width}×${height}: ${what} and ${other} overlap: ${JSON.stringify(b)} ${JSON.stringify(c)}`);
        }
      }
      // The long names are there whole (scaled or, last resort, with an ellipsis).
      assert.deepEqual(
        m.speaker_names.map((n) => n.text),
        [LONG.cr.es, LONG.cr.en],
        'the speaker in both languages, whole',
      );
      for (const n of m.speaker_names) {
        assert.equal(n.wrap, 'normal', 'names break between words only (overflow-wrap)');
        assert.equal(n.wordBreak, 'keep-all', 'names break between words only (word-break)');
      }
      assert.ok(m.names.some((n) => n.text === LONG.pa.es) && m.names.some((n) => n.text === LONG.pa.en), 'Panama in Next in both languages');
      for (const n of m.names) {
        assert.ok(n.font >= 0.05 * height - 0.5, `${width}×${height}: Next name "${n.text}" is ${n.font}px, under 5 % of the height`);
      }
      assert.deepEqual(m.cutWords, [], `${width}×${height}: no word is cut over two lines`);
      await shoot(screen, `screen-${width}-message-long-name`);
    }
    await screen.setViewportSize({ width: 1920, height: 1080 });
  });

  step(
    '6. the technician: offline screens stand out, actions on a connected screen are confirmed, Identify comes back after 10 s',
    async (t) => {
      const tech = pages.technician;
      const screen = pages.screen;
      await rest('chair', { type: 'clear_message', target: { kind: 'all' } });
      const row = tech.locator(hook('screen-row', { screen: 'hall-left' }));
      await tech.locator(hook('screen-row', { screen: 'hall-left', online: 'true' })).waitFor({ timeout: 10_000 });
      const badge = tech.getByTestId('screens-offline');
      await waitIn(tech, 'five of six screens offline in the header', () => document.querySelector('[data-testid="screens-offline"]')?.getAttribute('data-count') === '5');
      assert.match((await badge.textContent()) ?? '', /5 de 6 pantallas sin conexión/);
      const colours = await tech.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('[data-testid="screen-row"]')].map((r) => [r.getAttribute('data-screen'), getComputedStyle(r).backgroundColor]),
        ),
      );
      assert.notEqual(colours['hall-right'], colours['hall-left'], `an offline row stands out from an online one: ${JSON.stringify(colours)}`);

      // Click targets: every control of the console at least 24×24 px.
      const small = await tech.evaluate(() =>
        [...document.querySelectorAll('[data-testid="technician-console"] :is(button, input, select, summary, a[href], [role="button"])')]
          .filter((el) => /** @type {HTMLInputElement} */ (el).type !== 'hidden')
          .map((el) => ({ el, r: el.getBoundingClientRect() }))
          .filter(({ el, r }) => r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden')
          .filter(({ r }) => r.width < 23.5 || r.height < 23.5)
          .map(({ el, r }) => `${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 20)}] ${r.width.toFixed(1)}×${r.height.toFixed(1)}`),
      );
      assert.deepEqual(small, [], 'click targets under 24×24 px');
      await shoot(tech, 'technician-offline-screens');

      // Identify on a connected screen: the first click asks, the second acts.
      const identify = row.getByTestId('identify-screen');
      await identify.click();
      assert.equal(await identify.getAttribute('data-armed'), 'true');
      assert.match((await identify.textContent()) ?? '', /¿confirmar\?/);
      await shoot(tech, 'technician-identify-confirm');
      await screen.waitForTimeout(500);
      assert.equal(await screen.getByTestId('screen-view').getAttribute('data-view'), 'current_speaker', 'one click does nothing to a connected screen');
      await identify.click();
      const identifiedAt = Date.now();
      await screen.locator(hook('screen-view', { view: 'identify' })).waitFor({ timeout: 5_000 });
      await row.locator('[data-testid="identify-screen"][data-identifying="true"]').waitFor({ timeout: 2_000 });
      assert.match((await row.getByTestId('identify-screen').textContent()) ?? '', /Identificando: vuelve en \d+ s/);
      // …and it comes back by itself.
      await screen.locator(hook('screen-view', { view: 'current_speaker' })).waitFor({ timeout: 15_000 });
      const back = Date.now() - identifiedAt;
      t.diagnostic(`identify shown for ${back} ms`);
      assert.ok(back >= 9_000 && back <= 14_000, `Identify comes back after about 10 s (${back} ms)`);
      assert.equal(await screen.getByTestId('screen-view').getAttribute('lang'), 'es', 'in the languages it had');

      // Blank: confirmed, then undone.
      const blank = row.getByTestId('blank-screen');
      await blank.click();
      assert.equal(await blank.getAttribute('data-armed'), 'true');
      await blank.click();
      await screen.locator(hook('screen-view', { view: 'blank' })).waitFor({ timeout: 5_000 });
      await row.getByTestId('undo-blank').click();
      await screen.locator(hook('screen-view', { view: 'current_speaker' })).waitFor({ timeout: 5_000 });

      // An offline screen: no question asked.
      const offline = tech.locator(hook('screen-row', { screen: 'hall-right' }));
      await offline.getByTestId('blank-screen').click();
      await tech.locator(hook('screen-row', { screen: 'hall-right', view: 'blank' })).waitFor({ timeout: 5_000 });
      await offline.getByTestId('undo-blank').click();
      await tech.locator(hook('screen-row', { screen: 'hall-right', view: 'current_speaker' })).waitFor({ timeout: 5_000 });
    },
    60_000,
  );

  it('screenshots are PNGs', () => {
    for (const path of shots) {
      const head = readFileSync(path).subarray(0, 8);
      assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is a PNG`);
    }
  });
});
