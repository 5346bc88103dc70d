// The fenced "advance serving" step, separate from the ticker loop so tests (and ops tools) can
// show that a stale fencing token is refused.
import type { RedisClient } from '../lib/redis.js';
import { z } from 'zod';
import { DEFAULT_KEY_PREFIX, waitingRoomKeys } from '../waiting-room/queue-keys.js';
import { runScript } from '../lib/redis-scripts.js';
import { admissionScripts, defineAdmissionScripts } from './admission-scripts.js';

export type AdvanceResult =
  | { outcome: 'fenced'; currentFencingToken: string | null }
  | {
      outcome: 'advanced' | 'idle';
      serving: number;
      issued: number;
      admittedNow: number;
      state: string;
      activeSessions: number;
      admittedUnclaimed: number;
    };

const advanceReplySchema = z.union([
  z.tuple([z.literal('fenced'), z.number()]),
  z.tuple([z.enum(['advanced', 'idle']), z.number(), z.number(), z.number(), z.string(), z.number(), z.number()]),
]);

export async function advanceServing(
  redis: RedisClient,
  eventId: string,
  fencingToken: string,
  nowMs: number,
  keyPrefix: string = DEFAULT_KEY_PREFIX,
): Promise<AdvanceResult> {
  defineAdmissionScripts(redis);
  const keys = waitingRoomKeys(eventId, keyPrefix);
  const reply = advanceReplySchema.parse(
    await runScript(
      redis,
      admissionScripts.advanceServing.name,
      [keys.config, keys.serving, keys.issued, keys.active, keys.admissions, keys.admissionClaims, keys.lease, keys.ticker],
      [fencingToken, nowMs],
    ),
  );
  if (reply[0] === 'fenced') return { outcome: 'fenced', currentFencingToken: reply[1] < 0 ? null : String(reply[1]) };
  const [outcome, serving, issued, admittedNow, state, activeSessions, admittedUnclaimed] = reply;
  return { outcome, serving, issued, admittedNow, state, activeSessions, admittedUnclaimed };
}
