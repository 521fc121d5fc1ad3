import { useState } from 'preact/hooks';
import { client } from '../../client';
import type { Lang, ScreenLine, ScreenPresence, ScreenTarget, View } from '../../client/protocol';
import { CommandButton, useCommand } from '../../components/commands';
import { targetLabel, targets, targetKey } from '../../components/ScreenTargetPicker';
import { Section } from '../../components/Section';
import { useServerNow } from '../../components/useNow';
import { duration, languageName, t, timeOfDay, tx, uiLang } from '../../i18n';

const VIEWS: View[] = [
  'current_speaker',
  'speakers_list',
  'running_order',
  'interpretation_legend',
  'message',
  'clock',
  'identify',
  'blank',
];

function PresenceCells({ p, now }: { p: ScreenPresence | undefined; now: number }) {
  const lang = uiLang.value;
  if (!p) {
    return (
      <>
        <td>
          <span class="presence" data-online="unknown">
            ?
          </span>
        </td>
        <td colSpan={3} class="muted">
          {t('tech.presence_none')}
        </td>
      </>
    );
  }
  return (
    <>
      <td>
        <span class="presence" data-online={p.online} data-testid="screen-online">
          {p.online ? t('tech.online') : t('tech.offline')}
        </span>
        <div class="muted small">
          {p.last_seen
            ? p.online
              ? `${p.connections} × · ${timeOfDay(p.last_seen, lang)}`
              : t('tech.last_seen', { time: `${timeOfDay(p.last_seen, lang)} (${duration(now - p.last_seen)})` })
            : t('tech.never_seen')}
        </div>
      </td>
      <td class="tabular" data-testid="screen-rtt">
        {p.rtt_ms == null ? '–' : `${p.rtt_ms.toFixed(1)} ms`}
      </td>
      <td class="tabular" data-testid="screen-offset">
        {p.offset_ms == null ? '–' : `${p.offset_ms > 0 ? '+' : ''}${Math.round(p.offset_ms)} ms`}
      </td>
      <td class="tabular">{p.connections}</td>
    </>
  );
}

function AssignForm({ screens, languages, selected }: { screens: readonly ScreenLine[]; languages: readonly Lang[]; selected: string[] }) {
  const [targetKeyValue, setTarget] = useState('selected');
  const [view, setView] = useState<View>('current_speaker');
  const [langs, setLangs] = useState<string[]>([...languages]);
  const [keepLangs, setKeepLangs] = useState(false);
  const [send, last] = useCommand();
  const lang = uiLang.value;
  // Screens speak the meeting's languages (the server refuses others).
  const options = languages;
  const chosenTargets = (): ScreenTarget[] =>
    targetKeyValue === 'selected'
      ? selected.map((id): ScreenTarget => ({ kind: 'screen', id }))
      : targets(screens).filter((tg) => targetKey(tg) === targetKeyValue);
  const assign = () => {
    for (const target of chosenTargets()) {
      send({ type: 'assign_view', target, view, languages: keepLangs ? null : langs });
    }
  };
  const disabled = (targetKeyValue === 'selected' && selected.length === 0) || (!keepLangs && langs.length === 0);
  return (
    <form class="assign-form" onSubmit={(e) => e.preventDefault()} data-testid="assign-form">
      <label class="field">
        <span>{t('tech.target_kind')}</span>
        <select class="input" value={targetKeyValue} data-testid="assign-target" onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
          <option value="selected">{t('tech.target_selected', { n: selected.length })}</option>
          {targets(screens).map((tg) => (
            <option key={targetKey(tg)} value={targetKey(tg)}>
              {targetLabel(tg)}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('tech.view')}</span>
        <select class="input" value={view} data-testid="assign-view-select" onChange={(e) => setView((e.target as HTMLSelectElement).value as View)}>
          {VIEWS.map((v) => (
            <option key={v} value={v}>
              {t(`view.${v}`)}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="field langs-field">
        <legend>{t('tech.languages')}</legend>
        <div class="row">
          {options.map((l) => (
            <label key={l} class="check">
              <input
                type="checkbox"
                disabled={keepLangs}
                checked={langs.includes(l)}
                data-testid={`assign-lang-${l}`}
                onChange={(e) =>
                  setLangs((e.target as HTMLInputElement).checked ? [...langs, l] : langs.filter((x) => x !== l))
                }
              />
              <span lang={l}>{languageName(l, lang)}</span>
            </label>
          ))}
          <label class="check">
            <input type="checkbox" checked={keepLangs} onChange={(e) => setKeepLangs((e.target as HTMLInputElement).checked)} />
            <span>{t('tech.unchanged')}</span>
          </label>
        </div>
      </fieldset>
      <span class="cmd">
        <button type="button" class="btn btn-primary" data-testid="assign-view" data-state={last?.state} disabled={disabled} onClick={assign}>
          {t('tech.assign')}
        </button>
        {last?.error ? <span class="cmd-refusal">{tx(last.error.messages, lang, last.error.message)}</span> : null}
      </span>
    </form>
  );
}

/** Every screen, its health and what it shows; assign views to screens or groups.
 * `languages` are the meeting's (the heading's), the only ones a screen may show. */
export function ScreensPanel({ screens, languages }: { screens: readonly ScreenLine[]; languages: readonly Lang[] }) {
  const presence = client().presence.value;
  const now = useServerNow(5000);
  const lang = uiLang.value;
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (id: string, on: boolean) => setSelected(on ? [...selected, id] : selected.filter((x) => x !== id));
  return (
    <Section id="screens" title={t('tech.screens')} testid="screens-panel">
      <div class="table-wrap">
        <table class="table screens-table">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">✓</span>
              </th>
              <th scope="col">{t('tech.screens')}</th>
              <th scope="col">{t('tech.online')}</th>
              <th scope="col">{t('tech.rtt')}</th>
              <th scope="col">{t('tech.offset')}</th>
              <th scope="col">{t('tech.connections')}</th>
              <th scope="col">{t('tech.view')}</th>
              <th scope="col">{t('tech.languages')}</th>
              <th scope="col">
                <span class="visually-hidden">…</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {screens.map((s) => {
              const state = s.state;
              const p = presence?.find((x) => x.screen === s.id);
              const target: ScreenTarget = { kind: 'screen', id: s.id };
              return (
                <tr key={s.id} data-testid="screen-row" data-screen={s.id} data-online={p?.online ?? 'unknown'} data-view={state?.view}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('tech.select', { name: s.name })}
                      checked={selected.includes(s.id)}
                      data-testid="screen-select"
                      onChange={(e) => toggle(s.id, (e.target as HTMLInputElement).checked)}
                    />
                  </td>
                  <th scope="row">
                    <div class="screen-id">{s.id}</div>
                    <div class="muted small">
                      {s.name} · {s.groups.join(', ')}
                    </div>
                  </th>
                  <PresenceCells p={p} now={now} />
                  <td>
                    <span class="badge">{state ? t(`view.${state.view}`) : '–'}</span>
                    {state?.message ? (
                      <div class="small muted" title={tx(state.message.text, lang)}>
                        ✉ {tx(state.message.text, lang)}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    {state?.languages.map((l) => (
                      <span class="lang-tag" key={l}>
                        {l}
                      </span>
                    ))}
                  </td>
                  <td>
                    <div class="row nowrap">
                      <CommandButton
                        class="btn-small"
                        testid="identify-screen"
                        command={{ type: 'assign_view', target, view: 'identify', languages: null }}
                        aria-label={`${t('tech.identify')}: ${s.id}`}
                      >
                        {t('tech.identify')}
                      </CommandButton>
                      <CommandButton
                        class="btn-small"
                        testid="blank-screen"
                        command={{ type: 'assign_view', target, view: 'blank', languages: null }}
                        aria-label={`${t('tech.blank')}: ${s.id}`}
                      >
                        {t('tech.blank')}
                      </CommandButton>
                      <CommandButton
                        class="btn-small"
                        testid="reload-screen"
                        command={{ type: 'reload_screens', target }}
                        aria-label={`${t('tech.reload')}: ${s.id}`}
                      >
                        {t('tech.reload')}
                      </CommandButton>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h3 class="subhead">{t('tech.assign_title')}</h3>
      <AssignForm screens={screens} languages={languages} selected={selected} />
    </Section>
  );
}
