import { client } from '../client';
import { t } from '../i18n';

/** Connecting / live / reconnecting, with the clock health in its title. */
export function ConnectionStatus() {
  const c = client();
  const status = c.status.value;
  const label =
    status.kind === 'live'
      ? t('status.live')
      : status.kind === 'connecting'
        ? t('status.connecting')
        : status.kind === 'reconnecting'
          ? t('status.reconnecting')
          : t('status.signed_out');
  const detail =
    status.kind === 'reconnecting'
      ? t('status.reconnecting_detail', { reason: status.reason, attempt: status.attempt })
      : t('status.clock', {
          offset: Math.round(c.offset.value ?? 0),
          rtt: c.rtt.value === null ? '–' : c.rtt.value.toFixed(1),
        });
  return (
    <span
      class="status-pill"
      data-testid="connection-status"
      data-status={status.kind}
      role="status"
      title={detail}
    >
      {label}
    </span>
  );
}
