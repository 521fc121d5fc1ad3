// The view document this connection holds and its seq: a whole `view`,
// then `patch`es applied strictly in order. A patch that does not start
// from the held seq (or does not apply) means the connection can no longer
// be trusted (docs/protocol.md): the caller resumes from the held seq.
import { existsIn, immutableJSONPatch, parsePath, type JSONPatchDocument, type JSONPatchOperation } from 'immutable-json-patch';
import type { Patch, PatchMessage, SurfaceView } from './protocol';

export type PatchOutcome =
  /** Applied; the document moved to the patch's seq. */
  | 'applied'
  /** Its `from` is not the held seq (lost, repeated or nothing held). */
  | 'out_of_sync'
  /** Its operations do not apply to the held document. */
  | 'invalid';

/**
 * The document after `ops`, as a new object sharing every unchanged part
 * with `view` (so a signal's readers see what changed). Throws when an
 * operation does not apply.
 */
export function applyPatch(view: SurfaceView, ops: Patch): SurfaceView {
  return immutableJSONPatch<SurfaceView>(view, ops as JSONPatchDocument, { before: requireTarget });
}

/** RFC 6902 §4.2–4.3: `replace` and `remove` need their target to exist.
 * The library skips such an operation silently; here it means the two
 * documents differ, which must not go unnoticed. */
function requireTarget(document: unknown, operation: JSONPatchOperation): { document: unknown } {
  if ((operation.op === 'replace' || operation.op === 'remove') && !existsIn(document, parsePath(document, operation.path))) {
    throw new Error(`${operation.op} ${operation.path}: no such value`);
  }
  return { document };
}

export class ViewDocument {
  #view: SurfaceView | null = null;
  #seq: number | null = null;

  get view(): SurfaceView | null {
    return this.#view;
  }

  /** The seq of the held document; `null` before the first `view`. */
  get seq(): number | null {
    return this.#seq;
  }

  /** A whole document replaces whatever was held. */
  replace(seq: number, view: SurfaceView): void {
    this.#view = view;
    this.#seq = seq;
  }

  patch(message: Pick<PatchMessage, 'from' | 'seq' | 'ops'>): PatchOutcome {
    if (this.#view === null || message.from !== this.#seq) return 'out_of_sync';
    let next: SurfaceView;
    try {
      next = applyPatch(this.#view, message.ops);
    } catch {
      return 'invalid';
    }
    this.#view = next;
    this.#seq = message.seq;
    return 'applied';
  }

  clear(): void {
    this.#view = null;
    this.#seq = null;
  }
}
