// The technician's console: every screen with its health, what each shows
// and in which language(s); the interpretation set-up and relay plan; the
// meeting's access codes.
import '../../components/console.css';
import './technician.css';
import { client } from '../../client';
import { ActivityLog } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { ScreenMessageForm } from '../../components/ScreenMessageForm';
import { Section } from '../../components/Section';
import { t } from '../../i18n';
import { AccessCodesPanel } from './AccessCodesPanel';
import { BoothsPanel } from './BoothsPanel';
import { ScreensPanel } from './ScreensPanel';

export default function TechnicianConsole() {
  const meeting = client().meeting.value!;
  return (
    <div class="console technician" data-testid="technician-console">
      <ConsoleHeader surface={t('tech.title')} who={t('role.technician')} />
      <main class="console-main tech-main">
        <div class="tech-col-wide">
          <ScreensPanel meeting={meeting} />
          <BoothsPanel meeting={meeting} />
          <AccessCodesPanel meeting={meeting} />
        </div>
        <div class="tech-col">
          <Section id="message" title={t('message.title')}>
            <ScreenMessageForm meeting={meeting} />
          </Section>
          <Section id="activity" title={t('chair.activity')}>
            <ActivityLog />
          </Section>
        </div>
      </main>
    </div>
  );
}
