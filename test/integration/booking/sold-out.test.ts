// The last sale marks the waiting room sold out by itself (real DynamoDB, Redis, BullMQ workers):
// not while a seat is still available or held, at once when the last seat sells, and exactly once
// when many fans race for the last seats; the change is in the room's queue.state-changed outbox.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { generatePassSigningKey, PassKeyRing } from '../../../lib/tokens/passes.js';
import { RoomControl } from '../../../waiting-room/room-control.js';
import { mountHoldRoutes } from '../../../api/hold-routes.js';
import { passCheckFromJwks } from '../../../api/pass-check.js';
import { createHttpApp } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { auditEvent } from '../../../booking/booking-audit.js';
import { TestPaymentProvider } from '../../../booking/payments.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { SoldOutCheck } from '../../../booking/sold-out-check.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('sold out by itself after the last sale', () => {
  let fixture: BookingFixture;
  let server: Server;
  let baseUrl: string;
  let ring: PassKeyRing;
  let queueStore: QueueStore;
  let marks = 0;

  beforeAll(async () => {
    fixture = await createBookingFixture();
    fixture.startWorkers({ concurrency: 8 });
    ring = new PassKeyRing({ current: await generatePassSigningKey('k1'), issuer: 'test-admission' });
    queueStore = new QueueStore({ redis: fixture.redis, keyPrefix: `${fixture.keyPrefix}wr:` });
    const roomControl = new RoomControl({
      redis: fixture.redis,
      store: queueStore,
      activeEvents: new ActiveEvents(fixture.redis, `${fixture.keyPrefix}wr:`),
      broadcaster: new ServingBroadcaster(fixture.redis, `${fixture.keyPrefix}socket.io`),
      clock: Date.now,
    });
    const soldOut = new SoldOutCheck({
      store: fixture.store,
      seatMap: fixture.seatMap,
      markSoldOut: async (eventId) => {
        marks += 1;
        return roomControl.markSoldOut(eventId);
      },
      log: logger(),
    });
    const app = createHttpApp({
      role: 'api',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 1_000,
      routes: (routes) =>
        mountHoldRoutes(routes, {
          store: fixture.store,
          redis: fixture.redis,
          keyPrefix: fixture.keyPrefix,
          queues: fixture.queues,
          payments: new TestPaymentProvider(),
          passCheck: passCheckFromJwks(ring.jwks(), 'test-admission'),
          holdTtlMs: 600_000,
          maxSeatsPerHold: 4,
          maxSeatsPerFan: 4,
          sessions: queueStore,
          seatMap: fixture.seatMap,
          soldOut,
        }),
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await fixture.close();
  });

  async function openEvent(eventId: string, seatsPerRow: number): Promise<void> {
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow } }));
    await queueStore.createRoom(eventId, { state: 'open', admissionRatePerMinute: 60, maxActiveShoppers: 100, passTtlSeconds: 600, opensAt: 0 }, Date.now());
  }

  async function call(method: string, path: string, token: string, options: { key?: string; body?: unknown } = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(options.key ? { 'idempotency-key': options.key } : {}) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** A fan's purchase through the API: hold the seats (202, then the worker), then pay unless told not to. */
  async function buy(eventId: string, fanId: string, numbers: number[], pay = true): Promise<{ outcome: 'bought' | 'held' | 'refused'; pay: () => Promise<number> }> {
    const token = (await ring.signPass({ fanId, eventId, ttlSeconds: 600, scope: 'book' })).token;
    const accepted = await call('POST', `/api/events/${eventId}/holds`, token, { key: `${fanId}-${numbers.join('.')}`, body: { seats: numbers.map((number) => ({ section: 'A', row: '1', number })) } });
    expect(accepted.status).toBe(202);
    const holdId = String(accepted.body.holdId);
    const payNow = async () => (await call('POST', `/api/holds/${holdId}/confirm`, token, { body: { paymentToken: '4242424242424242' } })).status;
    for (const deadline = Date.now() + 30_000; ; ) {
      const view = await call('GET', `/api/holds/${holdId}`, token);
      if (view.body.status === 'rejected') return { outcome: 'refused', pay: payNow };
      if (view.body.status === 'held') break;
      if (Date.now() > deadline) throw new Error(`hold ${holdId} still ${String(view.body.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!pay) return { outcome: 'held', pay: payNow };
    expect(await payNow()).toBe(200);
    return { outcome: 'bought', pay: payNow };
  }

  const roomState = async (eventId: string) => (await queueStore.readConfig(eventId))?.state;

  it('stays open while a seat is available or held, and marks the room sold out when the last seat sells', async () => {
    const eventId = uniqueEventId('soldout');
    await openEvent(eventId, 3);
    expect((await buy(eventId, 'fan-1', [1])).outcome).toBe('bought');
    expect(await roomState(eventId)).toBe('open');
    // Seat 2 held, not paid; seat 3 sold: nothing is available, but a hold may still lapse.
    const pending = await buy(eventId, 'fan-2', [2], false);
    expect(pending.outcome).toBe('held');
    expect((await buy(eventId, 'fan-3', [3])).outcome).toBe('bought');
    expect(await roomState(eventId)).toBe('open');
    // Fan 2 pays: every seat is sold.
    expect(await pending.pay()).toBe(200);
    expect(await roomState(eventId)).toBe('soldout');
    // The change is on its way to Kafka like any organizer action: one queue.state-changed entry.
    const entries = await fixture.redis.xrange(queueStore.keys(eventId).stateOutbox, '-', '+');
    const reasons = entries.map(([, fields]) => fields.join(' '));
    expect(reasons.filter((entry) => entry.includes('soldout'))).toHaveLength(1);
    expect((await auditEvent(fixture.store, eventId)).violations).toEqual([]);
  });

  it('marks the room once when many fans race for the last seats, and sells each seat once', async () => {
    const eventId = uniqueEventId('soldout-race');
    await openEvent(eventId, 6);
    marks = 0;
    // 40 fans, 6 seats, two seats each (pairs 1-2, 3-4, 5-6): three win, everyone else is refused,
    // and the last two payments may land together.
    const pairs = [[1, 2], [3, 4], [5, 6]];
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, fan) => buy(eventId, `racer-${fan}`, pairs[fan % 3]!)));
    expect(outcomes.filter(({ outcome }) => outcome === 'bought')).toHaveLength(3);
    const audit = await auditEvent(fixture.store, eventId);
    expect(audit.violations).toEqual([]);
    expect(audit.seats.sold).toBe(6);
    expect(await roomState(eventId)).toBe('soldout');
    expect(marks).toBeGreaterThanOrEqual(1);
    const entries = await fixture.redis.xrange(queueStore.keys(eventId).stateOutbox, '-', '+');
    expect(entries.filter(([, fields]) => fields.join(' ').includes('soldout'))).toHaveLength(1);
  });
});
