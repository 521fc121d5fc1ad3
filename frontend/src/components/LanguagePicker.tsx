// A language to speak, or to take the floor to be in: any BCP 47 tag. The
// document's languages are only suggestions — a list to pick from, each
// with its name — and a text field next to it takes any other tag ("de",
// "qu", "pt-BR"). The two show the same value: a tag typed appears in the
// list by its name. The server canonicalises and checks the tag; a wrong
// one is refused with its reason, next to the button that sent it.
import type { Lang } from '../client/protocol';
import { languageName, uiLang } from '../i18n';

export interface LanguagePickerProps {
  /** The list's id (a `<label for>` outside may name it); the text field is `${id}-tag`. */
  id: string;
  value: string;
  onChange: (value: string) => void;
  suggestions: Lang[];
  /** What the value is, e.g. "Language I will speak": the label of both controls. */
  label: string;
  /** Whether the label is shown before the controls (else read out only). */
  showLabel?: boolean;
  labelClass?: string;
  testid?: string;
}

export function LanguagePicker({ id, value, onChange, suggestions, label, showLabel = true, labelClass = '', testid }: LanguagePickerProps) {
  const lang = uiLang.value;
  const tag = value.trim();
  const options = tag !== '' && !suggestions.includes(tag) ? [...suggestions, tag] : suggestions;
  return (
    <>
      <label for={id} class={showLabel ? labelClass : 'visually-hidden'}>
        {label}
      </label>
      <div class="lang-pick">
        <select
          id={id}
          class="input lang-pick-list"
          value={tag}
          data-testid={testid}
          onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
        >
          {tag === '' ? (
            <option value="" disabled>
              —
            </option>
          ) : null}
          {/* By name: the field next to the list shows the tag. */}
          {options.map((l) => (
            <option key={l} value={l}>
              {languageName(l, lang)}
            </option>
          ))}
        </select>
        <input
          id={`${id}-tag`}
          class="input lang-pick-tag"
          type="text"
          inputMode="text"
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          size={7}
          value={value}
          aria-label={`${label} (BCP 47)`}
          title={`${label} (BCP 47)`}
          placeholder="pt-BR"
          data-testid={testid ? `${testid}-tag` : undefined}
          onInput={(e) => onChange((e.target as HTMLInputElement).value)}
        />
      </div>
    </>
  );
}
