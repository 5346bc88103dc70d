// The name fans read for an event: the catalog's (GET /api/events/:id), else the id itself, since a
// room can run without a catalog entry (ops rooms, the browser tests). Asked once per event per page load.
import { useEffect, useState } from 'react';
import { requestJson } from './http';

const names = new Map<string, Promise<string | undefined>>();

function loadEventName(eventId: string): Promise<string | undefined> {
  let loading = names.get(eventId);
  if (loading === undefined) {
    // Any failure (404 for a room without an entry, or the api briefly away) falls back to the id.
    loading = requestJson<{ name?: unknown }>(`/api/events/${encodeURIComponent(eventId)}`).then(
      (event) => (typeof event.name === 'string' && event.name !== '' ? event.name : undefined),
      () => undefined,
    );
    names.set(eventId, loading);
  }
  return loading;
}

export function useEventName(eventId: string): string {
  const [name, setName] = useState<string>();
  useEffect(() => {
    let current = true;
    setName(undefined);
    void loadEventName(eventId).then((found) => {
      if (current) setName(found);
    });
    return () => {
      current = false;
    };
  }, [eventId]);
  return name ?? eventId;
}
