import { TOPICS } from '../../lib/kafka.js';
import { BOOKING_EVENT_TYPES } from '../../booking/booking-events.js';
import { seatChangeOf, SEAT_CHANGED_TOPIC } from './seat-changes.js';

const AT = Date.UTC(2030, 0, 1);
const seatKeys = ['SEAT#A#1#1', 'SEAT#A#1#2'];

function envelopeOf(item: Record<string, unknown>) {
  const derived = seatChangeOf(item);
  if (derived.outcome !== 'changed') throw new Error(`expected a seat change, got ${JSON.stringify(derived)}`);
  return { message: derived.message, envelope: JSON.parse(derived.message.value) as Record<string, unknown> };
}

describe('seat.changed derived from a booking outbox item', () => {
  it('a placed hold makes its seats HELD by that hold until heldUntil, as one message with a stable id', () => {
    const { message, envelope } = envelopeOf({ id: 'h_1', type: 'hold.created', eventId: 'e-1', holdId: 'h_1', fanId: 'f', seatKeys, heldUntil: AT + 600_000, at: AT });
    expect(message).toMatchObject({ id: 'h_1:seats', topic: 'seat.changed', key: 'e-1' });
    expect(envelope).toEqual({
      id: 'h_1:seats',
      type: 'seat.changed',
      version: 1,
      time: '2030-01-01T00:00:00.000Z',
      eventId: 'e-1',
      data: {
        cause: 'hold.created',
        holdId: 'h_1',
        heldUntil: AT + 600_000,
        seats: [
          { seatKey: 'SEAT#A#1#1', status: 'HELD' },
          { seatKey: 'SEAT#A#1#2', status: 'HELD' },
        ],
      },
    });
  });

  it.each([
    ['hold.expired', 'h_1:expired', 'AVAILABLE'],
    ['hold.released', 'h_1:released', 'AVAILABLE'],
    ['booking.confirmed', 'h_1:confirmed', 'SOLD'],
  ])('%s leaves its seats %s', (type, id, status) => {
    const { message, envelope } = envelopeOf({ id, type, eventId: 'e-1', holdId: 'h_1', seatKeys, amountCents: 100, at: AT });
    expect(message.id).toBe(`${id}:seats`);
    expect(envelope['data']).toEqual({ cause: type, holdId: 'h_1', seats: seatKeys.map((seatKey) => ({ seatKey, status })) });
  });

  it('the same outbox item always derives the identical message, so a redelivery dedups by id', () => {
    const item = { id: 'h_2:confirmed', type: 'booking.confirmed', eventId: 'e-1', holdId: 'h_2', seatKeys, at: AT };
    expect(seatChangeOf(item)).toEqual(seatChangeOf({ ...item }));
  });

  it('an expiry that gave back no seat yields no seat.changed', () => {
    expect(seatChangeOf({ id: 'h_1:expired', type: 'hold.expired', eventId: 'e-1', holdId: 'h_1', seatKeys: [], at: AT })).toEqual({ outcome: 'none' });
  });

  it('a non-booking item yields no seat.changed', () => {
    expect(seatChangeOf({ id: 'x', type: 'event.updated', eventId: 'e-1', seatKeys })).toEqual({ outcome: 'none' });
    expect(seatChangeOf({ id: 'x', eventId: 'e-1', seatKeys })).toEqual({ outcome: 'none' });
  });

  it.each([
    { id: 'h_1', type: 'hold.created', eventId: 'e-1', holdId: 'h_1', seatKeys },
    { id: 'h_1:released', type: 'hold.released', eventId: 'e-1', seatKeys },
    { id: 'h_1:released', type: 'hold.released', eventId: 'e-1', holdId: 'h_1', seatKeys: 'SEAT#A#1#1' },
  ])('reports a booking item it cannot read instead of guessing: %j', (item) => {
    expect(seatChangeOf(item)).toMatchObject({ outcome: 'malformed', problem: expect.any(String) });
  });

  it.each(Object.values(BOOKING_EVENT_TYPES))('every booking type (%s) moves seats on a created topic', (type) => {
    expect(TOPICS).toContain(SEAT_CHANGED_TOPIC);
    expect(seatChangeOf({ id: 'x', type, eventId: 'e', holdId: 'h', seatKeys, heldUntil: AT, at: AT }).outcome).toBe('changed');
  });
});
