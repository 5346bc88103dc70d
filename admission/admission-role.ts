// The admission role: the per-event admission loop (fenced ticker, serving broadcast), passes, the
// JWKS and the organizer controls.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Express } from 'express';
import type { RedisClient } from '../lib/redis.js';
import { SessionTokens } from '../accounts/sessions.js';
import { EventOrganizers } from '../catalog/event-organizers.js';
import { corsForOrigin } from '../lib/cors.js';
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { defaultPassLimits, RequestLimits } from '../waiting-room/request-limits.js';
import { ServingBroadcaster } from '../waiting-room/serving-broadcast.js';
import { ActiveEvents } from '../waiting-room/active-events.js';
import { AdmissionLoop } from './admission-loop.js';
import { organizerRoutes, type OrganizerRouteOptions } from './organizer-routes.js';
import { passRoutes, type PassRouteOptions } from './pass-routes.js';
import { RoomControl } from '../waiting-room/room-control.js';
import { RoomRecovery } from '../waiting-room/room-recovery.js';
import { loadSigningKeys } from '../lib/tokens/signing-keys.js';
import { loadBookingConfig } from '../booking/booking-config.js';

export interface AdmissionRouteOptions extends PassRouteOptions, Pick<OrganizerRouteOptions, 'sessions' | 'eventOrganizers' | 'bookingSettings'> {
  control: RoomControl;
}

export function admissionRoutes(options: AdmissionRouteOptions): (app: Express) => void {
  const fanRoutes = passRoutes(options);
  const controlRoutes = organizerRoutes(options);
  return (app) => {
    fanRoutes(app);
    controlRoutes(app);
  };
}

/** Organizers set booking settings here; the api reads them with the same key prefix and defaults. */
function bookingSettingsOf(redis: RedisClient): OrganizerRouteOptions['bookingSettings'] {
  const booking = loadBookingConfig();
  return {
    redis,
    keyPrefix: booking.BOOKING_KEY_PREFIX,
    defaults: { holdTtlMs: booking.HOLD_TTL_SECONDS * 1000, maxSeatsPerHold: booking.MAX_SEATS_PER_HOLD, maxSeatsPerFan: booking.MAX_SEATS_PER_FAN },
  };
}

export async function startAdmission(platform: Platform): Promise<RunningRole> {
  const { config } = platform;
  const redis = platform.redis();
  const clock = Date.now;
  const store = new QueueStore({ redis });
  const keys = await loadSigningKeys(config, redis);
  const activeEvents = new ActiveEvents(redis);
  const broadcaster = new ServingBroadcaster(redis);
  const log = platform.log.child({ role: 'admission' });
  const recovery = new RoomRecovery({ redis, prisma: platform.prisma(), activeEvents, clock, log });
  const control = new RoomControl({ redis, store, activeEvents, broadcaster, clock, checkpoints: recovery.checkpoints });
  const loop = new AdmissionLoop({
    redis,
    store,
    control,
    activeEvents,
    broadcaster,
    holderId: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    leaseTtlMs: config.ADMISSION_LEASE_TTL_MS,
    clock,
    log,
    recovery,
  });
  const running = await startHttpRole(platform, {
    role: 'admission',
    portVariable: 'ADMISSION_PORT',
    dependencies: ['redis'],
    routes: (app) => {
      // The pages (WEB_ORIGIN) claim passes and drive the organizer dashboard from the browser.
      app.use(corsForOrigin(config.WEB_ORIGIN));
      admissionRoutes({
        store,
        keys,
        control,
        recovery,
        clock,
        passLimits: new RequestLimits({ redis, action: 'pass', ...defaultPassLimits }),
        // Organizer controls: sessions of the owning organization's members, or of admins.
        sessions: new SessionTokens({ keys, redis }),
        eventOrganizers: new EventOrganizers(platform.prisma()),
        bookingSettings: bookingSettingsOf(redis),
      })(app);
    },
    onStop: () => loop.stop(),
  });
  loop.start(config.ADMISSION_TICK_MS);
  return running;
}
