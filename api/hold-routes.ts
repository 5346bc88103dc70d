// Reservation and checkout routes. A hold request is acknowledged at once (202 + hold id) and runs
// as a BullMQ job; the fan polls GET /api/holds/:id (or hears `hold.result` on Socket.IO). Accepting
// a hold reads no DynamoDB: seats and sections are checked against the Redis seat map, and the
// per-fan limit and seat state are the reserve transaction's own conditions. Holds of
// other fans are answered 404, never 403, so hold ids leak nothing. A confirmed booking gives its
// waiting-room session back, so the next fan in line can be admitted. The two storm routes (ask for a
// hold, read it) log their ordinary answers at debug (lib/request-log.ts), slow and failed ones still.
import type { Express, Request } from 'express';
import type { Logger } from '../lib/log.js';
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { eventIdSchema, holdIdSchema, seatSk } from '../booking/booking-keys.js';
import { holdRequestSchema, type ReserveJob } from '../booking/booking-jobs.js';
import type { BookingQueues } from '../booking/booking-queues.js';
import type { BookingStore } from '../booking/booking-store.js';
import { confirmHold } from '../booking/hold-confirm.js';
import type { SoldOutCheck } from '../booking/sold-out-check.js';
import { releaseHold } from '../booking/hold-release.js';
import { readEventBookingSettings } from '../booking/event-booking-settings.js';
import { claimHoldRequest, holdIdFor, holdView, readHoldRequest } from '../booking/hold-requests.js';
import { readLedgerEntry, recordAccepted, type RequestAnswer } from '../booking/hold-request-ledger.js';
import { PaymentTimeoutError, type PaymentProvider } from '../booking/payments.js';
import { readSeats } from '../booking/booking-reads.js';
import { readSeatPartitions } from '../booking/seat-partitions.js';
import type { SeatMapCache } from '../booking/seat-map-cache.js';
import { bearerToken, type PassCheck, type VerifiedPass } from './pass-check.js';
import { quietRequestLog } from '../lib/request-log.js';

export interface HoldRouteDeps {
  store: BookingStore;
  redis: RedisClient;
  keyPrefix: string;
  queues: BookingQueues;
  payments: PaymentProvider;
  passCheck: PassCheck;
  /** Defaults; an event's own booking settings (Redis) override them. */
  holdTtlMs: number;
  maxSeatsPerHold: number;
  maxSeatsPerFan: number;
  /** The waiting room's sessions (QueueStore): a confirmed booking releases the pass's session. */
  sessions?: { releaseSession(eventId: string, sessionId: string): Promise<boolean> };
  seatMap?: SeatMapCache;
  /** After a sale: marks the waiting room sold out when every seat is sold. */
  soldOut?: SoldOutCheck;
  log?: Logger;
}

const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,128}$/);
const confirmBodySchema = z.object({ paymentToken: z.string().min(1).max(256) });

function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(`invalid ${what}`, parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  }
  return parsed.data;
}

/** Without a seat-map cache (tools, tests): the seats read from DynamoDB. */
async function unknownSeatsInDynamo(store: BookingStore, eventId: string, keys: string[]): Promise<string[]> {
  const found = await readSeats(store, eventId, keys);
  return keys.filter((sk) => !found.has(sk));
}

export function mountHoldRoutes(app: Express, deps: HoldRouteDeps): void {
  const { store } = deps;

  /**
   * The hold's request record, after checking the caller's pass owns it; anything else is 404. Redis
   * first; when Redis lost it, the durable ledger (DynamoDB), which also holds a rejection's answer.
   */
  async function ownedHold(req: Request): Promise<{ job: ReserveJob; fanId: string; pass: VerifiedPass; answer?: RequestAnswer }> {
    const holdId = holdIdSchema.safeParse(req.params.id);
    if (!holdId.success) throw new NotFoundError('no such hold');
    const token = bearerToken(req);
    let job = await readHoldRequest(deps.redis, deps.keyPrefix, holdId.data);
    let answer: RequestAnswer | undefined;
    if (!job) {
      const entry = await readLedgerEntry(store, holdId.data);
      job = entry?.job;
      answer = entry?.answer;
    }
    if (!job) throw new NotFoundError('no such hold');
    const pass = await deps.passCheck(token, job.eventId).catch((error: unknown) => {
      if (error instanceof AppError && error.status === 403) throw new NotFoundError('no such hold');
      throw error;
    });
    if (pass.fanId !== job.fanId) throw new NotFoundError('no such hold');
    return { job, fanId: pass.fanId, pass, ...(answer ? { answer } : {}) };
  }

  /** The sale is committed; neither step may turn it into an error (the session also expires by itself). */
  async function afterConfirm(eventId: string, seatKeys: string[], sessionId: string): Promise<void> {
    await deps.seatMap?.refresh(eventId, seatKeys);
    await deps.soldOut?.afterSale(eventId);
    try {
      await deps.sessions?.releaseSession(eventId, sessionId);
    } catch (error) {
      deps.log?.warn({ err: error, eventId, sessionId }, 'could not release the waiting-room session');
    }
  }

  app.post('/api/events/:id/holds', quietRequestLog, async (req, res) => {
    const eventId = parseOr400(eventIdSchema, req.params.id, 'event id');
    const pass = await deps.passCheck(bearerToken(req), eventId);
    const idempotencyKey = parseOr400(idempotencyKeySchema, req.header('idempotency-key'), 'Idempotency-Key header (required, 1-128 visible characters)');
    const request = parseOr400(holdRequestSchema, req.body, 'hold request');
    const quantity = 'seats' in request ? new Set(request.seats.map(seatSk)).size : request.quantity;
    if ('seats' in request && quantity !== request.seats.length) throw new ValidationError('a seat is listed twice');
    const settings = await readEventBookingSettings(deps.redis, deps.keyPrefix, eventId, deps);
    if (quantity > settings.maxSeatsPerHold) {
      throw new AppError(400, 'too-many-seats', `at most ${settings.maxSeatsPerHold} seats per hold`, { maxSeatsPerHold: settings.maxSeatsPerHold });
    }
    if (quantity > settings.maxSeatsPerFan) {
      // A request no fan could ever be granted; one over what this fan still has left is the
      // transaction's answer (a `fan-limit` rejection), as it is the only place that knows.
      throw new AppError(409, 'fan-limit-reached', `at most ${settings.maxSeatsPerFan} seats per fan for this event`, { maxSeatsPerFan: settings.maxSeatsPerFan, requested: quantity });
    }
    const holdId = holdIdFor(eventId, pass.fanId, idempotencyKey);
    if ('seats' in request) {
      const keys = request.seats.map(seatSk);
      const unknown = deps.seatMap ? await deps.seatMap.unknownSeats(eventId, keys) : await unknownSeatsInDynamo(store, eventId, keys);
      if (unknown.length > 0) throw new AppError(400, 'unknown-seats', 'some seats do not exist in this event', { unknownSeats: unknown });
    } else if (!(deps.seatMap ? await deps.seatMap.hasSection(eventId, request.section) : (await readSeatPartitions(store, eventId, request.section)).length > 0)) {
      throw new AppError(400, 'unknown-section', `event has no section ${request.section}`, { section: request.section });
    }
    const job: ReserveJob = {
      holdId,
      eventId,
      fanId: pass.fanId,
      request,
      requestedAt: store.clock(),
      holdTtlMs: settings.holdTtlMs,
      maxSeatsPerFan: settings.maxSeatsPerFan,
    };
    const claim = await claimHoldRequest(deps.redis, deps.keyPrefix, job);
    if (claim.status === 'mismatch') {
      throw new AppError(422, 'idempotency-key-reused', 'this Idempotency-Key was used with a different request body');
    }
    // The durable record of the acknowledgement (the one extra write): outlives a Redis loss, so the
    // reconciler can answer a request whose job vanished (hold-request-ledger.ts).
    if (claim.status === 'new') await recordAccepted(store, claim.job);
    // Enqueued on every acknowledged attempt: the job id makes a second add a no-op.
    await deps.queues.enqueueReserve(claim.job);
    res.status(202).location(`/api/holds/${job.holdId}`).json({ holdId: job.holdId, status: 'pending' });
  });

  app.get('/api/holds/:id', quietRequestLog, async (req, res) => {
    const { job, answer } = await ownedHold(req);
    // A rejection Redis forgot is answered from the ledger; anything else from the hold or the job.
    if (answer?.status === 'rejected') {
      res.json({ holdId: job.holdId, status: answer.status, reason: answer.reason });
      return;
    }
    res.json(await holdView(store, deps.queues, job));
  });

  app.post('/api/holds/:id/confirm', async (req, res) => {
    const { job, fanId, pass } = await ownedHold(req);
    const body = parseOr400(confirmBodySchema, req.body, 'confirm body');
    let outcome;
    try {
      outcome = await confirmHold(store, deps.payments, job.eventId, job.holdId, fanId, body.paymentToken);
    } catch (error) {
      if (error instanceof PaymentTimeoutError) throw new AppError(504, 'payment-timeout', 'the payment provider did not answer; retrying is safe');
      throw error;
    }
    switch (outcome.outcome) {
      case 'confirmed':
        await afterConfirm(job.eventId, outcome.seatKeys, pass.sessionId);
        res.json({ status: 'confirmed', bookingId: outcome.bookingId, amountCents: outcome.amountCents });
        return;
      case 'not-found':
        throw new ConflictError('the hold is not placed yet', 'hold-pending');
      case 'declined':
        throw new AppError(402, 'payment-declined', `payment declined: ${outcome.reason}`);
      case 'hold-ended':
        throw new AppError(409, 'hold-ended', `the hold has ${outcome.status.toLowerCase()}`, { refunded: outcome.refunded });
    }
  });

  app.delete('/api/holds/:id', async (req, res) => {
    const { job } = await ownedHold(req);
    const outcome = await releaseHold(store, job.eventId, job.holdId, 'released');
    if (outcome.outcome === 'released') await deps.seatMap?.refresh(job.eventId, outcome.seatKeys);
    if (outcome.outcome === 'not-found') throw new ConflictError('the hold is not placed yet', 'hold-pending');
    if (outcome.outcome === 'already-ended' && outcome.status === 'CONFIRMED') throw new ConflictError('the hold is already paid', 'hold-confirmed');
    res.status(204).end();
  });
}
