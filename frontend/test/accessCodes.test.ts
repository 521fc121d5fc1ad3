// The access codes' HTTP calls (fetch mocked) and the code they are
// authenticated with, as the client keeps it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AccessCodeError,
  authOf,
  codeLink,
  issueAccessCode,
  listAccessCodes,
  parseRoleKey,
  revokeAccessCode,
  type AccessCodeInfo,
  type IssuedCode,
} from '../src/client/accessCodes';
import { PlenaryClient } from '../src/client/connection';
import { FakeEnvironment } from './fake-server';

const auth = { meeting: 'san-pedro-sula-2017', code: 'TECH-CODE-0000-0001' };

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A fetch that answers `response` and records what it was asked. */
function fakeFetch(response: () => Response | Promise<Response>) {
  return vi.fn(async (_url: string, _init: RequestInit) => response());
}

function headersOf(init: RequestInit): Record<string, string> {
  return init.headers as Record<string, string>;
}

const listed: AccessCodeInfo[] = [
  { id: 'c1', role: 'delegation:hn', label: 'Honduras, seat A4', created_at: 1_509_048_000_000, revoked_at: null },
  { id: 'c2', role: 'screen:hall-left', label: '', created_at: 1_509_048_100_000, revoked_at: 1_509_049_000_000 },
];

describe('access codes over HTTP', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('lists with the console’s code as bearer, never sending cookies', async () => {
    const f = fakeFetch(() => jsonResponse(200, listed));
    await expect(listAccessCodes(auth, f)).resolves.toEqual(listed);
    const [url, init] = f.mock.calls[0]!;
    expect(url).toBe('/api/v1/meetings/san-pedro-sula-2017/access-codes');
    expect(init.method).toBe('GET');
    expect(headersOf(init).Authorization).toBe('Bearer TECH-CODE-0000-0001');
    expect(init.credentials).toBe('omit');
    expect(init.body).toBeUndefined();
  });

  it('uses the global fetch when none is given', async () => {
    const f = fakeFetch(() => jsonResponse(200, []));
    vi.stubGlobal('fetch', f);
    await expect(listAccessCodes(auth)).resolves.toEqual([]);
    expect(f).toHaveBeenCalledOnce();
  });

  it('issues with a JSON body and returns the code (201)', async () => {
    const issued: IssuedCode = { id: 'c3', code: 'ABCD-EFGH-JKLM-NPQR', role: 'interpreter:booth-es', label: 'Booth ES' };
    const f = fakeFetch(() => jsonResponse(201, issued));
    await expect(issueAccessCode(auth, { role: 'interpreter:booth-es', label: 'Booth ES' }, f)).resolves.toEqual(issued);
    const [url, init] = f.mock.calls[0]!;
    expect(url).toBe('/api/v1/meetings/san-pedro-sula-2017/access-codes');
    expect(init.method).toBe('POST');
    expect(headersOf(init)['Content-Type']).toBe('application/json');
    expect(headersOf(init).Authorization).toBe('Bearer TECH-CODE-0000-0001');
    expect(JSON.parse(init.body as string)).toEqual({ role: 'interpreter:booth-es', label: 'Booth ES' });
  });

  it('revokes by id (204)', async () => {
    const f = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(revokeAccessCode(auth, 'c1', f)).resolves.toBeUndefined();
    const [url, init] = f.mock.calls[0]!;
    expect(url).toBe('/api/v1/meetings/san-pedro-sula-2017/access-codes/c1');
    expect(init.method).toBe('DELETE');
  });

  it('escapes the meeting and the id in the path', async () => {
    const f = fakeFetch(() => new Response(null, { status: 204 }));
    await revokeAccessCode({ meeting: 'a/b', code: 'X' }, 'id ?', f);
    expect(f.mock.calls[0]![0]).toBe('/api/v1/meetings/a%2Fb/access-codes/id%20%3F');
  });

  it('carries the server’s error: status, code and both languages', async () => {
    const body = {
      code: 'unknown_access_code',
      message: 'no active access code with that id',
      messages: { en: 'no active access code with that id', es: 'no hay ningún código de acceso activo con ese id' },
    };
    const f = fakeFetch(() => jsonResponse(404, body));
    const error = await revokeAccessCode(auth, 'gone', f).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessCodeError);
    expect(error).toMatchObject({ status: 404, ...body });
  });

  it('tells a refused code (401) and a role without the right (403)', async () => {
    const refused = { code: 'invalid_access_code', message: 'unknown code', messages: { en: 'unknown code', es: 'código desconocido' } };
    await expect(listAccessCodes(auth, fakeFetch(() => jsonResponse(401, refused)))).rejects.toMatchObject({
      status: 401,
      code: 'invalid_access_code',
    });
    const forbidden = { code: 'not_permitted', message: 'only the technician…', messages: { en: 'only the technician…' } };
    await expect(
      issueAccessCode(auth, { role: 'chair', label: '' }, fakeFetch(() => jsonResponse(403, forbidden))),
    ).rejects.toMatchObject({ status: 403, code: 'not_permitted' });
  });

  it('says network when there is no answer, bad_response for an answer that is not the API’s', async () => {
    await expect(
      listAccessCodes(
        auth,
        vi.fn(async () => {
          throw new TypeError('Failed to fetch');
        }),
      ),
    ).rejects.toMatchObject({ status: 0, code: 'network' });
    await expect(
      listAccessCodes(auth, fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }))),
    ).rejects.toMatchObject({ status: 502, code: 'bad_response' });
    await expect(listAccessCodes(auth, fakeFetch(() => jsonResponse(200, { not: 'a list' })))).rejects.toMatchObject({
      code: 'bad_response',
    });
    await expect(
      issueAccessCode(auth, { role: 'chair' }, fakeFetch(() => jsonResponse(201, { id: 'c9' }))),
    ).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('makes the sign-in link', () => {
    expect(codeLink('ABCD-EFGH-JKLM-NPQR', 'http://10.0.0.5:8090')).toBe('http://10.0.0.5:8090/#code=ABCD-EFGH-JKLM-NPQR');
  });
});

describe('role keys', () => {
  it('parses the server’s keys', () => {
    expect(parseRoleKey('chair')).toEqual({ kind: 'chair' });
    expect(parseRoleKey('technician')).toEqual({ kind: 'technician' });
    expect(parseRoleKey('delegation:hn')).toEqual({ kind: 'delegation', id: 'hn' });
    expect(parseRoleKey('interpreter:booth-es')).toEqual({ kind: 'interpreter', id: 'booth-es' });
    expect(parseRoleKey('screen:hall-left')).toEqual({ kind: 'screen', id: 'hall-left' });
    expect(parseRoleKey('screen:')).toEqual({ kind: 'other', key: 'screen:' });
    expect(parseRoleKey('janitor')).toEqual({ kind: 'other', key: 'janitor' });
  });

  // Which role keys a console offers comes from its view document's
  // `code_roles`: see `issuableRoles` in test/accessCodesPanel.test.tsx.
});

describe('the code the console signed in with', () => {
  it('is the client’s credentials, with the meeting of the welcome', () => {
    const env = new FakeEnvironment();
    const client = new PlenaryClient(env);
    expect(client.accessCode).toBeNull();
    expect(authOf(client)).toBeNull();
    client.start({ kind: 'code', code: 'TECH-CODE-0000-0001' });
    expect(client.accessCode).toBe('TECH-CODE-0000-0001');
    // No meeting before the welcome.
    expect(authOf(client)).toBeNull();
    env.socket.open();
    env.socket.receive({
      type: 'welcome',
      protocol_version: 1,
      role: { role: 'technician' },
      meeting: 'san-pedro-sula-2017',
      server_time: env.clock,
      seq: 1,
      token: 't',
    });
    expect(authOf(client)).toEqual({ meeting: 'san-pedro-sula-2017', code: 'TECH-CODE-0000-0001' });
    client.signOut();
    expect(client.accessCode).toBeNull();
    expect(authOf(client)).toBeNull();
  });

  it('is none for the public view', () => {
    const client = new PlenaryClient(new FakeEnvironment());
    client.start({ kind: 'public', meeting: 'san-pedro-sula-2017' });
    expect(client.accessCode).toBeNull();
  });
});
