// Shared by the waiting-room benchmarks: the waiting-room routes as the role mounts them, on a Redis
// key prefix of the run's own, with a throwaway signing key and rate limits out of reach.
import { randomUUID } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import { Redis } from 'ioredis';
import { loadConfig } from '../lib/config.js';
import { createHttpApp } from '../lib/http.js';
import { logger } from '../lib/log.js';
import { exportPassSigningKey, generatePassSigningKey } from '../lib/tokens/passes.js';
import { signingKeysFromJwks } from '../lib/tokens/signing-keys.js';
import { waitingRoomRoutes } from '../waiting-room/join-routes.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { RequestLimits } from '../waiting-room/request-limits.js';

/** `before`: middleware mounted ahead of the routes (e.g. a counter of what reaches the origin). */
export async function benchWaitingRoomApp(keyPrefix: string, before: RequestHandler[] = []): Promise<Express> {
  const redis = new Redis(loadConfig().REDIS_URL);
  const key = await generatePassSigningKey('bench');
  const keys = await signingKeysFromJwks({ keys: [await exportPassSigningKey(key)] }, 'corral-bench');
  const huge = { points: 1_000_000_000, durationSeconds: 60 };
  const routes = waitingRoomRoutes({
    store: new QueueStore({ redis, keyPrefix }),
    keys,
    joinLimits: new RequestLimits({ redis, action: 'join', keyPrefix, perIp: huge, perVisitor: huge }),
    visitorCookieSecret: randomUUID() + randomUUID(),
    secureCookies: false,
    clock: Date.now,
  });
  return createHttpApp({
    role: 'waiting-room',
    log: logger(),
    checks: [],
    dependencyTimeoutMs: 2_000,
    routes: (app) => {
      for (const handler of before) app.use(handler);
      routes(app);
    },
  });
}
