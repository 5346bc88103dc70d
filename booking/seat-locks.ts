// Redis seat locks: the traffic light in front of DynamoDB, never the guard. Locks are taken one by
// one in sorted key order (SET NX PX, random token) so two workers cannot deadlock each other, and
// released by a compare-and-delete script. A stale lock costs time, never a double sale.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../lib/redis.js';
import { defineScripts, runScript } from '../lib/redis-scripts.js';
import { bookingScript } from './booking-lua.js';
import { bookingMetrics } from './booking-metrics.js';

const releaseSeatLocksScript = bookingScript('corralBookingReleaseSeatLocks', 'release-seat-locks.lua');

export interface SeatLockSet {
  /** The first key that another worker holds, when not all could be taken. */
  busyKey?: string;
  release(): Promise<void>;
}

/** Tries every lock once; on the first busy one releases what it took and reports it. */
export async function acquireSeatLocks(redis: RedisClient, lockKeys: readonly string[], ttlMs: number): Promise<SeatLockSet> {
  defineScripts(redis, [releaseSeatLocksScript]);
  const token = randomUUID();
  const taken: string[] = [];
  const release = async () => {
    if (taken.length > 0) await runScript(redis, releaseSeatLocksScript.name, taken, [token]);
  };
  for (const key of [...lockKeys].sort()) {
    const reply = await redis.set(key, token, 'PX', ttlMs, 'NX');
    if (reply !== 'OK') {
      await release();
      taken.length = 0;
      bookingMetrics().lockContention.inc();
      return { busyKey: key, release };
    }
    taken.push(key);
  }
  return { release };
}
