import type { PresidingView } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { FloorLanguageControl } from '../../components/FloorLanguage';
import { CoverageView } from '../../components/Coverage';
import { RelayPlanView } from '../../components/Interpretation';
import { Section } from '../../components/Section';
import { languageName, t, timeOfDay, uiLang } from '../../i18n';

/** Interpretation for the chair: "slower please", the floor language (the
 * chair may set it, as the technician may), what the booths should do for
 * the speaker on the floor and the next ones — a language nobody
 * interprets among them — and the channels now. */
export function InterpretationPanel({ view }: { view: PresidingView }) {
  const lang = uiLang.value;
  const interpretation = view.interpretation;
  const slower = interpretation.slower_please;
  return (
    <Section id="interp" title={t('interp.title')} testid="interpretation-panel">
      {slower.length > 0 ? (
        <div class="alert alert-error slower" role="alert" data-testid="slower-please-signals">
          <ul>
            {slower.map((s, i) => (
              <li key={i}>
                <strong>
                  <span aria-hidden="true">▼▼ </span>
                  {t('interp.slower', { language: languageName(s.language, lang) })}
                </strong>{' '}
                <span class="tabular">{timeOfDay(s.at, lang, true)}</span>
              </li>
            ))}
          </ul>
          <CommandButton class="btn-small" testid="acknowledge-slower" command={{ type: 'acknowledge_slower_please' }}>
            {t('interp.slower_ack')}
          </CommandButton>
        </div>
      ) : null}
      <FloorLanguageControl interpretation={interpretation} compact />
      <h3 class="subhead">{t('coverage.title')}</h3>
      <CoverageView lines={interpretation.coverage} unchangedRelays={false} />
      <h3 class="subhead">{t('interp.relay_plan')}</h3>
      <RelayPlanView interpretation={interpretation} floorLine={false} />
    </Section>
  );
}
