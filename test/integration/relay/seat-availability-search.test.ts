import { randomUUID } from 'node:crypto';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { tableNames } from '../../../lib/dynamo.js';
import { createKafka, ensureTopics } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { createRedis, type Redis } from '../../../lib/redis.js';
import { createSearch, type SearchClient } from '../../../lib/search.js';
import { ensureEventsIndex, eventsIndexNames } from '../../../search/events-index.js';
import { AvailabilityRefresher, countReservableSeats, countReservableSeatsCached } from '../../../workers/indexer/availability-refresher.js';
import { AVAILABILITY_TOPICS, EventIndexer } from '../../../workers/indexer/event-indexer.js';
import { DynamoStreamRelay } from '../../../workers/relay/dynamo-stream-relay.js';
import { runRelayLoop } from '../../../workers/relay/relay-loop.js';
import { config } from '../platform-env.js';
import { createBookingSale, waitFor, type BookingSale } from './booking-sale.js';

const SEATS = 10;

// Counted in DynamoDB (reindex's way), and from the Redis seat-map counts (the indexer role's way).
describe.each([
  { counting: 'in DynamoDB', seatMap: false },
  { counting: 'from the seat-map cache', seatMap: true },
])('live availability in search from seat.changed alone, counted $counting (real DynamoDB stream, Kafka, OpenSearch)', ({ seatMap }) => {
  const kafka = createKafka(config, logger());
  const indexPrefix = `test-avail-${randomUUID().slice(0, 8)}-`;
  const checkpointPrefix = `test:avail-${randomUUID()}:`;
  let sale: BookingSale;
  let search: SearchClient;
  let redis: Redis;

  beforeAll(async () => {
    await ensureTopics(kafka);
    sale = await createBookingSale('avail-search', SEATS, { seatMap });
    // The cache is warm before the first hold, as it is once a sale's seat map has been read.
    if (sale.seatMap) expect((await sale.seatMap.seats(sale.eventId, 'A')).length).toBe(SEATS);
    search = createSearch(config);
    redis = createRedis(config.REDIS_URL);
    await ensureEventsIndex(search, indexPrefix);
  }, 60_000);
  afterAll(async () => {
    await search.indices.delete({ index: `${indexPrefix}events*` }).catch(() => undefined);
    await search.close();
    await redis.del(`${checkpointPrefix}{relay}:stream-checkpoints:${tableNames(sale.tablePrefix).outbox}`);
    redis.disconnect();
    await sale.close();
  });

  async function seatsAvailableInSearch(): Promise<number | undefined> {
    const reply = await search.get({ index: eventsIndexNames(indexPrefix).alias, id: sale.eventId });
    return (reply.body._source as { seatsAvailable?: number } | undefined)?.seatsAvailable;
  }

  it('holds, a confirmation and a release move the event document, with the indexer reading only its availability topics', async () => {
    expect(AVAILABILITY_TOPICS).toEqual(['seat.changed']);
    await search.index({
      index: eventsIndexNames(indexPrefix).alias,
      id: sale.eventId,
      body: { eventId: sale.eventId, name: 'Availability', seatCount: SEATS, seatsAvailable: SEATS, availability: 'available', status: 'published' },
      refresh: true,
    });

    // The stream relay, in-process, for this sale's outbox table only.
    const dynamo = sale.dynamo.client;
    const streams = new DynamoDBStreamsClient({ endpoint: config.DYNAMODB_ENDPOINT, region: config.AWS_REGION, credentials: dynamo.config.credentials, maxAttempts: 3 });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const relay = new DynamoStreamRelay({ dynamo, streams, producer, redis, tableName: tableNames(sale.tablePrefix).outbox, log: logger(), keyPrefix: checkpointPrefix });
    const relayLoop = runRelayLoop({ name: 'dynamo-stream-relay', producer, pass: () => relay.relayOnce(), log: logger(), idleMs: 50 });

    // The indexer's availability path: the topics it subscribes to, routed to applyAvailability.
    const refresher = new AvailabilityRefresher({ store: sale.store, ...(sale.seatMap ? { seatMap: sale.seatMap } : {}), search, log: logger(), indexPrefix, debounceMs: 10 });
    const indexer = new EventIndexer(search, logger(), indexPrefix, refresher);
    const consumer = kafka.consumer({ groupId: `test-avail-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [...AVAILABILITY_TOPICS], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === sale.eventId && message.value) indexer.applyAvailability(message.value.toString());
      },
    });
    try {
      const holds = [await sale.hold(1), await sale.hold(2), await sale.hold(3)];
      await waitFor('7 seats available in search', 30_000, async () => (await seatsAvailableInSearch()) === SEATS - 3);

      await sale.confirm(holds[0]!);
      await sale.release(holds[1]!);
      // Sold stays taken, released comes back: 10 − 1 sold − 1 still held.
      await waitFor('8 seats available in search', 30_000, async () => (await seatsAvailableInSearch()) === SEATS - 2);
      // The cache's counts are the truth's: the same as every seat read in DynamoDB.
      if (sale.seatMap) expect(await countReservableSeatsCached(sale.seatMap, sale.eventId, Date.now())).toEqual(await countReservableSeats(sale.store, sale.eventId));
    } finally {
      await consumer.disconnect();
      await relayLoop.stop();
      await producer.disconnect();
      await refresher.close();
      streams.destroy();
    }
  }, 120_000);
});
