import type { ComponentChildren } from 'preact';
import { client } from '../client';
import { t, timeOfDay, tx, uiLang } from '../i18n';
import { ConnectionStatus } from './ConnectionStatus';
import { LanguageSwitch } from './LanguageSwitch';
import { useServerNow } from './useNow';

/** The top bar of every console: who, which meeting, which item, the clock,
 * the connection, the language switch and sign-out. `offlineNote` says what
 * becomes of what is pressed while the connection is down (by default: it
 * is sent when the connection is back). */
export function ConsoleHeader({
  surface,
  who,
  children,
  offlineNote,
}: {
  surface: string;
  who?: string;
  children?: ComponentChildren;
  offlineNote?: string;
}) {
  const c = client();
  const heading = c.view.value?.heading;
  const lang = uiLang.value;
  const now = useServerNow();
  const item = heading?.item;
  const status = c.status.value;
  return (
    <>
    <header class="console-header">
      <div class="console-id">
        <span class="brand">plenary</span>
        <span class="console-surface">{surface}</span>
        {who ? <span class="console-who">{who}</span> : null}
      </div>
      <div class="console-meeting">
        <span class="console-title">{heading ? tx(heading.title, lang) : ''}</span>
        {item ? (
          <span class="console-item" data-testid="current-item" data-item={item.id} title={tx(item.title, lang, item.id)}>
            {tx(item.title, lang, item.id)}
          </span>
        ) : null}
      </div>
      <div class="console-tools">
        {children}
        <time class="console-clock tabular" data-testid="clock">
          {timeOfDay(now, lang, true)}
        </time>
        <ConnectionStatus />
        <LanguageSwitch />
        {c.credentials?.kind === 'code' ? (
          <button type="button" class="btn btn-small" onClick={() => c.signOut()} data-testid="sign-out">
            {t('login.sign_out')}
          </button>
        ) : null}
      </div>
    </header>
    {status.kind === 'reconnecting' ? (
      <div class="reconnect-banner" role="status" data-testid="reconnect-banner">
        {t('status.reconnecting_detail', { reason: status.reason, attempt: status.attempt })} —{' '}
        {offlineNote ?? t('command.waiting_connection')}
      </div>
    ) : null}
    </>
  );
}
