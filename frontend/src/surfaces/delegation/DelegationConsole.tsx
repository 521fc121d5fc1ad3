// A delegation's console (phone or tablet): ask for the floor with the
// kinds the rules allow right now (and why not, when not), follow one's
// place in the queue, and a clear "you have the floor" with the countdown.
import { useState } from 'preact/hooks';
import '../../components/console.css';
import './delegation.css';
import { client } from '../../client';
import { admit, requestKinds, type Refusal } from '../../client/admission';
import { currentItem, delegationOf, knownLanguages, upcomingSpeakers, waiting } from '../../client/meeting';
import type { AgendaItem, Meeting, Request } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { Countdown } from '../../components/Countdown';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { delegationName, itemTitle, kindName } from '../../components/names';
import { Section } from '../../components/Section';
import { useServerNow } from '../../components/useNow';
import { duration, languageName, t, timeOfDay, uiLang } from '../../i18n';

/** Why not, in the words of the server's own refusal (the catalogue's text
 * under the refusal's code). */
function refusalText(r: Refusal, kind: string): string {
  switch (r.code) {
    case 'already_requested':
      return t('already_requested', { request: `#${r.request.id}` });
    case 'reply_limit_reached':
      return t('reply_limit_reached', { max: r.max });
    case 'unknown_kind':
      return t('unknown_kind', { kind });
    default:
      return t(r.code);
  }
}

const testId = (kind: string) => `request-${kind.replace(/_/g, '-')}`;

function LanguagePicker({ meeting, value, onChange, id }: { meeting: Meeting; value: string; onChange: (l: string) => void; id: string }) {
  return (
    <select class="input" id={id} value={value} data-testid="request-language" onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {knownLanguages(meeting.definition).map((l) => (
        <option key={l} value={l} lang={l}>
          {languageName(l)} ({l})
        </option>
      ))}
    </select>
  );
}

function RequestButtons({ meeting, item, me }: { meeting: Meeting; item: AgendaItem | undefined; me: string }) {
  const def = meeting.definition;
  const mine = delegationOf(def, me);
  const [language, setLanguage] = useState(mine?.floor_language ?? def.languages[0] ?? 'es');
  const lang = uiLang.value;
  return (
    <Section id="request" title={t('delegation.request')} testid="request-panel">
      {!item ? <p class="muted">{t('delegation.no_item')}</p> : null}
      {item && !item.speakers.open ? <p class="alert alert-warn">{t('queue.closed_note')}</p> : null}
      <div class="field">
        <label for="request-language">{t('delegation.language')}</label>
        <LanguagePicker meeting={meeting} value={language} onChange={setLanguage} id="request-language" />
      </div>
      <div class="request-buttons">
        {requestKinds(def.rules).map((kind) => {
          const verdict = item
            ? admit(item.speakers, def.rules, item.time_limits, me, mine?.category ?? 'observer', kind)
            : ({ ok: false, refusal: { code: 'no_current_item' } } as const);
          const why = verdict.ok ? null : refusalText(verdict.refusal, kind);
          const name = kindName(def.rules, kind, lang);
          return (
            <div class="request-option" key={kind} data-kind={kind}>
              <CommandButton
                class={kind === 'statement' ? 'btn-primary btn-request' : 'btn-request'}
                testid={testId(kind)}
                disabled={!verdict.ok}
                command={() =>
                  item
                    ? {
                        type: 'request_floor',
                        item: item.id,
                        delegation: me,
                        kind,
                        language: language === mine?.floor_language ? null : language,
                      }
                    : null
                }
              >
                {name}
                {verdict.ok ? <span class="request-limit">{duration(verdict.limit)}</span> : null}
              </CommandButton>
              {why ? (
                <span class="why-not" data-testid={`${testId(kind)}-reason`}>
                  {t('delegation.why_not', { reason: why })}
                </span>
              ) : null}
            </div>
          );
        })}
      </div>
    </Section>
  );
}

function MyRequest({ meeting, item, request }: { meeting: Meeting; item: AgendaItem; request: Request }) {
  const lang = uiLang.value;
  const now = useServerNow();
  const queue = waiting(item.speakers);
  const position = queue.findIndex((r) => r.id === request.id);
  const wait = client().insight.value?.waits.find((w) => w.request === request.id);
  const [language, setLanguage] = useState(request.language);
  return (
    <li class="my-request" data-testid="my-request" data-request={request.id} data-kind={request.kind}>
      <div class="row">
        <span class="badge" data-kind={request.kind}>
          {kindName(meeting.definition.rules, request.kind, lang)}
        </span>
        <span class="lang-tag">{request.language}</span>
        <span class="muted">{duration(request.limit)}</span>
      </div>
      {position >= 0 ? (
        <p class="my-position" data-testid="my-position" data-position={position + 1}>
          <strong>{t('delegation.position', { n: position + 1, total: queue.length })}</strong>
          {wait ? (
            <span data-testid="my-wait" data-expected-at={wait.expected_at}>
              {' '}
              {t('delegation.expected', {
                wait: duration(Math.max(0, wait.expected_at - now)),
                time: timeOfDay(wait.expected_at, lang),
              })}
            </span>
          ) : null}
        </p>
      ) : null}
      <div class="row">
        <label class="visually-hidden" for={`declare-${request.id}`}>
          {t('delegation.language')}
        </label>
        <select class="input" id={`declare-${request.id}`} value={language} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value)}>
          {knownLanguages(meeting.definition).map((l) => (
            <option key={l} value={l}>
              {languageName(l)} ({l})
            </option>
          ))}
        </select>
        <CommandButton
          testid="declare-language"
          disabled={language === request.language}
          command={{ type: 'declare_language', request: request.id, language }}
        >
          {t('delegation.declare')}
        </CommandButton>
        <CommandButton class="btn-danger" testid="withdraw" command={{ type: 'withdraw_request', request: request.id }}>
          {t('delegation.withdraw')}
        </CommandButton>
      </div>
    </li>
  );
}

export default function DelegationConsole() {
  const c = client();
  const meeting = c.meeting.value!;
  const role = c.role.value;
  const me = role?.role === 'delegation' ? role.delegation : '';
  const lang = uiLang.value;
  const item = currentItem(meeting);
  const speech = meeting.floor.current;
  const mine = speech?.delegation === me;
  const interrupted = meeting.floor.interrupted.find((s) => s.delegation === me);
  const myRequests = item ? item.speakers.requests.filter((r) => r.delegation === me && r.status.status === 'requested') : [];
  const next = upcomingSpeakers(meeting).slice(0, 5);
  const myName = delegationName(meeting, me, lang);

  return (
    <div class="console delegation" data-testid="delegation-console" data-floor={mine ? 'mine' : 'other'}>
      <ConsoleHeader surface={t('delegation.title')} who={myName} />
      <LiveAnnouncer
        message={
          mine
            ? t('delegation.you_have_floor')
            : speech
              ? t('floor.announce', { name: delegationName(meeting, speech.delegation, lang) })
              : t('floor.announce_none')
        }
      />
      <main class="console-main delegation-main">
        {mine && speech ? (
          <section class="you-have-floor" data-testid="you-have-floor" aria-labelledby="yhf">
            <h2 id="yhf">
              <span aria-hidden="true">◉ </span>
              {t('delegation.you_have_floor')}
            </h2>
            <Countdown timer={speech.timer} langs={[lang]} />
            {speech.source.from === 'request' ? (
              <CommandButton
                class="btn-danger"
                testid="yield"
                command={{ type: 'withdraw_request', request: speech.source.request }}
              >
                {t('delegation.yield')}
              </CommandButton>
            ) : null}
          </section>
        ) : null}
        {interrupted ? <p class="alert alert-warn">{t('delegation.interrupted')}</p> : null}

        {myRequests.length > 0 && item ? (
          <Section id="mine" title={t('delegation.your_requests')} testid="my-requests">
            <ul class="my-requests">
              {myRequests.map((r) => (
                <MyRequest key={r.id} meeting={meeting} item={item} request={r} />
              ))}
            </ul>
          </Section>
        ) : null}

        <RequestButtons meeting={meeting} item={item} me={me} />

        <Section id="now" title={t('delegation.now_speaking')} testid="now-speaking">
          {item ? <p class="muted">{itemTitle(meeting, item.id, lang)}</p> : null}
          {speech ? (
            <div class="now-line" data-testid="current-speaker" data-delegation={speech.delegation}>
              <strong>{delegationName(meeting, speech.delegation, lang)}</strong>
              {!mine ? <Countdown timer={speech.timer} langs={[lang]} class="countdown-small" testid="countdown-other" /> : null}
            </div>
          ) : (
            <p class="muted" data-testid="current-speaker" data-delegation="">
              {t('floor.nobody')}
            </p>
          )}
          {next.length > 0 ? (
            <>
              <h3 class="subhead">{t('queue.next')}</h3>
              <ol class="next-list">
                {next.map((u, i) => (
                  <li key={`${u.delegation}-${i}`} data-testid="queue-item" data-delegation={u.delegation} data-mine={u.delegation === me}>
                    {delegationName(meeting, u.delegation, lang)}
                    {u.kind !== 'statement' ? (
                      <span class="badge" data-kind={u.kind}>
                        {u.kind === 'presentation' ? t('kind.presentation') : kindName(meeting.definition.rules, u.kind, lang)}
                      </span>
                    ) : null}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </Section>

      </main>
    </div>
  );
}
