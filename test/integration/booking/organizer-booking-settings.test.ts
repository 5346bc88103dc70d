import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { SessionTokens } from '../../../accounts/sessions.js';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { organizerRoutes } from '../../../admission/organizer-routes.js';
import { generatePassSigningKey, PassKeyRing } from '../../../lib/tokens/passes.js';
import { RoomControl } from '../../../waiting-room/room-control.js';
import { signToken } from '../../../lib/tokens/signed-tokens.js';
import type { SigningKeys } from '../../../lib/tokens/signing-keys.js';
import { EventOrganizers } from '../../../catalog/event-organizers.js';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { bookingRedisKeys } from '../../../booking/booking-keys.js';
import { readEventBookingSettings } from '../../../booking/event-booking-settings.js';
import { createTestAccount, createTestAdmin, type TestAccount } from '../accounts/account-fixture.js';
import { uniqueEventId } from './booking-fixture.js';
import { config } from '../platform-env.js';

const defaults = { holdTtlMs: 600_000, maxSeatsPerHold: 8, maxSeatsPerFan: 8 };

describe('organizer booking settings: PUT /api/organizer/events/:id/booking (real Redis and MySQL)', () => {
  const keyPrefix = `test-bk-org-${uniqueEventId('p')}:`;
  const eventId = uniqueEventId('settings');
  let redis: Redis;
  let prisma: PrismaClient;
  let keys: SigningKeys;
  let sessions: SessionTokens;
  let admin: TestAccount;
  let server: Server;
  let baseUrl: string;
  let token: string;

  beforeAll(async () => {
    redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    prisma = createPrisma(config.DATABASE_URL);
    const current = await generatePassSigningKey('org-k1');
    const passRing = new PassKeyRing({ current, issuer: 'test-admission' });
    keys = { current, issuer: 'test-admission', passRing, jwks: passRing.jwks() };
    sessions = new SessionTokens({ keys, signer: keys, redis, keyPrefix });
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
      routes: organizerRoutes({ control, sessions, eventOrganizers: new EventOrganizers(prisma), bookingSettings: { redis, keyPrefix, defaults } }),
    });
    server = await listen(app, '127.0.0.1', 0, 'ADMISSION_PORT');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The event is not in the catalog (settings written for a bare id), so an admin it is.
    admin = await createTestAdmin(prisma, sessions, 'bk-admin');
    token = admin.token;
  });
  afterAll(async () => {
    await closeServer(server);
    await redis.del(bookingRedisKeys(keyPrefix, eventId).settings);
    await admin.remove();
    await prisma.$disconnect();
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

  it('refuses callers without a session (401) and signed-in non-admins of an event outside the catalog (403), and changes nothing', async () => {
    const before = await redis.hgetall(bookingRedisKeys(keyPrefix, eventId).settings);
    expect((await put({ maxSeatsPerHold: 3 }, null)).status).toBe(401);
    expect((await put({ maxSeatsPerHold: 3 }, 'not-a-token')).status).toBe(401);
    const legacyOrganizerToken = await signToken(keys, { audience: 'corral-organizer', subject: 'org-test', claims: { role: 'organizer' }, ttlSeconds: 3600, nowMs: Date.now() });
    expect((await put({ maxSeatsPerHold: 3 }, legacyOrganizerToken)).status).toBe(401);
    const fan = await createTestAccount(prisma, sessions, 'bk-fan', 'fan');
    try {
      expect(await put({ maxSeatsPerHold: 3 }, fan.token)).toMatchObject({ status: 403, body: { type: 'https://corral.dev/problems/forbidden' } });
    } finally {
      await fan.remove();
    }
    expect(await redis.hgetall(bookingRedisKeys(keyPrefix, eventId).settings)).toEqual(before);
  });
});
