// Redis seat locks: the traffic light in front of DynamoDB, never the guard. Locks are taken one by
// one in sorted key order (SET NX PX, random token) so two workers cannot deadlock each other, and
// released by a compare-and-delete script, one call per hash tag (a seat's lock lives in its section's
// slot, so one hold's locks may span slots). A stale lock costs time, never a double sale.
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

/** The part of a key Redis Cluster hashes: the first `{...}` with something inside, else the key. */
function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Tries every lock once; on the first busy one releases what it took and reports it. */
export async function acquireSeatLocks(redis: RedisClient, lockKeys: readonly string[], ttlMs: number): Promise<SeatLockSet> {
  defineScripts(redis, [releaseSeatLocksScript]);
  const token = randomUUID();
  const taken: string[] = [];
  const release = async () => {
    if (taken.length === 0) return;
    const byTag = new Map<string, string[]>();
    for (const key of taken) byTag.set(hashTagOf(key), [...(byTag.get(hashTagOf(key)) ?? []), key]);
    await Promise.all([...byTag.values()].map((keys) => runScript(redis, releaseSeatLocksScript.name, keys, [token])));
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
