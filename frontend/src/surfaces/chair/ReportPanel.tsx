// The live report for the chair and the secretariat: the same record of
// the session as the exported minutes (`record` in the presiding view,
// derived in Rust by plenary_core::record), drawn as small SVG charts, and
// the download of the minutes over the HTTP API with the console's own
// code (the server's capabilities table decides who may).
//
// The only arithmetic here is adding the time the current item has run
// (`now - today.current_since`) to today's used time; every other figure is
// the document's.
import { useState } from 'preact/hooks';
import type { PresidingView, SessionRecord } from '../../client/protocol';
import { client } from '../../client';
import { authOf } from '../../client/accessCodes';
import { Section } from '../../components/Section';
import { useServerNow } from '../../components/useNow';
import { duration, t, tx, uiLang, type MessageKey } from '../../i18n';

/** One bar of a chart: its key (for tests), label, value in ms and parts. */
interface Bar {
  key: string;
  label: string;
  /** Segments in ms, drawn left to right in `COLOURS` order. */
  parts: number[];
  note: string;
}

const COLOURS = ['#1f5f99', '#3a8f4c', '#d98c1a', '#b03a2e', '#f09a90', '#7a7a7a'];
const SERVICE_COLOURS = ['#7a7a7a', '#1f5f99', '#d98c1a', '#b03a2e', '#f09a90'];
const SERVICES = ['original', 'direct', 'relay', 'double_relay', 'uncovered'] as const;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Horizontal bars in SVG, scaled to the longest. */
function BarChart({ bars, testid, colours = COLOURS }: { bars: Bar[]; testid: string; colours?: string[] }) {
  const row = 22;
  const labelWidth = 150;
  const barWidth = 190;
  const total = (b: Bar) => b.parts.reduce((a, p) => a + p, 0);
  const max = Math.max(1, ...bars.map(total));
  const height = Math.max(1, bars.length) * row;
  return (
    <svg class="report-chart" data-testid={testid} viewBox={`0 0 420 ${height}`} role="img" preserveAspectRatio="xMinYMin meet">
      {bars.map((b, i) => {
        const y = i * row;
        let x = labelWidth;
        return (
          <g key={b.key} data-key={b.key} data-ms={total(b)}>
            <text x={labelWidth - 6} y={y + row / 2} text-anchor="end" dominant-baseline="middle" class="report-label">
              {shorten(b.label, 24)}
            </text>
            {b.parts.map((p, k) => {
              const w = (p / max) * barWidth;
              const rect = w > 0 ? <rect key={k} x={x} y={y + 4} width={w} height={row - 8} fill={colours[k % colours.length]} /> : null;
              x += w;
              return rect;
            })}
            <text x={x + 4} y={y + row / 2} dominant-baseline="middle" class="report-note">
              {b.note}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Legend({ items }: { items: [string, string][] }) {
  return (
    <div class="report-legend">
      {items.map(([colour, label]) => (
        <span key={label}>
          <i style={{ background: colour }} />
          {label}
        </span>
      ))}
    </div>
  );
}

/** Today's agenda: time used against the time left, at `now`. */
function Today({ record, now }: { record: SessionRecord; now: number }) {
  const today = record.today;
  const used = today.used_done + (today.current_since != null ? Math.max(0, now - today.current_since) : 0);
  const left = today.planned - used;
  const bar: Bar = {
    key: 'today',
    label: t('minutes.today'),
    parts: left >= 0 ? [used, left] : [today.planned, -left],
    note: '',
  };
  return (
    <div data-testid="report-today" data-used-ms={used} data-planned-ms={today.planned} data-date={today.date}>
      <BarChart bars={[bar]} testid="report-today-chart" colours={left >= 0 ? ['#1f5f99', '#c8c8c8'] : ['#1f5f99', '#b03a2e']} />
      <p class="report-figures">
        {t('minutes.used')}: <strong>{duration(used)}</strong> ·{' '}
        {left >= 0 ? t('minutes.remaining') : t('minutes.over')}: <strong>{duration(Math.abs(left))}</strong>
      </p>
    </div>
  );
}

type ExportFormat = 'html' | 'csv' | 'json' | 'md';
const FORMATS: ExportFormat[] = ['html', 'csv', 'json', 'md'];

/** Fetches an export with the console's code and saves it as a file. */
async function download(format: ExportFormat, lang: string): Promise<void> {
  const auth = authOf(client());
  if (!auth) throw new Error('no access code');
  const url = `/api/v1/meetings/${encodeURIComponent(auth.meeting)}/export?format=${format}&lang=${encodeURIComponent(lang)}`;
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${auth.code}` },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) {
    let reason = String(response.status);
    try {
      const body = (await response.json()) as { message?: string };
      if (body.message) reason = body.message;
    } catch {
      // Not the server's error body.
    }
    throw new Error(reason);
  }
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = `${auth.meeting}-minutes.${format === 'json' ? 'utc' : lang}.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30_000);
}

function Downloads({ languages }: { languages: string[] }) {
  const [lang, setLang] = useState(languages.includes(uiLang.value) ? uiLang.value : (languages[0] ?? 'en'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  return (
    <div class="report-downloads" data-testid="report-downloads">
      <h3>{t('report.download')}</h3>
      <div class="report-download-row">
        <select data-testid="report-lang" value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value)} aria-label={t('minutes.language')}>
          {languages.map((l) => (
            <option key={l} value={l}>
              {t(`language.${l.split('-')[0]}` as MessageKey) ?? l}
            </option>
          ))}
        </select>
        {FORMATS.map((f) => (
          <button
            key={f}
            type="button"
            class="btn btn-small"
            data-testid="report-download"
            data-format={f}
            data-state={busy === f ? 'pending' : undefined}
            onClick={() => {
              setBusy(f);
              setError(null);
              download(f, lang)
                .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
                .finally(() => setBusy(null));
            }}
          >
            {t(`report.format.${f}` as MessageKey)}
          </button>
        ))}
      </div>
      {error ? (
        <p class="alert" role="alert" data-testid="report-download-error">
          {t('report.download_failed', { reason: error })}
        </p>
      ) : null}
    </div>
  );
}

/** The live report: today's time, totals, shares, interpretation, downloads. */
export function ReportPanel({ view }: { view: PresidingView }) {
  const now = useServerNow(1000);
  const lang = uiLang.value;
  const r = view.record;
  const spoken = (ms: number, speeches: number) => `${duration(ms)} · ${speeches}`;
  const byCategory: Bar[] = r.by_category.map((c) => ({
    key: c.category,
    label: t(`category.${c.category}` as MessageKey),
    parts: [c.spoken],
    note: spoken(c.spoken, c.speeches),
  }));
  const byDelegation: Bar[] = r.by_delegation.slice(0, 8).map((d) => ({
    key: d.delegation,
    label: tx(d.name, lang, d.delegation),
    parts: [d.spoken],
    note: spoken(d.spoken, d.speeches),
  }));
  const channels: Bar[] = r.interpretation.map((c) => ({
    key: String(c.channel),
    label: t('minutes.channel_name', { n: c.channel, language: t(`language.${c.language.split('-')[0]}` as MessageKey) ?? c.language }),
    parts: SERVICES.map((s) => c[s]),
    note: '',
  }));
  return (
    <Section id="report" title={t('report.title')} testid="report-panel">
      <Today record={r} now={now} />
      <dl
        class="report-totals"
        data-testid="report-totals"
        data-speeches={r.totals.speeches}
        data-spoken-ms={r.totals.spoken}
        data-overrun-ms={r.totals.overrun}
      >
        <dt>{t('minutes.speeches')}</dt>
        <dd>{r.totals.speeches}</dd>
        <dt>{t('minutes.spoken')}</dt>
        <dd>{duration(r.totals.spoken)}</dd>
        <dt>{t('minutes.overruns')}</dt>
        <dd>{t('minutes.overrun_total', { n: r.totals.over_limit, d: duration(r.totals.overrun) })}</dd>
        <dt>{t('kind.point_of_order')}</dt>
        <dd>{r.totals.points_of_order}</dd>
        <dt>{t('kind.right_of_reply')}</dt>
        <dd>{r.totals.rights_of_reply}</dd>
      </dl>
      <h3>{t('minutes.by_category')}</h3>
      <BarChart bars={byCategory} testid="report-by-category" colours={['#3a8f4c']} />
      <h3>{t('minutes.by_delegation')}</h3>
      <BarChart bars={byDelegation} testid="report-by-delegation" />
      {channels.length > 0 ? (
        <>
          <h3>{t('minutes.interpretation')}</h3>
          <BarChart bars={channels} testid="report-interpretation" colours={SERVICE_COLOURS} />
          <Legend items={SERVICES.map((s, i) => [SERVICE_COLOURS[i], t(`minutes.service.${s}` as MessageKey)] as [string, string])} />
        </>
      ) : null}
      <Downloads languages={view.heading.languages} />
    </Section>
  );
}
