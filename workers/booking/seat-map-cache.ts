// The seat-map cache: one Redis hash per event (seat sk -> version|status|heldUntil|tier|price) that
// seat-map reads are served from. A miss fills it from DynamoDB; every booking transaction then
// writes the seats it touched (read back from DynamoDB, so the cached version is the real one).
// Staleness is bounded: writes are version-checked, and a missed write lives at most one fill TTL.
import type { Redis } from 'ioredis';
import { defineScripts, runScript } from '../../lib/redis-scripts.js';
import type { Logger } from '../../lib/log.js';
import { bookingScript } from './booking-lua.js';
import { bookingRedisKeys, eventPk, parseSeatSk, type SeatItem, type SeatStatus } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import { readSeats } from './reserve-hold.js';
import { readEventSeats } from './seat-availability.js';

const writeSeatMapScript = bookingScript('corralBookingWriteSeatMap', 'write-seat-map.lua');

function encodeSeat(seat: SeatItem): string {
  return [seat.version, seat.status, seat.heldUntil ?? '', seat.priceTier, seat.priceCents].join('|');
}

function decodeSeat(eventId: string, sk: string, encoded: string): SeatItem {
  const [version, status, heldUntil, priceTier, priceCents] = encoded.split('|');
  return {
    pk: eventPk(eventId),
    sk,
    ...parseSeatSk(sk),
    version: Number(version),
    status: status as SeatStatus,
    ...(heldUntil ? { heldUntil: Number(heldUntil) } : {}),
    priceTier: priceTier!,
    priceCents: Number(priceCents),
  };
}

export interface SeatMapCacheOptions {
  redis: Redis;
  store: BookingStore;
  keyPrefix: string;
  ttlMs: number;
  log?: Logger;
}

export class SeatMapCache {
  constructor(private readonly options: SeatMapCacheOptions) {
    defineScripts(options.redis, [writeSeatMapScript]);
  }

  private key(eventId: string): string {
    return bookingRedisKeys(this.options.keyPrefix, eventId).seatMap;
  }

  private async write(eventId: string, mode: 'fill' | 'update', seats: readonly SeatItem[]): Promise<void> {
    if (seats.length === 0) return;
    const pairs = seats.flatMap((seat) => [seat.sk, encodeSeat(seat)]);
    await runScript(this.options.redis, writeSeatMapScript.name, [this.key(eventId)], [mode, this.options.ttlMs, ...pairs]);
  }

  /** The event's seats (optionally one section) from the cache, filling it from DynamoDB on a miss. */
  async seats(eventId: string, section?: string): Promise<SeatItem[]> {
    const cached = await this.options.redis.hgetall(this.key(eventId));
    let seats: SeatItem[];
    if (Object.keys(cached).length > 0) {
      seats = Object.entries(cached).map(([sk, encoded]) => decodeSeat(eventId, sk, encoded));
    } else {
      seats = await readEventSeats(this.options.store, eventId);
      await this.write(eventId, 'fill', seats);
    }
    return section === undefined ? seats : seats.filter((seat) => seat.section === section);
  }

  /** After a transaction: writes the current state of `seatKeys`. Best effort; the TTL bounds a miss. */
  async refresh(eventId: string, seatKeys: readonly string[]): Promise<void> {
    if (seatKeys.length === 0) return;
    try {
      if ((await this.options.redis.exists(this.key(eventId))) === 0) return;
      const seats = await readSeats(this.options.store, eventId, seatKeys);
      await this.write(eventId, 'update', [...seats.values()]);
    } catch (error) {
      this.options.log?.warn({ err: error, eventId }, 'seat-map cache update failed');
    }
  }
}
