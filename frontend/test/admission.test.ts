import { describe, expect, it } from 'vitest';
import { admit } from '../src/client/admission';
import { agendaItem } from '../src/client/meeting';
import type { Meeting, Request, SpeakersList } from '../src/client/protocol';
import { loadFixture, wire } from './fixture';

const definition = loadFixture().audiences.presiding.snapshot.state.definition;
const rules = definition.rules;
const limits = { cooperating_state: 300_000, member_state: 300_000 };

function request(id: number, delegation: string, kind: string, status: Request['status']): Request {
  return {
    id,
    delegation,
    category: 'member_state',
    kind,
    language: 'es',
    requested_at: 0,
    limit: 300_000,
    by_chair: false,
    status,
  };
}

const list = (open: boolean, requests: Request[] = []): SpeakersList => ({
  open,
  requests,
  queue: requests.filter((r) => r.status.status === 'requested').map((r) => r.id),
});

describe('admission mirrors SpeakersList::admit (display only)', () => {
  it('a statement gets the item limit for its category, else the rules', () => {
    expect(admit(list(true), rules, limits, 'hn', 'member_state', 'statement')).toEqual({ ok: true, limit: 300_000 });
    expect(admit(list(true), rules, {}, 'cs-nrc', 'civil_society', 'statement')).toEqual({ ok: true, limit: 180_000 });
  });

  it('a closed list takes points of order and rights of reply only', () => {
    const closed = list(false);
    expect(admit(closed, rules, limits, 'hn', 'member_state', 'statement')).toMatchObject({
      ok: false,
      refusal: { code: 'list_closed' },
    });
    expect(admit(closed, rules, limits, 'hn', 'member_state', 'point_of_order')).toEqual({ ok: true, limit: 120_000 });
    expect(admit(closed, rules, limits, 'hn', 'member_state', 'right_of_reply')).toEqual({ ok: true, limit: 600_000 });
  });

  it('one open request per class: a statement does not block a point of order', () => {
    const l = list(true, [request(1, 'hn', 'statement', { status: 'requested' })]);
    expect(admit(l, rules, limits, 'hn', 'member_state', 'statement')).toMatchObject({
      ok: false,
      refusal: { code: 'already_requested', request: { id: 1 } },
    });
    expect(admit(l, rules, limits, 'hn', 'member_state', 'point_of_order').ok).toBe(true);
    // Once heard, a delegation may ask again.
    const heard = list(true, [request(1, 'hn', 'statement', { status: 'done', speech: 3 })]);
    expect(admit(heard, rules, limits, 'hn', 'member_state', 'statement').ok).toBe(true);
  });

  it('rights of reply: 10 min, then 5 min, then no more; withdrawn ones do not count', () => {
    const one = list(true, [request(1, 'gt', 'right_of_reply', { status: 'done', speech: 1 })]);
    expect(admit(one, rules, limits, 'gt', 'member_state', 'right_of_reply')).toEqual({ ok: true, limit: 300_000 });
    const two = list(true, [
      request(1, 'gt', 'right_of_reply', { status: 'done', speech: 1 }),
      request(2, 'gt', 'right_of_reply', { status: 'done', speech: 2 }),
      request(3, 'gt', 'right_of_reply', { status: 'withdrawn' }),
    ]);
    expect(admit(two, rules, limits, 'gt', 'member_state', 'right_of_reply')).toMatchObject({
      ok: false,
      refusal: { code: 'reply_limit_reached', max: 2 },
    });
  });

  it('unknown kinds are refused', () => {
    expect(admit(list(true), rules, limits, 'hn', 'member_state', 'question')).toMatchObject({
      ok: false,
      refusal: { code: 'unknown_kind' },
    });
  });

  it('agrees with the server on the reference session: Uruguay on the closed debate list', () => {
    const final = wire(loadFixture().audiences.presiding.final) as Meeting;
    const debate = agendaItem(final, 'responsibility-sharing')!;
    expect(debate.speakers.open).toBe(false);
    expect(admit(debate.speakers, rules, debate.time_limits, 'uy', 'cooperating_state', 'statement')).toMatchObject({
      ok: false,
      refusal: { code: 'list_closed' },
    });
  });
});
