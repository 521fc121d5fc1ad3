// The countdown as drawn in the page: every animation frame, from the
// instants the server placed on its clock and the clock offset; phase as
// attribute, label and icon, exactly at the thresholds.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { client } from '../src/client';
import type { Countdown as CountdownDoc } from '../src/client/protocol';
import { Countdown } from '../src/components/Countdown';

const T0 = 1_509_056_360_000;
// A 5-minute statement started at T0: amber from the last minute, red from the last 15 s.
const countdown: CountdownDoc = {
  limit: 300_000,
  clock: { state: 'running', since: T0, deadline: T0 + 300_000, warning_at: T0 + 240_000, final_at: T0 + 285_000 },
};

const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));

describe('<Countdown> on every animation frame', () => {
  let root: HTMLDivElement;
  let now = T0;
  beforeEach(() => {
    root = document.createElement('div');
    document.body.append(root);
    vi.spyOn(client(), 'serverNow').mockImplementation(() => now);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    vi.restoreAllMocks();
  });

  const cases: [number, string, string, string, string][] = [
    [0, 'normal', '300000', '5:00', 'Speaking time'],
    [239_999, 'normal', '60001', '1:01', 'Speaking time'],
    [240_000, 'warning', '60000', '1:00', 'Please conclude'],
    [284_999, 'warning', '15001', '0:16', 'Please conclude'],
    [285_000, 'final', '15000', '0:15', 'Time almost up'],
    [299_999, 'final', '1', '0:01', 'Time almost up'],
    [300_000, 'overtime', '0', '+0:00', 'Time exceeded'],
    [361_000, 'overtime', '-61000', '+1:01', 'Time exceeded'],
  ];

  it('shows phase, remaining time, digits and label at the thresholds', async () => {
    act(() => render(<Countdown countdown={countdown} langs={['en']} />, root));
    for (const [after, phase, ms, digits, label] of cases) {
      now = T0 + after;
      await frame();
      const el = root.querySelector<HTMLElement>('[data-testid=countdown]')!;
      expect(el.dataset.phase, `${after}`).toBe(phase);
      expect(el.dataset.remainingMs, `${after}`).toBe(ms);
      expect(el.querySelector('.countdown-digits')!.textContent).toBe(digits);
      expect(el.querySelector('.countdown-label')!.textContent).toBe(label);
      expect(el.querySelector('.countdown-icon')!.textContent).not.toBe('');
    }
  });

  it('keeps counting with no new state: only the clock moves', async () => {
    act(() => render(<Countdown countdown={countdown} langs={['es', 'en']} />, root));
    now = T0 + 10_000;
    await frame();
    const el = root.querySelector<HTMLElement>('[data-testid=countdown]')!;
    expect(el.dataset.remainingMs).toBe('290000');
    now = T0 + 20_000;
    await frame();
    expect(el.dataset.remainingMs).toBe('280000');
    expect(el.querySelector('.countdown-label')!.textContent).toBe('Tiempo de palabra · Speaking time');
  });

  it('a paused countdown says so, and does not move', async () => {
    act(() =>
      render(
        <Countdown countdown={{ ...countdown, clock: { state: 'paused', remaining: 200_000, phase: 'normal' } }} langs={['en']} />,
        root,
      ),
    );
    now = T0 + 999_000;
    await frame();
    const el = root.querySelector<HTMLElement>('[data-testid=countdown]')!;
    expect(el.dataset.run).toBe('paused');
    expect(el.dataset.remainingMs).toBe('200000');
    expect(el.querySelector('.countdown-label')!.textContent).toBe('Paused');
  });

  it('a stopped countdown shows the phase the server gave, and the duty labels for a booth', async () => {
    act(() =>
      render(
        <Countdown
          countdown={{ limit: 1_800_000, clock: { state: 'stopped', remaining: 30_000, phase: 'final' } }}
          langs={['en']}
          kind="duty"
          testid="duty-countdown"
        />,
        root,
      ),
    );
    await frame();
    const el = root.querySelector<HTMLElement>('[data-testid=duty-countdown]')!;
    expect(el.dataset.run).toBe('stopped');
    expect(el.dataset.phase).toBe('final');
    expect(el.querySelector('.countdown-label')!.textContent).toBe('Hand over now');
  });

  it('follows a new document without a new mount', async () => {
    act(() => render(<Countdown countdown={countdown} langs={['en']} />, root));
    now = T0 + 100_000;
    await frame();
    const extended: CountdownDoc = {
      limit: 360_000,
      clock: { state: 'running', since: T0, deadline: T0 + 360_000, warning_at: T0 + 300_000, final_at: T0 + 345_000 },
    };
    act(() => render(<Countdown countdown={extended} langs={['en']} />, root));
    await frame();
    expect(root.querySelector<HTMLElement>('[data-testid=countdown]')!.dataset.remainingMs).toBe('260000');
  });
});
