import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { ActiveEvents } from '../../../admission/active-events.js';
import { organizerRoutes } from '../../../admission/organizer-routes.js';
import { signOrganizerToken } from '../../../admission/organizer-tokens.js';
import { generatePassSigningKey, PassKeyRing } from '../../../admission/passes.js';
import { RoomControl } from '../../../admission/room-control.js';
import type { SigningKeys } from '../../../admission/signing-keys.js';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { bookingRedisKeys } from '../../../workers/booking/booking-keys.js';
import { readEventBookingSettings } from '../../../workers/booking/event-booking-settings.js';
import { uniqueEventId } from './booking-fixture.js';
import { config } from '../platform-env.js';

const defaults = { holdTtlMs: 600_000, maxSeatsPerHold: 8, maxSeatsPerFan: 8 };

describe('organizer booking settings: PUT /api/organizer/events/:id/booking (real Redis)', () => {
  const keyPrefix = `test-bk-org-${uniqueEventId('p')}:`;
  const eventId = uniqueEventId('settings');
  let redis: Redis;
  let server: Server;
  let baseUrl: string;
  let token: string;

  beforeAll(async () => {
    redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    const current = await generatePassSigningKey('org-k1');
    const passRing = new PassKeyRing({ current, issuer: 'test-admission' });
    const keys: SigningKeys = { current, issuer: 'test-admission', passRing, jwks: passRing.jwks() };
    const control = new RoomControl({
      redis,
      store: new QueueStore({ redis, keyPrefix: `${keyPrefix}wr:` }),
      activeEvents: new ActiveEvents(redis, keyPrefix),
      broadcaster: new ServingBroadcaster(redis, `${keyPrefix}socket.io`),
      clock: Date.now,
    });
    const app = createHttpApp({
      role: 'admission',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 1_000,
      routes: organizerRoutes({ control, keys, clock: Date.now, bookingSettings: { redis, keyPrefix, defaults } }),
    });
    server = await listen(app, '127.0.0.1', 0, 'ADMISSION_PORT');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    token = await signOrganizerToken(keys, 'org-test', Date.now());
  });
  afterAll(async () => {
    await closeServer(server);
    await redis.del(bookingRedisKeys(keyPrefix, eventId).settings);
    redis.disconnect();
  });

  const put = async (body: unknown, bearer: string | null = token) => {
    const response = await fetch(`${baseUrl}/api/organizer/events/${eventId}/booking`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('an organizer sets the hold TTL and seat limits; left-out fields keep their value; the api reads them', async () => {
    expect(await put({ holdTtlSeconds: 300, maxSeatsPerHold: 4, maxSeatsPerFan: 6 })).toEqual({
      status: 200,
      body: { eventId, holdTtlSeconds: 300, maxSeatsPerHold: 4, maxSeatsPerFan: 6 },
    });
    expect((await put({ maxSeatsPerHold: 2 })).body).toEqual({ eventId, holdTtlSeconds: 300, maxSeatsPerHold: 2, maxSeatsPerFan: 6 });
    expect(await readEventBookingSettings(redis, keyPrefix, eventId, defaults)).toEqual({ holdTtlMs: 300_000, maxSeatsPerHold: 2, maxSeatsPerFan: 6 });
  });

  it.each([
    ['an unknown field', { holdTtlSeconds: 300, seats: 3 }],
    ['a TTL below 30 s', { holdTtlSeconds: 5 }],
    ['a fractional limit', { maxSeatsPerFan: 2.5 }],
    ['a string', { maxSeatsPerHold: '4' }],
    ['an empty body', {}],
    ['more seats per hold than per fan', { maxSeatsPerHold: 10, maxSeatsPerFan: 9 }],
  ])('answers 400 problem JSON to %s and changes nothing', async (_label, body) => {
    const before = await redis.hgetall(bookingRedisKeys(keyPrefix, eventId).settings);
    const reply = await put(body);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ status: 400 });
    expect(await redis.hgetall(bookingRedisKeys(keyPrefix, eventId).settings)).toEqual(before);
  });

  it('refuses callers without an organizer token', async () => {
    expect((await put({ maxSeatsPerHold: 3 }, null)).status).toBe(401);
    expect((await put({ maxSeatsPerHold: 3 }, 'not-a-token')).status).toBe(401);
  });
});
