// Issue 4 acceptance, end to end: the real `plenary demo` binary on a fresh
// SQLite file, and one Chromium with a separate context per person — the
// chair, three delegations (hn, gt, br), two room screens (hall-left,
// hall-right), the technician, the Spanish booth and the public.
//
//   1. a delegation asks for the floor → the chair sees it → the chair calls
//      it → both room screens show the speaker and the countdown within
//      500 ms of the click, and agree on the remaining time within 50 ms;
//   2. a point of order interrupts: the interrupted countdown is paused and
//      comes back with the time it had;
//   3. the technician switches a screen's view and language;
//   4. a screen that loses its connection keeps counting, and catches up with
//      a command made meanwhile when it is back;
//   5. a full-page screenshot of every surface in $ARTIFACTS.
//
// Set-up that is not under test goes through the REST API (opening the
// agenda item); every action under test goes through the surfaces.
//
// Run with ./scripts/browser-tests (PLENARY_BIN, ARTIFACTS).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ROOT,
  binaryServesFrontend,
  connectionStatus,
  countdownDisagreement,
  hook,
  launchChromium,
  metricValue,
  nodeMetrics,
  readCountdown,
  restCommand,
  restState,
  scenario,
  startLink,
  startServer,
  textsCoveredBy,
  waitIn,
} from './harness.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('./harness.mjs').Server} Server */

const BIN = process.env.PLENARY_BIN ?? join(ROOT, 'target', 'debug', 'plenary');
const ARTIFACTS = process.env.ARTIFACTS ?? join(ROOT, 'test-artifacts');

/** Both screens show a call within this time of the chair's click. */
const SHOW_WITHIN_MS = 500;
/** Two screens agree on the remaining time within this. */
const AGREE_WITHIN_MS = 50;
/** A resumed speaker gets back the time it had, within this. */
const RESUME_TOLERANCE_MS = 500;

/**
 * Who is in the hall: the role in the demo's table, the viewport of their
 * device and the test hook that says their surface is up.
 */
const PEOPLE = /** @type {const} */ ({
  chair: { role: 'chair', viewport: { width: 1440, height: 900 }, ready: 'chair-console' },
  hn: { role: 'delegation:hn', viewport: { width: 412, height: 915 }, ready: 'delegation-console' },
  gt: { role: 'delegation:gt', viewport: { width: 412, height: 915 }, ready: 'delegation-console' },
  br: { role: 'delegation:br', viewport: { width: 820, height: 1180 }, ready: 'delegation-console' },
  hallLeft: { role: 'screen:hall-left', viewport: { width: 1920, height: 1080 }, ready: 'screen-view' },
  hallRight: { role: 'screen:hall-right', viewport: { width: 1920, height: 1080 }, ready: 'screen-view' },
  technician: { role: 'technician', viewport: { width: 1440, height: 900 }, ready: 'technician-console' },
  booth: { role: 'interpreter:booth-es', viewport: { width: 1280, height: 800 }, ready: 'booth-view' },
  public: { role: 'public', viewport: { width: 1280, height: 800 }, ready: 'public-view' },
});

/** @typedef {keyof typeof PEOPLE} Person */

describe('issue 4: every surface of the hall shows the same floor in the same second', { timeout: 170_000 }, () => {
  /** @type {Server} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** hall-left's network link, which step 4 cuts. */
  /** @type {Awaited<ReturnType<typeof startLink>> | undefined} */
  let hallLeftLink;
  /** @type {Partial<Record<Person, { context: BrowserContext, page: Page }>>} */
  const people = {};
  /** @type {string[]} */
  const shots = [];
  /** The first step that failed: the next ones build on it, so they are skipped. */

  /** @param {Person} who */
  const page = (who) => {
    const p = people[who]?.page;
    if (!p) throw new Error(`${who}'s surface is not open`);
    return p;
  };
  /** @param {Person} who */
  const code = (who) => {
    const a = server.access.get(PEOPLE[who].role);
    if (!a) throw new Error(`no access code for ${PEOPLE[who].role} in the demo's table`);
    return a.code;
  };

  /**
   * A full-page screenshot into $ARTIFACTS.
   * @param {Person} who
   * @param {string} name
   */
  async function shoot(who, name) {
    const p = page(who);
    await p.evaluate(() => document.fonts.ready.then(() => undefined));
    const path = join(ARTIFACTS, `${name}.png`);
    await p.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
    shots.push(path);
    return path;
  }

  const step = scenario({
    prefix: '',
    artifacts: ARTIFACTS,
    pages: () => Object.fromEntries(Object.entries(people).map(([who, p]) => [who, p.page])),
    timeout: 45_000,
  });

  /**
   * Opens a person's surface in a context of their own.
   * @param {Person} who
   */
  async function open(who) {
    const spec = PEOPLE[who];
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport: spec.viewport, locale: 'es-HN', timezoneId: 'America/Tegucigalpa' });
    const p = await context.newPage();
    people[who] = { context, page: p };
    /** @type {string[]} */
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    let link =
      who === 'public' ? server.publicLink : (server.access.get(spec.role)?.link ?? assert.fail(`${spec.role} is not in the demo's table`));
    if (who === 'hallLeft' && hallLeftLink) link = hallLeftLink.link(link);
    await p.goto(link, { waitUntil: 'domcontentloaded', timeout: 15_000 });
    await p
      .locator(hook(spec.ready))
      .waitFor({ timeout: 15_000 })
      .catch((e) => {
        throw new Error(`${who} (${spec.role}): the surface "${spec.ready}" did not open; page errors: ${errors.join('; ') || 'none'}`, {
          cause: e,
        });
      });
    await waitIn(p, `${who} goes live`, () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live');
  }

  /**
   * Starts watching a page for the moment `selector` matches (a
   * MutationObserver, so the time is that of the DOM change, not of a
   * poll); resolves once the watch is in place. With `running`, a running
   * countdown must be shown too.
   * @param {Page} p
   * @param {string} selector
   * @param {{ running?: boolean }} [options]
   */
  function watchFor(p, selector, { running = false } = {}) {
    return p.evaluate(
      ([sel, needsCountdown]) => {
        const w = { seenAt: 0 };
        /** @type {any} */ (window).__plenaryWatch = w;
        const shows = () => {
          if (!document.querySelector(sel)) return false;
          if (!needsCountdown) return true;
          const countdown = /** @type {HTMLElement | null} */ (document.querySelector('[data-testid="countdown"]'));
          return Boolean(countdown && countdown.dataset.remainingMs !== undefined && countdown.dataset.run === 'running');
        };
        const check = () => {
          if (w.seenAt === 0 && shows()) {
            w.seenAt = Date.now();
            observer.disconnect();
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        if (shows()) throw new Error(`${sel} is already shown`);
      },
      /** @type {const} */ ([selector, running]),
    );
  }

  /**
   * Notes when the next `type` event (click, keydown) reaches the page
   * (its Date.now()): the time the person's action really happened, without
   * the driver's own work before it.
   * @param {Page} p
   * @param {'click' | 'keydown'} type
   */
  function markNext(p, type) {
    return p.evaluate((ty) => {
      /** @type {any} */ (window).__plenaryInputAt = 0;
      document.addEventListener(ty, () => (/** @type {any} */ (window).__plenaryInputAt = Date.now()), { capture: true, once: true });
    }, type);
  }
  /** @param {Page} p */
  const inputAt = (p) => p.evaluate(() => /** @type {any} */ (window).__plenaryInputAt);

  /**
   * Watches a screen for a speaker with a running countdown.
   * @param {Page} p
   * @param {string} delegation
   */
  const watchForSpeaker = (p, delegation) => watchFor(p, hook('current-speaker', { delegation }), { running: true });

  /**
   * When the watched page showed what it watched for (its Date.now()).
   * @param {Page} p
   * @param {string} what
   */
  function seenAt(p, what) {
    return waitIn(p, what, () => /** @type {any} */ (window).__plenaryWatch?.seenAt || 0, undefined, 5_000);
  }

  /**
   * The signed difference of two countdown reads at the same instant:
   * (r1 − r2) − (t2 − t1).
   * @param {{ remaining: number, at: number }} x
   * @param {{ remaining: number, at: number }} y
   */
  const atSameInstant = (x, y) => x.remaining - y.remaining - (y.at - x.at);

  /** Each hall screen's round trip and offset, from the technician's console. */
  async function clockHealth() {
    const tech = page('technician');
    const parts = [];
    for (const id of ['hall-left', 'hall-right']) {
      const row = tech.locator(hook('screen-row', { screen: id }));
      const rtt = await row.getByTestId('screen-rtt').textContent();
      const offset = await row.getByTestId('screen-offset').textContent();
      parts.push(`${id} rtt ${rtt?.trim()}, offset ${offset?.trim()}`);
    }
    return parts.join('; ');
  }

  /** @param {Page} p @param {string} what */
  async function countdownOf(p, what) {
    const c = await readCountdown(p);
    assert.ok(c, `${what}: no countdown is shown`);
    return c;
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Pictures of an earlier run's failure would be mistaken for this one's.
    for (const f of readdirSync(ARTIFACTS)) if (/^failure-.*\.png$/.test(f)) rmSync(join(ARTIFACTS, f));
    server = await startServer({ bin: BIN });
    const served = await binaryServesFrontend(server);
    assert.ok(served.ok, `the binary serves the web app itself: GET / → ${served.status}: ${served.body}`);
    hallLeftLink = await startLink(server.base);
    // Set-up, not under test: the debate whose list of speakers we use.
    await restCommand(server, code('chair'), { type: 'open_item', item: 'stocktaking' });
    browser = await launchChromium();
    // The screens first, as in a hall where the kiosks are up long before
    // the session: their first clock round is not taken while seven more
    // pages load on this 2-core machine (see the clock diagnostics).
    await Promise.all([open('hallLeft'), open('hallRight')]);
    await Promise.all(
      /** @type {Person[]} */ (Object.keys(PEOPLE)).filter((w) => w !== 'hallLeft' && w !== 'hallRight').map((who) => open(who)),
    );
  });

  after(async () => {
    // Idempotent: the last test already did this when all went well.
    await browser?.close().catch(() => {});
    await hallLeftLink?.close().catch(() => {});
    await server?.stop();
  });

  /** The server's commit and fan-out totals so far (its /metrics). */
  async function serverTimes() {
    const text = (await nodeMetrics(server)) ?? '';
    /** @param {string} name */
    const of = (name) => ({ sum: metricValue(text, `${name}_sum`) ?? NaN, count: metricValue(text, `${name}_count`) ?? NaN });
    return { commit: of('plenary_commit_seconds'), fanout: of('plenary_fanout_seconds') };
  }

  /** What the server spent between two reads: where a slow call's time went.
   * @param {Awaited<ReturnType<typeof serverTimes>>} a @param {Awaited<ReturnType<typeof serverTimes>>} b */
  function serverPart(a, b) {
    /** @param {'commit' | 'fanout'} k */
    const part = (k) => `${b[k].count - a[k].count} ${k}s in ${((b[k].sum - a[k].sum) * 1000).toFixed(1)} ms`;
    return `${part('commit')}, ${part('fanout')}`;
  }

  step('1. a delegation asks for the floor, the chair calls it, both screens show it within 500 ms and agree within 50 ms', async (t) => {
    const chair = page('chair');
    const left = page('hallLeft');
    const right = page('hallRight');

    for (const [who, p] of /** @type {const} */ ([['hallLeft', left], ['hallRight', right]])) {
      assert.equal(
        await p.locator(hook('screen-view')).getAttribute('data-view'),
        'current_speaker',
        `${who} starts on the current-speaker view`,
      );
      await p.locator(hook('current-speaker', { delegation: '' })).waitFor({ timeout: 5_000 });
    }

    // Honduras asks for the floor for a statement, in the UI.
    const hn = page('hn');
    await watchFor(chair, hook('queue-item', { delegation: 'hn' }));
    const askedAt = Date.now();
    await hn.getByTestId('request-statement').click();
    const queuedAt = await seenAt(chair, "hn's request on the chair's queue");
    t.diagnostic(`hn's request on the chair's queue ${queuedAt - askedAt} ms after the click`);
    await hn.locator(hook('request-statement')).and(hn.locator('[data-state="acked"]')).waitFor({ timeout: 5_000 });
    await hn.locator(hook('my-position', { position: '1' })).waitFor({ timeout: 5_000 });
    assert.equal(await chair.locator(hook('queue-item', { delegation: 'hn' })).getAttribute('data-kind'), 'statement');

    // Brazil asks too, in Portuguese (its floor language): it waits behind Honduras.
    const br = page('br');
    await br.getByTestId('request-language').selectOption('pt');
    await br.getByTestId('request-statement').click();
    await chair.locator(hook('queue-item', { delegation: 'br' })).waitFor({ timeout: 5_000 });
    await br.locator(hook('my-position', { position: '2' })).waitFor({ timeout: 5_000 });
    for (const p of [left, right]) await p.locator(hook('queue-item', { delegation: 'hn' })).first().waitFor({ timeout: 5_000 });

    // The chair calls the next speaker: both screens, timed from the click.
    await Promise.all([
      watchForSpeaker(left, 'hn'),
      watchForSpeaker(right, 'hn'),
      markNext(chair, 'click'),
      watchFor(chair, '[data-testid="call-next"][data-state="acked"]'),
    ]);
    const serverBefore = await serverTimes();
    const clickAt = Date.now();
    await chair.getByTestId('call-next').click();
    const [leftAt, rightAt] = await Promise.all([seenAt(left, 'hall-left shows hn'), seenAt(right, 'hall-right shows hn')]);
    const bothAt = Math.max(leftAt, rightAt) - clickAt;
    const clickEventAt = await inputAt(chair);
    const ackedAt = await seenAt(chair, "the chair's call is acknowledged");
    const serverAfter = await serverTimes();
    t.diagnostic(`the server's part: ${serverPart(serverBefore, serverAfter)}`);
    t.diagnostic(
      `call → shown: hall-left ${leftAt - clickAt} ms, hall-right ${rightAt - clickAt} ms after the click began (both: ${bothAt} ms; limit ${SHOW_WITHIN_MS}); ` +
        `${Math.max(leftAt, rightAt) - clickEventAt} ms after the click event reached the chair's page (acknowledged to the chair after ${ackedAt - clickEventAt} ms)`,
    );
    assert.ok(
      bothAt <= SHOW_WITHIN_MS,
      `both screens must show the speaker within ${SHOW_WITHIN_MS} ms of the click, took ${bothAt} ms (hall-left ${leftAt - clickAt}, hall-right ${rightAt - clickAt})`,
    );

    const agree = await countdownDisagreement(left, right, 7);
    t.diagnostic(
      `hall-left vs hall-right, corrected for the read times: worst ${agree.worst.toFixed(1)} ms over ${agree.reads.length} reads ${JSON.stringify(agree.reads)}`,
    );
    t.diagnostic(`clock sync as the screens report it (technician): ${await clockHealth()}`);
    assert.ok(agree.worst <= AGREE_WITHIN_MS, `the screens disagree by ${agree.worst.toFixed(1)} ms (> ${AGREE_WITHIN_MS}): ${JSON.stringify(agree.reads)}`);

    const shown = await countdownOf(left, 'hall-left');
    assert.equal(shown.run, 'running', 'the countdown runs');
    assert.ok(shown.remaining <= 300_000 && shown.remaining > 290_000, `a 5-minute statement just started, shows ${shown.remaining} ms`);
    await chair.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    await hn.locator(hook('delegation-console', { floor: 'mine' })).waitFor({ timeout: 5_000 });
    await hn.getByTestId('you-have-floor').waitFor({ timeout: 5_000 });
    // The next speaker on the screens is Brazil.
    await left.locator(`${hook('next-speakers')} ${hook('queue-item', { delegation: 'br' })}`).waitFor({ timeout: 5_000 });
  });

  step('2. a point of order interrupts, the interrupted countdown is paused, and resumes with the time it had', async (t) => {
    const chair = page('chair');
    const left = page('hallLeft');
    const right = page('hallRight');
    const gt = page('gt');

    // Guatemala rises to a point of order, in the UI.
    await gt.getByTestId('request-point-of-order').click();
    await chair.locator(hook('queue-item', { delegation: 'gt', kind: 'point_of_order' })).waitFor({ timeout: 5_000 });

    // The chair calls it (keyboard N): it interrupts Honduras.
    await Promise.all([watchForSpeaker(left, 'gt'), watchForSpeaker(right, 'gt')]);
    const beforeCall = await countdownOf(right, 'hall-right before the point of order');
    await markNext(chair, 'keydown');
    const pressAt = Date.now();
    await chair.locator('body').press('n');
    const [leftAt, rightAt] = await Promise.all([seenAt(left, 'hall-left shows gt'), seenAt(right, 'hall-right shows gt')]);
    t.diagnostic(
      `point of order → shown: hall-left ${leftAt - pressAt} ms, hall-right ${rightAt - pressAt} ms after N was pressed (${Math.max(leftAt, rightAt) - (await inputAt(chair))} ms after the keydown event)`,
    );
    assert.ok(
      Math.max(leftAt, rightAt) - pressAt <= SHOW_WITHIN_MS,
      `both screens must show the point of order within ${SHOW_WITHIN_MS} ms, took ${Math.max(leftAt, rightAt) - pressAt} ms`,
    );
    const poo = await countdownOf(left, 'hall-left during the point of order');
    assert.ok(poo.remaining <= 120_000 && poo.remaining > 110_000, `the point of order has 2 minutes, shows ${poo.remaining} ms`);
    await chair.getByTestId('interrupted').waitFor({ timeout: 5_000 });
    await chair.locator(hook('current-speaker', { delegation: 'gt' })).waitFor({ timeout: 5_000 });

    // What is not on any screen: the interrupted speech, paused (REST).
    const paused = async () => {
      const { state } = await restState(server, code('chair'));
      assert.equal(state.floor.current?.delegation, 'gt', 'gt has the floor');
      const hn = state.floor.interrupted.find((/** @type {any} */ s) => s.delegation === 'hn');
      assert.ok(hn, `hn is among the interrupted speeches: ${JSON.stringify(state.floor.interrupted)}`);
      assert.equal(hn.timer.run.state, 'paused', `hn's countdown is paused: ${JSON.stringify(hn.timer)}`);
      return hn.timer.limit - hn.timer.run.elapsed;
    };
    const pausedAt = await paused();
    t.diagnostic(`hn's countdown paused at ${pausedAt} ms; the screens showed ${beforeCall.remaining} ms just before N`);
    assert.ok(
      pausedAt <= beforeCall.remaining + 20 && beforeCall.remaining - pausedAt <= RESUME_TOLERANCE_MS,
      `hn's countdown must stop where it was at the interruption: ${pausedAt} ms paused, ${beforeCall.remaining} ms shown just before`,
    );

    // The point of order runs long enough that a countdown that kept
    // running would be visibly off (≥ 1.5 s).
    await waitIn(right, 'the point of order runs 1.5 s', () => Number(document.querySelector('[data-testid="countdown"]')?.getAttribute('data-remaining-ms')) <= 118_500);
    assert.equal(await paused(), pausedAt, "hn's paused countdown does not move during the point of order");

    // The chair calls next again: the point is dealt with, Honduras resumes.
    await Promise.all([watchForSpeaker(left, 'hn'), watchForSpeaker(right, 'hn')]);
    const resumeAt = Date.now();
    await chair.locator('body').press('n');
    await Promise.all([seenAt(left, 'hall-left shows hn again'), seenAt(right, 'hall-right shows hn again')]);
    const [l, r] = await Promise.all([countdownOf(left, 'hall-left after resuming'), countdownOf(right, 'hall-right after resuming')]);
    const interruption = resumeAt - pressAt;
    t.diagnostic(
      `after ${interruption} ms of point of order, hn resumes with ${l.remaining} ms (hall-left) / ${r.remaining} ms (hall-right); ${beforeCall.remaining} ms at the interruption, ${pausedAt} ms paused`,
    );
    for (const [who, c] of /** @type {const} */ ([['hall-left', l], ['hall-right', r]])) {
      assert.equal(c.run, 'running', `${who}: hn's countdown runs again`);
      assert.ok(
        Math.abs(c.remaining - beforeCall.remaining) <= RESUME_TOLERANCE_MS,
        `${who}: hn resumes with ${c.remaining} ms, had ${beforeCall.remaining} ms at the interruption (±${RESUME_TOLERANCE_MS})`,
      );
      assert.ok(c.remaining <= pausedAt + 20, `${who}: hn cannot gain time: ${c.remaining} ms > ${pausedAt} ms paused`);
    }
    assert.ok(interruption >= 1_500, `the interruption lasted ${interruption} ms`);
    const agree = await countdownDisagreement(left, right, 5);
    t.diagnostic(`after resuming, the screens disagree by ${agree.worst.toFixed(1)} ms at worst`);
    assert.ok(agree.worst <= AGREE_WITHIN_MS, `the screens disagree by ${agree.worst.toFixed(1)} ms after resuming: ${JSON.stringify(agree.reads)}`);
    await chair.getByTestId('interrupted').waitFor({ state: 'detached', timeout: 5_000 });
  });

  step('3. the technician switches a screen\'s view and language, and the screen follows', async (t) => {
    const tech = page('technician');
    const right = page('hallRight');
    const left = page('hallLeft');
    const rightView = right.locator(hook('screen-view'));
    const rightText = async () => (await rightView.textContent()) ?? '';
    assert.equal(await rightView.getAttribute('data-view'), 'current_speaker');
    assert.equal(await rightView.getAttribute('lang'), 'es');
    assert.match(await rightText(), /Tiene la palabra/, 'hall-right shows Spanish labels (es + en)');

    const row = tech.locator(hook('screen-row', { screen: 'hall-right' }));
    await row.waitFor({ timeout: 5_000 });
    assert.equal(await row.getAttribute('data-online'), 'true', 'the technician sees hall-right online');
    await row.getByTestId('screen-select').check();

    /**
     * Assigns a view in some languages to the selected screen, in the UI.
     * @param {string} view
     * @param {string[]} langs
     */
    const assign = async (view, langs) => {
      await tech.getByTestId('assign-view-select').selectOption(view);
      // Screens speak the meeting's languages (es, en): only those are offered.
      for (const l of ['es', 'en']) await tech.getByTestId(`assign-lang-${l}`).setChecked(langs.includes(l));
      assert.equal(await tech.getByTestId('assign-lang-pt').count(), 0, 'Portuguese is not a screen language');
      const at = Date.now();
      await tech.getByTestId('assign-view').click();
      await right.locator(hook('screen-view', { view })).and(right.locator(`[lang="${langs[0]}"]`)).waitFor({ timeout: 5_000 });
      await row.and(tech.locator(`[data-view="${view}"]`)).waitFor({ timeout: 5_000 });
      assert.equal(await tech.getByTestId('assign-view').getAttribute('data-state'), 'acked');
      return Date.now() - at;
    };

    // The list of speakers, in English only.
    const took = await assign('speakers_list', ['en']);
    t.diagnostic(`hall-right switched to the list of speakers in English ${took} ms after the click`);
    const text = await rightText();
    assert.match(text, /List of speakers/, 'hall-right labels are in English');
    assert.doesNotMatch(text, /Lista de oradores|Tiene la palabra/, 'no Spanish label is left on hall-right');
    assert.equal(await right.evaluate(() => document.documentElement.lang), 'en', 'the document language follows');
    await right.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    await right.locator(hook('queue-item', { delegation: 'br' })).waitFor({ timeout: 5_000 });
    // The other screen is untouched.
    assert.equal(await left.locator(hook('screen-view')).getAttribute('data-view'), 'current_speaker');
    assert.equal(await left.locator(hook('screen-view')).getAttribute('lang'), 'es');
    await shoot('hallRight', 'screen-hall-right-speakers-list-en');

    // Two more views, for the record (photographed in step 5's spirit).
    await assign('running_order', ['en']);
    await right.getByTestId('running-order').first().waitFor({ timeout: 5_000 });
    await shoot('hallRight', 'screen-hall-right-running-order-en');
    await assign('interpretation_legend', ['es']);
    await right.getByTestId('interpretation-legend').first().waitFor({ timeout: 5_000 });
    assert.match(await rightText(), /Portugués|Portuguese/i, 'the legend names the Portuguese channel');
    await shoot('hallRight', 'screen-hall-right-interpretation-legend-es');

    // Back to the speaker, in English: the countdown follows the language too.
    await assign('current_speaker', ['en']);
    await right.locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    assert.match(await rightText(), /Now speaking/);
    assert.doesNotMatch(await rightText(), /Tiene la palabra/);
    await shoot('hallRight', 'screen-hall-right-current-speaker-en');
  });

  step('4. a screen that loses its connection keeps counting, and catches up when it is back', async (t) => {
    const left = page('hallLeft');
    const chair = page('chair');
    const link = hallLeftLink ?? assert.fail('no link for hall-left');
    const context = people.hallLeft?.context ?? assert.fail('no hall-left context');
    assert.equal(await connectionStatus(left), 'live');

    // The kiosk's network goes: offline, and its open websocket is dropped
    // (Chromium's offline emulation leaves an open websocket alone).
    const cutAt = Date.now();
    await context.setOffline(true);
    link.cut();
    await waitIn(left, 'hall-left notices it lost the connection', () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') !== 'live');
    t.diagnostic(`hall-left not live ${Date.now() - cutAt} ms after the cut (${await connectionStatus(left)})`);
    // The discreet "reconnecting" on the screen itself.
    const indicator = '[data-testid="connection-status"]:not([data-status="live"])';
    await left.locator(indicator).waitFor({ state: 'visible', timeout: 2_000 });
    assert.deepEqual(await textsCoveredBy(left, indicator), [], 'the "reconnecting" indicator covers no other text on the screen');
    const first = await countdownOf(left, 'hall-left offline');
    assert.equal(first.run, 'running', 'the offline screen keeps its countdown running');

    // Meanwhile the chair gives Honduras one more minute, in the UI.
    await chair.getByTestId('extend').click();
    await chair.locator(hook('extend')).and(chair.locator('[data-state="acked"]')).waitFor({ timeout: 5_000 });
    const [screenNow, chairNow] = await Promise.all([countdownOf(left, 'hall-left offline'), countdownOf(chair, 'chair')]);
    const behind = atSameInstant(chairNow, screenNow);
    t.diagnostic(`while offline, hall-left is ${behind.toFixed(0)} ms behind the chair's extended countdown`);
    assert.ok(Math.abs(behind - 60_000) <= 250, `the offline screen cannot know of the extension yet: ${behind.toFixed(0)} ms behind, expected 60000`);

    // It keeps counting, at the pace of the clock, for ~2 s.
    await waitIn(
      left,
      'hall-left keeps counting down 2 s while offline',
      (from) => Number(document.querySelector('[data-testid="countdown"]')?.getAttribute('data-remaining-ms')) <= from - 2_000,
      first.remaining,
      6_000,
    );
    const second = await countdownOf(left, 'hall-left offline, 2 s later');
    const counted = first.remaining - second.remaining;
    const passed = second.at - first.at;
    t.diagnostic(`offline: counted ${counted} ms down in ${passed.toFixed(0)} ms`);
    assert.ok(Math.abs(counted - passed) <= 100, `the offline countdown follows the clock: ${counted} ms counted in ${passed.toFixed(0)} ms`);
    assert.notEqual(await connectionStatus(left), 'live', 'hall-left is still offline');
    await shoot('hallLeft', 'screen-hall-left-reconnecting');

    // The network is back.
    const backAt = Date.now();
    link.restore();
    await context.setOffline(false);
    await waitIn(left, 'hall-left is live again', () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live', undefined, 15_000);
    t.diagnostic(`hall-left live again ${Date.now() - backAt} ms after the network came back`);
    const [after, chairAfter] = await Promise.all([countdownOf(left, 'hall-left back'), countdownOf(chair, 'chair')]);
    const gap = atSameInstant(after, chairAfter);
    t.diagnostic(`back online, hall-left shows ${after.remaining} ms, ${gap.toFixed(1)} ms from the chair's countdown`);
    // Within a clock sync of the chair's (a console, synced while nine pages
    // loaded); the screens are held to 50 ms against each other below.
    assert.ok(Math.abs(gap) <= 250, `hall-left must catch up with the extension: ${gap.toFixed(1)} ms off the chair's countdown`);
    assert.ok(after.remaining - (second.remaining - (after.at - second.at)) >= 59_000, 'the extra minute is on the screen');
    const agree = await countdownDisagreement(left, page('hallRight'), 5);
    t.diagnostic(`hall-left vs hall-right after the outage: worst ${agree.worst.toFixed(1)} ms`);
    assert.ok(agree.worst <= AGREE_WITHIN_MS, `the screens disagree by ${agree.worst.toFixed(1)} ms after the outage`);
  });

  step('5. every surface is photographed, full page, into $ARTIFACTS', async (t) => {
    // What each surface should show at this point.
    await page('booth').locator(hook('current-speaker', { delegation: 'hn' })).first().waitFor({ timeout: 5_000 });
    await page('public').locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });
    await page('public').locator(hook('queue-item', { delegation: 'br' })).waitFor({ timeout: 5_000 });
    await page('br').locator(hook('my-position', { position: '1' })).waitFor({ timeout: 5_000 });
    await page('gt').locator(hook('current-speaker', { delegation: 'hn' })).waitFor({ timeout: 5_000 });

    await shoot('chair', 'chair');
    await shoot('hn', 'delegation-hn-has-the-floor');
    await shoot('gt', 'delegation-gt');
    await shoot('br', 'delegation-br-waiting');
    await shoot('hallLeft', 'screen-hall-left-current-speaker-es-en');
    await shoot('technician', 'technician');
    await shoot('booth', 'booth-es');
    await shoot('public', 'public');
    for (const path of shots) {
      const head = readFileSync(path).subarray(0, 8);
      assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is a PNG`);
      assert.ok(statSync(path).size > 5_000, `${path} is not blank`);
    }
    t.diagnostic(`screenshots: ${shots.map((p) => p.slice(ARTIFACTS.length + 1)).join(', ')}`);
  });

  it('the browser closes and the server stops on SIGTERM with exit code 0', { timeout: 30_000 }, async () => {
    await browser?.close();
    browser = undefined;
    await hallLeftLink?.close();
    hallLeftLink = undefined;
    const { code: exitCode, signal, forced } = await server.stop();
    assert.equal(forced, false, `the server did not stop within 10 s of SIGTERM\n${server.output()}`);
    assert.equal(exitCode, 0, `the server exited with ${exitCode} (signal ${signal})\n${server.output()}`);
  });
});
