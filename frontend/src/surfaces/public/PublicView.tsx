// The public view (`#public=<meeting>`): read only, no code — the rolling
// list of speakers and the running order, from the server's public document.
import '../../components/console.css';
import './public.css';
import { client } from '../../client';
import { viewOf } from '../../client/view';
import { Countdown } from '../../components/Countdown';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { turnKind, turnLabel } from '../../components/names';
import { RunningOrderList } from '../../components/RunningOrder';
import { Section } from '../../components/Section';
import { t, timeOfDay, tx, uiLang } from '../../i18n';

export default function PublicView() {
  const view = viewOf(client().view.value, 'public');
  if (!view) return null;
  const lang = uiLang.value;
  const { heading, floor, next, recent, schedule } = view;
  const item = heading.item;
  return (
    <div class="console public" data-testid="public-view">
      <ConsoleHeader surface={t('public.title')} />
      <LiveAnnouncer message={floor ? t('floor.announce', { name: tx(floor.name, lang, floor.delegation) }) : t('floor.announce_none')} />
      <main class="console-main public-main">
        <Section id="speakers" title={t('queue.title')} testid="public-speakers">
          {item ? <p class="public-item">{tx(item.title, lang, item.id)}</p> : <p class="muted">{t('running.no_item')}</p>}
          {floor ? (
            <div class="public-now" data-testid="current-speaker" data-delegation={floor.delegation}>
              <span class="public-label">{t('screen.now_speaking')}</span>
              <span class="public-name">{tx(floor.name, lang, floor.delegation)}</span>
              <Countdown countdown={floor.countdown} langs={[lang]} class="countdown-small" />
            </div>
          ) : (
            <p class="muted" data-testid="current-speaker" data-delegation="">
              {t('floor.nobody')}
            </p>
          )}
          <h3 class="subhead">{t('queue.next')}</h3>
          {next.length === 0 ? (
            <p class="muted">{t('queue.empty')}</p>
          ) : (
            <ol class="public-queue">
              {next.map((u, i) => {
                const badge = turnLabel(heading, u, lang);
                return (
                  <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation} data-kind={turnKind(u)}>
                    {tx(u.name, lang, u.delegation)}
                    {badge ? (
                      <span class="badge" data-kind={turnKind(u)}>
                        {badge}
                      </span>
                    ) : null}
                  </li>
                );
              })}
            </ol>
          )}
          {recent.length > 0 ? (
            <>
              <h3 class="subhead">{t('public.log')}</h3>
              <ul class="public-log">
                {recent.map((r) => (
                  <li key={r.speech}>
                    <span class="tabular muted">{timeOfDay(r.started_at, lang)}</span> {tx(r.name, lang, r.delegation)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Section>
        <Section id="ro" title={t('running.title')} testid="public-running-order">
          <RunningOrderList schedule={schedule} />
        </Section>
      </main>
    </div>
  );
}
