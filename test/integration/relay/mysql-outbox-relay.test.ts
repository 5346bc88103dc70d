import { randomUUID } from 'node:crypto';
import { createKafka } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import path from 'node:path';
import mariadb, { type Connection } from 'mariadb';
import { applyMigrations } from '../../../lib/migrate.js';
import { createPrisma, mariadbPoolConfig, type PrismaClient } from '../../../lib/mysql.js';
import { MysqlOutboxRelay } from '../../../workers/relay/mysql-outbox-relay.js';
import { config, uniqueName } from '../platform-env.js';

describe('MySQL outbox relay (real MariaDB and Kafka)', () => {
  let prisma: PrismaClient;
  let admin: Connection;
  const kafka = createKafka(config, logger());
  // A database of its own: any other relay running against the shared one (other suites start
  // relay roles) would publish these rows too and blur what this relay did.
  const database = uniqueName('corral_relay').replace(/-/g, '_');

  beforeAll(async () => {
    admin = await mariadb.createConnection(mariadbPoolConfig(config.DATABASE_URL));
    await admin.query(`CREATE DATABASE \`${database}\``);
    const url = new URL(config.DATABASE_URL);
    url.pathname = `/${database}`;
    await applyMigrations(url.toString(), path.resolve('prisma/migrations'));
    prisma = createPrisma(url.toString());
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });

  it('delivers every outbox message to its topic keyed by event, and marks it published', async () => {
    const eventId = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [index, id] of ids.entries()) {
      await prisma.outboxMessage.create({
        data: { id, topic: 'event.updated', messageKey: eventId, payload: { id, type: 'event.updated', version: 1, eventId, sequence: index }, createdAt: new Date(Date.now() + index) },
      });
    }
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const relay = new MysqlOutboxRelay(prisma, producer, logger(), 1_000);
    // Another relay (npm start, a parallel suite) may publish some of them first: that is fine,
    // what matters is that they all end up published and on the topic.
    const deadline = Date.now() + 30_000;
    while ((await prisma.outboxMessage.count({ where: { id: { in: ids }, publishedAt: null } })) > 0) {
      if (Date.now() > deadline) throw new Error('outbox messages still pending after 30 s');
      await relay.relayOnce();
    }
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'event.updated', fromBeginning: true });
    const seen: Array<{ id: string; sequence: number }> = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw ${seen.length} of 3 messages within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== eventId) return;
          seen.push(JSON.parse(message.value!.toString()) as { id: string; sequence: number });
          if (seen.length === 3) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    // One key → one partition → the order they were written in.
    expect(seen.map((message) => message.id)).toEqual(ids);
  });

  it('keeps messages pending while Kafka cannot be reached, and reports the failure', async () => {
    const id = randomUUID();
    await prisma.outboxMessage.create({ data: { id, topic: 'event.updated', messageKey: randomUUID(), payload: { id } } });
    const unreachable = createKafka({ ...config, KAFKA_BROKERS: ['127.0.0.1:1'] }, logger());
    const producer = unreachable.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } });
    const relay = new MysqlOutboxRelay(prisma, producer, logger());
    await expect(producer.connect().then(() => relay.relayOnce())).rejects.toThrow();
    expect(await prisma.outboxMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ publishedAt: null });
  });
});
