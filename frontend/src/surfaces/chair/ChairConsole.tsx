// The chair's (and secretariat's) console: the floor, the list, the
// running order, interpretation warnings and messages to the screens —
// all rendered from the presiding view document.
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
import { FloorPanel, handleShortcut } from './FloorPanel';
import { InterpretationPanel } from './InterpretationPanel';
import { QueuePanel } from './QueuePanel';
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
    </dl>
  );
}

export default function ChairConsole() {
  const c = client();
  const view = viewOf(c.view.value, 'presiding');
  const role = c.role.value;
  const lang = uiLang.value;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (handleShortcut(e, viewOf(client().view.peek(), 'presiding'))) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (!view) return null;
  const speaker = view.floor;
  const announcement = speaker
    ? t('floor.announce', { name: tx(speaker.name, lang, speaker.delegation) })
    : t('floor.announce_none');

  return (
    <div class="console chair" data-testid="chair-console">
      <ConsoleHeader surface={t('chair.title')} who={role?.role === 'secretariat' ? t('role.secretariat') : t('role.chair')} />
      <LiveAnnouncer message={announcement} />
      <main class="console-main chair-main">
        <div class="chair-col chair-col-floor">
          <FloorPanel view={view} />
          <SchedulePanel view={view} />
          <QueuePanel view={view} />
        </div>
        <div class="chair-col">
          <AgendaPanel view={view} />
          <InterpretationPanel view={view} />
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
