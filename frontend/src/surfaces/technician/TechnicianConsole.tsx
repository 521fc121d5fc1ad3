// The technician's console: every screen with its health, what each shows
// and in which language(s); the interpretation set-up and relay plan.
import '../../components/console.css';
import './technician.css';
import { client } from '../../client';
import { ActivityLog } from '../../components/commands';
import { ConsoleHeader } from '../../components/ConsoleHeader';
import { ScreenMessageForm } from '../../components/ScreenMessageForm';
import { Section } from '../../components/Section';
import { t } from '../../i18n';
import { BoothsPanel } from './BoothsPanel';
import { ScreensPanel } from './ScreensPanel';

export default function TechnicianConsole() {
  const meeting = client().meeting.value!;
  const id = meeting.definition.id;
  return (
    <div class="console technician" data-testid="technician-console">
      <ConsoleHeader surface={t('tech.title')} who={t('role.technician')} />
      <main class="console-main tech-main">
        <div class="tech-col-wide">
          <ScreensPanel meeting={meeting} />
          <BoothsPanel meeting={meeting} />
        </div>
        <div class="tech-col">
          <Section id="message" title={t('message.title')}>
            <ScreenMessageForm meeting={meeting} />
          </Section>
          <Section id="activity" title={t('chair.activity')}>
            <ActivityLog />
          </Section>
          <Section id="codes" title={t('tech.access_codes')} testid="access-codes">
            <p>{t('tech.access_codes_cli')}</p>
            <pre class="cli">
              <code>
                {`plenary access list --meeting ${id}\n`}
                {`plenary access issue --meeting ${id} --role screen:hall-left --label "Hall, left"\n`}
                {`plenary access revoke --meeting ${id} --id <ID>`}
              </code>
            </pre>
          </Section>
        </div>
      </main>
    </div>
  );
}
