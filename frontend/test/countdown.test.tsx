// The countdown as drawn in the page: every animation frame, from the
// server's timestamps and the clock offset; phase as attribute, label and
// icon, exactly at the thresholds.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { client } from '../src/client';
import type { Timer } from '../src/client/protocol';
import { Countdown } from '../src/components/Countdown';

const T0 = 1_509_056_360_000;
const timer: Timer = {
  limit: 300_000,
  thresholds: { warning: 60_000, final: 15_000 },
  run: { state: 'running', since: T0, elapsed_before: 0 },
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
    act(() => render(<Countdown timer={timer} langs={['en']} />, root));
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
    act(() => render(<Countdown timer={timer} langs={['es', 'en']} />, root));
    now = T0 + 10_000;
    await frame();
    const el = root.querySelector<HTMLElement>('[data-testid=countdown]')!;
    expect(el.dataset.remainingMs).toBe('290000');
    now = T0 + 20_000;
    await frame();
    expect(el.dataset.remainingMs).toBe('280000');
    expect(el.querySelector('.countdown-label')!.textContent).toBe('Tiempo de palabra · Speaking time');
  });

  it('a paused timer says so, and does not move', async () => {
    act(() =>
      render(<Countdown timer={{ ...timer, run: { state: 'paused', since: T0, elapsed: 100_000 } }} langs={['en']} />, root),
    );
    now = T0 + 999_000;
    await frame();
    const el = root.querySelector<HTMLElement>('[data-testid=countdown]')!;
    expect(el.dataset.run).toBe('paused');
    expect(el.dataset.remainingMs).toBe('200000');
    expect(el.querySelector('.countdown-label')!.textContent).toBe('Paused');
  });
});
