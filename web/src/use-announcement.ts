// What a screen reader hears from a page that changes every tick: a polite live region whose text
// changes only when something matters. Urgent news (a state change, your turn) is spoken at once;
// routine news (the line moved) at most once per `minIntervalMs`, and only its latest version.
import { useEffect, useRef, useState } from 'react';

export function useAnnouncement(routine: string, urgent: string, minIntervalMs = 30_000): string {
  const [spoken, setSpoken] = useState('');
  const lastSpokenAt = useRef(0);
  const lastUrgent = useRef('');

  useEffect(() => {
    if (urgent !== lastUrgent.current) {
      lastUrgent.current = urgent;
      if (urgent !== '') {
        lastSpokenAt.current = Date.now();
        setSpoken(urgent);
        return;
      }
    }
    if (routine === '' || routine === spoken) return;
    const wait = lastSpokenAt.current + minIntervalMs - Date.now();
    const speak = () => {
      lastSpokenAt.current = Date.now();
      setSpoken(routine);
    };
    if (wait <= 0) return speak();
    const timer = setTimeout(speak, wait);
    return () => clearTimeout(timer);
  }, [routine, urgent, spoken, minIntervalMs]);

  return spoken;
}
