// The technician's console: every screen with its health, what each shows
// and in which language(s); the interpretation set-up and relay plan; the
// meeting's access codes — all rendered from the technician view document.
import '../../components/console.css';
import './technician.css';
import { client } from '../../client';
import { viewOf } from '../../client/view';
import { ActivityLog } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { ScreenMessageForm } from '../../components/ScreenMessageForm';
import { Section } from '../../components/Section';
import { t } from '../../i18n';
import { AccessCodesPanel } from './AccessCodesPanel';
import { BoothsPanel } from './BoothsPanel';
import { OfflineScreens, ScreensPanel } from './ScreensPanel';

export default function TechnicianConsole() {
  const view = viewOf(client().view.value, 'technician');
  if (!view) return null;
  return (
    <div class="console technician" data-testid="technician-console">
      <ConsoleHeader surface={t('tech.title')} who={t('role.technician')}>
        <OfflineScreens screens={view.screens} />
      </ConsoleHeader>
      <main class="console-main tech-main">
        <div class="tech-col-wide">
          <ScreensPanel screens={view.screens} languages={view.heading.languages} />
          <BoothsPanel interpretation={view.interpretation} />
          <AccessCodesPanel view={view} />
        </div>
        <div class="tech-col">
          <Section id="message" title={t('message.title')}>
            <ScreenMessageForm languages={view.heading.languages} screens={view.screens} />
          </Section>
          <Section id="activity" title={t('chair.activity')}>
            <ActivityLog />
          </Section>
        </div>
      </main>
    </div>
  );
}
