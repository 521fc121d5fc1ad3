// Issue 15 in the chair console: the live report draws the record the
// presiding view carries (figures from Rust, none computed here but today's
// running time), downloads the minutes with the console's code, and every
// time is shown in the meeting's time zone.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import { client } from '../src/client';
import type { SurfaceView } from '../src/client/protocol';
import { meetingTimeZone, timeOfDay, uiLang } from '../src/i18n';
import { ReportPanel } from '../src/surfaces/chair/ReportPanel';
import { NOW, presidingView, sessionRecord } from './consoleViews';

describe('the live report', () => {
  let root: HTMLDivElement;
  const doc = signal<SurfaceView | null>(null);
  const $ = (testid: string) => root.querySelector<HTMLElement>(`[data-testid="${testid}"]`);

  beforeEach(() => {
    uiLang.value = 'en';
    vi.spyOn(client(), 'view', 'get').mockReturnValue(doc);
    vi.spyOn(client(), 'serverNow').mockReturnValue(NOW);
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    meetingTimeZone.value = undefined;
  });

  it('draws the record: totals, a bar per category and delegation, channels', async () => {
    await act(() => render(<ReportPanel view={presidingView()} />, root));
    const totals = $('report-totals')!;
    expect(totals.dataset.speeches).toBe('2');
    expect(totals.dataset.spokenMs).toBe('630000');
    const categories = [...$('report-by-category')!.querySelectorAll<SVGGElement>('g[data-key]')];
    expect(categories.map((g) => [g.dataset.key, g.dataset.ms])).toEqual([
      ['member_state', '630000'],
      ['civil_society', '0'],
    ]);
    expect(categories[0]!.querySelector('text')!.textContent).toBe('Member state');
    expect(categories[0]!.querySelectorAll('rect')).toHaveLength(1);
    const delegations = [...$('report-by-delegation')!.querySelectorAll<SVGGElement>('g[data-key]')];
    expect(delegations.map((g) => g.dataset.key)).toEqual(['gt', 'bz']);
    // Each channel's bar adds up to everything spoken.
    for (const g of $('report-interpretation')!.querySelectorAll<SVGGElement>('g[data-key]')) {
      expect(g.dataset.ms).toBe(String(sessionRecord.totals.spoken));
    }
  });

  it("adds the current item's running time to today's used time", async () => {
    await act(() => render(<ReportPanel view={presidingView()} />, root));
    const today = $('report-today')!;
    // 35 min done + 10 min of the current item, of 60 planned.
    expect(today.dataset.usedMs).toBe(String(2_100_000 + 600_000));
    expect(today.dataset.plannedMs).toBe('3600000');
    expect(today.textContent).toContain('Remaining: 15 min');
  });

  it('speaks the interface language', async () => {
    uiLang.value = 'es';
    await act(() => render(<ReportPanel view={presidingView()} />, root));
    expect($('report-panel')!.textContent).toContain('Tiempo de palabra por categoría');
    expect($('report-by-category')!.textContent).toContain('Estado miembro');
  });

  it('downloads an export with the console code as a bearer token', async () => {
    vi.spyOn(client(), 'accessCode', 'get').mockReturnValue('7K4M-Q2XD-9HTR-B3WN');
    vi.spyOn(client(), 'meetingId', 'get').mockReturnValue('san-pedro-sula-2017');
    const fetched: [string, RequestInit][] = [];
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      fetched.push([url, init]);
      return Promise.resolve(new Response('<html></html>', { status: 200 }));
    });
    URL.createObjectURL = () => 'blob:minutes';
    URL.revokeObjectURL = () => {};
    await act(() => render(<ReportPanel view={presidingView()} />, root));
    const html = root.querySelector<HTMLButtonElement>('[data-testid="report-download"][data-format="html"]')!;
    await act(async () => {
      html.click();
      await Promise.resolve();
    });
    expect(fetched[0]![0]).toBe('/api/v1/meetings/san-pedro-sula-2017/export?format=html&lang=en');
    expect((fetched[0]![1].headers as Record<string, string>).Authorization).toBe('Bearer 7K4M-Q2XD-9HTR-B3WN');
  });
});

describe("the meeting's time zone", () => {
  afterEach(() => {
    meetingTimeZone.value = undefined;
  });

  it('shows times on the clock of the meeting, not of the browser', () => {
    // 27 October 2017, 09:20 UTC is 03:20 in San Pedro Sula.
    meetingTimeZone.value = 'America/Tegucigalpa';
    expect(timeOfDay(NOW, 'en')).toBe('03:20');
    meetingTimeZone.value = 'UTC';
    expect(timeOfDay(NOW, 'en')).toBe('09:20');
  });

  it('falls back to the browser zone for a zone the engine does not know', () => {
    meetingTimeZone.value = 'Mars/Olympus_Mons';
    expect(timeOfDay(NOW, 'en')).toMatch(/^\d\d:\d\d$/);
  });
});
