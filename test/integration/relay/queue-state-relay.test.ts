import type { Producer } from 'kafkajs';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { AdmissionLoop } from '../../../admission/admission-loop.js';
import { RoomControl, type RoomSettings } from '../../../waiting-room/room-control.js';
import { createKafka, ensureTopics } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { QueueStateRelay } from '../../../workers/relay/queue-state-relay.js';
import { runRelayLoop, type RelayLoop } from '../../../workers/relay/relay-loop.js';
import { config } from '../platform-env.js';
import { createRedisFixture, uniqueEventId, type RedisFixture } from '../waiting-room/redis-fixture.js';
import { collectEventMessages, waitFor, type KafkaEnvelope } from './booking-sale.js';

const START_MS = 1_700_000_000_000;
const TOPIC = 'queue.state-changed';
const GRACE_MS = 300;

interface ExpectedChange {
  eventId: string;
  reason: string;
  state: string;
  previousState: string | null;
  admissionRatePerMinute: number;
  maxActiveShoppers: number;
  timeMs: number;
}

describe('queue.state-changed from the waiting room Redis outbox (real Redis and Kafka)', () => {
  const kafka = createKafka(config, logger());
  const log = logger();
  let fixture: RedisFixture;
  let store: QueueStore;
  let activeEvents: ActiveEvents;
  let broadcaster: ServingBroadcaster;
  let producer: Producer;
  let nowMs = START_MS;
  let control: RoomControl;

  beforeAll(async () => {
    await ensureTopics(kafka);
    fixture = createRedisFixture();
    store = new QueueStore({ redis: fixture.redis, keyPrefix: fixture.keyPrefix });
    activeEvents = new ActiveEvents(fixture.redis, fixture.keyPrefix);
    broadcaster = new ServingBroadcaster(fixture.redis, `${fixture.keyPrefix}socket.io`);
    control = new RoomControl({ redis: fixture.redis, store, activeEvents, broadcaster, clock: () => nowMs, openSeed: () => 'seed' });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }, 60_000);
  afterAll(async () => {
    await producer.disconnect();
    await fixture.close();
  });

  const relayFor = (relayProducer: Producer, markGraceMs = GRACE_MS) =>
    new QueueStateRelay({ redis: fixture.redis, producer: relayProducer, log, keyPrefix: fixture.keyPrefix, markGraceMs });
  const streamLength = (eventId: string) => fixture.redis.xlen(store.keys(eventId).stateOutbox);
  const pendingMark = (eventId: string) => fixture.redis.zscore(store.stateOutbox.pendingKey, eventId);
  const settings: RoomSettings = { opensAt: START_MS + 3_600_000, admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 600 };

  /** Distinct messages of one event in the order each id first arrived. */
  function firstArrivals(received: Array<{ message: KafkaEnvelope }>, eventId: string): KafkaEnvelope[] {
    const seen = new Map<string, KafkaEnvelope>();
    for (const { message } of received) if (message.eventId === eventId && !seen.has(message.id)) seen.set(message.id, message);
    return [...seen.values()];
  }

  function asExpected(message: KafkaEnvelope): ExpectedChange {
    const data = message.data as Omit<ExpectedChange, 'eventId' | 'timeMs'>;
    return {
      eventId: message.eventId,
      reason: data.reason,
      state: data.state,
      previousState: data.previousState,
      admissionRatePerMinute: data.admissionRatePerMinute,
      maxActiveShoppers: data.maxActiveShoppers,
      timeMs: Date.parse(message.time),
    };
  }

  it('every organizer action that changes the room gives exactly one message, in order per event, and nothing for a no-op', async () => {
    const organized = uniqueEventId('organized');
    const autoOpened = uniqueEventId('auto-open');
    const collector = await collectEventMessages(kafka, [TOPIC], [organized, autoOpened]);
    const relay = relayFor(producer);
    // The relay runs the whole time, so its passes interleave with the writes.
    const loop = runRelayLoop({ name: 'queue-state-relay', producer, pass: () => relay.relayOnce(), log, idleMs: 20 });
    const expected: ExpectedChange[] = [];
    const change = (eventId: string, reason: string, state: string, previousState: string | null, admissionRatePerMinute: number, maxActiveShoppers: number) =>
      expected.push({ eventId, reason, state, previousState, admissionRatePerMinute, maxActiveShoppers, timeMs: nowMs });
    try {
      await control.configureRoom(organized, settings);
      change(organized, 'configured', 'prequeue', null, 600, 1_000);
      await control.configureRoom(autoOpened, { ...settings, opensAt: START_MS + 1_000 });
      change(autoOpened, 'configured', 'prequeue', null, 600, 1_000);
      await control.configureRoom(organized, settings); // same settings: no change
      nowMs += 1_000;
      await control.configureRoom(organized, { ...settings, maxActiveShoppers: 2_000 });
      change(organized, 'settings-changed', 'prequeue', 'prequeue', 600, 2_000);
      await control.setRate(organized, 900);
      change(organized, 'rate-changed', 'prequeue', 'prequeue', 900, 2_000);
      await control.setRate(organized, 900); // same rate: no change
      await control.open(organized);
      change(organized, 'opened', 'open', 'prequeue', 900, 2_000);
      await control.open(organized); // already open: no change
      nowMs += 1_000;
      await control.pause(organized);
      change(organized, 'paused', 'paused', 'open', 900, 2_000);
      await control.pause(organized); // 'same': no change
      await control.resume(organized);
      change(organized, 'resumed', 'open', 'paused', 900, 2_000);
      await control.close(organized);
      change(organized, 'closed', 'closed', 'open', 900, 2_000);
      // The room has left the admission active-events set; its changes still reach Kafka.
      await control.markSoldOut(organized);
      change(organized, 'soldout', 'soldout', 'closed', 900, 2_000);
      await expect(control.resume(organized)).rejects.toThrow(/cannot resume/);

      // The admission loop opens a sale by itself once its open time has come.
      const admission = new AdmissionLoop({ redis: fixture.redis, store, control, activeEvents, broadcaster, holderId: 'leader', leaseTtlMs: 5_000, clock: () => nowMs, log, keyPrefix: fixture.keyPrefix });
      await admission.tick();
      await admission.stop();
      change(autoOpened, 'opened', 'open', 'prequeue', 600, 1_000);

      await waitFor('every change on Kafka', 30_000, () => new Set(collector.received.map((entry) => entry.message.id)).size >= expected.length);
      await waitFor('both streams drained and both events forgotten after the grace period', 15_000, async () => {
        const left = await Promise.all([streamLength(organized), streamLength(autoOpened), pendingMark(organized), pendingMark(autoOpened)]);
        return left.every((value) => value === 0 || value === null);
      });
      await new Promise((resolve) => setTimeout(resolve, 500)); // a late duplicate would arrive by now

      for (const eventId of [organized, autoOpened]) {
        expect(firstArrivals(collector.received, eventId).map(asExpected)).toEqual(expected.filter((entry) => entry.eventId === eventId));
      }
      // A healthy relay deletes what it sent: no message came twice.
      expect(collector.received).toHaveLength(expected.length);
      for (const { topic, message } of collector.received) {
        expect(topic).toBe(TOPIC);
        expect(message).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          type: TOPIC,
          version: 1,
          time: expect.any(String),
          eventId: expect.any(String),
          data: {
            state: expect.any(String),
            previousState: message.data['previousState'] === null ? null : expect.any(String),
            admissionRatePerMinute: expect.any(Number),
            maxActiveShoppers: expect.any(Number),
            reason: expect.any(String),
          },
        });
      }
    } finally {
      await loop.stop();
      await collector.stop();
    }
  }, 120_000);

  it('a relay that dies after Kafka acknowledged but before deleting sends again, and dedup by id leaves each change once', async () => {
    const eventId = uniqueEventId('killed');
    const collector = await collectEventMessages(kafka, [TOPIC], eventId);
    try {
      await control.configureRoom(eventId, settings);
      await control.open(eventId);
      await control.pause(eventId);
      expect(await streamLength(eventId)).toBe(3);

      // Kafka has the batch, then the process is gone before its XDEL.
      const dying: Producer = {
        ...producer,
        sendBatch: async (batch) => {
          await producer.sendBatch(batch);
          throw new Error('relay died after the produce');
        },
      };
      await expect(relayFor(dying, 0).relayOnce()).rejects.toThrow('relay died after the produce');
      await waitFor('the first send on Kafka', 30_000, () => collector.received.length >= 3);
      expect(await streamLength(eventId)).toBe(3);
      expect(await pendingMark(eventId)).not.toBeNull();

      const restarted = relayFor(producer, 0);
      expect((await restarted.relayOnce()).published).toBeGreaterThanOrEqual(3);
      expect(await streamLength(eventId)).toBe(0);
      await restarted.relayOnce(); // read empty after the grace: the event is forgotten
      expect(await pendingMark(eventId)).toBeNull();

      await waitFor('the resend on Kafka', 30_000, () => collector.received.length >= 6);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(collector.received).toHaveLength(6);
      expect(firstArrivals(collector.received, eventId).map((message) => message.data['reason'])).toEqual(['configured', 'opened', 'paused']);
      expect(new Set(collector.received.map((entry) => entry.message.id)).size).toBe(3);
    } finally {
      await collector.stop();
    }
  }, 90_000);

  it('two relay replicas at once only duplicate: every change arrives, first arrivals in order', async () => {
    const eventId = uniqueEventId('replicas');
    const collector = await collectEventMessages(kafka, [TOPIC], eventId);
    const secondProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await secondProducer.connect();
    const replicas: RelayLoop[] = [producer, secondProducer].map((replicaProducer) => {
      const relay = relayFor(replicaProducer);
      return runRelayLoop({ name: 'queue-state-relay', producer: replicaProducer, pass: () => relay.relayOnce(), log, idleMs: 5 });
    });
    try {
      await control.configureRoom(eventId, settings);
      const rates: number[] = [];
      for (let rate = 601; rate <= 640; rate += 1) {
        await control.setRate(eventId, rate);
        rates.push(rate);
      }
      await waitFor('all 41 changes on Kafka', 30_000, () => new Set(collector.received.map((entry) => entry.message.id)).size >= 41);
      await waitFor('the stream drained', 10_000, async () => (await streamLength(eventId)) === 0);
      expect(firstArrivals(collector.received, eventId).map((message) => message.data['admissionRatePerMinute'])).toEqual([600, ...rates]);
      expect(new Set(collector.received.map((entry) => entry.message.id)).size).toBe(41);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await secondProducer.disconnect();
      await collector.stop();
    }
  }, 90_000);
});
