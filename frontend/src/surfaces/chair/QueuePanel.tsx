import { useState } from 'preact/hooks';
import { client } from '../../client';
import { etaAt } from '../../client/countdown';
import type { Eta, ItemHeading, PresidingView, QueuedRequest } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { kindName } from '../../components/names';
import { Section } from '../../components/Section';
import { useServerNow } from '../../components/useNow';
import { duration, t, timeOfDay, tx, uiLang } from '../../i18n';

/** When the server expects this request to get the floor. */
function WaitText({ expected }: { expected: Eta }) {
  const now = useServerNow();
  const lang = uiLang.value;
  const at = Math.round(etaAt(expected, now));
  const left = Math.max(0, at - now);
  return (
    <span class="muted tabular" data-testid="wait-estimate" data-expected-at={at}>
      {t('queue.wait', { wait: duration(left) })} · {t('queue.wait_at', { time: timeOfDay(at, lang) })}
    </span>
  );
}

function QueueRow({
  view,
  request,
  index,
  count,
  onDrop,
}: {
  view: PresidingView;
  request: QueuedRequest;
  index: number;
  count: number;
  onDrop: (request: number, to: number) => void;
}) {
  const lang = uiLang.value;
  const name = tx(request.name, lang, request.delegation);
  const [over, setOver] = useState(false);
  return (
    <li
      class="queue-row"
      data-testid="queue-item"
      data-delegation={request.delegation}
      data-request={request.request}
      data-kind={request.kind}
      data-over={over}
      draggable
      onDragStart={(e) => {
        e.dataTransfer?.setData('text/plain', String(request.request));
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
        if (id && id !== request.request) onDrop(id, index);
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
              {kindName(view.heading, request.kind, lang)}
            </span>
          ) : (
            <span class="badge">{kindName(view.heading, request.kind, lang)}</span>
          )}
          <span class="lang-tag">{request.language}</span>
          <span class="muted tabular">{duration(request.limit)}</span>
          {request.by_chair ? <span class="muted">{t('queue.by_chair')}</span> : null}
          {request.expected_at ? <WaitText expected={request.expected_at} /> : null}
        </span>
      </span>
      <span class="queue-actions row">
        <CommandButton
          class="btn-small"
          testid="give-floor"
          command={{ type: 'give_floor', request: request.request }}
        >
          {t('chair.give_floor')}
        </CommandButton>
        <CommandButton
          class="btn-small btn-icon"
          testid="move-up"
          disabled={index === 0}
          aria-label={`${t('chair.move_up')}: ${name}`}
          title={t('chair.move_up')}
          command={{ type: 'move_request', request: request.request, to: index - 1 }}
        >
          ▲
        </CommandButton>
        <CommandButton
          class="btn-small btn-icon"
          testid="move-down"
          disabled={index === count - 1}
          aria-label={`${t('chair.move_down')}: ${name}`}
          title={t('chair.move_down')}
          command={{ type: 'move_request', request: request.request, to: index + 1 }}
        >
          ▼
        </CommandButton>
        <CommandButton
          class="btn-small btn-danger"
          testid="remove-request"
          aria-label={`${t('chair.remove')}: ${name}`}
          command={{ type: 'remove_request', request: request.request }}
        >
          {t('chair.remove')}
        </CommandButton>
      </span>
    </li>
  );
}

function InsertForm({ view, item }: { view: PresidingView; item: ItemHeading }) {
  const lang = uiLang.value;
  const [delegation, setDelegation] = useState(view.delegations[0]?.id ?? '');
  const [kind, setKind] = useState(view.kinds[0] ?? 'statement');
  return (
    <form class="row insert-form" onSubmit={(e) => e.preventDefault()}>
      <label class="field">
        <span>{t('chair.insert_delegation')}</span>
        <select class="input" value={delegation} data-testid="insert-delegation" onChange={(e) => setDelegation((e.target as HTMLSelectElement).value)}>
          {view.delegations.map((d) => (
            <option key={d.id} value={d.id}>
              {tx(d.name, lang, d.id)}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('chair.insert_kind')}</span>
        <select class="input" value={kind} data-testid="insert-kind" onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          {view.kinds.map((k) => (
            <option key={k} value={k}>
              {kindName(view.heading, k, lang)}
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

/** The list of speakers of the current item, in queue order. */
export function QueuePanel({ view }: { view: PresidingView }) {
  const item = view.heading.item;
  if (!item) {
    return (
      <Section id="queue" title={t('queue.title')} testid="queue-panel">
        <p class="muted">{t('running.no_item')}</p>
      </Section>
    );
  }
  const lang = uiLang.value;
  const queue = view.queue;
  const gone = view.gone;
  const move = (request: number, to: number) => client().send({ type: 'move_request', request, to });
  const open = item.list_open;
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
            <QueueRow key={r.request} view={view} request={r} index={i} count={queue.length} onDrop={move} />
          ))}
        </ol>
      )}
      <details class="queue-more">
        <summary>{t('chair.insert')}</summary>
        <InsertForm view={view} item={item} />
      </details>
      {gone.length > 0 ? (
        <details class="queue-more" data-testid="gone-requests">
          <summary>
            {t('chair.withdrawn')} ({gone.length})
          </summary>
          <ul class="gone">
            {gone.map((r) => {
              const name = tx(r.name, lang, r.delegation);
              return (
                <li key={r.request} class="row" data-testid="gone-request" data-delegation={r.delegation} data-request={r.request} data-status={r.status.status}>
                  <span>{name}</span>
                  <span class="badge" data-kind={r.kind}>
                    {kindName(view.heading, r.kind, lang)}
                  </span>
                  <CommandButton
                    class="btn-small"
                    testid="readd-request"
                    aria-label={`${t('chair.readd')}: ${name}`}
                    command={{ type: 'readd_request', request: r.request, position: null }}
                  >
                    {t('chair.readd')}
                  </CommandButton>
                </li>
              );
            })}
          </ul>
        </details>
      ) : null}
    </Section>
  );
}
