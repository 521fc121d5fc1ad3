// An interpreter booth: who speaks now and in which language, where to take
// the signal (the floor, or relay from another booth, with its depth), the
// languages ahead, who is on the mic with the duty timer, handover and
// "slower please".
import '../../components/console.css';
import './booth.css';
import { client } from '../../client';
import { boothOf, floorLanguage, upcomingSpeakers } from '../../client/meeting';
import type { ChannelFeed, Meeting } from '../../client/protocol';
import { planFor } from '../../client/relay';
import { dutyTimer } from '../../client/timer';
import { CommandButton } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { Countdown } from '../../components/Countdown';
import { DepthMark, warningText } from '../../components/Interpretation';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { boothName, delegationName } from '../../components/names';
import { Section } from '../../components/Section';
import { languageName, t, timeOfDay, uiLang } from '../../i18n';

function SignalSource({ meeting, feed, booth }: { meeting: Meeting; feed: ChannelFeed | undefined; booth: string }) {
  const lang = uiLang.value;
  const floor = floorLanguage(meeting);
  if (!floor || !feed) return <p class="take-idle">{t('booth.idle')}</p>;
  switch (feed.feed) {
    case 'floor_is_this_language':
    case 'no_booth':
      return (
        <p class="take take-own" data-testid="signal-source" data-source="floor-language">
          {t('booth.your_language')}
        </p>
      );
    case 'uncovered':
      return (
        <p class="take take-uncovered" data-testid="signal-source" data-source="uncovered" role="alert">
          <span aria-hidden="true">⚠ </span>
          {t('booth.uncovered', { language: languageName(floor, lang) })}
        </p>
      );
    case 'booth':
      return (
        <p class="take" data-testid="signal-source" data-source={feed.source.from} data-depth={feed.depth} data-booth={booth}>
          <span class="take-label">{t('booth.take_from')}</span>
          <span class="take-value">
            {feed.source.from === 'floor'
              ? t('booth.take_floor')
              : t('booth.take_relay', { booth: boothName(meeting, feed.source.booth, lang) })}
          </span>
          <DepthMark feed={feed} />
        </p>
      );
  }
}

export default function BoothView() {
  const c = client();
  const meeting = c.meeting.value!;
  const role = c.role.value;
  const boothId = role?.role === 'interpreter' ? role.booth : '';
  const lang = uiLang.value;
  const def = meeting.definition;
  const booth = boothOf(def, boothId);
  const state = meeting.interpretation.booths[boothId];
  const speech = meeting.floor.current;
  const floor = floorLanguage(meeting);
  const relay = c.insight.value?.relay ?? null;
  const myFeed = booth ? relay?.channels.find((ch) => ch.channel === booth.channel)?.feed : undefined;
  const ahead = upcomingSpeakers(meeting).slice(0, 6);
  const hasPartner = (booth?.interpreters.length ?? 0) > 1;

  return (
    <div class="console booth" data-testid="booth-view" data-booth={boothId}>
      <ConsoleHeader surface={t('booth.title')} who={booth ? boothName(meeting, boothId, lang) : boothId} />
      <LiveAnnouncer
        message={
          speech
            ? `${t('floor.announce', { name: delegationName(meeting, speech.delegation, lang) })}, ${languageName(floor ?? speech.language, lang)}`
            : t('floor.announce_none')
        }
      />
      <main class="console-main booth-main">
        <section class="booth-now panel" aria-labelledby="booth-now-title" data-testid="booth-now">
          <h2 id="booth-now-title" class="booth-kicker">
            {t('booth.speaking')}
          </h2>
          {speech ? (
            <div class="booth-speaker-row">
              <div class="booth-speaker" data-testid="current-speaker" data-delegation={speech.delegation}>
                <span class="booth-name">{delegationName(meeting, speech.delegation, lang)}</span>
                <span class="booth-lang" data-testid="floor-language" data-lang={floor ?? ''}>
                  <span class="lang-tag">{floor}</span> {floor ? languageName(floor, lang) : ''}
                </span>
              </div>
              <Countdown timer={speech.timer} langs={[lang]} class="countdown-small" />
            </div>
          ) : (
            <p class="muted" data-testid="current-speaker" data-delegation="">
              {t('booth.idle')}
            </p>
          )}
          <SignalSource meeting={meeting} feed={myFeed} booth={boothId} />
          {relay && relay.warnings.length > 0 ? (
            <ul class="warnings">
              {relay.warnings.map((w, i) => (
                <li key={i} class="alert alert-error">
                  <span aria-hidden="true">⚠ </span>
                  {warningText(meeting, w, lang)}
                </li>
              ))}
            </ul>
          ) : null}
          <div class="row booth-actions">
            <CommandButton class="btn-slower" testid="slower-please" command={{ type: 'slower_please', booth: boothId }}>
              <span aria-hidden="true">▼▼</span> {t('booth.slower')}
            </CommandButton>
            <span class="muted small">{t('booth.slower_sent')}</span>
          </div>
        </section>

        <div class="booth-side">
        <Section id="ahead" title={t('booth.ahead')} testid="languages-ahead">
          {ahead.length === 0 ? (
            <p class="muted">{t('queue.empty')}</p>
          ) : (
            <ol class="ahead-list">
              {ahead.map((u, i) => {
                const plan = u.language ? planFor(meeting, u.language) : null;
                const feed = booth ? plan?.channels.find((ch) => ch.channel === booth.channel)?.feed : undefined;
                const trouble = plan?.warnings.filter((w) => w.warning !== 'into_c_language') ?? [];
                return (
                  <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation} data-lang={u.language ?? ''}>
                    <span class="ahead-num tabular">{i + 1}.</span>
                    <span class="ahead-name">{delegationName(meeting, u.delegation, lang)}</span>
                    <span class="lang-tag">{u.language ?? '?'}</span>
                    <span class="ahead-source">
                      {feed?.feed === 'booth'
                        ? feed.source.from === 'floor'
                          ? t('booth.ahead_floor')
                          : t('booth.ahead_relay', { booth: boothName(meeting, feed.source.booth, lang) })
                        : feed?.feed === 'floor_is_this_language'
                          ? t('interp.floor_is_this')
                          : feed?.feed === 'uncovered'
                            ? t('booth.uncovered', { language: languageName(u.language ?? '', lang) })
                            : ''}
                    </span>
                    {feed ? <DepthMark feed={feed} /> : null}
                    {trouble.length > 0 ? (
                      <span class="badge" data-kind="point_of_order" title={trouble.map((w) => warningText(meeting, w, lang)).join('; ')}>
                        ⚠ {t('booth.warning')}
                      </span>
                    ) : null}
                  </li>
                );
              })}
            </ol>
          )}
        </Section>

        <Section id="partner" title={t('booth.partner')} testid="booth-partner">
          {booth ? (
            <ul class="interpreters">
              {booth.interpreters.map((i, index) => (
                <li key={i.id} data-on-mic={state?.on_mic === index}>
                  <span class="mic" aria-hidden="true">
                    {state?.on_mic === index ? '◉' : '○'}
                  </span>
                  <strong>{i.name || i.id}</strong>
                  {state?.on_mic === index ? <span class="badge badge-open">{t('booth.on_mic')}</span> : null}
                  <span class="muted small">
                    A {i.a.join(', ')} · B {i.b.join(', ') || '–'} · C {i.c.join(', ') || '–'}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          <h3 class="subhead">{t('booth.duty')}</h3>
          {state?.on_mic_since != null ? (
            <Countdown timer={dutyTimer(def.rules.booth_duty, state.on_mic_since, 0)} langs={[lang]} kind="duty" testid="duty-countdown" />
          ) : (
            <p class="muted">{t('booth.shift_not_started')}</p>
          )}
          <div class="row booth-actions">
            {state?.handover_requested != null ? (
              <>
                <span class="badge" data-kind="right_of_reply" data-testid="handover-pending">
                  {t('booth.handover_requested', { time: timeOfDay(state.handover_requested, lang) })}
                </span>
                <CommandButton class="btn-primary" testid="accept-handover" command={{ type: 'accept_handover', booth: boothId }}>
                  {t('booth.accept_handover')}
                </CommandButton>
              </>
            ) : (
              <CommandButton testid="request-handover" disabled={!hasPartner} command={{ type: 'request_handover', booth: boothId }}>
                {t('booth.request_handover')}
              </CommandButton>
            )}
          </div>
        </Section>
        </div>
      </main>
    </div>
  );
}
