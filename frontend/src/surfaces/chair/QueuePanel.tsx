import { useState } from 'preact/hooks';
import { client } from '../../client';
import { currentItem, waiting } from '../../client/meeting';
import type { AgendaItem, Meeting, Request } from '../../client/protocol';
import { requestKinds } from '../../client/admission';
import { CommandButton } from '../../components/commands';
import { delegationName, kindName } from '../../components/names';
import { Section } from '../../components/Section';
import { duration, t, timeOfDay, tx, uiLang } from '../../i18n';

function WaitText({ request }: { request: Request }) {
  const insight = client().insight.value;
  const w = insight?.waits.find((x) => x.request === request.id);
  if (!w) return null;
  const lang = uiLang.value;
  const left = Math.max(0, w.expected_at - client().serverNow());
  return (
    <span class="muted tabular" data-testid="wait-estimate" data-expected-at={w.expected_at}>
      {t('queue.wait', { wait: duration(left) })} · {t('queue.wait_at', { time: timeOfDay(w.expected_at, lang) })}
    </span>
  );
}

function QueueRow({
  meeting,
  request,
  index,
  count,
  onDrop,
}: {
  meeting: Meeting;
  request: Request;
  index: number;
  count: number;
  onDrop: (request: number, to: number) => void;
}) {
  const lang = uiLang.value;
  const name = delegationName(meeting, request.delegation, lang);
  const [over, setOver] = useState(false);
  return (
    <li
      class="queue-row"
      data-testid="queue-item"
      data-delegation={request.delegation}
      data-request={request.id}
      data-kind={request.kind}
      data-over={over}
      draggable
      onDragStart={(e) => {
        e.dataTransfer?.setData('text/plain', String(request.id));
        if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const id = Number(e.dataTransfer?.getData('text/plain'));
        if (id && id !== request.id) onDrop(id, index);
      }}
    >
      <span class="drag-handle" aria-hidden="true" title={t('chair.drag')}>
        ⠿
      </span>
      <span class="queue-pos tabular">{index + 1}</span>
      <span class="queue-main">
        <span class="queue-name">{name}</span>
        <span class="row queue-meta">
          {request.kind !== 'statement' ? (
            <span class="badge" data-kind={request.kind}>
              {kindName(meeting.definition.rules, request.kind, lang)}
            </span>
          ) : (
            <span class="badge">{kindName(meeting.definition.rules, request.kind, lang)}</span>
          )}
          <span class="lang-tag">{request.language}</span>
          <span class="muted tabular">{duration(request.limit)}</span>
          {request.by_chair ? <span class="muted">{t('queue.by_chair')}</span> : null}
          <WaitText request={request} />
        </span>
      </span>
      <span class="queue-actions row">
        <CommandButton
          class="btn-small"
          testid="give-floor"
          command={{ type: 'give_floor', request: request.id }}
        >
          {t('chair.give_floor')}
        </CommandButton>
        <CommandButton
          class="btn-small btn-icon"
          testid="move-up"
          disabled={index === 0}
          aria-label={`${t('chair.move_up')}: ${name}`}
          title={t('chair.move_up')}
          command={{ type: 'move_request', request: request.id, to: index - 1 }}
        >
          ▲
        </CommandButton>
        <CommandButton
          class="btn-small btn-icon"
          testid="move-down"
          disabled={index === count - 1}
          aria-label={`${t('chair.move_down')}: ${name}`}
          title={t('chair.move_down')}
          command={{ type: 'move_request', request: request.id, to: index + 1 }}
        >
          ▼
        </CommandButton>
        <CommandButton
          class="btn-small btn-danger"
          testid="remove-request"
          aria-label={`${t('chair.remove')}: ${name}`}
          command={{ type: 'remove_request', request: request.id }}
        >
          {t('chair.remove')}
        </CommandButton>
      </span>
    </li>
  );
}

function InsertForm({ meeting, item }: { meeting: Meeting; item: AgendaItem }) {
  const lang = uiLang.value;
  const [delegation, setDelegation] = useState(meeting.definition.delegations[0]?.id ?? '');
  const [kind, setKind] = useState('statement');
  return (
    <form class="row insert-form" onSubmit={(e) => e.preventDefault()}>
      <label class="field">
        <span>{t('chair.insert_delegation')}</span>
        <select class="input" value={delegation} data-testid="insert-delegation" onChange={(e) => setDelegation((e.target as HTMLSelectElement).value)}>
          {meeting.definition.delegations.map((d) => (
            <option key={d.id} value={d.id}>
              {tx(d.name, lang, d.id)}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('chair.insert_kind')}</span>
        <select class="input" value={kind} data-testid="insert-kind" onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          {requestKinds(meeting.definition.rules).map((k) => (
            <option key={k} value={k}>
              {kindName(meeting.definition.rules, k, lang)}
            </option>
          ))}
        </select>
      </label>
      <CommandButton
        testid="insert-speaker"
        command={() => ({ type: 'insert_speaker', item: item.id, delegation, kind, language: null, position: null })}
      >
        {t('chair.insert')}
      </CommandButton>
    </form>
  );
}

/** The list of speakers of the current item. */
export function QueuePanel({ meeting }: { meeting: Meeting }) {
  const item = currentItem(meeting);
  const lang = uiLang.value;
  if (!item) {
    return (
      <Section id="queue" title={t('queue.title')} testid="queue-panel">
        <p class="muted">{t('running.no_item')}</p>
      </Section>
    );
  }
  const queue = waiting(item.speakers);
  const gone = item.speakers.requests.filter((r) => r.status.status === 'withdrawn' || r.status.status === 'removed');
  const move = (request: number, to: number) =>
    client().send({ type: 'move_request', request, to });
  const open = item.speakers.open;
  return (
    <Section
      id="queue"
      title={t('queue.title')}
      testid="queue-panel"
      actions={
        <>
          <span class={`badge ${open ? 'badge-open' : 'badge-closed'}`} data-testid="list-state" data-open={open}>
            <span aria-hidden="true">{open ? '○' : '●'}</span> {open ? t('queue.open') : t('queue.closed')}
          </span>
          <CommandButton
            class="btn-small"
            testid={open ? 'close-list' : 'reopen-list'}
            command={open ? { type: 'close_list', item: item.id } : { type: 'reopen_list', item: item.id }}
          >
            {open ? t('chair.close_list') : t('chair.reopen_list')}
          </CommandButton>
        </>
      }
    >
      {!open ? <p class="muted">{t('queue.closed_note')}</p> : null}
      {queue.length === 0 ? (
        <p class="muted" data-testid="queue-empty">
          {t('queue.empty')}
        </p>
      ) : (
        <ol class="queue" data-testid="queue">
          {queue.map((r, i) => (
            <QueueRow key={r.id} meeting={meeting} request={r} index={i} count={queue.length} onDrop={move} />
          ))}
        </ol>
      )}
      <details class="queue-more">
        <summary>{t('chair.insert')}</summary>
        <InsertForm meeting={meeting} item={item} />
      </details>
      {gone.length > 0 ? (
        <details class="queue-more">
          <summary>
            {t('chair.withdrawn')} ({gone.length})
          </summary>
          <ul class="gone">
            {gone.map((r) => (
              <li key={r.id} class="row">
                <span>{delegationName(meeting, r.delegation, lang)}</span>
                <span class="badge" data-kind={r.kind}>
                  {kindName(meeting.definition.rules, r.kind, lang)}
                </span>
                <CommandButton class="btn-small" command={{ type: 'readd_request', request: r.id, position: null }}>
                  {t('chair.readd')}
                </CommandButton>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Section>
  );
}
