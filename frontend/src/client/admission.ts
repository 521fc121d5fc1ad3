// What a delegation may ask for right now, for display only: a mirror of
// `SpeakersList::admit` (crates/plenary-core/src/speakers.rs). The server
// still decides; this only greys out buttons and says why.
import type { Category, Millis, Request, RequestKind, Rules, SpeakersList } from './protocol';
import { isOpen } from './meeting';

export type Refusal =
  | { code: 'no_current_item' }
  | { code: 'unknown_kind' }
  | { code: 'list_closed' }
  | { code: 'already_requested'; request: Request }
  | { code: 'reply_limit_reached'; max: number };

export type Admission = { ok: true; limit: Millis } | { ok: false; refusal: Refusal };

type RequestClass = 'point_of_order' | 'right_of_reply' | 'speaking';

function classOf(kind: RequestKind): RequestClass {
  if (kind === 'point_of_order') return 'point_of_order';
  if (kind === 'right_of_reply') return 'right_of_reply';
  return 'speaking';
}

function knows(rules: Rules, kind: RequestKind): boolean {
  if (kind === 'statement' || kind === 'point_of_order' || kind === 'right_of_reply') return true;
  return rules.extra_kinds.some((k) => k.id === kind);
}

function allowedWhenClosed(rules: Rules, kind: RequestKind): boolean {
  if (kind === 'statement') return false;
  if (kind === 'point_of_order' || kind === 'right_of_reply') return true;
  return rules.extra_kinds.find((k) => k.id === kind)?.allowed_when_closed ?? false;
}

/** Rights of reply used on this item (withdrawn or removed ones do not count). */
export function repliesUsed(list: SpeakersList, delegation: string): number {
  return list.requests.filter(
    (r) =>
      r.delegation === delegation &&
      r.kind === 'right_of_reply' &&
      r.status.status !== 'withdrawn' &&
      r.status.status !== 'removed',
  ).length;
}

/** `SpeakersList::admit`. */
export function admit(
  list: SpeakersList,
  rules: Rules,
  limits: Partial<Record<Category, Millis>>,
  delegation: string,
  category: Category,
  kind: RequestKind,
): Admission {
  if (!knows(rules, kind)) return { ok: false, refusal: { code: 'unknown_kind' } };
  // Closing the list leaves points of order and rights of reply open.
  if (!list.open && !allowedWhenClosed(rules, kind)) return { ok: false, refusal: { code: 'list_closed' } };
  const cls = classOf(kind);
  const onePerClass = cls !== 'speaking' || rules.one_request_per_delegation;
  if (onePerClass) {
    const open = list.requests.find((r) => r.delegation === delegation && isOpen(r) && classOf(r.kind) === cls);
    if (open) return { ok: false, refusal: { code: 'already_requested', request: open } };
  }
  switch (kind) {
    case 'statement':
      return { ok: true, limit: limits[category] ?? rules.statement_limits[category] ?? rules.default_statement_limit };
    case 'point_of_order':
      return { ok: true, limit: rules.point_of_order.limit };
    case 'right_of_reply': {
      const limit = rules.right_of_reply.limits[repliesUsed(list, delegation)];
      if (limit === undefined) {
        return { ok: false, refusal: { code: 'reply_limit_reached', max: rules.right_of_reply.limits.length } };
      }
      return { ok: true, limit };
    }
    default:
      return { ok: true, limit: rules.extra_kinds.find((k) => k.id === kind)?.limit ?? 0 };
  }
}

/** The kinds a delegation may ever ask for under these rules, in display order. */
export function requestKinds(rules: Rules): RequestKind[] {
  return ['statement', 'point_of_order', 'right_of_reply', ...rules.extra_kinds.map((k) => k.id)];
}
