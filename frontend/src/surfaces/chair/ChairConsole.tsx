// The chair's (and secretariat's) console: the floor, the list, the
// running order, interpretation warnings and messages to the screens —
// all rendered from the presiding view document.
//
// Keys mean what their label says whatever has the focus (issue 11): the
// shortcuts are handled before any element sees the key (capture phase)
// and their default action is prevented, so Space after a click on "Call
// next" pauses and never presses "Call next" again; a button lets go of
// the focus after a click.
import { useEffect } from 'preact/hooks';
import '../../components/console.css';
import './chair.css';
import { client } from '../../client';
import { viewOf } from '../../client/view';
import { ActivityLog } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { LiveAnnouncer } from '../../components/LiveAnnouncer';
import { ScreenMessageForm } from '../../components/ScreenMessageForm';
import { Section } from '../../components/Section';
import { t, tx, uiLang } from '../../i18n';
import { AgendaPanel } from './AgendaPanel';
import { prepareAlertSound, unlockAlertSound } from './alertSound';
import { InterpretationBadges, PointOfOrderAlert, SoundToggle } from './ChairAlerts';
import { FloorPanel, handleShortcut, shortcutOf } from './FloorPanel';
import { InterpretationPanel } from './InterpretationPanel';
import { QueuePanel } from './QueuePanel';
import { ReportPanel } from './ReportPanel';
import { SchedulePanel } from './SchedulePanel';

function Shortcuts() {
  return (
    <dl class="shortcuts" data-testid="shortcuts">
      <dt>
        <kbd>N</kbd>
      </dt>
      <dd>{t('chair.shortcut.next')}</dd>
      <dt>
        <kbd>{t('key.space')}</kbd>
      </dt>
      <dd>{t('chair.shortcut.pause')}</dd>
      <dt>
        <kbd>+</kbd>
      </dt>
      <dd>{t('chair.shortcut.extend')}</dd>
      <dt>
        <kbd>E</kbd>
      </dt>
      <dd>{t('chair.shortcut.end')}</dd>
      <dt>
        <kbd>U</kbd>
      </dt>
      <dd>{t('chair.shortcut.undo')}</dd>
    </dl>
  );
}

export default function ChairConsole() {
  const c = client();
  const view = viewOf(c.view.value, 'presiding');
  const role = c.role.value;
  const lang = uiLang.value;

  useEffect(() => prepareAlertSound(), []);

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      unlockAlertSound();
      // Kept from the focused element: its default action (a button's
      // press, a page scroll) never happens.
      if (handleShortcut(e, viewOf(client().view.peek(), 'presiding'))) e.preventDefault();
    };
    // A button is pressed by Space on key up (and by Enter on key press):
    // a shortcut's key never reaches it.
    const onKeyUp = (e: KeyboardEvent) => {
      if (shortcutOf(e)) e.preventDefault();
    };
    // Whatever was clicked with the mouse lets go of the focus, so that the
    // next key press cannot press it again.
    const onClick = (e: MouseEvent) => {
      unlockAlertSound();
      const clicked = e.detail > 0 && e.target instanceof Element ? e.target.closest('button, summary, a[href]') : null;
      if (clicked instanceof HTMLElement) clicked.blur();
    };
    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('keyup', onKeyUp, true);
    document.addEventListener('click', onClick);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      window.removeEventListener('keyup', onKeyUp, true);
      document.removeEventListener('click', onClick);
    };
  }, []);

  if (!view) return null;
  const speaker = view.floor;
  const announcement = speaker
    ? t('floor.announce', { name: tx(speaker.name, lang, speaker.delegation) })
    : t('floor.announce_none');

  return (
    <div class="console chair" data-testid="chair-console">
      <div class="console-top">
        <ConsoleHeader
          surface={t('chair.title')}
          who={role?.role === 'secretariat' ? t('role.secretariat') : t('role.chair')}
          offlineNote={t('command.floor_offline')}
        >
          <SoundToggle />
        </ConsoleHeader>
        <InterpretationBadges interpretation={view.interpretation} />
        <PointOfOrderAlert view={view} />
      </div>
      <LiveAnnouncer message={announcement} />
      <main class="console-main chair-main">
        <div class="chair-col chair-col-floor">
          <FloorPanel view={view} />
          <SchedulePanel view={view} />
          <QueuePanel view={view} />
        </div>
        <div class="chair-col">
          <InterpretationPanel view={view} />
          <AgendaPanel view={view} />
          <ReportPanel view={view} />
        </div>
        <div class="chair-col">
          <Section id="shortcuts" title={t('chair.shortcuts')}>
            <Shortcuts />
          </Section>
          <Section id="activity" title={t('chair.activity')}>
            <ActivityLog />
          </Section>
          <Section id="message" title={t('message.title')}>
            <ScreenMessageForm languages={view.heading.languages} screens={view.screens} />
          </Section>
        </div>
      </main>
    </div>
  );
}
