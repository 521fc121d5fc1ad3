// Issue 11 in the consoles: floor buttons and keys off while the connection
// is down (and saying so), keys that mean their label whatever has the
// focus, the chair's point-of-order alert (with its sound) and
// interpretation badges, the floor language on the chair's console, and the
// technician's confirmed, reverting screen actions.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, type ComponentType } from 'preact';
import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import { client, type ConnectionStatus, type TrackedCommand } from '../src/client';
import type { Command, PresidingView, ScreenPresence, SurfaceView } from '../src/client/protocol';
import { uiLang } from '../src/i18n';
import ChairConsole from '../src/surfaces/chair/ChairConsole';
import { setAlertSound } from '../src/surfaces/chair/alertSound';
import { typingIn } from '../src/surfaces/chair/FloorPanel';
import TechnicianConsole from '../src/surfaces/technician/TechnicianConsole';
import { NOW, germanAhead, presidingView, technicianView } from './consoleViews';

describe('issue 11 in the consoles', () => {
  let root: HTMLDivElement;
  let sent: Command[];
  const doc = signal<SurfaceView | null>(null);
  const status = signal<ConnectionStatus>({ kind: 'live' });
  const presence = signal<ScreenPresence[] | null>(null);

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
  /** A key as the browser delivers it: to the element with the focus, bubbling. */
  const press = async (target: Element, key: string, init: KeyboardEventInit = {}) => {
    const e = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
    await act(() => {
      target.dispatchEvent(e);
    });
    return e;
  };

  beforeEach(() => {
    uiLang.value = 'en';
    sent = [];
    doc.value = null;
    status.value = { kind: 'live' };
    presence.value = null;
    setAlertSound(true);
    vi.spyOn(client(), 'view', 'get').mockReturnValue(doc);
    vi.spyOn(client(), 'status', 'get').mockReturnValue(status);
    vi.spyOn(client(), 'presence', 'get').mockReturnValue(presence);
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
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    localStorage.clear();
  });

  describe('no offline queue for the floor', () => {
    it('while the connection is down, the floor buttons are off and say the press would not be sent', async () => {
      status.value = { kind: 'reconnecting', attempt: 1, reason: 'closed (1006)' };
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      for (const id of ['call-next', 'pause-resume', 'extend', 'reset-timer', 'end-speech']) {
        const b = $<HTMLButtonElement>(id)!;
        expect(b.disabled, id).toBe(true);
        expect(b.dataset.offline, id).toBe('true');
        expect(b.textContent, id).toContain('offline: not sent');
      }
      for (const b of $$('give-floor')) expect((b as HTMLButtonElement).disabled).toBe(true);
      // What does not change the floor keeps today's behaviour.
      expect($<HTMLButtonElement>('close-list')!.disabled).toBe(false);
      expect($<HTMLButtonElement>('close-list')!.dataset.offline).toBeUndefined();
      expect($('reconnect-banner')!.textContent).toContain('nothing pressed meanwhile is sent');
      // Back live: on again.
      await act(() => {
        status.value = { kind: 'live' };
      });
      expect($<HTMLButtonElement>('call-next')!.disabled).toBe(false);
      expect($('call-next')!.textContent).not.toContain('offline');
    });
  });

  describe('keys mean what their label says, whatever has the focus', () => {
    it('Space on the focused "Call next" pauses, and presses nothing', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const callNext = $<HTMLButtonElement>('call-next')!;
      callNext.focus();
      const e = await press(callNext, ' ');
      expect(e.defaultPrevented).toBe(true);
      expect(sent).toEqual([{ type: 'pause_timer' }]);
    });

    it('N, E and + act once, even on a focused button; a key held down acts once', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const endSpeech = $('end-speech')!;
      await press(endSpeech, 'n');
      await press(endSpeech, 'n', { repeat: true });
      await press(endSpeech, 'n', { repeat: true });
      await press(endSpeech, '+');
      await press(endSpeech, 'E');
      expect(sent).toEqual([{ type: 'call_next' }, { type: 'extend_timer', by: 60_000 }, { type: 'end_speech' }]);
    });

    it('Undo is offered for the 30 s the document says, by button, U or Ctrl+Z', async () => {
      const view = presidingView();
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($('undo')).toBeNull();
      await press(document.body, 'u');
      expect(sent).toEqual([]); // nothing to undo: U sends nothing
      await show(
        { surface: 'presiding', ...view, undo: { at: NOW - 5_000, until: NOW + 25_000, speaker: { en: 'Honduras', es: 'Honduras' } } },
        ChairConsole,
      );
      expect($('undo')!.textContent).toContain('Honduras gets the floor back');
      expect($('undo-offer')!.textContent).toContain('25 s left');
      await click($('undo'));
      await press(document.body, 'u');
      await press(document.body, 'z', { ctrlKey: true });
      expect(sent).toEqual([{ type: 'undo_floor_change' }, { type: 'undo_floor_change' }, { type: 'undo_floor_change' }]);
      // Past `until` the offer is gone.
      await show({ surface: 'presiding', ...view, undo: { at: NOW - 31_000, until: NOW - 1_000, speaker: null } }, ChairConsole);
      expect($('undo')).toBeNull();
    });

    it('off while typing in a field, a list box or editable text; not with Ctrl', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const input = root.querySelector<HTMLInputElement>('[data-testid="message-text-es"]')!;
      const select = $('insert-delegation')!;
      for (const target of [input, select]) {
        const e = await press(target, 'n');
        expect(e.defaultPrevented).toBe(false);
        await press(target, ' ');
      }
      await press(document.body, 'n', { ctrlKey: true });
      expect(sent).toEqual([]);
      const editable = document.createElement('div');
      editable.contentEditable = 'true';
      expect(typingIn(editable) || editable.isContentEditable === undefined).toBe(true);
      const checkbox = document.createElement('input');
      checkbox.type = 'checkbox';
      expect(typingIn(checkbox)).toBe(false);
      expect(typingIn(input)).toBe(true);
    });

    it('a button clicked with the mouse lets go of the focus; one pressed from the keyboard keeps it', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const callNext = $<HTMLButtonElement>('call-next')!;
      callNext.focus();
      await act(() => {
        callNext.dispatchEvent(new MouseEvent('click', { bubbles: true, detail: 1 }));
      });
      expect(document.activeElement).not.toBe(callNext);
      callNext.focus();
      await act(() => {
        callNext.dispatchEvent(new MouseEvent('click', { bubbles: true, detail: 0 }));
      });
      expect(document.activeElement).toBe(callNext);
      expect(sent).toEqual([{ type: 'call_next' }, { type: 'call_next' }]);
    });
  });

  describe('what needs the chair, without scrolling', () => {
    /** Guatemala raised a point of order: first in the calling order. */
    function withPointOfOrder(): PresidingView {
      const view = presidingView();
      view.queue = [{ ...view.queue[1]!, request: 9, kind: 'point_of_order', limit: 120_000 }, ...view.queue];
      view.next = [
        {
          turn: 'request',
          request: 9,
          kind: 'point_of_order',
          delegation: 'gt',
          name: { en: 'Guatemala', es: 'Guatemala' },
          language: 'es',
          duration: 120_000,
          expected_at: { after_now: 0 },
        },
        ...view.next,
      ];
      return view;
    }

    it('a point of order raises the alert, with the floor for it one click away', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      expect($('point-of-order-alert')).toBeNull();
      await show({ surface: 'presiding', ...withPointOfOrder() }, ChairConsole);
      const alert = $('point-of-order-alert')!;
      expect(alert.dataset.state).toBe('waiting');
      expect(alert.dataset.delegation).toBe('gt');
      expect(alert.textContent).toContain('Point of order: Guatemala');
      expect(alert.textContent).toContain('press N');
      await click($('point-of-order-give'));
      expect(sent).toEqual([{ type: 'give_floor', request: 9 }]);
    });

    it('while the point of order is heard, the alert says who resumes', async () => {
      const view = presidingView();
      const interrupted = view.floor!;
      view.floor = {
        ...interrupted,
        speech: 3,
        delegation: 'gt',
        name: { en: 'Guatemala', es: 'Guatemala' },
        source: { from: 'request', kind: 'point_of_order', request: 9 },
      };
      view.interrupted = [interrupted];
      await show({ surface: 'presiding', ...view }, ChairConsole);
      const alert = $('point-of-order-alert')!;
      expect(alert.dataset.state).toBe('on_floor');
      expect(alert.textContent).toContain('Point of order on the floor: Guatemala');
      expect(alert.textContent).toContain('Honduras resumes afterwards');
      expect($('point-of-order-give')).toBeNull();
    });

    it('beeps for a new point of order, unless the chair switched the sound off (remembered)', async () => {
      const tones: number[] = [];
      class FakeAudioContext {
        state = 'running';
        currentTime = 0;
        destination = {};
        createOscillator() {
          const osc = { type: '', frequency: { value: 0 }, connect: (n: unknown) => n, start: () => tones.push(osc.frequency.value), stop: () => undefined };
          return osc;
        }
        createGain() {
          const gain = { gain: { setValueAtTime: () => undefined, exponentialRampToValueAtTime: () => undefined }, connect: (n: unknown) => n };
          return gain;
        }
        resume() {
          return Promise.resolve();
        }
        close() {
          return Promise.resolve();
        }
      }
      vi.stubGlobal('AudioContext', FakeAudioContext);
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      expect(tones).toEqual([]);
      await show({ surface: 'presiding', ...withPointOfOrder() }, ChairConsole);
      expect(tones).toHaveLength(2);
      // The same point of order again (a patch elsewhere): no new beep.
      await show({ surface: 'presiding', ...withPointOfOrder() }, ChairConsole);
      expect(tones).toHaveLength(2);
      // Sound off, remembered on this device; a second point of order is silent.
      expect($('alert-sound')!.getAttribute('aria-pressed')).toBe('true');
      await click($('alert-sound'));
      expect($('alert-sound')!.getAttribute('aria-pressed')).toBe('false');
      expect(localStorage.getItem('plenary.chair.sound')).toBe('off');
      const two = withPointOfOrder();
      two.queue = [{ ...two.queue[0]!, request: 10, delegation: 'hn' }, ...two.queue];
      await show({ surface: 'presiding', ...two }, ChairConsole);
      expect(tones).toHaveLength(2);
    });

    it("opens the audio when the console is idle, and the chair's first key sends its command before any audio is opened", async () => {
      // Opening an AudioContext starts the browser's audio service (~90 ms of
      // the page's thread in Chromium): never on the way of a command.
      const log: string[] = [];
      class FakeAudioContext {
        state = 'suspended';
        constructor() {
          log.push('opened');
        }
        resume() {
          this.state = 'running';
          log.push('woken');
          return Promise.resolve();
        }
        close() {
          return Promise.resolve();
        }
      }
      vi.stubGlobal('AudioContext', FakeAudioContext);
      const idle: (() => void)[] = [];
      vi.stubGlobal('requestIdleCallback', (run: () => void) => idle.push(run));
      vi.stubGlobal('cancelIdleCallback', () => undefined);
      vi.mocked(client().send).mockImplementation((command: Command) => {
        log.push(command.type);
        sent.push(command);
        return { id: `cmd-${sent.length}`, command, state: 'pending' } as unknown as TrackedCommand;
      });
      vi.useFakeTimers();
      // A device that never opened it (sound off, then on: the audio is let go).
      setAlertSound(false);
      setAlertSound(true);

      // A key before the console was ever idle: the command first.
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      expect(log).toEqual([]);
      await press(document.body, 'n');
      expect(log).toEqual(['call_next']);
      await act(() => {
        vi.advanceTimersByTime(1);
      });
      expect(log).toEqual(['call_next', 'opened', 'woken']);

      // The usual way: opened when idle (suspended until a gesture), and the
      // first key only wakes it.
      setAlertSound(false);
      setAlertSound(true);
      render(null, root);
      idle.length = 0;
      log.length = 0;
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      expect(idle).toHaveLength(1);
      idle[0]!();
      expect(log).toEqual(['opened']);
      await press(document.body, 'n');
      expect(log).toEqual(['opened', 'woken', 'call_next']);
    });

    it('"slower please", a language no booth covers, and one nobody interprets are badges under the header', async () => {
      const view = presidingView();
      const [, , brazil] = view.interpretation.coverage;
      view.interpretation = {
        ...view.interpretation,
        coverage: [
          // Even with the advice followed, Spanish and Portuguese stay uncovered.
          {
            ...brazil!,
            language: 'fr',
            warnings: [
              { warning: 'uncovered', channel: 1, language: 'es' },
              { warning: 'uncovered', channel: 3, language: 'pt' },
            ],
          },
          germanAhead,
        ],
      };
      await show({ surface: 'presiding', ...view }, ChairConsole);
      const badges = $$('interpretation-badge').map((b) => [b.dataset.kind, b.textContent?.trim(), b.title]);
      expect(badges).toEqual([
        ['slower', '▼▼ Slower please: Portuguese', 'Slower please: Portuguese'],
        ['uncovered', '⚠ Brazil in French: Spanish, Portuguese not covered', 'Brazil in French: Spanish, Portuguese not covered'],
        // Before Canada is called; the server's words on hover.
        ['uninterpreted', '⚠ Canada will speak German: no interpretation', 'No interpretation for de: no interpreter has it'],
      ]);
      expect($('interpretation-badges')!.dataset.kinds).toBe('slower uncovered uninterpreted');
      await act(() => {
        uiLang.value = 'es';
      });
      expect($$('interpretation-badge')[2]!.textContent?.trim()).toBe('⚠ Canadá hablará en alemán: sin interpretación');
      expect($$('interpretation-badge')[2]!.title).toBe('Sin interpretación para de: ningún intérprete lo tiene');
    });

    it('a speaker on the floor nobody interprets is a badge of its own, not a list of channels', async () => {
      const view = presidingView();
      view.interpretation = {
        ...view.interpretation,
        slower_please: [],
        floor_language: 'de',
        plan: {
          floor_language: 'de',
          channels: [],
          warnings: [
            { warning: 'uncovered', channel: 1, language: 'es' },
            { warning: 'uncovered', channel: 2, language: 'en' },
          ],
        },
        coverage: [{ ...germanAhead, on_floor: true, delegation: 'hn', name: { en: 'Honduras', es: 'Honduras' } }],
      };
      view.floor = { ...view.floor!, language: 'de', uninterpreted: true };
      await show({ surface: 'presiding', ...view }, ChairConsole);
      expect($$('interpretation-badge').map((b) => [b.dataset.kind, b.textContent?.trim()])).toEqual([
        ['uninterpreted', '⚠ Now: German — no interpretation'],
      ]);
      // By the speaker, too.
      expect($('current-speaker')!.querySelector('[data-testid="no-interpretation"]')!.textContent).toContain('no interpretation');
    });

    it('the chair sets the floor language', async () => {
      await show({ surface: 'presiding', ...presidingView() }, ChairConsole);
      const select = $<HTMLSelectElement>('floor-language-select')!;
      expect([...select.options].map((o) => o.value)).toEqual(['es', 'en', 'pt', 'fr']);
      await act(() => {
        select.value = 'pt';
        select.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await click($('set-floor-language'));
      expect(sent).toEqual([{ type: 'set_floor_language', language: 'pt' }]);
    });
  });

  describe('the technician', () => {
    const online = (screen: string, on: boolean): ScreenPresence => ({
      screen,
      online: on,
      connections: on ? 1 : 0,
      last_seen: on ? NOW : null,
      rtt_ms: on ? 1.2 : null,
      offset_ms: on ? 0.4 : null,
    });
    const row = (id: string) => root.querySelector<HTMLElement>(`[data-testid="screen-row"][data-screen="${id}"]`)!;
    const action = (id: string, testid: string) => row(id).querySelector<HTMLButtonElement>(`[data-testid="${testid}"]`)!;

    it('counts the offline screens in the header, and marks their rows', async () => {
      presence.value = [online('hall-left', true), online('hall-right', false), online('podium', false)];
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      expect($('screens-offline')!.dataset.count).toBe('2');
      expect($('screens-offline')!.textContent).toContain('2 of 3 screens offline');
      expect(row('hall-right').dataset.online).toBe('false');
      expect(row('hall-left').dataset.online).toBe('true');
    });

    it('on a connected screen, Blank and Reload ask first; on an offline one they act at once', async () => {
      presence.value = [online('hall-left', true), online('hall-right', false), online('podium', false)];
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      await click(action('hall-left', 'blank-screen'));
      expect(sent).toEqual([]);
      expect(action('hall-left', 'blank-screen').dataset.armed).toBe('true');
      expect(action('hall-left', 'blank-screen').textContent).toBe('Blank: confirm?');
      await click(action('hall-left', 'blank-screen'));
      expect(sent).toEqual([{ type: 'assign_view', target: { kind: 'screen', id: 'hall-left' }, view: 'blank', languages: null }]);
      await click(action('hall-left', 'reload-screen'));
      expect(sent).toHaveLength(1);
      await click(action('hall-right', 'reload-screen'));
      expect(sent.at(-1)).toEqual({ type: 'reload_screens', target: { kind: 'screen', id: 'hall-right' } });
    });

    it('a first click that is not confirmed lapses', async () => {
      vi.useFakeTimers();
      presence.value = [online('hall-left', true)];
      await show({ surface: 'technician', ...technicianView() }, TechnicianConsole);
      await click(action('hall-left', 'blank-screen'));
      await act(() => {
        vi.advanceTimersByTime(4_500);
      });
      expect(action('hall-left', 'blank-screen').dataset.armed).toBe('false');
      await click(action('hall-left', 'blank-screen'));
      expect(sent).toEqual([]);
    });

    it('Identify shows the screen’s id for 10 s, then what it showed before', async () => {
      vi.useFakeTimers();
      presence.value = [online('hall-right', true)];
      const view = technicianView();
      await show({ surface: 'technician', ...view }, TechnicianConsole);
      await click(action('hall-right', 'identify-screen'));
      await click(action('hall-right', 'identify-screen'));
      expect(sent).toEqual([{ type: 'assign_view', target: { kind: 'screen', id: 'hall-right' }, view: 'identify', languages: null }]);
      // The screen shows its id (as the server's next document says).
      const identifying = structuredClone(view);
      identifying.screens[1]!.state = { ...identifying.screens[1]!.state!, view: 'identify' };
      await show({ surface: 'technician', ...identifying }, TechnicianConsole);
      expect(action('hall-right', 'identify-screen').dataset.identifying).toBe('true');
      expect(action('hall-right', 'identify-screen').textContent).toMatch(/Identifying: back in \d+ s/);
      await act(() => {
        vi.advanceTimersByTime(10_000);
      });
      // Back to the list of speakers, in English, as before.
      expect(sent.at(-1)).toEqual({ type: 'assign_view', target: { kind: 'screen', id: 'hall-right' }, view: 'speakers_list', languages: ['en'] });
    });

    it('Identify does not undo a view someone assigned meanwhile', async () => {
      vi.useFakeTimers();
      const view = technicianView();
      await show({ surface: 'technician', ...view }, TechnicianConsole);
      await click(action('podium', 'identify-screen'));
      expect(sent).toHaveLength(1);
      const reassigned = structuredClone(view);
      reassigned.screens[2]!.state = { ...reassigned.screens[2]!.state!, view: 'clock' };
      await show({ surface: 'technician', ...reassigned }, TechnicianConsole);
      await act(() => {
        vi.advanceTimersByTime(10_000);
      });
      expect(sent).toHaveLength(1);
    });

    it('a blanked screen can be given back what it showed', async () => {
      const view = technicianView();
      await show({ surface: 'technician', ...view }, TechnicianConsole);
      await click(action('hall-right', 'blank-screen'));
      const blanked = structuredClone(view);
      blanked.screens[1]!.state = { ...blanked.screens[1]!.state!, view: 'blank' };
      await show({ surface: 'technician', ...blanked }, TechnicianConsole);
      await click(action('hall-right', 'undo-blank'));
      expect(sent).toEqual([
        { type: 'assign_view', target: { kind: 'screen', id: 'hall-right' }, view: 'blank', languages: null },
        { type: 'assign_view', target: { kind: 'screen', id: 'hall-right' }, view: 'speakers_list', languages: ['en'] },
      ]);
    });
  });
});
