import { outboxItemToMessage } from './outbox-envelope.js';

describe('outbox item to Kafka message', () => {
  it('wraps a flat booking item in the versioned envelope, keyed by event, on the topic of its type', () => {
    const message = outboxItemToMessage({ id: 'h_1', type: 'hold.created', eventId: 'e-1', holdId: 'h_1', seatKeys: ['SEAT#A#1#1'], at: Date.UTC(2030, 0, 1) });
    expect(message).toMatchObject({ id: 'h_1', topic: 'hold.created', key: 'e-1' });
    expect(JSON.parse(message!.value)).toEqual({
      id: 'h_1',
      type: 'hold.created',
      version: 1,
      time: '2030-01-01T00:00:00.000Z',
      eventId: 'e-1',
      data: { holdId: 'h_1', seatKeys: ['SEAT#A#1#1'] },
    });
  });

  it.each([{ type: 'hold.created', eventId: 'e' }, { id: 'x', eventId: 'e' }, { id: 'x', type: 'hold.created' }, { id: 'x', type: 'Bad Topic!', eventId: 'e' }])(
    'refuses an item it cannot route: %j',
    (item) => {
      expect(outboxItemToMessage(item)).toBeNull();
    },
  );
});
