import type { ComponentChildren } from 'preact';
import { client } from '../client';
import type { ItemProjection, Meeting } from '../client/protocol';
import { driftText, t, timeOfDay, uiLang } from '../i18n';
import { itemTitle } from './names';

/** Drift in words, with the projected end of the session. */
export function DriftSummary() {
  const insight = client().insight.value;
  if (!insight) return null;
  const ro = insight.running_order;
  const lang = uiLang.value;
  const late = ro.drift >= 60_000;
  return (
    <p class="drift" data-testid="drift" data-drift-ms={ro.drift} data-late={late}>
      <strong class={late ? 'drift-late' : 'drift-ok'}>
        <span aria-hidden="true">{late ? '▲ ' : '✓ '}</span>
        {driftText(ro.drift, lang)}
      </strong>
      <span class="muted">
        {' · '}
        {t('running.projected_end', { time: timeOfDay(ro.projected_end, lang) })} (
        {t('running.planned_end', { time: timeOfDay(ro.planned_end, lang) })})
      </span>
    </p>
  );
}

function times(p: ItemProjection, lang: string) {
  const planned = `${timeOfDay(p.planned_start, lang)}–${timeOfDay(p.planned_end, lang)}`;
  const projected = `${timeOfDay(p.projected_start, lang)}–${timeOfDay(p.projected_end, lang)}`;
  return { planned, projected };
}

/** The running order: planned and projected (or actual) times per item. */
export function RunningOrderList({
  meeting,
  action,
}: {
  meeting: Meeting;
  action?: (item: string, status: string) => ComponentChildren;
}) {
  const insight = client().insight.value;
  const lang = uiLang.value;
  const projections = new Map(insight?.running_order.items.map((p) => [p.item, p]));
  return (
    <ol class="running-order" data-testid="running-order">
      {meeting.agenda.items.map((item) => {
        const p = projections.get(item.id);
        const tm = p ? times(p, lang) : null;
        return (
          <li key={item.id} class="ro-item" data-status={item.status} data-testid="running-order-item" data-item={item.id}>
            <span class="ro-status" aria-hidden="true">
              {item.status === 'done' ? '✓' : item.status === 'current' ? '▶' : '○'}
            </span>
            <span class="ro-main">
              <span class="ro-title">{itemTitle(meeting, item.id, lang)}</span>
              <span class="ro-meta muted">
                <span class="visually-hidden">{t(`item.status.${item.status}`)}: </span>
                {tm ? (
                  <>
                    {t('running.planned')} <span class="tabular">{tm.planned}</span>
                    {' · '}
                    {item.status === 'done' ? t('running.actual') : t('running.projected')}{' '}
                    <span class="tabular">{tm.projected}</span>
                  </>
                ) : null}
              </span>
            </span>
            {action ? <span class="ro-action">{action(item.id, item.status)}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}
