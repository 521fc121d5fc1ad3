import type { Meeting } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { DriftSummary, RunningOrderList } from '../../components/RunningOrder';
import { Section } from '../../components/Section';
import { itemTitle } from '../../components/names';
import { t, uiLang } from '../../i18n';

/** The running order with drift, and moving through the agenda. */
export function AgendaPanel({ meeting }: { meeting: Meeting }) {
  const lang = uiLang.value;
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
      <DriftSummary />
      <RunningOrderList
        meeting={meeting}
        action={(item, status) =>
          status === 'current' ? null : (
            <CommandButton
              class="btn-small"
              testid="open-item"
              command={{ type: 'open_item', item }}
              aria-label={`${t('chair.open_item')}: ${itemTitle(meeting, item, lang)}`}
            >
              {t('chair.open_item')}
            </CommandButton>
          )
        }
      />
    </Section>
  );
}
