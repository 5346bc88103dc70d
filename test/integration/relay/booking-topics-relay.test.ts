import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createKafka, ensureTopics } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { config } from '../platform-env.js';
import { collectEventMessages, createBookingSale, waitForQuiet, SEAT_PRICE_CENTS, waitFor, type BookingSale } from './booking-sale.js';

const BATCH = 10;
const SEATS = 400;
const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('real holds, confirmations and releases on Kafka through the stream relay, SIGKILLed mid-stream (real DynamoDB, Redis, Kafka)', () => {
  const kafka = createKafka(config, logger());
  let sale: BookingSale;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await ensureTopics(kafka);
    sale = await createBookingSale('relay-kill', SEATS);
  }, 60_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sale.close();
  });

  function startRelay(): ChildProcess {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/scripts/stream-relay-cli.js'), '--batch', String(BATCH)], {
      env: { ...process.env, DYNAMODB_TABLE_PREFIX: sale.tablePrefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  it('puts every hold on hold.created, every confirmation on booking.confirmed and every seat move on seat.changed exactly once after dedup by id', async () => {
    const collector = await collectEventMessages(kafka, ['hold.created', 'booking.confirmed', 'seat.changed'], sale.eventId);
    const holdIds: string[] = [];
    const confirmedIds: string[] = [];
    const releasedIds: string[] = [];
    /** seat.changed ids in commit order, with the status the change left its seat in. */
    const seatChanges: Array<{ id: string; holdId: string; seatKey: string; status: 'HELD' | 'SOLD' | 'AVAILABLE' }> = [];
    // The fans keep booking the whole time: before the relay starts, while it runs, while it is
    // dead and after it comes back, so the kill lands in the middle of a live stream.
    let stopBooking = false;
    let bookingError: unknown;
    let nextSeat = 1;
    const booking = (async () => {
      try {
        while (!stopBooking && nextSeat <= SEATS) {
          const hold = await sale.hold(nextSeat);
          const seatKey = `SEAT#A#1#${nextSeat}`;
          holdIds.push(hold.holdId);
          seatChanges.push({ id: `${hold.holdId}:seats`, holdId: hold.holdId, seatKey, status: 'HELD' });
          if (nextSeat % 2 === 0) {
            await sale.confirm(hold);
            confirmedIds.push(`${hold.holdId}:confirmed`);
            seatChanges.push({ id: `${hold.holdId}:confirmed:seats`, holdId: hold.holdId, seatKey, status: 'SOLD' });
          } else if (nextSeat % 3 === 0) {
            await sale.release(hold);
            releasedIds.push(`${hold.holdId}:released`);
            seatChanges.push({ id: `${hold.holdId}:released:seats`, holdId: hold.holdId, seatKey, status: 'AVAILABLE' });
          }
          nextSeat += 1;
        }
      } catch (error) {
        bookingError = error;
      }
    })();
    const itemsWritten = () => holdIds.length + confirmedIds.length + releasedIds.length;
    const bookingMessages = () => collector.received.filter((entry) => entry.topic !== 'seat.changed').length;
    try {
      await waitFor('a first 30 outbox items', 30_000, () => itemsWritten() >= 30 || bookingError !== undefined);
      const first = startRelay();
      await waitFor('three batches on Kafka', 45_000, () => bookingMessages() >= 3 * BATCH || bookingError !== undefined);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const writtenAtKill = itemsWritten();
      // What the relay sent before it died may still be on its way to the collector: count only once
      // nothing has arrived for two seconds.
      await waitForQuiet(() => collector.received.length, 2_000, 20_000);
      const receivedAtKill = collector.received.length;

      // Dead relay: bookings go on, nothing new reaches Kafka.
      await waitFor('40 more outbox items while the relay is dead', 30_000, () => itemsWritten() >= writtenAtKill + 40 || bookingError !== undefined);
      expect(collector.received.length).toBe(receivedAtKill);

      startRelay();
      await waitFor('20 more outbox items after the restart', 30_000, () => itemsWritten() >= writtenAtKill + 60 || bookingError !== undefined);
      stopBooking = true;
      await booking;
      expect(bookingError).toBeUndefined();

      await waitFor(
        'every hold, confirmation and seat change id on its topic',
        60_000,
        () =>
          collector.distinctIds('hold.created').size >= holdIds.length &&
          collector.distinctIds('booking.confirmed').size >= confirmedIds.length &&
          collector.distinctIds('seat.changed').size >= seatChanges.length,
      );
      // Late duplicates, if any, arrive within a moment of the last new id.
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      expect(releasedIds.length).toBeGreaterThan(0);
      expect(collector.distinctIds('hold.created')).toEqual(new Set(holdIds));
      expect(collector.distinctIds('booking.confirmed')).toEqual(new Set(confirmedIds));
      expect(collector.distinctIds('seat.changed')).toEqual(new Set(seatChanges.map((change) => change.id)));
      // Only the batch produced but not checkpointed when the relay died may come again: at most
      // BATCH outbox items, each of which is one booking message and at most one seat.changed.
      const bookingDuplicates = bookingMessages() - (holdIds.length + confirmedIds.length);
      const seatDuplicates = collector.received.filter((entry) => entry.topic === 'seat.changed').length - seatChanges.length;
      expect(bookingDuplicates).toBeGreaterThanOrEqual(0);
      expect(seatDuplicates).toBeGreaterThanOrEqual(0);
      expect(bookingDuplicates + seatDuplicates).toBeLessThanOrEqual(2 * BATCH);

      const expectedSeatChange = new Map(seatChanges.map((change) => [change.id, change]));
      for (const { topic, message } of collector.received) {
        expect(message).toMatchObject({ type: topic, version: 1, eventId: sale.eventId });
        expect(Number.isNaN(Date.parse(message.time))).toBe(false);
        if (topic === 'hold.created') {
          expect(message.data).toMatchObject({ holdId: message.id, seatKeys: [expect.stringMatching(/^SEAT#A#1#\d+$/)], heldUntil: expect.any(Number) });
        } else if (topic === 'booking.confirmed') {
          expect(message.id).toBe(`${message.data['holdId'] as string}:confirmed`);
          expect(message.data).toMatchObject({ amountCents: SEAT_PRICE_CENTS, fanId: expect.stringMatching(/^fan-/) });
        } else {
          const expected = expectedSeatChange.get(message.id)!;
          expect(message.data).toMatchObject({ holdId: expected.holdId, seats: [{ seatKey: expected.seatKey, status: expected.status }] });
          if (expected.status === 'HELD') expect(message.data['heldUntil']).toEqual(expect.any(Number));
          else expect(message.data).not.toHaveProperty('heldUntil');
        }
      }
      // One event's messages share a key, so on each topic they keep the order they committed in:
      // a seat's HELD always comes before its SOLD or AVAILABLE.
      const firstSeen = (topic: string) => [...new Set(collector.received.filter((entry) => entry.topic === topic).map((entry) => entry.message.id))];
      expect(firstSeen('hold.created')).toEqual(holdIds);
      expect(firstSeen('seat.changed')).toEqual(seatChanges.map((change) => change.id));
    } finally {
      stopBooking = true;
      await booking;
      await collector.stop();
    }
  }, 240_000);
});
