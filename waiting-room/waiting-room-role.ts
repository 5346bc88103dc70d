// The waiting-room role: joins, queue tokens, REST status and the Socket.IO gateway that relays the
// admission role's `serving` packets to the pages subscribed to each event.
import { corsForOrigin } from '../lib/cors.js';
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { loadSigningKeys, loadVisitorCookieSecret } from '../lib/tokens/signing-keys.js';
import { waitingRoomRoutes } from './join-routes.js';
import { QueueStore } from './queue-store.js';
import { defaultJoinLimits, RequestLimits } from './request-limits.js';
import { SessionTokens } from '../accounts/sessions.js';
import { fanIdentifier } from './fan-rooms.js';
import { attachServingGateway, type ServingGateway } from './serving-gateway.js';
import { ActiveEvents } from './active-events.js';
import { RoomRecovery } from './room-recovery.js';

export async function startWaitingRoom(platform: Platform): Promise<RunningRole> {
  const { config } = platform;
  const redis = platform.redis();
  const store = new QueueStore({ redis });
  const keys = await loadSigningKeys(config, redis);
  const routes = waitingRoomRoutes({
    store,
    keys,
    joinLimits: new RequestLimits({ redis, action: 'join', ...defaultJoinLimits }),
    visitorCookieSecret: await loadVisitorCookieSecret(config, redis),
    secureCookies: config.NODE_ENV === 'production',
    clock: Date.now,
    sessions: new SessionTokens({ keys, redis }),
    recovery: new RoomRecovery({ redis, prisma: platform.prisma(), activeEvents: new ActiveEvents(redis), clock: Date.now, log: platform.log }),
  });
  const cors = corsForOrigin(config.WEB_ORIGIN);
  let gateway: ServingGateway | undefined;
  const running = await startHttpRole(platform, {
    role: 'waiting-room',
    portVariable: 'WAITING_ROOM_PORT',
    dependencies: ['redis'],
    routes: (app) => {
      app.use(cors);
      routes(app);
    },
    onListening: (server) => {
      gateway = attachServingGateway({ server, redis, store, log: platform.log, identifyFan: fanIdentifier(keys) });
      // The same policy for Socket.IO's long-polling transport (WebSocket upgrades need no CORS).
      gateway.io.engine.use(cors);
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
