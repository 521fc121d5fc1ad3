import { useEffect, useState } from 'preact/hooks';

/** Says `message` to screen readers when it changes (polite). */
export function LiveAnnouncer({ message }: { message: string }) {
  const [said, setSaid] = useState('');
  useEffect(() => {
    // A tick later, so a change is announced even when the region is new.
    const id = setTimeout(() => setSaid(message), 50);
    return () => clearTimeout(id);
  }, [message]);
  return (
    <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="speaker-announcer">
      {said}
    </div>
  );
}
