import { beforeEach, describe, expect, it } from 'vitest';
import { EARLY_RESYNC_MS, PlenaryClient } from '../src/client/connection';
import type { EventMessage, Insight, InsightMessage, Role } from '../src/client/protocol';
import { FakeEnvironment } from './fake-server';
import { loadFixture, wire } from './fixture';

const fixture = loadFixture();
const presiding = fixture.audiences.presiding;
const frames = presiding.frames;
const chair: Role = { role: 'chair' };

function insightAt(seq: number): InsightMessage {
  const insight: Insight = {
    seq,
    at: 0,
    running_order: { items: [], drift: 0, planned_end: 0, projected_end: 0 },
    waits: [],
    relay: null,
    lookahead: [],
  };
  return { type: 'insight', ...insight };
}

function welcome(env: FakeEnvironment, seq: number, role: Role = chair) {
  env.socket.receive({
    type: 'welcome',
    protocol_version: 1,
    role,
    meeting: fixture.meeting,
    server_time: env.clock,
    seq,
    token: 't_secret',
  });
}

/** Connects and goes live at the snapshot's seq. */
function liveClient(env: FakeEnvironment): PlenaryClient {
  const client = new PlenaryClient(env);
  client.start({ kind: 'code', code: 'ABCD-EFGH' });
  env.socket.open();
  welcome(env, presiding.snapshot.seq);
  env.socket.receive(wire(presiding.snapshot));
  env.socket.receive(insightAt(presiding.snapshot.seq));
  return client;
}

function frame(i: number): EventMessage {
  return frames[i]!;
}

describe('the connection', () => {
  let env: FakeEnvironment;
  beforeEach(() => {
    env = new FakeEnvironment();
  });

  it('says hello with the code, then is live after snapshot and insight', () => {
    const client = liveClient(env);
    const hello = env.sockets[0]!.of('hello')[0]!;
    expect(hello).toMatchObject({ access_code: 'ABCD-EFGH', resume_from_seq: null, meeting: null });
    expect(client.status.value).toEqual({ kind: 'live' });
    expect(client.role.value).toEqual(chair);
    expect(client.token.value).toBe('t_secret');
    expect(client.meeting.value?.seq).toBe(1);
    expect(env.storage.getItem('plenary.credentials')).toContain('ABCD-EFGH');
  });

  it('resumes from the last applied seq and ends with the same state, without gaps or duplicates', () => {
    const client = liveClient(env);
    for (let i = 0; i < 40; i++) env.socket.receive(frame(i));
    const seqBefore = client.meeting.value!.seq;
    env.socket.drop(1006);
    expect(client.status.value.kind).toBe('reconnecting');
    env.advance(1000);
    expect(env.sockets).toHaveLength(2);
    env.socket.open();
    expect(env.socket.of('hello')[0]!.resume_from_seq).toBe(seqBefore);
    // The server sends exactly what came after, then the rest live.
    welcome(env, frame(59).seq);
    for (let i = 40; i < 60; i++) env.socket.receive(frame(i));
    env.socket.receive(insightAt(frame(59).seq));
    expect(client.status.value).toEqual({ kind: 'live' });
    for (let i = 60; i < frames.length; i++) env.socket.receive(frame(i));
    expect(wire(client.meeting.value)).toStrictEqual(presiding.final);
  });

  it('a gap closes the connection and resumes from the last applied seq', () => {
    const client = liveClient(env);
    for (let i = 0; i < 10; i++) env.socket.receive(frame(i));
    const applied = client.meeting.value!.seq;
    env.socket.receive(frame(11)); // frame 10 was lost
    expect(client.meeting.value!.seq).toBe(applied);
    expect(env.sockets[0]!.closedByClient).not.toBeNull();
    expect(client.status.value.kind).toBe('reconnecting');
    expect(client.resyncs.value).toBe(1);
    env.advance(1000);
    env.socket.open();
    expect(env.socket.of('hello')[0]!.resume_from_seq).toBe(applied);
  });

  it('a duplicate is not applied twice and the connection is resumed', () => {
    const client = liveClient(env);
    for (let i = 0; i < 10; i++) env.socket.receive(frame(i));
    const state = client.meeting.value;
    env.socket.receive(frame(9));
    expect(client.meeting.value).toBe(state);
    expect(client.status.value.kind).toBe('reconnecting');
    env.advance(1000);
    env.socket.open();
    expect(env.socket.of('hello')[0]!.resume_from_seq).toBe(state!.seq);
  });

  it('frames of a dropped socket are ignored', () => {
    const client = liveClient(env);
    const old = env.socket;
    env.socket.receive(frame(0));
    old.receive(frame(2)); // would be a gap
    expect(client.status.value.kind).toBe('reconnecting');
    const seq = client.meeting.value!.seq;
    old.receive(frame(1)); // the old socket is detached now
    expect(client.meeting.value!.seq).toBe(seq);
  });

  it('an insight ahead of the state means events were lost', () => {
    const client = liveClient(env);
    env.socket.receive(insightAt(5));
    expect(client.status.value.kind).toBe('reconnecting');
  });

  it('a snapshot on resume replaces the state', () => {
    const client = liveClient(env);
    for (let i = 0; i < 5; i++) env.socket.receive(frame(i));
    env.socket.drop(4000, 'too slow');
    env.advance(1000);
    env.socket.open();
    welcome(env, presiding.final.seq);
    env.socket.receive({ type: 'snapshot', seq: presiding.final.seq, state: wire(presiding.final) });
    env.socket.receive(insightAt(presiding.final.seq));
    expect(wire(client.meeting.value)).toStrictEqual(presiding.final);
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
    const answered = client.send({ type: 'pause_timer' });
    env.socket.receive({ type: 'ack', command_id: answered.id, seq: 2 });
    const unanswered = client.send({ type: 'call_next' });
    env.socket.drop(1006);
    const offline = client.send({ type: 'end_speech' });
    expect(client.commands.value.find((c) => c.id === offline.id)?.sends).toBe(0);
    env.advance(1000);
    env.socket.open();
    welcome(env, 1);
    // Nothing goes out before the catch-up is complete.
    expect(env.socket.of('command')).toHaveLength(0);
    env.socket.receive(insightAt(1));
    expect(env.socket.of('command').map((c) => c.command_id)).toEqual([unanswered.id, offline.id]);
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
    welcome(env, 1, { role: 'screen', screen: 'hall-left' });
    env.socket.receive(wire(presiding.snapshot));
    env.socket.receive(insightAt(1));
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
