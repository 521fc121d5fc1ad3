import { useEffect, useState } from 'preact/hooks';
import { client } from '../../client';
import type { Lang, ScreenLine, ScreenPresence, ScreenTarget, View } from '../../client/protocol';
import { releaseFocusAfterClick, useCommand } from '../../components/commands';
import { targetLabel, targets, targetKey } from '../../components/ScreenTargetPicker';
import { Section } from '../../components/Section';
import { useServerNow } from '../../components/useNow';
import { duration, languageName, t, timeOfDay, tx, uiLang } from '../../i18n';
import { CONFIRM_MS, IDENTIFY_MS, blank, blanked, endIdentify, identify, identifying, undoBlank } from './screenActions';

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
        <td class="muted">
          {t('tech.presence_none')}
        </td>
      </>
    );
  }
  return (
    <>
      <td>
        <span class="presence" data-online={p.online} data-testid="screen-online">
          {p.online ? t('tech.online') : <strong>{t('tech.offline')}</strong>}
        </span>
        <div class="muted small">
          {p.last_seen
            ? p.online
              ? `${p.connections} × · ${timeOfDay(p.last_seen, lang)}`
              : t('tech.last_seen', { time: `${timeOfDay(p.last_seen, lang)} (${duration(now - p.last_seen)})` })
            : t('tech.never_seen')}
        </div>
      </td>
      <td class="tabular nowrap-cell">
        <span data-testid="screen-rtt">{p.rtt_ms == null ? '–' : `${p.rtt_ms.toFixed(1)} ms`}</span>
        <div class="muted small" data-testid="screen-offset">
          {p.offset_ms == null ? '–' : `${p.offset_ms > 0 ? '+' : ''}${Math.round(p.offset_ms)} ms`}
        </div>
      </td>
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

/**
 * A button that acts at once on a screen nobody watches, and asks for a
 * second click within CONFIRM_MS on a connected one ("Blank: confirm?").
 */
function ConfirmButton({
  testid,
  label,
  name,
  confirm,
  title,
  onConfirmed,
}: {
  testid: string;
  label: string;
  /** The screen, for the accessible name. */
  name: string;
  confirm: boolean;
  title?: string;
  onConfirmed: () => void;
}) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const timer = setTimeout(() => setArmed(false), CONFIRM_MS);
    return () => clearTimeout(timer);
  }, [armed]);
  const text = armed ? t('tech.confirm', { action: label }) : label;
  return (
    <button
      type="button"
      class={`btn btn-small ${armed ? 'btn-confirm' : ''}`}
      data-testid={testid}
      data-armed={armed}
      aria-label={`${text}: ${name}`}
      title={armed ? t('tech.confirm_hint', { s: CONFIRM_MS / 1000 }) : title}
      onClick={(e) => {
        releaseFocusAfterClick(e);
        if (confirm && !armed) {
          setArmed(true);
          return;
        }
        setArmed(false);
        onConfirmed();
      }}
    >
      {text}
    </button>
  );
}

/** Identify (back by itself after 10 s), Blank (with undo) and Reload —
 * each confirmed first on a connected screen. */
function ScreenActions({ screen, online }: { screen: ScreenLine; online: boolean }) {
  const now = useServerNow(1000);
  const ident = identifying.value.get(screen.id);
  const shows = screen.state?.view ?? screen.view;
  const before = shows === 'blank' ? blanked.value.get(screen.id) : undefined;
  const secs = Math.round(IDENTIFY_MS / 1000);
  const left = ident ? Math.max(0, Math.ceil((ident.until - Date.now()) / 1000)) : 0;
  void now; // re-renders every second while identifying
  return (
    <div class="row screen-actions">
      {ident ? (
        <button
          type="button"
          class="btn btn-small btn-confirm"
          data-testid="identify-screen"
          data-identifying="true"
          title={t('tech.identify_back', { s: secs })}
          aria-label={`${t('tech.identifying', { s: left })}: ${screen.id}`}
          onClick={(e) => {
            releaseFocusAfterClick(e);
            endIdentify(screen.id);
          }}
        >
          {t('tech.identifying', { s: left })}
        </button>
      ) : (
        <ConfirmButton
          testid="identify-screen"
          label={t('tech.identify_timed', { s: secs })}
          name={screen.id}
          confirm={online}
          title={t('tech.identify_back', { s: secs })}
          onConfirmed={() => identify(screen)}
        />
      )}
      {before ? (
        <button
          type="button"
          class="btn btn-small"
          data-testid="undo-blank"
          aria-label={`${t('tech.undo_blank')}: ${screen.id}`}
          onClick={(e) => {
            releaseFocusAfterClick(e);
            undoBlank(screen.id);
          }}
        >
          ↶ {t('tech.undo_blank')}
        </button>
      ) : (
        <ConfirmButton testid="blank-screen" label={t('tech.blank')} name={screen.id} confirm={online} onConfirmed={() => blank(screen)} />
      )}
      <ConfirmButton
        testid="reload-screen"
        label={t('tech.reload')}
        name={screen.id}
        confirm={online}
        onConfirmed={() => client().send({ type: 'reload_screens', target: { kind: 'screen', id: screen.id } })}
      />
    </div>
  );
}

/** How many screens are offline, for the console's header. */
export function OfflineScreens({ screens }: { screens: readonly ScreenLine[] }) {
  const presence = client().presence.value;
  if (!presence) return null;
  const offline = screens.filter((s) => presence.find((p) => p.screen === s.id)?.online !== true).length;
  return (
    <span
      class={`hdr-screens ${offline > 0 ? 'hdr-screens-offline' : ''}`}
      data-testid="screens-offline"
      data-count={offline}
      role="status"
    >
      <span aria-hidden="true">{offline > 0 ? '⚠' : '✓'}</span>{' '}
      {offline > 0 ? t('tech.offline_count', { n: offline, total: screens.length }) : t('tech.all_online', { total: screens.length })}
    </span>
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
              <th scope="col">
                {t('tech.rtt')}
                <div class="small">{t('tech.offset')}</div>
              </th>
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
                      <div class="small muted screen-message-line" title={tx(state.message.text, lang)}>
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
                    <ScreenActions screen={s} online={p?.online === true} />
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
