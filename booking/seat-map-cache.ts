// The seat-map cache: one Redis hash per section (seat sk -> version|status|heldUntil|tier|price, plus
// that section's counts), a holds set per section, and a small per-event index of the sections,
// written last at fill. A section read touches only its hash; the event summary reads counts, never
// seats. A miss fills every section from one DynamoDB read (shared by concurrent misses in this
// process); every booking transaction then writes the seats it touched (read back from DynamoDB, so
// the cached version is the real one). Invariants: every write is version-checked and moves the counts
// in the same Lua call; the DynamoDB transaction conditions alone decide who gets a seat; a missed
// write lives at most one fill TTL. Each section's keys share its own hash tag (booking-keys.ts), so
// every script call takes the keys of one section, or the index alone.
import type { RedisClient } from '../lib/redis.js';
import { defineScripts, runScript } from '../lib/redis-scripts.js';
import type { Logger } from '../lib/log.js';
import { bookingScript } from './booking-lua.js';
import { bookingRedisKeys, isReservable, parseSeatSk, SEAT_SK_PREFIX, type InventoryKeys, type SeatItem, type SeatStatus } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import type { BookingConfig } from './booking-config.js';
import { readSeats } from './booking-reads.js';
import { readEventSeats, sectionAvailability, type SectionAvailability } from './seat-availability.js';

const writeSeatMapScript = bookingScript('corralBookingWriteSeatMap', 'write-seat-map.lua');
const writeSeatMapIndexScript = bookingScript('corralBookingWriteSeatMapIndex', 'write-seat-map-index.lua');
const readSeatMapSummaryScript = bookingScript('corralBookingReadSeatMapSummary', 'read-seat-map-summary.lua');
const sealSeatMapSectionScript = bookingScript('corralBookingSealSeatMapSection', 'seal-seat-map-section.lua');

/** Seats per fill script call: RedisClient runs one script at a time, so no call may hold it for long. */
export const FILL_CHUNK_SEATS = 1_000;
/** Width of the zero-padded milliseconds in the holds sets (see write-seat-map.lua). */
const TIME_DIGITS = 15;

function encodeSeat(seat: SeatItem): string {
  return [seat.version, seat.status, seat.heldUntil ?? '', seat.priceTier, seat.priceCents].join('|');
}

function decodeSeat(keys: InventoryKeys, eventId: string, sk: string, encoded: string): SeatItem {
  const [version, status, heldUntil, priceTier, priceCents] = encoded.split('|');
  return {
    ...keys.seat(eventId, sk),
    ...parseSeatSk(sk),
    version: Number(version),
    status: status as SeatStatus,
    ...(heldUntil ? { heldUntil: Number(heldUntil) } : {}),
    priceTier: priceTier!,
    priceCents: Number(priceCents),
  };
}

/** A section hash's seats; its `~` fields are counts and markers, not seats. */
function decodeSection(keys: InventoryKeys, eventId: string, fields: Record<string, string>): SeatItem[] {
  return Object.entries(fields)
    .filter(([field]) => field.startsWith(SEAT_SK_PREFIX))
    .map(([sk, encoded]) => decodeSeat(keys, eventId, sk, encoded));
}

function groupBySection<T>(items: readonly T[], skOf: (item: T) => string): Map<string, T[]> {
  const sections = new Map<string, T[]>();
  for (const item of items) {
    const section = parseSeatSk(skOf(item)).section;
    const group = sections.get(section);
    if (group) group.push(item);
    else sections.set(section, [item]);
  }
  return sections;
}

const skOfSeat = (seat: SeatItem) => seat.sk;

export interface SeatMapCacheOptions {
  redis: RedisClient;
  store: BookingStore;
  keyPrefix: string;
  /** How long a section fill is trusted; the index lives a tenth less, so it always expires first. */
  ttlMs: number;
  /** Seats per fill script call (FILL_CHUNK_SEATS); tests make it small to see chunked fills. */
  fillChunkSeats?: number;
  log?: Logger;
}

export class SeatMapCache {
  private readonly fills = new Map<string, Promise<SeatItem[]>>();
  private readonly sectionTtlMs: number;
  private readonly indexTtlMs: number;

  /** The cache every role shares for a deployment: its key prefix and fill TTL from the booking config. */
  static configured(redis: RedisClient, store: BookingStore, config: Pick<BookingConfig, 'BOOKING_KEY_PREFIX' | 'SEAT_MAP_CACHE_TTL_SECONDS'>, log?: Logger): SeatMapCache {
    return new SeatMapCache({ redis, store, keyPrefix: config.BOOKING_KEY_PREFIX, ttlMs: config.SEAT_MAP_CACHE_TTL_SECONDS * 1000, ...(log ? { log } : {}) });
  }

  constructor(private readonly options: SeatMapCacheOptions) {
    defineScripts(options.redis, [writeSeatMapScript, writeSeatMapIndexScript, readSeatMapSummaryScript, sealSeatMapSectionScript]);
    this.sectionTtlMs = options.ttlMs;
    // The margin only has to cover a reader's step from the index to a section; the summary script
    // re-checks every section anyway and treats a missing one as a miss.
    this.indexTtlMs = Math.max(1, options.ttlMs - Math.max(1, Math.floor(options.ttlMs / 10)));
  }

  private keys(eventId: string) {
    return bookingRedisKeys(this.options.keyPrefix, eventId);
  }

  /** One section's seats (or, without `section`, every section's: tests and tools, not hot paths),
   * filling the cache from DynamoDB on a miss. An unknown section is []. */
  async seats(eventId: string, section?: string): Promise<SeatItem[]> {
    const { redis } = this.options;
    const keys = this.keys(eventId);
    if (section === undefined) {
      const sections = Object.keys(await redis.hgetall(keys.seatMapIndex));
      const hashes = await Promise.all(sections.map((name) => redis.hgetall(keys.seatMapSection(name))));
      if (sections.length > 0 && hashes.every((fields) => fields['~complete'] !== undefined)) return hashes.flatMap((fields) => decodeSection(this.options.store.keys, eventId, fields));
      return this.fill(eventId);
    }
    const cached = await redis.hgetall(keys.seatMapSection(section));
    if (cached['~complete'] !== undefined) return decodeSection(this.options.store.keys, eventId, cached);
    // A live index that does not list the section: unknown, no DynamoDB read (a section provisioned
    // since the fill appears with the next one). One that lists it lost the key: fill again.
    const index = await redis.hgetall(keys.seatMapIndex);
    if (Object.keys(index).length > 0 && index[section] === undefined) return [];
    return (await this.fill(eventId)).filter((seat) => seat.section === section);
  }

  /** Whether the event has this section (the index, or a fill on a miss): a check, not a read of its seats. */
  async hasSection(eventId: string, section: string): Promise<boolean> {
    const keys = this.keys(eventId);
    const [listed, indexed] = (await this.options.redis.multi().hexists(keys.seatMapIndex, section).exists(keys.seatMapIndex).exec()) ?? [];
    if (listed?.[1] === 1) return true;
    if (indexed?.[1] === 1) return false;
    return (await this.fill(eventId)).some((seat) => seat.section === section);
  }

  /** True when a complete cached section shows one of `seatKeys` held (unexpired) or sold at
   * `nowMs`; false when they look reservable or are not cached (no fill: the caller reads DynamoDB). */
  async showsTaken(eventId: string, seatKeys: readonly string[], nowMs: number): Promise<boolean> {
    const keys = this.keys(eventId);
    for (const [section, sectionKeys] of groupBySection(seatKeys, (sk) => sk)) {
      const [complete, ...encoded] = await this.options.redis.hmget(keys.seatMapSection(section), '~complete', ...sectionKeys);
      if (complete === null) continue;
      for (const [position, value] of encoded.entries()) {
        if (value !== null && !isReservable(decodeSeat(this.options.store.keys, eventId, sectionKeys[position]!, value), nowMs)) return true;
      }
    }
    return false;
  }

  /** Which of `seatKeys` the event does not have, from the cache (HMGET of their sections; a fill on
   * a miss): how the api refuses unknown seats without a DynamoDB read. */
  async unknownSeats(eventId: string, seatKeys: readonly string[]): Promise<string[]> {
    const { redis } = this.options;
    const keys = this.keys(eventId);
    const unknown: string[] = [];
    for (const [section, sectionKeys] of groupBySection(seatKeys, (sk) => sk)) {
      const values = await redis.hmget(keys.seatMapSection(section), '~complete', ...sectionKeys);
      if (values[0] !== null) {
        sectionKeys.forEach((sk, position) => {
          if (values[position + 1] === null) unknown.push(sk);
        });
        continue;
      }
      const known = new Set((await this.seats(eventId, section)).map((seat) => seat.sk));
      unknown.push(...sectionKeys.filter((sk) => !known.has(sk)));
    }
    return unknown;
  }

  /** Per-section availability at `nowMs` from the cached counts (a lapsed hold counts as available),
   * sorted by section; [] for an event without seats. */
  async sectionAvailability(eventId: string, nowMs: number): Promise<SectionAvailability[]> {
    const { redis } = this.options;
    const keys = this.keys(eventId);
    const sections = Object.keys(await redis.hgetall(keys.seatMapIndex));
    if (sections.length > 0) {
      // One call per section (each section is its own slot); any section not cached completely
      // sends the whole summary to a fill, as before.
      const now = String(nowMs).padStart(TIME_DIGITS, '0');
      const replies = (await Promise.all(sections.map((section) => runScript(redis, readSeatMapSummaryScript.name, [keys.seatMapSection(section), keys.seatMapHolds(section)], [now])))) as Array<Array<string | number> | null>;
      if (replies.every((reply) => reply !== null)) return sections.map((section, position) => summaryOf(section, replies[position]!)).sort((a, b) => a.section.localeCompare(b.section));
    }
    return sectionAvailability(await this.fill(eventId), nowMs);
  }

  /** After a transaction: writes the current state of `seatKeys` into the sections that are cached,
   * read back from DynamoDB. Best effort; the fill TTL bounds a miss. */
  async refresh(eventId: string, seatKeys: readonly string[]): Promise<void> {
    if (seatKeys.length === 0) return;
    const { redis } = this.options;
    const keys = this.keys(eventId);
    try {
      const bySection = groupBySection(seatKeys, (sk) => sk);
      const sections = [...bySection.keys()];
      const cached = await Promise.all(sections.map((section) => redis.exists(keys.seatMapSection(section))));
      const wanted = sections.filter((_, position) => cached[position] === 1);
      if (wanted.length === 0) return;
      const seats = await readSeats(this.options.store, eventId, wanted.flatMap((section) => bySection.get(section)!));
      await this.apply(eventId, [...seats.values()]);
    } catch (error) {
      this.options.log?.warn({ err: error, eventId }, 'seat-map cache update failed');
    }
  }

  /** Writes seat states the caller knows exactly (what a transaction just wrote, or the items a failed
   * condition returned) into the sections that are cached, without a DynamoDB read. Version-checked
   * like every write; best effort, as refresh. */
  async apply(eventId: string, seats: readonly SeatItem[]): Promise<void> {
    if (seats.length === 0) return;
    try {
      await Promise.all([...groupBySection(seats, skOfSeat)].map(([section, sectionSeats]) => this.writeSection(eventId, section, 'update', sectionSeats, false)));
    } catch (error) {
      this.options.log?.warn({ err: error, eventId }, 'seat-map cache update failed');
    }
  }

  private writeSection(eventId: string, section: string, mode: 'fill' | 'update', seats: readonly SeatItem[], complete: boolean): Promise<unknown> {
    const keys = this.keys(eventId);
    const pairs = seats.flatMap((seat) => [seat.sk, encodeSeat(seat)]);
    return runScript(this.options.redis, writeSeatMapScript.name, [keys.seatMapSection(section), keys.seatMapHolds(section)], [mode, this.sectionTtlMs, complete ? '1' : '0', ...pairs]);
  }

  /** Concurrent misses for one event in this process share one fill (one DynamoDB read). */
  private fill(eventId: string): Promise<SeatItem[]> {
    const running = this.fills.get(eventId);
    if (running) return running;
    const started = this.fillFromDynamo(eventId).finally(() => {
      if (this.fills.get(eventId) === started) this.fills.delete(eventId);
    });
    this.fills.set(eventId, started);
    return started;
  }

  /** Reads the event once (bounded by readEventSeats' seat limit), writes each section in chunks of
   * FILL_CHUNK_SEATS (version-checked, so an update that landed meanwhile is kept), then the index.
   * Answers with what it read, which is at least as fresh as what it wrote. */
  private async fillFromDynamo(eventId: string): Promise<SeatItem[]> {
    const seats = await readEventSeats(this.options.store, eventId);
    if (seats.length === 0) return seats;
    const bySection = groupBySection(seats, skOfSeat);
    await Promise.all(
      [...bySection].map(async ([section, sectionSeats]) => {
        const chunk = this.options.fillChunkSeats ?? FILL_CHUNK_SEATS;
        for (let start = 0; start < sectionSeats.length; start += chunk) {
          await this.writeSection(eventId, section, 'fill', sectionSeats.slice(start, start + chunk), start + chunk >= sectionSeats.length);
        }
      }),
    );
    const keys = this.keys(eventId);
    const sections = [...bySection.keys()];
    // Each section is sealed (complete, and its TTL set past the index's) in its own slot, then the
    // index is written: so a live index never lists a section that is incomplete or expired first.
    const sealed = await Promise.all(sections.map((section) => runScript(this.options.redis, sealSeatMapSectionScript.name, [keys.seatMapSection(section), keys.seatMapHolds(section)], [this.sectionTtlMs])));
    const written = sealed.every((reply) => reply === 1)
      ? await runScript(this.options.redis, writeSeatMapIndexScript.name, [keys.seatMapIndex], [this.indexTtlMs, ...sections.flatMap((section) => [section, bySection.get(section)!.length])])
      : 0;
    // Only if a section key vanished between its write and the index's: the next read fills again.
    if (written !== 1) this.options.log?.warn({ eventId }, 'seat-map index not written: a section was missing');
    return seats;
  }
}

/** One section's reply from read-seat-map-summary.lua: total, held, sold, then tier/available pairs. */
function summaryOf(section: string, reply: ReadonlyArray<string | number>): SectionAvailability {
  const [total, held, sold, ...tiers] = reply;
  const entry: SectionAvailability = { section, total: Number(total), available: 0, held: Number(held), sold: Number(sold), availableByTier: {} };
  for (let position = 0; position < tiers.length; position += 2) {
    const available = Number(tiers[position + 1]);
    entry.available += available;
    if (available > 0) entry.availableByTier[String(tiers[position])] = available;
  }
  return entry;
}
