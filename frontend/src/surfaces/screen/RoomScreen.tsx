// A room screen (kiosk): shows what the technician assigned to it
// (`displays.screens[<own id>]`), in its language(s), with no interaction.
// It keeps counting through a lost connection and reloads when told to.
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import './screen.css';
import { client } from '../../client';
import { currentItem, upcomingSpeakers } from '../../client/meeting';
import type { Meeting, ScreenState, Speech, View } from '../../client/protocol';
import { Countdown } from '../../components/Countdown';
import { delegationName, itemTitle, kindName } from '../../components/names';
import { useServerNow } from '../../components/useNow';
import { languageName, t, timeOfDay, tx, uiLangFor, type UiLang } from '../../i18n';

type Langs = readonly string[];

/** Labels in the screen's languages: "Tiene la palabra · Now speaking". */
function both(langs: Langs, f: (l: UiLang) => string): string {
  const seen: string[] = [];
  for (const l of langs) {
    const text = f(uiLangFor(l));
    if (!seen.includes(text)) seen.push(text);
  }
  return seen.join(' · ');
}

function uiLangs(langs: Langs): UiLang[] {
  const out: UiLang[] = [];
  for (const l of langs) {
    const u = uiLangFor(l);
    if (!out.includes(u)) out.push(u);
  }
  return out;
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

function TopBar({ meeting, langs, view }: { meeting: Meeting; langs: Langs; view: View }) {
  const now = useServerNow();
  const item = currentItem(meeting);
  if (view === 'clock' || view === 'identify') return null;
  return (
    <div class="screen-top">
      <span class="screen-item">
        {item ? langs.map((l) => itemTitle(meeting, item.id, l)).filter(unique).join(' · ') : tx(meeting.definition.title, langs[0])}
      </span>
      <time class="screen-clock">{timeOfDay(now, langs[0] ?? 'es')}</time>
    </div>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toLocaleUpperCase() + s.slice(1);
}

function unique<T>(v: T, i: number, a: T[]): boolean {
  return a.indexOf(v) === i;
}

function SpeakerNames({ meeting, speech, langs }: { meeting: Meeting; speech: Speech; langs: Langs }) {
  const names = langs.map((l) => delegationName(meeting, speech.delegation, l)).filter(unique);
  const kind = speech.source.from === 'request' ? speech.source.kind : 'presentation';
  return (
    <div class="speaker-block" data-testid="current-speaker" data-delegation={speech.delegation}>
      <div class="screen-label">{both(langs, (l) => t('screen.now_speaking', undefined, l))}</div>
      {names.map((n, i) => (
        <div class={`speaker-name ${n.length > 28 ? 'long' : ''}`} lang={langs[i]} key={n}>
          {n}
        </div>
      ))}
      <div class="speaker-meta">
        {kind !== 'statement' ? (
          <span class="speaker-kind" data-kind={kind}>
            {kind === 'presentation'
              ? both(langs, (l) => t('kind.presentation', undefined, l))
              : langs.map((l) => kindName(meeting.definition.rules, kind, l)).filter(unique).join(' · ')}
          </span>
        ) : null}
        <span>
          {langs
            .map((l) => t('floor.speaking_in', { language: languageName(speech.language, l) }, uiLangFor(l)))
            .filter(unique)
            .join(' · ')}
        </span>
      </div>
    </div>
  );
}

function NextStrip({ meeting, langs, count }: { meeting: Meeting; langs: Langs; count: number }) {
  const next = upcomingSpeakers(meeting).slice(0, count);
  if (next.length === 0) return null;
  return (
    <div class="next-strip" data-testid="next-speakers">
      <span class="screen-label">{both(langs, (l) => t('screen.next', undefined, l))}</span>
      <ol>
        {next.map((u, i) => (
          <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation}>
            <span class="num">{i + 1}.</span>
            {delegationName(meeting, u.delegation, langs[0] ?? 'es')}
          </li>
        ))}
      </ol>
    </div>
  );
}

function CurrentSpeakerView({ meeting, langs }: { meeting: Meeting; langs: Langs }) {
  const speech = meeting.floor.current;
  if (!speech) {
    return (
      <div class="screen-body">
        <div class="floor-open" data-testid="current-speaker" data-delegation="">
          {both(langs, (l) => t('screen.nobody', undefined, l))}
        </div>
        <SpeakersListBody meeting={meeting} langs={langs.slice(0, 1)} limit={6} />
      </div>
    );
  }
  return (
    <div class="screen-body">
      <SpeakerNames meeting={meeting} speech={speech} langs={langs} />
      <Countdown timer={speech.timer} langs={uiLangs(langs)} />
      <NextStrip meeting={meeting} langs={langs} count={3} />
    </div>
  );
}

function SpeakersListBody({ meeting, langs, limit = 12 }: { meeting: Meeting; langs: Langs; limit?: number }) {
  const current = meeting.floor.current;
  const next = upcomingSpeakers(meeting).slice(0, limit);
  return (
    <Columns
      langs={langs}
      render={(l) => (
        <div class="stack-screen">
          <div class="screen-label">{t('queue.title', undefined, uiLangFor(l))}</div>
          <ol class="screen-list">
            {current ? (
              <li data-current="true" data-testid="current-speaker" data-delegation={current.delegation}>
                <span class="num" aria-hidden="true">
                  ▶
                </span>
                <span class="name">{delegationName(meeting, current.delegation, l)}</span>
              </li>
            ) : null}
            {next.map((u, i) => (
              <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation}>
                <span class="num">{i + 1}.</span>
                <span class="name">{delegationName(meeting, u.delegation, l)}</span>
                {u.kind !== 'statement' ? (
                  <span class="tag">
                    {u.kind === 'presentation'
                      ? t('kind.presentation', undefined, uiLangFor(l))
                      : kindName(meeting.definition.rules, u.kind, l)}
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
        </div>
      )}
    />
  );
}

function RunningOrderView({ meeting, langs }: { meeting: Meeting; langs: Langs }) {
  const insight = client().insight.value;
  const projections = new Map(insight?.running_order.items.map((p) => [p.item, p]));
  return (
    <div class="screen-body">
      <Columns
        langs={langs}
        render={(l) => (
          <div>
            <div class="screen-label">{t('running.title', undefined, uiLangFor(l))}</div>
            <ol class="screen-list screen-ro" data-testid="running-order">
              {meeting.agenda.items.map((item) => {
                const p = projections.get(item.id);
                const start = item.actual_start ?? p?.projected_start;
                return (
                  <li key={item.id} data-status={item.status} data-current={item.status === 'current'}>
                    <span class="num" aria-hidden="true">
                      {item.status === 'done' ? '✓' : item.status === 'current' ? '▶' : '·'}
                    </span>
                    <span class="time">{start ? timeOfDay(start, l) : ''}</span>
                    <span class="name">{itemTitle(meeting, item.id, l)}</span>
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

function LegendView({ meeting, langs }: { meeting: Meeting; langs: Langs }) {
  const relay = client().insight.value?.relay ?? null;
  const def = meeting.definition;
  return (
    <div class="screen-body">
      <Columns
        langs={langs}
        render={(l) => (
          <div>
            <div class="screen-label">{t('view.interpretation_legend', undefined, uiLangFor(l))}</div>
            <ol class="screen-list legend" data-testid="interpretation-legend">
              <li>
                <span class="channel">0</span>
                <span class="name">
                  {t('screen.floor', undefined, uiLangFor(l))}
                  {relay ? <span class="sub">{capitalize(languageName(relay.floor_language, l))}</span> : null}
                </span>
              </li>
              {def.channels.map((c) => {
                const feed = relay?.channels.find((p) => p.channel === c.number)?.feed;
                const viaRelay = feed?.feed === 'booth' && feed.source.from === 'relay';
                return (
                  <li key={c.number} data-channel={c.number}>
                    <span class="channel">{c.number}</span>
                    <span class="name">{capitalize(languageName(c.language, l))}</span>
                    {viaRelay ? (
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

function MessageView({ state, langs }: { state: ScreenState; langs: Langs }) {
  return (
    <div class="screen-body">
      <Columns
        langs={langs}
        render={(l) => (
          <div class="screen-message" data-testid="message-text">
            {state.message ? tx(state.message.text, l) : ''}
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
          {langs
            .map((l) => new Intl.DateTimeFormat(l, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(now)))
            .filter(unique)
            .join(' · ')}
        </div>
      </div>
    </div>
  );
}

function IdentifyView({ meeting, id }: { meeting: Meeting; id: string }) {
  const def = meeting.definition.screens.find((s) => s.id === id);
  const state = meeting.displays.screens[id];
  return (
    <div class="identify" data-testid="identify">
      <div>
        <div class="id">{id}</div>
        <p class="details">
          {def ? `${def.name} — ${def.location}` : ''}
          <br />
          {def?.groups.join(', ')} · {state?.languages.join(' + ').toUpperCase()}
        </p>
      </div>
    </div>
  );
}

function MessageOverlay({ state, langs }: { state: ScreenState; langs: Langs }) {
  if (!state.message || state.view === 'message' || state.view === 'blank') return null;
  return (
    <div class="message-overlay" data-testid="message-overlay" role="status">
      {langs
        .map((l) => tx(state.message!.text, l))
        .filter(unique)
        .map((text, i) => (
          <span lang={langs[i]} key={text}>
            {text}
          </span>
        ))}
    </div>
  );
}

export default function RoomScreen() {
  const c = client();
  const meeting = c.meeting.value!;
  const role = c.role.value;
  const id = role?.role === 'screen' ? role.screen : '';
  const state = meeting.displays.screens[id];
  const status = c.status.value;

  // The technician's "reload": a change of the counter after we first saw it.
  const firstReloads = useRef<number | null>(null);
  useEffect(() => {
    if (!state) return;
    if (firstReloads.current === null) firstReloads.current = state.reloads;
    else if (state.reloads !== firstReloads.current) location.reload();
  }, [state?.reloads]);

  const view: View = state?.view ?? 'identify';
  const langs: Langs = state?.languages ?? meeting.definition.languages;
  useEffect(() => {
    document.documentElement.lang = langs[0] ?? 'es';
  }, [langs.join(',')]);

  let body;
  switch (view) {
    case 'current_speaker':
      body = <CurrentSpeakerView meeting={meeting} langs={langs} />;
      break;
    case 'speakers_list':
      body = (
        <div class="screen-body">
          <SpeakersListBody meeting={meeting} langs={langs} />
        </div>
      );
      break;
    case 'running_order':
      body = <RunningOrderView meeting={meeting} langs={langs} />;
      break;
    case 'interpretation_legend':
      body = <LegendView meeting={meeting} langs={langs} />;
      break;
    case 'message':
      body = state ? <MessageView state={state} langs={langs} /> : null;
      break;
    case 'clock':
      body = <ClockView langs={langs} />;
      break;
    case 'identify':
      body = <IdentifyView meeting={meeting} id={id} />;
      break;
    case 'blank':
      body = null;
      break;
  }

  return (
    <main
      class="screen"
      data-testid="screen-view"
      data-view={view}
      data-screen={id}
      data-message={Boolean(state?.message) && view !== 'message' && view !== 'blank'}
      lang={langs[0]}
    >
      {view !== 'blank' ? <TopBar meeting={meeting} langs={langs} view={view} /> : null}
      {body}
      {state ? <MessageOverlay state={state} langs={langs} /> : null}
      {status.kind !== 'live' ? (
        <div class="screen-reconnecting" data-testid="connection-status" data-status={status.kind}>
          {both(langs, (l) => t('screen.reconnecting', undefined, l))}
        </div>
      ) : (
        <span class="visually-hidden" data-testid="connection-status" data-status="live" />
      )}
    </main>
  );
}
