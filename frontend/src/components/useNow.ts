import { useEffect, useState } from 'preact/hooks';
import { client } from '../client';

/** The server's clock, refreshed every `every` ms (for clocks and waits;
 * countdowns render on every animation frame instead). */
export function useServerNow(every = 1000): number {
  const [now, setNow] = useState(() => client().serverNow());
  useEffect(() => {
    const tick = () => setNow(client().serverNow());
    // Align on the second so every clock on screen turns together.
    let interval: ReturnType<typeof setInterval> | undefined;
    const first = setTimeout(() => {
      tick();
      interval = setInterval(tick, every);
    }, every - (client().serverNow() % every));
    return () => {
      clearTimeout(first);
      if (interval) clearInterval(interval);
    };
  }, [every]);
  return now;
}
