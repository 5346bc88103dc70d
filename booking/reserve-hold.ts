// Reserve: one hold per job. Seat locks in sorted order keep buyers from piling onto DynamoDB; the
// single TransactWriteItems (booking-transactions.ts) is what guarantees a seat is held by at most
// one live hold. Replays end as the same hold: the hold id is the job id, the hold item's
// attribute_not_exists condition and the outbox event id. A reserve costs one transaction plus at
// most one read: best-available picks from the Redis seat map and writes it back from what the
// transaction sent; explicit seats are read together with the hold in one BatchGetItem. A failed
// condition hands back the item (ALL_OLD), so a stale pick or a replay needs no read either.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { RedisClient } from '../lib/redis.js';
import { bookingRedisKeys, isReservable, seatSk, type HoldItem, type SeatItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import type { RejectionReason, ReserveJob, ReserveResult } from './booking-jobs.js';
import { pickAdjacentSeats } from './best-available.js';
import { readHold, readSeats, readSeatsAndHold } from './booking-reads.js';
import { reserveTransaction } from './booking-transactions.js';
import { acquireSeatLocks } from './seat-locks.js';
import { readEventSeats } from './seat-availability.js';
import type { SeatMapCache } from './seat-map-cache.js';
import { ReadCoalescer } from '../lib/read-coalescer.js';
import { failedConditionIndexes, failedConditionItem, withDynamoRetry } from './transaction-outcome.js';

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
  /** Where best-available picks its candidates; without it, a DynamoDB read of the section. */
  seatMap?: SeatMapCache;
  /** Shared by the jobs of one worker process (createBestAvailableShare). */
  share?: BestAvailableShare;
}

/**
 * What the concurrent best-available jobs of one process share: the seats they are trying right now
 * (another job of the same process leaves them out of its pick instead of queueing on their locks),
 * and their section reads (concurrent jobs of one section read and decode the cached section once,
 * never from a read begun before they asked: lib/read-coalescer.ts). Other processes' picks still
 * meet at the Redis locks; the transaction's conditions decide, as always.
 */
export interface BestAvailableShare {
  trying: Map<string, Set<string>>;
  sections: ReadCoalescer<SeatItem[]>;
}

export function createBestAvailableShare(): BestAvailableShare {
  return { trying: new Map(), sections: new ReadCoalescer<SeatItem[]>() };
}

function markTrying(share: BestAvailableShare | undefined, eventId: string, seatKeys: readonly string[]): () => void {
  if (!share) return () => undefined;
  const trying = share.trying.get(eventId) ?? new Set<string>();
  share.trying.set(eventId, trying);
  for (const sk of seatKeys) trying.add(sk);
  return () => {
    for (const sk of seatKeys) trying.delete(sk);
    if (trying.size === 0 && share.trying.get(eventId) === trying) share.trying.delete(eventId);
  };
}

const held = (hold: Pick<HoldItem, 'holdId' | 'seatKeys' | 'heldUntil'>): ReserveResult => ({ outcome: 'held', holdId: hold.holdId, seatKeys: hold.seatKeys, heldUntil: hold.heldUntil });

type Attempt =
  | { kind: 'held'; result: ReserveResult }
  /** Seats that failed their condition, with their state then when the server returned it. */
  | { kind: 'taken'; seatKeys: string[]; seen: SeatItem[] }
  | { kind: 'busy'; seatKeys: string[] }
  | { kind: 'fan-limit' };

/** A replay after a crash between commit and cache write: make sure the cache shows the seats taken. */
async function replayed(context: ReserveContext, hold: HoldItem): Promise<ReserveResult> {
  await context.seatMap?.refresh(hold.eventId, hold.seatKeys);
  return held(hold);
}

/** Locks, then writes the hold in one transaction. Never answers "taken" for a seat it did not see taken. */
async function tryHold(context: ReserveContext, job: ReserveJob, seats: SeatItem[]): Promise<Attempt> {
  const { store } = context;
  const heldUntil = job.requestedAt + job.holdTtlMs;
  const transaction = reserveTransaction(store, {
    eventId: job.eventId,
    holdId: job.holdId,
    fanId: job.fanId,
    requestedAt: job.requestedAt,
    heldUntil,
    seats,
    ...(job.maxSeatsPerFan !== undefined ? { maxSeatsPerFan: job.maxSeatsPerFan } : {}),
  });
  const seatKeys = transaction.hold.seatKeys;
  const locks = bookingRedisKeys(context.keyPrefix, job.eventId);
  const lockSet = await acquireSeatLocks(context.redis, seatKeys.map(locks.seatLock), context.lockTtlMs ?? 5_000);
  if (lockSet.busyKey) return { kind: 'busy', seatKeys };
  try {
    try {
      await withDynamoRetry(() => store.doc.send(new TransactWriteCommand({ TransactItems: transaction.items })));
    } catch (error) {
      const failed = failedConditionIndexes(error);
      if (!failed) throw error;
      // A replay (or a twin delivery) finds its own hold already written: that is success.
      if (failed.includes(transaction.holdIndex)) {
        const existing = failedConditionItem<HoldItem>(error, transaction.holdIndex) ?? (await readHold(store, job.eventId, job.holdId));
        if (existing) return { kind: 'held', result: await replayed(context, existing) };
      }
      const seatsFailed = failed.filter((index) => index < seatKeys.length);
      if (seatsFailed.length === 0 && failed.includes(transaction.fanCounterIndex)) return { kind: 'fan-limit' };
      const seen = seatsFailed.flatMap((index) => failedConditionItem<SeatItem>(error, index) ?? []);
      return { kind: 'taken', seatKeys: seatsFailed.map((index) => seatKeys[index]!), seen };
    }
    // Written from what was sent (the version condition makes it exact), before the locks go, so no
    // other worker picks these seats from a stale map.
    const bySk = new Map(seats.map((seat) => [seat.sk, seat]));
    await context.seatMap?.apply(
      job.eventId,
      seatKeys.map((sk) => ({ ...bySk.get(sk)!, status: 'HELD' as const, holdId: job.holdId, heldUntil, version: bySk.get(sk)!.version + 1 })),
    );
    return { kind: 'held', result: held(transaction.hold) };
  } finally {
    await lockSet.release();
  }
}

export async function reserveHold(context: ReserveContext, job: ReserveJob): Promise<ReserveResult> {
  const rejected = (reason: RejectionReason): ReserveResult => ({ outcome: 'rejected', holdId: job.holdId, reason });
  /** Before answering without a transaction: a replay whose hold exists must still end as "held". */
  const rejectedUnlessPlaced = async (reason: RejectionReason): Promise<ReserveResult> => {
    const existing = await readHold(context.store, job.eventId, job.holdId);
    return existing ? replayed(context, existing) : rejected(reason);
  };

  if ('seats' in job.request) {
    const seatKeys = [...new Set(job.request.seats.map(seatSk))];
    // Fans clicking the same best seats would all read one row partition: seats the cache shows
    // taken are answered from the cache (stale only towards "taken", for at most one fill TTL).
    if (context.seatMap && (await context.seatMap.showsTaken(job.eventId, seatKeys, job.requestedAt))) return rejectedUnlessPlaced('unavailable');
    const { seats, hold } = await readSeatsAndHold(context.store, job.eventId, seatKeys, job.holdId);
    if (hold) return replayed(context, hold);
    if (seats.size !== seatKeys.length) return rejected('unknown-seats');
    if ([...seats.values()].some((seat) => !isReservable(seat, job.requestedAt))) return rejected('unavailable');
    const attempt = await tryHold(context, job, [...seats.values()]);
    if (attempt.kind === 'held') return attempt.result;
    if (attempt.kind === 'fan-limit') return rejected('fan-limit');
    if (attempt.kind === 'taken') {
      await context.seatMap?.apply(job.eventId, attempt.seen);
      // Taken since our read, or only moved on (a version later, still free): then try again later.
      if (attempt.seen.length === attempt.seatKeys.length && attempt.seen.every((seat) => isReservable(seat, job.requestedAt))) throw new SeatsBusyError(job.eventId);
      return rejected('unavailable');
    }
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
    if (sectionSeats.length === 0) return rejectedUnlessPlaced('unknown-seats');
    const othersTrying = context.share?.trying.get(job.eventId);
    const pick = (leftOut: ReadonlySet<string>) => pickAdjacentSeats(sectionSeats, quantity, job.requestedAt, leftOut, { spread: context.bestAvailableSpread ?? 8, random: context.random ?? Math.random });
    // Seats this process's other jobs are trying come last: taken only when nothing else is left (their jobs may fail).
    const chosen = (othersTrying?.size ? pick(new Set([...excluded, ...othersTrying])) : undefined) ?? pick(excluded);
    if (!chosen) {
      if (!sawBusy) return rejectedUnlessPlaced('unavailable');
      // Only locked seats were left: they may come free if their reservations fail.
      if (!pickAdjacentSeats(sectionSeats, quantity, job.requestedAt, new Set())) return rejectedUnlessPlaced('unavailable');
      break;
    }
    const bySk = new Map(sectionSeats.map((seat) => [seat.sk, seat]));
    const done = markTrying(context.share, job.eventId, chosen);
    let attempt: Attempt;
    try {
      attempt = await tryHold(context, job, chosen.map((sk) => bySk.get(sk)!));
    } finally {
      done();
    }
    if (attempt.kind === 'held') return attempt.result;
    if (attempt.kind === 'fan-limit') return rejected('fan-limit');
    if (attempt.kind === 'busy') sawBusy = true;
    if (attempt.kind === 'taken' && attempt.seatKeys.length > 0) {
      // A stale pick: correct the cache for these seats (from the items the server returned, else by
      // a read), so this job and every other one pick from their real state.
      if (attempt.seen.length === attempt.seatKeys.length) await context.seatMap?.apply(job.eventId, attempt.seen);
      else await context.seatMap?.refresh(job.eventId, attempt.seatKeys);
      // A seat that was only a version ahead and is still free may be picked again, from its new state.
      for (const sk of attempt.seatKeys) if (!attempt.seen.some((seat) => seat.sk === sk && isReservable(seat, job.requestedAt))) excluded.add(sk);
      continue;
    }
    for (const sk of chosen) excluded.add(sk);
  }
  throw new SeatsBusyError(job.eventId);
}

/** Best-available candidates: the cached seat map (possibly stale; the seat conditions decide), else DynamoDB. */
async function sectionCandidates(context: ReserveContext, eventId: string, section: string): Promise<SeatItem[]> {
  if (!context.seatMap) return readEventSeats(context.store, eventId, section, undefined, { consistentRead: true });
  const seatMap = context.seatMap;
  const cached = context.share ? await context.share.sections.get(`${eventId}\u0000${section}`, () => seatMap.seats(eventId, section)) : await seatMap.seats(eventId, section);
  return cached.length > 0 ? cached : readEventSeats(context.store, eventId, section, undefined, { consistentRead: true });
}
