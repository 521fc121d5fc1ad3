import { useState } from 'preact/hooks';
import type { InterpretationView } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { Countdown } from '../../components/Countdown';
import { RelayPlanView } from '../../components/Interpretation';
import { Section } from '../../components/Section';
import { languageName, t, timeOfDay, tx, uiLang } from '../../i18n';

/** Channels, booths and who is on the mic; the live relay plan; the floor language. */
export function BoothsPanel({ interpretation }: { interpretation: InterpretationView }) {
  const lang = uiLang.value;
  const [override, setOverride] = useState(interpretation.languages[0] ?? '');
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
      <h3 class="subhead">{t('interp.relay_plan')}</h3>
      <RelayPlanView interpretation={interpretation} />
      <h3 class="subhead">{t('tech.floor_override')}</h3>
      <div class="row">
        <select class="input" value={override} data-testid="floor-language-select" aria-label={t('interp.set_floor')} onChange={(e) => setOverride((e.target as HTMLSelectElement).value)}>
          {interpretation.languages.map((l) => (
            <option key={l} value={l}>
              {languageName(l, lang)} ({l})
            </option>
          ))}
        </select>
        <CommandButton
          testid="set-floor-language"
          disabled={!override}
          command={() => ({ type: 'set_floor_language', language: override })}
        >
          {t('interp.set_floor')}
        </CommandButton>
        <CommandButton
          testid="clear-floor-language"
          disabled={interpretation.floor_language_override == null}
          command={{ type: 'set_floor_language', language: null }}
        >
          {t('interp.clear_floor')}
        </CommandButton>
      </div>
    </Section>
  );
}
