// Text scaled to fit its box, for the room screens: names and titles in
// every language the screen shows, as big as the space allows, between a
// largest and a smallest size (in vh, so the layout is the same at 720p,
// 1080p and 4K). Lines break between words only; a text too long even at
// the smallest size gets an ellipsis (the last resort), never a cut word.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * Sets `el`'s font size (vh) to the largest in [min, max] at which its
 * `.fit-line` children fit: no line wider than its box, none taller than
 * `lines` lines, the whole no taller than `el`'s box. `data-fit` says how
 * it went: `max`, `scaled`, or `clamped` (at `min` and still too long:
 * the stylesheet then cuts lines with an ellipsis).
 */
export function fitText(el: HTMLElement, max: number, min: number, lines: number): void {
  const lineEls = [...el.querySelectorAll<HTMLElement>('.fit-line')];
  const set = (v: number) => {
    el.style.fontSize = `${v.toFixed(2)}vh`;
  };
  /** How far the text is from fitting at the size set: 1 or more when it
   * fits, else about the factor to shrink it by (exact for one line). */
  const room = (): number => {
    let ratio = Math.min(1, el.clientHeight / Math.max(1, el.scrollHeight), el.clientWidth / Math.max(1, el.scrollWidth));
    for (const line of lineEls) {
      ratio = Math.min(ratio, line.clientWidth / Math.max(1, line.scrollWidth));
      const lineHeight = parseFloat(getComputedStyle(line).lineHeight);
      if (lineHeight > 0 && line.offsetHeight > lines * lineHeight + 1) ratio = Math.min(ratio, 0.97);
    }
    // Rounding: a pixel is not an overflow.
    return ratio > 0.998 ? 1 : ratio;
  };
  const fits = () => room() >= 1;
  el.dataset.fit = 'measuring';
  set(max);
  const first = room();
  if (first >= 1) {
    el.dataset.fit = 'max';
    return;
  }
  // Width scales with the font size: the first measure says about where
  // the answer is, and a few halvings settle it (each one is a layout:
  // a handful per text, not dozens, so a new speaker is drawn at once).
  let lo = min;
  let hi = max;
  const guess = Math.min(max, Math.max(min, max * first * 0.995));
  set(guess);
  if (fits()) {
    lo = guess;
    // One line: its width is proportional to the size, so the answer is
    // close above. Wrapped lines may fit much bigger text differently.
    hi = lines === 1 ? Math.min(max, guess * 1.04 + 0.05) : max;
  } else {
    hi = guess;
    set(min);
    if (!fits()) {
      el.dataset.fit = 'clamped';
      return;
    }
  }
  for (let i = 0; i < 6 && hi - lo > 0.1; i++) {
    const mid = (lo + hi) / 2;
    set(mid);
    if (fits()) lo = mid;
    else hi = mid;
  }
  set(lo);
  el.dataset.fit = lo >= max ? 'max' : 'scaled';
}

/**
 * A box whose `.fit-line` children are scaled to fit (see `fitText`).
 * `watch` changes when the text does; the box is fitted again then, when
 * its container changes size (a message appears, the window is resized)
 * and once the fonts are loaded.
 */
export function Fit({
  max,
  min,
  lines = 1,
  watch,
  class: cls = '',
  testid,
  children,
}: {
  max: number;
  min: number;
  lines?: number;
  watch: string;
  class?: string;
  testid?: string;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const run = () => fitText(el, max, min, lines);
    const later = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        run();
      });
    };
    // Before the next paint, not in the commit: a new speaker is on the
    // page at once, and the size is right when the frame is drawn.
    later();
    let cancelled = false;
    void document.fonts?.ready.then(() => {
      if (!cancelled) later();
    });
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(later);
    const container = el.parentElement;
    if (observer && container) observer.observe(container);
    window.addEventListener('resize', later);
    return () => {
      cancelled = true;
      if (frame) cancelAnimationFrame(frame);
      observer?.disconnect();
      window.removeEventListener('resize', later);
    };
  }, [watch, max, min, lines]);
  return (
    <div ref={ref} class={`fit ${cls}`} data-lines={lines} data-testid={testid} style={{ fontSize: `${max}vh` }}>
      {children}
    </div>
  );
}
