// The sale's roles for a test: api, waiting-room, admission and worker started in-process on free
// ports with DynamoDB tables and booking keys of their own (the chaos scenarios, the load-scenario smoke).
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../lib/config.js';
import { ensureTables } from '../lib/dynamo.js';
import { logger } from '../lib/log.js';
import { Platform } from '../lib/platform.js';
import type { RoleName, RunningRole } from '../lib/role.js';
import { startRoles, stopRoles } from '../roles.js';
import { freePort } from './free-port.js';

export interface SaleStack {
  id: string;
  apiUrl: string;
  waitingRoomUrl: string;
  admissionUrl: string;
  platform: Platform;
  tablePrefix: string;
  bookingKeyPrefix: string;
  /** What a child process needs to reach the same roles and data (ports, prefixes). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * api, waiting-room, admission and worker in this process, on free ports, with DynamoDB tables and
 * booking keys of their own, against `redisUrl` (default: the local stack's).
 */
export async function startSaleStack(
  redisUrl?: string,
  extraEnv: Record<string, string> = {},
  /** Which of the four run in-process (a scenario may run admission as child processes of its own). */
  roleNames: RoleName[] = ['api', 'waiting-room', 'admission', 'worker'],
): Promise<SaleStack> {
  const id = randomUUID().slice(0, 8);
  const [api, waitingRoom, admission, worker] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const env: Record<string, string> = {
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    API_PORT: String(api),
    WAITING_ROOM_PORT: String(waitingRoom),
    ADMISSION_PORT: String(admission),
    WORKER_PORT: String(worker),
    WEB_ORIGIN: `http://127.0.0.1:${api}`,
    DYNAMODB_TABLE_PREFIX: `sale-${id}-`,
    BOOKING_KEY_PREFIX: `sale-${id}:`,
    ADMISSION_TICK_MS: '250',
    ...extraEnv,
  };
  // Booking settings are read from the environment by the api and worker roles alike.
  Object.assign(process.env, env);
  const config = loadConfig({ ...process.env, ...env });
  const platform = new Platform(config, logger());
  await ensureTables(platform.dynamo().client, config.DYNAMODB_TABLE_PREFIX);
  const roles: RunningRole[] = await startRoles(roleNames, platform);
  return {
    id,
    apiUrl: `http://127.0.0.1:${api}`,
    waitingRoomUrl: `http://127.0.0.1:${waitingRoom}`,
    admissionUrl: `http://127.0.0.1:${admission}`,
    platform,
    tablePrefix: config.DYNAMODB_TABLE_PREFIX,
    bookingKeyPrefix: env.BOOKING_KEY_PREFIX!,
    env,
    async close() {
      await stopRoles(roles);
      await platform.close();
    },
  };
}
