// The notifier's memory of what it has mailed, in MySQL `notification_deliveries`, keyed by the Kafka
// message id. A message is claimed (a row in `sending` with a lapsing claim) before its mail goes out
// and marked `sent` or `dead_lettered` after, so a replay, a redelivery or a second consumer during a
// rebalance finds the row and sends nothing. A notifier that died mid-send leaves a claim that lapses;
// the next one takes it over. SMTP has no idempotency key, so the one window left is a crash after
// the server accepted the mail and before the row said so: that mail may go twice (same Message-ID).
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../lib/mysql.js';

export type FinalState = 'sent' | 'dead_lettered';

export type Claim =
  | { status: 'claimed'; token: string; takenOver: boolean }
  /** Handled before: nothing to do. */
  | { status: 'done'; state: FinalState }
  /** Another notifier holds a live claim (it is sending now). */
  | { status: 'busy'; claimedUntil: Date };

export interface DeliveryEntry {
  messageId: string;
  topic: string;
  eventId: string;
  fanId: string;
}

export type Finish = { state: 'sent'; recipient: string; smtpMessageId: string } | { state: 'dead_lettered'; reason: string; recipient?: string };

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === 'P2002';

export class DeliveryLedger {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly claimTtlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  private until(): Date {
    return new Date(this.clock() + this.claimTtlMs);
  }

  async claim(entry: DeliveryEntry): Promise<Claim> {
    const token = randomUUID();
    // Twice at most: a row deleted between the insert and the read (an operator re-driving it).
    for (let round = 0; round < 2; round += 1) {
      try {
        await this.prisma.notificationDelivery.create({ data: { ...entry, state: 'sending', claimToken: token, claimedUntil: this.until() } });
        return { status: 'claimed', token, takenOver: false };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const takenOver = await this.prisma.notificationDelivery.updateMany({
        where: { messageId: entry.messageId, state: 'sending', claimedUntil: { lt: new Date(this.clock()) } },
        data: { claimToken: token, claimedUntil: this.until() },
      });
      if (takenOver.count === 1) return { status: 'claimed', token, takenOver: true };
      const row = await this.prisma.notificationDelivery.findUnique({ where: { messageId: entry.messageId }, select: { state: true, claimedUntil: true } });
      if (!row) continue;
      if (row.state === 'sent' || row.state === 'dead_lettered') return { status: 'done', state: row.state };
      return { status: 'busy', claimedUntil: row.claimedUntil };
    }
    throw new Error(`could not claim notification ${entry.messageId}`);
  }

  /** Extends a live claim before each attempt (and while waiting out an outage) and counts the
   * attempt; false when the claim is no longer ours (it lapsed and another notifier took it). */
  async renew(messageId: string, token: string, attempt: boolean): Promise<boolean> {
    const renewed = await this.prisma.notificationDelivery.updateMany({
      where: { messageId, claimToken: token, state: 'sending' },
      data: { claimedUntil: this.until(), ...(attempt ? { attempts: { increment: 1 } } : {}) },
    });
    return renewed.count === 1;
  }

  async finish(messageId: string, token: string, finish: Finish): Promise<boolean> {
    const finished = await this.prisma.notificationDelivery.updateMany({
      where: { messageId, claimToken: token, state: 'sending' },
      data: {
        state: finish.state,
        finishedAt: new Date(this.clock()),
        recipient: finish.recipient ?? null,
        ...(finish.state === 'sent' ? { smtpMessageId: finish.smtpMessageId } : { reason: finish.reason.slice(0, 255) }),
      },
    });
    return finished.count === 1;
  }
}
