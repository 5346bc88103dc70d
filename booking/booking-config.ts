// Booking settings, parsed once by zod with safe defaults. Kept here until they are folded into
// lib/config.ts; every name is the environment variable it reads.
import { z } from 'zod';
import { loadSettings } from '../lib/config.js';

export const bookingConfigSchema = z.object({
  /** Fixed number of partition queues; a job maps to one by hash of its event and section (or
   * hold). Changing it remaps jobs. */
  BOOKING_PARTITIONS: z.coerce.number().int().min(1).max(256).default(8),
  /** Headline queues a pinned event's jobs spread over (by section, as on the partitions). */
  BOOKING_HEADLINE_PARTITIONS: z.coerce.number().int().min(1).max(64).default(4),
  BOOKING_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(16),
  HOLD_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(600),
  MAX_SEATS_PER_HOLD: z.coerce.number().int().min(1).max(50).default(8),
  /** Default per-fan cap over an event's live holds and bookings; an organizer may set its own. */
  MAX_SEATS_PER_FAN: z.coerce.number().int().min(1).max(200).default(8),
  /** How long a seat-map cache fill is trusted; bounds the staleness after a missed update. */
  SEAT_MAP_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** BullMQ job lock: a killed worker's jobs return to the queue about this long after it died. */
  BOOKING_JOB_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Prefix of every booking Redis key and BullMQ queue; tests use a unique one. */
  BOOKING_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]*$/).default('corral:'),
  /** Socket.IO Redis channel the hold results are emitted on; the gateways' default unless a test or
   * benchmark isolates itself. */
  HOLD_RESULT_CHANNEL_KEY: z.string().min(1).optional(),
  /** The hold reconciler (hold-reconciler.ts): how often it runs, how old a pending request must be
   * before it looks, and how many times it puts back a job Redis lost before answering "retry". */
  HOLD_RECONCILER_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  HOLD_RECONCILER_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  HOLD_RECONCILER_MAX_REQUEUES: z.coerce.number().int().min(0).max(100).default(3),
  /** Public JWKS (JSON) and issuer of admission passes; the api refuses booking calls without them. */
  PASS_JWKS: z.string().optional(),
  PASS_ISSUER: z.string().min(1).default('corral-admission'),
});

export type BookingConfig = z.infer<typeof bookingConfigSchema>;

export function loadBookingConfig(env: NodeJS.ProcessEnv = process.env): BookingConfig {
  return loadSettings(bookingConfigSchema, env);
}
