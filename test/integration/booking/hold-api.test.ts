import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { generatePassSigningKey, PassKeyRing } from '../../../lib/tokens/passes.js';
import { mountHoldRoutes } from '../../../api/hold-routes.js';
import { passCheckFromJwks } from '../../../api/pass-check.js';
import { mountSeatRoutes } from '../../../api/seat-routes.js';
import { createHttpApp } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { auditEvent } from '../../../booking/booking-audit.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { bookingRedisKeys, HOLD_SK_PREFIX, holdShardPks, type HoldItem } from '../../../booking/booking-keys.js';
import { queryPartitions } from '../../../booking/booking-store.js';
import { writeEventBookingSettings } from '../../../booking/event-booking-settings.js';
import { TEST_CARDS, TestPaymentProvider } from '../../../booking/payments.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';
import { bookingStore } from '../../../booking/booking-store.js';
import { createDynamo } from '../../../lib/dynamo.js';
import { config } from '../platform-env.js';

describe('booking HTTP api (real DynamoDB, Redis and BullMQ workers)', () => {
  let fixture: BookingFixture;
  let server: Server;
  let baseUrl: string;
  let ring: PassKeyRing;
  let queueStore: QueueStore;
  const eventId = uniqueEventId('api');
  // The api's own DynamoDB client, so its requests can be told from the workers'.
  const apiDynamo = createDynamo(config);
  const apiCalls: string[] = [];
  apiDynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      apiCalls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordApiCalls' },
  );

  beforeAll(async () => {
    fixture = await createBookingFixture();
    fixture.startWorkers({ concurrency: 4 });
    ring = new PassKeyRing({ current: await generatePassSigningKey('k1'), issuer: 'test-admission' });
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 2, seatsPerRow: 6 }, B: { rows: 1, seatsPerRow: 4 } }));
    queueStore = new QueueStore({ redis: fixture.redis, keyPrefix: `${fixture.keyPrefix}wr:` });
    const app = createHttpApp({
      role: 'api',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 1_000,
      routes: (routes) => {
        mountSeatRoutes(routes, fixture.store, fixture.seatMap);
        mountHoldRoutes(routes, {
          store: bookingStore(apiDynamo.doc, fixture.tablePrefix, fixture.store.clock),
          redis: fixture.redis,
          keyPrefix: fixture.keyPrefix,
          queues: fixture.queues,
          payments: new TestPaymentProvider(),
          passCheck: passCheckFromJwks(ring.jwks(), 'test-admission'),
          holdTtlMs: 600_000,
          maxSeatsPerHold: 4,
          maxSeatsPerFan: 6,
          sessions: queueStore,
          seatMap: fixture.seatMap,
        });
      },
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    apiDynamo.client.destroy();
    await fixture.close();
  });

  const pass = async (fanId: string, forEvent = eventId, jti?: string) =>
    (await ring.signPass({ fanId, eventId: forEvent, ttlSeconds: 600, scope: 'book', ...(jti ? { jti } : {}) })).token;
  async function call(method: string, path: string, options: { token?: string; key?: string; body?: unknown } = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  async function settled(holdId: string, token: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const view = await call('GET', `/api/holds/${holdId}`, { token });
      if (view.body.status !== 'pending' || Date.now() > deadline) return view;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const seats = (...numbers: number[]) => ({ seats: numbers.map((number) => ({ section: 'A', row: '1', number })) });

  it('accepting a hold reads no DynamoDB: seats, sections and bad input are answered from the seat map and the request alone; each 202 writes its one ledger item', async () => {
    const leanEvent = uniqueEventId('lean');
    await provisionSeats(fixture.store, leanEvent, ...layoutOf({ A: { rows: 1, seatsPerRow: 6 }, B: { rows: 1, seatsPerRow: 2 } }));
    await fixture.seatMap.seats(leanEvent, 'A');
    apiCalls.length = 0;
    const token = await pass('fan-lean', leanEvent);
    expect((await call('POST', `/api/events/${leanEvent}/holds`, { token, key: 'lean-1', body: seats(5) })).status).toBe(202);
    expect((await call('POST', `/api/events/${leanEvent}/holds`, { token, key: 'lean-2', body: { section: 'B', quantity: 1 } })).status).toBe(202);
    expect(await call('POST', `/api/events/${leanEvent}/holds`, { token, key: 'lean-3', body: { seats: [{ section: 'A', row: '7', number: 1 }] } })).toMatchObject({ status: 400, body: { type: 'https://corral.dev/problems/unknown-seats' } });
    expect(await call('POST', `/api/events/${leanEvent}/holds`, { token, key: 'lean-4', body: { section: 'Q', quantity: 1 } })).toMatchObject({ status: 400, body: { type: 'https://corral.dev/problems/unknown-section' } });
    expect(await call('POST', `/api/events/${leanEvent}/holds`, { token, key: 'lean-5', body: { section: 'A', quantity: 0 } })).toMatchObject({ status: 400 });
    // The only DynamoDB call: one ledger write per acknowledged request (hold-request-ledger.ts), none for a refusal.
    expect(apiCalls).toEqual(['PutItem', 'PutItem']);
  });

  it('reserves, shows the hold to its owner only, confirms it, and keeps the audit clean', async () => {
    const token = await pass('fan-1');
    const accepted = await call('POST', `/api/events/${eventId}/holds`, { token, key: 'k-1', body: seats(1, 2) });
    expect(accepted.status).toBe(202);
    const holdId = accepted.body.holdId as string;
    const again = await call('POST', `/api/events/${eventId}/holds`, { token, key: 'k-1', body: seats(1, 2) });
    expect(again).toEqual(accepted);

    const view = await settled(holdId, token);
    expect(view.body).toMatchObject({ status: 'held', seats: seats(1, 2).seats });
    expect((await call('GET', `/api/holds/${holdId}`, { token: await pass('fan-2') })).status).toBe(404);

    const confirmed = await call('POST', `/api/holds/${holdId}/confirm`, { token, body: { paymentToken: TEST_CARDS.approve } });
    expect(confirmed).toMatchObject({ status: 200, body: { status: 'confirmed', bookingId: holdId } });
    expect((await call('GET', `/api/holds/${holdId}`, { token })).body).toMatchObject({ status: 'confirmed' });
    expect((await call('DELETE', `/api/holds/${holdId}`, { token })).status).toBe(409);
    expect((await auditEvent(fixture.store, eventId)).violations).toEqual([]);
  });

  it('answers a taken seat as rejected, and a released hold frees its seats', async () => {
    const fan3 = await pass('fan-3');
    const first = await call('POST', `/api/events/${eventId}/holds`, { token: fan3, key: 'k-3', body: seats(5) });
    expect((await settled(first.body.holdId as string, fan3)).body).toMatchObject({ status: 'held' });
    const fan4 = await pass('fan-4');
    const second = await call('POST', `/api/events/${eventId}/holds`, { token: fan4, key: 'k-4', body: seats(5) });
    expect((await settled(second.body.holdId as string, fan4)).body).toMatchObject({ status: 'rejected', reason: 'unavailable' });

    expect((await call('DELETE', `/api/holds/${first.body.holdId as string}`, { token: fan3 })).status).toBe(204);
    expect((await call('GET', `/api/holds/${first.body.holdId as string}`, { token: fan3 })).body).toMatchObject({ status: 'released' });
    const availability = await call('GET', `/api/events/${eventId}/seats?section=A`);
    const seat5 = (availability.body.seats as Array<{ row: string; number: number; state: string }>).find((seat) => seat.row === '1' && seat.number === 5);
    expect(seat5?.state).toBe('available');
  });

  it('refuses bad requests with problem JSON', async () => {
    const token = await pass('fan-5');
    // null means "leave the header out".
    const post = (body: unknown, key: string | null = 'k-5', passToken: string | null = token) =>
      call('POST', `/api/events/${eventId}/holds`, { token: passToken ?? undefined, key: key ?? undefined, body });
    expect((await post(seats(6))).status).toBe(202);
    expect(await post(seats(3))).toMatchObject({ status: 422, body: { type: 'https://corral.dev/problems/idempotency-key-reused' } });
    expect((await post(seats(6), null)).status).toBe(400);
    expect(await post(seats(1, 2, 3, 4, 5), 'k-6')).toMatchObject({ status: 400, body: { maxSeatsPerHold: 4 } });
    expect(await post({ seats: [{ section: 'A', row: '9', number: 1 }] }, 'k-7')).toMatchObject({ status: 400, body: { unknownSeats: ['SEAT#A#9#1'] } });
    expect((await post({ section: 'Z', quantity: 1 }, 'k-8')).status).toBe(400);
    expect((await post(seats(6), 'k-9', null)).status).toBe(401);
    expect((await post(seats(6), 'k-10', await pass('fan-5', 'another-event'))).status).toBe(403);
  });

  it('reports per-section availability', async () => {
    const availability = await call('GET', `/api/events/${eventId}/seats`);
    expect(availability.status).toBe(200);
    const sections = availability.body.sections as Array<{ section: string; total: number }>;
    expect(sections.map((section) => [section.section, section.total])).toEqual([['A', 12], ['B', 4]]);
    expect((await call('GET', `/api/events/unknown-${eventId}/seats`)).status).toBe(404);
  });

  it('a confirmed booking releases the waiting-room session of its pass, so the next fan is admitted', async () => {
    await queueStore.createRoom(eventId, { state: 'open', admissionRatePerMinute: 600, maxActiveShoppers: 1, passTtlSeconds: 600, opensAt: 0 });
    for (const fanId of ['fan-s1', 'fan-s2']) await queueStore.join(eventId, fanId, 0);
    await fixture.redis.set(queueStore.keys(eventId).serving, 2);
    const claim = await queueStore.claimPass(eventId, 'fan-s1', Date.now());
    if (claim.status !== 'admitted') throw new Error(`fan-s1 was not admitted: ${JSON.stringify(claim)}`);
    expect(await queueStore.claimPass(eventId, 'fan-s2', Date.now())).toMatchObject({ status: 'refused', reason: 'capacity_full' });

    const token = await pass('fan-s1', eventId, claim.sessionId);
    const accepted = await call('POST', `/api/events/${eventId}/holds`, { token, key: 'k-s1', body: { seats: [{ section: 'B', row: '1', number: 1 }] } });
    expect((await settled(accepted.body.holdId as string, token)).body).toMatchObject({ status: 'held' });
    expect(await queueStore.activeSessionCount(eventId, Date.now())).toBe(1);
    const confirmed = await call('POST', `/api/holds/${accepted.body.holdId as string}/confirm`, { token, body: { paymentToken: TEST_CARDS.approve } });
    expect(confirmed.status).toBe(200);
    expect(await queueStore.activeSessionCount(eventId, Date.now())).toBe(0);
    expect(await queueStore.claimPass(eventId, 'fan-s2', Date.now())).toMatchObject({ status: 'admitted' });
  });

  it('per-fan limit and per-event hold TTL: the reserve transaction refuses what the fan has no room for, concurrent holds never exceed the limit', async () => {
    const limitedEvent = uniqueEventId('limits');
    await provisionSeats(fixture.store, limitedEvent, ...layoutOf({ A: { rows: 1, seatsPerRow: 12 } }));
    await writeEventBookingSettings(fixture.redis, fixture.keyPrefix, limitedEvent, { maxSeatsPerFan: 3, holdTtlSeconds: 120 });
    const seatsOf = (...numbers: number[]) => ({ seats: numbers.map((number) => ({ section: 'A', row: '1', number })) });
    const hold = async (token: string, key: string, body: unknown) => call('POST', `/api/events/${limitedEvent}/holds`, { token, key, body });

    const fanL = await pass('fan-l', limitedEvent);
    const first = await hold(fanL, 'l-1', seatsOf(1, 2));
    expect((await settled(first.body.holdId as string, fanL)).body).toMatchObject({ status: 'held' });
    const firstItem = (await fixture.dynamo.doc.send(new GetCommand({ TableName: fixture.store.tables.inventory, Key: fixture.store.keys.hold(limitedEvent, first.body.holdId as string), ConsistentRead: true }))).Item as HoldItem;
    expect(firstItem.heldUntil - firstItem.createdAt).toBe(120_000);
    // Accepting reads no DynamoDB, so a request over what the fan has left is accepted and then
    // refused by the transaction's own condition; one over the cap itself is refused at once.
    const second = await hold(fanL, 'l-2', seatsOf(3, 4));
    expect(second.status).toBe(202);
    expect((await settled(second.body.holdId as string, fanL)).body).toMatchObject({ status: 'rejected', reason: 'fan-limit' });
    expect(await hold(fanL, 'l-4', seatsOf(3, 4, 5, 6))).toMatchObject({ status: 409, body: { type: 'https://corral.dev/problems/fan-limit-reached', maxSeatsPerFan: 3, requested: 4 } });
    // A replay of the accepted request is still the same 202, not a limit refusal.
    expect((await hold(fanL, 'l-1', seatsOf(1, 2))).status).toBe(202);

    // Three requests at once: the transaction lets only one through.
    const fanM = await pass('fan-m', limitedEvent);
    const racing = await Promise.all([[5, 6], [7, 8], [9, 10]].map((numbers, index) => hold(fanM, `m-${index}`, seatsOf(...numbers))));
    const outcomes = await Promise.all(
      racing.map(async (accepted) => {
        if (accepted.status === 409) return `409:${accepted.body.type as string}`;
        const view = await settled(accepted.body.holdId as string, fanM);
        return view.body.status === 'held' ? 'held' : `${view.body.status as string}:${view.body.reason as string}`;
      }),
    );
    expect(outcomes.filter((outcome) => outcome === 'held')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome !== 'held').every((outcome) => outcome === 'rejected:fan-limit' || outcome.endsWith('/fan-limit-reached'))).toBe(true);
    const holds = await queryPartitions<HoldItem>(fixture.store, holdShardPks(limitedEvent), HOLD_SK_PREFIX, { consistentRead: true });
    expect(holds.filter((item) => item.fanId === 'fan-m').reduce((sum, item) => sum + item.seatKeys.length, 0)).toBe(2);
    const counter = async (fanId: string) => (await fixture.dynamo.doc.send(new GetCommand({ TableName: fixture.store.tables.inventory, Key: fixture.store.keys.fanSeats(limitedEvent, fanId), ConsistentRead: true }))).Item?.seatCount;
    expect(await counter('fan-m')).toBe(2);

    // Releasing gives the seats back to the fan's allowance.
    expect((await call('DELETE', `/api/holds/${first.body.holdId as string}`, { token: fanL })).status).toBe(204);
    expect(await counter('fan-l')).toBe(0);
    const again = await hold(fanL, 'l-3', seatsOf(11, 12, 1));
    expect((await settled(again.body.holdId as string, fanL)).body).toMatchObject({ status: 'held' });
    expect((await auditEvent(fixture.store, limitedEvent)).violations).toEqual([]);
  });

  it('seat maps are served from the Redis cache, which the worker updates after a hold', async () => {
    const cachedEvent = uniqueEventId('seat-map');
    await provisionSeats(fixture.store, cachedEvent, ...layoutOf({ A: { rows: 1, seatsPerRow: 6 } }));
    const cacheKey = bookingRedisKeys(fixture.keyPrefix, cachedEvent).seatMapSection('A');
    const cachedSeats = async () => (await fixture.redis.hkeys(cacheKey)).filter((field) => field.startsWith('SEAT#')).length;
    expect(await fixture.redis.exists(cacheKey)).toBe(0);
    expect((await call('GET', `/api/events/${cachedEvent}/seats`)).body).toMatchObject({ sections: [{ section: 'A', available: 6, held: 0 }] });
    expect(await cachedSeats()).toBe(6);

    const token = await pass('fan-c', cachedEvent);
    const accepted = await call('POST', `/api/events/${cachedEvent}/holds`, { token, key: 'c-1', body: { seats: [{ section: 'A', row: '1', number: 3 }] } });
    expect((await settled(accepted.body.holdId as string, token)).body).toMatchObject({ status: 'held' });
    // The worker writes the seat's new state into the existing cache (no refill from DynamoDB) just
    // after its commit, which the fan may see first: wait for it, bounded.
    const cachedSeat = async () => {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const encoded = await fixture.redis.hget(cacheKey, 'SEAT#A#1#3');
        if (encoded?.startsWith('1|')) return encoded;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return fixture.redis.hget(cacheKey, 'SEAT#A#1#3');
    };
    expect(await cachedSeat()).toMatch(/^1\|HELD\|/);
    const section = await call('GET', `/api/events/${cachedEvent}/seats?section=A`);
    expect(section.body).toMatchObject({ sections: [{ section: 'A', available: 5, held: 1 }] });
    expect((section.body.seats as Array<{ number: number; state: string }>).find((seat) => seat.number === 3)?.state).toBe('held');

    // A miss (here the section's key is gone while the event's index lives) falls back to DynamoDB and fills the cache again.
    await fixture.redis.del(cacheKey);
    expect((await call('GET', `/api/events/${cachedEvent}/seats`)).body).toMatchObject({ sections: [{ section: 'A', available: 5, held: 1 }] });
    expect(await cachedSeats()).toBe(6);
  });
});
