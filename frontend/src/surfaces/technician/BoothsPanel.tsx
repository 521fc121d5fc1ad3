import type { InterpretationView } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { Countdown } from '../../components/Countdown';
import { CoverageView } from '../../components/Coverage';
import { FloorLanguageControl } from '../../components/FloorLanguage';
import { RelayPlanView } from '../../components/Interpretation';
import { Section } from '../../components/Section';
import { t, timeOfDay, tx, uiLang } from '../../i18n';

/** Channels, booths and who is on the mic; what the booths should do for
 * the speakers on the floor and ahead (a handover recorded from here with
 * one click, as from the booth); the live relay plan; the floor language. */
export function BoothsPanel({ interpretation }: { interpretation: InterpretationView }) {
  const lang = uiLang.value;
  return (
    <Section id="booths" title={t('interp.title')} testid="booths-panel">
      <table class="table" data-testid="booths-table">
        <thead>
          <tr>
            <th scope="col">{t('tech.channels')}</th>
            <th scope="col">{t('tech.booths')}</th>
            <th scope="col">{t('tech.on_mic')}</th>
            <th scope="col">{t('tech.duty')}</th>
            <th scope="col">
              <span class="visually-hidden">…</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {interpretation.channels.map((c) => {
            const booth = interpretation.booths.find((b) => b.channel === c.number);
            const onMic = booth?.on_mic;
            return (
              <tr key={c.number} data-testid="booth-row" data-booth={booth?.id ?? ''}>
                <th scope="row">
                  {t('interp.channel', { n: c.number })} <span class="lang-tag">{c.language}</span>
                </th>
                <td>{booth ? tx(booth.name, lang, booth.id) : '–'}</td>
                <td>
                  {onMic ? (
                    <>
                      <strong>{onMic.name || onMic.id}</strong>
                      <div class="muted small">
                        A {onMic.a.join(', ')} · B {onMic.b.join(', ') || '–'} · C {onMic.c.join(', ') || '–'}
                      </div>
                    </>
                  ) : (
                    '–'
                  )}
                </td>
                <td>
                  {booth?.duty ? (
                    <Countdown countdown={booth.duty} langs={[lang]} class="countdown-small" kind="duty" testid="duty-countdown" />
                  ) : (
                    <span class="muted">–</span>
                  )}
                </td>
                <td>
                  {booth && booth.handover_requested != null ? (
                    <div class="stack">
                      <span class="badge" data-kind="right_of_reply">
                        {t('tech.handover_pending', { time: timeOfDay(booth.handover_requested, lang) })}
                      </span>
                      <CommandButton class="btn-small" command={{ type: 'accept_handover', booth: booth.id }}>
                        {t('tech.accept_handover')}
                      </CommandButton>
                    </div>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3 class="subhead">{t('coverage.title')}</h3>
      <CoverageView lines={interpretation.coverage} accept />
      <h3 class="subhead">{t('interp.relay_plan')}</h3>
      <RelayPlanView interpretation={interpretation} />
      <h3 class="subhead">{t('tech.floor_override')}</h3>
      <FloorLanguageControl interpretation={interpretation} />
    </Section>
  );
}
