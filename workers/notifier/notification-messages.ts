// The Kafka messages the notifier turns into e-mail: `booking.confirmed` (the sale is done) and
// `hold.expired` (the fan's seats went back). Both are booking envelopes (docs/events.md); only the
// fields a mail needs are checked, and anything else on the topic is malformed for this consumer.
import { z } from 'zod';
import { BOOKING_EVENT_TYPES } from '../../booking/booking-events.js';

export const NOTIFIED_TOPICS = [BOOKING_EVENT_TYPES.bookingConfirmed, BOOKING_EVENT_TYPES.holdExpired] as const;
export type NotifiedTopic = (typeof NOTIFIED_TOPICS)[number];

const envelope = {
  id: z.string().min(1).max(200),
  version: z.literal(1),
  time: z.iso.datetime({ offset: true }),
  eventId: z.string().min(1).max(128),
};
const seatKeys = z.array(z.string().regex(/^SEAT#[^#]+#[^#]+#[^#]+$/, 'a seat key SEAT#<section>#<row>#<number>')).max(200);

export const bookingConfirmedSchema = z.object({
  ...envelope,
  type: z.literal(BOOKING_EVENT_TYPES.bookingConfirmed),
  data: z.object({ holdId: z.string().min(1), fanId: z.string().min(1).max(200), seatKeys: seatKeys.min(1), amountCents: z.number().int().min(0) }),
});

export const holdExpiredSchema = z.object({
  ...envelope,
  type: z.literal(BOOKING_EVENT_TYPES.holdExpired),
  // Messages written before fanId was added carry none: nobody to tell.
  data: z.object({ holdId: z.string().min(1), fanId: z.string().min(1).max(200).optional(), seatKeys }),
});

export const notificationMessageSchema = z.discriminatedUnion('type', [bookingConfirmedSchema, holdExpiredSchema]);
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;

export type ParsedMessage = { ok: true; message: NotificationMessage } | { ok: false; detail: string };

/** Parses a message value; the detail of a refusal goes into the dead letter. */
export function parseNotificationMessage(raw: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
  const parsed = notificationMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, detail: `${issue.path.join('.') || 'message'}: ${issue.message}` };
  }
  return { ok: true, message: parsed.data };
}
