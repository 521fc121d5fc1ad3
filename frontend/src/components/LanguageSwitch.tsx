import { setUiLang, t, uiLang, UI_LANGS } from '../i18n';

/** ES | EN: the interface language of this surface. */
export function LanguageSwitch() {
  const current = uiLang.value;
  return (
    <div class="lang-switch" role="group" aria-label={t('lang.switch')} data-testid="language-switch">
      {UI_LANGS.map((lang) => (
        <button
          type="button"
          lang={lang}
          aria-pressed={current === lang}
          data-lang={lang}
          title={t(lang === 'es' ? 'lang.es' : 'lang.en', undefined, lang)}
          onClick={() => setUiLang(lang)}
        >
          {lang.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
