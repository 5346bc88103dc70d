// The delivery ledger against real MariaDB: one claim per message id, a live claim keeps others
// out, a lapsed one is taken over by exactly one of many, and the old holder can no longer finish.
import { randomUUID } from 'node:crypto';
import { createPrisma, type PrismaClient } from '../../../lib/mysql.js';
import { DeliveryLedger } from '../../../workers/notifier/delivery-ledger.js';
import { config } from '../platform-env.js';

describe('notification delivery ledger (real MariaDB)', () => {
  const eventId = `ledger-${randomUUID().slice(0, 8)}`;
  let prisma: PrismaClient;
  let nowMs = Date.now();
  const clock = () => nowMs;

  beforeAll(() => {
    prisma = createPrisma(config.DATABASE_URL);
  });
  afterAll(async () => {
    await prisma.notificationDelivery.deleteMany({ where: { eventId } });
    await prisma.$disconnect();
  });

  const entry = (label: string) => ({ messageId: `h_${eventId}-${label}:confirmed`, topic: 'booking.confirmed', eventId, fanId: 'u:someone' });

  it('lets one claimant in, keeps the rest out while its claim lives, and says done once finished', async () => {
    const ledger = new DeliveryLedger(prisma, 10_000, clock);
    const claims = await Promise.all(Array.from({ length: 8 }, () => ledger.claim(entry('once'))));
    const winners = claims.filter((claim) => claim.status === 'claimed');
    expect(winners).toHaveLength(1);
    expect(claims.filter((claim) => claim.status === 'busy')).toHaveLength(7);
    const token = (winners[0] as { token: string }).token;
    expect(await ledger.renew(entry('once').messageId, token, true)).toBe(true);
    expect(await ledger.finish(entry('once').messageId, token, { state: 'sent', recipient: 'fan@corral.test', smtpMessageId: '<x@y>' })).toBe(true);
    expect(await ledger.claim(entry('once'))).toEqual({ status: 'done', state: 'sent' });
    expect(await prisma.notificationDelivery.findUnique({ where: { messageId: entry('once').messageId } })).toMatchObject({ state: 'sent', attempts: 1, recipient: 'fan@corral.test' });
  });

  it('hands a lapsed claim (its notifier died mid-send) to exactly one taker, and the dead holder cannot finish it', async () => {
    const ledger = new DeliveryLedger(prisma, 10_000, clock);
    const first = await ledger.claim(entry('lapsed'));
    expect(first.status).toBe('claimed');
    nowMs += 10_001;
    const takers = await Promise.all(Array.from({ length: 6 }, () => ledger.claim(entry('lapsed'))));
    const takenOver = takers.filter((claim) => claim.status === 'claimed');
    expect(takenOver).toEqual([expect.objectContaining({ takenOver: true })]);
    const oldToken = (first as { token: string }).token;
    expect(await ledger.renew(entry('lapsed').messageId, oldToken, true)).toBe(false);
    expect(await ledger.finish(entry('lapsed').messageId, oldToken, { state: 'sent', recipient: 'a@b', smtpMessageId: '<a@b>' })).toBe(false);
    expect(await ledger.finish(entry('lapsed').messageId, (takenOver[0] as { token: string }).token, { state: 'dead_lettered', reason: 'smtp-rejected: 550' })).toBe(true);
    expect(await ledger.claim(entry('lapsed'))).toEqual({ status: 'done', state: 'dead_lettered' });
  });
});
