// The booking transactions write flat outbox items ({id, type, eventId, at, …fields}); on Kafka every
// message has the envelope of docs/events.md ({id, type, version, time, eventId, data}). This is
// the one place that turns one into the other (seat-changes.ts derives a second message, seat.changed,
// from the same booking items).
import { z } from 'zod';

export const OUTBOX_MESSAGE_VERSION = 1;

const outboxItemSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().regex(/^[a-z][a-z0-9.-]{0,120}$/),
    eventId: z.string().min(1),
    at: z.union([z.number(), z.string()]).optional(),
  })
  .loose();

export interface RelayedMessage {
  id: string;
  topic: string;
  key: string;
  value: string;
}

/** The envelope `time` of an item written at `at` (epoch ms or ISO); now when absent or unreadable. */
export function outboxTime(at: number | string | undefined): string {
  const time = at === undefined ? new Date() : new Date(at);
  return (Number.isNaN(time.getTime()) ? new Date() : time).toISOString();
}

/** null for an item that cannot be relayed (no id, type or event id). */
export function outboxItemToMessage(item: Record<string, unknown>): RelayedMessage | null {
  const parsed = outboxItemSchema.safeParse(item);
  if (!parsed.success) return null;
  const { id, type, eventId, at, ...data } = parsed.data;
  const envelope = {
    id,
    type,
    version: OUTBOX_MESSAGE_VERSION,
    time: outboxTime(at),
    eventId,
    data,
  };
  return { id, topic: type, key: eventId, value: JSON.stringify(envelope) };
}
