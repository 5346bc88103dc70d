// The BullMQ job payloads of the booking pipeline, parsed by zod in the worker. "Now" is frozen in
// the reserve job when the api accepts the request, so a retried job sends the identical request.
import { z } from 'zod';
import { eventIdSchema, holdIdSchema, seatRefSchema } from './booking-keys.js';
import { fanIdSchema } from '../waiting-room/queue-keys.js';

export const holdRequestSchema = z.union([
  z.object({ seats: z.array(seatRefSchema).min(1) }).strict(),
  z.object({ section: seatRefSchema.shape.section, quantity: z.number().int().min(1) }).strict(),
]);
export type HoldRequest = z.infer<typeof holdRequestSchema>;

export const reserveJobSchema = z.object({
  holdId: holdIdSchema,
  eventId: eventIdSchema,
  fanId: fanIdSchema,
  request: holdRequestSchema,
  requestedAt: z.number().int().positive(),
  holdTtlMs: z.number().int().positive(),
  /** The event's per-fan cap when the request was accepted; absent in jobs from before the limit. */
  maxSeatsPerFan: z.number().int().positive().optional(),
});
export type ReserveJob = z.infer<typeof reserveJobSchema>;

export const expireJobSchema = z.object({ holdId: holdIdSchema, eventId: eventIdSchema, heldUntil: z.number().int() });
export type ExpireJob = z.infer<typeof expireJobSchema>;

/** `retry`: acknowledged, but its job was lost with Redis more than once (hold-reconciler.ts): ask again. */
export type RejectionReason = 'unavailable' | 'unknown-seats' | 'fan-limit' | 'retry';

export type ReserveResult =
  | { outcome: 'held'; holdId: string; seatKeys: string[]; heldUntil: number }
  | { outcome: 'rejected'; holdId: string; reason: RejectionReason };

export const JOB_NAMES = { reserve: 'reserve', expire: 'expire' } as const;
