// What the booths should do for the speaker on the floor and the next ones
// (`coverage` of the interpretation and booth documents). The server chose
// the staffing, judged by every interpreter of every booth, and wrote each
// piece of advice in the meeting's languages; this only lists the lines,
// with an "Accept" button on a handover where the console may record it.
import { etaAt } from '../client/countdown';
import type { AdviceLine, BoothId, CoverageLine, DutyLine } from '../client/protocol';
import { languageName, t, timeOfDay, tx, uiLang } from '../i18n';
import { CommandButton } from './commands';
import { useServerNow } from './useNow';

/** Which of a line's advice a console shows. */
interface Shown {
  /** Only the turns of this booth's interpreters. */
  booth: BoothId | undefined;
  /** A booth taking one relay, the everyday arrangement, is shown. */
  unchangedRelays: boolean;
}

function shownAdvice(line: CoverageLine, shown: Shown): AdviceLine[] {
  return shown.unchangedRelays
    ? line.advice
    : line.advice.filter((a) => !(a.advice.advice === 'take_relay' && a.advice.already && a.advice.depth === 'one_relay'));
}

function shownDuty(line: CoverageLine, shown: Shown): DutyLine[] {
  return line.duty.filter((d) => shown.booth === undefined || d.warning.booth === shown.booth);
}

/** Whether a line has anything to show. */
function hasNews(line: CoverageLine, shown: Shown): boolean {
  return !line.interpreted || shownAdvice(line, shown).length > 0 || shownDuty(line, shown).length > 0;
}

/** "Now" for the speaker on the floor, else when the server expects them. */
function When({ line }: { line: CoverageLine }) {
  const now = useServerNow();
  const lang = uiLang.value;
  if (line.on_floor) return <span class="coverage-when coverage-now">{t('coverage.now')}</span>;
  const at = Math.round(etaAt(line.expected_at, now));
  return (
    <span class="coverage-when tabular" data-expected-at={at}>
      {t('queue.wait_at', { time: timeOfDay(at, lang) })}
    </span>
  );
}

function Line({ line, accept, shown }: { line: CoverageLine; accept: boolean; shown: Shown }) {
  const lang = uiLang.value;
  const name = tx(line.name, lang, line.delegation);
  const advice = shownAdvice(line, shown);
  const duty = shownDuty(line, shown);
  return (
    <li
      class="coverage-line"
      data-testid="coverage-line"
      data-delegation={line.delegation}
      data-lang={line.language}
      data-on-floor={line.on_floor}
      data-interpreted={line.interpreted}
    >
      <p class="coverage-head">
        <When line={line} />
        <strong class="coverage-name">{name}</strong>
        <span class="coverage-lang">
          <span class="lang-tag">{line.language}</span> {languageName(line.language, lang)}
        </span>
        {line.interpreted ? null : (
          <span class="badge badge-closed" data-testid="no-interpretation">
            <span aria-hidden="true">⚠</span> {t('coverage.no_interpretation')}
          </span>
        )}
      </p>
      {advice.length > 0 || duty.length > 0 ? (
        <ul class="coverage-advice">
          {advice.map((a, i) => {
            const text = tx(a.text, lang, a.advice.advice);
            const handOver = a.advice.advice === 'hand_over' ? a.advice : null;
            return (
              <li
                key={i}
                data-testid="coverage-advice"
                data-advice={a.advice.advice}
                data-booth={a.advice.advice === 'no_interpreter' ? undefined : a.advice.booth}
                data-to={handOver?.to}
              >
                <span class="coverage-text">{text}</span>
                {handOver && accept ? (
                  <CommandButton
                    class="btn-small btn-primary"
                    testid="accept-advice"
                    aria-label={`${t('coverage.accept')}: ${text}`}
                    command={{ type: 'hand_over', booth: handOver.booth, to: handOver.to }}
                  >
                    {t('coverage.accept')}
                  </CommandButton>
                ) : null}
              </li>
            );
          })}
          {duty.map((d, i) => (
            <li key={`duty-${i}`} class="coverage-duty" data-testid="coverage-duty" data-duty={d.warning.duty} data-booth={d.warning.booth}>
              <span aria-hidden="true">⏱ </span>
              {tx(d.text, lang, d.warning.duty)}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/**
 * The recommendation for each speaker that needs one, in calling order
 * (the one on the floor first); "nothing to change" when none does.
 * `accept`: a handover gets a button that records it (`hand_over`).
 * `booth`: only the turns of that booth's interpreters (a booth's console;
 * its document already carries only the advice addressed to it).
 * `unchangedRelays` false: a booth that goes on taking the one relay it
 * already takes (the server says so: `already`) is left out (the chair's
 * console: what it needs is a change — a handover ahead, a new relay, a
 * double relay, a channel uncovered, a language nobody interprets).
 */
export function CoverageView({
  lines,
  accept = false,
  booth,
  unchangedRelays = true,
  testid = 'coverage',
}: {
  lines: CoverageLine[];
  accept?: boolean;
  booth?: BoothId;
  unchangedRelays?: boolean;
  testid?: string;
}) {
  const which: Shown = { booth, unchangedRelays };
  const shown = lines.filter((l) => hasNews(l, which));
  return (
    <div class="coverage" data-testid={testid}>
      {shown.length === 0 ? (
        <p class="muted coverage-none">{t('coverage.none')}</p>
      ) : (
        <ol class="coverage-lines">
          {shown.map((l, i) => (
            <Line key={l.on_floor ? 'floor' : (l.request ?? `${l.delegation}-${i}`)} line={l} accept={accept} shown={which} />
          ))}
        </ol>
      )}
    </div>
  );
}
