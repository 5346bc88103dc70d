import { TOPICS } from '../lib/kafka.js';
import { AVAILABILITY_TOPICS } from './indexer/event-indexer.js';
import { seatChangeOf } from './relay/seat-changes.js';
import { BOOKING_EVENT_TYPES } from '../booking/booking-events.js';

describe('booking outbox types', () => {
  it.each(Object.values(BOOKING_EVENT_TYPES))('%s is a created Kafka topic and moves live availability in the indexer (through seat.changed)', (type) => {
    expect(TOPICS).toContain(type);
    const derived = seatChangeOf({ id: 'x', type, eventId: 'e', holdId: 'h', seatKeys: ['SEAT#A#1#1'], heldUntil: 1, at: 0 });
    expect(derived.outcome === 'changed' && AVAILABILITY_TOPICS.some((topic) => topic === derived.message.topic)).toBe(true);
  });
});
