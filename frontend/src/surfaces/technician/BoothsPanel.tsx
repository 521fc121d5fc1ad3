import { useState } from 'preact/hooks';
import type { Meeting } from '../../client/protocol';
import { knownLanguages } from '../../client/meeting';
import { dutyTimer } from '../../client/timer';
import { CommandButton } from '../../components/commands';
import { Countdown } from '../../components/Countdown';
import { RelayPlanView } from '../../components/Interpretation';
import { boothName } from '../../components/names';
import { Section } from '../../components/Section';
import { languageName, t, timeOfDay, uiLang } from '../../i18n';

/** Channels, booths and who is on the mic; the live relay plan; the floor language. */
export function BoothsPanel({ meeting }: { meeting: Meeting }) {
  const lang = uiLang.value;
  const def = meeting.definition;
  const [override, setOverride] = useState(def.languages[0] ?? 'es');
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
          {def.channels.map((c) => {
            const booth = def.booths.find((b) => b.channel === c.number);
            const state = booth ? meeting.interpretation.booths[booth.id] : undefined;
            const onMic = booth && state ? booth.interpreters[state.on_mic] : undefined;
            return (
              <tr key={c.number} data-testid="booth-row" data-booth={booth?.id ?? ''}>
                <th scope="row">
                  {t('interp.channel', { n: c.number })} <span class="lang-tag">{c.language}</span>
                </th>
                <td>{booth ? boothName(meeting, booth.id, lang) : '–'}</td>
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
                  {state?.on_mic_since != null ? (
                    <Countdown
                      timer={dutyTimer(def.rules.booth_duty, state.on_mic_since, 0)}
                      langs={[lang]}
                      class="countdown-small"
                      kind="duty"
                      testid="duty-countdown"
                    />
                  ) : (
                    <span class="muted">–</span>
                  )}
                </td>
                <td>
                  {booth && state?.handover_requested != null ? (
                    <div class="stack">
                      <span class="badge" data-kind="right_of_reply">
                        {t('tech.handover_pending', { time: timeOfDay(state.handover_requested, lang) })}
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
      <RelayPlanView meeting={meeting} />
      <h3 class="subhead">{t('tech.floor_override')}</h3>
      <div class="row">
        <select class="input" value={override} data-testid="floor-language-select" aria-label={t('interp.set_floor')} onChange={(e) => setOverride((e.target as HTMLSelectElement).value)}>
          {knownLanguages(def).map((l) => (
            <option key={l} value={l}>
              {languageName(l, lang)} ({l})
            </option>
          ))}
        </select>
        <CommandButton testid="set-floor-language" command={() => ({ type: 'set_floor_language', language: override })}>
          {t('interp.set_floor')}
        </CommandButton>
        <CommandButton
          testid="clear-floor-language"
          disabled={meeting.interpretation.floor_language_override == null}
          command={{ type: 'set_floor_language', language: null }}
        >
          {t('interp.clear_floor')}
        </CommandButton>
      </div>
    </Section>
  );
}
