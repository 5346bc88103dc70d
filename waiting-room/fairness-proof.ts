// Provable fairness of the pre-queue shuffle. When a room is created its secret seed is drawn and
// only its SHA-256 (the commitment) is published; at the open the seed is revealed with the pre-queue
// membership (hashed fan ids, in join order) and the numbers they got. The order is a pure function of
// the seed and the membership, ascending HMAC-SHA256(seed, hashedFanId), so anyone can recompute it,
// and the seed was fixed before anyone joined, so nobody could pick one that favours a fan.
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** What is published for the seed before the open. */
export function seedCommitment(seed: string): string {
  return sha256Hex(seed);
}

/** A fan as the published membership names it: per event, so one fan is not linkable across events. */
export function hashedFanId(eventId: string, fanId: string): string {
  return sha256Hex(`${eventId}\n${fanId}`);
}

/** The shuffle key of one fan: its place is its rank by this key (ties, never seen, by hashed id). */
export function shuffleKey(seed: string, hashed: string): string {
  return createHmac('sha256', seed).update(hashed).digest('hex');
}

/** The pre-queue in shuffled order: position i gets firstNumber + i. */
export function shuffledOrder<T>(seed: string, items: readonly T[], hashedOf: (item: T) => string): T[] {
  const keyed = items.map((item) => {
    const hashed = hashedOf(item);
    return { item, hashed, key: shuffleKey(seed, hashed) };
  });
  keyed.sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : left.hashed < right.hashed ? -1 : left.hashed > right.hashed ? 1 : 0));
  return keyed.map((entry) => entry.item);
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex');

export const fairnessRecordSchema = z.object({
  eventId: z.string(),
  /** SHA-256 of the seed, hex; published from the room's creation on. */
  commitment: hex64.nullable(),
  /** null until the open reveals it. */
  seed: z.string().nullable(),
  /** The first number given to the pre-queue (null until the open). */
  firstNumber: z.number().int().min(1).nullable(),
  /** Hashed fan ids in join order, each with the number Redis holds for that fan now (empty before the open). */
  membership: z.array(z.object({ fan: hex64, number: z.number().int().min(1).nullable() })),
});
export type FairnessRecord = z.infer<typeof fairnessRecordSchema>;

export interface ShuffleVerdict {
  ok: boolean;
  /** Fans whose number was compared with the recomputed shuffle. */
  checked: number;
  /** Human-readable reasons it failed (at most a few numbers are listed one by one). */
  problems: string[];
}

const MAX_LISTED_MISMATCHES = 5;

/** Recomputes the shuffle from the revealed seed and checks every published number against it. */
export function verifyShuffle(record: FairnessRecord): ShuffleVerdict {
  const problems: string[] = [];
  if (record.commitment === null) return { ok: false, checked: 0, problems: ['no commitment was published for this event'] };
  if (record.seed === null || record.firstNumber === null) {
    return { ok: false, checked: 0, problems: ['the pre-queue has not opened yet: the seed is still secret (only its commitment is published)'] };
  }
  if (seedCommitment(record.seed) !== record.commitment) {
    problems.push(`the revealed seed does not match the commitment: SHA-256(seed) is ${seedCommitment(record.seed)}, the commitment was ${record.commitment}`);
  }
  const seen = new Set<string>();
  for (const entry of record.membership) {
    if (seen.has(entry.fan)) problems.push(`fan ${entry.fan} is listed twice`);
    seen.add(entry.fan);
  }
  const order = shuffledOrder(record.seed, record.membership, (entry) => entry.fan);
  let mismatches = 0;
  order.forEach((entry, position) => {
    const expected = (record.firstNumber as number) + position;
    if (entry.number === expected) return;
    mismatches += 1;
    if (mismatches <= MAX_LISTED_MISMATCHES) problems.push(`fan ${entry.fan} holds number ${entry.number ?? 'none'}, the shuffle gives ${expected}`);
  });
  if (mismatches > MAX_LISTED_MISMATCHES) problems.push(`… and ${mismatches - MAX_LISTED_MISMATCHES} more numbers that differ from the shuffle`);
  return { ok: problems.length === 0, checked: order.length, problems };
}
