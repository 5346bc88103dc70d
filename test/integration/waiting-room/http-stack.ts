// Both waiting-room roles as the product builds them, on port 0 against the real Redis, with a key
// prefix, Socket.IO channel and signing key of their own, and one hand-moved clock for all of them.
// Organizer calls go through the real access check (MySQL): the stack's own admin account signs in.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { AdmissionLoop } from '../../../admission/admission-loop.js';
import { admissionRoutes } from '../../../admission/admission-role.js';
import { exportPassSigningKey, generatePassSigningKey } from '../../../lib/tokens/passes.js';
import { RoomControl } from '../../../waiting-room/room-control.js';
import { signingKeysFromJwks, type SigningKeys } from '../../../lib/tokens/signing-keys.js';
import { SessionTokens } from '../../../accounts/sessions.js';
import { EventOrganizers } from '../../../catalog/event-organizers.js';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { waitingRoomRoutes } from '../../../waiting-room/join-routes.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { RequestLimits, type LimitRule } from '../../../waiting-room/request-limits.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { attachServingGateway, type ServingGateway } from '../../../waiting-room/serving-gateway.js';
import { createTestAdmin } from '../accounts/account-fixture.js';
import { config } from '../platform-env.js';
import { createRedisFixture, type RedisFixture } from './redis-fixture.js';

export const START_MS = 1_700_000_000_000;
export const ISSUER = 'https://corral.test';

export interface StackLimits {
  join: { perIp: LimitRule; perVisitor: LimitRule };
  pass: { perIp: LimitRule; perVisitor: LimitRule };
}

const generous: StackLimits = {
  join: { perIp: { points: 100_000, durationSeconds: 60 }, perVisitor: { points: 1_000, durationSeconds: 60 } },
  pass: { perIp: { points: 100_000, durationSeconds: 60 }, perVisitor: { points: 1_000, durationSeconds: 60 } },
};

export interface WaitingRoomStack {
  fixture: RedisFixture;
  keys: SigningKeys;
  /** Signs and verifies sign-in sessions with the stack's keys (as the api role would issue them). */
  sessions: SessionTokens;
  store: QueueStore;
  control: RoomControl;
  loop: AdmissionLoop;
  waitingRoomUrl: string;
  admissionUrl: string;
  prisma: PrismaClient;
  /** Session JWT of the stack's admin (role `admin` in MySQL): may run any room, catalog event or not. */
  adminToken: string;
  clock: { now: () => number; advance: (ms: number) => number };
  close(): Promise<void>;
}

export async function startWaitingRoomStack(limits: StackLimits = generous): Promise<WaitingRoomStack> {
  const fixture = createRedisFixture();
  const { redis, keyPrefix } = fixture;
  let nowMs = START_MS;
  const clock = { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
  const key = await generatePassSigningKey(`test-${keyPrefix.slice(5, 13)}`);
  const keys = await signingKeysFromJwks({ keys: [await exportPassSigningKey(key)] }, ISSUER, clock.now);
  const store = new QueueStore({ redis, keyPrefix });
  const sessions = new SessionTokens({ keys, signer: keys, redis, clock: clock.now, keyPrefix });
  const prisma = createPrisma(config.DATABASE_URL);
  const admin = await createTestAdmin(prisma, sessions, 'wr-admin');
  const channelKey = `${keyPrefix}socket.io`;
  const broadcaster = new ServingBroadcaster(redis, channelKey);
  const activeEvents = new ActiveEvents(redis, keyPrefix);
  const control = new RoomControl({ redis, store, activeEvents, broadcaster, clock: clock.now, openSeed: () => 'fixed-seed' });
  const log = logger();
  const loop = new AdmissionLoop({ redis, store, control, activeEvents, broadcaster, holderId: 'test-leader', leaseTtlMs: 60_000, clock: clock.now, log, keyPrefix });

  const waitingRoomApp = createHttpApp({
    role: 'waiting-room',
    log,
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: waitingRoomRoutes({
      store,
      keys,
      joinLimits: new RequestLimits({ redis, action: 'join', keyPrefix, ...limits.join }),
      visitorCookieSecret: 'a-test-secret-that-is-long-enough-0123456789',
      secureCookies: false,
      clock: clock.now,
      sessions,
    }),
  });
  const admissionApp = createHttpApp({
    role: 'admission',
    log,
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: admissionRoutes({
      store,
      keys,
      control,
      clock: clock.now,
      passLimits: new RequestLimits({ redis, action: 'pass', keyPrefix, ...limits.pass }),
      sessions,
      eventOrganizers: new EventOrganizers(prisma, 30_000, clock.now),
    }),
  });
  const waitingRoomServer = await listen(waitingRoomApp, '127.0.0.1', 0, 'WAITING_ROOM_PORT');
  const admissionServer = await listen(admissionApp, '127.0.0.1', 0, 'ADMISSION_PORT');
  const gateway: ServingGateway = attachServingGateway({ server: waitingRoomServer, redis, store, log, channelKey });
  await gateway.ready;

  return {
    fixture,
    keys,
    sessions,
    store,
    control,
    loop,
    waitingRoomUrl: urlOf(waitingRoomServer),
    admissionUrl: urlOf(admissionServer),
    prisma,
    adminToken: admin.token,
    clock,
    async close() {
      await gateway.close();
      await closeServer(waitingRoomServer);
      await closeServer(admissionServer);
      await loop.stop();
      await admin.remove();
      await prisma.$disconnect();
      await fixture.close();
    },
  };
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A browser stand-in: keeps the visitor cookie between requests, like a real page would. */
export class FanClient {
  cookie: string | undefined;

  async request(url: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookie !== undefined) headers['cookie'] = this.cookie;
    if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const setCookie = response.headers.getSetCookie().find((header) => header.startsWith('corral_vid='));
    if (setCookie !== undefined) this.cookie = setCookie.split(';')[0];
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
  }
}
