// What needs the chair now, where they see it without scrolling (the
// console's sticky top, at 1366×768 too): a point of order raised or being
// heard, with an optional sound, and the interpretation warnings ("slower
// please", a language no booth covers, a speaker whose language nobody
// interprets — before they are called) as header badges. Everything is
// read from the presiding document: which requests are points of order,
// who comes next, the warnings, the coverage — the server worked them out.
import { useEffect, useRef } from 'preact/hooks';
import type { CoverageLine, InterpretationView, InterpretationWarning, PresidingView } from '../../client/protocol';
import { CommandButton, releaseFocusAfterClick } from '../../components/commands';
import { languageName, t, tx, uiLang } from '../../i18n';
import { alertSound, beep, setAlertSound } from './alertSound';

/** The request kind a point of order has in every meeting's rules. */
const POINT_OF_ORDER = 'point_of_order';

export interface RaisedPoint {
  request: number;
  delegation: string;
  name: string;
}

/** Points of order waiting for the floor: the document's calling order
 * (`next`) first, then anything else the queue holds. */
export function waitingPointsOfOrder(view: PresidingView, lang: string): RaisedPoint[] {
  const out: RaisedPoint[] = [];
  const add = (request: number, delegation: string, name: string) => {
    if (!out.some((p) => p.request === request)) out.push({ request, delegation, name });
  };
  for (const u of view.next) {
    if (u.turn === 'request' && u.kind === POINT_OF_ORDER) add(u.request, u.delegation, tx(u.name, lang, u.delegation));
  }
  for (const r of view.queue) {
    if (r.kind === POINT_OF_ORDER) add(r.request, r.delegation, tx(r.name, lang, r.delegation));
  }
  return out;
}

/** Beeps once for each point of order that appears after the console opened. */
function useBeepOnNew(requests: number[]): void {
  const seen = useRef<Set<number> | null>(null);
  const key = requests.join(',');
  useEffect(() => {
    if (seen.current === null) {
      // Those already waiting when the console opened were not "raised" now.
      seen.current = new Set(requests);
      return;
    }
    const fresh = requests.filter((r) => !seen.current!.has(r));
    for (const r of fresh) seen.current.add(r);
    if (fresh.length > 0) beep();
  }, [key]);
}

/** The banner under the header while a point of order waits or is heard. */
export function PointOfOrderAlert({ view }: { view: PresidingView }) {
  const lang = uiLang.value;
  const waiting = waitingPointsOfOrder(view, lang);
  useBeepOnNew(waiting.map((p) => p.request));
  const floor = view.floor;
  const heard = floor && floor.source.from === 'request' && floor.source.kind === POINT_OF_ORDER ? floor : null;
  if (waiting.length === 0 && !heard) return null;
  const first = waiting[0];
  const firstIsNext = first !== undefined && view.next[0]?.turn === 'request' && view.next[0].request === first.request;
  const resuming = view.interrupted.map((s) => tx(s.name, lang, s.delegation));
  return (
    <div
      class="poo-alert"
      role="alert"
      data-testid="point-of-order-alert"
      data-state={first ? 'waiting' : 'on_floor'}
      data-delegation={first ? first.delegation : heard!.delegation}
    >
      <span class="poo-icon" aria-hidden="true">
        ⚑
      </span>
      <div class="poo-text">
        {first ? (
          <p>
            <strong>{t('chair.poo.waiting', { names: waiting.map((p) => p.name).join(', ') })}</strong>
            {firstIsNext ? <span> — {t('chair.poo.next')}</span> : null}
          </p>
        ) : null}
        {heard ? (
          <p data-testid="point-of-order-heard">
            <strong>{t('chair.poo.on_floor', { name: tx(heard.name, lang, heard.delegation) })}</strong>
            {resuming.length > 0 ? <span> — {t('chair.poo.resumes', { names: resuming.join(', ') })}</span> : null}
          </p>
        ) : null}
      </div>
      {first ? (
        <CommandButton
          class="btn-small poo-give"
          testid="point-of-order-give"
          aria-label={t('chair.poo.give', { name: first.name })}
          command={{ type: 'give_floor', request: first.request }}
        >
          {t('chair.give_floor')}
        </CommandButton>
      ) : null}
    </div>
  );
}

/** Switches the point-of-order sound on or off (remembered on this device). */
export function SoundToggle() {
  const on = alertSound.value;
  return (
    <button
      type="button"
      class="btn btn-small hdr-sound"
      data-testid="alert-sound"
      aria-pressed={on}
      title={t('chair.sound')}
      aria-label={`${t('chair.sound')}: ${on ? t('chair.sound_on') : t('chair.sound_off')}`}
      onClick={(e) => {
        releaseFocusAfterClick(e);
        setAlertSound(!on);
      }}
    >
      <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
        <path
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"
          fill="currentColor"
        />
        {on ? null : <path d="M3 3l18 18" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" />}
      </svg>
    </button>
  );
}

interface Badge {
  kind: 'slower' | 'uncovered' | 'uninterpreted';
  text: string;
  /** The server's words, when the badge shortens them. */
  title?: string;
}

/** The interpretation warnings the chair must act on, in words: "slower
 * please"; channels not covered now; and for each speaker ahead, before
 * they are called, a language nobody in any booth has ("no
 * interpretation") or channels the booths cannot cover even once they
 * follow the advice (`coverage`, as the server planned it). */
export function interpretationBadges(interpretation: InterpretationView, lang: string): Badge[] {
  const badges: Badge[] = [];
  const slower = [...new Set(interpretation.slower_please.map((s) => s.language))];
  if (slower.length > 0) {
    badges.push({ kind: 'slower', text: t('chair.badge.slower', { languages: slower.map((l) => languageName(l, lang)).join(', ') }) });
  }
  const uncovered = (warnings: InterpretationWarning[]) => [
    ...new Set(warnings.flatMap((w) => (w.warning === 'uncovered' ? [languageName(w.language, lang)] : []))),
  ];
  const noInterpreter = (line: CoverageLine) => {
    const advice = line.advice.find((a) => a.advice.advice === 'no_interpreter');
    return advice ? tx(advice.text, lang) : undefined;
  };
  const speaker = (line: CoverageLine) =>
    t('interp.ahead_item', { name: tx(line.name, lang, line.delegation), language: languageName(line.language, lang) });
  const onFloor = interpretation.coverage.find((c) => c.on_floor);
  if (onFloor && !onFloor.interpreted) {
    badges.push({
      kind: 'uninterpreted',
      text: `${t('coverage.now')}: ${languageName(onFloor.language, lang)} — ${t('coverage.no_interpretation')}`,
      title: noInterpreter(onFloor),
    });
  } else {
    const now = uncovered(interpretation.plan?.warnings ?? []);
    if (now.length > 0) badges.push({ kind: 'uncovered', text: t('chair.badge.uncovered_now', { languages: now.join(', ') }) });
  }
  for (const line of interpretation.coverage) {
    if (line.on_floor) continue;
    if (!line.interpreted) {
      badges.push({ kind: 'uninterpreted', text: `${speaker(line)}: ${t('coverage.no_interpretation')}`, title: noInterpreter(line) });
      continue;
    }
    const languages = uncovered(line.warnings);
    if (languages.length === 0) continue;
    badges.push({
      kind: 'uncovered',
      text: t('chair.badge.uncovered_ahead', {
        name: tx(line.name, lang, line.delegation),
        floor: languageName(line.language, lang),
        languages: languages.join(', '),
      }),
    });
  }
  return badges;
}

/** Header badges for "slower please" and uncovered languages, on a strip
 * under the header; a click brings the interpretation panel into view. */
export function InterpretationBadges({ interpretation }: { interpretation: InterpretationView }) {
  const lang = uiLang.value;
  const badges = interpretationBadges(interpretation, lang);
  if (badges.length === 0) return null;
  return (
    <div class="hdr-strip" data-testid="interpretation-badges" data-kinds={[...new Set(badges.map((b) => b.kind))].join(' ')}>
      <button
        type="button"
        class="hdr-badges"
        title={t('chair.badge.show')}
        onClick={(e) => {
          releaseFocusAfterClick(e);
          document.getElementById('interp-title')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
        }}
      >
        {badges.map((b, i) => (
          <span key={i} class="hdr-badge" data-kind={b.kind} data-testid="interpretation-badge" title={b.title ?? b.text}>
            <span aria-hidden="true">{b.kind === 'slower' ? '▼▼' : '⚠'}</span> {b.text}
          </span>
        ))}
      </button>
    </div>
  );
}
