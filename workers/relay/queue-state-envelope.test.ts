import { TOPICS } from '../../lib/kafka.js';
import { queueStateEntryToMessage } from './queue-state-envelope.js';

const entry = {
  id: '0b7c1a52-3d7e-4a3f-9a55-0d6e3f1f2c11',
  time: String(Date.UTC(2030, 0, 1)),
  state: 'paused',
  previousState: 'open',
  admissionRatePerMinute: '600',
  maxActiveShoppers: '1000',
  reason: 'paused',
};

describe('waiting-room outbox entry to Kafka message', () => {
  it('wraps an entry in the agreed envelope, keyed by event, with numbers as numbers', () => {
    const converted = queueStateEntryToMessage('e-1', entry);
    expect(converted).toMatchObject({ ok: true, message: { id: entry.id, topic: 'queue.state-changed', key: 'e-1' } });
    if (!converted.ok) return;
    expect(TOPICS).toContain(converted.message.topic);
    expect(JSON.parse(converted.message.value)).toEqual({
      id: entry.id,
      type: 'queue.state-changed',
      version: 1,
      time: '2030-01-01T00:00:00.000Z',
      eventId: 'e-1',
      data: { state: 'paused', previousState: 'open', admissionRatePerMinute: 600, maxActiveShoppers: 1000, reason: 'paused' },
    });
  });

  it('a room configured for the first time has no previous state (null)', () => {
    const converted = queueStateEntryToMessage('e-1', { ...entry, state: 'prequeue', previousState: '', reason: 'configured' });
    expect(converted.ok && JSON.parse(converted.message.value).data).toMatchObject({ state: 'prequeue', previousState: null, reason: 'configured' });
  });

  it.each([
    { ...entry, id: '' },
    { ...entry, state: 'ajar' },
    { ...entry, reason: 'because' },
    { ...entry, admissionRatePerMinute: 'fast' },
    { ...entry, time: undefined },
  ])('refuses an entry it cannot read: %j', (fields) => {
    expect(queueStateEntryToMessage('e-1', fields as Record<string, string>)).toMatchObject({ ok: false, problem: expect.any(String) });
  });
});
