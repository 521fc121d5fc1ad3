// The chair's, the technician's and a booth's consoles rendered from their
// view documents (test/consoleViews.ts): what they show is what the
// document says, in its order, and their buttons send the commands the
// document's ids and positions make.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, type ComponentType } from 'preact';
// As in main.tsx: components re-render when a signal they read changes.
import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import { client, type ConnectionStatus, type TrackedCommand } from '../src/client';
import type { Command, SurfaceView } from '../src/client/protocol';
import { uiLang } from '../src/i18n';
import BoothView from '../src/surfaces/booth/BoothView';
import ChairConsole from '../src/surfaces/chair/ChairConsole';
import { handleShortcut } from '../src/surfaces/chair/FloorPanel';
import TechnicianConsole from '../src/surfaces/technician/TechnicianConsole';
import { NOW, boothView, booths, coverage, germanAhead, presidingView, technicianView } from './consoleViews';

describe('the consoles that run the meeting', () => {
  let root: HTMLDivElement;
  let sent: Command[];
  const doc = signal<SurfaceView | null>(null);
  const status = signal<ConnectionStatus>({ kind: 'live' });

  const $ = <T extends Element = HTMLElement>(testid: string) => root.querySelector<T>(`[data-testid="${testid}"]`);
  const $$ = (testid: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`)];
  const click = async (el: Element | null | undefined) => {
    expect(el).toBeTruthy();
    await act(() => (el as HTMLElement).click());
  };
  const show = async (view: SurfaceView, Surface: ComponentType) => {
    doc.value = view;
    await act(() => render(<Surface />, root));
  };

  beforeEach(() => {
    uiLang.value = 'en';
    sent = [];
    doc.value = null;
    status.value = { kind: 'live' };
    vi.spyOn(client(), 'view', 'get').mockReturnValue(doc);
    vi.spyOn(client(), 'status', 'get').mockReturnValue(status);
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
    uiLang.value = 'en';
  });

  describe('the chair', () => {
    it('shows who has the floor, with the countdown the document carries', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      expect($('chair-console')).not.toBeNull();
      const speaker = $('current-speaker')!;
      expect(speaker.dataset.delegation).toBe('hn');
      expect(speaker.textContent).toContain('Honduras');
      expect(speaker.textContent).toContain('Statement');
      expect($('countdown')).not.toBeNull();
      // Running: the button pauses.
      expect($('pause-resume')!.textContent).toContain('Pause');
      await click($('pause-resume'));
      expect(sent).toEqual([{ type: 'pause_timer' }]);
      expect($('interrupted')).toBeNull();
    });

    it('offers to resume a paused countdown, and names the interrupted', async () => {
      const view = presidingView();
      view.floor = {
        ...view.floor!,
        delegation: 'gt',
        name: { en: 'Guatemala', es: 'Guatemala' },
        source: { from: 'request', kind: 'point_of_order', request: 9 },
        countdown: { limit: 120_000, clock: { state: 'paused', remaining: 90_000, phase: 'normal' } },
      };
      view.interrupted = [presidingView().floor!];
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($('current-speaker')!.dataset.delegation).toBe('gt');
      expect($('pause-resume')!.textContent).toContain('Resume');
      expect($('interrupted')!.textContent).toContain('Honduras');
      const space = new KeyboardEvent('keydown', { key: ' ' });
      expect(handleShortcut(space, view)).toBe(true);
      expect(sent).toEqual([{ type: 'resume_timer' }]);
    });

    it('lists the queue in queue order, with the server’s expected times, and moves by queue position', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const rows = $$('queue-item');
      expect(rows.map((r) => r.dataset.delegation)).toEqual(['bz', 'gt', 'br']);
      expect(rows.map((r) => r.dataset.kind)).toEqual(['statement', 'question', 'right_of_reply']);
      // An extra kind is named as the heading names it.
      expect(rows[1]!.textContent).toContain('Question');
      expect(rows[1]!.textContent).toContain('added by the chair');
      // Expected times are the document's Etas at the server's now.
      const waits = rows.map((r) => r.querySelector<HTMLElement>('[data-testid="wait-estimate"]')?.dataset.expectedAt);
      expect(waits).toEqual([String(NOW + 180_000), undefined, String(NOW + 480_000)]);
      expect(rows[0]!.querySelector<HTMLButtonElement>('[data-testid="move-up"]')!.disabled).toBe(true);
      await click(rows[0]!.querySelector('[data-testid="move-down"]'));
      await click(rows[2]!.querySelector('[data-testid="move-up"]'));
      await click(rows[1]!.querySelector('[data-testid="give-floor"]'));
      expect(sent).toEqual([
        { type: 'move_request', request: 4, to: 1 },
        { type: 'move_request', request: 5, to: 1 },
        { type: 'give_floor', request: 6 },
      ]);
      expect($('list-state')!.dataset.open).toBe('true');
      await click($('close-list'));
      expect(sent.at(-1)).toEqual({ type: 'close_list', item: 'national-plans' });
    });

    it('inserts any delegation of the document, with the kinds it lists', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const kinds = [...$<HTMLSelectElement>('insert-kind')!.options].map((o) => o.value);
      expect(kinds).toEqual(['statement', 'point_of_order', 'right_of_reply', 'question']);
      const delegations = [...$<HTMLSelectElement>('insert-delegation')!.options].map((o) => o.textContent);
      expect(delegations).toEqual(['Belize', 'Guatemala', 'Honduras', 'Brazil']);
      await click($('insert-speaker'));
      expect(sent).toEqual([
        { type: 'insert_speaker', item: 'national-plans', delegation: 'bz', kind: 'statement', language: null, position: null },
      ]);
    });

    it('lists the requests withdrawn or removed, newest first, and puts one back', async () => {
      const view = presidingView();
      view.gone = [
        { request: 8, delegation: 'gt', name: { en: 'Guatemala', es: 'Guatemala' }, kind: 'question', status: { status: 'removed' } },
        ...view.gone,
      ];
      await show({ surface: 'presiding', ...view }, ChairConsole);
      const gone = $('gone-requests')!;
      expect(gone.querySelector('summary')!.textContent).toBe('Withdrawn or removed (2)');
      const rows = $$('gone-request');
      expect(rows.map((r) => [r.dataset.delegation, r.dataset.status])).toEqual([
        ['gt', 'removed'],
        ['br', 'withdrawn'],
      ]);
      expect(rows[0]!.textContent).toContain('Question');
      expect(rows[1]!.textContent).toContain('Brazil');
      await click(rows[1]!.querySelector('[data-testid="readd-request"]'));
      expect(sent).toEqual([{ type: 'readd_request', request: 2, position: null }]);
    });

    it('has no list of gone requests when none is', async () => {
      const view = presidingView();
      view.gone = [];
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($('gone-requests')).toBeNull();
    });

    it('says when no item is open', async () => {
      const view = presidingView();
      view.heading = { ...view.heading, item: null };
      view.queue = [];
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($('queue-panel')!.textContent).toContain('No agenda item is open.');
      expect($('insert-speaker')).toBeNull();
    });

    it('shows the presenters of the current item and starts, defers or skips them', async () => {
      const view = presidingView();
      view.slots = [
        { presenter: 'hn', name: { en: 'Honduras' }, allotted: 600_000, language: 'es', status: { status: 'done', speech: 2 }, deferred: 0 },
        { presenter: 'bz', name: { en: 'Belize' }, allotted: 600_000, language: null, status: { status: 'pending' }, deferred: 1 },
      ];
      await show({ surface: 'presiding', ...view }, ChairConsole);
      const slots = $$('schedule-slot');
      expect(slots.map((s) => [s.dataset.delegation, s.dataset.status])).toEqual([
        ['hn', 'done'],
        ['bz', 'pending'],
      ]);
      expect(slots[1]!.textContent).toContain('Belize');
      await click(slots[1]!.querySelector('button'));
      expect(sent).toEqual([{ type: 'start_presentation', item: 'national-plans', presenter: 'bz' }]);
    });

    it('shows the running order and drift the server projected', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const lines = $$('running-order-item');
      expect(lines.map((i) => i.dataset.item)).toEqual(['opening', 'national-plans', 'break']);
      // Done: its actual times; current: from its start to the anchor;
      // pending: from the anchor (past its planned start), for its length.
      expect(lines.map((i) => [i.dataset.projectedStart, i.dataset.projectedEnd])).toEqual([
        [String(NOW - 3_600_000), String(NOW - 2_900_000)],
        [String(NOW - 2_900_000), String(NOW + 660_000)],
        [String(NOW + 660_000), String(NOW + 1_860_000)],
      ]);
      // Any item but the current one can be opened.
      const open = $$('open-item');
      expect(open.map((b) => b.getAttribute('aria-label'))).toEqual(['Open: Opening', 'Open: Break']);
      expect($('drift')!.dataset.driftMs).toBe(String(60_000));
    });

    it('shows the relay plan now, what the booths should do ahead and “slower please”', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      expect($$('relay-channel').map((c) => [c.dataset.channel, c.dataset.feed])).toEqual([
        ['1', 'floor_is_this_language'],
        ['2', 'booth'],
        ['3', 'booth'],
      ]);
      expect($$('relay-channel')[2]!.textContent).toContain('Portuguese booth via relay from English booth');
      // Only the speakers the booths have something to do for: Honduras, on
      // the floor, needs nothing.
      const lines = $$('coverage-line');
      expect(lines.map((l) => [l.dataset.delegation, l.dataset.lang, l.dataset.onFloor])).toEqual([
        ['bz', 'en', 'false'],
        ['br', 'pt', 'false'],
      ]);
      // When the server expects them, the advice in its own words, and the turns it would break.
      expect(lines[0]!.querySelector<HTMLElement>('.coverage-when')!.dataset.expectedAt).toBe(String(NOW + 180_000));
      expect(lines[0]!.textContent).toContain('Belize');
      expect(lines[0]!.textContent).toContain('English');
      expect(lines[0]!.textContent).toContain('Spanish booth: hand over to Andrés Molina (C en) before Belize speaks');
      // A booth going on with the relay it already takes is everyday
      // business: the chair is not told.
      expect(lines[1]!.textContent).not.toContain('take relay');
      expect(lines[1]!.querySelector('[data-testid="coverage-duty"]')!.textContent).toContain(
        'Margaret Hale (English booth) would stay on the mic past a 30-minute turn',
      );
      // The chair reads the advice; the booths act on it.
      expect($('accept-advice')).toBeNull();
      expect($('slower-please-signals')!.textContent).toContain('Portuguese');
      await click($('acknowledge-slower'));
      expect(sent).toEqual([{ type: 'acknowledge_slower_please' }]);
    });

    it('warns of a speaker ahead nobody interprets, before they are called', async () => {
      const view = presidingView();
      view.interpretation = { ...view.interpretation, coverage: [...view.interpretation.coverage, germanAhead] };
      await show({ surface: 'presiding', ...view }, ChairConsole);
      const canada = root.querySelector<HTMLElement>('[data-testid="coverage-line"][data-delegation="ca"]')!;
      expect(canada.dataset.interpreted).toBe('false');
      expect(canada.querySelector('[data-testid="no-interpretation"]')!.textContent).toContain('no interpretation');
      expect(canada.textContent).toContain('No interpretation for de: no interpreter has it');
      expect(canada.textContent).toContain('German');
    });

    it('says when the booths have nothing to change; a double relay is worth telling', async () => {
      const view = presidingView();
      // Brazil: the Spanish booth on one relay, nobody past their turn.
      const brazil = { ...view.interpretation.coverage[2]!, duty: [] };
      view.interpretation = { ...view.interpretation, coverage: [view.interpretation.coverage[0]!, brazil] };
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($('coverage')!.textContent).toBe('Nothing to change: every booth is covered.');
      expect($$('coverage-line')).toEqual([]);
      const double = {
        advice: { advice: 'take_relay', booth: 'booth-es', pivot: 'booth-en', depth: 'double_relay' },
        text: { en: 'Spanish booth: take relay from English booth (double relay)', es: 'Cabina española: tomar el relé de Cabina inglesa (doble relé)' },
      } as const;
      view.interpretation = { ...view.interpretation, coverage: [view.interpretation.coverage[0]!, { ...brazil, advice: [double] }] };
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($$('coverage-line').map((l) => l.textContent)).toEqual([expect.stringContaining('(double relay)')]);
      // A relay the booth does not take yet is a change: the chair is told.
      const fresh = {
        advice: { advice: 'take_relay', booth: 'booth-es', pivot: 'booth-en', depth: 'one_relay', already: false },
        text: { en: 'Spanish booth: take relay from English booth', es: 'Cabina española: tomar el relé de Cabina inglesa' },
      } as const;
      view.interpretation = { ...view.interpretation, coverage: [view.interpretation.coverage[0]!, { ...brazil, advice: [fresh] }] };
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($$('coverage-line').map((l) => l.textContent)).toEqual([expect.stringContaining('Spanish booth: take relay from English booth')]);
    });

    it('names everything in the interface language', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      await act(() => {
        uiLang.value = 'es';
      });
      expect($$('queue-item')[0]!.textContent).toContain('Belice');
      expect($$('queue-item')[1]!.textContent).toContain('Pregunta');
      expect($$('relay-channel')[2]!.textContent).toContain('Cabina portuguesa');
      // The server's advice, in the interface language too.
      expect($$('coverage-line')[0]!.textContent).toContain('Cabina española: relevo a Andrés Molina (C en) antes de que hable Belice');
      expect($$('coverage-line')[0]!.textContent).toContain('inglés');
    });
  });

  describe('the technician', () => {
    it('shows each channel’s booth, who is on the mic, the duty time and handovers', async () => {
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      expect($('technician-console')).not.toBeNull();
      const rows = $$('booth-row');
      expect(rows.map((r) => r.dataset.booth)).toEqual(['booth-es', 'booth-en', 'booth-pt']);
      expect(rows[0]!.textContent).toContain('Spanish booth');
      expect(rows[0]!.textContent).toContain('Lucía Fernández');
      expect(rows.map((r) => r.querySelector('[data-testid="duty-countdown"]') !== null)).toEqual([true, true, false]);
      expect(rows[1]!.textContent).toContain('Handover requested');
      await click(rows[1]!.querySelector('button'));
      expect(sent).toEqual([{ type: 'accept_handover', booth: 'booth-en' }]);
    });

    it('sets the floor language from the languages the document lists', async () => {
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      const select = $<HTMLSelectElement>('floor-language-select')!;
      expect([...select.options].map((o) => o.value)).toEqual(['es', 'en', 'pt', 'fr']);
      expect($<HTMLButtonElement>('clear-floor-language')!.disabled).toBe(true);
      await act(() => {
        select.value = 'pt';
        select.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await click($('set-floor-language'));
      expect(sent).toEqual([{ type: 'set_floor_language', language: 'pt' }]);
    });

    it('sets any language as the floor’s, typed as a tag', async () => {
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      const tag = $<HTMLInputElement>('floor-language-select-tag')!;
      expect(tag.value).toBe('es');
      await act(() => {
        tag.value = 'de';
        tag.dispatchEvent(new Event('input', { bubbles: true }));
      });
      // The list names the typed tag.
      const select = $<HTMLSelectElement>('floor-language-select')!;
      expect(select.value).toBe('de');
      expect(select.selectedOptions[0]!.textContent).toBe('German');
      await click($('set-floor-language'));
      expect(sent).toEqual([{ type: 'set_floor_language', language: 'de' }]);
    });

    it('shows what the booths should do, and records a handover for any booth', async () => {
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      const lines = $('booths-panel')!.querySelectorAll<HTMLElement>('[data-testid="coverage-line"]');
      expect([...lines].map((l) => l.dataset.delegation)).toEqual(['bz', 'br']);
      const accept = lines[0]!.querySelector<HTMLButtonElement>('[data-testid="accept-advice"]')!;
      expect(accept.textContent).toBe('Accept');
      expect(accept.getAttribute('aria-label')).toBe('Accept: Spanish booth: hand over to Andrés Molina (C en) before Belize speaks');
      // The technician sees every piece of advice; only a handover has a button.
      expect(lines[1]!.textContent).toContain('Spanish booth: take relay from English booth');
      expect(lines[1]!.querySelector('[data-testid="accept-advice"]')).toBeNull();
      await click(accept);
      expect(sent).toEqual([{ type: 'hand_over', booth: 'booth-es', to: 'es-2' }]);
    });

    it('lists the screens as they are set, and assigns views in the meeting’s languages only', async () => {
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      const rows = $$('screen-row');
      expect(rows.map((r) => [r.dataset.screen, r.dataset.view])).toEqual([
        ['hall-left', 'current_speaker'],
        ['hall-right', 'speakers_list'],
        ['podium', 'current_speaker'],
      ]);
      expect(rows[1]!.textContent).toContain('Coffee at 11:00');
      expect($('assign-lang-es')).not.toBeNull();
      expect($('assign-lang-en')).not.toBeNull();
      expect($('assign-lang-pt')).toBeNull();
      const targets = [...$<HTMLSelectElement>('assign-target')!.options].map((o) => o.value);
      expect(targets).toEqual(['selected', 'all', 'group:hall', 'group:podium', 'screen:hall-left', 'screen:hall-right', 'screen:podium']);
      await click(rows[2]!.querySelector('[data-testid="identify-screen"]'));
      expect(sent).toEqual([{ type: 'assign_view', target: { kind: 'screen', id: 'podium' }, view: 'identify', languages: null }]);
    });

    it('writes a message in each language of the meeting, for the screens of the document', async () => {
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      const form = $('message-form')!;
      expect(form.querySelector('[data-testid="message-text-es"]')).not.toBeNull();
      expect(form.querySelector('[data-testid="message-text-en"]')).not.toBeNull();
      expect(form.querySelector('[data-testid="message-text-pt"]')).toBeNull();
      expect(form.textContent).toContain('Coffee at 11:00');
      const target = form.querySelector<HTMLSelectElement>('[data-testid="message-target"]')!;
      await act(() => {
        target.value = 'group:hall';
        target.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await click(form.querySelector('[data-testid="clear-message"]'));
      expect(sent).toEqual([{ type: 'clear_message', target: { kind: 'group', id: 'hall' } }]);
    });

    it('offers codes only for the roles of the document’s code_roles', async () => {
      vi.spyOn(client(), 'accessCode', 'get').mockReturnValue('TECH-CODE-0000-0001');
      vi.spyOn(client(), 'meetingId', 'get').mockReturnValue('san-pedro-sula-2017');
      vi.stubGlobal('fetch', vi.fn(async () => new Response('[]', { status: 200 })));
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      const values = [...$<HTMLSelectElement>('issue-role')!.options].map((o) => o.value).filter(Boolean);
      expect(values).not.toContain('chair');
      expect(values).not.toContain('secretariat');
      expect(values).not.toContain('technician');
      expect(values).toContain('delegation:hn');
      expect(values).toContain('interpreter:booth-pt');
      expect(values).toContain('screen:podium');
      vi.unstubAllGlobals();
    });
  });

  describe('a booth', () => {
    it('says where to take the signal now, and for each speaker ahead', async () => {
      await show({ surface: 'booth', ...boothView() }, BoothView);
      expect($('booth-view')!.dataset.booth).toBe('booth-pt');
      expect($('current-speaker')!.dataset.delegation).toBe('hn');
      expect($('floor-language')!.dataset.lang).toBe('es');
      const source = $('signal-source')!;
      expect(source.dataset.source).toBe('relay');
      expect(source.dataset.depth).toBe('one_relay');
      expect(source.textContent).toContain('RELAY: English booth');
      const ahead = $('languages-ahead')!.querySelectorAll<HTMLElement>('[data-testid="queue-item"]');
      expect([...ahead].map((a) => [a.dataset.delegation, a.dataset.lang])).toEqual([
        ['bz', 'en'],
        ['br', 'pt'],
      ]);
      expect(ahead[0]!.textContent).toContain('from the floor');
      expect(ahead[1]!.textContent).toContain('carries the floor (same language)');
      // A badge on the speakers whose plan has a warning, saying which.
      expect([...ahead].map((a) => a.querySelector('[data-testid="ahead-warning"]') !== null)).toEqual([false, true]);
      expect(ahead[1]!.querySelector('[data-testid="ahead-warning"]')!.getAttribute('title')).toContain(
        'Channel 1: double relay through Spanish booth',
      );
    });

    it('shows who is on the mic; without a partner there is no handover to ask for', async () => {
      await show({ surface: 'booth', ...boothView() }, BoothView);
      const partner = $('booth-partner')!;
      expect(partner.textContent).toContain('Beatriz Campos');
      expect(partner.querySelector('[data-on-mic="true"]')).not.toBeNull();
      expect(partner.textContent).toContain('The shift starts with the first agenda item.');
      expect($<HTMLButtonElement>('request-handover')!.disabled).toBe(true);
      await click($('slower-please'));
      expect(sent).toEqual([{ type: 'slower_please', booth: 'booth-pt' }]);
    });

    it('takes a handover its partner asked for, with the duty time running', async () => {
      const view = boothView();
      view.booth = technicianView().interpretation.booths[1]!;
      view.feed = { feed: 'booth', booth: 'booth-en', depth: 'floor', source: { from: 'floor' } };
      await show({ surface: 'booth', ...view }, BoothView);
      expect($('signal-source')!.textContent).toContain('THE FLOOR');
      expect($('duty-countdown')).not.toBeNull();
      // The whole team, in the definition's order, the one on the mic marked.
      const team = [...$('booth-partner')!.querySelectorAll<HTMLElement>('li')];
      expect(team.map((li) => [li.dataset.interpreter, li.dataset.onMic])).toEqual([
        ['en-1', 'true'],
        ['en-2', 'false'],
        ['en-3', 'false'],
      ]);
      expect(team[2]!.textContent).toContain('Amara Nwosu');
      expect($('handover-pending')).not.toBeNull();
      await click($('accept-handover'));
      expect(sent).toEqual([{ type: 'accept_handover', booth: 'booth-en' }]);
    });

    it('shows the advice addressed to it and accepts a handover with one click; the mic stays as it is until then', async () => {
      const view = boothView();
      view.booth = booths[0]!;
      view.feed = { feed: 'floor_is_this_language' };
      // As the server filters it for the Spanish booth: its own advice, and "no interpretation".
      view.coverage = [coverage[0]!, coverage[1]!, coverage[2]!, { ...germanAhead, warnings: [] }];
      await show({ surface: 'booth', ...view }, BoothView);
      const panel = $('booth-coverage')!;
      expect(panel.textContent).toContain('Recommended');
      const lines = [...panel.querySelectorAll<HTMLElement>('[data-testid="coverage-line"]')];
      expect(lines.map((l) => l.dataset.delegation)).toEqual(['bz', 'br', 'ca']);
      expect(lines[0]!.textContent).toContain('Spanish booth: hand over to Andrés Molina (C en) before Belize speaks');
      // Another booth's turn is not this booth's business.
      expect(lines[1]!.querySelector('[data-testid="coverage-duty"]')).toBeNull();
      expect(lines[2]!.dataset.interpreted).toBe('false');
      expect(lines[2]!.textContent).toContain('No interpretation for de');
      // Who is on the mic is the document's, not the advice's.
      expect($('booth-partner')!.querySelector('[data-on-mic="true"]')!.getAttribute('data-interpreter')).toBe('es-1');
      await click(lines[0]!.querySelector('[data-testid="accept-advice"]'));
      expect(sent).toEqual([{ type: 'hand_over', booth: 'booth-es', to: 'es-2' }]);
    });

    it('says when it has nothing to change', async () => {
      await show({ surface: 'booth', ...boothView() }, BoothView);
      expect($('booth-coverage')!.textContent).toContain('Nothing to change: every booth is covered.');
      expect($('accept-advice')).toBeNull();
    });

    it('renders nothing until its document arrives', async () => {
      doc.value = null;
      await act(() => render(<BoothView />, root));
      expect(root.innerHTML).toBe('');
    });
  });
});
