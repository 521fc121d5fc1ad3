// Sets (or clears) the language the floor is taken to be in, for the relay
// plan: the technician's and the chair's console both offer it. The
// languages are the document's (`interpretation.languages`).
import { useState } from 'preact/hooks';
import type { InterpretationView } from '../client/protocol';
import { languageName, t, uiLang } from '../i18n';
import { CommandButton } from './commands';

export function FloorLanguageControl({ interpretation, compact = false }: { interpretation: InterpretationView; compact?: boolean }) {
  const lang = uiLang.value;
  const [override, setOverride] = useState(
    interpretation.floor_language_override ?? interpretation.floor_language ?? interpretation.languages[0] ?? '',
  );
  return (
    <div class={`row floor-language ${compact ? 'floor-language-compact' : ''}`} data-testid="floor-language-control">
      {compact ? (
        <label for="floor-language-select" class="floor-language-label">
          {t('interp.floor_language')}:
        </label>
      ) : null}
      <select
        id={compact ? 'floor-language-select' : undefined}
        class="input"
        value={override}
        data-testid="floor-language-select"
        aria-label={compact ? undefined : t('interp.set_floor')}
        onChange={(e) => setOverride((e.target as HTMLSelectElement).value)}
      >
        {interpretation.languages.map((l) => (
          <option key={l} value={l}>
            {languageName(l, lang)} ({l})
          </option>
        ))}
      </select>
      <CommandButton
        class={compact ? 'btn-small' : ''}
        testid="set-floor-language"
        aria-label={compact ? t('interp.set_floor') : undefined}
        disabled={!override}
        command={() => ({ type: 'set_floor_language', language: override })}
      >
        {compact ? t('interp.set_floor_short') : t('interp.set_floor')}
      </CommandButton>
      <CommandButton
        class={compact ? 'btn-small' : ''}
        testid="clear-floor-language"
        aria-label={compact ? t('interp.clear_floor') : undefined}
        disabled={interpretation.floor_language_override == null}
        command={{ type: 'set_floor_language', language: null }}
      >
        {compact ? t('interp.clear_floor_short') : t('interp.clear_floor')}
      </CommandButton>
      {compact && interpretation.floor_language_override ? (
        <span class="badge" data-kind="right_of_reply">
          {t('interp.override')}
        </span>
      ) : null}
    </div>
  );
}
