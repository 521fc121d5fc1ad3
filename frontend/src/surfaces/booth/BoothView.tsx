// An interpreter booth: who speaks now and in which language, where to take
// the signal (the floor, or relay from another booth, with its depth), what
// the booth should do for the speakers on the floor and ahead (a
// recommended handover accepted with one click), the languages ahead, who
// is on the mic with the duty timer, handover and "slower please" — all
// rendered from the booth's view document.
import '../../components/console.css';
import './booth.css';
import { client } from '../../client';
import type { BoothView as BoothDocument, ChannelFeed, InterpreterLine, Lang } from '../../client/protocol';
import { viewOf } from '../../client/view';
import { CommandButton } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { Countdown } from '../../components/Countdown';
import { CoverageView } from '../../components/Coverage';
import { boothName, DepthMark, warningText, type BoothNames } from '../../components/Interpretation';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { Section } from '../../components/Section';
import { languageName, t, timeOfDay, tx, uiLang } from '../../i18n';

function SignalSource({
  floor,
  feed,
  booth,
  names,
}: {
  floor: Lang | null | undefined;
  feed: ChannelFeed | null | undefined;
  booth: string;
  names: BoothNames;
}) {
  const lang = uiLang.value;
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
              : t('booth.take_relay', { booth: boothName(names, feed.source.booth, lang) })}
          </span>
          <DepthMark feed={feed} />
        </p>
      );
  }
}

/** Where this booth will take its signal for a speaker ahead, in words. */
function aheadSource(feed: ChannelFeed | null | undefined, language: Lang, names: BoothNames, lang: string): string {
  switch (feed?.feed) {
    case 'booth':
      return feed.source.from === 'floor'
        ? t('booth.ahead_floor')
        : t('booth.ahead_relay', { booth: boothName(names, feed.source.booth, lang) });
    case 'floor_is_this_language':
      return t('interp.floor_is_this');
    case 'uncovered':
      return t('booth.uncovered', { language: languageName(language, lang) });
    default:
      return '';
  }
}

function Interpreter({ who, onMic }: { who: InterpreterLine; onMic: boolean }) {
  return (
    <li data-on-mic={onMic} data-interpreter={who.id}>
      <span class="mic" aria-hidden="true">
        {onMic ? '◉' : '○'}
      </span>
      <strong>{who.name || who.id}</strong>
      {onMic ? <span class="badge badge-open">{t('booth.on_mic')}</span> : null}
      <span class="muted small">
        A {who.a.join(', ')} · B {who.b.join(', ') || '–'} · C {who.c.join(', ') || '–'}
      </span>
    </li>
  );
}

function Booth({ view }: { view: BoothDocument }) {
  const lang = uiLang.value;
  const booth = view.booth;
  const boothId = booth.id;
  const names = view.booth_names;
  const speech = view.floor;
  const floor = view.floor_language;

  return (
    <div class="console booth" data-testid="booth-view" data-booth={boothId}>
      <ConsoleHeader surface={t('booth.title')} who={tx(booth.name, lang, boothId)} />
      <LiveAnnouncer
        message={
          speech
            ? `${t('floor.announce', { name: tx(speech.name, lang, speech.delegation) })}, ${languageName(floor ?? speech.language, lang)}`
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
                <span class="booth-name">{tx(speech.name, lang, speech.delegation)}</span>
                <span class="booth-lang" data-testid="floor-language" data-lang={floor ?? ''}>
                  <span class="lang-tag">{floor}</span> {floor ? languageName(floor, lang) : ''}
                </span>
              </div>
              <Countdown countdown={speech.countdown} langs={[lang]} class="countdown-small" />
            </div>
          ) : (
            <p class="muted" data-testid="current-speaker" data-delegation="">
              {t('booth.idle')}
            </p>
          )}
          <SignalSource floor={floor} feed={view.feed} booth={boothId} names={names} />
          {view.warnings.length > 0 ? (
            <ul class="warnings">
              {view.warnings.map((w, i) => (
                <li key={i} class="alert alert-error">
                  <span aria-hidden="true">⚠ </span>
                  {warningText(w, names, lang)}
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
          <Section id="coverage" title={t('coverage.title')} testid="booth-coverage" class="booth-coverage">
            <CoverageView lines={view.coverage} accept booth={boothId} />
          </Section>

          <Section id="ahead" title={t('booth.ahead')} testid="languages-ahead">
            {view.ahead.length === 0 ? (
              <p class="muted">{t('queue.empty')}</p>
            ) : (
              <ol class="ahead-list">
                {view.ahead.map((u, i) => (
                  <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation} data-lang={u.language}>
                    <span class="ahead-num tabular">{i + 1}.</span>
                    <span class="ahead-name">{tx(u.name, lang, u.delegation)}</span>
                    <span class="lang-tag">{u.language}</span>
                    <span class="ahead-source">{aheadSource(u.feed, u.language, names, lang)}</span>
                    {u.feed ? <DepthMark feed={u.feed} /> : null}
                    {u.warnings.length > 0 ? (
                      <span
                        class="badge"
                        data-kind="point_of_order"
                        data-testid="ahead-warning"
                        title={u.warnings.map((w) => warningText(w, names, lang)).join('; ')}
                      >
                        ⚠ {t('booth.warning')}
                      </span>
                    ) : null}
                  </li>
                ))}
              </ol>
            )}
          </Section>

          <Section id="partner" title={t('booth.partner')} testid="booth-partner">
            {booth.team.length > 0 ? (
              <ul class="interpreters" data-testid="booth-team">
                {booth.team.map((who) => (
                  <Interpreter key={who.id} who={who} onMic={booth.on_mic?.id === who.id} />
                ))}
              </ul>
            ) : null}
            <h3 class="subhead">{t('booth.duty')}</h3>
            {booth.duty ? (
              <Countdown countdown={booth.duty} langs={[lang]} kind="duty" testid="duty-countdown" />
            ) : (
              <p class="muted">{t('booth.shift_not_started')}</p>
            )}
            <div class="row booth-actions">
              {booth.handover_requested != null ? (
                <>
                  <span class="badge" data-kind="right_of_reply" data-testid="handover-pending">
                    {t('booth.handover_requested', { time: timeOfDay(booth.handover_requested, lang) })}
                  </span>
                  <CommandButton class="btn-primary" testid="accept-handover" command={{ type: 'accept_handover', booth: boothId }}>
                    {t('booth.accept_handover')}
                  </CommandButton>
                </>
              ) : (
                <CommandButton testid="request-handover" disabled={!booth.partner} command={{ type: 'request_handover', booth: boothId }}>
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

export default function BoothView() {
  const view = viewOf(client().view.value, 'booth');
  return view ? <Booth view={view} /> : null;
}
