// The interface language (ES / EN), its texts, and formatting of times and
// durations. Meeting content goes through `textIn` (./texts.ts).
import { signal } from '@preact/signals-core';
import { dictionaries, type MessageKey } from './dictionary';
import { primary, textIn } from './texts';
import type { Texts } from '../client/protocol';

export type UiLang = keyof typeof dictionaries;
export const UI_LANGS: readonly UiLang[] = ['es', 'en'];
export type { MessageKey } from './dictionary';
export { textIn } from './texts';

const STORAGE_KEY = 'plenary.lang';

/** The interface language for a content or browser language: es or en. */
export function uiLangFor(lang: string | null | undefined): UiLang {
  return lang && primary(lang) === 'es' ? 'es' : 'en';
}

function initialLang(): UiLang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'es' || saved === 'en') return saved;
  } catch {
    // No storage.
  }
  return typeof navigator === 'undefined' ? 'es' : uiLangFor(navigator.language);
}

/** The language of this surface's interface (the language switch). */
export const uiLang = signal<UiLang>(initialLang());

export function setUiLang(lang: UiLang): void {
  uiLang.value = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

export type Params = Record<string, string | number>;

/** An interface text in `lang` (the switch's language by default). */
export function t(key: MessageKey, params?: Params, lang: UiLang = uiLang.value): string {
  const template = dictionaries[lang][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Meeting content in the interface language (or `lang`), with `Texts::get` fallback. */
export function tx(texts: Texts | null | undefined, lang: string = uiLang.value, fallback = ''): string {
  return textIn(texts, lang) ?? fallback;
}

/** A language's own name in the interface language: "Portuguese", "portugués". */
export function languageName(lang: string, inLang: string = uiLang.value): string {
  try {
    return intl(`names|${inLang}`, () => new Intl.DisplayNames([inLang], { type: 'language' })).of(lang) ?? lang;
  } catch {
    return lang;
  }
}

/** Intl's formatters, made once each: building one costs far more than
 * using it, and a console formats dozens of times per update (a technician's
 * table of codes, every clock). */
const formatters = new Map<string, unknown>();

function intl<T>(key: string, make: () => T): T {
  let made = formatters.get(key) as T | undefined;
  if (made === undefined) {
    made = make();
    formatters.set(key, made);
  }
  return made;
}

/** The meeting's IANA time zone, from the view documents' heading: every
 * time people read is shown in it (the browser's when not known yet). */
export const meetingTimeZone = signal<string | undefined>(undefined);

/** `Intl.DateTimeFormat` in the meeting's time zone (the browser's if the
 * engine does not know the zone). */
export function zonedFormat(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const timeZone = meetingTimeZone.value;
  return intl(`date|${lang}|${timeZone ?? ''}|${JSON.stringify(options)}`, () => {
    try {
      return new Intl.DateTimeFormat(lang, timeZone ? { ...options, timeZone } : options);
    } catch {
      return new Intl.DateTimeFormat(lang, options);
    }
  });
}

/** A time of day on the server clock, in the meeting's time zone, e.g. 14:35
 * (and 00:12 after midnight: `hour12: false` reads 24:12 in English on some
 * engines, so the hour cycle is named). */
export function timeOfDay(ms: number, lang: string = uiLang.value, seconds = false): string {
  return zonedFormat(lang, {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(new Date(ms));
}

/** The calendar day of an instant in the meeting's time zone, `YYYY-MM-DD`. */
export function dayOf(ms: number): string {
  return zonedFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** A span for people: 45 s, 12 min, 1 h 05 min (rounded to the minute above 1 min). */
export function duration(ms: number, lang: UiLang = uiLang.value): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return t('duration.s', { s: Math.round(abs / 1000) }, lang);
  const totalMin = Math.round(abs / 60_000);
  if (totalMin < 60) return t('duration.min', { m: totalMin }, lang);
  if (totalMin >= 48 * 60) {
    const h = Math.round(totalMin / 60);
    return t('duration.d_h', { d: Math.floor(h / 24), h: h % 24 }, lang);
  }
  return t('duration.h_min', { h: Math.floor(totalMin / 60), m: String(totalMin % 60).padStart(2, '0') }, lang);
}

/** "Running 12 min late" / "On time" / "5 min ahead of schedule". */
export function driftText(drift: number, lang: UiLang = uiLang.value): string {
  if (Math.abs(drift) < 60_000) return t('running.on_time', undefined, lang);
  return drift > 0
    ? t('running.drift_late', { d: duration(drift, lang) }, lang)
    : t('running.drift_early', { d: duration(drift, lang) }, lang);
}
