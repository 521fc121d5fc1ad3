// The delegation console, the room screen and the public view render their
// documents as the server derived them: what a delegation may ask for and
// why not, its place and expected time, who speaks and who is next (an
// interrupted speaker first), the running order, the screen's message and
// reload — with no rule applied here.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, type ComponentType } from 'preact';
import '@preact/signals';
import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import { client, type TrackedCommand } from '../src/client';
import type { Command, DelegationView, Heading, NextUp, OnFloor, PublicView, ScreenView, SurfaceView } from '../src/client/protocol';
import { App } from '../src/app';
import { uiLang } from '../src/i18n';
import DelegationConsole from '../src/surfaces/delegation/DelegationConsole';
import PublicSurface from '../src/surfaces/public/PublicView';
import RoomScreen from '../src/surfaces/screen/RoomScreen';

const NOW = 1_509_056_000_000;
const MIN = 60_000;

const heading: Heading = {
  meeting: 'demo',
  title: { es: 'Reunión', en: 'Meeting' },
  languages: ['es', 'en'],
  item: { id: 'stocktaking', title: { es: 'Balance', en: 'Stocktaking' }, kind: 'debate', number: 2, count: 2, list_open: true },
  kinds: { question: { es: 'Pregunta', en: 'Question' } },
};
const hn = { es: 'Honduras', en: 'Honduras' };
const gt = { es: 'Guatemala', en: 'Guatemala' };
const br = { es: 'Brasil', en: 'Brazil' };

/** Guatemala's point of order interrupted Honduras. */
const floor: OnFloor = {
  speech: 2,
  delegation: 'gt',
  name: gt,
  source: { from: 'request', kind: 'point_of_order', request: 3 },
  language: 'es',
  started_at: NOW - 10_000,
  countdown: { limit: 120_000, clock: { state: 'running', since: NOW - 10_000, deadline: NOW + 110_000, warning_at: NOW + 50_000, final_at: NOW + 95_000 } },
};
const next: NextUp[] = [
  {
    delegation: 'hn',
    name: hn,
    turn: 'resumes',
    source: { from: 'request', kind: 'statement', request: 1 },
    language: 'es',
    duration: 200_000,
    expected_at: { not_before: NOW + 110_000, after_now: 0 },
  },
  {
    delegation: 'br',
    name: br,
    turn: 'request',
    request: 2,
    kind: 'statement',
    language: 'pt',
    duration: 300_000,
    expected_at: { not_before: NOW + 310_000, after_now: 200_000 },
  },
];

function delegationView(): DelegationView {
  return {
    heading,
    me: { id: 'br', name: br, category: 'member_state', floor_language: 'pt' },
    floor,
    next,
    mine: [
      {
        request: 2,
        kind: 'statement',
        language: 'pt',
        limit: 300_000,
        requested_at: NOW - MIN,
        status: { status: 'requested' },
        place: 2,
        expected_at: next[1]!.expected_at,
      },
    ],
    may_request: [
      { kind: 'statement', verdict: { verdict: 'refused', code: 'already_requested', message: { en: 'this delegation already has request 2 open on this item' } } },
      { kind: 'point_of_order', verdict: { verdict: 'allowed', limit: 2 * MIN } },
      { kind: 'question', verdict: { verdict: 'allowed', limit: MIN } },
    ],
    languages: ['es', 'en', 'pt'],
  };
}

function screenView(content: ScreenView['content'], screen: Partial<ScreenView['screen']> = {}): ScreenView {
  return {
    heading,
    screen: {
      id: 'hall-left',
      name: 'Hall, left',
      location: 'left of the podium',
      groups: ['hall'],
      view: content.view,
      languages: ['es', 'en'],
      message: null,
      reloads: 0,
      ...screen,
    },
    content,
  };
}

function publicView(): PublicView {
  return {
    heading,
    floor,
    next,
    recent: [{ speech: 1, delegation: 'hn', name: hn, source: { from: 'request', kind: 'statement', request: 1 }, started_at: NOW - 100_000, ended_at: NOW - 10_000, spoken: 90_000 }],
    // Stocktaking ends at the anchor, 42 minutes from now; the closing
    // follows it (not before its planned start) and lasts 10 minutes.
    schedule: {
      anchor: { not_before: NOW + 42 * MIN, after_now: 0 },
      items: [
        {
          item: 'stocktaking',
          title: heading.item!.title,
          kind: 'debate',
          status: 'current',
          planned_start: NOW - 20 * MIN,
          planned_end: NOW + 40 * MIN,
          actual_start: NOW - 18 * MIN,
          times: { as: 'current', start: NOW - 18 * MIN },
        },
        {
          item: 'closing',
          title: { es: 'Clausura', en: 'Closing' },
          kind: 'closing',
          status: 'pending',
          planned_start: NOW + 40 * MIN,
          planned_end: NOW + 50 * MIN,
          times: { as: 'pending', after: 0, not_before: NOW + 40 * MIN, duration: 10 * MIN },
        },
      ],
      drift: { planned: NOW + 40 * MIN, projected: { not_before: NOW + 42 * MIN, after_now: 0 } },
      planned_end: NOW + 50 * MIN,
      projected_end: { not_before: NOW + 52 * MIN, after_now: 0 },
    },
  };
}

describe('the surfaces of the hall', () => {
  let root: HTMLDivElement;
  let sent: Command[];
  const doc = signal<SurfaceView | null>(null);
  const $ = (testid: string) => root.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
  const $$ = (testid: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`)];
  const show = async (view: SurfaceView, Surface: ComponentType) => {
    doc.value = view;
    await act(() => render(<Surface />, root));
  };

  beforeEach(() => {
    uiLang.value = 'en';
    sent = [];
    doc.value = null;
    vi.spyOn(client(), 'view', 'get').mockReturnValue(doc);
    vi.spyOn(client(), 'serverNow').mockReturnValue(NOW);
    vi.spyOn(client(), 'send').mockImplementation((command: Command) => {
      sent.push(command);
      return { id: `cmd-${sent.length}`, command, state: 'pending' } as unknown as TrackedCommand;
    });
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    vi.restoreAllMocks();
  });

  describe('a delegation', () => {
    it('asks for what the server allows, with its limit, and says why not in the server’s words', async () => {
      await show({ surface: 'delegation', ...delegationView() }, DelegationConsole);
      const statement = $('request-statement') as HTMLButtonElement;
      expect(statement.disabled).toBe(true);
      expect($('request-statement-reason')!.textContent).toBe('Why not: this delegation already has request 2 open on this item');
      const point = $('request-point-of-order') as HTMLButtonElement;
      expect(point.disabled).toBe(false);
      expect(point.textContent).toContain('2 min');
      expect($('request-question')!.textContent).toContain('Question');
      // Its usual language goes as none; another one is declared.
      await act(() => point.click());
      await act(() => {
        const select = $('request-language') as HTMLSelectElement;
        select.value = 'es';
        select.dispatchEvent(new Event('change'));
      });
      await act(() => ($('request-question') as HTMLButtonElement).click());
      expect(sent).toEqual([
        { type: 'request_floor', item: 'stocktaking', delegation: 'br', kind: 'point_of_order', language: null },
        { type: 'request_floor', item: 'stocktaking', delegation: 'br', kind: 'question', language: 'es' },
      ]);
    });

    it('speaks any language, typed as a tag: the document’s languages are only suggestions', async () => {
      await show({ surface: 'delegation', ...delegationView() }, DelegationConsole);
      const type = async (testid: string, value: string) =>
        act(() => {
          const input = $(testid) as HTMLInputElement;
          input.value = value;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        });
      // Labelled, for a screen reader and a click alike.
      const select = $('request-language') as HTMLSelectElement;
      const tag = $('request-language-tag') as HTMLInputElement;
      expect(select.labels?.[0]?.textContent).toBe('Language I will speak');
      expect(tag.getAttribute('aria-label')).toBe('Language I will speak (BCP 47)');
      expect([...select.options].map((o) => o.value)).toEqual(['es', 'en', 'pt']);
      expect(tag.value).toBe('pt');
      await type('request-language-tag', ' de ');
      expect(select.value).toBe('de');
      expect(select.selectedOptions[0]!.textContent).toBe('German');
      await act(() => ($('request-question') as HTMLButtonElement).click());
      // A request already made: another language declared for it.
      const declare = $('declare-language') as HTMLButtonElement;
      expect(declare.disabled).toBe(true);
      await type('declare-language-select-tag', 'fr');
      expect(($('declare-language-select') as HTMLSelectElement).selectedOptions[0]!.textContent).toBe('French');
      await act(() => declare.click());
      // Nothing typed: nothing to declare, and a request goes in the usual language.
      await type('declare-language-select-tag', '');
      expect(declare.disabled).toBe(true);
      await type('request-language-tag', '');
      await act(() => ($('request-question') as HTMLButtonElement).click());
      expect(sent).toEqual([
        { type: 'request_floor', item: 'stocktaking', delegation: 'br', kind: 'question', language: 'de' },
        { type: 'declare_language', request: 2, language: 'fr' },
        { type: 'request_floor', item: 'stocktaking', delegation: 'br', kind: 'question', language: null },
      ]);
    });

    it('follows its place and expected time, and who is next — the interrupted speaker first', async () => {
      await show({ surface: 'delegation', ...delegationView() }, DelegationConsole);
      expect($('delegation-console')!.dataset.floor).toBe('other');
      expect($('my-position')!.dataset.position).toBe('2');
      expect($('my-position')!.textContent).toContain('Position 2 of 2');
      // max(NOW + 310 s, NOW + 200 s)
      expect($('my-wait')!.dataset.expectedAt).toBe(String(NOW + 310_000));
      expect($('current-speaker')!.dataset.delegation).toBe('gt');
      expect($('countdown-other')).not.toBeNull();
      const items = $$('queue-item');
      expect(items.map((li) => [li.dataset.delegation, li.dataset.kind, li.dataset.mine])).toEqual([
        ['hn', 'resumes', 'false'],
        ['br', 'statement', 'true'],
      ]);
      expect(items[0]!.textContent).toContain('resumes after the point of order');
    });

    it('has the floor: the countdown, and yielding withdraws its request', async () => {
      const view = delegationView();
      view.floor = { ...floor, delegation: 'br', name: br, source: { from: 'request', kind: 'statement', request: 2 } };
      await show({ surface: 'delegation', ...view }, DelegationConsole);
      expect($('delegation-console')!.dataset.floor).toBe('mine');
      expect($('you-have-floor')!.querySelector('[data-testid="countdown"]')).not.toBeNull();
      await act(() => ($('yield') as HTMLButtonElement).click());
      expect(sent).toEqual([{ type: 'withdraw_request', request: 2 }]);
    });
  });

  describe('a room screen', () => {
    it('shows the speaker, the countdown and the Next strip with the interrupted speaker', async () => {
      await show({ surface: 'screen', ...screenView({ view: 'current_speaker', floor, next }) }, RoomScreen);
      const screen = $('screen-view')!;
      expect(screen.dataset.view).toBe('current_speaker');
      expect(screen.getAttribute('lang')).toBe('es');
      expect($('current-speaker')!.dataset.delegation).toBe('gt');
      expect(screen.textContent).toContain('Tiene la palabra · Now speaking');
      expect($('countdown')).not.toBeNull();
      const strip = $('next-speakers')!;
      const items = [...strip.querySelectorAll<HTMLElement>('[data-testid="queue-item"]')];
      expect(items.map((li) => [li.dataset.delegation, li.dataset.turn])).toEqual([
        ['hn', 'resumes'],
        ['br', 'request'],
      ]);
      expect(items[0]!.textContent).toContain('retoma la palabra tras la cuestión de orden');
      // In every language of the screen: the tag, and each name once per language.
      expect(items[0]!.textContent).toContain('resumes after the point of order');
      expect([...items[1]!.querySelectorAll('.next-name')].map((n) => [n.getAttribute('lang'), n.textContent])).toEqual([
        ['es', 'Brasil'],
        ['en', 'Brazil'],
      ]);
      expect([...$('screen-item')!.querySelectorAll('.fit-line')].map((n) => n.textContent)).toEqual(['Balance', 'Stocktaking']);
      // Not live: "reconnecting", with its icon, in the top bar's flow.
      const reconnecting = $('connection-status')!;
      expect(reconnecting.closest('.screen-top')).not.toBeNull();
      expect(reconnecting.querySelector('svg')).not.toBeNull();
      expect(reconnecting.textContent).toContain('reconectando');
    });

    it('with nobody on the floor, says the floor is open', async () => {
      await show({ surface: 'screen', ...screenView({ view: 'current_speaker', floor: null, next: [] }) }, RoomScreen);
      expect($('current-speaker')!.dataset.delegation).toBe('');
    });

    it('shows a message over the view, and the running order with the server’s times', async () => {
      const view = screenView(
        { view: 'running_order', schedule: publicView().schedule },
        { languages: ['en'], message: { since: NOW, text: { es: 'Receso', en: 'Break' } } },
      );
      await show({ surface: 'screen', ...view }, RoomScreen);
      expect($('screen-view')!.dataset.message).toBe('true');
      expect($('message-overlay')!.textContent).toBe('Break');
      expect($('running-order')!.textContent).toContain('Stocktaking');
      // Each line starts when the server's times say: Stocktaking when it
      // did, the closing at the anchor (past its planned start).
      const starts = [...$('running-order')!.querySelectorAll<HTMLElement>('li')].map((li) => li.dataset.start);
      expect(starts).toEqual([String(NOW - 18 * MIN), String(NOW + 42 * MIN)]);
    });

    it('shows the legend the server planned', async () => {
      const view = screenView({
        view: 'interpretation_legend',
        floor_language: 'es',
        channels: [
          { channel: 1, language: 'en', feed: { feed: 'booth', booth: 'booth-en', depth: 'floor', source: { from: 'floor' } } },
          { channel: 2, language: 'pt', feed: { feed: 'booth', booth: 'booth-pt', depth: 'one_relay', source: { from: 'relay', booth: 'booth-en' } } },
        ],
      });
      await show({ surface: 'screen', ...view }, RoomScreen);
      const legend = $('interpretation-legend')!;
      expect(legend.textContent).toContain('Portugués');
      expect(legend.querySelector('[data-channel="2"] [data-relay]')).not.toBeNull();
      expect(legend.querySelector('[data-channel="1"] [data-relay]')).toBeNull();
    });

    it('says “no interpretation” by the speaker, on the list and in the legend, when nobody interprets the language', async () => {
      const german: OnFloor = { ...floor, language: 'de', uninterpreted: true };
      await show({ surface: 'screen', ...screenView({ view: 'current_speaker', floor: german, next }) }, RoomScreen);
      const block = $('current-speaker')!;
      expect(block.querySelector('[data-testid="no-interpretation"]')!.textContent).toBe('sin interpretación · no interpretation');
      expect(block.textContent).toContain('habla en alemán · speaking German');

      await show({ surface: 'screen', ...screenView({ view: 'speakers_list', floor: german, next }) }, RoomScreen);
      // One column per language, each in its own.
      expect($$('no-interpretation').map((n) => [n.closest('[lang]')!.getAttribute('lang'), n.textContent])).toEqual([
        ['es', 'sin interpretación'],
        ['en', 'no interpretation'],
      ]);

      const legend = screenView({
        view: 'interpretation_legend',
        floor_language: 'de',
        uninterpreted: true,
        channels: [
          { channel: 1, language: 'es', feed: { feed: 'uncovered', booth: 'booth-es' } },
          { channel: 2, language: 'en', feed: { feed: 'uncovered', booth: 'booth-en' } },
        ],
      });
      await show({ surface: 'screen', ...legend }, RoomScreen);
      expect($$('interpretation-legend').map((l) => l.dataset.uninterpreted)).toEqual(['true', 'true']);
      expect($$('no-interpretation').map((n) => n.textContent)).toEqual(['sin interpretación', 'no interpretation']);
      expect($$('interpretation-legend')[0]!.textContent).toContain('Alemán');
      expect($$('interpretation-legend')[0]!.querySelector('[data-channel="1"]')!.getAttribute('data-feed')).toBe('uncovered');
    });

    it('says nothing of interpretation when the language is interpreted', async () => {
      await show({ surface: 'screen', ...screenView({ view: 'current_speaker', floor, next }) }, RoomScreen);
      expect($('no-interpretation')).toBeNull();
      await show({ surface: 'screen', ...screenView({ view: 'interpretation_legend', floor_language: 'es', channels: [] }) }, RoomScreen);
      expect($('no-interpretation')).toBeNull();
    });

    it('identifies itself, and reloads when the technician says so', async () => {
      const reload = vi.fn();
      vi.spyOn(window, 'location', 'get').mockReturnValue({ ...window.location, reload } as Location);
      await show({ surface: 'screen', ...screenView({ view: 'identify' }) }, RoomScreen);
      expect($('identify')!.textContent).toContain('hall-left');
      expect($('identify')!.textContent).toContain('hall · ES + EN');
      expect(reload).not.toHaveBeenCalled();
      await show({ surface: 'screen', ...screenView({ view: 'identify' }, { reloads: 1 }) }, RoomScreen);
      expect(reload).toHaveBeenCalledTimes(1);
    });
  });

  describe('the public', () => {
    it('sees who speaks, who is next, who spoke and the running order with the drift', async () => {
      await show({ surface: 'public', ...publicView() }, PublicSurface);
      expect($('current-speaker')!.dataset.delegation).toBe('gt');
      expect($$('queue-item').map((li) => li.dataset.delegation)).toEqual(['hn', 'br']);
      expect($('public-view')!.textContent).toContain('Already spoke');
      const lines = $$('running-order-item');
      expect(lines.map((li) => [li.dataset.item, li.dataset.status])).toEqual([
        ['stocktaking', 'current'],
        ['closing', 'pending'],
      ]);
      // Projected times are the lines' times at the server's now: the
      // current item ends at the anchor, the closing runs from there.
      expect(lines.map((li) => [li.dataset.projectedStart, li.dataset.projectedEnd])).toEqual([
        [String(NOW - 18 * MIN), String(NOW + 42 * MIN)],
        [String(NOW + 42 * MIN), String(NOW + 52 * MIN)],
      ]);
      expect($('current-item')!.textContent).toBe('Stocktaking');
    });
  });

  describe('the app', () => {
    it('opens a surface only once the document for it has arrived', async () => {
      vi.spyOn(client(), 'status', 'get').mockReturnValue(signal({ kind: 'live' as const }));
      vi.spyOn(client(), 'role', 'get').mockReturnValue(signal({ role: 'public' as const }));
      await act(() => render(<App />, root));
      expect($('splash')).not.toBeNull();
      // Another surface's document (it cannot happen, but it must not render the wrong one).
      doc.value = { surface: 'screen', ...screenView({ view: 'blank' }) };
      await act(async () => {
        await import('../src/surfaces/public/PublicView');
      });
      expect($('splash')).not.toBeNull();
      doc.value = { surface: 'public', ...publicView() };
      await vi.waitFor(() => expect($('public-view')).not.toBeNull());
    });
  });
});
