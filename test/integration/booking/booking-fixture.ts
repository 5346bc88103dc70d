// Real-server fixture for the booking suites: its own DynamoDB tables (unique prefix), Redis key
// prefix and event id, a clock the test can move, and cleanup of everything it created.
import { randomUUID } from 'node:crypto';
import { deleteKeysByPrefix } from '../../../lib/redis.js';
import { DeleteTableCommand, ThrottlingException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { createDynamo, ensureTables, tableNames, type DynamoClients } from '../../../lib/dynamo.js';
import { logger } from '../../../lib/log.js';
import { BookingQueues } from '../../../booking/booking-queues.js';
import { bookingStore, type BookingStore } from '../../../booking/booking-store.js';
import { startBookingWorkers } from '../../../workers/booking-workers.js';
import type { HoldResultPublisher } from '../../../booking/hold-result-publisher.js';
import { SeatMapCache } from '../../../booking/seat-map-cache.js';
import type { TierPrices, VenueLayout } from '../../../booking/seat-provisioning.js';
import { config } from '../platform-env.js';

export interface BookingFixture {
  dynamo: DynamoClients;
  store: BookingStore;
  redis: Redis;
  keyPrefix: string;
  tablePrefix: string;
  queues: BookingQueues;
  seatMap: SeatMapCache;
  /** Moves the store's clock (and so expiry decisions) without sleeping. */
  advanceClock(ms: number): void;
  /** The next `count` TransactWriteItems calls fail with TransactionConflict before reaching the server. */
  injectTransactionConflicts(count: number): { injected: () => number };
  /** The next `count` TransactWriteItems attempts are refused as throttled (KeyRangeThroughputExceeded),
   * inside the SDK's retry loop, as a hot partition would refuse them. */
  injectThrottles(count: number): { injected: () => number };
  /** Every DynamoDB request this fixture's client sent (command names, e.g. `TransactWriteItems`),
   * once per call whatever the SDK retried; tests clear it to count a step's round trips. */
  dynamoCalls: string[];
  startWorkers(options?: { concurrency?: number; publisher?: HoldResultPublisher }): void;
  close(): Promise<void>;
}

export const PARTITIONS = 2;
export const HEADLINE_PARTITIONS = 2;

export function uniqueEventId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** One section per entry: `rows` rows of `seatsPerRow` seats, tier `tier-<section>` at 5000 cents;
 * the catalog layout and its prices, spread into provisionSeats. */
export function layoutOf(sections: Record<string, { rows: number; seatsPerRow: number }>): [VenueLayout, TierPrices] {
  const layout: VenueLayout = {
    sections: Object.entries(sections).map(([section, shape]) => ({
      section,
      rows: Array.from({ length: shape.rows }, (_, rowIndex) => ({
        row: String(rowIndex + 1),
        seats: Array.from({ length: shape.seatsPerRow }, (_, seatIndex) => ({ number: seatIndex + 1, tier: `tier-${section}` })),
      })),
    })),
  };
  return [layout, Object.fromEntries(Object.keys(sections).map((section) => [`tier-${section}`, 5000]))];
}

export async function createBookingFixture(): Promise<BookingFixture> {
  const id = randomUUID().slice(0, 8);
  const tablePrefix = `bk-${id}-`;
  const keyPrefix = `test-bk-${id}:`;
  const dynamo = createDynamo(config);
  await ensureTables(dynamo.client, tablePrefix);
  let offsetMs = 0;
  const store = bookingStore(dynamo.doc, tablePrefix, () => Date.now() + offsetMs);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const workerConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new BookingQueues({ connection: redis, keyPrefix, partitions: PARTITIONS, headlinePartitions: HEADLINE_PARTITIONS, pins: redis });
  const seatMap = new SeatMapCache({ redis, store, keyPrefix, ttlMs: 30_000 });
  const workers: ReturnType<typeof startBookingWorkers> = [];
  let conflictsLeft = 0;
  let conflictsInjected = 0;
  dynamo.doc.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { TransactItems?: unknown };
      if (input.TransactItems !== undefined && conflictsLeft > 0) {
        conflictsLeft -= 1;
        conflictsInjected += 1;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled (injected)',
          $metadata: {},
          CancellationReasons: [{ Code: 'TransactionConflict', Message: 'injected by the test' }],
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectTransactionConflict' },
  );

  const dynamoCalls: string[] = [];
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      dynamoCalls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordDynamoCalls' },
  );
  let throttlesLeft = 0;
  let throttlesInjected = 0;
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && throttlesLeft > 0) {
        throttlesLeft -= 1;
        throttlesInjected += 1;
        throw new ThrottlingException({
          message: 'Throughput exceeds the current capacity for one or more partitions (injected)',
          $metadata: { httpStatusCode: 400 },
          throttlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: `arn:aws:dynamodb:local:000000000000:table/${tablePrefix}inventory` }],
        });
      }
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'injectThrottle' },
  );

  return {
    dynamo,
    store,
    dynamoCalls,
    redis,
    keyPrefix,
    tablePrefix,
    queues,
    seatMap,
    advanceClock: (ms) => {
      offsetMs += ms;
    },
    injectTransactionConflicts(count) {
      conflictsLeft = count;
      return { injected: () => conflictsInjected };
    },
    injectThrottles(count) {
      throttlesLeft = count;
      return { injected: () => throttlesInjected };
    },
    startWorkers(options = {}) {
      workers.push(
        ...startBookingWorkers({
          store,
          redis,
          connection: workerConnection,
          queues,
          keyPrefix,
          partitions: PARTITIONS,
          headlinePartitions: HEADLINE_PARTITIONS,
          concurrency: options.concurrency ?? 16,
          log: logger(),
          seatMap,
          ...(options.publisher ? { publisher: options.publisher } : {}),
        }),
      );
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close(true)));
      await queues.close();
      await deleteKeysByPrefix(redis, keyPrefix);
      for (const table of Object.values(tableNames(tablePrefix))) await dynamo.client.send(new DeleteTableCommand({ TableName: table }));
      dynamo.client.destroy();
      redis.disconnect();
      workerConnection.disconnect();
    },
  };
}
