import { client } from '../../client';
import type { OnFloor, PresidingView } from '../../client/protocol';
import { CommandButton } from '../../components/commands';
import { Countdown } from '../../components/Countdown';
import { kindName } from '../../components/names';
import { Section } from '../../components/Section';
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
    </Section>
  );
}

/** The chair's keyboard: N, Space, +, E — never while typing. */
export function handleShortcut(e: KeyboardEvent, view: PresidingView | null): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const target = e.target as HTMLElement | null;
  const tag = target?.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable) return false;
  const c = client();
  const speech = view?.floor;
  switch (e.key) {
    case 'n':
    case 'N':
      c.send({ type: 'call_next' }, 'N');
      return true;
    case ' ':
      // Space on a focused button presses that button.
      if (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') return false;
      if (!speech) return false;
      c.send(counting(speech) ? { type: 'pause_timer' } : { type: 'resume_timer' }, 'Space');
      return true;
    case '+':
    case 'Add':
      c.send({ type: 'extend_timer', by: 60_000 }, '+');
      return true;
    case 'e':
    case 'E':
      c.send({ type: 'end_speech' }, 'E');
      return true;
    default:
      return false;
  }
}
