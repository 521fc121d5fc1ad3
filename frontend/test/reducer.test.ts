import { describe, expect, it } from 'vitest';
import { MeetingSync } from '../src/client/sync';
import { applyEvent } from '../src/client/reducer';
import { loadFixture, wire } from './fixture';

const fixture = loadFixture();

describe('the TypeScript reducer folds the reference session exactly as Meeting::apply', () => {
  for (const name of ['presiding', 'public'] as const) {
    it(`reaches Rust's final state for the ${name} audience`, () => {
      const audience = fixture.audiences[name];
      const sync = new MeetingSync();
      sync.snapshot(audience.snapshot.seq, wire(audience.snapshot.state));
      for (const frame of audience.frames) {
        expect(sync.event(frame)).toBe('applied');
      }
      expect(wire(sync.state)).toStrictEqual(audience.final);
    });
  }

  it('covers hidden events: the public audience gets nulls, the seq still counts', () => {
    const pub = fixture.audiences.public.frames;
    const hidden = pub.filter((f) => f.event === null);
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.every((f) => f.actor === null)).toBe(true);
    expect(fixture.audiences.public.final.seq).toBe(pub[pub.length - 1]!.seq);
  });

  it('never changes a state it was given: each event yields a new object', () => {
    const audience = fixture.audiences.presiding;
    const sync = new MeetingSync();
    const start = wire(audience.snapshot.state);
    sync.snapshot(audience.snapshot.seq, start);
    const before = JSON.stringify(start);
    for (const frame of audience.frames.slice(0, 20)) sync.event(frame);
    expect(JSON.stringify(start)).toBe(before);
  });

  it('mutates in place when asked directly, as apply does', () => {
    const audience = fixture.audiences.presiding;
    const m = wire(audience.snapshot.state);
    for (const f of audience.frames) applyEvent(m, { seq: f.seq, at: f.at, event: f.event ?? null });
    expect(wire(m)).toStrictEqual(audience.final);
  });
});
