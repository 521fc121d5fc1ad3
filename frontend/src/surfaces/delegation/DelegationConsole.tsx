// A delegation's console (phone or tablet): ask for the floor with the
// answer the server says each kind would get now (and why not, in its own
// words), follow one's place in the line, and a clear "you have the floor"
// with the countdown. Everything shown comes from the delegation document.
import { useEffect, useState } from 'preact/hooks';
import '../../components/console.css';
import './delegation.css';
import { client } from '../../client';
import { etaAt } from '../../client/countdown';
import type { Admission, DelegationView, Lang, MyRequest } from '../../client/protocol';
import { viewOf } from '../../client/view';
import { CommandButton } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { Countdown } from '../../components/Countdown';
import { LanguagePicker } from '../../components/LanguagePicker';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { kindName, turnKind, turnLabel } from '../../components/names';
import { Section } from '../../components/Section';
import { useServerNow } from '../../components/useNow';
import { duration, t, timeOfDay, tx, uiLang } from '../../i18n';

const testId = (kind: string) => `request-${kind.replace(/_/g, '-')}`;

function RequestOption({ view, admission, language }: { view: DelegationView; admission: Admission; language: Lang }) {
  const lang = uiLang.value;
  const { kind, verdict } = admission;
  const item = view.heading.item;
  const allowed = verdict.verdict === 'allowed';
  return (
    <div class="request-option" data-kind={kind}>
      <CommandButton
        class={kind === 'statement' ? 'btn-primary btn-request' : 'btn-request'}
        testid={testId(kind)}
        disabled={!allowed}
        command={() =>
          item
            ? {
                type: 'request_floor',
                item: item.id,
                delegation: view.me.id,
                kind,
                // Absent means the delegation's usual language.
                language: language === '' || language === view.me.floor_language ? null : language,
              }
            : null
        }
      >
        {kindName(view.heading, kind, lang)}
        {verdict.verdict === 'allowed' ? <span class="request-limit">{duration(verdict.limit)}</span> : null}
      </CommandButton>
      {verdict.verdict === 'refused' ? (
        <span class="why-not" data-testid={`${testId(kind)}-reason`} data-code={verdict.code}>
          {t('delegation.why_not', { reason: tx(verdict.message, lang, verdict.code) })}
        </span>
      ) : null}
    </div>
  );
}

function RequestButtons({ view }: { view: DelegationView }) {
  const [language, setLanguage] = useState(view.me.floor_language);
  const item = view.heading.item;
  return (
    <Section id="request" title={t('delegation.request')} testid="request-panel">
      {!item ? <p class="muted">{t('delegation.no_item')}</p> : null}
      {item && !item.list_open ? <p class="alert alert-warn">{t('queue.closed_note')}</p> : null}
      <div class="field">
        <LanguagePicker
          id="request-language"
          value={language}
          onChange={setLanguage}
          suggestions={view.languages}
          label={t('delegation.language')}
          testid="request-language"
        />
      </div>
      <div class="request-buttons">
        {view.may_request.map((admission) => (
          <RequestOption key={admission.kind} view={view} admission={admission} language={language.trim()} />
        ))}
      </div>
    </Section>
  );
}

function MyRequestLine({ view, request }: { view: DelegationView; request: MyRequest }) {
  const lang = uiLang.value;
  const now = useServerNow();
  const [language, setLanguage] = useState(request.language);
  // The language the server recorded (canonicalised) replaces what was typed.
  useEffect(() => setLanguage(request.language), [request.language]);
  const tag = language.trim();
  const expected = request.expected_at ? etaAt(request.expected_at, now) : null;
  return (
    <li class="my-request" data-testid="my-request" data-request={request.request} data-kind={request.kind}>
      <div class="row">
        <span class="badge" data-kind={request.kind}>
          {kindName(view.heading, request.kind, lang)}
        </span>
        <span class="lang-tag">{request.language}</span>
        <span class="muted">{duration(request.limit)}</span>
      </div>
      {request.place != null ? (
        <p class="my-position" data-testid="my-position" data-position={request.place}>
          <strong>{t('delegation.position', { n: request.place, total: view.next.length })}</strong>
          {expected !== null ? (
            <span data-testid="my-wait" data-expected-at={expected}>
              {' '}
              {t('delegation.expected', { wait: duration(Math.max(0, expected - now)), time: timeOfDay(expected, lang) })}
            </span>
          ) : null}
        </p>
      ) : null}
      <div class="row">
        <LanguagePicker
          id={`declare-${request.request}`}
          value={language}
          onChange={setLanguage}
          suggestions={view.languages}
          label={t('delegation.language')}
          showLabel={false}
          testid="declare-language-select"
        />
        <CommandButton
          testid="declare-language"
          disabled={tag === '' || tag === request.language}
          command={{ type: 'declare_language', request: request.request, language: tag }}
        >
          {t('delegation.declare')}
        </CommandButton>
        <CommandButton class="btn-danger" testid="withdraw" command={{ type: 'withdraw_request', request: request.request }}>
          {t('delegation.withdraw')}
        </CommandButton>
      </div>
    </li>
  );
}

/** How many people still to speak the "now speaking" panel lists. */
const NEXT_SHOWN = 5;

export default function DelegationConsole() {
  const view = viewOf(client().view.value, 'delegation');
  if (!view) return null;
  const lang = uiLang.value;
  const { heading, floor, me } = view;
  const mine = floor?.delegation === me.id;
  const interrupted = view.next.some((u) => u.turn === 'resumes' && u.delegation === me.id);
  const waiting = view.mine.filter((r) => r.status.status === 'requested');
  const next = view.next.slice(0, NEXT_SHOWN);
  const floorName = floor ? tx(floor.name, lang, floor.delegation) : '';

  return (
    <div class="console delegation" data-testid="delegation-console" data-floor={mine ? 'mine' : 'other'}>
      <ConsoleHeader surface={t('delegation.title')} who={tx(me.name, lang, me.id)} />
      <LiveAnnouncer
        message={mine ? t('delegation.you_have_floor') : floor ? t('floor.announce', { name: floorName }) : t('floor.announce_none')}
      />
      <main class="console-main delegation-main">
        {mine && floor ? (
          <section class="you-have-floor" data-testid="you-have-floor" aria-labelledby="yhf">
            <h2 id="yhf">
              <span aria-hidden="true">◉ </span>
              {t('delegation.you_have_floor')}
            </h2>
            <Countdown countdown={floor.countdown} langs={[lang]} />
            {floor.source.from === 'request' ? (
              <CommandButton class="btn-danger" testid="yield" command={{ type: 'withdraw_request', request: floor.source.request }}>
                {t('delegation.yield')}
              </CommandButton>
            ) : null}
          </section>
        ) : null}
        {interrupted ? <p class="alert alert-warn">{t('delegation.interrupted')}</p> : null}

        {waiting.length > 0 ? (
          <Section id="mine" title={t('delegation.your_requests')} testid="my-requests">
            <ul class="my-requests">
              {waiting.map((r) => (
                <MyRequestLine key={r.request} view={view} request={r} />
              ))}
            </ul>
          </Section>
        ) : null}

        <RequestButtons view={view} />

        <Section id="now" title={t('delegation.now_speaking')} testid="now-speaking">
          {heading.item ? <p class="muted">{tx(heading.item.title, lang, heading.item.id)}</p> : null}
          {floor ? (
            <div class="now-line" data-testid="current-speaker" data-delegation={floor.delegation}>
              <strong>{floorName}</strong>
              {!mine ? <Countdown countdown={floor.countdown} langs={[lang]} class="countdown-small" testid="countdown-other" /> : null}
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
                {next.map((u, i) => {
                  const badge = turnLabel(heading, u, lang);
                  return (
                    <li
                      key={`${u.delegation}-${i}`}
                      data-testid="queue-item"
                      data-delegation={u.delegation}
                      data-kind={turnKind(u)}
                      data-mine={u.delegation === me.id}
                    >
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
            </>
          ) : null}
        </Section>
      </main>
    </div>
  );
}
