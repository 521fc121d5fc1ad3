// Issue 15 acceptance, end to end ("the record of the session"): the real
// `plenary demo` binary on the reference meeting, Chromium, real clicks.
//
//   1. Two speeches given and ended from the chair console (1366×768, in a
//      browser set to UTC while the meeting is in America/Tegucigalpa):
//      the live report's totals and bars equal the speaking log the server
//      keeps (REST), and the console's clock reads San Pedro Sula's time.
//   2. The secretariat downloads the HTML minutes from the report (in
//      Spanish): Chromium prints them to an A4 PDF; the page count is in a
//      stated range, every <svg> has visible marks, no table row crosses a
//      page (the text of every cell of a row is found on one PDF page), and
//      the pages are turned into PNGs with pdftoppm to look at.
//
// Set-up that is not under test (the item, the requests) goes through the
// REST API. Screenshots, the minutes, the PDF and its pages in $ARTIFACTS.
//
// Run with ./scripts/browser-tests (PLENARY_BIN, ARTIFACTS).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe } from 'node:test';
import { ROOT, hook, launchChromium, restCommand, restState, scenario, startServer, waitIn } from './harness.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./harness.mjs').Server} Server */

const BIN = process.env.PLENARY_BIN ?? join(ROOT, 'target', 'debug', 'plenary');
const ARTIFACTS = process.env.ARTIFACTS ?? join(ROOT, 'test-artifacts');
const ITEM = 'stocktaking';
const ZONE = 'America/Tegucigalpa';
/** The A4 minutes of a short afternoon: header and totals, two timelines,
 * the running order table, three share charts, overruns, procedural
 * speeches, interpretation, the log and the signature. */
const PAGES = { min: 3, max: 8 };

describe('issue 15: the record of the session', { timeout: 300_000 }, () => {
  /** @type {Server} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {Record<string, Page>} */
  const pages = {};

  /** @param {string} role */
  const code = (role) => server.access.get(role)?.code ?? assert.fail(`no access code for ${role}`);
  /** @param {string} role @param {object} command */
  const rest = (role, command) => restCommand(server, code(role), command);

  /** @param {Page} p @param {string} name */
  async function shoot(p, name) {
    await p.evaluate(() => document.fonts.ready.then(() => undefined));
    await p.screenshot({ path: join(ARTIFACTS, `issue15-${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  const step = scenario({ prefix: 'issue15-', artifacts: ARTIFACTS, pages: () => pages, timeout: 90_000 });

  /** Opens a role's console at 1366×768 in a browser set to UTC. @param {string} role @param {string} locale */
  async function open(role, locale) {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale, timezoneId: 'UTC', acceptDownloads: true });
    const p = await context.newPage();
    /** @type {string[]} */
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    const link = server.access.get(role)?.link ?? assert.fail(`${role} is not in the demo's table`);
    await p.goto(link, { waitUntil: 'domcontentloaded', timeout: 15_000 });
    await p
      .locator(hook('chair-console'))
      .waitFor({ timeout: 15_000 })
      .catch((e) => {
        throw new Error(`${role}: the console did not open; page errors: ${errors.join('; ') || 'none'}`, { cause: e });
      });
    await waitIn(p, `${role} goes live`, () => document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-status') === 'live');
    pages[role] = p;
    return p;
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ bin: BIN });
    await rest('chair', { type: 'open_item', item: ITEM });
    await rest('delegation:hn', { type: 'request_floor', item: ITEM, delegation: 'hn', kind: 'statement', language: null });
    await rest('delegation:us', { type: 'request_floor', item: ITEM, delegation: 'us', kind: 'statement', language: null });
    browser = await launchChromium();
    await open('chair', 'en-US');
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  step('1. two speeches from the chair console; the live report equals the speaking log', async (t) => {
    const chair = pages.chair;
    // Nothing spoken yet.
    await chair.locator(hook('report-totals', { speeches: '0' })).waitFor({ timeout: 5_000 });
    for (const delegation of ['hn', 'us']) {
      await chair.getByTestId('call-next').click();
      await chair.locator(hook('current-speaker', { delegation })).first().waitFor({ timeout: 5_000 });
      await chair.waitForTimeout(1_500);
      await chair.getByTestId('end-speech').click();
      await chair.locator(hook('current-speaker', { delegation: '' })).first().waitFor({ timeout: 5_000 });
    }
    const report = chair.getByTestId('report-panel');
    await chair.locator(hook('report-totals', { speeches: '2' })).waitFor({ timeout: 5_000 });

    // The log as the server keeps it, summed here.
    const { state } = await restState(server, code('chair'));
    const log = /** @type {{ delegation: string, spoken: number }[]} */ (state.log);
    assert.equal(log.length, 2);
    const total = log.reduce((a, s) => a + s.spoken, 0);
    const of = (/** @type {string} */ d) => log.filter((s) => s.delegation === d).reduce((a, s) => a + s.spoken, 0);
    t.diagnostic(`log: ${JSON.stringify(log.map((s) => [s.delegation, s.spoken]))}`);
    assert.ok(of('hn') >= 1_000 && of('us') >= 1_000, 'each spoke over a second');

    const totals = chair.getByTestId('report-totals');
    assert.equal(Number(await totals.getAttribute('data-spoken-ms')), total);
    // The bars: by category (Honduras a member state, the United States a
    // cooperating state) and by delegation.
    const bar = async (/** @type {string} */ chart, /** @type {string} */ key) =>
      Number(await chair.locator(`[data-testid="${chart}"] g[data-key="${key}"]`).getAttribute('data-ms'));
    assert.equal(await bar('report-by-category', 'member_state'), of('hn'));
    assert.equal(await bar('report-by-category', 'cooperating_state'), of('us'));
    assert.equal(await bar('report-by-delegation', 'hn'), of('hn'));
    assert.equal(await bar('report-by-delegation', 'us'), of('us'));
    // Drawn: the two delegation bars have width in proportion.
    const widths = await chair.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('[data-testid="report-by-delegation"] g[data-key]')].map((g) => [
          g.getAttribute('data-key'),
          g.querySelector('rect')?.getBoundingClientRect().width ?? 0,
        ]),
      ),
    );
    t.diagnostic(`bar widths: ${JSON.stringify(widths)}`);
    assert.ok(widths.hn > 0 && widths.us > 0);
    // Every channel carried every minute spoken.
    const channels = await chair.locator('[data-testid="report-interpretation"] g[data-key]').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-ms'))));
    assert.ok(channels.length >= 2);
    for (const ms of channels) assert.equal(ms, total);

    // Times in the meeting's zone, though the browser is in UTC.
    const clock = ((await chair.getByTestId('clock').textContent()) ?? '').trim();
    const meetingTime = (/** @type {number} */ ms) =>
      new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: ZONE }).format(new Date(ms));
    const now = Date.now();
    t.diagnostic(`clock: ${clock}; San Pedro Sula: ${meetingTime(now)}`);
    assert.ok([meetingTime(now - 60_000), meetingTime(now), meetingTime(now + 60_000)].some((m) => clock.startsWith(m)), `the clock shows ${clock}`);

    // The report's top at the top of the window, as the chair scrolls to it.
    await report.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shoot(chair, 'chair-1366x768-live-report');
    // The whole panel, taller than the window.
    await report.screenshot({ path: join(ARTIFACTS, 'issue15-chair-report-panel.png'), animations: 'disabled' });
    await chair.getByTestId('report-downloads').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await shoot(chair, 'chair-1366x768-report-downloads');
  });

  step('2. the HTML minutes, downloaded from the report, print on A4 with charts and whole rows', async (t) => {
    const secretariat = await open('secretariat', 'es-HN');
    await secretariat.getByTestId('report-lang').selectOption('es');
    const [download] = await Promise.all([
      secretariat.waitForEvent('download', { timeout: 10_000 }),
      secretariat.locator(hook('report-download', { format: 'html' })).click(),
    ]);
    const html = join(ARTIFACTS, 'issue15-minutes.es.html');
    await download.saveAs(html);
    t.diagnostic(`downloaded ${download.suggestedFilename()}`);

    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 794, height: 1123 } });
    const p = await context.newPage();
    pages.minutes = p;
    await p.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    assert.equal(await p.locator('html').getAttribute('lang'), 'es');
    assert.match((await p.locator('h1').textContent()) ?? '', /^Acta — /);

    // Every chart has visible marks: filled shapes that are not the
    // white background, with an area.
    const marks = await p.evaluate(() =>
      [...document.querySelectorAll('svg')].map((svg) => ({
        chart: svg.closest('figure')?.getAttribute('data-chart') ?? '?',
        marks: [...svg.querySelectorAll('rect, path, polygon, polyline, circle')].filter((el) => {
          const box = el.getBoundingClientRect();
          const fill = getComputedStyle(el).fill;
          const stroke = getComputedStyle(el).stroke;
          const ink = (c) => c !== 'none' && c !== 'rgb(255, 255, 255)' && c !== '#ffffff' && c !== 'white';
          return box.width > 0 && box.height > 0 && (ink(fill) || ink(stroke));
        }).length,
      })),
    );
    t.diagnostic(`svg marks: ${JSON.stringify(marks)}`);
    assert.ok(marks.length >= 5, 'timelines, three shares and interpretation');
    for (const m of marks) assert.ok(m.marks > 0, `${m.chart} has no visible mark`);

    // Rows are never split: the print rule holds on every row…
    await p.emulateMedia({ media: 'print' });
    const rows = await p.evaluate(() =>
      [...document.querySelectorAll('tr')].map((tr) => ({
        avoid: getComputedStyle(tr).breakInside,
        cells: [...tr.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()).filter((c) => c.length > 0),
      })),
    );
    for (const r of rows) assert.equal(r.avoid, 'avoid', `a row may split: ${r.cells.join(' | ')}`);

    const pdf = join(ARTIFACTS, 'issue15-minutes.es.pdf');
    await p.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    const count = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    t.diagnostic(`${count} pages`);
    assert.ok(count >= PAGES.min && count <= PAGES.max, `${count} pages, expected ${PAGES.min}–${PAGES.max}`);

    // …and in the PDF: the text of every cell of a row is on one page.
    const pageTexts = [];
    for (let n = 1; n <= count; n++) {
      const text = execFileSync('pdftotext', ['-raw', '-f', String(n), '-l', String(n), pdf, '-'], { encoding: 'utf8' });
      pageTexts.push(text.replace(/\s+/g, ''));
    }
    for (const r of rows) {
      // Compared without white space: a cell's text wraps inside it.
      const whole = pageTexts.some((text) => r.cells.every((c) => text.includes(c.replace(/\s+/g, ''))));
      assert.ok(whole, `a row crosses a page: ${r.cells.join(' | ')}`);
    }

    // The pages as PNGs, to look at.
    for (const f of readdirSync(ARTIFACTS)) if (f.startsWith('issue15-pdf-page')) rmSync(join(ARTIFACTS, f));
    execFileSync('pdftoppm', ['-r', '60', '-png', pdf, join(ARTIFACTS, 'issue15-pdf-page')]);
    const pngs = readdirSync(ARTIFACTS).filter((f) => f.startsWith('issue15-pdf-page') && f.endsWith('.png'));
    assert.equal(pngs.length, count);
    await shoot(secretariat, 'secretariat-1366x768-after-download');
  });
});
