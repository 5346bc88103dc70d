// Derives the `seat.changed` message from a booking outbox item: one message per item, listing the
// new status of every seat the change touched, so consumers (search availability) need not know the
// hold lifecycle. Its id is `<outboxId>:seats`: a redelivered item yields the same id, so it dedups.
import { z } from 'zod';
import { BOOKING_EVENT_TYPES } from '../../booking/booking-events.js';
import { OUTBOX_MESSAGE_VERSION, outboxTime, type RelayedMessage } from './outbox-envelope.js';

export const SEAT_CHANGED_TOPIC = 'seat.changed';

export type SeatStatus = 'HELD' | 'AVAILABLE' | 'SOLD';

/** The seat status each booking change leaves its seats in (the same names as the seat items). */
const statusAfter: Record<string, SeatStatus> = {
  [BOOKING_EVENT_TYPES.holdCreated]: 'HELD',
  [BOOKING_EVENT_TYPES.holdExpired]: 'AVAILABLE',
  [BOOKING_EVENT_TYPES.holdReleased]: 'AVAILABLE',
  [BOOKING_EVENT_TYPES.bookingConfirmed]: 'SOLD',
};

const bookingItemSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  eventId: z.string().min(1),
  holdId: z.string().min(1),
  seatKeys: z.array(z.string().min(1)),
  heldUntil: z.number().optional(),
  at: z.union([z.number(), z.string()]).optional(),
});

export interface SeatChangedData {
  /** The booking message this change comes from (`hold.created`, …). */
  cause: string;
  holdId: string;
  seats: Array<{ seatKey: string; status: SeatStatus }>;
  /** Epoch ms; only when the seats became HELD. */
  heldUntil?: number;
}

export type SeatChangeDerivation =
  | { outcome: 'changed'; message: RelayedMessage }
  /** Not a booking item, or a change that moved no seat (an expiry whose seats were reclaimed). */
  | { outcome: 'none' }
  | { outcome: 'malformed'; problem: string };

export function seatChangeOf(item: Record<string, unknown>): SeatChangeDerivation {
  const status = typeof item['type'] === 'string' ? statusAfter[item['type']] : undefined;
  if (status === undefined) return { outcome: 'none' };
  const parsed = bookingItemSchema.safeParse(item);
  if (!parsed.success) return { outcome: 'malformed', problem: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
  const { id, type, eventId, holdId, seatKeys, heldUntil, at } = parsed.data;
  if (seatKeys.length === 0) return { outcome: 'none' };
  if (status === 'HELD' && heldUntil === undefined) return { outcome: 'malformed', problem: 'heldUntil: required for a hold' };
  const data: SeatChangedData = {
    cause: type,
    holdId,
    seats: seatKeys.map((seatKey) => ({ seatKey, status })),
    ...(status === 'HELD' ? { heldUntil } : {}),
  };
  const messageId = `${id}:seats`;
  const envelope = {
    id: messageId,
    type: SEAT_CHANGED_TOPIC,
    version: OUTBOX_MESSAGE_VERSION,
    time: outboxTime(at),
    eventId,
    data,
  };
  return { outcome: 'changed', message: { id: messageId, topic: SEAT_CHANGED_TOPIC, key: eventId, value: JSON.stringify(envelope) } };
}
