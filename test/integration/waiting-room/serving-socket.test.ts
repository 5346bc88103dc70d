import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import type { ServingUpdate } from '../../../waiting-room/serving-broadcast.js';
import type { SubscribeAck } from '../../../waiting-room/serving-gateway.js';
import { FanClient, START_MS, startWaitingRoomStack, type WaitingRoomStack } from './http-stack.js';
import { redisUrl, uniqueEventId } from './redis-fixture.js';

const room = { opensAt: 0, admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 600 };

describe('serving broadcast over Socket.IO (real Redis, real servers)', () => {
  let stack: WaitingRoomStack;
  const organizer = new FanClient();
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await startWaitingRoomStack();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await stack.close();
  });

  async function createRoom(settings: Partial<typeof room> = {}): Promise<string> {
    const eventId = uniqueEventId('socket');
    const url = `${stack.admissionUrl}/api/organizer/events/${eventId}`;
    expect((await organizer.request(`${url}/room`, { method: 'PUT', token: stack.adminToken, body: { ...room, ...settings } })).status).toBe(201);
    return eventId;
  }

  async function subscribedPage(eventId: string): Promise<{ socket: Socket; ack: SubscribeAck; updates: ServingUpdate[] }> {
    const socket = connect(`${stack.waitingRoomUrl}/queue`, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    const updates: ServingUpdate[] = [];
    socket.on('serving', (update: ServingUpdate) => updates.push(update));
    const ack = (await socket.timeout(5_000).emitWithAck('subscribe', { eventId })) as SubscribeAck;
    return { socket, ack, updates };
  }

  async function nextUpdate(updates: ServingUpdate[], matches: (update: ServingUpdate) => boolean): Promise<ServingUpdate> {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const found = updates.find(matches);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no matching serving update within 5 s; got ${JSON.stringify(updates)}`);
  }

  it('a subscribed page gets the snapshot, then one serving packet per tick', async () => {
    const eventId = await createRoom();
    await stack.control.open(eventId);
    await Promise.all(Array.from({ length: 30 }, () => new FanClient().request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { method: 'POST' })));
    const page = await subscribedPage(eventId);
    expect(page.ack).toEqual({ ok: true, update: { eventId, serving: 0, issued: 30, admissionRatePerMinute: 600, state: 'open' } });

    await stack.loop.tick();
    stack.clock.advance(1_000);
    await stack.loop.tick();
    const update = await nextUpdate(page.updates, (candidate) => candidate.serving === 10);
    expect(update).toEqual({ eventId, serving: 10, issued: 30, admissionRatePerMinute: 600, state: 'open' });
    expect(page.updates.every((candidate) => candidate.eventId === eventId)).toBe(true);
  });

  it('sold out and closed reach waiting pages at once, without waiting for a tick', async () => {
    const soldOutId = await createRoom();
    const closedId = await createRoom();
    await stack.control.open(soldOutId);
    await stack.control.open(closedId);
    const soldOutPage = await subscribedPage(soldOutId);
    const closedPage = await subscribedPage(closedId);

    await organizer.request(`${stack.admissionUrl}/api/organizer/events/${soldOutId}/soldout`, { method: 'POST', token: stack.adminToken });
    await organizer.request(`${stack.admissionUrl}/api/organizer/events/${closedId}/close`, { method: 'POST', token: stack.adminToken });
    expect(await nextUpdate(soldOutPage.updates, (update) => update.state === 'soldout')).toMatchObject({ eventId: soldOutId });
    expect(await nextUpdate(closedPage.updates, (update) => update.state === 'closed')).toMatchObject({ eventId: closedId });
    expect(closedPage.updates.some((update) => update.eventId === soldOutId)).toBe(false);
    // Final states leave the ticker's event set: no more ticks spent on them.
    const ticked = (await stack.loop.tick()).map((update) => update.eventId);
    expect(ticked).not.toContain(soldOutId);
    expect(ticked).not.toContain(closedId);
  });

  it('subscribing to an unknown or malformed event is refused in the ack', async () => {
    expect((await subscribedPage(`missing-${Date.now()}`)).ack).toEqual({ ok: false, error: 'unknown event' });
    expect((await subscribedPage('{bad}')).ack).toEqual({ ok: false, error: 'invalid event id' });
  });

  it('one tick publishes one packet per event, however many fans wait (O(events))', async () => {
    const watcher = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    try {
      const eventIds = [await createRoom(), await createRoom(), await createRoom()];
      for (const eventId of eventIds) await stack.control.open(eventId);
      await Promise.all(
        eventIds.flatMap((eventId) =>
          Array.from({ length: 100 }, (_, fan) => stack.store.join(eventId, `fan-${fan}`, stack.clock.now())),
        ),
      );
      await Promise.all(eventIds.map(subscribedPage));
      const published: string[] = [];
      await watcher.psubscribe(`${stack.fixture.keyPrefix}socket.io#/queue#*`);
      watcher.on('pmessage', (_pattern, channel) => published.push(channel));

      const updates = await stack.loop.tick();
      await stack.fixture.redis.ping(); // published packets reach the watcher before this reply
      await watcher.ping();
      const ours = published.filter((channel) => eventIds.some((eventId) => channel.includes(`event:${eventId}#`)));
      expect(ours).toHaveLength(3);
      expect(updates.filter((update) => eventIds.includes(update.eventId))).toHaveLength(3);
    } finally {
      watcher.disconnect();
    }
  });

  it('the leader opens a pre-queued sale when its open time comes, and joins before it get numbers', async () => {
    const opensAt = stack.clock.now() + 5_000;
    const eventId = await createRoom({ opensAt });
    const fan = new FanClient();
    const joined = await fan.request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { method: 'POST' });
    expect(joined.body).toMatchObject({ number: null, prequeue: true, opensInMs: 5_000 });
    const page = await subscribedPage(eventId);
    expect(page.ack).toMatchObject({ ok: true, update: { state: 'prequeue' } });

    await stack.loop.tick();
    expect((await fan.request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue/status`)).body).toMatchObject({ number: null, prequeued: true });
    stack.clock.advance(5_000);
    await stack.loop.tick();
    expect(await nextUpdate(page.updates, (update) => update.state === 'open')).toMatchObject({ issued: 1 });
    const status = await fan.request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue/status`, { token: joined.body?.queueToken });
    expect(status.body).toMatchObject({ number: 1, prequeued: false, state: 'open' });
    expect(stack.clock.now()).toBeGreaterThan(START_MS);
  });
});
