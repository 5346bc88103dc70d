// A signed-in fan books through the real roles (api, waiting-room, admission, worker, relay,
// notifier) and the real servers; the mail is read back from Mailpit's API.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { loadConfig } from '../../../lib/config.js';
import { ensureTables, tableNames } from '../../../lib/dynamo.js';
import { createKafka, ensureTopics } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { Platform } from '../../../lib/platform.js';
import { deleteKeysByPrefix } from '../../../lib/redis.js';
import type { RunningRole } from '../../../lib/role.js';
import { startRoles, stopRoles } from '../../../roles.js';
import { TEST_CARDS } from '../../../booking/payments.js';
import { startNotifier } from '../../../workers/notifier-role.js';
import { startRelay } from '../../../workers/relay-role.js';
import { collectEventMessages } from '../relay/booking-sale.js';
import { freePort, MailpitClient } from './mailpit.js';
import { counterValue, groupAtTopicEnds, readiness, waitFor } from './notifier-stack.js';

const run = randomUUID().slice(0, 8);
const SEAT = { section: 'A', row: '1', number: 3 };

describe('a booking confirmation e-mail (real roles, Kafka, MariaDB, DynamoDB, Redis and Mailpit)', () => {
  const previousKeyPrefix = process.env.BOOKING_KEY_PREFIX;
  const tablePrefix = `notify-${run}-`;
  const keyPrefix = `test-notify-${run}:`;
  const mailpit = new MailpitClient();
  let platform: Platform;
  let roles: RunningRole[] = [];
  let notifier: RunningRole;
  let apiUrl: string;
  let waitingRoomUrl: string;
  let admissionUrl: string;
  const emails: string[] = [];
  // Only this suite's events: other suites' notifiers may hold claims on theirs (smtp-outage does).
  const ourEvents = new Set<string>();

  beforeAll(async () => {
    // Booking settings are read from the environment by the api and worker roles alike.
    process.env.BOOKING_KEY_PREFIX = keyPrefix;
    const [api, waitingRoom, admission, worker, relay, notifierPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
    const config = loadConfig({
      ...process.env,
      API_PORT: String(api),
      WAITING_ROOM_PORT: String(waitingRoom),
      ADMISSION_PORT: String(admission),
      WORKER_PORT: String(worker),
      RELAY_PORT: String(relay),
      NOTIFIER_PORT: String(notifierPort),
      WEB_ORIGIN: `http://127.0.0.1:${api}`,
      DYNAMODB_TABLE_PREFIX: tablePrefix,
      ADMISSION_TICK_MS: '250',
    });
    platform = new Platform(config, logger());
    await ensureTables(platform.dynamo().client, tablePrefix);
    await ensureTopics(platform.kafka());
    const groupId = `test-notifier-${run}`;
    await groupAtTopicEnds(platform.kafka(), groupId);
    roles = await startRoles(['api', 'waiting-room', 'admission', 'worker'], platform);
    roles.push(await startRelay(platform, { waitingRoomKeyPrefix: `${keyPrefix}no-rooms:` }));
    notifier = await startNotifier(platform, { groupId, handlesEvent: (eventId) => ourEvents.has(eventId) });
    roles.push(notifier);
    [apiUrl, waitingRoomUrl, admissionUrl] = [`http://127.0.0.1:${api}`, `http://127.0.0.1:${waitingRoom}`, `http://127.0.0.1:${admission}`];
    await waitFor('the notifier ready (in its group, SMTP answering)', 60_000, async () => (await readiness(notifier)).status === 200);
  }, 120_000);

  afterAll(async () => {
    await stopRoles(roles);
    await platform.prisma().user.deleteMany({ where: { email: { in: emails } } });
    for (const table of Object.values(tableNames(tablePrefix))) await platform.dynamo().client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    await deleteKeysByPrefix(platform.redis(), keyPrefix);
    await platform.close();
    if (previousKeyPrefix === undefined) delete process.env.BOOKING_KEY_PREFIX;
    else process.env.BOOKING_KEY_PREFIX = previousKeyPrefix;
  });

  async function call<T = Record<string, unknown>>(method: string, url: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  async function signUp(label: string, displayName: string): Promise<{ email: string; token: string }> {
    const email = `${label}-${run}@corral.test`;
    emails.push(email);
    const password = `password-${run}-${label}`;
    expect((await call('POST', `${apiUrl}/api/accounts`, { body: { email, password, displayName } })).status).toBe(201);
    const session = await call<{ token: string }>('POST', `${apiUrl}/api/sessions`, { body: { email, password } });
    expect(session.status).toBe(201);
    return { email, token: session.body.token };
  }

  /** An organizer publishes an event on sale now (its room opens at the default admission rate). */
  async function publishEvent(): Promise<{ eventId: string; name: string }> {
    const organizer = await signUp('organizer', 'Organizer');
    const organization = await call<{ id: string }>('POST', `${apiUrl}/api/organizations`, { token: organizer.token, body: { name: `Notify ${run}` } });
    const venue = await call<{ id: string }>('POST', `${apiUrl}/api/organizations/${organization.body.id}/venues`, {
      token: organizer.token,
      body: { name: `Mail Hall ${run}`, city: 'Porto', layout: gridLayout(['A'], 1, 10, () => 'std') },
    });
    const name = `Mail night ${run}`;
    const event = await call<{ id: string }>('POST', `${apiUrl}/api/organizations/${organization.body.id}/events`, {
      token: organizer.token,
      body: {
        venueId: venue.body.id,
        name,
        category: 'concert',
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        saleOpensAt: new Date(Date.now() - 60_000).toISOString(),
        priceTiers: [{ code: 'std', name: 'Standard', priceCents: 4500, currency: 'EUR' }],
      },
    });
    expect(event.status).toBe(201);
    ourEvents.add(event.body.id);
    expect((await call('POST', `${apiUrl}/api/events/${event.body.id}/publish`, { token: organizer.token })).status).toBe(200);
    return { eventId: event.body.id, name };
  }

  /** Joins as the signed-in fan, claims a pass once admitted, holds the seat and pays. */
  async function bookSeat(eventId: string, fan: { token: string }): Promise<string> {
    const joined = await call<{ queueToken: string }>('POST', `${waitingRoomUrl}/api/events/${eventId}/queue`, { headers: { cookie: `corral_session=${fan.token}` } });
    expect(joined.status).toBe(200);
    let pass = '';
    await waitFor('admission', 30_000, async () => {
      const claimed = await call<{ pass: string }>('POST', `${admissionUrl}/api/events/${eventId}/pass`, { token: joined.body.queueToken });
      pass = claimed.body.pass ?? '';
      return claimed.status === 200;
    });
    const accepted = await call<{ holdId: string }>('POST', `${apiUrl}/api/events/${eventId}/holds`, { token: pass, headers: { 'idempotency-key': `notify-${run}` }, body: { seats: [SEAT] } });
    expect(accepted.status).toBe(202);
    const { holdId } = accepted.body;
    await waitFor('the hold', 30_000, async () => (await call<{ status: string }>('GET', `${apiUrl}/api/holds/${holdId}`, { token: pass })).body.status === 'held');
    const confirmed = await call('POST', `${apiUrl}/api/holds/${holdId}/confirm`, { token: pass, body: { paymentToken: TEST_CARDS.approve } });
    expect(confirmed).toMatchObject({ status: 200, body: { status: 'confirmed' } });
    return holdId;
  }

  it('puts one mail with the seat in the fan’s inbox, and a replayed booking.confirmed sends no second one', async () => {
    const event = await publishEvent();
    const fan = await signUp('fan', 'Ana Fan');
    const collector = await collectEventMessages(createKafka(platform.config, logger()), ['booking.confirmed'], event.eventId);
    try {
      const holdId = await bookSeat(event.eventId, fan);

      await waitFor('the confirmation mail in Mailpit', 60_000, async () => (await mailpit.to(fan.email)).length > 0);
      const [summary, ...others] = await mailpit.to(fan.email);
      expect(others).toEqual([]);
      const mail = await mailpit.message(summary!.ID);
      expect(mail.To.map((to) => to.Address)).toEqual([fan.email]);
      expect(mail.Subject).toBe(`Your booking for ${event.name} is confirmed`);
      for (const body of [mail.Text, mail.HTML]) {
        expect(body).toContain('Section A, row 1, seat 3');
        expect(body).toContain(holdId);
        expect(body).toContain('€45.00');
      }
      expect(mail.Text).toContain('Hello Ana Fan,');

      // Replay the very message the relay produced, as a redelivery or a reset offset would.
      await waitFor('booking.confirmed on Kafka', 30_000, () => collector.received.length > 0);
      const original = collector.received[0]!.message;
      expect(original).toMatchObject({ id: `${holdId}:confirmed`, data: { fanId: expect.stringMatching(/^u:/) } });
      const duplicatesBefore = await counterValue(notifier, 'corral_notifications_total', { topic: 'booking.confirmed', outcome: 'duplicate' });
      const producer = platform.kafka().producer();
      await producer.connect();
      await producer.send({ topic: 'booking.confirmed', messages: [{ key: event.eventId, value: JSON.stringify(original) }] });
      await producer.disconnect();
      await waitFor('the replay handled as a duplicate', 30_000, async () => (await counterValue(notifier, 'corral_notifications_total', { topic: 'booking.confirmed', outcome: 'duplicate' })) > duplicatesBefore);
      expect((await mailpit.to(fan.email)).length).toBe(1);
      const row = await platform.prisma().notificationDelivery.findUnique({ where: { messageId: original.id } });
      expect(row).toMatchObject({ state: 'sent', recipient: fan.email, attempts: 1 });
    } finally {
      await collector.stop();
    }
  }, 180_000);
});
