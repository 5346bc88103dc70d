import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamo, ensureTables, tableNames, type DynamoClients } from '../../../lib/dynamo.js';
import { createKafka } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { config } from '../platform-env.js';

const BATCH = 40;
const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('DynamoDB stream relay (real DynamoDB, Redis and Kafka; relay SIGKILLed mid-stream)', () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `test-relay-${run}-`;
  const topic = `test.relay-${run}`;
  const kafka = createKafka(config, logger());
  let dynamo: DynamoClients;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dynamo = createDynamo(config);
    await ensureTables(dynamo.client, prefix);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] });
    await admin.disconnect();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    for (const table of Object.values(tableNames(prefix))) await dynamo.client.send(new DeleteTableCommand({ TableName: table }));
    dynamo.client.destroy();
  });

  async function writeOutbox(ids: string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += 25) {
      const items = ids.slice(start, start + 25).map((id, index) => ({
        PutRequest: { Item: { id, type: topic, eventId: `event-${index % 3}`, holdId: id, seatKeys: ['SEAT#A#1#1'], at: Date.now() } },
      }));
      await dynamo.doc.send(new BatchWriteCommand({ RequestItems: { [tableNames(prefix).outbox]: items } }));
    }
  }

  function startRelay(): ChildProcess {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/scripts/stream-relay-cli.js'), '--batch', String(BATCH)], {
      env: { ...process.env, DYNAMODB_TABLE_PREFIX: prefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('delivers every outbox item exactly once after dedup by id, resending at most one unacknowledged batch', async () => {
    const firstIds = Array.from({ length: 300 }, () => randomUUID());
    const laterIds = Array.from({ length: 100 }, () => randomUUID());
    await writeOutbox(firstIds);

    const received: Array<{ id: string; type: string; version: number; eventId: string; data: { holdId: string } }> = [];
    const consumer = kafka.consumer({ groupId: `test-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(JSON.parse(message.value!.toString()));
      },
    });
    try {
      const first = startRelay();
      // Past a few checkpointed batches, so a relay that ignored its checkpoint would resend them.
      await waitFor('three batches relayed', () => received.length >= 3 * BATCH, 45_000);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      expect(new Set(received.map((message) => message.id)).size).toBeLessThan(firstIds.length);

      await writeOutbox(laterIds);
      const before = received.length;
      startRelay();
      const expected = new Set([...firstIds, ...laterIds]);
      await waitFor('all 400 ids', () => new Set(received.map((message) => message.id)).size >= expected.size, 90_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      const distinct = new Set(received.map((message) => message.id));
      expect(distinct).toEqual(expected);
      // Only a batch produced but not yet checkpointed when the relay died can come again.
      expect(received.length - distinct.size).toBeLessThanOrEqual(BATCH);
      expect(before).toBeGreaterThan(BATCH);
      for (const message of received) {
        expect(message).toMatchObject({ type: topic, version: 1, data: { holdId: message.id } });
        expect(message.eventId).toMatch(/^event-\d$/);
      }
    } finally {
      await consumer.disconnect();
    }
  }, 180_000);
});
