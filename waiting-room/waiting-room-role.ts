// The waiting-room role: joins, queue tokens, REST status and the Socket.IO gateway that relays the
// admission role's `serving` packets to the pages subscribed to each event.
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { loadSigningKeys, loadVisitorCookieSecret } from '../admission/signing-keys.js';
import { waitingRoomRoutes } from './join-routes.js';
import { QueueStore } from './queue-store.js';
import { defaultJoinLimits, RequestLimits } from './request-limits.js';
import { attachServingGateway, type ServingGateway } from './serving-gateway.js';

export async function startWaitingRoom(platform: Platform): Promise<RunningRole> {
  const { config } = platform;
  const redis = platform.redis();
  const store = new QueueStore({ redis });
  const routes = waitingRoomRoutes({
    store,
    keys: await loadSigningKeys(config, redis),
    joinLimits: new RequestLimits({ redis, action: 'join', ...defaultJoinLimits }),
    visitorCookieSecret: await loadVisitorCookieSecret(config, redis),
    secureCookies: config.NODE_ENV === 'production',
    clock: Date.now,
  });
  let gateway: ServingGateway | undefined;
  const running = await startHttpRole(platform, {
    role: 'waiting-room',
    portVariable: 'WAITING_ROOM_PORT',
    dependencies: ['redis'],
    routes,
    onListening: (server) => {
      gateway = attachServingGateway({ server, redis, store, log: platform.log });
    },
  });
  return {
    ...running,
    // WebSockets first: the HTTP server's close waits for every upgraded socket to end.
    stop: async () => {
      await gateway?.close();
      await running.stop();
    },
  };
}
