import type { PresidingView } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { DriftSummary, RunningOrderList } from '../../components/RunningOrder';
import { Section } from '../../components/Section';
import { t, tx, uiLang } from '../../i18n';

/** The running order with drift, and moving through the agenda. */
export function AgendaPanel({ view }: { view: PresidingView }) {
  const lang = uiLang.value;
  const schedule = view.schedule;
  const title = (item: string) => tx(schedule.items.find((i) => i.item === item)?.title, lang, item);
  return (
    <Section
      id="agenda"
      title={t('running.title')}
      testid="agenda-panel"
      actions={
        <>
          <CommandButton class="btn-small" testid="previous-item" command={{ type: 'previous_item' }}>
            ◀ {t('chair.previous_item')}
          </CommandButton>
          <CommandButton class="btn-small" testid="next-item" command={{ type: 'next_item' }}>
            {t('chair.next_item')} ▶
          </CommandButton>
        </>
      }
    >
      <DriftSummary schedule={schedule} />
      <RunningOrderList
        schedule={schedule}
        action={(item, status) =>
          status === 'current' ? null : (
            <CommandButton
              class="btn-small"
              testid="open-item"
              command={{ type: 'open_item', item }}
              aria-label={`${t('chair.open_item')}: ${title(item)}`}
            >
              {t('chair.open_item')}
            </CommandButton>
          )
        }
      />
    </Section>
  );
}
