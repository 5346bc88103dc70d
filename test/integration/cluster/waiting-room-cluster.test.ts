// The waiting room and admission on a real 3-master Redis Cluster, through the product's code paths:
// events whose hash tags land on different masters, so every per-event script runs on its own node
// and every path that spans events (the admission loop, the outbox relay) crosses nodes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { AdmissionLoop } from '../../../admission/admission-loop.js';
import { RoomControl, type RoomSettings } from '../../../waiting-room/room-control.js';
import { createKafka, ensureTopics } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { deleteKeysByPrefix, type Cluster } from '../../../lib/redis.js';
import { waitingRoomKeys } from '../../../waiting-room/queue-keys.js';
import { QUEUE_STATE_CHANGED_TOPIC, queueStateOutboxKeys } from '../../../waiting-room/queue-state-outbox.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { QueueStateRelay } from '../../../workers/relay/queue-state-relay.js';
import { config } from '../platform-env.js';
import { collectEventMessages, waitFor } from '../relay/booking-sale.js';
import { startRedisCluster, type RedisClusterFixture } from './redis-cluster.js';

const START_MS = 1_700_000_000_000;
const FANS_BEFORE_OPEN = 20;

describe('waiting room and admission on a Redis Cluster (3 masters, real redis-server)', () => {
  const log = logger();
  const keyPrefix = `test:${randomUUID()}:`;
  let cluster: RedisClusterFixture;
  let redis: Cluster;
  let store: QueueStore;
  let control: RoomControl;
  let activeEvents: ActiveEvents;
  let broadcaster: ServingBroadcaster;
  let nowMs = START_MS;
  const clock = () => nowMs;
  /** One event per master: `{wr:<id>}` of each hashes to a slot of a different node. */
  let eventIds: string[];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = cluster.connect();
    store = new QueueStore({ redis, keyPrefix });
    activeEvents = new ActiveEvents(redis, keyPrefix);
    broadcaster = new ServingBroadcaster(redis, `${keyPrefix}socket.io`);
    control = new RoomControl({ redis, store, activeEvents, broadcaster, clock, openSeed: () => 'cluster-seed' });
    eventIds = await cluster.idsOnEveryMaster(redis, `wr-${randomUUID().slice(0, 8)}`, (eventId) => waitingRoomKeys(eventId, keyPrefix).config);
  }, 60_000);
  afterAll(async () => {
    await deleteKeysByPrefix(redis, keyPrefix);
    await cluster.stop();
  });

  const settings = (opensAt: number): RoomSettings => ({ opensAt, admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 600 });

  it('the events really live on three different masters', async () => {
    const ports = await Promise.all(eventIds.map((eventId) => cluster.masterPortOf(redis, waitingRoomKeys(eventId, keyPrefix).config)));
    expect(new Set(ports).size).toBe(3);
  });

  it('on every master: pre-queued joins, the leader opens the sale at its time, ticks advance serving, served fans claim passes', async () => {
    const opensAt = nowMs + 5_000;
    for (const eventId of eventIds) expect((await control.configureRoom(eventId, settings(opensAt))).created).toBe(true);
    const early = await Promise.all(
      eventIds.flatMap((eventId) => Array.from({ length: FANS_BEFORE_OPEN }, (_, fan) => store.join(eventId, `early-${fan}`, nowMs))),
    );
    expect(early.every((result) => result.status === 'prequeue')).toBe(true);

    const loop = new AdmissionLoop({ redis, store, control, activeEvents, broadcaster, holderId: 'cluster-leader', leaseTtlMs: 60_000, clock, log, keyPrefix });
    try {
      // Before the open time the leader only holds the leases; at it, it numbers every prequeue.
      expect((await loop.tick()).filter((update) => eventIds.includes(update.eventId)).every((update) => update.state === 'prequeue')).toBe(true);
      nowMs = opensAt;
      const opened = (await loop.tick()).filter((update) => eventIds.includes(update.eventId));
      expect(opened.map((update) => update.eventId).sort()).toEqual([...eventIds].sort());
      expect(opened.every((update) => update.state === 'open' && update.issued === FANS_BEFORE_OPEN)).toBe(true);
      for (const eventId of eventIds) {
        const numbers = Object.values(await redis.hgetall(store.keys(eventId).fans)).map(Number).sort((a, b) => a - b);
        expect(numbers).toEqual(Array.from({ length: FANS_BEFORE_OPEN }, (_, index) => index + 1));
        expect(await store.join(eventId, 'late', nowMs)).toMatchObject({ status: 'numbered', number: FANS_BEFORE_OPEN + 1, newlyIssued: true });
      }

      // 600 a minute: one second of ticking serves 10 numbers on each event.
      nowMs += 1_000;
      const advanced = (await loop.tick()).filter((update) => eventIds.includes(update.eventId));
      expect(advanced.map((update) => update.serving)).toEqual([10, 10, 10]);

      for (const eventId of eventIds) {
        const status = await store.status(eventId, 'late');
        expect(status).toMatchObject({ number: FANS_BEFORE_OPEN + 1, serving: 10, issued: FANS_BEFORE_OPEN + 1, state: 'open' });
        const fans = await redis.hgetall(store.keys(eventId).fans);
        const served = Object.keys(fans).find((fanId) => Number(fans[fanId]) <= 10)!;
        const waiting = Object.keys(fans).find((fanId) => Number(fans[fanId]) > 10)!;
        expect(await store.claimPass(eventId, served, nowMs)).toMatchObject({ status: 'admitted', reused: false });
        expect(await store.claimPass(eventId, waiting, nowMs)).toMatchObject({ status: 'refused', reason: 'not_yet_admitted' });
        expect(await store.activeSessionCount(eventId, nowMs)).toBe(1);
      }
      expect((await control.stats(eventIds[0]!)).activeShoppers).toBe(1);
    } finally {
      await loop.stop();
    }
    // stop() handed every lease back.
    for (const eventId of eventIds) expect(await redis.exists(store.keys(eventId).lease)).toBe(0);
  });

  it('queue.state-changed of events on every master reaches Kafka through the relay, and the outboxes drain', async () => {
    const kafka = createKafka(config, log);
    await ensureTopics(kafka);
    const collector = await collectEventMessages(kafka, [QUEUE_STATE_CHANGED_TOPIC], eventIds);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await control.pause(eventIds[1]!);
      await control.setRate(eventIds[2]!, 1_200);
      // configured + opened for each, then a pause and a rate change.
      const expected = eventIds.length * 2 + 2;
      // One pass reads every event's stream: the streams live on three nodes.
      const relay = new QueueStateRelay({ redis, producer, log, keyPrefix, markGraceMs: 200 });
      expect((await relay.relayOnce()).published).toBe(expected);
      await waitFor('every change on Kafka', 30_000, () => collector.distinctIds(QUEUE_STATE_CHANGED_TOPIC).size >= expected);
      const reasons = (eventId: string) => collector.received.filter((entry) => entry.message.eventId === eventId).map((entry) => entry.message.data['reason']);
      expect(reasons(eventIds[0]!)).toEqual(['configured', 'opened']);
      expect(reasons(eventIds[1]!)).toEqual(['configured', 'opened', 'paused']);
      expect(reasons(eventIds[2]!)).toEqual(['configured', 'opened', 'rate-changed']);

      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await relay.relayOnce()).published).toBe(0);
      for (const eventId of eventIds) expect(await redis.xlen(store.keys(eventId).stateOutbox)).toBe(0);
      expect(await redis.zcard(queueStateOutboxKeys(keyPrefix).pending)).toBe(0);
    } finally {
      await producer.disconnect();
      await collector.stop();
    }
  }, 90_000);

  it("a change's outbox mark is in Redis before its entry, though the pending set lives on another master", async () => {
    const pendingKey = queueStateOutboxKeys(keyPrefix).pending;
    const pendingPort = await cluster.masterPortOf(redis, pendingKey);
    const candidates = await cluster.idsOnEveryMaster(redis, `mark-${randomUUID().slice(0, 8)}`, (id) => waitingRoomKeys(id, keyPrefix).config);
    const ports = await Promise.all(candidates.map((id) => cluster.masterPortOf(redis, waitingRoomKeys(id, keyPrefix).config)));
    const elsewhere = candidates[ports.findIndex((port) => port !== pendingPort)]!;

    const outboxLength = () => redis.xlen(store.keys(elsewhere).stateOutbox);

    /** Holds writes to the pending set's master while `change` runs: for a second (well inside the
     * pause) the change's outbox entry must not appear, as a writer that died then would leave an
     * entry without a mark, which the relay never finds. */
    async function whileMarkIsHeld(change: () => Promise<unknown>, entriesBefore: number): Promise<void> {
      await cluster.node(pendingPort).call('CLIENT', 'PAUSE', '4000', 'WRITE');
      const running = change();
      const observeUntil = Date.now() + 1_000;
      while (Date.now() < observeUntil) {
        expect(await outboxLength()).toBe(entriesBefore);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await cluster.node(pendingPort).call('CLIENT', 'UNPAUSE');
      await running;
      expect(await redis.zscore(pendingKey, elsewhere)).not.toBeNull();
      expect(await outboxLength()).toBe(entriesBefore + 1);
    }

    await whileMarkIsHeld(() => control.configureRoom(elsewhere, settings(nowMs + 60_000)), 0);
    await whileMarkIsHeld(() => control.open(elsewhere), 1);
    expect((await store.readConfig(elsewhere))?.state).toBe('open');
  });
});
