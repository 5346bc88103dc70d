// The api routes of accounts, catalog and search, and the admission organizer routes, on port 0
// against the real MariaDB, Redis, DynamoDB and OpenSearch, with table, key and index prefixes of
// their own and a signing key of their own.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Accounts } from '../../../accounts/accounts.js';
import { SessionTokens } from '../../../accounts/sessions.js';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { organizerRoutes } from '../../../admission/organizer-routes.js';
import { exportPassSigningKey, generatePassSigningKey } from '../../../lib/tokens/passes.js';
import { RoomControl } from '../../../waiting-room/room-control.js';
import { signingKeysFromJwks } from '../../../lib/tokens/signing-keys.js';
import { mountAccountRoutes } from '../../../api/account-routes.js';
import { mountCatalogRoutes } from '../../../api/catalog-routes.js';
import { mountSearchRoutes } from '../../../api/search-routes.js';
import { Catalog } from '../../../catalog/catalog.js';
import { CatalogReads } from '../../../catalog/catalog-reads.js';
import { EventOrganizers } from '../../../catalog/event-organizers.js';
import { publishHooks } from '../../../api/publish-hooks.js';
import { createDynamo, ensureTables } from '../../../lib/dynamo.js';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { createPrisma } from '../../../lib/mysql.js';
import { createRedis } from '../../../lib/redis.js';
import { createSearch } from '../../../lib/search.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { bookingStore } from '../../../booking/booking-store.js';
import { createTestAdmin } from '../accounts/account-fixture.js';
import { config, uniqueName } from '../platform-env.js';

export async function startCatalogStack(options: { indexPrefix?: string } = {}) {
  const run = uniqueName('cat');
  const keyPrefix = `test:${run}:`;
  const tablePrefix = `test-${run}-`;
  const prisma = createPrisma(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL);
  const dynamo = createDynamo(config);
  const search = createSearch(config);
  await ensureTables(dynamo.client, tablePrefix);
  const key = await generatePassSigningKey(`test-${run}`);
  const keys = await signingKeysFromJwks({ keys: [await exportPassSigningKey(key)] }, 'https://corral.test');
  const sessions = new SessionTokens({ keys, signer: keys, redis, keyPrefix });
  const queueStore = new QueueStore({ redis, keyPrefix });
  const activeEvents = new ActiveEvents(redis, keyPrefix);
  const roomControl = new RoomControl({ redis, store: queueStore, activeEvents, broadcaster: new ServingBroadcaster(redis, `${keyPrefix}socket.io`), clock: Date.now });
  const store = bookingStore(dynamo.doc, tablePrefix);
  const hooks = publishHooks({ store, queueStore, roomControl, activeEvents });
  const log = logger();
  const apiApp = createHttpApp({
    role: 'api',
    log,
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: (app) => {
      mountAccountRoutes(app, { accounts: new Accounts(prisma, redis, { maxFailures: 5, windowSeconds: 60 }, keyPrefix), sessions, prisma, secureCookies: false });
      mountCatalogRoutes(app, { catalog: new Catalog(prisma), reads: new CatalogReads(prisma), sessions, hooks });
      mountSearchRoutes(app, { search, indexPrefix: options.indexPrefix ?? `${run}-` });
    },
  });
  const admissionApp = createHttpApp({
    role: 'admission',
    log,
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: organizerRoutes({ control: roomControl, sessions: new SessionTokens({ keys, redis, keyPrefix }), eventOrganizers: new EventOrganizers(prisma) }),
  });
  const apiServer = await listen(apiApp, '127.0.0.1', 0, 'API_PORT');
  const admissionServer = await listen(admissionApp, '127.0.0.1', 0, 'ADMISSION_PORT');
  const admin = await createTestAdmin(prisma, sessions, 'cat-admin');
  return {
    prisma,
    redis,
    store,
    queueStore,
    search,
    apiUrl: urlOf(apiServer),
    admissionUrl: urlOf(admissionServer),
    /** Session JWT of a platform admin (role `admin` in MySQL). */
    adminToken: admin.token,
    async close() {
      await closeServer(apiServer);
      await closeServer(admissionServer);
      await admin.remove();
      await prisma.$disconnect();
      redis.disconnect();
      dynamo.client.destroy();
      await search.close();
    },
  };
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: Record<string, any> | undefined;
}

export async function http(url: string, init: { method?: string; body?: unknown; token?: string; cookie?: string } = {}): Promise<HttpReply> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  if (init.cookie !== undefined) headers['cookie'] = init.cookie;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
}
