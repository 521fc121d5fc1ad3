import { describe, expect, it } from 'vitest';
import { planFor } from '../src/client/relay';
import { floorLanguage } from '../src/client/meeting';
import { MeetingSync } from '../src/client/sync';
import type { Meeting } from '../src/client/protocol';
import { loadFixture, wire } from './fixture';

const start = wire(loadFixture().audiences.presiding.snapshot.state) as Meeting;

describe('the relay plan mirrors relay::plan', () => {
  it('Brazil in Portuguese: the Spanish booth takes relay from the English booth (docs/protocol.md)', () => {
    // The example of the protocol document, with the second English interpreter on the mic.
    const m = structuredClone(start);
    m.interpretation.booths['booth-en']!.on_mic = 1;
    const plan = planFor(m, 'pt');
    expect(plan).toEqual({
      floor_language: 'pt',
      channels: [
        { channel: 1, language: 'es', feed: { feed: 'booth', booth: 'booth-es', source: { from: 'relay', booth: 'booth-en' }, depth: 'one_relay' } },
        { channel: 2, language: 'en', feed: { feed: 'booth', booth: 'booth-en', source: { from: 'floor' }, depth: 'floor' } },
        { channel: 3, language: 'pt', feed: { feed: 'floor_is_this_language' } },
      ],
      warnings: [],
    });
  });

  it('Spanish floor: English from the floor, Portuguese by relay from English', () => {
    const plan = planFor(start, 'es');
    expect(plan.channels.map((c) => c.feed)).toEqual([
      { feed: 'floor_is_this_language' },
      { feed: 'booth', booth: 'booth-en', source: { from: 'floor' }, depth: 'floor' },
      { feed: 'booth', booth: 'booth-pt', source: { from: 'relay', booth: 'booth-en' }, depth: 'one_relay' },
    ]);
  });

  it('French: nobody covers it, and the warnings say so', () => {
    const plan = planFor(start, 'fr');
    expect(plan.warnings.some((w) => w.warning === 'uncovered')).toBe(true);
  });
});

describe('the relay plan equals the server\'s after every event of the reference session', () => {
  it('golden: relay_after_each_frame', () => {
    const fx = loadFixture();
    const audience = fx.audiences.presiding;
    const sync = new MeetingSync();
    sync.snapshot(audience.snapshot.seq, wire(audience.snapshot.state));
    let checked = 0;
    audience.frames.forEach((f, i) => {
      sync.event(f);
      const m = sync.state!;
      const floor = floorLanguage(m);
      const plan = floor === null ? null : planFor(m, floor);
      expect(plan, `after seq ${f.seq}`).toStrictEqual(fx.relay_after_each_frame[i]);
      if (plan) checked += 1;
    });
    expect(checked).toBeGreaterThan(20);
  });
});
