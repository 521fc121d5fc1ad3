import { useState } from 'preact/hooks';
import type { Lang, ScreenLine, Texts } from '../client/protocol';
import { languageName, t, tx, uiLang } from '../i18n';
import { CommandButton } from './commands';
import { ScreenTargetPicker, targetOf } from './ScreenTargetPicker';

/** Push a message to screens, written in every language of the meeting
 * (`languages`: the heading's, main one first). */
export function ScreenMessageForm({ languages, screens }: { languages: readonly Lang[]; screens: readonly ScreenLine[] }) {
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [target, setTarget] = useState('all');
  const text: Texts = {};
  for (const l of languages) if (texts[l]?.trim()) text[l] = texts[l]!.trim();
  const showing = screens.find((s) => s.state?.message)?.state?.message;
  return (
    <form class="stack" onSubmit={(e) => e.preventDefault()} data-testid="message-form">
      {languages.map((l) => (
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
      <ScreenTargetPicker screens={screens} value={target} onChange={setTarget} label={t('message.target')} testid="message-target" />
      <div class="row">
        <CommandButton
          class="btn-primary"
          testid="push-message"
          disabled={Object.keys(text).length === 0}
          command={() => ({ type: 'push_message', target: targetOf(screens, target), text })}
        >
          {t('message.push')}
        </CommandButton>
        <CommandButton
          testid="clear-message"
          command={() => ({ type: 'clear_message', target: targetOf(screens, target) })}
        >
          {t('message.clear')}
        </CommandButton>
      </div>
      {showing ? <p class="muted">{t('message.current', { text: tx(showing.text, uiLang.value) })}</p> : null}
    </form>
  );
}
