// The running order as the server projected it: planned times, and actual
// (done) or projected times that slide while a speaker overruns.
import type { ComponentChildren } from 'preact';
import { driftAt, etaAt, itemEndAt, itemStartAt } from '../client/countdown';
import type { AgendaLine, Eta, ItemStatus, Schedule } from '../client/protocol';
import { driftText, t, timeOfDay, tx, uiLang } from '../i18n';
import { useServerNow } from './useNow';

/** Late enough to say so. */
const LATE_MS = 60_000;

/** Drift in words, with the projected end of the session. */
export function DriftSummary({ schedule }: { schedule: Schedule }) {
  const now = useServerNow();
  const lang = uiLang.value;
  const drift = driftAt(schedule.drift, now);
  const late = drift >= LATE_MS;
  return (
    <p class="drift" data-testid="drift" data-drift-ms={drift} data-late={late}>
      <strong class={late ? 'drift-late' : 'drift-ok'}>
        <span aria-hidden="true">{late ? '▲ ' : '✓ '}</span>
        {driftText(drift, lang)}
      </strong>
      <span class="muted">
        {' · '}
        {t('running.projected_end', { time: timeOfDay(etaAt(schedule.projected_end, now), lang) })}
        {schedule.planned_end != null ? <> ({t('running.planned_end', { time: timeOfDay(schedule.planned_end, lang) })})</> : null}
      </span>
    </p>
  );
}

function times(line: AgendaLine, anchor: Eta, now: number, lang: string) {
  const planned = `${timeOfDay(line.planned_start, lang)}–${timeOfDay(line.planned_end, lang)}`;
  const start = itemStartAt(line.times, anchor, now);
  const end = itemEndAt(line.times, anchor, now);
  const projected = `${timeOfDay(start, lang)}–${timeOfDay(end, lang)}`;
  return { planned, projected, start, end };
}

/** The running order: planned and projected (or actual) times per item. */
export function RunningOrderList({
  schedule,
  action,
}: {
  schedule: Schedule;
  action?: (item: string, status: ItemStatus) => ComponentChildren;
}) {
  const now = useServerNow();
  const lang = uiLang.value;
  return (
    <ol class="running-order" data-testid="running-order">
      {schedule.items.map((line) => {
        const tm = times(line, schedule.anchor, now, lang);
        return (
          <li
            key={line.item}
            class="ro-item"
            data-status={line.status}
            data-testid="running-order-item"
            data-item={line.item}
            data-projected-start={tm.start}
            data-projected-end={tm.end}
          >
            <span class="ro-status" aria-hidden="true">
              {line.status === 'done' ? '✓' : line.status === 'current' ? '▶' : '○'}
            </span>
            <span class="ro-main">
              <span class="ro-title">{tx(line.title, lang, line.item)}</span>
              <span class="ro-meta muted">
                <span class="visually-hidden">{t(`item.status.${line.status}`)}: </span>
                {t('running.planned')} <span class="tabular">{tm.planned}</span>
                {' · '}
                {line.status === 'done' ? t('running.actual') : t('running.projected')} <span class="tabular">{tm.projected}</span>
              </span>
            </span>
            {action ? <span class="ro-action">{action(line.item, line.status)}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}
