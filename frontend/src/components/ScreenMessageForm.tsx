import { useState } from 'preact/hooks';
import type { Meeting, Texts } from '../client/protocol';
import { languageName, t, tx, uiLang } from '../i18n';
import { CommandButton } from './commands';
import { ScreenTargetPicker, targetOf } from './ScreenTargetPicker';

/** Push a message to screens, written in every language of the meeting. */
export function ScreenMessageForm({ meeting }: { meeting: Meeting }) {
  const langs = meeting.definition.languages;
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [target, setTarget] = useState('all');
  const text: Texts = {};
  for (const l of langs) if (texts[l]?.trim()) text[l] = texts[l]!.trim();
  const showing = Object.values(meeting.displays.screens).find((s) => s?.message)?.message;
  return (
    <form class="stack" onSubmit={(e) => e.preventDefault()} data-testid="message-form">
      {langs.map((l) => (
        <label class="field" key={l} lang={l}>
          <span>{t('message.text_in', { language: languageName(l) })}</span>
          <input
            class="input"
            lang={l}
            data-testid={`message-text-${l}`}
            value={texts[l] ?? ''}
            onInput={(e) => setTexts({ ...texts, [l]: (e.target as HTMLInputElement).value })}
          />
        </label>
      ))}
      <ScreenTargetPicker meeting={meeting} value={target} onChange={setTarget} label={t('message.target')} testid="message-target" />
      <div class="row">
        <CommandButton
          class="btn-primary"
          testid="push-message"
          disabled={Object.keys(text).length === 0}
          command={() => ({ type: 'push_message', target: targetOf(meeting, target), text })}
        >
          {t('message.push')}
        </CommandButton>
        <CommandButton
          testid="clear-message"
          command={() => ({ type: 'clear_message', target: targetOf(meeting, target) })}
        >
          {t('message.clear')}
        </CommandButton>
      </div>
      {showing ? <p class="muted">{t('message.current', { text: tx(showing.text, uiLang.value) })}</p> : null}
    </form>
  );
}
