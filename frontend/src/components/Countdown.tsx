// A countdown, drawn on every animation frame from the instants the server
// placed on its clock and this device's estimate of that clock — never by
// decrementing a counter, never by applying a threshold here. The text, the
// phase (as a class, a label AND an icon: never colour alone) and the test
// hooks `data-remaining-ms` / `data-phase` / `data-run` are written straight
// to the DOM each frame, without re-rendering the tree.
import { useEffect, useRef } from 'preact/hooks';
import { client } from '../client';
import { countdownAt, formatCountdown } from '../client/countdown';
import type { Countdown as CountdownDoc, Phase } from '../client/protocol';
import { t, type UiLang } from '../i18n';

const ICON: Record<Phase, string> = { normal: '●', warning: '▲', final: '■', overtime: '+' };

export interface CountdownProps {
  countdown: CountdownDoc | null | undefined;
  /** Languages of the phase label (two on a bilingual screen). */
  langs: readonly UiLang[];
  class?: string;
  testid?: string;
  /** A speaker's countdown, or an interpreter's duty time (its labels). */
  kind?: 'speech' | 'duty';
}

function label(phase: Phase, paused: boolean, langs: readonly UiLang[], kind: 'speech' | 'duty'): string {
  return langs
    .map((l) => (paused ? t('timer.paused', undefined, l) : t(kind === 'duty' ? `duty.${phase}` : `phase.${phase}`, undefined, l)))
    .join(' · ');
}

export function Countdown({ countdown, langs, class: cls = '', testid = 'countdown', kind = 'speech' }: CountdownProps) {
  const root = useRef<HTMLDivElement>(null);
  const digits = useRef<HTMLSpanElement>(null);
  const caption = useRef<HTMLSpanElement>(null);
  const icon = useRef<HTMLSpanElement>(null);
  const countdownRef = useRef(countdown);
  countdownRef.current = countdown;
  const langsKey = langs.join(',');

  useEffect(() => {
    let frame = 0;
    let lastText = '';
    let lastPhase = '';
    const draw = () => {
      const el = root.current;
      const current = countdownRef.current;
      if (el && current) {
        const { remaining, phase } = countdownAt(current, client().serverNow());
        const run = current.clock.state;
        const paused = run === 'paused';
        el.dataset.remainingMs = String(Math.round(remaining));
        const text = formatCountdown(remaining);
        if (text !== lastText && digits.current) digits.current.textContent = lastText = text;
        const key = `${phase}|${run}|${langsKey}`;
        if (key !== lastPhase) {
          lastPhase = key;
          el.dataset.phase = phase;
          el.dataset.run = run;
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

  if (!countdown) return null;
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
