// The public view (`#public=<meeting>`): read only, no code — the rolling
// list of speakers and the running order.
import '../../components/console.css';
import './public.css';
import { client } from '../../client';
import { currentItem, upcomingSpeakers } from '../../client/meeting';
import { Countdown } from '../../components/Countdown';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { delegationName, itemTitle, kindName } from '../../components/names';
import { RunningOrderList } from '../../components/RunningOrder';
import { Section } from '../../components/Section';
import { t, timeOfDay, uiLang } from '../../i18n';

export default function PublicView() {
  const meeting = client().meeting.value!;
  const lang = uiLang.value;
  const item = currentItem(meeting);
  const speech = meeting.floor.current;
  const next = upcomingSpeakers(meeting);
  const recent = meeting.log.filter((r) => r.item === item?.id).slice(-8).reverse();
  return (
    <div class="console public" data-testid="public-view">
      <ConsoleHeader surface={t('public.title')} />
      <LiveAnnouncer
        message={speech ? t('floor.announce', { name: delegationName(meeting, speech.delegation, lang) }) : t('floor.announce_none')}
      />
      <main class="console-main public-main">
        <Section id="speakers" title={t('queue.title')} testid="public-speakers">
          {item ? <p class="public-item">{itemTitle(meeting, item.id, lang)}</p> : <p class="muted">{t('running.no_item')}</p>}
          {speech ? (
            <div class="public-now" data-testid="current-speaker" data-delegation={speech.delegation}>
              <span class="public-label">{t('screen.now_speaking')}</span>
              <span class="public-name">{delegationName(meeting, speech.delegation, lang)}</span>
              <Countdown timer={speech.timer} langs={[lang]} class="countdown-small" />
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
              {next.map((u, i) => (
                <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation}>
                  {delegationName(meeting, u.delegation, lang)}
                  {u.kind !== 'statement' ? (
                    <span class="badge" data-kind={u.kind}>
                      {u.kind === 'presentation' ? t('kind.presentation') : kindName(meeting.definition.rules, u.kind, lang)}
                    </span>
                  ) : null}
                </li>
              ))}
            </ol>
          )}
          {recent.length > 0 ? (
            <>
              <h3 class="subhead">{t('public.log')}</h3>
              <ul class="public-log">
                {recent.map((r) => (
                  <li key={r.id}>
                    <span class="tabular muted">{timeOfDay(r.started_at, lang)}</span> {delegationName(meeting, r.delegation, lang)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Section>
        <Section id="ro" title={t('running.title')} testid="public-running-order">
          <RunningOrderList meeting={meeting} />
        </Section>
      </main>
    </div>
  );
}
