// Meeting content in the languages the meeting file gives: `Texts::get`
// (crates/plenary-core/src/i18n.rs) — the language asked, else the same
// primary language (`pt` for `pt-BR`), else English, else any.
import type { Texts } from '../client/protocol';

export function primary(lang: string): string {
  return lang.split('-')[0]!.toLowerCase();
}

/** `Texts::get`; `undefined` only when there is no text at all. */
export function textIn(texts: Texts | null | undefined, lang: string): string | undefined {
  if (!texts) return undefined;
  const exact = texts[lang];
  if (exact !== undefined) return exact;
  // BTreeMap order: keys sorted.
  const keys = Object.keys(texts).sort();
  const samePrimary = keys.find((k) => primary(k) === primary(lang));
  if (samePrimary !== undefined) return texts[samePrimary];
  const english = keys.find((k) => primary(k) === 'en');
  if (english !== undefined) return texts[english];
  const first = keys[0];
  return first === undefined ? undefined : texts[first];
}
