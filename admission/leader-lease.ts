// One admission leader per event: a Redis lease whose every acquisition INCRs a fencing token.
// Only the current token may advance `serving`, so a paused or partitioned ex-leader is harmless.
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { DEFAULT_KEY_PREFIX, waitingRoomKeys } from '../waiting-room/queue-keys.js';
import { runScript } from '../lib/redis-scripts.js';
import { admissionScripts, defineAdmissionScripts } from './admission-scripts.js';

export interface LeaderLeaseOptions {
  redis: RedisClient;
  /** Unique per process (pod name + random suffix). */
  holderId: string;
  leaseTtlMs: number;
  clock: () => number;
  keyPrefix?: string;
}

export type LeaseAcquisition =
  | { held: true; fencingToken: string; expiresAtMs: number }
  | { held: false; holderId: string; expiresAtMs: number };

const acquireReplySchema = z.union([
  z.tuple([z.literal(1), z.number(), z.number()]),
  z.tuple([z.literal(0), z.string(), z.number()]),
]);

export class LeaderLease {
  readonly holderId: string;
  readonly leaseTtlMs: number;
  private readonly redis: RedisClient;
  private readonly clock: () => number;
  private readonly keyPrefix: string;

  constructor(options: LeaderLeaseOptions) {
    this.redis = options.redis;
    this.holderId = z.string().min(1).max(200).parse(options.holderId);
    this.leaseTtlMs = z.number().int().min(1).parse(options.leaseTtlMs);
    this.clock = options.clock;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    defineAdmissionScripts(this.redis);
  }

  async acquire(eventId: string, nowMs: number = this.clock()): Promise<LeaseAcquisition> {
    const keys = waitingRoomKeys(eventId, this.keyPrefix);
    const reply = acquireReplySchema.parse(
      await runScript(this.redis, admissionScripts.acquireLease.name, [keys.lease, keys.leaseFence], [this.holderId, nowMs, this.leaseTtlMs]),
    );
    if (reply[0] === 1) return { held: true, fencingToken: String(reply[1]), expiresAtMs: reply[2] };
    return { held: false, holderId: reply[1], expiresAtMs: reply[2] };
  }

  /** New expiry, or null when this holder has lost the lease (expired or taken over). */
  async renew(eventId: string, fencingToken: string, nowMs: number = this.clock()): Promise<number | null> {
    const keys = waitingRoomKeys(eventId, this.keyPrefix);
    const expiresAt = z
      .number()
      .parse(await runScript(this.redis, admissionScripts.renewLease.name, [keys.lease], [this.holderId, fencingToken, nowMs, this.leaseTtlMs]));
    return expiresAt === 0 ? null : expiresAt;
  }

  /** Hands the lease back on shutdown so a successor need not wait out the TTL. */
  async release(eventId: string, fencingToken: string): Promise<boolean> {
    const keys = waitingRoomKeys(eventId, this.keyPrefix);
    const released = await runScript(this.redis, admissionScripts.releaseLease.name, [keys.lease], [this.holderId, fencingToken]);
    return released === 1;
  }
}
