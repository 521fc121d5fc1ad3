// The speaker's countdown, drawn on every animation frame from the server's
// timestamps and the clock offset — never by decrementing a counter. The
// text, the phase (as a class, a label AND an icon: never colour alone) and
// the test hooks `data-remaining-ms` / `data-phase` are written straight to
// the DOM each frame, without re-rendering the tree.
import { useEffect, useRef } from 'preact/hooks';
import { client } from '../client';
import type { Phase, Timer } from '../client/protocol';
import { formatCountdown, isPaused, phaseFor, remaining } from '../client/timer';
import { t, type UiLang } from '../i18n';

const ICON: Record<Phase, string> = { normal: '●', warning: '▲', final: '■', overtime: '+' };

export interface CountdownProps {
  timer: Timer | null | undefined;
  /** Languages of the phase label (two on a bilingual screen). */
  langs: readonly UiLang[];
  class?: string;
  testid?: string;
  /** A speaker's countdown, or an interpreter's duty time. */
  kind?: 'speech' | 'duty';
}

function label(phase: Phase, paused: boolean, langs: readonly UiLang[], kind: 'speech' | 'duty'): string {
  return langs
    .map((l) => (paused ? t('timer.paused', undefined, l) : t(kind === 'duty' ? `duty.${phase}` : `phase.${phase}`, undefined, l)))
    .join(' · ');
}

export function Countdown({ timer, langs, class: cls = '', testid = 'countdown', kind = 'speech' }: CountdownProps) {
  const root = useRef<HTMLDivElement>(null);
  const digits = useRef<HTMLSpanElement>(null);
  const caption = useRef<HTMLSpanElement>(null);
  const icon = useRef<HTMLSpanElement>(null);
  const timerRef = useRef(timer);
  timerRef.current = timer;
  const langsKey = langs.join(',');

  useEffect(() => {
    let frame = 0;
    let lastText = '';
    let lastPhase = '';
    const draw = () => {
      const el = root.current;
      const current = timerRef.current;
      if (el && current) {
        const rem = remaining(current, client().serverNow());
        const phase = phaseFor(rem, current.thresholds);
        const paused = isPaused(current);
        const state = paused ? 'paused' : current.run.state;
        el.dataset.remainingMs = String(Math.round(rem));
        const text = formatCountdown(rem);
        if (text !== lastText && digits.current) digits.current.textContent = lastText = text;
        const key = `${phase}|${state}|${langsKey}`;
        if (key !== lastPhase) {
          lastPhase = key;
          el.dataset.phase = phase;
          el.dataset.run = state;
          if (caption.current) caption.current.textContent = label(phase, paused, langs, kind);
          if (icon.current) icon.current.textContent = paused ? '❚❚' : ICON[phase];
        }
      }
      frame = requestAnimationFrame(draw);
    };
    draw();
    return () => cancelAnimationFrame(frame);
    // `langs` is keyed by its contents.
  }, [langsKey, kind]);

  if (!timer) return null;
  return (
    <div ref={root} class={`countdown ${cls}`} data-testid={testid} role="timer" aria-atomic="true">
      <span class="countdown-phase">
        <span ref={icon} class="countdown-icon" aria-hidden="true" />
        <span ref={caption} class="countdown-label" />
      </span>
      <span ref={digits} class="countdown-digits tabular" />
    </div>
  );
}
