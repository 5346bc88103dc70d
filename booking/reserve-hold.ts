// Reserve: one hold per job. Seat locks in sorted order keep buyers from piling onto DynamoDB; the
// single TransactWriteItems (conditional seat updates + hold put + outbox put) is what guarantees a
// seat is held by at most one live hold. Replays end as the same hold: the hold id is the job id,
// the hold item's attribute_not_exists condition and the outbox event id. Best-available picks from
// the Redis seat-map cache, which may be stale: a stale pick only fails its seat condition, the
// failed seats are refreshed in the cache, and the job tries fresh seats (a bounded number of times).
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { RedisClient } from '../lib/redis.js';
import { bookingRedisKeys, eventPk, fanSeatsKey, holdKey, isReservable, sectionSkPrefix, seatSk, type HoldItem, type SeatItem } from './booking-keys.js';
import { queryByPrefix, type BookingStore } from './booking-store.js';
import type { RejectionReason, ReserveJob, ReserveResult } from './booking-jobs.js';
import { BOOKING_EVENT_TYPES } from './booking-events.js';
import { pickAdjacentSeats } from './best-available.js';
import { readHold, readSeats } from './booking-reads.js';
import { acquireSeatLocks } from './seat-locks.js';
import type { SeatMapCache } from './seat-map-cache.js';
import { failedConditionIndexes, withDynamoRetry } from './transaction-outcome.js';

/** Seats are free but locked by other workers: retry the job later (BullMQ backoff). */
export class SeatsBusyError extends Error {
  constructor(eventId: string) {
    super(`seats of event ${eventId} are locked by other reservations; retry later`);
    this.name = 'SeatsBusyError';
  }
}

export interface ReserveContext {
  store: BookingStore;
  redis: RedisClient;
  keyPrefix: string;
  lockTtlMs?: number;
  bestAvailableAttempts?: number;
  /** Best-available draws from this many of the best placements, so a storm does not queue on one
   * block's locks (1: always the single best). */
  bestAvailableSpread?: number;
  /** Injected for tests; Math.random otherwise. */
  random?: () => number;
  /** Where best-available picks its candidates; without it, a DynamoDB Query of the section. */
  seatMap?: SeatMapCache;
}

/** The section's seats from DynamoDB: the fallback when there is no cache, and the check before
 * answering "no such section" (a section provisioned after the cache was filled). */
async function readSection(store: BookingStore, eventId: string, section: string): Promise<SeatItem[]> {
  return queryByPrefix<SeatItem>(store, eventPk(eventId), sectionSkPrefix(section), { consistentRead: true });
}

const held = (hold: HoldItem): ReserveResult => ({ outcome: 'held', holdId: hold.holdId, seatKeys: hold.seatKeys, heldUntil: hold.heldUntil });

type Attempt = { kind: 'held'; result: ReserveResult } | { kind: 'taken'; seatKeys: string[] } | { kind: 'busy'; seatKeys: string[] } | { kind: 'fan-limit' };

/** The fan's seat counter moves with the hold in the same transaction, so the per-fan cap holds
 * under any concurrency; releases and expiries give the seats back in theirs. */
function fanSeatsUpdate(store: BookingStore, job: ReserveJob, seatCount: number) {
  const limited = job.maxSeatsPerFan !== undefined;
  return {
    Update: {
      TableName: store.tables.inventory,
      Key: fanSeatsKey(job.eventId, job.fanId),
      UpdateExpression: 'ADD seatCount :seats',
      ...(limited ? { ConditionExpression: 'attribute_not_exists(seatCount) OR seatCount <= :room' } : {}),
      ExpressionAttributeValues: { ':seats': seatCount, ...(limited ? { ':room': job.maxSeatsPerFan! - seatCount } : {}) },
    },
  };
}

/** Locks, then writes the hold in one transaction. Never answers "taken" for a seat it did not read as taken. */
async function tryHold(context: ReserveContext, job: ReserveJob, seats: SeatItem[]): Promise<Attempt> {
  const { store } = context;
  const seatKeys = seats.map((seat) => seat.sk).sort();
  const locks = bookingRedisKeys(context.keyPrefix, job.eventId);
  const lockSet = await acquireSeatLocks(context.redis, seatKeys.map(locks.seatLock), context.lockTtlMs ?? 5_000);
  if (lockSet.busyKey) return { kind: 'busy', seatKeys };
  try {
    const heldUntil = job.requestedAt + job.holdTtlMs;
    const hold: HoldItem = {
      ...holdKey(job.eventId, job.holdId),
      holdId: job.holdId,
      eventId: job.eventId,
      fanId: job.fanId,
      seatKeys,
      amountCents: seats.reduce((sum, seat) => sum + seat.priceCents, 0),
      status: 'HELD',
      heldUntil,
      createdAt: job.requestedAt,
    };
    const seatUpdates = seatKeys.map((sk) => ({
      Update: {
        TableName: store.tables.inventory,
        Key: { pk: eventPk(job.eventId), sk },
        UpdateExpression: 'SET #status = :held, holdId = :holdId, heldUntil = :heldUntil, version = version + :one',
        ConditionExpression: '#status = :available OR (#status = :held AND heldUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':held': 'HELD', ':available': 'AVAILABLE', ':holdId': job.holdId, ':heldUntil': heldUntil, ':now': job.requestedAt, ':one': 1 },
      },
    }));
    try {
      await withDynamoRetry(() =>
        store.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              ...seatUpdates,
              { Put: { TableName: store.tables.inventory, Item: hold, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Put: {
                  TableName: store.tables.outbox,
                  Item: { id: job.holdId, type: BOOKING_EVENT_TYPES.holdCreated, eventId: job.eventId, holdId: job.holdId, fanId: job.fanId, seatKeys, heldUntil, at: job.requestedAt },
                },
              },
              fanSeatsUpdate(store, job, seatKeys.length),
            ],
          }),
        ),
      );
      // Refreshed before the locks go, so no other worker picks these seats from a stale map.
      await context.seatMap?.refresh(job.eventId, seatKeys);
      return { kind: 'held', result: held(hold) };
    } catch (error) {
      const failed = failedConditionIndexes(error);
      if (!failed) throw error;
      // A replay (or a twin delivery) finds its own hold already written: that is success.
      const existing = await readHold(store, job.eventId, job.holdId);
      if (existing) return { kind: 'held', result: held(existing) };
      const seatsFailed = failed.some((index) => index < seatKeys.length);
      if (!seatsFailed && failed.includes(seatKeys.length + 2)) return { kind: 'fan-limit' };
      return { kind: 'taken', seatKeys: failed.filter((index) => index < seatKeys.length).map((index) => seatKeys[index]!) };
    }
  } finally {
    await lockSet.release();
  }
}

export async function reserveHold(context: ReserveContext, job: ReserveJob): Promise<ReserveResult> {
  const existing = await readHold(context.store, job.eventId, job.holdId);
  if (existing) {
    // A replay after a crash between commit and refresh: make sure the cache shows the seats taken.
    await context.seatMap?.refresh(job.eventId, existing.seatKeys);
    return held(existing);
  }
  const rejected = (reason: RejectionReason): ReserveResult => ({ outcome: 'rejected', holdId: job.holdId, reason });

  if ('seats' in job.request) {
    const seatKeys = [...new Set(job.request.seats.map(seatSk))];
    const seats = await readSeats(context.store, job.eventId, seatKeys);
    if (seats.size !== seatKeys.length) return rejected('unknown-seats');
    if ([...seats.values()].some((seat) => !isReservable(seat, job.requestedAt))) return rejected('unavailable');
    const attempt = await tryHold(context, job, [...seats.values()]);
    if (attempt.kind === 'held') return attempt.result;
    if (attempt.kind === 'fan-limit') return rejected('fan-limit');
    if (attempt.kind === 'taken') return rejected('unavailable');
    // Busy: answer only if the seats are now visibly taken; otherwise the lock holder may still fail.
    const fresh = await readSeats(context.store, job.eventId, seatKeys);
    if ([...fresh.values()].some((seat) => !isReservable(seat, job.requestedAt))) return rejected('unavailable');
    throw new SeatsBusyError(job.eventId);
  }

  const { section, quantity } = job.request;
  const excluded = new Set<string>();
  let sawBusy = false;
  for (let attemptNumber = 0; attemptNumber < (context.bestAvailableAttempts ?? 4); attemptNumber += 1) {
    const sectionSeats = await sectionCandidates(context, job.eventId, section);
    if (sectionSeats.length === 0) return rejected('unknown-seats');
    const chosen = pickAdjacentSeats(sectionSeats, quantity, job.requestedAt, excluded, { spread: context.bestAvailableSpread ?? 8, random: context.random ?? Math.random });
    if (!chosen) {
      if (!sawBusy) return rejected('unavailable');
      // Only locked seats were left: they may come free if their reservations fail.
      if (!pickAdjacentSeats(sectionSeats, quantity, job.requestedAt, new Set())) return rejected('unavailable');
      break;
    }
    const bySk = new Map(sectionSeats.map((seat) => [seat.sk, seat]));
    const attempt = await tryHold(context, job, chosen.map((sk) => bySk.get(sk)!));
    if (attempt.kind === 'held') return attempt.result;
    if (attempt.kind === 'fan-limit') return rejected('fan-limit');
    if (attempt.kind === 'busy') sawBusy = true;
    const failedSeats = attempt.kind === 'taken' && attempt.seatKeys.length > 0 ? attempt.seatKeys : chosen;
    for (const sk of failedSeats) excluded.add(sk);
    // A stale pick: correct the cache for these seats, so this job and every other one stop picking them.
    if (attempt.kind === 'taken') await context.seatMap?.refresh(job.eventId, failedSeats);
  }
  throw new SeatsBusyError(job.eventId);
}

/** Best-available candidates: the cached seat map (possibly stale; the seat conditions decide), else DynamoDB. */
async function sectionCandidates(context: ReserveContext, eventId: string, section: string): Promise<SeatItem[]> {
  if (!context.seatMap) return readSection(context.store, eventId, section);
  const cached = await context.seatMap.seats(eventId, section);
  return cached.length > 0 ? cached : readSection(context.store, eventId, section);
}
