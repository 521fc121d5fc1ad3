import { client } from '../../client';
import type { OnFloor, PresidingView } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { Countdown } from '../../components/Countdown';
import { kindName } from '../../components/names';
import { Section } from '../../components/Section';
import { useServerNow } from '../../components/useNow';
import { duration, languageName, t, tx, uiLang } from '../../i18n';

function kindOf(speech: OnFloor): string {
  return speech.source.from === 'request' ? speech.source.kind : 'presentation';
}

/** Whether the speaker's countdown is counting now (as the document has it). */
function counting(speech: OnFloor | null | undefined): boolean {
  return speech?.countdown.clock.state === 'running';
}

/** Who has the floor, the countdown and the controls of the floor. */
export function FloorPanel({ view }: { view: PresidingView }) {
  const lang = uiLang.value;
  const speech = view.floor;
  const interrupted = view.interrupted;
  const kind = speech ? kindOf(speech) : null;
  return (
    <Section
      id="floor"
      title={t('floor.title')}
      class="floor-panel"
      testid="floor-panel"
      actions={
        <CommandButton class="btn-primary btn-large" testid="call-next" command={{ type: 'call_next' }}>
          {t('chair.call_next')} <kbd>N</kbd>
        </CommandButton>
      }
    >
      {speech ? (
        <div class="floor-now">
          <div class="floor-who" data-testid="current-speaker" data-delegation={speech.delegation}>
            <div class="floor-name">{tx(speech.name, lang, speech.delegation)}</div>
            <div class="row">
              <span class="badge" data-kind={kind}>
                {kind === 'presentation' ? t('kind.presentation') : kindName(view.heading, kind!, lang)}
              </span>
              <span>
                <span class="lang-tag">{speech.language}</span> {t('floor.speaking_in', { language: languageName(speech.language, lang) })}
              </span>
              {speech.uninterpreted ? (
                <span class="badge badge-closed" data-testid="no-interpretation">
                  <span aria-hidden="true">⚠</span> {t('coverage.no_interpretation')}
                </span>
              ) : null}
              <span class="muted">{t('timer.limit', { limit: duration(speech.countdown.limit) })}</span>
            </div>
          </div>
          <Countdown countdown={speech.countdown} langs={[lang]} />
          <div class="floor-controls row">
            <CommandButton
              testid="pause-resume"
              command={() => (counting(speech) ? { type: 'pause_timer' } : { type: 'resume_timer' })}
            >
              {counting(speech) ? t('chair.pause') : t('chair.resume')} <kbd>{t('key.space')}</kbd>
            </CommandButton>
            <CommandButton testid="extend" command={{ type: 'extend_timer', by: 60_000 }}>
              {t('chair.extend')} <kbd>+</kbd>
            </CommandButton>
            <CommandButton testid="reset-timer" command={{ type: 'reset_timer' }}>
              {t('chair.reset')}
            </CommandButton>
            <CommandButton class="btn-danger" testid="end-speech" command={{ type: 'end_speech' }}>
              {t('chair.end_speech')} <kbd>E</kbd>
            </CommandButton>
          </div>
          {interrupted.length > 0 ? (
            <p class="alert alert-warn" data-testid="interrupted">
              {t('floor.interrupted', {
                names: interrupted.map((s) => tx(s.name, lang, s.delegation)).join(', '),
              })}
            </p>
          ) : null}
        </div>
      ) : (
        <p class="floor-empty" data-testid="current-speaker" data-delegation="">
          {t('floor.nobody')}
        </p>
      )}
      <UndoButton view={view} />
    </Section>
  );
}

/** "Undo" for the 30 s the server offers it (the document's `undo`). */
function UndoButton({ view }: { view: PresidingView }) {
  const now = useServerNow(500);
  const undo = view.undo;
  if (!undo || now >= undo.until) return null;
  const lang = uiLang.value;
  const secs = Math.max(0, Math.ceil((undo.until - now) / 1000));
  return (
    <div class="floor-undo row" data-testid="undo-offer">
      <CommandButton class="btn-warn" testid="undo" command={{ type: 'undo_floor_change' }}>
        {undo.speaker ? t('chair.undo', { name: tx(undo.speaker, lang) }) : t('chair.undo_nobody')} <kbd>U</kbd>
      </CommandButton>
      <span class="muted tabular">{t('chair.undo_left', { secs })}</span>
    </div>
  );
}

/** What a shortcut does: the action its label names. */
export type ShortcutAction = 'next' | 'pause' | 'extend' | 'end' | 'undo';

/** Kinds of <input> that take typing (a checkbox or a button does not). */
const NOT_TYPING = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** Whether the key goes to a text the user is typing (a field, a list box, editable text). */
export function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.isContentEditable) return true;
  switch (el.tagName) {
    case 'TEXTAREA':
    case 'SELECT':
      return true;
    case 'INPUT':
      return !NOT_TYPING.has(((el as HTMLInputElement).type || 'text').toLowerCase());
    default:
      return false;
  }
}

/** The shortcut a key stands for on the chair's console, or null: N, Space,
 * +, E — never with Ctrl, Alt or Meta, never while typing. */
export function shortcutOf(e: KeyboardEvent): ShortcutAction | null {
  if (e.isComposing || typingIn(e.target)) return null;
  // Ctrl+Z (⌘Z) undoes, as everywhere else.
  if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'z' || e.key === 'Z')) return 'undo';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case 'n':
    case 'N':
      return 'next';
    case ' ':
    case 'Spacebar':
      return 'pause';
    case '+':
    case 'Add':
      return 'extend';
    case 'e':
    case 'E':
      return 'end';
    case 'u':
    case 'U':
      return 'undo';
    default:
      return null;
  }
}

/**
 * The chair's keyboard. Returns true when the key is a shortcut: the
 * caller then keeps it from the focused element (Space never presses the
 * button that has the focus). A key held down (auto-repeat) acts once.
 * While the connection is down, the command is recorded as not sent
 * (client().send never queues a change of the floor).
 */
export function handleShortcut(e: KeyboardEvent, view: PresidingView | null): boolean {
  const action = shortcutOf(e);
  if (!action) return false;
  if (e.repeat) return true;
  const c = client();
  const speech = view?.floor;
  switch (action) {
    case 'next':
      c.send({ type: 'call_next' }, 'N');
      break;
    case 'pause':
      // With nobody on the floor Space does nothing — and presses nothing.
      if (speech) c.send(counting(speech) ? { type: 'pause_timer' } : { type: 'resume_timer' }, t('key.space'));
      break;
    case 'extend':
      c.send({ type: 'extend_timer', by: 60_000 }, '+');
      break;
    case 'end':
      c.send({ type: 'end_speech' }, 'E');
      break;
    case 'undo':
      // Only while the document offers it: the server still decides.
      if (view?.undo) c.send({ type: 'undo_floor_change' }, 'U');
      break;
  }
  return true;
}
