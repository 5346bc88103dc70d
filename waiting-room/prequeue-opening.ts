// Opens a sale: the fans who waited before the open get numbers issued+1..issued+P in a uniformly
// shuffled order, before anyone who arrives later. Invariant: each pre-queued fan gets exactly one number.
// The order is the provable one (fairness-proof.ts): ascending HMAC-SHA256(seed, hashedFanId) with the
// seed committed when the room was created and revealed by begin-open.lua, so anyone can recompute it.
// Shuffle in TypeScript, not Lua: a 500k-element Lua loop would block Redis for seconds, and Redis's
// Lua has no HMAC-SHA256; here batches stay short.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import type { WaitingRoomKeys } from './queue-keys.js';
import { runScript } from '../lib/redis-scripts.js';
import { hashedFanId, shuffledOrder } from './fairness-proof.js';
import { WaitingRoomError, type WaitingRoomErrorCode } from './waiting-room-error.js';
import { waitingRoomScripts } from './waiting-room-scripts.js';

export interface OpenSaleOptions {
  /** Seed of the shuffle for a room that has no committed seed (created before commitments existed);
   * a room with a commitment is always shuffled with its committed seed. */
  seed: string | number;
  /** Fans numbered per Lua call; bounds how long any one script blocks Redis. */
  batchSize?: number;
  /** Time of the open's queue.state-changed message (epoch ms); now by default. */
  nowMs?: number;
}

export interface OpenSaleResult {
  outcome: 'opened' | 'resumed' | 'already_open';
  /** Numbers handed to pre-queued fans by this call (empty range when none). */
  firstNumber: number;
  lastNumber: number;
  numbered: number;
}

const beginReplySchema = z.union([
  z.tuple([z.enum(['begun', 'resume']), z.number().nullable(), z.number().nullable()]),
  z.tuple([z.literal('already_open')]),
  z.tuple([z.literal('refused'), z.string()]),
]);
const assignReplySchema = z.union([
  z.tuple([z.literal('ok'), z.number(), z.number()]),
  z.tuple([z.literal('conflict'), z.number()]),
]);

const refusalCodes: Record<string, WaitingRoomErrorCode> = {
  not_configured: 'not_configured',
  closed: 'room_closed',
  soldout: 'sold_out',
};

/**
 * `markOutboxPending` (QueueStateOutbox.markPending) is awaited before the opening script, which
 * appends the room's queue.state-changed to its outbox: on a cluster the mark and the room live on
 * different nodes, so only waiting for the mark's reply puts it in Redis first.
 */
export async function openPrequeuedSale(
  redis: RedisClient,
  eventId: string,
  keys: WaitingRoomKeys,
  options: OpenSaleOptions,
  markOutboxPending: () => Promise<void>,
): Promise<OpenSaleResult> {
  const batchSize = options.batchSize ?? 5_000;
  const nowMs = z.number().int().min(0).parse(options.nowMs ?? Date.now());
  await markOutboxPending();
  const begin = beginReplySchema.parse(
    await runScript(redis, waitingRoomScripts.beginOpen.name, beginOpenKeys(keys), [randomUUID(), nowMs]),
  );
  if (begin[0] === 'already_open') return { outcome: 'already_open', firstNumber: 0, lastNumber: -1, numbered: 0 };
  if (begin[0] === 'refused') {
    throw new WaitingRoomError(refusalCodes[begin[1]] ?? 'invalid_transition', `cannot open sale in state ${begin[1]}`);
  }
  const [phase, firstNumber, lastNumber] = begin;
  if (firstNumber === null || lastNumber === null || lastNumber < firstNumber) {
    return { outcome: 'opened', firstNumber: firstNumber ?? 0, lastNumber: (firstNumber ?? 0) - 1, numbered: 0 };
  }

  // The snapshot no longer changes (joins only read it), so a full SSCAN sees every member. A resumed
  // open sees only the fans still unnumbered: in the same relative order, so they continue the run.
  const seed = (await redis.hget(keys.config, 'fairnessSeed')) ?? String(options.seed);
  const waiting = shuffledOrder(seed, await readWholeSet(redis, keys.prequeueOpening), (fanId) => hashedFanId(eventId, fanId));

  let next = firstNumber;
  for (let start = 0; start < waiting.length; start += batchSize) {
    const batch = waiting.slice(start, start + batchSize);
    const reply = assignReplySchema.parse(
      await runScript(
        redis,
        waitingRoomScripts.assignPrequeueBatch.name,
        [keys.config, keys.fans, keys.prequeueOpening],
        [next, ...batch],
      ),
    );
    if (reply[0] === 'conflict') {
      throw new WaitingRoomError('open_in_progress', 'another openSale is numbering this prequeue', { expected: next, actual: reply[1] });
    }
    next = reply[1];
  }
  return { outcome: phase === 'begun' ? 'opened' : 'resumed', firstNumber, lastNumber: next - 1, numbered: next - firstNumber };
}

/** KEYS of begin-open.lua, in its order. */
export function beginOpenKeys(keys: WaitingRoomKeys): string[] {
  return [keys.config, keys.issued, keys.prequeue, keys.prequeueOpening, keys.stateOutbox, keys.prequeueLog, keys.prequeueMembership, keys.fairnessSeed];
}

async function readWholeSet(redis: RedisClient, key: string): Promise<string[]> {
  const members = new Set<string>();
  let cursor = '0';
  do {
    const [nextCursor, page] = await redis.sscan(key, cursor, 'COUNT', 10_000);
    for (const member of page) members.add(member);
    cursor = nextCursor;
  } while (cursor !== '0');
  return [...members];
}
