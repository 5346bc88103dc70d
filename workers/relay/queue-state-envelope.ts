// A waiting-room outbox entry (waiting-room/queue-state-outbox.ts) as the Kafka message of
// docs/events.md: topic queue.state-changed, key and `eventId` the event, `id` the entry's own id
// (fixed when the change was written), so a resent entry is the identical message and dedups.
import { QUEUE_STATE_CHANGED_TOPIC, queueStateEntrySchema } from '../../waiting-room/queue-state-outbox.js';
import { OUTBOX_MESSAGE_VERSION, type RelayedMessage } from './outbox-envelope.js';

export type QueueStateEntryConversion = { ok: true; message: RelayedMessage } | { ok: false; problem: string };

export function queueStateEntryToMessage(eventId: string, fields: Record<string, string>): QueueStateEntryConversion {
  const parsed = queueStateEntrySchema.safeParse(fields);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
  const { id, time, state, previousState, admissionRatePerMinute, maxActiveShoppers, reason } = parsed.data;
  const envelope = {
    id,
    type: QUEUE_STATE_CHANGED_TOPIC,
    version: OUTBOX_MESSAGE_VERSION,
    time: new Date(time).toISOString(),
    eventId,
    data: { state, previousState, admissionRatePerMinute, maxActiveShoppers, reason },
  };
  return { ok: true, message: { id, topic: QUEUE_STATE_CHANGED_TOPIC, key: eventId, value: JSON.stringify(envelope) } };
}
