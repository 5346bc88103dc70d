// The mail server dies mid-run (SIGKILL) while confirmations keep arriving, and comes back: every
// fan gets exactly one mail, nothing is dead-lettered for the outage, and a refusal for good (5xx)
// is dead-lettered with its reason. Real Kafka and MariaDB; a Mailpit of this suite's own.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../lib/config.js';
import { createKafka, ensureTopics } from '../../../lib/kafka.js';
import { logger } from '../../../lib/log.js';
import { Platform } from '../../../lib/platform.js';
import type { RunningRole } from '../../../lib/role.js';
import { DEAD_LETTER_TOPIC } from '../../../workers/notifier/dead-letters.js';
import { startNotifier } from '../../../workers/notifier-role.js';
import { collectEventMessages } from '../relay/booking-sale.js';
import { freePort, startOwnMailpit, type OwnMailpit } from './mailpit.js';
import { counterValue, groupAtTopicEnds, readiness, waitFor } from './notifier-stack.js';

const run = randomUUID().slice(0, 8);
const FANS = 6;
// Fast retries for the test; the defaults are in workers/notifier/notifier-config.ts.
const NOTIFIER_ENV = { NOTIFIER_RETRY_BASE_MS: '50', NOTIFIER_RETRY_MAX_MS: '200', NOTIFIER_OUTAGE_MAX_MS: '500', SMTP_CONNECT_TIMEOUT_MS: '1000' };

describe('the SMTP server killed mid-run (real Kafka, MariaDB and Mailpit)', () => {
  const eventId = `outage-${run}`;
  const previousEnv = Object.fromEntries(Object.keys(NOTIFIER_ENV).map((key) => [key, process.env[key]]));
  let mailpit: OwnMailpit;
  let platform: Platform;
  let notifier: RunningRole | undefined;
  const users: Array<{ id: string; email: string }> = [];

  beforeAll(async () => {
    Object.assign(process.env, NOTIFIER_ENV);
    // Recipients outside corral.test are refused with 550, as an unknown mailbox would be.
    mailpit = await startOwnMailpit(run, '@corral\\.test$');
    const config = loadConfig({ ...process.env, SMTP_URL: mailpit.smtpUrl, NOTIFIER_PORT: String(await freePort()) });
    platform = new Platform(config, logger());
    await ensureTopics(platform.kafka());
    for (let index = 1; index <= FANS; index += 1) {
      users.push(await platform.prisma().user.create({ data: { email: `outage-${index}-${run}@corral.test`, displayName: `Fan ${index}` }, select: { id: true, email: true } }));
    }
    users.push(await platform.prisma().user.create({ data: { email: `outage-refused-${run}@refused.test` }, select: { id: true, email: true } }));
  }, 60_000);

  afterAll(async () => {
    try {
      await notifier?.stop();
      await platform.prisma().notificationDelivery.deleteMany({ where: { eventId } });
      await platform.prisma().user.deleteMany({ where: { id: { in: users.map((user) => user.id) } } });
      await platform.close();
    } finally {
      await mailpit.close();
    }
    for (const [key, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const confirmation = (holdId: string, fanId: string, seatNumber: number) =>
    JSON.stringify({
      id: `${holdId}:confirmed`,
      type: 'booking.confirmed',
      version: 1,
      time: new Date().toISOString(),
      eventId,
      data: { holdId, fanId, seatKeys: [`SEAT#A#1#${seatNumber}`], amountCents: 4500 },
    });

  it('sends every held-back mail once when the server is back, and dead-letters only the refused one', async () => {
    const kafka = createKafka(platform.config, logger());
    const groupId = `test-notifier-outage-${run}`;
    await groupAtTopicEnds(kafka, groupId);
    notifier = await startNotifier(platform, { groupId, handlesEvent: (id) => id === eventId });
    await waitFor('the notifier ready', 60_000, async () => (await readiness(notifier!)).status === 200);
    const deadLetters = await collectEventMessages(kafka, [DEAD_LETTER_TOPIC], eventId);
    const producer = kafka.producer();
    await producer.connect();
    const holds = users.map((_, index) => `h_outage${run}${String(index).padStart(4, '0')}`);
    const produce = (indexes: number[]) =>
      producer.send({ topic: 'booking.confirmed', messages: indexes.map((index) => ({ key: eventId, value: confirmation(holds[index]!, `u:${users[index]!.id}`, index + 1) })) });
    const inbox = async () => Promise.all(users.map(async (user) => (await mailpit.client.to(user.email)).length));
    try {
      await produce([0, 1, 2]);
      await waitFor('the first mail', 30_000, async () => (await inbox()).some((count) => count > 0));
      // Killed while the rest of the first batch may still be on the wire.
      await mailpit.kill();
      // Meanwhile: the rest of the fans, a replay of the first fan's message, a visitor, a refused address.
      await produce([3, 4, 5, 0, 6]);
      await producer.send({ topic: 'booking.confirmed', messages: [{ key: eventId, value: confirmation(`h_outagevisitor${run}`, `v:${randomUUID()}`, 20) }] });
      // Down for readiness (its own probe can see that first), and a held-back mail really tried
      // against the dead server: Kafka may hand the notifier the second batch a few seconds late.
      await waitFor('readiness to report SMTP down', 30_000, async () => (await readiness(notifier!)).dependencies.smtp?.ok === false);
      await waitFor('a send to meet the dead server', 30_000, async () => (await counterValue(notifier!, 'corral_notification_send_failures_total', { kind: 'unreachable' })) > 0);
      expect(deadLetters.received).toEqual([]);

      await mailpit.start();
      await waitFor('every fan’s mail', 60_000, async () => (await inbox()).slice(0, FANS).every((count) => count >= 1));
      await waitFor('the refused address dead-lettered', 30_000, () => deadLetters.received.length >= 1);
      await waitFor('the ledger to settle', 30_000, async () => (await platform.prisma().notificationDelivery.count({ where: { eventId, state: 'sending' } })) === 0);
      // The visitor's message comes after the refused one on the partition: wait until it is handled too.
      await waitFor('the visitor skipped', 30_000, async () => (await counterValue(notifier!, 'corral_notifications_total', { topic: 'booking.confirmed', outcome: 'skipped' })) >= 1);

      expect(await inbox()).toEqual([1, 1, 1, 1, 1, 1, 0]);
      const rows = await platform.prisma().notificationDelivery.findMany({ where: { eventId }, orderBy: { messageId: 'asc' } });
      expect(rows.map((row) => [row.messageId, row.state])).toEqual(holds.map((hold, index) => [`${hold}:confirmed`, index < FANS ? 'sent' : 'dead_lettered']));
      expect(deadLetters.received.map((entry) => entry.message)).toEqual([
        expect.objectContaining({ id: `${holds[6]}:confirmed`, type: DEAD_LETTER_TOPIC, data: expect.objectContaining({ reason: 'smtp-rejected', topic: 'booking.confirmed' }) }),
      ]);
      expect(await counterValue(notifier, 'corral_notification_send_failures_total', { kind: 'unreachable' })).toBeGreaterThan(0);
      expect(await counterValue(notifier, 'corral_notifications_total', { topic: 'booking.confirmed', outcome: 'skipped' })).toBeGreaterThanOrEqual(1);
      expect((await readiness(notifier)).dependencies.smtp).toMatchObject({ ok: true });
    } finally {
      await producer.disconnect();
      await deadLetters.stop();
    }
  }, 180_000);
});
