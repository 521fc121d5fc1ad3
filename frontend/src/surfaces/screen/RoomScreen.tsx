// A room screen (kiosk): renders its own document (`surface: screen`) — the
// view the technician assigned, in its language(s), with no interaction.
// It keeps counting through a lost connection and reloads when told to.
//
// Read from the back of the hall (issue 11): names and the item title in
// every language the screen shows, one line each (a name may take two),
// scaled to fit and never cut inside a word; the message has a region of
// its own and never covers the countdown or the Next strip; the Next strip
// takes the free space, its names at least 5 % of the screen's height;
// "reconnecting" is big enough to see, with an icon, and covers nothing.
//
// A kiosk (./kiosk.ts): the display kept awake, fullscreen on F or the
// button (or at once with `?kiosk`), the pointer hidden when still.
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import './screen.css';
import { client } from '../../client';
import { itemStartAt } from '../../client/countdown';
import type { Heading, LegendLine, NextUp, OnFloor, Schedule, ScreenInfo, ScreenView } from '../../client/protocol';
import { viewOf } from '../../client/view';
import { Countdown } from '../../components/Countdown';
import { Fit } from '../../components/Fit';
import { kindName, turnLabel } from '../../components/names';
import { useServerNow } from '../../components/useNow';
import { languageName, t, timeOfDay, zonedFormat, tx, uiLangFor, type MessageKey, type UiLang } from '../../i18n';
import type { ConnectionStatus } from '../../client';
import { useKiosk, type Kiosk } from './kiosk';

type Langs = readonly string[];

/** The same text in each of the screen's languages, once: "Tiene la palabra · Now speaking". */
function inEach(langs: Langs, f: (l: string) => string): string {
  return langs.map(f).filter(unique).join(' · ');
}

/** An interface label in the screen's languages. */
function label(langs: Langs, key: MessageKey): string {
  return inEach(langs, (l) => t(key, undefined, uiLangFor(l)));
}

function uiLangs(langs: Langs): UiLang[] {
  return langs.map(uiLangFor).filter(unique);
}

function unique<T>(v: T, i: number, a: T[]): boolean {
  return a.indexOf(v) === i;
}

/** A text in each of the screen's languages, once each: [lang, text]. */
function distinctIn(langs: Langs, f: (l: string) => string): [string, string][] {
  const out: [string, string][] = [];
  for (const l of langs) {
    const text = f(l);
    if (!out.some(([, x]) => x === text)) out.push([l, text]);
  }
  return out;
}

function capitalize(s: string): string {
  return s.charAt(0).toLocaleUpperCase() + s.slice(1);
}

/** Content once per language, side by side. */
function Columns({ langs, render }: { langs: Langs; render: (lang: string) => ComponentChildren }) {
  return (
    <div class="screen-columns" data-cols={Math.min(langs.length, 4)}>
      {langs.map((l) => (
        <div lang={l} key={l} class="screen-column">
          {render(l)}
        </div>
      ))}
    </div>
  );
}

/** "reconnecting", with an icon: in the top bar's flow (it covers nothing),
 * or in a corner of the views without one. */
function Reconnecting({ langs, status }: { langs: Langs; status: ConnectionStatus }) {
  return (
    <div class="screen-reconnecting" data-testid="connection-status" data-status={status.kind} role="status">
      <svg class="reconnecting-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path
          d="M12 4a8 8 0 0 1 7.4 5H16v2h7V4h-2v3.1A10 10 0 0 0 2.1 11h2A8 8 0 0 1 12 4zm0 16a8 8 0 0 1-7.4-5H8v-2H1v7h2v-3.1A10 10 0 0 0 21.9 13h-2A8 8 0 0 1 12 20z"
          fill="currentColor"
        />
      </svg>
      <span class="reconnecting-text">
        {uiLangs(langs).map((l) => (
          <span key={l} lang={l}>
            {t('screen.reconnecting', undefined, l)}
          </span>
        ))}
      </span>
    </div>
  );
}

function TopBar({ heading, langs, status }: { heading: Heading; langs: Langs; status: ConnectionStatus }) {
  const now = useServerNow();
  const item = heading.item;
  const titles = distinctIn(langs.length > 0 ? langs : ['es'], (l) => (item ? tx(item.title, l, item.id) : tx(heading.title, l)));
  return (
    <div class="screen-top">
      <Fit class="screen-item" max={2.8} min={1.9} watch={titles.map(([, x]) => x).join('|')} testid="screen-item">
        {titles.map(([l, title]) => (
          <span class="fit-line" lang={l} key={l}>
            {title}
          </span>
        ))}
      </Fit>
      {status.kind !== 'live' ? <Reconnecting langs={langs} status={status} /> : null}
      <time class="screen-clock">{timeOfDay(now, langs[0] ?? 'es')}</time>
    </div>
  );
}

function SpeakerNames({ heading, floor, langs }: { heading: Heading; floor: OnFloor; langs: Langs }) {
  const names = distinctIn(langs, (l) => tx(floor.name, l, floor.delegation));
  const kind = floor.source.from === 'request' ? floor.source.kind : 'presentation';
  return (
    <div class="speaker-block" data-testid="current-speaker" data-delegation={floor.delegation}>
      <div class="screen-label">{label(langs, 'screen.now_speaking')}</div>
      <Fit class="speaker-names" max={10} min={4.5} lines={2} watch={names.map(([, n]) => n).join('|')} testid="speaker-names">
        {names.map(([l, n]) => (
          <div class="fit-line speaker-name" lang={l} key={l}>
            {n}
          </div>
        ))}
      </Fit>
      <div class="speaker-meta">
        {kind !== 'statement' ? (
          <span class="speaker-kind" data-kind={kind}>
            {inEach(langs, (l) => kindName(heading, kind, l))}
          </span>
        ) : null}
        <span>{inEach(langs, (l) => t('floor.speaking_in', { language: languageName(floor.language, l) }, uiLangFor(l)))}</span>
        {floor.uninterpreted ? <NoInterpretation langs={langs} /> : null}
      </div>
    </div>
  );
}

/** "sin interpretación · no interpretation": nobody in the booths has the
 * language spoken (the document says so); big, with an icon, and never the
 * only sign a colour. */
function NoInterpretation({ langs }: { langs: Langs }) {
  return (
    <span class="no-interp" data-testid="no-interpretation">
      <svg class="no-interp-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path
          d="M12 3a9 9 0 0 0-9 9v6a3 3 0 0 0 3 3h2v-8H5v-1a7 7 0 0 1 14 0v1h-3v8h2a3 3 0 0 0 3-3v-6a9 9 0 0 0-9-9z"
          fill="currentColor"
        />
        <path d="M3 3l18 18" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" />
      </svg>
      {label(langs, 'coverage.no_interpretation')}
    </span>
  );
}

/** Who speaks next, in calling order — the document puts a speaker a point
 * of order interrupted first, who says so ("resumes after the point of
 * order"). Each name in every language of the screen, one line each. */
function NextStrip({ heading, next, langs }: { heading: Heading; next: NextUp[]; langs: Langs }) {
  if (next.length === 0) return null;
  return (
    <div class="next-strip" data-testid="next-speakers">
      <div class="screen-label next-label">
        {distinctIn(langs, (l) => t('screen.next', undefined, uiLangFor(l))).map(([l, text]) => (
          <span lang={l} key={l}>
            {text}
          </span>
        ))}
      </div>
      <ol style={{ '--n': String(next.length) }}>
        {next.map((u, i) => {
          const names = distinctIn(langs, (l) => tx(u.name, l, u.delegation));
          const tags = distinctIn(langs, (l) => turnLabel(heading, u, l)).filter(([, x]) => x !== '');
          return (
            <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation} data-turn={u.turn}>
              <span class="num">{i + 1}</span>
              <div class="next-entry">
                <Fit class="next-names" max={6.4} min={5.2} watch={names.map(([, n]) => n).join('|')}>
                  {names.map(([l, n]) => (
                    <span class="fit-line next-name" lang={l} key={l}>
                      {n}
                    </span>
                  ))}
                </Fit>
                {tags.length > 0 ? (
                  <Fit class="next-tags" max={2.6} min={2} lines={2} watch={tags.map(([, x]) => x).join('|')}>
                    {tags.map(([l, x]) => (
                      <span class="fit-line tag" lang={l} key={l} data-turn={u.turn}>
                        {x}
                      </span>
                    ))}
                  </Fit>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function SpeakersListBody({ heading, floor, next, langs }: { heading: Heading; floor: OnFloor | null | undefined; next: NextUp[]; langs: Langs }) {
  return (
    <Columns
      langs={langs}
      render={(l) => (
        <div class="stack-screen">
          <div class="screen-label">{t('queue.title', undefined, uiLangFor(l))}</div>
          <ol class="screen-list">
            {floor ? (
              <li data-current="true" data-testid="current-speaker" data-delegation={floor.delegation}>
                <span class="num" aria-hidden="true">
                  ▶
                </span>
                <span class="name">{tx(floor.name, l, floor.delegation)}</span>
                {floor.uninterpreted ? (
                  <span class="tag no-interp-tag" data-testid="no-interpretation">
                    {t('coverage.no_interpretation', undefined, uiLangFor(l))}
                  </span>
                ) : null}
              </li>
            ) : null}
            {next.map((u, i) => {
              const tag = turnLabel(heading, u, l);
              return (
                <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation} data-turn={u.turn}>
                  <span class="num">{i + 1}.</span>
                  <span class="name">{tx(u.name, l, u.delegation)}</span>
                  {tag ? <span class="tag">{tag}</span> : null}
                </li>
              );
            })}
          </ol>
        </div>
      )}
    />
  );
}

function CurrentSpeakerView({ heading, floor, next, langs }: { heading: Heading; floor: OnFloor | null | undefined; next: NextUp[]; langs: Langs }) {
  if (!floor) {
    return (
      <div class="screen-body">
        <div class="floor-open" data-testid="current-speaker" data-delegation="">
          {label(langs, 'screen.nobody')}
        </div>
        <SpeakersListBody heading={heading} floor={null} next={next} langs={langs.slice(0, 1)} />
      </div>
    );
  }
  return (
    <div class="screen-body">
      <SpeakerNames heading={heading} floor={floor} langs={langs} />
      <Countdown countdown={floor.countdown} langs={uiLangs(langs)} />
      <NextStrip heading={heading} next={next} langs={langs} />
    </div>
  );
}

function RunningOrderView({ schedule, langs }: { schedule: Schedule; langs: Langs }) {
  const now = useServerNow();
  return (
    <div class="screen-body">
      <Columns
        langs={langs}
        render={(l) => (
          <div>
            <div class="screen-label">{t('running.title', undefined, uiLangFor(l))}</div>
            <ol class="screen-list screen-ro" data-testid="running-order">
              {schedule.items.map((line) => {
                const start = itemStartAt(line.times, schedule.anchor, now);
                return (
                  <li key={line.item} data-status={line.status} data-current={line.status === 'current'} data-start={start}>
                    <span class="num" aria-hidden="true">
                      {line.status === 'done' ? '✓' : line.status === 'current' ? '▶' : '·'}
                    </span>
                    <span class="time">{timeOfDay(start, l)}</span>
                    <span class="name">{tx(line.title, l, line.item)}</span>
                  </li>
                );
              })}
            </ol>
          </div>
        )}
      />
    </div>
  );
}

function LegendView({
  channels,
  floorLanguage,
  uninterpreted,
  langs,
}: {
  channels: LegendLine[];
  floorLanguage: string | null | undefined;
  uninterpreted: boolean;
  langs: Langs;
}) {
  return (
    <div class="screen-body">
      <Columns
        langs={langs}
        render={(l) => (
          <div>
            <div class="screen-label">{t('view.interpretation_legend', undefined, uiLangFor(l))}</div>
            <ol class="screen-list legend" data-testid="interpretation-legend" data-uninterpreted={uninterpreted}>
              <li>
                <span class="channel">0</span>
                <span class="name">
                  {t('screen.floor', undefined, uiLangFor(l))}
                  {floorLanguage ? <span class="sub">{capitalize(languageName(floorLanguage, l))}</span> : null}
                </span>
              </li>
              {uninterpreted ? (
                <li class="legend-no-interp">
                  <NoInterpretation langs={[l]} />
                </li>
              ) : null}
              {channels.map((c) => {
                const feed = c.feed;
                return (
                  <li key={c.channel} data-channel={c.channel} data-feed={feed?.feed}>
                    <span class="channel">{c.channel}</span>
                    <span class="name">{capitalize(languageName(c.language, l))}</span>
                    {feed?.feed === 'booth' && feed.source.from === 'relay' ? (
                      <span class="relay" data-relay="true">
                        {t('screen.relay', undefined, uiLangFor(l))} {feed.depth === 'double_relay' ? '–' : '+'}
                      </span>
                    ) : null}
                  </li>
                );
              })}
            </ol>
          </div>
        )}
      />
    </div>
  );
}

function MessageView({ screen, langs }: { screen: ScreenInfo; langs: Langs }) {
  return (
    <div class="screen-body">
      <Columns
        langs={langs}
        render={(l) => (
          <div class="screen-message" data-testid="message-text">
            {screen.message ? tx(screen.message.text, l) : ''}
          </div>
        )}
      />
    </div>
  );
}

function ClockView({ langs }: { langs: Langs }) {
  const now = useServerNow();
  const lang = langs[0] ?? 'es';
  return (
    <div class="screen-clock-view">
      <div>
        <time data-testid="screen-clock">{timeOfDay(now, lang, true)}</time>
        <div class="date">
          {inEach(langs, (l) => zonedFormat(l, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(now)))}
        </div>
      </div>
    </div>
  );
}

function IdentifyView({ screen }: { screen: ScreenInfo }) {
  return (
    <div class="identify" data-testid="identify">
      <div>
        <div class="id">{screen.id}</div>
        <p class="details">
          {`${screen.name} — ${screen.location}`}
          <br />
          {[screen.groups.join(', '), screen.languages.join(' + ').toUpperCase()].filter((part) => part !== '').join(' · ')}
        </p>
      </div>
    </div>
  );
}

/** The message over a view, in a region of its own at the bottom: the
 * view above gives up the room (it never covers the countdown or Next). */
function MessageOverlay({ screen, langs }: { screen: ScreenInfo; langs: Langs }) {
  const message = screen.message;
  if (!message || screen.view === 'message' || screen.view === 'blank') return null;
  const texts = distinctIn(langs, (l) => tx(message.text, l));
  return (
    <div class="message-overlay" data-testid="message-overlay" role="status">
      <Fit class="message-texts" max={5.2} min={2.8} lines={2} watch={texts.map(([, x]) => x).join('|')}>
        {texts.map(([l, text]) => (
          <span class="fit-line" lang={l} key={l}>
            {text}
          </span>
        ))}
      </Fit>
    </div>
  );
}

function Body({ view, langs }: { view: ScreenView; langs: Langs }) {
  const { heading, content } = view;
  switch (content.view) {
    case 'current_speaker':
      return <CurrentSpeakerView heading={heading} floor={content.floor} next={content.next} langs={langs} />;
    case 'speakers_list':
      return (
        <div class="screen-body">
          <SpeakersListBody heading={heading} floor={content.floor} next={content.next} langs={langs} />
        </div>
      );
    case 'running_order':
      return <RunningOrderView schedule={content.schedule} langs={langs} />;
    case 'interpretation_legend':
      return (
        <LegendView
          channels={content.channels}
          floorLanguage={content.floor_language}
          uninterpreted={content.uninterpreted ?? false}
          langs={langs}
        />
      );
    case 'message':
      return <MessageView screen={view.screen} langs={langs} />;
    case 'clock':
      return <ClockView langs={langs} />;
    case 'identify':
      return <IdentifyView screen={view.screen} />;
    case 'blank':
      return null;
  }
}

/** The fullscreen button (shown while the pointer moves) and, when the
 * link asked for fullscreen and the browser wants a key or a click first,
 * the hint saying so. */
function KioskControls({ kiosk, langs }: { kiosk: Kiosk; langs: Langs }) {
  const lang = uiLangs(langs)[0] ?? 'es';
  const label = t(kiosk.fullscreen ? 'screen.fullscreen_exit' : 'screen.fullscreen', undefined, lang);
  return (
    <>
      <button
        type="button"
        class="screen-fullscreen"
        data-testid="fullscreen-toggle"
        data-fullscreen-toggle
        aria-pressed={kiosk.fullscreen}
        aria-label={label}
        title={label}
        onClick={kiosk.toggleFullscreen}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            d={
              kiosk.fullscreen
                ? 'M8 3v5H3v2h7V3H8zm8 0h-2v7h7V8h-5V3zM3 16h5v5h2v-7H3v2zm11 5h2v-5h5v-2h-7v7z'
                : 'M3 3h7v2H5v5H3V3zm11 0h7v7h-2V5h-5V3zM3 14h2v5h5v2H3v-7zm16 0h2v7h-7v-2h5v-5z'
            }
            fill="currentColor"
          />
        </svg>
      </button>
      {kiosk.needsGesture ? (
        <div class="screen-kiosk-hint" data-testid="fullscreen-hint" role="status">
          {uiLangs(langs).map((l) => (
            <span key={l} lang={l}>
              {t('screen.fullscreen_hint', undefined, l)}
            </span>
          ))}
        </div>
      ) : null}
    </>
  );
}

/** Reloads the page when the technician's "reload" counter changes after
 * it was first seen from the server (a document kept on this device from
 * before a reload does not count: its counter may be older). */
function useReloadOn(reloads: number | undefined, fromServer: boolean): void {
  const first = useRef<number | null>(null);
  useEffect(() => {
    if (reloads === undefined || !fromServer) return;
    if (first.current === null) first.current = reloads;
    else if (reloads !== first.current) location.reload();
  }, [reloads, fromServer]);
}

export default function RoomScreen() {
  const c = client();
  const view = viewOf(c.view.value, 'screen');
  const status = c.status.value;
  const kiosk = useKiosk();
  const restored = c.restored.value;
  useReloadOn(view?.screen.reloads, !restored);
  const screen = view?.screen;
  const langs: Langs = screen && screen.languages.length > 0 ? screen.languages : (view?.heading.languages ?? []);
  const langsKey = langs.join(',');
  useEffect(() => {
    document.documentElement.lang = langs[0] ?? 'es';
  }, [langsKey]);
  if (!view || !screen) return null;

  const shown = view.content.view;
  const bare = shown === 'blank' || shown === 'clock' || shown === 'identify';
  return (
    <main
      class={kiosk.cursorIdle ? 'screen cursor-idle' : 'screen'}
      data-testid="screen-view"
      data-view={shown}
      data-screen={screen.id}
      data-message={Boolean(screen.message) && shown !== 'message' && shown !== 'blank'}
      data-wake-lock={kiosk.wakeLock}
      data-fullscreen={kiosk.fullscreen}
      data-cursor={kiosk.cursorIdle ? 'hidden' : 'shown'}
      data-restored={restored}
      lang={langs[0]}
    >
      {bare ? null : <TopBar heading={view.heading} langs={langs} status={status} />}
      <Body view={view} langs={langs} />
      <MessageOverlay screen={screen} langs={langs} />
      {status.kind === 'live' ? (
        <span class="visually-hidden" data-testid="connection-status" data-status="live" />
      ) : bare ? (
        <div class="screen-reconnecting-corner">
          <Reconnecting langs={langs} status={status} />
        </div>
      ) : null}
      <KioskControls kiosk={kiosk} langs={langs} />
    </main>
  );
}
