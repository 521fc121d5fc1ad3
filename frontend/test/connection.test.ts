import { beforeEach, describe, expect, it } from 'vitest';
import { EARLY_RESYNC_MS, PlenaryClient } from '../src/client/connection';
import type { Role } from '../src/client/protocol';
import { FakeEnvironment, presidingSession, publicSession, type ViewSession } from './fake-server';

const chair: Role = { role: 'chair' };

/** Signs in and opens the socket (hello sent, nothing answered yet). */
function connecting(env: FakeEnvironment): PlenaryClient {
  const client = new PlenaryClient(env);
  client.start({ kind: 'code', code: 'ABCD-EFGH' });
  env.socket.open();
  return client;
}

/** Connects, is welcomed and receives the session's first document. */
function liveClient(env: FakeEnvironment, session: ViewSession = publicSession(), role: Role = chair): PlenaryClient {
  const client = connecting(env);
  env.socket.welcome(env, session.meeting, session.first.seq, role);
  env.socket.receive(session.first);
  return client;
}

/** Drops the socket and lets the back-off open the next one. */
function reconnect(env: FakeEnvironment): void {
  env.socket.drop(1006);
  env.advance(1000);
  env.socket.open();
}

describe('the connection', () => {
  let env: FakeEnvironment;
  let session: ViewSession;
  beforeEach(() => {
    env = new FakeEnvironment();
    session = publicSession();
  });

  it('says hello for the views stream, is live on welcome, then holds the document', () => {
    const client = connecting(env);
    const hello = env.sockets[0]!.of('hello')[0]!;
    expect(hello).toMatchObject({ access_code: 'ABCD-EFGH', resume_from_seq: null, meeting: null, stream: 'views' });
    env.socket.welcome(env, session.meeting, 12, chair);
    expect(client.status.value).toEqual({ kind: 'live' });
    expect(client.role.value).toEqual(chair);
    expect(client.token.value).toBe('t_secret');
    expect(client.view.value).toBeNull();
    env.socket.receive(session.first);
    expect(client.view.value).toStrictEqual(session.first.view);
    expect(client.seq).toBe(session.first.seq);
    expect(env.storage.getItem('plenary.credentials')).toContain('ABCD-EFGH');
  });

  it('applies live patches in order and ends with the server\'s document', () => {
    const client = liveClient(env, session);
    for (const p of session.patches) {
      env.socket.receive(p);
      expect(client.seq).toBe(p.seq);
    }
    expect(client.view.value).toStrictEqual(session.final);
    expect(client.status.value).toEqual({ kind: 'live' });
    expect(client.resyncs.value).toBe(0);
  });

  it('a patch gives a new document that shares what did not change', () => {
    const client = liveClient(env, session);
    const before = client.view.value!;
    env.socket.receive(session.patches[0]!);
    const after = client.view.value!;
    expect(after).not.toBe(before);
    expect(after.heading).toBe(before.heading);
    expect(before).toStrictEqual(session.first.view);
  });

  it('resumes from the held seq and catches up with the patches since', () => {
    const client = liveClient(env, session);
    env.socket.receive(session.patches[0]!);
    const held = client.seq;
    reconnect(env);
    expect(env.sockets).toHaveLength(2);
    expect(env.socket.of('hello')[0]).toMatchObject({ resume_from_seq: held, stream: 'views' });
    // The client shows what it holds while it reconnects.
    expect(client.view.value).not.toBeNull();
    env.socket.welcome(env, session.meeting, session.patches.at(-1)!.seq);
    expect(client.status.value).toEqual({ kind: 'live' });
    for (const p of session.patches.slice(1)) env.socket.receive(p);
    expect(client.view.value).toStrictEqual(session.final);
  });

  it('a patch that does not start from the held document closes the connection and resumes from the held seq', () => {
    const client = liveClient(env, session);
    env.socket.receive(session.patches[0]!);
    const held = client.seq;
    const view = client.view.value;
    env.socket.receive(session.patches[2]!); // patches[1] was lost
    expect(client.view.value).toBe(view);
    expect(client.seq).toBe(held);
    expect(env.sockets[0]!.closedByClient).not.toBeNull();
    expect(client.status.value.kind).toBe('reconnecting');
    expect(client.resyncs.value).toBe(1);
    env.advance(1000);
    env.socket.open();
    expect(env.socket.of('hello')[0]!.resume_from_seq).toBe(held);
  });

  it('a patch seen twice is not applied twice and the connection is resumed', () => {
    const client = liveClient(env, session);
    env.socket.receive(session.patches[0]!);
    env.socket.receive(session.patches[1]!);
    const view = client.view.value;
    env.socket.receive(session.patches[1]!);
    expect(client.view.value).toBe(view);
    expect(client.status.value.kind).toBe('reconnecting');
    env.advance(1000);
    env.socket.open();
    expect(env.socket.of('hello')[0]!.resume_from_seq).toBe(session.patches[1]!.seq);
  });

  it('a patch whose operations do not apply to the held document resumes too', () => {
    const client = liveClient(env, session);
    const from = client.seq!;
    env.socket.receive({ type: 'patch', from, seq: from + 1, ops: [{ op: 'replace', path: '/no/such/field', value: {} }] });
    expect(client.seq).toBe(from);
    expect(client.view.value).toStrictEqual(session.first.view);
    expect(client.status.value.kind).toBe('reconnecting');
  });

  it('a patch before any document resumes with nothing held', () => {
    const client = connecting(env);
    env.socket.welcome(env, session.meeting, 5);
    env.socket.receive(session.patches[0]!);
    expect(client.view.value).toBeNull();
    expect(client.status.value.kind).toBe('reconnecting');
    env.advance(1000);
    env.socket.open();
    expect(env.socket.of('hello')[0]!.resume_from_seq).toBeNull();
  });

  it('frames of a dropped socket are ignored', () => {
    const client = liveClient(env, session);
    const old = env.socket;
    old.receive(session.patches[1]!); // out of order: the client restarts
    expect(client.status.value.kind).toBe('reconnecting');
    old.receive(session.patches[0]!); // the old socket is detached now
    expect(client.seq).toBe(session.first.seq);
    expect(client.view.value).toStrictEqual(session.first.view);
  });

  it('a whole document on resume replaces the one held', () => {
    const client = liveClient(env, session);
    env.socket.receive(session.patches[0]!);
    env.socket.drop(4000, 'too slow');
    env.advance(1000);
    env.socket.open();
    const last = session.patches.at(-1)!.seq;
    env.socket.welcome(env, session.meeting, last);
    env.socket.receive({ type: 'view', seq: last, view: session.final });
    expect(client.view.value).toStrictEqual(session.final);
    expect(client.seq).toBe(last);
  });

  it('another meeting in the welcome forgets the document held', () => {
    const client = liveClient(env, session);
    reconnect(env);
    env.socket.welcome(env, 'another-meeting', 1);
    expect(client.view.value).toBeNull();
    expect(client.seq).toBeNull();
    expect(client.meetingId).toBe('another-meeting');
  });

  it('signing out forgets the document', () => {
    const client = liveClient(env, session);
    client.signOut();
    expect(client.view.value).toBeNull();
    expect(client.seq).toBeNull();
    expect(client.status.value.kind).toBe('signed_out');
  });

  it('backs off with jitter, doubling to at most 10 s', () => {
    liveClient(env);
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      env.socket.drop(1006);
      const before = env.sockets.length;
      const start = env.clock;
      while (env.sockets.length === before) env.advance(10);
      delays.push(env.clock - start);
    }
    // random() = 0.5: three quarters of 0.5, 1, 2, 4, 8, 10, 10 s.
    expect(delays).toEqual([380, 750, 1500, 3000, 6000, 7500, 7500]);
  });

  it('1008 goes back to the login form with the server message and forgets the code', () => {
    const client = new PlenaryClient(env);
    client.start({ kind: 'code', code: 'BAD' });
    env.socket.open();
    env.socket.receive({
      type: 'error',
      code: 'invalid_access_code',
      message: 'unknown or revoked access code',
      messages: { en: 'unknown or revoked access code', es: 'código de acceso desconocido o revocado' },
    });
    env.socket.drop(1008, 'invalid_access_code');
    expect(client.status.value).toMatchObject({
      kind: 'signed_out',
      error: { code: 'invalid_access_code', messages: { es: 'código de acceso desconocido o revocado' } },
    });
    expect(env.storage.getItem('plenary.credentials')).toBeNull();
    env.advance(60_000);
    expect(env.sockets).toHaveLength(1);
  });

  it('1001 and 4000 reconnect', () => {
    const client = liveClient(env);
    env.socket.drop(1001, 'server shutting down');
    expect(client.status.value).toMatchObject({ kind: 'reconnecting', reason: 'server shutting down' });
    env.advance(1000);
    expect(env.sockets).toHaveLength(2);
    env.socket.drop(4000, 'too slow');
    env.advance(2000);
    expect(env.sockets).toHaveLength(3);
  });

  it('the public view says hello with the meeting and no code', () => {
    const client = new PlenaryClient(env);
    client.start({ kind: 'public', meeting: 'san-pedro-sula-2017' });
    env.socket.open();
    expect(env.socket.of('hello')[0]).toMatchObject({ meeting: 'san-pedro-sula-2017', access_code: null });
  });
});

describe('commands', () => {
  let env: FakeEnvironment;
  beforeEach(() => {
    env = new FakeEnvironment();
  });

  it('pending until acked, with a fresh id per intent', () => {
    const client = liveClient(env);
    const a = client.send({ type: 'call_next' }, 'call next');
    const b = client.send({ type: 'end_speech' });
    expect(a.id).not.toBe(b.id);
    expect(env.socket.of('command').map((c) => c.command_id)).toEqual([a.id, b.id]);
    expect(client.commands.value.map((c) => c.state)).toEqual(['pending', 'pending']);
    env.socket.receive({ type: 'ack', command_id: a.id, seq: 2 });
    expect(client.commands.value.find((c) => c.id === a.id)?.state).toBe('acked');
  });

  it('refused with the server messages in every language', () => {
    const client = liveClient(env);
    const c = client.send({ type: 'call_next' });
    env.socket.receive({
      type: 'error',
      command_id: c.id,
      code: 'queue_empty',
      message: 'nadie espera',
      messages: { es: 'nadie espera', en: 'nobody is waiting' },
    });
    const tracked = client.commands.value[0]!;
    expect(tracked.state).toBe('refused');
    expect(tracked.error?.messages.en).toBe('nobody is waiting');
  });

  it('a command sent while disconnected goes out once live, and an unanswered one is resent with the same id', () => {
    const client = liveClient(env);
    const message = (text: string) => ({ type: 'push_message' as const, target: { kind: 'all' as const }, text: { en: text } });
    const answered = client.send(message('a'));
    env.socket.receive({ type: 'ack', command_id: answered.id, seq: 2 });
    const unanswered = client.send(message('b'));
    env.socket.drop(1006);
    const offline = client.send({ type: 'request_floor', item: 'stocktaking', delegation: 'hn', kind: 'statement' });
    expect(client.commands.value.find((c) => c.id === offline.id)?.sends).toBe(0);
    env.advance(1000);
    env.socket.open();
    // Nothing goes out before the welcome.
    expect(env.socket.of('command')).toHaveLength(0);
    env.socket.welcome(env, 'demo', 1);
    expect(env.socket.of('command').map((c) => c.command_id)).toEqual([unanswered.id, offline.id]);
  });

  it('a change of the floor is never queued while the connection is down, and never goes out afterwards', () => {
    const client = liveClient(env, presidingSession());
    env.socket.drop(1006);
    expect(client.live).toBe(false);
    const clicks = [client.send({ type: 'call_next' }), client.send({ type: 'call_next' }), client.send({ type: 'end_speech' }, 'E')];
    for (const c of clicks) {
      const tracked = client.commands.value.find((x) => x.id === c.id)!;
      expect(tracked.state).toBe('not_sent');
      expect(tracked.sends).toBe(0);
    }
    env.advance(1000);
    env.socket.open();
    env.socket.welcome(env, 'demo', 1);
    expect(client.status.value).toEqual({ kind: 'live' });
    expect(env.socket.of('command')).toHaveLength(0);
    expect(client.commands.value.map((c) => c.state)).toEqual(['not_sent', 'not_sent', 'not_sent']);
    // Live again: the next click goes out at once.
    const now = client.send({ type: 'call_next' });
    expect(env.socket.of('command').map((c) => c.command_id)).toEqual([now.id]);
  });

  it('a change of the floor sent but unanswered when the connection drops is not resent: it is unconfirmed', () => {
    const client = liveClient(env, presidingSession());
    const floor = client.send({ type: 'call_next' }, 'N');
    const request = client.send({ type: 'insert_speaker', item: 'stocktaking', delegation: 'gt', kind: 'statement' });
    expect(env.socket.of('command')).toHaveLength(2);
    env.socket.drop(1006);
    const state = (id: string) => client.commands.value.find((c) => c.id === id)?.state;
    // Known at once, while the connection is down.
    expect(state(floor.id)).toBe('unconfirmed');
    expect(state(request.id)).toBe('pending');
    env.advance(1000);
    env.socket.open();
    env.socket.welcome(env, 'demo', 1);
    // Only the command that does not move the floor is sent again, with its id.
    expect(env.socket.of('command').map((c) => c.command_id)).toEqual([request.id]);
    expect(state(floor.id)).toBe('unconfirmed');
  });

  it('a change of the floor carries the floor the chair saw; other commands carry nothing', () => {
    const session = presidingSession();
    const client = liveClient(env, session);
    env.socket.receive(session.patches[0]!);
    client.send({ type: 'end_speech' }, 'E');
    client.send({ type: 'close_list', item: 'stocktaking' });
    const [end, close] = env.socket.of('command');
    expect(end!.expect).toEqual({ speech: session.first.view.surface === 'presiding' ? session.first.view.floor_seen.speech : null, rev: 8 });
    expect(close!.expect).toBeUndefined();
  });

  it('a restart for a lost patch settles the floor commands in flight too', () => {
    const session = presidingSession();
    const client = liveClient(env, session);
    const floor = client.send({ type: 'pause_timer' }, 'Space');
    env.socket.receive(session.patches[0]!);
    env.socket.receive(session.patches[2]!); // patches[1] was lost: restart
    expect(client.status.value.kind).toBe('reconnecting');
    expect(client.commands.value.find((c) => c.id === floor.id)?.state).toBe('unconfirmed');
    env.advance(1000);
    env.socket.open();
    env.socket.welcome(env, session.meeting, session.patches[0]!.seq);
    expect(env.socket.of('command')).toHaveLength(0);
  });

  it('rate_limited is retried with the same id, then fails', () => {
    const client = liveClient(env);
    const c = client.send({ type: 'call_next' });
    const limited = {
      type: 'error' as const,
      command_id: c.id,
      code: 'rate_limited',
      message: 'too many',
      messages: { en: 'too many' },
    };
    for (let i = 0; i < 3; i++) {
      env.socket.receive(limited);
      env.advance(1000);
    }
    expect(env.socket.of('command').filter((m) => m.command_id === c.id)).toHaveLength(4);
    env.socket.receive(limited);
    expect(client.commands.value[0]!.state).toBe('failed');
  });
});

describe('clock sync over the connection', () => {
  it('syncs after welcome, keeps the best of a round, and a screen reports its status', () => {
    const env = new FakeEnvironment();
    const client = new PlenaryClient(env);
    client.start({ kind: 'code', code: 'SCREEN' });
    env.socket.open();
    env.socket.welcome(env, 'demo', 1, { role: 'screen', screen: 'hall-left' });
    const skew = 5_000;
    const delays = [40, 12, 30, 8, 25, 50];
    for (const d of delays) {
      const req = env.socket.of('time_sync').at(-1)!;
      env.advance(d / 2);
      const t1 = env.clock + skew;
      env.advance(d / 2);
      env.socket.receive({ type: 'time_sync', t0: req.t0, t1, t2: t1 });
    }
    expect(client.offset.value).toBeCloseTo(skew, 6);
    expect(client.rtt.value).toBe(8);
    expect(env.socket.of('status')).toEqual([{ type: 'status', rtt_ms: 8, offset_ms: skew }]);
    expect(client.serverNow()).toBeCloseTo(env.clock + skew, 6);
    // A second round soon after (the first ran while the page loaded).
    const before = env.socket.of('time_sync').length;
    env.advance(EARLY_RESYNC_MS);
    expect(env.sockets).toHaveLength(1);
    expect(env.socket.of('time_sync').length).toBe(before + 1);
  });

  it('a time_sync with no answer means a dead socket: reconnect', () => {
    const env = new FakeEnvironment();
    const client = liveClient(env);
    env.advance(10_000);
    expect(client.status.value.kind).toBe('reconnecting');
  });
});
