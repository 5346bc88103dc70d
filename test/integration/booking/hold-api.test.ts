import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { generatePassSigningKey, PassKeyRing } from '../../../admission/passes.js';
import { mountHoldRoutes } from '../../../api/hold-routes.js';
import { passCheckFromJwks } from '../../../api/pass-check.js';
import { mountSeatRoutes } from '../../../api/seat-routes.js';
import { createHttpApp } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { auditEvent } from '../../../workers/booking/booking-audit.js';
import { TEST_CARDS, TestPaymentProvider } from '../../../workers/booking/payments.js';
import { provisionSeats } from '../../../workers/booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('booking HTTP api (real DynamoDB, Redis and BullMQ workers)', () => {
  let fixture: BookingFixture;
  let server: Server;
  let baseUrl: string;
  let ring: PassKeyRing;
  const eventId = uniqueEventId('api');

  beforeAll(async () => {
    fixture = await createBookingFixture();
    fixture.startWorkers({ concurrency: 4 });
    ring = new PassKeyRing({ current: await generatePassSigningKey('k1'), issuer: 'test-admission' });
    await provisionSeats(fixture.store, eventId, layoutOf({ A: { rows: 2, seatsPerRow: 6 }, B: { rows: 1, seatsPerRow: 4 } }));
    const app = createHttpApp({
      role: 'api',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 1_000,
      routes: (routes) => {
        mountSeatRoutes(routes, fixture.store);
        mountHoldRoutes(routes, {
          store: fixture.store,
          redis: fixture.redis,
          keyPrefix: fixture.keyPrefix,
          queues: fixture.queues,
          payments: new TestPaymentProvider(),
          passCheck: passCheckFromJwks(ring.jwks(), 'test-admission'),
          holdTtlMs: 600_000,
          maxSeatsPerHold: 4,
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
    await fixture.close();
  });

  const pass = async (fanId: string, forEvent = eventId) => (await ring.signPass({ fanId, eventId: forEvent, ttlSeconds: 600, scope: 'book' })).token;
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
});
