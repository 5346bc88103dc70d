// The durable copy of each waiting room (MySQL, `waiting_room_checkpoints`), so a Redis lost entirely
// rebuilds the room instead of answering 404 (docs/decisions/0016). Written when the room is created or
// its controls change (rare), and by the admission leader at most once per checkpoint interval per
// event it leads: one row upsert per event per interval, whatever the number of fans.
import type { RedisClient } from '../lib/redis.js';
import type { PrismaClient } from '../lib/mysql.js';
import { z } from 'zod';
import { runScript } from '../lib/redis-scripts.js';
import { DEFAULT_KEY_PREFIX, waitingRoomKeys, type WaitingRoomKeys } from './queue-keys.js';
import { roomConfigFromHash, type RoomConfig } from './room-config.js';
import { defineWaitingRoomScripts, waitingRoomScripts } from './waiting-room-scripts.js';

/** Admitted capacity is kept in buckets this wide (rounded up: a rebuilt room never frees it early). */
export const CAPACITY_BUCKET_MS = 10_000;

export interface RoomCheckpoint {
  eventId: string;
  config: RoomConfig;
  fairnessSeed: string;
  fairnessCommitment: string;
  fairnessFirstNumber: number | null;
  serving: number;
  issued: number;
  issuedPerCheckpoint: number;
  /** [expiresAtMs, count]: sessions and unclaimed admissions that hold capacity until then. */
  admittedCapacity: Array<[number, number]>;
  checkpointedAtMs: number;
}

const readReplySchema = z.tuple([z.array(z.string()), z.number(), z.number(), z.string(), z.array(z.string())]);
const capacitySchema = z.array(z.tuple([z.number().int(), z.number().int().min(0)]));

function pairsToRecord(pairs: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < pairs.length; index += 2) record[pairs[index] as string] = pairs[index + 1] as string;
  return record;
}

export class RoomCheckpoints {
  /** Last issued count written per event by this process: the next write's issuedPerCheckpoint. */
  private readonly lastIssued = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: RedisClient,
    private readonly keyPrefix: string = DEFAULT_KEY_PREFIX,
  ) {
    defineWaitingRoomScripts(redis);
  }

  keys(eventId: string): WaitingRoomKeys {
    return waitingRoomKeys(eventId, this.keyPrefix);
  }

  /** What Redis holds for the room now, in the checkpoint's shape; null when the room is gone. */
  async capture(eventId: string, nowMs: number): Promise<RoomCheckpoint | null> {
    const keys = this.keys(eventId);
    const [configPairs, serving, issued, seed, buckets] = readReplySchema.parse(
      await runScript(this.redis, waitingRoomScripts.readCheckpoint.name, [keys.config, keys.serving, keys.issued, keys.fairnessSeed, keys.active, keys.admissions, keys.admissionClaims], [nowMs, CAPACITY_BUCKET_MS]),
    );
    const hash = pairsToRecord(configPairs);
    const config = roomConfigFromHash(hash);
    if (config === null) return null;
    const admittedCapacity: Array<[number, number]> = [];
    for (let index = 0; index + 1 < buckets.length; index += 2) admittedCapacity.push([Number(buckets[index]), Number(buckets[index + 1])]);
    admittedCapacity.sort((a, b) => a[0] - b[0]);
    const previous = this.lastIssued.get(eventId);
    return {
      eventId,
      config,
      // After the open the seed is revealed in the config; before it, it sits in its own key.
      fairnessSeed: hash['fairnessSeed'] ?? seed,
      fairnessCommitment: hash['fairnessCommitment'] ?? '',
      fairnessFirstNumber: hash['fairnessFirstNumber'] === undefined ? null : Number(hash['fairnessFirstNumber']),
      serving,
      issued,
      issuedPerCheckpoint: previous === undefined ? 0 : Math.max(0, issued - previous),
      admittedCapacity,
      checkpointedAtMs: nowMs,
    };
  }

  /** Captures the room from Redis and upserts its row; false when Redis has no room to capture. */
  async checkpoint(eventId: string, nowMs: number): Promise<boolean> {
    const captured = await this.capture(eventId, nowMs);
    if (captured === null) return false;
    await this.write(captured);
    this.lastIssued.set(eventId, captured.issued);
    return true;
  }

  async write(checkpoint: RoomCheckpoint): Promise<void> {
    const row = {
      state: checkpoint.config.state,
      admissionRatePerMinute: checkpoint.config.admissionRatePerMinute,
      maxActiveShoppers: checkpoint.config.maxActiveShoppers,
      passTtlSeconds: checkpoint.config.passTtlSeconds,
      claimWindowSeconds: checkpoint.config.claimWindowSeconds,
      opensAtMs: BigInt(checkpoint.config.opensAt),
      fairnessSeed: checkpoint.fairnessSeed,
      fairnessCommitment: checkpoint.fairnessCommitment,
      fairnessFirstNumber: checkpoint.fairnessFirstNumber,
      serving: BigInt(checkpoint.serving),
      issued: BigInt(checkpoint.issued),
      issuedPerCheckpoint: BigInt(checkpoint.issuedPerCheckpoint),
      admittedCapacity: JSON.stringify(checkpoint.admittedCapacity),
      checkpointedAtMs: BigInt(checkpoint.checkpointedAtMs),
    };
    const { eventId } = checkpoint;
    // A checkpoint never moves the counters back: a deposed leader's late write, or one taken from a
    // freshly rebuilt (still empty) room, must not undo what a later one recorded.
    await this.prisma.$transaction(async (tx) => {
      const existing = await tx.waitingRoomCheckpoint.findUnique({ where: { eventId }, select: { serving: true, issued: true } });
      if (existing === null) {
        await tx.waitingRoomCheckpoint.create({ data: { eventId, ...row } });
        return;
      }
      await tx.waitingRoomCheckpoint.update({
        where: { eventId },
        data: { ...row, serving: row.serving > existing.serving ? row.serving : existing.serving, issued: row.issued > existing.issued ? row.issued : existing.issued },
      });
    });
  }

  async read(eventId: string): Promise<RoomCheckpoint | null> {
    const row = await this.prisma.waitingRoomCheckpoint.findUnique({ where: { eventId } });
    if (row === null) return null;
    const config = roomConfigFromHash({
      state: row.state,
      admissionRatePerMinute: String(row.admissionRatePerMinute),
      maxActiveShoppers: String(row.maxActiveShoppers),
      passTtlSeconds: String(row.passTtlSeconds),
      opensAt: String(row.opensAtMs),
      claimWindowSeconds: String(row.claimWindowSeconds),
    });
    if (config === null) return null;
    return {
      eventId,
      config,
      fairnessSeed: row.fairnessSeed,
      fairnessCommitment: row.fairnessCommitment,
      fairnessFirstNumber: row.fairnessFirstNumber,
      serving: Number(row.serving),
      issued: Number(row.issued),
      issuedPerCheckpoint: Number(row.issuedPerCheckpoint),
      admittedCapacity: capacitySchema.parse(JSON.parse(row.admittedCapacity)),
      checkpointedAtMs: Number(row.checkpointedAtMs),
    };
  }

  /**
   * Events whose room may still be live (not closed or sold out) and was checkpointed since `sinceMs`:
   * a led room is checkpointed every interval, so an old row is a room nobody runs any more.
   */
  async liveEventIds(sinceMs: number, limit = 1_000): Promise<string[]> {
    const rows = await this.prisma.waitingRoomCheckpoint.findMany({
      where: { state: { notIn: ['closed', 'soldout'] }, checkpointedAtMs: { gte: BigInt(Math.max(0, Math.floor(sinceMs))) } },
      select: { eventId: true },
      take: limit,
      orderBy: { checkpointedAtMs: 'desc' },
    });
    return rows.map((row) => row.eventId);
  }
}
