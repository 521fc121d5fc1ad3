import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { en, es } from '../src/i18n/dictionary';
import { catalogues } from '../src/generated/catalogue';
import { driftText, duration, languageName, meetingTimeZone, t, timeOfDay, uiLangFor } from '../src/i18n';
import { textIn } from '../src/i18n/texts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the interface dictionary', () => {
  it('has every key in Spanish and English, and no other', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });

  it('is the catalogue, whose every language has every key with the same placeholders', () => {
    const reference = catalogues.en as Record<string, string>;
    expect(Object.keys(catalogues).sort()).toEqual(['en', 'es']);
    for (const [lang, texts] of Object.entries(catalogues) as [string, Record<string, string>][]) {
      expect(Object.keys(texts).sort(), lang).toEqual(Object.keys(reference).sort());
      for (const key of Object.keys(reference)) {
        expect(placeholders(texts[key]!), `${lang} ${key}`).toEqual(placeholders(reference[key]!));
      }
    }
    expect(en).toBe(catalogues.en);
    expect(es).toBe(catalogues.es);
  });

  it('says a refusal as the server does, and an agenda item is a punto', () => {
    expect(t('list_closed', undefined, 'es')).toBe(
      'la lista de oradores está cerrada: solo se admiten cuestiones de orden y derechos de réplica',
    );
    expect(t('already_requested', { request: '#4' }, 'en')).toBe(
      'this delegation already has request #4 open on this item',
    );
    for (const text of Object.values(es)) expect(text).not.toMatch(/\btema\b/);
  });

  it('has no empty text', () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(es)]) {
      expect(text.trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(es[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('fills placeholders', () => {
    expect(t('queue.position', { n: 3 }, 'es')).toBe('N.º 3');
    expect(t('running.drift_late', { d: '12 min' }, 'en')).toBe('Running 12 min late');
  });

  it('says drift as people do', () => {
    expect(driftText(12 * 60_000, 'en')).toBe('Running 12 min late');
    expect(driftText(12 * 60_000, 'es')).toBe('Con 12 min de retraso');
    expect(driftText(20_000, 'en')).toBe('On time');
    expect(driftText(-5 * 60_000, 'en')).toBe('5 min ahead of schedule');
    expect(duration(75 * 60_000, 'en')).toBe('1 h 15 min');
  });

  it('maps content languages to an interface language', () => {
    expect(uiLangFor('es-HN')).toBe('es');
    expect(uiLangFor('pt')).toBe('en');
  });
});

describe('meeting texts fall back as Texts::get', () => {
  const texts = { en: 'Opening', 'pt-BR': 'Abertura' };
  it('exact, then the primary language, then English, then any', () => {
    expect(textIn(texts, 'en')).toBe('Opening');
    expect(textIn(texts, 'pt')).toBe('Abertura');
    expect(textIn(texts, 'fr')).toBe('Opening');
    expect(textIn({ es: 'Apertura', fr: 'Ouverture' }, 'de')).toBe('Apertura');
    expect(textIn({}, 'es')).toBeUndefined();
  });
});

describe('formatting times and language names', () => {
  afterEach(() => {
    meetingTimeZone.value = undefined;
  });

  it('makes each Intl formatter once, not once per call (a console formats dozens per update)', () => {
    const made = { dates: 0, names: 0 };
    const { DateTimeFormat, DisplayNames } = Intl;
    const global = Intl as unknown as Record<'DateTimeFormat' | 'DisplayNames', unknown>;
    global.DateTimeFormat = class extends DateTimeFormat {
      constructor(...args: ConstructorParameters<typeof DateTimeFormat>) {
        super(...args);
        made.dates += 1;
      }
    };
    global.DisplayNames = class extends DisplayNames {
      constructor(...args: ConstructorParameters<typeof DisplayNames>) {
        super(...args);
        made.names += 1;
      }
    };
    onTestFinished(() => {
      global.DateTimeFormat = DateTimeFormat;
      global.DisplayNames = DisplayNames;
    });
    meetingTimeZone.value = 'America/Tegucigalpa';
    const at = Date.UTC(2017, 9, 26, 20, 5);
    for (let i = 0; i < 50; i++) {
      expect(timeOfDay(at + i * 60_000, 'es')).toBe(`14:${String(5 + i).padStart(2, '0')}`);
      expect(languageName('pt', 'es')).toBe('portugués');
    }
    expect(made).toEqual({ dates: 1, names: 1 });
    // Another zone is another formatter: the time follows the meeting's zone.
    meetingTimeZone.value = 'UTC';
    expect(timeOfDay(at, 'es')).toBe('20:05');
    expect(languageName('pt', 'en')).toBe('Portuguese');
  });

  it('writes the hour after midnight as 00, in English too (never 24:12)', () => {
    meetingTimeZone.value = 'America/Tegucigalpa';
    const twelvePast = Date.UTC(2026, 11, 1, 6, 12, 7);
    for (const lang of ['en', 'es', 'en-US']) {
      expect(timeOfDay(twelvePast, lang), lang).toBe('00:12');
      expect(timeOfDay(twelvePast, lang, true), lang).toBe('00:12:07');
    }
  });
});
