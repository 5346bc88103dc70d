// The api role: Express REST for the catalog, accounts, search, seats, reservations and checkout,
// and the web pages. Booking calls verify the admission pass locally and hand work to the
// booking partition queues; they never wait for a worker.
import type { JSONWebKeySet } from 'jose';
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';
import { loadBookingConfig, type BookingConfig } from '../booking/booking-config.js';
import { BookingQueues } from '../booking/booking-queues.js';
import { bookingStore } from '../booking/booking-store.js';
import { TestPaymentProvider, type PaymentProvider } from '../booking/payments.js';
import { SeatMapCache } from '../booking/seat-map-cache.js';
import { platformRoomControl } from '../waiting-room/room-control.js';
import { SoldOutCheck } from '../booking/sold-out-check.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { catalogApi } from './catalog-api.js';
import { mountHoldRoutes } from './hold-routes.js';
import { passCheckFromJwks, type PassCheck } from './pass-check.js';
import { mountSeatRoutes } from './seat-routes.js';
import { mountWebRoutes, webConfigOf } from './web-routes.js';

export interface ApiOptions {
  bookingConfig?: BookingConfig;
  passCheck?: PassCheck;
  payments?: PaymentProvider;
  clock?: () => number;
}

/** Passes are verified against the admission role's public keys: a JWKS given in env, else the
 * admission role's /.well-known/jwks.json (PASS_JWKS_URL, by default the local admission port),
 * fetched once and cached by jose — no round trip per request. */
function configuredPassCheck(config: BookingConfig, platform: Platform): PassCheck {
  if (config.PASS_JWKS) return passCheckFromJwks(JSON.parse(config.PASS_JWKS) as JSONWebKeySet, platform.config.PASS_ISSUER);
  const jwksUrl = platform.config.PASS_JWKS_URL ?? `http://127.0.0.1:${platform.config.ADMISSION_PORT}/.well-known/jwks.json`;
  return passCheckFromJwks(new URL(jwksUrl), platform.config.PASS_ISSUER);
}

export async function startApi(platform: Platform, options: ApiOptions = {}): Promise<RunningRole> {
  const bookingConfig = options.bookingConfig ?? loadBookingConfig();
  const passCheck = options.passCheck ?? configuredPassCheck(bookingConfig, platform);
  const store = bookingStore(platform.dynamo().doc, platform.config.DYNAMODB_TABLE_PREFIX, options.clock);
  const queues = new BookingQueues({ connection: platform.redis(), keyPrefix: bookingConfig.BOOKING_KEY_PREFIX, partitions: bookingConfig.BOOKING_PARTITIONS, headlinePartitions: bookingConfig.BOOKING_HEADLINE_PARTITIONS, pins: platform.redis() });
  const seatMap = SeatMapCache.configured(platform.redis(), store, bookingConfig, platform.log);
  const queueStore = new QueueStore({ redis: platform.redis() });
  // The last sale of an event marks its waiting room sold out (fans in line are told at once).
  const roomControl = platformRoomControl(platform);
  const soldOut = new SoldOutCheck({ store, seatMap, markSoldOut: (eventId) => roomControl.markSoldOut(eventId), log: platform.log });
  const mountCatalogApi = await catalogApi(platform, roomControl);
  return startHttpRole(platform, {
    role: 'api',
    portVariable: 'API_PORT',
    dependencies: ['redis', 'dynamodb', 'mysql', 'opensearch'],
    routes: (app) => {
      mountSeatRoutes(app, store, seatMap);
      mountHoldRoutes(app, {
        store,
        redis: platform.redis(),
        keyPrefix: bookingConfig.BOOKING_KEY_PREFIX,
        queues,
        // The only bundled provider is the test provider; a real one is wired here when chosen.
        payments: options.payments ?? new TestPaymentProvider(),
        passCheck,
        holdTtlMs: bookingConfig.HOLD_TTL_SECONDS * 1000,
        maxSeatsPerHold: bookingConfig.MAX_SEATS_PER_HOLD,
        maxSeatsPerFan: bookingConfig.MAX_SEATS_PER_FAN,
        sessions: queueStore,
        seatMap,
        soldOut,
        log: platform.log,
      });
      mountCatalogApi(app);
      // Last: the pages' SPA fallback answers only what no API route did.
      mountWebRoutes(app, webConfigOf(platform.config));
    },
    onStop: () => queues.close(),
  });
}
