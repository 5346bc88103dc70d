import { createKafka } from '../../lib/kafka.js';
import { logger } from '../../lib/log.js';
import { config, uniqueName } from './platform-env.js';

describe('kafka (real broker)', () => {
  it('delivers produced messages to a consumer, keyed and in order per partition', async () => {
    const kafka = createKafka(config, logger());
    const topic = uniqueName('test.roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: [1, 2, 3].map((n) => ({ key: 'event-1', value: JSON.stringify({ n }) })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('test-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of 3 messages within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          expect(message.key?.toString()).toBe('event-1');
          received.push((JSON.parse(message.value!.toString()) as { n: number }).n);
          if (received.length === 3) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(received).toEqual([1, 2, 3]);
  });
});
