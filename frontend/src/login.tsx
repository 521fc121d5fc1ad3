import { useState } from 'preact/hooks';
import { client, type ServerError } from './client';
import { normaliseCode } from './client/credentials';
import { LanguageSwitch } from './components/LanguageSwitch';
import { t, tx, uiLang } from './i18n';

/** The access code form, and the way to the public view. */
export function LoginForm({ error }: { error?: ServerError | undefined }) {
  const [code, setCode] = useState('');
  const [meeting, setMeeting] = useState('');
  const message = error ? tx(error.messages, uiLang.value, error.message) : '';
  return (
    <main class="login">
      <div class="login-card">
        <header>
          <span class="brand">plenary</span>
          <LanguageSwitch />
        </header>
        <h1>{t('login.title')}</h1>
        <p>{t('login.intro')}</p>
        {error ? (
          <div class="alert alert-error" role="alert" data-testid="login-error">
            <strong>{t('login.refused')}:</strong> {message}
          </div>
        ) : null}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const value = normaliseCode(code);
            if (value) client().start({ kind: 'code', code: value });
          }}
        >
          <label class="field">
            <span>{t('login.code')}</span>
            <input
              class="input login-code"
              data-testid="login-code"
              name="code"
              autocomplete="off"
              autocapitalize="characters"
              spellcheck={false}
              required
              placeholder="XXXX-XXXX-XXXX-XXXX"
              aria-describedby="login-code-hint"
              value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          </label>
          <p id="login-code-hint" class="hint">
            {t('login.code_hint')}
          </p>
          <button type="submit" class="btn btn-primary" data-testid="login-submit">
            {t('login.submit')}
          </button>
        </form>
        <details class="login-public">
          <summary>{t('login.public')}</summary>
          <p>{t('login.public_hint')}</p>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (meeting.trim()) client().start({ kind: 'public', meeting: meeting.trim() });
            }}
          >
            <label class="field" style={{ flex: 1 }}>
              <span>{t('login.meeting')}</span>
              <input
                class="input"
                data-testid="login-meeting"
                value={meeting}
                placeholder="san-pedro-sula-2017"
                onInput={(e) => setMeeting((e.target as HTMLInputElement).value)}
              />
            </label>
            <button type="submit" class="btn" data-testid="login-public" style={{ alignSelf: 'flex-end' }}>
              {t('login.open_public')}
            </button>
          </form>
        </details>
      </div>
    </main>
  );
}
