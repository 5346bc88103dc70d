// Real-booking fixture for the relay suites: an event's seats in DynamoDB tables of its own (unique
// prefix), holds made by the booking code (reserveHold), confirmed (confirmHold) or released
// (releaseHold) by it, and a Kafka collector that keeps the messages of that one event.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { Kafka } from 'kafkajs';
import { createDynamo, ensureTables, tableNames, type DynamoClients } from '../../../lib/dynamo.js';
import { createRedis, deleteKeysByPrefix, type Redis } from '../../../lib/redis.js';
import { bookingStore, type BookingStore } from '../../../booking/booking-store.js';
import { confirmHold } from '../../../booking/hold-confirm.js';
import { releaseHold } from '../../../booking/hold-release.js';
import { TEST_CARDS, TestPaymentProvider } from '../../../booking/payments.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { SeatMapCache } from '../../../booking/seat-map-cache.js';
import { config } from '../platform-env.js';

export const SEAT_PRICE_CENTS = 5_000;

export interface BookingSale {
  eventId: string;
  tablePrefix: string;
  dynamo: DynamoClients;
  store: BookingStore;
  /** With `{ seatMap: true }`: the Redis seat-map cache, kept as the api and workers keep it. */
  seatMap?: SeatMapCache;
  /** Holds seat A/1/<seatNumber> for a fan of its own through reserveHold; returns the hold id. */
  hold(seatNumber: number): Promise<{ holdId: string; fanId: string }>;
  /** Confirms through confirmHold with an approving test card. */
  confirm(hold: { holdId: string; fanId: string }): Promise<void>;
  /** The fan lets the hold go (releaseHold, as DELETE /api/holds/:id does). */
  release(hold: { holdId: string }): Promise<void>;
  close(): Promise<void>;
}

export async function createBookingSale(label: string, seats: number, options: { seatMap?: boolean } = {}): Promise<BookingSale> {
  const run = randomUUID().slice(0, 8);
  const tablePrefix = `test-${label}-${run}-`;
  const eventId = `${label}-${run}`;
  const dynamo = createDynamo(config);
  await ensureTables(dynamo.client, tablePrefix);
  const store = bookingStore(dynamo.doc, tablePrefix);
  const redis: Redis = createRedis(config.REDIS_URL);
  const payments = new TestPaymentProvider();
  const layout = { sections: [{ section: 'A', rows: [{ row: '1', seats: Array.from({ length: seats }, (_, index) => ({ number: index + 1, tier: 'standard' })) }] }] };
  await provisionSeats(store, eventId, layout, { standard: SEAT_PRICE_CENTS });
  const keyPrefix = `test:${label}-${run}:`;
  const seatMap = options.seatMap ? new SeatMapCache({ redis, store, keyPrefix, ttlMs: 60_000 }) : undefined;
  // The worker writes the seats a hold took into the cache; the api refreshes them after a confirm or release.
  const context = { store, redis, keyPrefix, ...(seatMap ? { seatMap } : {}) };

  return {
    eventId,
    tablePrefix,
    dynamo,
    store,
    ...(seatMap ? { seatMap } : {}),
    async hold(seatNumber) {
      const holdId = `h_${randomUUID().replaceAll('-', '')}`;
      const fanId = `fan-${seatNumber}-${run}`;
      const result = await reserveHold(context, {
        holdId,
        eventId,
        fanId,
        request: { seats: [{ section: 'A', row: '1', number: seatNumber }] },
        requestedAt: Date.now(),
        holdTtlMs: 600_000,
      });
      if (result.outcome !== 'held') throw new Error(`hold of seat ${seatNumber} was ${result.outcome}: ${JSON.stringify(result)}`);
      return { holdId, fanId };
    },
    async confirm({ holdId, fanId }) {
      const outcome = await confirmHold(store, payments, eventId, holdId, fanId, TEST_CARDS.approve);
      if (outcome.outcome !== 'confirmed') throw new Error(`confirmation of ${holdId} was ${JSON.stringify(outcome)}`);
      await seatMap?.refresh(eventId, outcome.seatKeys);
    },
    async release({ holdId }) {
      const outcome = await releaseHold(store, eventId, holdId, 'released');
      if (outcome.outcome !== 'released') throw new Error(`release of ${holdId} was ${JSON.stringify(outcome)}`);
      await seatMap?.refresh(eventId, outcome.seatKeys);
    },
    async close() {
      if (seatMap) await deleteKeysByPrefix(redis, keyPrefix);
      for (const table of Object.values(tableNames(tablePrefix))) await dynamo.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      dynamo.client.destroy();
      redis.disconnect();
    },
  };
}

export interface KafkaEnvelope {
  id: string;
  type: string;
  version: number;
  time: string;
  eventId: string;
  data: Record<string, unknown>;
}

/** Every message keyed by one of the event ids on the topics, read from the beginning by a group of its own. */
export async function collectEventMessages(kafka: Kafka, topics: string[], eventIds: string | readonly string[]) {
  const wanted = new Set(typeof eventIds === 'string' ? [eventIds] : eventIds);
  const received: Array<{ topic: string; message: KafkaEnvelope }> = [];
  const consumer = kafka.consumer({ groupId: `test-collector-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const key = message.key?.toString();
      if (key === undefined || !wanted.has(key) || !message.value) return;
      received.push({ topic, message: JSON.parse(message.value.toString()) as KafkaEnvelope });
    },
  });
  return {
    received,
    /** Distinct message ids seen on one topic. */
    distinctIds: (topic: string) => new Set(received.filter((entry) => entry.topic === topic).map((entry) => entry.message.id)),
    stop: () => consumer.disconnect(),
  };
}

export async function waitFor(what: string, timeoutMs: number, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `count()` has not changed for `quietMs` (messages in flight have landed). */
export async function waitForQuiet(count: () => number, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = count();
  let stableSince = Date.now();
  while (Date.now() - stableSince < quietMs) {
    if (Date.now() > deadline) throw new Error(`still receiving after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (count() !== last) {
      last = count();
      stableSince = Date.now();
    }
  }
}
