import { TOPICS } from '../../lib/kafka.js';
import { AVAILABILITY_TOPICS } from '../indexer/event-indexer.js';
import { BOOKING_EVENT_TYPES } from './booking-events.js';

describe('booking outbox types', () => {
  it.each(Object.values(BOOKING_EVENT_TYPES))('%s is a created Kafka topic and moves live availability in the indexer', (type) => {
    expect(TOPICS).toContain(type);
    expect(AVAILABILITY_TOPICS).toContain(type);
  });
});
