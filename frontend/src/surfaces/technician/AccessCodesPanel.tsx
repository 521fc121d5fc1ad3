// The meeting's access codes: the list (never the codes themselves), a form
// to issue one for the roles this console may hand codes to (`code_roles`,
// the server's table, in the view document) — shown once, with its link and
// a QR code of it — and revocation with a confirmation. Over the HTTP API,
// authenticated with the code this console signed in with.
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../../client';
import {
  AccessCodeError,
  LOCAL_ERROR,
  authOf,
  codeLink,
  issueAccessCode,
  listAccessCodes,
  parseRoleKey,
  revokeAccessCode,
  type AccessCodeInfo,
  type ApiAuth,
  type IssuedCode,
} from '../../client/accessCodes';
import type { InterpretationView, TechnicianView } from '../../client/protocol';
import { Section } from '../../components/Section';
import { dayOf, t, timeOfDay, tx, uiLang, zonedFormat, type MessageKey } from '../../i18n';
import { QrCode } from './QrCode';

/** What the panel needs of the technician's view document: whose codes it
 * may issue (`code_roles`) and who there is to issue them for. */
export type CodesView = Pick<TechnicianView, 'code_roles' | 'delegations' | 'screens'> & {
  interpretation: Pick<InterpretationView, 'booths'>;
};

/** Role kinds that name one delegation, booth or screen (`delegation:hn`…). */
const WITH_ID = ['delegation', 'interpreter', 'screen'] as const;

/** The role keys the form offers: each role kind of `code_roles` the
 * server lets this console manage, with one key per delegation, booth or
 * screen of the document for the kinds that name one — grouped as the form
 * shows them (presidency and staff, delegations, booths, screens). */
export function issuableRoles(view: CodesView): string[] {
  const may = (kind: string) => view.code_roles.some((k) => k === kind);
  return [
    ...view.code_roles.filter((k) => !WITH_ID.some((w) => w === k)),
    ...(may('delegation') ? view.delegations.map((d) => `delegation:${d.id}`) : []),
    ...(may('interpreter') ? view.interpretation.booths.map((b) => `interpreter:${b.id}`) : []),
    ...(may('screen') ? view.screens.map((s) => `screen:${s.id}`) : []),
  ];
}

/** A role key in words: the kind ("Delegation") and, for one with an id, its name ("Honduras"). */
export function roleWords(view: CodesView, key: string, lang: string): { kind: string; name: string | null } {
  const role = parseRoleKey(key);
  switch (role.kind) {
    case 'delegation':
      return { kind: t('role.delegation'), name: tx(view.delegations.find((d) => d.id === role.id)?.name, lang, role.id) };
    case 'interpreter':
      return {
        kind: t('role.interpreter'),
        name: tx(view.interpretation.booths.find((b) => b.id === role.id)?.name, lang, role.id),
      };
    case 'screen':
      return {
        kind: t('role.screen'),
        name: view.screens.find((s) => s.id === role.id)?.name ?? role.id,
      };
    case 'other':
      return { kind: role.key, name: null };
    default:
      return { kind: t(`role.${role.kind}`), name: null };
  }
}

/** "Delegation: Honduras", "Chair". */
export function roleLabel(view: CodesView, key: string, lang: string): string {
  const { kind, name } = roleWords(view, key, lang);
  return name === null ? kind : `${kind}: ${name}`;
}

/** The server's reason in the interface language; ours for what never reached it. */
export function errorText(error: unknown): string {
  if (error instanceof AccessCodeError) {
    if (error.code === LOCAL_ERROR.network) return t('codes.error_network');
    if (error.code === LOCAL_ERROR.badResponse) return t('codes.error_response', { status: error.status });
    return tx(error.messages, uiLang.value, error.message);
  }
  return error instanceof Error ? error.message : String(error);
}

/** A time today, or day and time for another day (the meeting's time zone). */
function when(ms: number, lang: string): string {
  if (dayOf(ms) === dayOf(client().serverNow())) return timeOfDay(ms, lang);
  return zonedFormat(lang, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

/** Copies to the clipboard; the fallback works where `navigator.clipboard`
 * does not exist (a hall LAN over plain http is not a secure context). */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Try the old way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

const GROUPS: { kind: string; title: MessageKey }[] = [
  { kind: 'presidency', title: 'codes.group_presidency' },
  { kind: 'delegation', title: 'codes.group_delegations' },
  { kind: 'interpreter', title: 'codes.group_booths' },
  { kind: 'screen', title: 'codes.group_screens' },
];

function groupOf(key: string): string {
  const kind = parseRoleKey(key).kind;
  return kind === 'delegation' || kind === 'interpreter' || kind === 'screen' ? kind : 'presidency';
}

function IssueForm({ view, auth, onIssued }: { view: CodesView; auth: ApiAuth; onIssued: (c: IssuedCode) => void }) {
  const lang = uiLang.value;
  const [role, setRole] = useState('');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const roles = issuableRoles(view);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!role || busy) return;
    setBusy(true);
    setError(null);
    try {
      const issued = await issueAccessCode(auth, { role, label: label.trim() });
      setLabel('');
      onIssued(issued);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="issue-form" onSubmit={submit} data-testid="issue-form">
      <label class="field">
        <span>{t('codes.role')}</span>
        <select
          class="input"
          value={role}
          required
          data-testid="issue-role"
          onChange={(e) => setRole((e.target as HTMLSelectElement).value)}
        >
          <option value="" disabled>
            {t('codes.choose_role')}
          </option>
          {GROUPS.map((g) => {
            const keys = roles.filter((key) => groupOf(key) === g.kind);
            // A group this console may not issue codes for is not offered at all.
            return keys.length === 0 ? null : (
              <optgroup key={g.kind} label={t(g.title)}>
                {keys.map((key) => {
                  const { kind, name } = roleWords(view, key, lang);
                  const id = parseRoleKey(key);
                  return (
                    <option key={key} value={key}>
                      {name === null ? kind : `${name} (${'id' in id ? id.id : key})`}
                    </option>
                  );
                })}
              </optgroup>
            );
          })}
        </select>
      </label>
      <label class="field issue-label">
        <span>{t('codes.label')}</span>
        <input
          class="input"
          type="text"
          value={label}
          maxLength={200}
          placeholder={t('codes.label_hint')}
          data-testid="issue-label"
          onInput={(e) => setLabel((e.target as HTMLInputElement).value)}
        />
      </label>
      <button
        type="submit"
        class="btn btn-primary"
        data-testid="issue-submit"
        data-state={busy ? 'pending' : undefined}
        disabled={!role || busy}
      >
        {t('codes.issue')}
      </button>
      {error ? (
        <p class="codes-error" role="alert" data-testid="issue-error">
          {errorText(error)}
        </p>
      ) : null}
    </form>
  );
}

function IssuedCard({ view, issued, onDone }: { view: CodesView; issued: IssuedCode; onDone: () => void }) {
  const lang = uiLang.value;
  const link = codeLink(issued.code, location.origin);
  const who = roleLabel(view, issued.role, lang);
  const [copied, setCopied] = useState<boolean | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setCopied(null);
    box.current?.focus();
  }, [issued.id]);
  return (
    <div class="issued" ref={box} tabIndex={-1} data-testid="issued" data-role={issued.role} data-code-id={issued.id}>
      <div class="issued-main">
        <h3 class="issued-title">{t('codes.issued_for', { role: who })}</h3>
        {issued.label ? <p class="issued-label">{issued.label}</p> : null}
        <p class="issued-code" data-testid="issued-code">
          {issued.code}
        </p>
        <p class="issued-once" role="status">
          {t('codes.issued_once')}
        </p>
        <label class="field">
          <span>{t('codes.link')}</span>
          <input
            class="input issued-link"
            type="text"
            readOnly
            value={link}
            data-testid="issued-link"
            onFocus={(e) => (e.target as HTMLInputElement).select()}
          />
        </label>
        <div class="row">
          <button
            type="button"
            class="btn"
            data-testid="copy-link"
            onClick={() => void copyText(link).then(setCopied)}
          >
            {t('codes.copy_link')}
          </button>
          <button type="button" class="btn" data-testid="issued-done" onClick={onDone}>
            {t('codes.done')}
          </button>
          <span class="copy-result" aria-live="polite" data-copied={copied ?? undefined}>
            {copied === true ? t('codes.copied') : copied === false ? t('codes.copy_failed') : ''}
          </span>
        </div>
      </div>
      <QrCode text={link} label={t('codes.qr', { role: who })} testid="issued-qr" />
    </div>
  );
}

function CodeRow({
  view,
  code,
  auth,
  onRevoked,
}: {
  view: CodesView;
  code: AccessCodeInfo;
  auth: ApiAuth;
  onRevoked: () => void;
}) {
  const lang = uiLang.value;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { kind, name } = roleWords(view, code.role, lang);
  const revoked = code.revoked_at != null;
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await revokeAccessCode(auth, code.id);
      setConfirming(false);
      onRevoked();
    } catch (err) {
      setError(err);
      // Revoked meanwhile (another console, the CLI): show the list as it is.
      if (err instanceof AccessCodeError && err.code === 'unknown_access_code') onRevoked();
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr
      data-testid="code-row"
      data-role={code.role}
      data-code-id={code.id}
      data-state={revoked ? 'revoked' : 'active'}
      class={revoked ? 'code-revoked' : undefined}
    >
      <th scope="row">
        <div class="code-role">{name ?? kind}</div>
        <div class="muted small">
          {name === null ? null : `${kind} · `}
          <code>{code.role}</code>
        </div>
      </th>
      <td>{code.label || <span class="muted">–</span>}</td>
      <td class="tabular">{when(code.created_at, lang)}</td>
      <td>
        {revoked ? (
          <span class="badge badge-closed">{t('codes.revoked', { time: when(code.revoked_at!, lang) })}</span>
        ) : (
          <span class="badge badge-open">{t('codes.active')}</span>
        )}
      </td>
      <td>
        {revoked ? null : confirming ? (
          <div class="revoke-confirm" role="group" aria-label={t('codes.revoke_confirm')}>
            <span class="small">{t('codes.revoke_confirm')}</span>
            <div class="row nowrap">
              <button
                type="button"
                class="btn btn-small btn-danger"
                data-testid="revoke-confirm"
                data-state={busy ? 'pending' : undefined}
                disabled={busy}
                onClick={() => void revoke()}
              >
                {t('codes.revoke_yes')}
              </button>
              <button
                type="button"
                class="btn btn-small"
                data-testid="revoke-cancel"
                disabled={busy}
                onClick={() => {
                  setConfirming(false);
                  setError(null);
                }}
              >
                {t('codes.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <button
            type="button"
            class="btn btn-small btn-danger"
            data-testid="revoke-code"
            aria-label={`${t('codes.revoke')}: ${name ?? kind}${code.label ? ` (${code.label})` : ''}`}
            onClick={() => setConfirming(true)}
          >
            {t('codes.revoke')}
          </button>
        )}
        {error ? (
          <div class="codes-error small" role="alert" data-testid="revoke-error">
            {errorText(error)}
          </div>
        ) : null}
      </td>
    </tr>
  );
}

/** Newest first; the server lists oldest first. */
function newestFirst(codes: AccessCodeInfo[]): AccessCodeInfo[] {
  return codes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.created_at - a.c.created_at || b.i - a.i)
    .map(({ c }) => c);
}

export function AccessCodesPanel({ view }: { view: CodesView }) {
  const auth = authOf(client());
  const [codes, setCodes] = useState<AccessCodeInfo[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  // Only the answer to the latest request is shown.
  const latest = useRef(0);
  const meetingId = auth?.meeting;
  const code = auth?.code;

  const load = async () => {
    if (!meetingId || !code) return;
    const n = ++latest.current;
    setLoading(true);
    try {
      const list = await listAccessCodes({ meeting: meetingId, code });
      if (n !== latest.current) return;
      setCodes(list);
      setError(null);
    } catch (err) {
      if (n === latest.current) setError(err);
    } finally {
      if (n === latest.current) setLoading(false);
    }
  };

  useEffect(() => {
    void load();
    return () => {
      latest.current++;
    };
  }, [meetingId, code]);

  const refresh = (
    <button
      type="button"
      class="btn btn-small"
      data-testid="codes-refresh"
      data-state={loading ? 'pending' : undefined}
      disabled={!auth || loading}
      onClick={() => void load()}
    >
      {t('codes.refresh')}
    </button>
  );

  return (
    <Section id="codes" title={t('tech.access_codes')} testid="codes-panel" actions={refresh}>
      {!auth ? (
        <p class="muted">{t('codes.no_code')}</p>
      ) : (
        <>
          <h3 class="subhead">{t('codes.issue_title')}</h3>
          <IssueForm
            view={view}
            auth={auth}
            onIssued={(c) => {
              setIssued(c);
              void load();
            }}
          />
          {issued ? <IssuedCard view={view} issued={issued} onDone={() => setIssued(null)} /> : null}
          {error ? (
            <p class="codes-error" role="alert" data-testid="codes-error">
              {errorText(error)}
            </p>
          ) : null}
          {codes === null ? (
            loading ? (
              <p class="muted" data-testid="codes-loading">
                {t('codes.loading')}
              </p>
            ) : null
          ) : codes.length === 0 ? (
            <p class="muted" data-testid="codes-empty">
              {t('codes.none')}
            </p>
          ) : (
            <div class="table-wrap codes-list">
              <table class="table codes-table" data-testid="codes-table">
                <thead>
                  <tr>
                    <th scope="col">{t('codes.role')}</th>
                    <th scope="col">{t('codes.label')}</th>
                    <th scope="col">{t('codes.created')}</th>
                    <th scope="col">{t('codes.state')}</th>
                    <th scope="col">
                      <span class="visually-hidden">{t('codes.revoke')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {newestFirst(codes).map((c) => (
                    <CodeRow key={c.id} view={view} code={c} auth={auth} onRevoked={() => void load()} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Section>
  );
}
