// Sets (or clears) the language the floor is taken to be in, for the relay
// plan: the technician's and the chair's console both offer it. Any BCP 47
// tag: the document's languages (`interpretation.languages`) are only
// suggestions, and one nobody interprets is flagged by the server, not
// refused.
import { useEffect, useState } from 'preact/hooks';
import type { InterpretationView } from '../client/protocol';
import { t } from '../i18n';
import { CommandButton } from './commands';
import { LanguagePicker } from './LanguagePicker';

export function FloorLanguageControl({ interpretation, compact = false }: { interpretation: InterpretationView; compact?: boolean }) {
  const current = interpretation.floor_language_override ?? interpretation.floor_language ?? interpretation.languages[0] ?? '';
  const [override, setOverride] = useState(current);
  // What the server set (canonicalised) replaces what was typed.
  useEffect(() => setOverride(current), [current]);
  const tag = override.trim();
  return (
    <div class={`row floor-language ${compact ? 'floor-language-compact' : ''}`} data-testid="floor-language-control">
      <LanguagePicker
        id={compact ? 'floor-language-select' : 'floor-language-select-tech'}
        value={override}
        onChange={setOverride}
        suggestions={interpretation.languages}
        label={compact ? t('interp.floor_language') : t('interp.set_floor')}
        showLabel={compact}
        labelClass="floor-language-label"
        testid="floor-language-select"
      />
      <CommandButton
        class={compact ? 'btn-small' : ''}
        testid="set-floor-language"
        aria-label={compact ? t('interp.set_floor') : undefined}
        disabled={!tag}
        command={() => ({ type: 'set_floor_language', language: tag })}
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
