// Intents and their outcome, for every console: a button that sends a
// command and shows its state (pending → done / refused with the server's
// reason), and the list of recent actions.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { changesTheFloor, client, type TrackedCommand } from '../client';
import type { Command, RequestId, ScreenTarget, SpeechSource, SurfaceView, Texts } from '../client/protocol';
import { duration, languageName, t, timeOfDay, tx, uiLang, type MessageKey } from '../i18n';

/** The server's reason in the interface language (its `messages`, else
 * `message`); for a floor command the connection kept from the server,
 * what became of it. */
export function refusalText(c: TrackedCommand): string {
  if (c.state === 'not_sent') return t('command.offline_not_sent');
  if (c.state === 'unconfirmed') return t('command.check_floor');
  if (!c.error) return '';
  return tx(c.error.messages, uiLang.value, c.error.message);
}

const STATE_KEY: Record<TrackedCommand['state'], MessageKey> = {
  pending: 'command.pending',
  acked: 'command.acked',
  refused: 'command.refused',
  failed: 'command.failed',
  not_sent: 'command.not_sent',
  unconfirmed: 'command.unconfirmed',
};

/** States a button reports next to itself (and the activity list keeps). */
const REPORTED: ReadonlySet<TrackedCommand['state']> = new Set(['refused', 'failed', 'not_sent', 'unconfirmed']);

export function stateLabel(c: TrackedCommand): string {
  return t(STATE_KEY[c.state]);
}

function target(tg: ScreenTarget): string {
  if (tg.kind === 'all') return t('target.all');
  return t(tg.kind === 'group' ? 'target.group' : 'target.screen', { id: tg.id });
}

/** Everyone the document names, by delegation id. */
function delegationNames(view: SurfaceView | null): Map<string, Texts> {
  const names = new Map<string, Texts>();
  if (!view) return names;
  const add = (id: string, name: Texts) => {
    if (!names.has(id)) names.set(id, name);
  };
  if (view.surface === 'presiding' || view.surface === 'technician') view.delegations.forEach((d) => add(d.id, d.name));
  if (view.surface === 'delegation') add(view.me.id, view.me.name);
  for (const p of peopleIn(view)) add(p.delegation, p.name);
  return names;
}

interface Named {
  delegation: string;
  name: Texts;
  request?: RequestId | null;
}

const requestOf = (source: SpeechSource): RequestId | null => (source.from === 'request' ? source.request : null);

/** The people the document lists, with their request where it has one. */
function peopleIn(view: SurfaceView): Named[] {
  const out: Named[] = [];
  if ('floor' in view && view.floor) out.push({ ...view.floor, request: requestOf(view.floor.source) });
  if (view.surface === 'presiding') {
    view.interrupted.forEach((s) => out.push({ ...s, request: requestOf(s.source) }));
    view.queue.forEach((r) => out.push(r));
    view.recent.forEach((s) => out.push({ ...s, request: requestOf(s.source) }));
  }
  if (view.surface === 'public') view.recent.forEach((s) => out.push({ ...s, request: requestOf(s.source) }));
  if ('next' in view) {
    view.next.forEach((u) =>
      out.push({ ...u, request: u.turn === 'request' ? u.request : u.turn === 'resumes' ? requestOf(u.source) : null }),
    );
  }
  if (view.surface === 'delegation') view.mine.forEach((r) => out.push({ delegation: view.me.id, name: view.me.name, request: r.request }));
  return out;
}

/** An item's title, from the running order or the heading. */
function itemTitleIn(view: SurfaceView | null, item: string): Texts | undefined {
  if (!view) return undefined;
  if (view.heading.item?.id === item) return view.heading.item.title;
  if (view.surface === 'presiding' || view.surface === 'public') return view.schedule.items.find((l) => l.item === item)?.title;
  return undefined;
}

/** The booths the document shows, with their interpreters. */
function boothsIn(view: SurfaceView | null): { id: string; name: Texts; team: { id: string; name: string }[] }[] {
  if (!view) return [];
  if (view.surface === 'presiding' || view.surface === 'technician') return view.interpretation.booths;
  if (view.surface === 'booth') return [view.booth];
  return [];
}

/** What a command was about, in words: "Brazil", "+1 min", "Screen: podium".
 * Names come from the document on display; what it no longer lists is
 * shown by id. */
export function describeCommand(command: Command, view: SurfaceView | null, lang: string): string {
  const names = delegationNames(view);
  const name = (d: string) => tx(names.get(d), lang, d);
  const who = (request: number) => {
    const found = view ? peopleIn(view).find((p) => p.request === request) : undefined;
    return found ? tx(found.name, lang, found.delegation) : `#${request}`;
  };
  switch (command.type) {
    case 'give_floor':
    case 'withdraw_request':
    case 'remove_request':
    case 'readd_request':
      return who(command.request);
    case 'move_request':
      return `${who(command.request)} ${t('cmd.to_position', { n: command.to + 1 })}`;
    case 'declare_language':
      return `${who(command.request)}: ${languageName(command.language, lang)}`;
    case 'request_floor':
    case 'insert_speaker':
      return name(command.delegation);
    case 'open_item':
    case 'close_list':
    case 'reopen_list':
      return tx(itemTitleIn(view, command.item), lang, command.item);
    case 'start_presentation':
      return command.presenter ? name(command.presenter) : '';
    case 'skip_presenter':
    case 'defer_presenter':
      return name(command.presenter);
    case 'extend_timer':
      return `${command.by > 0 ? '+' : '−'}${duration(command.by)}`;
    case 'set_floor_language':
      return command.language ? languageName(command.language, lang) : '—';
    case 'hand_over': {
      const booth = boothsIn(view).find((b) => b.id === command.booth);
      const to = booth?.team.find((i) => i.id === command.to);
      return `${tx(booth?.name, lang, command.booth)}: ${to?.name || command.to}`;
    }
    case 'assign_view':
      return `${target(command.target)}: ${t(`view.${command.view}`)}`;
    case 'push_message':
    case 'clear_message':
    case 'reload_screens':
      return target(command.target);
    default:
      return '';
  }
}

/** Sends commands and remembers the last one, to show its state. */
export function useCommand(): [(command: Command, label?: string) => void, TrackedCommand | undefined] {
  const [id, setId] = useState<string | null>(null);
  const tracked = id === null ? undefined : client().commands.value.find((c) => c.id === id);
  const send = (command: Command, label?: string) => setId(client().send(command, label).id);
  return [send, tracked];
}

export interface CommandButtonProps {
  command: Command | (() => Command | null);
  class?: string;
  disabled?: boolean;
  title?: string;
  testid?: string;
  children: ComponentChildren;
  'aria-label'?: string;
  /** Where the refusal text goes; by default under the button. */
  inlineRefusal?: boolean;
}

/** How long a refusal stays next to its button (the activity list keeps it). */
const REFUSAL_MS = 8000;

/**
 * After a click with the mouse (or a touch), the button lets go of the
 * focus: a key pressed next (Space, Enter) must never press it again.
 * Keyboard activation (`detail` 0) keeps the focus where the user put it.
 */
export function releaseFocusAfterClick(e: MouseEvent): void {
  if (e.detail > 0 && e.currentTarget instanceof HTMLElement) e.currentTarget.blur();
}

/** Whether the connection is down and this command may not wait for it. */
export function offlineForFloor(command: Command | null): boolean {
  return command !== null && changesTheFloor(command, client().view.value) && client().status.value.kind !== 'live';
}

/** A button for one command, with its own pending / acked / refused state.
 * A change of the floor is disabled while the connection is down, and says so. */
export function CommandButton(props: CommandButtonProps) {
  const [send, tracked] = useCommand();
  const state = tracked?.state;
  const [dismissed, setDismissed] = useState<string | null>(null);
  useEffect(() => {
    if (!tracked || !REPORTED.has(tracked.state)) return;
    const id = tracked.id;
    const timer = setTimeout(() => setDismissed(id), REFUSAL_MS);
    return () => clearTimeout(timer);
  }, [tracked?.id, state]);
  const resolve = () => (typeof props.command === 'function' ? props.command() : props.command);
  const offline = offlineForFloor(resolve());
  const onClick = (e: MouseEvent) => {
    releaseFocusAfterClick(e);
    const command = resolve();
    if (command) send(command);
  };
  const refused = tracked && dismissed !== tracked.id && REPORTED.has(tracked.state) ? refusalText(tracked) : '';
  return (
    <span class="cmd">
      <button
        type="button"
        class={`btn ${props.class ?? ''}`}
        data-testid={props.testid}
        data-state={state}
        data-offline={offline ? 'true' : undefined}
        aria-busy={state === 'pending'}
        aria-label={props['aria-label'] ? (offline ? `${props['aria-label']} (${t('command.offline_not_sent')})` : props['aria-label']) : undefined}
        disabled={props.disabled || offline}
        title={offline ? t('command.offline_not_sent') : props.title}
        onClick={onClick}
      >
        <span class="btn-label">{props.children}</span>
        {offline ? (
          <span class="btn-offline" data-testid="offline-note">
            {t('command.offline_not_sent')}
          </span>
        ) : null}
      </button>
      {refused && props.inlineRefusal !== false ? (
        <span
          class="cmd-refusal"
          role="alert"
          data-testid="command-refusal"
          data-state={state}
          onClick={() => setDismissed(tracked!.id)}
        >
          {refused}
        </span>
      ) : null}
    </span>
  );
}

/** Recent actions and what became of them, newest first. */
export function ActivityLog({ limit = 8 }: { limit?: number }) {
  const commands = client().commands.value.slice(0, limit);
  const live = client().status.value.kind === 'live';
  if (commands.length === 0) return <p class="muted">{t('chair.activity_empty')}</p>;
  return (
    <ol class="activity" data-testid="activity-log" aria-live="polite">
      {commands.map((c) => (
        <li key={c.id} data-state={c.state} data-testid="activity-item">
          <span class="cmd-state" data-state={c.state}>
            {stateLabel(c)}
          </span>
          <span class="activity-label">
            <strong>{t(`cmd.${c.command.type}`)}</strong> {describeCommand(c.command, client().view.value, uiLang.value)}
            {c.label ? <span class="muted"> · {t('cmd.keyboard', { key: c.label })}</span> : null}
          </span>
          <time class="muted tabular">{timeOfDay(c.sentAt + (client().offset.value ?? 0), uiLang.value, true)}</time>
          {c.state === 'pending' && !live ? <span class="muted">{t('command.waiting_connection')}</span> : null}
          {c.error || c.state === 'not_sent' || c.state === 'unconfirmed' ? (
            <span class="activity-reason" data-state={c.state}>
              {refusalText(c)}
            </span>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
