import { randomUUID } from 'node:crypto';
import net, { type Server, type Socket } from 'node:net';
import { tableNames } from '../../../lib/dynamo.js';
import { createKafka, ensureTopics } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { Platform } from '../../../lib/platform.js';
import { createRedis, deleteKeysByPrefix, type Redis } from '../../../lib/redis.js';
import type { RunningRole } from '../../../lib/role.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { startRelay } from '../../../workers/relay-role.js';
import { config } from '../platform-env.js';
import { collectEventMessages, createBookingSale, waitFor, type BookingSale } from './booking-sale.js';
import { freePort } from '../../free-port.js';


/** "Kafka" at 127.0.0.1:<port>: nothing listens until open(), then a TCP proxy to the real broker
 * (whose metadata then sends clients to the broker directly). */
function kafkaBehind(port: number) {
  const [host, brokerPort] = config.KAFKA_BROKERS[0]!.split(':');
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  return {
    address: `127.0.0.1:${port}`,
    async open() {
      server = net.createServer((client) => {
        const broker = net.connect(Number(brokerPort), host!);
        for (const socket of [client, broker]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(broker).pipe(client);
        client.on('close', () => broker.destroy());
        broker.on('close', () => client.destroy());
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server) await new Promise((resolve) => server!.close(resolve));
    },
  };
}

interface Readiness {
  status: string;
  dependencies: Record<string, { ok: boolean; error?: string }>;
}

async function readyz(role: RunningRole): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${role.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe('relay role while Kafka is down (real DynamoDB, MariaDB, Redis; Kafka unreachable, then back)', () => {
  const kafka = createKafka(config, logger());
  let sale: BookingSale;
  let prisma: PrismaClient;
  let redis: Redis;

  beforeAll(async () => {
    await ensureTopics(kafka);
    sale = await createBookingSale('kafka-down', 20);
    prisma = createPrisma(config.DATABASE_URL);
    redis = createRedis(config.REDIS_URL);
  }, 60_000);
  afterAll(async () => {
    await sale.close();
    await prisma.$disconnect();
    redis.disconnect();
  });

  it('keeps booking and running the waiting room, buffers all three outboxes, reports the relays unready, and publishes everything once Kafka is back', async () => {
    const broker = kafkaBehind(await freePort());
    const platform = new Platform({ ...config, KAFKA_BROKERS: [broker.address], DYNAMODB_TABLE_PREFIX: sale.tablePrefix, RELAY_PORT: await freePort(), DEPENDENCY_TIMEOUT_MS: 5_000 }, logger());
    const waitingRoomKeyPrefix = `test:kafka-down-${randomUUID()}:`;
    const role = await startRelay(platform, { waitingRoomKeyPrefix });
    const collector = await collectEventMessages(kafka, ['hold.created', 'booking.confirmed', 'queue.state-changed'], sale.eventId);
    const checkpointKey = `corral:{relay}:stream-checkpoints:${tableNames(sale.tablePrefix).outbox}`;
    const rooms = new QueueStore({ redis, keyPrefix: waitingRoomKeyPrefix });
    const roomOutbox = rooms.keys(sale.eventId).stateOutbox;
    try {
      // The organizer side only writes Redis: the room's changes wait in its outbox stream.
      await rooms.createRoom(sale.eventId, { state: 'prequeue', admissionRatePerMinute: 600, maxActiveShoppers: 100, passTtlSeconds: 600, opensAt: 0 });
      await rooms.configure(sale.eventId, { admissionRatePerMinute: 900 });

      // The booking path only writes DynamoDB: it does not notice that Kafka is gone.
      const holds = [];
      for (let seat = 1; seat <= 6; seat += 1) holds.push(await sale.hold(seat));
      for (const hold of holds.slice(0, 3)) await sale.confirm(hold);
      const catalogMessageId = randomUUID();
      await prisma.outboxMessage.create({
        data: { id: catalogMessageId, topic: 'event.updated', messageKey: sale.eventId, payload: { id: catalogMessageId, type: 'event.updated', version: 1, eventId: sale.eventId } },
      });

      let unready: Readiness | undefined;
      await waitFor('/readyz to name both failing relays', 45_000, async () => {
        const reply = await readyz(role);
        if (reply.status !== 503) return false;
        unready = reply.body;
        return ['dynamo-stream-relay', 'mysql-outbox-relay', 'queue-state-relay'].every((relay) => reply.body.dependencies[relay]?.ok === false);
      });
      expect(unready).toMatchObject({
        status: 'unready',
        dependencies: {
          kafka: { ok: false },
          'dynamo-stream-relay': { ok: false, error: expect.stringMatching(/^last pass failed: /) },
          'mysql-outbox-relay': { ok: false, error: expect.stringMatching(/^last pass failed: /) },
          'queue-state-relay': { ok: false, error: expect.stringMatching(/^last pass failed: /) },
          dynamodb: { ok: true },
          mysql: { ok: true },
          redis: { ok: true },
        },
      });
      // Buffered, not lost and not skipped: no checkpoint, nothing on Kafka, the MySQL row pending,
      // both room changes still in the room's outbox stream.
      expect(await redis.hgetall(checkpointKey)).toEqual({});
      expect(await redis.xlen(roomOutbox)).toBe(2);
      expect(collector.received).toHaveLength(0);
      expect(await prisma.outboxMessage.findUniqueOrThrow({ where: { id: catalogMessageId } })).toMatchObject({ publishedAt: null });

      // Kafka comes back: the same relay process, retrying with backoff, catches up on its own.
      await broker.open();
      const holdIds = new Set(holds.map((hold) => hold.holdId));
      const confirmedIds = new Set(holds.slice(0, 3).map((hold) => `${hold.holdId}:confirmed`));
      await waitFor('the buffered holds and confirmations on Kafka', 60_000, () => collector.distinctIds('hold.created').size >= holdIds.size && collector.distinctIds('booking.confirmed').size >= confirmedIds.size);
      expect(collector.distinctIds('hold.created')).toEqual(holdIds);
      expect(collector.distinctIds('booking.confirmed')).toEqual(confirmedIds);
      await waitFor('both room changes on Kafka', 60_000, () => collector.distinctIds('queue.state-changed').size >= 2);
      expect(collector.received.filter((entry) => entry.topic === 'queue.state-changed').map((entry) => entry.message.data['reason'])).toEqual(['configured', 'rate-changed']);
      await waitFor('the room outbox stream to be drained', 10_000, async () => (await redis.xlen(roomOutbox)) === 0);
      await waitFor('the MySQL outbox row to be published', 30_000, async () => (await prisma.outboxMessage.findUniqueOrThrow({ where: { id: catalogMessageId } })).publishedAt !== null);
      await waitFor('/readyz to answer 200', 30_000, async () => (await readyz(role)).status === 200);
      expect(Object.keys(await redis.hgetall(checkpointKey)).length).toBeGreaterThan(0);
    } finally {
      await collector.stop();
      await role.stop();
      await platform.close();
      await broker.close();
      await redis.del(checkpointKey);
      await deleteKeysByPrefix(redis, waitingRoomKeyPrefix);
    }
  }, 180_000);
});
