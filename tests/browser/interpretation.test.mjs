// Issue 12 acceptance, end to end ("interpretation that booths would
// trust"): the real `plenary demo` binary on the reference meeting,
// Chromium, real clicks and typing.
//
//   1. Canada asks for the floor in French, typed in its console (any
//      language: the meeting's are only suggestions); before Canada is
//      called, the chair sees the recommendation: the Spanish booth hands
//      over to Andrés Molina (C fr), the Portuguese booth to Rafael Nogueira;
//   2. each booth accepts its handover with one click: the server records
//      it, and the booth shows the new interpreter on the mic;
//   3. Canada is called: the interpretation legend on a room screen shows
//      the channels of the new plan — English by relay from the Spanish
//      booth, Portuguese from the floor;
//   4. Switzerland declares German, which nobody in the booths has: it is
//      accepted, the chair is warned before Switzerland is called (a badge
//      on screen at 1366×768 and the advice "no interpretation for de"),
//      and once called the room screens say "sin interpretación · no
//      interpretation" by the speaker and in the legend.
//
// Set-up that is not under test (the item, Honduras on the list and on the
// floor, the legend's screen) goes through the REST API; what is under test
// goes through the surfaces. Screenshots in $ARTIFACTS.
//
// Run with ./scripts/browser-tests (PLENARY_BIN, ARTIFACTS).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { ROOT, hook, launchChromium, restCommand, restState, startServer, scenario, waitIn } from './harness.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./harness.mjs').Server} Server */

const BIN = process.env.PLENARY_BIN ?? join(ROOT, 'target', 'debug', 'plenary');
const ARTIFACTS = process.env.ARTIFACTS ?? join(ROOT, 'test-artifacts');
const ITEM = 'stocktaking';

/** Who takes part, the viewport of their device, and the hook that says their surface is up. */
const PEOPLE = /** @type {const} */ ({
  chair: { role: 'chair', viewport: { width: 1366, height: 768 }, ready: 'chair-console' },
  ca: { role: 'delegation:ca', viewport: { width: 390, height: 844 }, ready: 'delegation-console' },
  ch: { role: 'delegation:ch', viewport: { width: 390, height: 844 }, ready: 'delegation-console' },
  boothEs: { role: 'interpreter:booth-es', viewport: { width: 1280, height: 800 }, ready: 'booth-view' },
  boothPt: { role: 'interpreter:booth-pt', viewport: { width: 1280, height: 800 }, ready: 'booth-view' },
  // Set to the interpretation legend by the technician (REST).
  legend: { role: 'screen:hall-left', viewport: { width: 1920, height: 1080 }, ready: 'screen-view' },
  // The current speaker, as configured.
  speaker: { role: 'screen:hall-right', viewport: { width: 1920, height: 1080 }, ready: 'screen-view' },
  // The speakers list, as configured.
  list: { role: 'screen:behind-chair', viewport: { width: 1920, height: 1080 }, ready: 'screen-view' },
});

/** @typedef {keyof typeof PEOPLE} Person */

/** Whether a box lies wholly within the viewport. */
const within = (/** @type {{ x: number, y: number, width: number, height: number }} */ box, /** @type {{ width: number, height: number }} */ viewport) =>
  box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width + 0.5 && box.y + box.height <= viewport.height + 0.5;

describe('issue 12: interpretation that booths would trust', { timeout: 300_000 }, () => {
  /** @type {Server} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {Partial<Record<Person, Page>>} */
  const pages = {};

  /** @param {string} role */
  const code = (role) => server.access.get(role)?.code ?? assert.fail(`no access code for ${role}`);
  /** @param {string} role @param {object} command */
  const rest = (role, command) => restCommand(server, code(role), command);
  /** The meeting as the chair's code sees it (REST). */
  const state = async () => (await restState(server, code('chair'))).state;
  /** The open request of a delegation on the item, as the server has it. @param {string} delegation */
  const requestOf = async (delegation) =>
    (await state()).agenda.items
      .find((/** @type {{ id: string }} */ i) => i.id === ITEM)
      ?.speakers.requests.find((/** @type {{ delegation: string, status: { status: string } }} */ r) => r.delegation === delegation && r.status.status === 'requested');
  /** @param {Person} who */
  const page = (who) => pages[who] ?? assert.fail(`${who}'s page is not open`);

  /**
   * A screenshot of what the page shows (the viewport, as a person sees it
   * without scrolling) into $ARTIFACTS.
   * @param {Page} p @param {string} name
   */
  async function shoot(p, name) {
    await p.evaluate(() => document.fonts.ready.then(() => undefined));
    await p.screenshot({ path: join(ARTIFACTS, `issue12-${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  const step = scenario({ prefix: 'issue12-', artifacts: ARTIFACTS, pages: () => pages, timeout: 60_000 });

  /** Opens a person's surface in a context of its own and waits until it is live. @param {Person} who */
  async function open(who) {
    if (!browser) throw new Error('no browser');
    const { role, viewport, ready } = PEOPLE[who];
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
        throw new Error(`${who}: "${ready}" did not open; page errors: ${errors.join('; ') || 'none'}`, { cause: e });
      });
    await waitIn(p, `${who} goes live`, () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live');
    pages[who] = p;
    return p;
  }

  /** A coverage line of a page, by delegation. @param {Page} p @param {string} delegation */
  const coverageLine = (p, delegation) => p.locator(hook('coverage-line', { delegation }));
  /** The handover advice to `to` in a line. @param {import('playwright-core').Locator} line @param {string} booth @param {string} to */
  const handOver = (line, booth, to) => line.locator(hook('coverage-advice', { advice: 'hand_over', booth, to }));

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ bin: BIN });
    // Set-up: the debate, Honduras on its list and on the floor (in Spanish),
    // and the left hall screen on the interpretation legend.
    await rest('chair', { type: 'open_item', item: ITEM });
    await rest('delegation:hn', { type: 'request_floor', item: ITEM, delegation: 'hn', kind: 'statement', language: null });
    await rest('chair', { type: 'call_next' });
    await rest('technician', { type: 'assign_view', target: { kind: 'screen', id: 'hall-left' }, view: 'interpretation_legend', languages: null });
    browser = await launchChromium();
    for (const who of /** @type {Person[]} */ (Object.keys(PEOPLE))) await open(who);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  step('1. Canada asks for the floor in French, typed in its console; the chair sees the recommended handovers before Canada is called', async (t) => {
    const ca = page('ca');
    const chair = page('chair');
    // French is typed, not picked: the field takes any tag, and the list names it.
    const tag = ca.getByTestId('request-language-tag');
    assert.equal(await tag.inputValue(), 'en', "Canada's usual language to start with");
    await tag.fill('fr');
    assert.equal(await ca.getByTestId('request-language').inputValue(), 'fr');
    assert.match((await ca.locator('[data-testid="request-language"] option:checked').textContent()) ?? '', /^francés$/);
    await shoot(ca, 'delegation-390-language-typed');
    await ca.getByTestId('request-statement').click();
    await ca.locator('[data-testid="request-statement"][data-state="acked"]').waitFor({ timeout: 5_000 });
    await ca.getByTestId('my-request').waitFor({ timeout: 5_000 });
    assert.equal((await requestOf('ca'))?.language, 'fr', "the server recorded Canada's request in French");
    assert.equal(await ca.locator('[data-testid="my-request"] .lang-tag').textContent(), 'fr');
    await shoot(ca, 'delegation-390-requested-in-french');

    // Before Canada is called: the chair's recommendation for Canada.
    const line = coverageLine(chair, 'ca');
    await line.waitFor({ timeout: 5_000 });
    assert.equal(await line.getAttribute('data-on-floor'), 'false', 'Canada is still to come');
    assert.equal(await line.getAttribute('data-lang'), 'fr');
    const es = handOver(line, 'booth-es', 'es-2');
    const pt = handOver(line, 'booth-pt', 'pt-2');
    await es.waitFor({ timeout: 5_000 });
    await pt.waitFor({ timeout: 5_000 });
    const esText = (await es.textContent()) ?? '';
    t.diagnostic(`chair: ${esText} | ${await pt.textContent()}`);
    assert.match(esText, /Cabina española: relevo a Andrés Molina \(C fr\) antes de que hable Canadá/);
    assert.match((await pt.textContent()) ?? '', /Cabina portuguesa: relevo a Rafael Nogueira \(C fr\)/);
    assert.equal(await line.getByTestId('accept-advice').count(), 0, 'the chair reads the advice; the booths accept it');
    // Where the chair sees it at 1366×768 without scrolling.
    assert.equal(await chair.evaluate(() => window.scrollY), 0);
    const box = await es.boundingBox();
    assert.ok(box && within(box, PEOPLE.chair.viewport), `the handover advice is on the chair's screen: ${JSON.stringify(box)}`);
    await shoot(chair, 'chair-1366x768-recommended-handover');
  });

  step('2. each booth accepts its handover with one click; the server records it and the booth shows who is on the mic', async (t) => {
    for (const [who, booth, from, to, name] of /** @type {const} */ ([
      ['boothEs', 'booth-es', 'es-1', 'es-2', 'Andrés Molina'],
      ['boothPt', 'booth-pt', 'pt-1', 'pt-2', 'Rafael Nogueira'],
    ])) {
      const p = page(who);
      const onMic = p.getByTestId('booth-partner').locator('[data-on-mic="true"]');
      assert.equal(await onMic.getAttribute('data-interpreter'), from, `${booth}: ${from} on the mic before`);
      const advice = handOver(coverageLine(p, 'ca'), booth, to);
      await advice.waitFor({ timeout: 5_000 });
      assert.match((await advice.textContent()) ?? '', new RegExp(`relevo a ${name}`));
      const accept = advice.getByTestId('accept-advice');
      assert.match((await accept.textContent()) ?? '', /Aceptar/);
      await shoot(p, `${booth}-recommended`);
      // One click.
      await accept.click();
      await p.locator(`[data-testid="booth-partner"] [data-on-mic="true"][data-interpreter="${to}"]`).waitFor({ timeout: 5_000 });
      const recorded = (await state()).interpretation.booths[booth];
      t.diagnostic(`${booth}: ${JSON.stringify(recorded)}`);
      assert.equal(recorded.on_mic, 1, `${booth}: the second interpreter (${to}) is on the mic in the server's state`);
      assert.ok(recorded.left_mic?.[from] !== undefined, `${booth}: ${from}'s rest counts from now`);
      // The advice is done with: no handover left for Canada in this booth.
      await handOver(coverageLine(p, 'ca'), booth, to).waitFor({ state: 'detached', timeout: 5_000 });
      await shoot(p, `${booth}-after-accept`);
    }
    // The chair's recommendation follows.
    const chair = page('chair');
    await handOver(coverageLine(chair, 'ca'), 'booth-es', 'es-2').waitFor({ state: 'detached', timeout: 5_000 });
    await handOver(coverageLine(chair, 'ca'), 'booth-pt', 'pt-2').waitFor({ state: 'detached', timeout: 5_000 });
  });

  step('3. Canada is called: the legend shows the channels of the new plan', async (t) => {
    const chair = page('chair');
    const legend = page('legend');
    assert.equal(await legend.getByTestId('screen-view').getAttribute('data-view'), 'interpretation_legend');
    await chair.getByTestId('call-next').click();
    await chair.locator(hook('current-speaker', { delegation: 'ca' })).waitFor({ timeout: 5_000 });
    const column = legend.getByTestId('interpretation-legend').first();
    // The floor in French; English by relay from the Spanish booth, Portuguese from the floor.
    await waitIn(legend, 'the legend shows the floor in French', () =>
      /Francés/.test(document.querySelector('[data-testid="interpretation-legend"]')?.textContent ?? ''),
    );
    await waitIn(legend, 'English by relay', () => document.querySelector('[data-testid="interpretation-legend"] [data-channel="2"] [data-relay]') !== null);
    assert.equal(await column.locator('[data-channel="3"] [data-relay]').count(), 0, 'Portuguese straight from the floor');
    assert.equal(await column.locator('[data-channel="1"] [data-relay]').count(), 0, 'Spanish straight from the floor');
    assert.equal(await legend.getByTestId('no-interpretation').count(), 0, 'French is interpreted');
    // As the server planned it.
    const s = await state();
    assert.equal(s.floor.current?.delegation, 'ca');
    assert.equal(s.floor.current?.language, 'fr');
    t.diagnostic(`legend: ${(await column.textContent())?.replace(/\s+/g, ' ')}`);
    await shoot(legend, 'screen-1920x1080-legend-french');
  });

  step('4. Switzerland declares German: accepted; the chair is warned before it is called; the screens say "no interpretation"', async (t) => {
    const ch = page('ch');
    const chair = page('chair');
    // Switzerland asks in its usual language, then declares German, typed.
    await ch.getByTestId('request-statement').click();
    await ch.getByTestId('my-request').waitFor({ timeout: 5_000 });
    await ch.getByTestId('declare-language-select-tag').fill('de');
    assert.match((await ch.locator('[data-testid="declare-language-select"] option:checked').textContent()) ?? '', /^alemán$/);
    await ch.getByTestId('declare-language').click();
    await ch.locator('[data-testid="declare-language"][data-state="acked"]').waitFor({ timeout: 5_000 });
    await waitIn(ch, 'the request says German', () => document.querySelector('[data-testid="my-request"] .lang-tag')?.textContent === 'de');
    assert.equal((await requestOf('ch'))?.language, 'de', "the server recorded Switzerland's request in German");
    assert.equal(await ch.getByTestId('command-refusal').count(), 0, 'German is accepted');
    await shoot(ch, 'delegation-390-declared-german');

    // The chair, before Switzerland is called: a badge on screen, and the advice.
    const badge = chair.locator(hook('interpretation-badge', { kind: 'uninterpreted' }));
    await badge.waitFor({ timeout: 5_000 });
    const badgeText = (await badge.textContent()) ?? '';
    t.diagnostic(`chair badge: ${badgeText.trim()} (title: ${await badge.getAttribute('title')})`);
    assert.match(badgeText, /Suiza hablará en alemán: sin interpretación/);
    assert.match((await badge.getAttribute('title')) ?? '', /Sin interpretación para de/);
    const box = await badge.boundingBox();
    assert.ok(box && within(box, PEOPLE.chair.viewport), `the badge is on the chair's screen at 1366×768: ${JSON.stringify(box)}`);
    const line = coverageLine(chair, 'ch');
    assert.equal(await line.getAttribute('data-interpreted'), 'false');
    assert.equal(await line.getAttribute('data-on-floor'), 'false', 'warned before Switzerland is called');
    assert.match((await line.textContent()) ?? '', /Sin interpretación para de: ningún intérprete lo tiene/);
    await shoot(chair, 'chair-1366x768-no-interpretation-ahead');
    // The booth hears of it too.
    const booth = page('boothEs');
    await coverageLine(booth, 'ch').locator(hook('coverage-advice', { advice: 'no_interpreter' })).waitFor({ timeout: 5_000 });
    await shoot(booth, 'booth-es-no-interpretation-ahead');

    // Switzerland is called.
    await chair.getByTestId('call-next').click();
    await chair.locator(hook('current-speaker', { delegation: 'ch' })).waitFor({ timeout: 5_000 });
    const s = await state();
    assert.equal(s.floor.current?.language, 'de');
    const speaker = page('speaker');
    await speaker.locator(hook('current-speaker', { delegation: 'ch' })).waitFor({ timeout: 5_000 });
    const notice = speaker.getByTestId('current-speaker').getByTestId('no-interpretation');
    await notice.waitFor({ timeout: 5_000 });
    assert.equal((await notice.textContent())?.trim(), 'sin interpretación · no interpretation');
    const size = await notice.evaluate((el) => ({ font: parseFloat(getComputedStyle(el).fontSize), height: innerHeight }));
    t.diagnostic(`"no interpretation" by the speaker: ${size.font}px on a ${size.height}px screen`);
    assert.ok(size.font >= 0.04 * size.height, `readable from the back of the hall: ${size.font}px`);
    const nbox = await notice.boundingBox();
    assert.ok(nbox && within(nbox, PEOPLE.speaker.viewport), `on the screen: ${JSON.stringify(nbox)}`);
    await shoot(speaker, 'screen-1920x1080-speaker-no-interpretation');

    const list = page('list');
    await list.locator('[data-testid="current-speaker"][data-delegation="ch"] [data-testid="no-interpretation"]').first().waitFor({ timeout: 5_000 });
    assert.deepEqual(
      await list.getByTestId('no-interpretation').allTextContents(),
      ['sin interpretación', 'no interpretation'],
      'the speakers list, in each of its languages',
    );
    await shoot(list, 'screen-1920x1080-list-no-interpretation');

    const legend = page('legend');
    await waitIn(legend, 'the legend says no interpretation', () => document.querySelectorAll('[data-testid="no-interpretation"]').length === 2);
    assert.deepEqual(await legend.getByTestId('no-interpretation').allTextContents(), ['sin interpretación', 'no interpretation']);
    assert.match((await legend.getByTestId('interpretation-legend').first().textContent()) ?? '', /Alemán/);
    await shoot(legend, 'screen-1920x1080-legend-no-interpretation');
    await shoot(chair, 'chair-1366x768-no-interpretation-now');
  });
});
