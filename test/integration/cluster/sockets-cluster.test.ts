// Socket.IO over a real 3-master Redis Cluster: a waiting-room gateway whose Redis adapter uses
// cluster clients, the admission side's serving broadcast and the booking workers' hold results
// emitted through cluster clients. Classic PUBLISH on a cluster reaches subscribers on every node.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io as connect, type Socket } from 'socket.io-client';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { AdmissionLoop } from '../../../admission/admission-loop.js';
import { generatePassSigningKey, PassKeyRing } from '../../../lib/tokens/passes.js';
import { RoomControl } from '../../../waiting-room/room-control.js';
import type { SigningKeys } from '../../../lib/tokens/signing-keys.js';
import { logger } from '../../../lib/log.js';
import { deleteKeysByPrefix, type Cluster } from '../../../lib/redis.js';
import { fanIdentifier, type IdentifyAck } from '../../../waiting-room/fan-rooms.js';
import { waitingRoomKeys } from '../../../waiting-room/queue-keys.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { ServingBroadcaster, type ServingUpdate } from '../../../waiting-room/serving-broadcast.js';
import { attachServingGateway, type ServingGateway, type SubscribeAck } from '../../../waiting-room/serving-gateway.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { HOLD_RESULT_EVENT, type HoldResultMessage } from '../../../booking/hold-result-publisher.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { layoutOf } from '../booking/booking-fixture.js';
import { startBookingOnCluster, type BookingOnCluster } from './booking-on-cluster.js';
import { startRedisCluster, type RedisClusterFixture } from './redis-cluster.js';

const START_MS = 1_700_000_000_000;

async function eventually<T>(what: string, items: readonly T[], matches: (item: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = items.find(matches);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(items)}`);
}

describe('Socket.IO on a Redis Cluster (3 masters): serving broadcasts and hold results reach the pages', () => {
  const log = logger();
  const keyPrefix = `test:${randomUUID()}:`;
  const channelKey = `${keyPrefix}socket.io`;
  let cluster: RedisClusterFixture;
  /** The gateway's cluster client (the waiting-room role's). */
  let gatewayRedis: Cluster;
  /** The admission role's cluster client: another process in production, so another client here. */
  let admissionRedis: Cluster;
  let booking: BookingOnCluster;
  let server: Server;
  let gateway: ServingGateway;
  let url: string;
  let keys: SigningKeys;
  const sockets: Socket[] = [];
  let nowMs = START_MS;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    gatewayRedis = cluster.connect();
    admissionRedis = cluster.connect();
    booking = await startBookingOnCluster(cluster, { concurrency: 4, holdResultChannelKey: channelKey });
    const current = await generatePassSigningKey('k1');
    const passRing = new PassKeyRing({ current, issuer: 'test-admission' });
    keys = { current, issuer: 'test-admission', passRing, jwks: passRing.jwks() };
    server = createServer();
    gateway = attachServingGateway({ server, redis: gatewayRedis, store: new QueueStore({ redis: gatewayRedis, keyPrefix }), log, channelKey, identifyFan: fanIdentifier(keys) });
    await gateway.ready;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/queue`;
  }, 90_000);
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await gateway?.close();
    await booking?.close();
    await deleteKeysByPrefix(gatewayRedis, keyPrefix);
    await cluster?.stop();
  }, 60_000);

  function page(): Socket {
    const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    return socket;
  }

  it('serving packets of events on every master, emitted by the admission loop, reach the pages subscribed to them', async () => {
    const store = new QueueStore({ redis: admissionRedis, keyPrefix });
    const activeEvents = new ActiveEvents(admissionRedis, keyPrefix);
    const broadcaster = new ServingBroadcaster(admissionRedis, channelKey);
    const control = new RoomControl({ redis: admissionRedis, store, activeEvents, broadcaster, clock: () => nowMs, openSeed: () => 'seed' });
    const loop = new AdmissionLoop({ redis: admissionRedis, store, control, activeEvents, broadcaster, holderId: 'leader', leaseTtlMs: 60_000, clock: () => nowMs, log, keyPrefix });
    const eventIds = await cluster.idsOnEveryMaster(admissionRedis, `socket-${randomUUID().slice(0, 8)}`, (eventId) => waitingRoomKeys(eventId, keyPrefix).config);
    try {
      const pages: Array<{ eventId: string; ack: SubscribeAck; updates: ServingUpdate[] }> = [];
      for (const eventId of eventIds) {
        await control.configureRoom(eventId, { opensAt: 0, admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 600 });
        await control.open(eventId);
        await Promise.all(Array.from({ length: 30 }, (_, fan) => store.join(eventId, `fan-${fan}`, nowMs)));
        const socket = page();
        const updates: ServingUpdate[] = [];
        socket.on('serving', (update: ServingUpdate) => updates.push(update));
        const ack = (await socket.timeout(5_000).emitWithAck('subscribe', { eventId })) as SubscribeAck;
        pages.push({ eventId, ack, updates });
      }
      for (const { eventId, ack } of pages) expect(ack).toEqual({ ok: true, update: { eventId, serving: 0, issued: 30, admissionRatePerMinute: 600, state: 'open' } });

      await loop.tick();
      nowMs += 1_000;
      await loop.tick();
      for (const { eventId, updates } of pages) {
        expect(await eventually('serving 10', updates, (update) => update.serving === 10)).toEqual({ eventId, serving: 10, issued: 30, admissionRatePerMinute: 600, state: 'open' });
        expect(updates.every((update) => update.eventId === eventId)).toBe(true);
      }
      // A state change is announced at once, not on the next tick.
      await control.pause(eventIds[2]!);
      expect(await eventually('paused', pages[2]!.updates, (update) => update.state === 'paused')).toMatchObject({ eventId: eventIds[2] });
    } finally {
      await loop.stop();
    }
  });

  it("a booking worker's hold result reaches the fan's room, and only that fan's", async () => {
    const eventId = `hold-${randomUUID().slice(0, 8)}`;
    await provisionSeats(booking.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 2 } }));
    const identified = async (fanId: string) => {
      const socket = page();
      const results: HoldResultMessage[] = [];
      socket.on(HOLD_RESULT_EVENT, (message: HoldResultMessage) => results.push(message));
      const token = (await keys.passRing.signPass({ fanId, eventId, ttlSeconds: 600, scope: 'reserve' })).token;
      const ack = (await socket.timeout(5_000).emitWithAck('identify', { eventId, token })) as IdentifyAck;
      return { ack, results };
    };
    const winner = await identified('fan-1');
    const loser = await identified('fan-2');
    expect(winner.ack).toEqual({ ok: true, fanId: 'fan-1' });
    expect(loser.ack).toEqual({ ok: true, fanId: 'fan-2' });

    const reserve = (fanId: string): ReserveJob => ({
      holdId: holdIdFor(eventId, fanId, 'k'),
      eventId,
      fanId,
      request: { seats: [{ section: 'A', row: '1', number: 2 }] },
      requestedAt: booking.store.clock(),
      holdTtlMs: 600_000,
    });
    const first = reserve('fan-1');
    await booking.runtime.queues.enqueueReserve(first);
    expect(await eventually('hold.result', winner.results, (message) => message.holdId === first.holdId)).toMatchObject({ status: 'held', seats: [{ section: 'A', row: '1', number: 2 }] });
    const second = reserve('fan-2');
    await booking.runtime.queues.enqueueReserve(second);
    expect(await eventually('hold.result', loser.results, (message) => message.holdId === second.holdId)).toEqual({ eventId, holdId: second.holdId, status: 'rejected', reason: 'unavailable' });
    expect(winner.results.map((message) => message.holdId)).toEqual([first.holdId]);
    expect(loser.results.map((message) => message.holdId)).toEqual([second.holdId]);
  }, 60_000);
});
