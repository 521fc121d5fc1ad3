// The technician's access codes panel against a fake HTTP API: the list in
// the interface language, issuing (the code shown once, its link and QR) for
// the roles the view document says this console may, copying the link,
// revoking with a confirmation, the server's errors.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render } from 'preact';
// As in main.tsx: components re-render when a signal they read changes.
import '@preact/signals';
import { act } from 'preact/test-utils';
import qrcode from 'qrcode-generator';
import { client } from '../src/client';
import type { AccessCodeInfo, IssueCode } from '../src/client/accessCodes';
import { uiLang } from '../src/i18n';
import { AccessCodesPanel, issuableRoles } from '../src/surfaces/technician/AccessCodesPanel';
import { QUIET_ZONE, qrSymbol } from '../src/surfaces/technician/QrCode';
import { technicianView } from './consoleViews';

const view = technicianView();
const MEETING = view.heading.meeting;
const TECH_CODE = 'TECH-CODE-0000-0001';
const NOW = 1_509_048_000_000;

interface Call {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

/** The server's three endpoints over an in-memory list. */
class FakeApi {
  codes: AccessCodeInfo[] = [
    { id: 'c1', role: 'delegation:hn', label: 'Seat B4', created_at: NOW - 3_600_000, revoked_at: null },
    { id: 'c2', role: 'delegation:bz', label: 'Seat A1', created_at: NOW - 1_800_000, revoked_at: null },
    { id: 'c3', role: 'interpreter:booth-es', label: '', created_at: NOW - 900_000, revoked_at: NOW - 60_000 },
    { id: 'c4', role: 'screen:hall-left', label: 'Hall, left', created_at: NOW - 600_000, revoked_at: null },
  ];
  calls: Call[] = [];
  next = 5;
  /** Answers the next call with this instead. */
  fail: Response | null = null;

  fetch = vi.fn(async (url: string, init: RequestInit): Promise<Response> => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    this.calls.push({ method, url, auth: (init.headers as Record<string, string>).Authorization, body });
    if (this.fail) {
      const r = this.fail;
      this.fail = null;
      return r;
    }
    const base = `/api/v1/meetings/${MEETING}/access-codes`;
    if (method === 'GET' && url === base) return json(200, this.codes);
    if (method === 'POST' && url === base) {
      const { role, label = '' } = body as IssueCode;
      const id = `c${this.next++}`;
      this.codes.push({ id, role, label, created_at: NOW, revoked_at: null });
      return json(201, { id, code: 'WXYZ-2345-6789-ABCD', role, label });
    }
    if (method === 'DELETE' && url.startsWith(`${base}/`)) {
      const c = this.codes.find((x) => x.id === url.slice(base.length + 1) && x.revoked_at == null);
      if (!c) return json(404, unknownCode);
      c.revoked_at = NOW;
      return new Response(null, { status: 204 });
    }
    return json(404, { code: 'not_found', message: 'not found', messages: {} });
  });

  of(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }
}

const unknownCode = {
  code: 'unknown_access_code',
  message: 'no active access code with that id',
  messages: { en: 'no active access code with that id', es: 'no hay ningún código de acceso activo con ese id' },
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('<AccessCodesPanel>', () => {
  let root: HTMLDivElement;
  let api: FakeApi;

  const $ = <T extends Element = HTMLElement>(testid: string) => root.querySelector<T>(`[data-testid="${testid}"]`);
  const $$ = (testid: string) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`)];
  const row = (role: string) => root.querySelector<HTMLElement>(`[data-testid="code-row"][data-role="${role}"]`);
  const click = async (el: Element | null) => {
    expect(el).not.toBeNull();
    await act(() => (el as HTMLElement).click());
  };
  const mount = async () => {
    await act(() => render(<AccessCodesPanel view={view} />, root));
    await vi.waitFor(() => expect($$('code-row').length).toBeGreaterThan(0));
  };
  const issue = async (role: string, label: string) => {
    const select = $<HTMLSelectElement>('issue-role')!;
    const input = $<HTMLInputElement>('issue-label')!;
    await act(() => {
      select.value = role;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(() => {
      input.value = label;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click($('issue-submit'));
  };

  beforeEach(() => {
    uiLang.value = 'en';
    api = new FakeApi();
    vi.stubGlobal('fetch', api.fetch);
    vi.spyOn(client(), 'accessCode', 'get').mockReturnValue(TECH_CODE);
    vi.spyOn(client(), 'meetingId', 'get').mockReturnValue(MEETING);
    vi.spyOn(client(), 'serverNow').mockReturnValue(NOW);
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    uiLang.value = 'en';
  });

  it('lists the codes with their roles named in the interface language, newest first', async () => {
    await mount();
    expect(api.calls[0]).toEqual({
      method: 'GET',
      url: `/api/v1/meetings/${MEETING}/access-codes`,
      auth: `Bearer ${TECH_CODE}`,
      body: undefined,
    });
    expect($$('code-row').map((r) => r.dataset.role)).toEqual([
      'screen:hall-left',
      'interpreter:booth-es',
      'delegation:bz',
      'delegation:hn',
    ]);
    expect(row('delegation:bz')!.textContent).toContain('Belize');
    expect(row('delegation:bz')!.textContent).toContain('Seat A1');
    expect(row('interpreter:booth-es')!.textContent).toContain('Spanish booth');
    expect(row('screen:hall-left')!.textContent).toContain('Hall, left');
    expect(row('delegation:hn')!.textContent).toContain('Delegation');
    expect(row('delegation:bz')!.dataset.state).toBe('active');
    expect(row('interpreter:booth-es')!.dataset.state).toBe('revoked');
    expect(row('interpreter:booth-es')!.textContent).toContain('Revoked');
    // Revoked codes cannot be revoked again.
    expect(row('interpreter:booth-es')!.querySelector('[data-testid="revoke-code"]')).toBeNull();
    expect(row('delegation:bz')!.querySelector('[data-testid="revoke-code"]')).not.toBeNull();
    // Never a code in the list.
    expect(root.textContent).not.toContain(TECH_CODE);

    await act(() => {
      uiLang.value = 'es';
    });
    expect(row('delegation:bz')!.textContent).toContain('Belice');
    expect(row('interpreter:booth-es')!.textContent).toContain('Cabina española');
    expect(row('interpreter:booth-es')!.textContent).toContain('Revocado');
    expect(row('delegation:hn')!.textContent).toContain('Delegación');
  });

  it('offers only the roles the server lets the technician hand codes to, grouped; nothing is issued before one is chosen', async () => {
    await mount();
    const select = $<HTMLSelectElement>('issue-role')!;
    const values = [...select.querySelectorAll('option')].map((o) => o.value).filter(Boolean);
    expect(values).toEqual([
      // Grouped: delegations, booths, screens — the order issuableRoles gives.
      ...view.delegations.map((d) => `delegation:${d.id}`),
      ...view.interpretation.booths.map((b) => `interpreter:${b.id}`),
      ...view.screens.map((s) => `screen:${s.id}`),
    ]);
    expect(values).toEqual(issuableRoles(view));
    // The server refuses the technician chair, secretariat and technician codes: never offered.
    for (const refused of ['chair', 'secretariat', 'technician']) expect(values).not.toContain(refused);
    expect([...select.querySelectorAll('optgroup')].map((g) => g.label)).toEqual([
      'Delegations',
      'Interpreter booths',
      'Room screens',
    ]);
    expect(select.textContent).toContain('Belize (bz)');
    expect(select.textContent).toContain('Spanish booth (booth-es)');
    expect(select.textContent).toContain('Hall, left (hall-left)');
    expect($<HTMLButtonElement>('issue-submit')!.disabled).toBe(true);
  });

  it('issues a code and shows it once, with its link and a QR code of the link', async () => {
    await mount();
    await issue('screen:podium', 'Podium monitor');
    await vi.waitFor(() => expect($('issued-code')).not.toBeNull());
    expect(api.of('POST')[0]).toMatchObject({
      url: `/api/v1/meetings/${MEETING}/access-codes`,
      auth: `Bearer ${TECH_CODE}`,
      body: { role: 'screen:podium', label: 'Podium monitor' },
    });
    expect($('issued-code')!.textContent).toBe('WXYZ-2345-6789-ABCD');
    const link = `${location.origin}/#code=WXYZ-2345-6789-ABCD`;
    expect($<HTMLInputElement>('issued-link')!.value).toBe(link);
    expect($('issued')!.textContent).toContain('Room screen: Podium confidence monitor');
    const qr = $<SVGSVGElement>('issued-qr')!;
    expect(qr.tagName.toLowerCase()).toBe('svg');
    expect(qr.getAttribute('aria-label')).toContain('Podium confidence monitor');
    expect(qr.querySelector('path')!.getAttribute('d')).toBe(qrSymbol(link).path);
    // The list is fetched again and has the new code (not the code itself).
    await vi.waitFor(() => expect(row('screen:podium')).not.toBeNull());
    expect(row('screen:podium')!.textContent).toContain('Podium monitor');
    expect(root.querySelector('.codes-table')!.textContent).not.toContain('WXYZ-2345-6789-ABCD');
    // The form is ready for the next one.
    expect($<HTMLInputElement>('issue-label')!.value).toBe('');

    await click($('issued-done'));
    expect($('issued-code')).toBeNull();
    expect($('issued-qr')).toBeNull();
    expect(root.textContent).not.toContain('WXYZ-2345-6789-ABCD');
  });

  it('copies the link', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await mount();
    await issue('delegation:hn', '');
    await vi.waitFor(() => expect($('copy-link')).not.toBeNull());
    await click($('copy-link'));
    await vi.waitFor(() => expect(root.querySelector('.copy-result')!.textContent).toBe('Link copied'));
    expect(writeText).toHaveBeenCalledWith(`${location.origin}/#code=WXYZ-2345-6789-ABCD`);
    Reflect.deleteProperty(navigator, 'clipboard');
  });

  it('shows the server’s refusal of an issue in the interface language', async () => {
    await mount();
    api.fail = json(403, {
      code: 'not_permitted',
      message: 'only the technician and the presidency manage access codes',
      messages: {
        en: 'only the technician and the presidency manage access codes',
        es: 'solo el técnico y la presidencia gestionan los códigos de acceso',
      },
    });
    await act(() => {
      uiLang.value = 'es';
    });
    await issue('delegation:gt', '');
    await vi.waitFor(() =>
      expect($('issue-error')!.textContent).toBe('solo el técnico y la presidencia gestionan los códigos de acceso'),
    );
    expect($('issued-code')).toBeNull();
  });

  it('revokes only after a confirmation', async () => {
    await mount();
    const r = row('delegation:bz')!;
    await click(r.querySelector('[data-testid="revoke-code"]'));
    expect(api.of('DELETE')).toHaveLength(0);
    // Cancel: nothing happens.
    await click(r.querySelector('[data-testid="revoke-cancel"]'));
    expect(r.querySelector('[data-testid="revoke-confirm"]')).toBeNull();
    expect(api.of('DELETE')).toHaveLength(0);

    await click(r.querySelector('[data-testid="revoke-code"]'));
    await click(r.querySelector('[data-testid="revoke-confirm"]'));
    await vi.waitFor(() => expect(row('delegation:bz')!.dataset.state).toBe('revoked'));
    expect(api.of('DELETE')[0]).toMatchObject({
      url: `/api/v1/meetings/${MEETING}/access-codes/c2`,
      auth: `Bearer ${TECH_CODE}`,
    });
    expect(row('delegation:bz')!.querySelector('[data-testid="revoke-code"]')).toBeNull();
  });

  it('says why a revocation failed, in Spanish when the interface is', async () => {
    await mount();
    await act(() => {
      uiLang.value = 'es';
    });
    api.fail = json(404, unknownCode);
    const r = row('screen:hall-left')!;
    await click(r.querySelector('[data-testid="revoke-code"]'));
    await click(r.querySelector('[data-testid="revoke-confirm"]'));
    await vi.waitFor(() =>
      expect(row('screen:hall-left')!.querySelector('[data-testid="revoke-error"]')!.textContent).toBe(
        'no hay ningún código de acceso activo con ese id',
      ),
    );
  });

  it('says when the list cannot be had: the server’s reason, or that it cannot be reached', async () => {
    api.fail = json(401, {
      code: 'invalid_access_code',
      message: 'unknown or revoked access code',
      messages: { en: 'unknown or revoked access code', es: 'código de acceso desconocido o revocado' },
    });
    await act(() => render(<AccessCodesPanel view={view} />, root));
    await vi.waitFor(() => expect($('codes-error')!.textContent).toBe('unknown or revoked access code'));

    api.fetch.mockImplementationOnce(async () => {
      throw new TypeError('Failed to fetch');
    });
    await click($('codes-refresh'));
    await vi.waitFor(() => expect($('codes-error')!.textContent).toBe('The server cannot be reached. Try again.'));

    await click($('codes-refresh'));
    await vi.waitFor(() => expect($$('code-row')).toHaveLength(4));
    expect($('codes-error')).toBeNull();
  });

  it('needs the console to have signed in with a code', async () => {
    vi.spyOn(client(), 'accessCode', 'get').mockReturnValue(null);
    await act(() => render(<AccessCodesPanel view={view} />, root));
    expect($('codes-panel')!.textContent).toContain('did not sign in with an access code');
    expect(api.calls).toHaveLength(0);
  });
});

describe('the roles offered', () => {
  it('follow the server’s table in the document, with one key per delegation, booth or screen', () => {
    expect(issuableRoles(view)).toHaveLength(view.delegations.length + view.interpretation.booths.length + view.screens.length);
    // A console whose table allows staff codes offers them first, in the table's order.
    expect(issuableRoles({ ...view, code_roles: ['secretariat', 'technician', 'screen'] })).toEqual([
      'secretariat',
      'technician',
      ...view.screens.map((s) => `screen:${s.id}`),
    ]);
    expect(issuableRoles({ ...view, code_roles: [] })).toEqual([]);
  });

  it('groups the staff roles when the table allows them', async () => {
    uiLang.value = 'en';
    vi.spyOn(client(), 'accessCode', 'get').mockReturnValue(TECH_CODE);
    vi.spyOn(client(), 'meetingId', 'get').mockReturnValue(MEETING);
    vi.stubGlobal('fetch', new FakeApi().fetch);
    const root = document.createElement('div');
    document.body.append(root);
    await act(() =>
      render(<AccessCodesPanel view={{ ...view, code_roles: ['chair', 'secretariat', 'technician', 'delegation'] }} />, root),
    );
    const select = root.querySelector<HTMLSelectElement>('[data-testid="issue-role"]')!;
    expect([...select.querySelectorAll('optgroup')].map((g) => g.label)).toEqual(['Presidency and staff', 'Delegations']);
    expect([...select.querySelectorAll('optgroup')[0]!.querySelectorAll('option')].map((o) => o.value)).toEqual([
      'chair',
      'secretariat',
      'technician',
    ]);
    render(null, root);
    root.remove();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });
});

describe('the QR code', () => {
  it('draws exactly the dark modules of the symbol, inside the quiet zone', () => {
    const text = 'http://192.168.1.20:8090/#code=WXYZ-2345-6789-ABCD';
    const { modules, path } = qrSymbol(text);
    const qr = qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    expect(modules).toBe(qr.getModuleCount());
    const drawn = new Set<string>();
    for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
      const [x, y, w, back] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
      expect(back).toBe(w);
      for (let i = 0; i < w; i++) drawn.add(`${y - QUIET_ZONE},${x - QUIET_ZONE + i}`);
    }
    for (let r = 0; r < modules; r++) {
      for (let c = 0; c < modules; c++) expect(drawn.has(`${r},${c}`), `${r},${c}`).toBe(qr.isDark(r, c));
    }
    expect(drawn.size).toBeGreaterThan(0);
  });
});
