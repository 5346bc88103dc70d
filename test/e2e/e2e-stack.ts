// The system the browser specs drive: api (serving web/dist), waiting-room, admission and worker
// roles started in the Playwright worker process on free ports, with DynamoDB tables, a booking key prefix and a
// fast admission tick of their own; plus a platform admin (signed up, granted the role the way
// `npm run admin -- grant-admin` does, signed in) and helpers to set up an event.
import { randomUUID } from 'node:crypto';
import { deleteKeysByPrefix } from '../../lib/redis.js';
import { existsSync, mkdirSync } from 'node:fs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { grantAdmin } from '../../accounts/admin-roles.js';
import { gridLayout } from '../../catalog/venue-layout.js';
import { loadConfig } from '../../lib/config.js';
import { ensureTables, tableNames } from '../../lib/dynamo.js';
import { logger } from '../../lib/log.js';
import { Platform } from '../../lib/platform.js';
import type { RunningRole } from '../../lib/role.js';
import { startRoles, stopRoles } from '../../roles.js';
import { bookingRedisKeys } from '../../booking/booking-keys.js';
import { bookingStore } from '../../booking/booking-store.js';
import { provisionSeats } from '../../booking/seat-provisioning.js';
import { freePort } from '../free-port.js';

export const ARTIFACTS = new URL('../../test-results/e2e/', import.meta.url).pathname;
const WEB_DIST_INDEX = new URL('../../web/dist/index.html', import.meta.url).pathname;

export interface E2eStack {
  apiUrl: string;
  admissionUrl: string;
  /** A platform admin: may run every room, including the ones set up here outside the catalog. */
  admin: { email: string; password: string; token: string };
  browser: Browser;
  newEventId(label: string): string;
  /**
   * A room (rate 0 so fans wait until the organizer acts) and a grid of seats. Open at once, or with
   * `opensInMs` in the pre-queue until the admission ticker opens it.
   */
  setUpEvent(eventId: string, seats: { sections: string[]; rows: number; seatsPerRow: number }, options?: { opensInMs?: number; admissionRatePerMinute?: number }): Promise<void>;
  /**
   * Writes the event's hold TTL straight into its booking settings hash, below the organizer API's
   * 30-second floor, so a test can watch a hold expire in seconds.
   */
  setHoldTtlSeconds(eventId: string, seconds: number): Promise<void>;
  /**
   * An organizer account, its organization, a venue and a published event, all through the api
   * role's HTTP API as the organizer would; publishing provisions the seats and the waiting room.
   */
  publishCatalogEvent(label: string): Promise<{ eventId: string; name: string; email: string; password: string }>;
  organizer(eventId: string, action: string, body?: object): Promise<Record<string, unknown>>;
  phone(): Promise<BrowserContext>;
  desktop(): Promise<BrowserContext>;
  /** A full-page screenshot in test-results/e2e/<name>.png; returns the path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Closes the contexts phone() and desktop() opened (the fixtures do it after each test). */
  closeContexts(): Promise<void>;
  close(): Promise<void>;
}


/** On `browser`, the one Playwright launched for the worker (config: Debian's Chromium). */
export async function startE2eStack(browser: Browser): Promise<E2eStack> {
  if (!existsSync(WEB_DIST_INDEX)) throw new Error('web/dist is not built: run `npm run build:web` (npm test builds it in pretest)');
  mkdirSync(ARTIFACTS, { recursive: true });
  const id = randomUUID().slice(0, 8);
  const [apiPort, waitingRoomPort, admissionPort, workerPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const tablePrefix = `e2e-${id}-`;
  // Booking settings are read from the environment by the api and worker roles alike.
  process.env.BOOKING_KEY_PREFIX = `e2e-${id}:`;
  process.env.BOOKING_PARTITIONS = '2';
  const config = loadConfig({
    ...process.env,
    API_PORT: String(apiPort),
    WAITING_ROOM_PORT: String(waitingRoomPort),
    ADMISSION_PORT: String(admissionPort),
    WORKER_PORT: String(workerPort),
    WEB_ORIGIN: `http://127.0.0.1:${apiPort}`,
    DYNAMODB_TABLE_PREFIX: tablePrefix,
    ADMISSION_TICK_MS: '250',
  });
  const platform = new Platform(config, logger());
  await ensureTables(platform.dynamo().client, tablePrefix);
  let roles: RunningRole[] = [];
  const contexts: BrowserContext[] = [];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  let admin: E2eStack['admin'];
  try {
    roles = await startRoles(['api', 'waiting-room', 'admission', 'worker'], platform);
    admin = await signUpAdmin(apiUrl, platform, id);
  } catch (error) {
    await stopRoles(roles);
    await platform.close();
    throw error;
  }
  const admissionUrl = `http://127.0.0.1:${admissionPort}`;
  const store = bookingStore(platform.dynamo().doc, tablePrefix);

  async function organizer(eventId: string, action: string, body: object = {}): Promise<Record<string, unknown>> {
    const response = await fetch(`${admissionUrl}/api/organizer/events/${eventId}/${action}`, {
      method: action === 'room' ? 'PUT' : 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const reply = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`organizer ${action}: ${response.status} ${JSON.stringify(reply)}`);
    return reply;
  }

  const newContext = async (options: Parameters<Browser['newContext']>[0]) => {
    const context = await browser.newContext({ baseURL: apiUrl, ...options });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    return context;
  };

  return {
    apiUrl,
    admissionUrl,
    admin,
    browser,
    newEventId: (label) => `e2e-${label}-${id}`,
    async setUpEvent(eventId, seats, options = {}) {
      const opensAt = Date.now() + (options.opensInMs ?? -1000);
      await organizer(eventId, 'room', { opensAt, admissionRatePerMinute: options.admissionRatePerMinute ?? 0, maxActiveShoppers: 100, passTtlSeconds: 900 });
      if (options.opensInMs === undefined) await organizer(eventId, 'open');
      const layout = gridLayout(seats.sections, seats.rows, seats.seatsPerRow, () => 'std');
      await provisionSeats(store, eventId, layout, { std: 4500 });
    },
    async setHoldTtlSeconds(eventId, seconds) {
      await platform.redis().hset(bookingRedisKeys(`e2e-${id}:`, eventId).settings, 'holdTtlSeconds', String(seconds));
    },
    async publishCatalogEvent(label) {
      const email = `organizer-${label}-${id}@e2e.test`;
      const password = `e2e-password-${id}`;
      const call = async <T>(method: string, path: string, body: object, token?: string): Promise<T> => {
        const response = await fetch(`${apiUrl}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
        const reply = (await response.json()) as T;
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(reply)}`);
        return reply;
      };
      await call('POST', '/api/accounts', { email, password, displayName: `Organizer ${label}` });
      const { token } = await call<{ token: string }>('POST', '/api/sessions', { email, password });
      const organization = await call<{ id: string }>('POST', '/api/organizations', { name: `E2E ${label} ${id}` }, token);
      const venue = await call<{ id: string }>('POST', `/api/organizations/${organization.id}/venues`, { name: `E2E Hall ${id}`, city: 'Lisbon', layout: gridLayout(['A'], 2, 10, () => 'std') }, token);
      const name = `E2E ${label} night ${id}`;
      const event = await call<{ id: string }>(
        'POST',
        `/api/organizations/${organization.id}/events`,
        {
          venueId: venue.id,
          name,
          category: 'concert',
          startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          saleOpensAt: new Date(Date.now() - 60_000).toISOString(),
          priceTiers: [{ code: 'std', name: 'Standard', priceCents: 4500, currency: 'EUR' }],
        },
        token,
      );
      await call('POST', `/api/events/${event.id}/publish`, {}, token);
      return { eventId: event.id, name, email, password };
    },
    organizer,
    phone: () => newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true }),
    desktop: () => newContext({ viewport: { width: 1280, height: 900 } }),
    async screenshot(page, name) {
      const file = `${ARTIFACTS}${name}.png`;
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async closeContexts() {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    },
    async close() {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
      await stopRoles(roles);
      await platform.prisma().user.deleteMany({ where: { email: admin.email } });
      for (const table of Object.values(tableNames(tablePrefix))) {
        await platform.dynamo().client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      }
      await deleteKeysByPrefix(platform.redis(), `e2e-${id}:`);
      await platform.close();
    },
  };
}

/** Through the api like a person, except the role: that is granted in MySQL, as the admin CLI does. */
async function signUpAdmin(apiUrl: string, platform: Platform, id: string): Promise<E2eStack['admin']> {
  const email = `admin-${id}@e2e.test`;
  const password = `e2e-admin-password-${id}`;
  const post = (path: string, body: object) =>
    fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const signUp = await post('/api/accounts', { email, password, displayName: 'E2E Admin' });
  if (signUp.status !== 201) throw new Error(`admin sign-up: ${signUp.status} ${await signUp.text()}`);
  await grantAdmin(platform.prisma(), email);
  const signIn = await post('/api/sessions', { email, password });
  if (signIn.status !== 201) throw new Error(`admin sign-in: ${signIn.status} ${await signIn.text()}`);
  const { token } = (await signIn.json()) as { token: string };
  return { email, password, token };
}
