// The golden fixture written by crates/plenary-protocol/tests/browser_fixture.rs.
import raw from './fixtures/reference-session.json?raw';
import type { EventMessage, Meeting, RelayPlan, SnapshotMessage } from '../src/client/protocol';

export interface AudienceFixture {
  snapshot: SnapshotMessage;
  frames: EventMessage[];
  final: Meeting;
}

export interface Fixture {
  meeting: string;
  audiences: Record<'presiding' | 'public', AudienceFixture>;
  /** The server's relay plan after each frame (null when nobody speaks). */
  relay_after_each_frame: (RelayPlan | null)[];
}

export function loadFixture(): Fixture {
  return JSON.parse(raw) as Fixture;
}

/** As it would travel on the wire: no `undefined`, only JSON. */
export function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
