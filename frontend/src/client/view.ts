// The view document a display renders, narrowed to its surface.
import type { SurfaceView } from './protocol';

export type ViewSurface = SurfaceView['surface'];
export type ViewOf<S extends ViewSurface> = Extract<SurfaceView, { surface: S }>;

/** The document if it is `surface`'s, else null (not arrived yet, or another surface's). */
export function viewOf<S extends ViewSurface>(view: SurfaceView | null, surface: S): ViewOf<S> | null {
  return view !== null && view.surface === surface ? (view as ViewOf<S>) : null;
}
