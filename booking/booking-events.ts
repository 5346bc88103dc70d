// The Kafka topics booking writes to its outbox (the item's `type` is the topic). Typed against
// lib/kafka.ts TOPICS, so a booking message can never name a topic the stack does not create.
// Their `data` is documented in docs/events.md.
import type { Topic } from '../lib/kafka.js';

export const BOOKING_EVENT_TYPES = {
  holdCreated: 'hold.created',
  holdExpired: 'hold.expired',
  holdReleased: 'hold.released',
  bookingConfirmed: 'booking.confirmed',
} as const satisfies Record<string, Topic>;
