import type { PresidingView, SlotStatus } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { Section } from '../../components/Section';
import { duration, t, tx, uiLang, type MessageKey } from '../../i18n';

const STATUS: Record<SlotStatus['status'], MessageKey> = {
  pending: 'chair.slot.pending',
  presenting: 'chair.slot.presenting',
  done: 'chair.slot.done',
  skipped: 'chair.slot.skipped',
};
const MARK: Record<SlotStatus['status'], string> = { pending: '○', presenting: '▶', done: '✓', skipped: '⤼' };

/** Scheduled presenters of the current item: start, skip, defer. */
export function SchedulePanel({ view }: { view: PresidingView }) {
  const item = view.heading.item;
  if (!item || view.slots.length === 0) return null;
  const lang = uiLang.value;
  return (
    <Section
      id="schedule"
      title={t('chair.schedule')}
      testid="schedule-panel"
      actions={
        <CommandButton
          class="btn-small btn-primary"
          testid="start-presentation"
          command={{ type: 'start_presentation', item: item.id, presenter: null }}
        >
          {t('chair.start_next')}
        </CommandButton>
      }
    >
      <ol class="schedule">
        {view.slots.map((slot, i) => {
          const name = tx(slot.name, lang, slot.presenter);
          const pending = slot.status.status === 'pending';
          return (
            <li key={`${slot.presenter}-${i}`} class="slot" data-status={slot.status.status} data-testid="schedule-slot" data-delegation={slot.presenter}>
              <span class="slot-mark" aria-hidden="true">
                {MARK[slot.status.status]}
              </span>
              <span class="slot-main">
                <span class="slot-name">{name}</span>
                <span class="muted">
                  {t(STATUS[slot.status.status])} · {duration(slot.allotted)}
                  {slot.deferred > 0 ? ` · ${t('chair.deferred', { n: slot.deferred })}` : ''}
                </span>
              </span>
              {pending ? (
                <span class="row">
                  <CommandButton
                    class="btn-small"
                    command={{ type: 'start_presentation', item: item.id, presenter: slot.presenter }}
                    aria-label={`${t('chair.start')}: ${name}`}
                  >
                    {t('chair.start')}
                  </CommandButton>
                  <CommandButton
                    class="btn-small"
                    command={{ type: 'defer_presenter', item: item.id, presenter: slot.presenter }}
                    aria-label={`${t('chair.defer')}: ${name}`}
                  >
                    {t('chair.defer')}
                  </CommandButton>
                  <CommandButton
                    class="btn-small btn-danger"
                    command={{ type: 'skip_presenter', item: item.id, presenter: slot.presenter }}
                    aria-label={`${t('chair.skip')}: ${name}`}
                  >
                    {t('chair.skip')}
                  </CommandButton>
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}
