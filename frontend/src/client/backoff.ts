// Reconnection delays: 0.5 s doubling to at most 10 s, with random jitter
// so that a hall of screens does not come back in one burst
// (docs/protocol.md §4).
export const BACKOFF_START_MS = 500;
export const BACKOFF_MAX_MS = 10_000;

/** The delay before reconnection attempt `attempt` (0 = the first). Half of
 * it is fixed, half random ("equal jitter"). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** Math.max(0, attempt));
  return base / 2 + random() * (base / 2);
}
