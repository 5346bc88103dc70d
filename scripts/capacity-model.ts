// The capacity model behind `npm run capacity`: a simulated sale driven through the product's own
// pieces (best-available's picks from each section's seats, the reserve / confirm / release
// transaction builders, seatsOfLayout's items), metered per partition key and per second
// (lib/dynamo-capacity.ts). One sale is simulated once and metered under two key layouts at the same
// time: the layout in use (booking/booking-keys.ts `inventoryKeys`) and the one before decision 0010
// (`eventWideKeys`), so the two figures differ only by where the same items live.
import { gridLayout } from '../catalog/venue-layout.js';
import { pickAdjacentSeats } from '../booking/best-available.js';
import { eventWideKeys, inventoryKeys, parseSeatSk, SEAT_PARTITIONS_SK_PREFIX, SEAT_SK_PREFIX, seatPartitionsKey, type HoldItem, type ItemKey, type InventoryKeys, type SeatItem } from '../booking/booking-keys.js';
import { confirmTransaction, releaseTransaction, reserveTransaction, type TransactionScope, type TransactItem } from '../booking/booking-transactions.js';
import { seatsOfLayout } from '../booking/seat-provisioning.js';
import { tableNames } from '../lib/dynamo.js';
import { applyUpdate, CapacityMeter, itemSize, readUnits, writeUnits, type MeterReport } from '../lib/dynamo-capacity.js';

export interface SaleShape {
  seats: number;
  reservationsPerSecond: number;
  seatsPerReservation: number;
  /** Venue shape: sections of `rowsPerSection` × `seatsPerRow` (the last section takes the rest). */
  rowsPerSection: number;
  seatsPerRow: number;
  /** A fan pays (or lets go) this long after the hold: 1 s makes confirms overlap the reserves. */
  payAfterSeconds: number;
  /** Share of holds let go instead of paid; their seats go back on sale. */
  releaseShare: number;
  /** api and worker processes, each filling its seat-map cache at the start and every fill TTL. */
  processes: number;
  fillTtlSeconds: number;
  /** Indexer processes, each recounting the event's availability up to 4 times a second (250 ms debounce). */
  indexers: number;
  bestAvailableSpread: number;
  seed: number;
}

export const DEFAULT_SHAPE: SaleShape = {
  seats: 50_000,
  reservationsPerSecond: 10_000,
  seatsPerReservation: 2,
  rowsPerSection: 25,
  seatsPerRow: 40,
  payAfterSeconds: 1,
  releaseShare: 0.1,
  processes: 20,
  fillTtlSeconds: 30,
  indexers: 2,
  bestAvailableSpread: 8,
  seed: 1,
};

export interface LayoutFigures extends MeterReport {
  layout: string;
}

export interface CapacityResult {
  sale: { seconds: number; reservations: number; rejected: number; bookings: number; releases: number; seatsSold: number };
  layouts: LayoutFigures[];
}

const EVENT_ID = 'capacity-model';
const TABLE_PREFIX = 'corral-';
const tables = tableNames(TABLE_PREFIX);
const HASH_KEY: Record<string, string> = { [tables.inventory]: 'pk', [tables.outbox]: 'id' };
const HOLD_TTL_MS = 600_000;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sort key's kind: its text up to the first `#` (`SEAT#`, `HOLD#`, `SEAT-PARTITIONS#`). */
const rangeOf = (pk: string, sk: string) => `${pk}\u0000${sk.slice(0, sk.indexOf('#') + 1)}`;

/** One key layout's view of the sale: its items (for their sizes) and its meter. */
class MeteredLayout {
  readonly meter = new CapacityMeter();
  readonly scope: TransactionScope;
  private readonly items = new Map<string, { item: Record<string, unknown>; bytes: number }>();
  /** Bytes of inventory items per partition key and sort-key kind (`SEAT#`, `HOLD#`…), kept as items
   * change: what a Query of that key and prefix reads. */
  private readonly rangeBytes = new Map<string, number>();

  constructor(readonly keys: InventoryKeys) {
    this.scope = { tables, keys };
  }

  private identity(table: string, key: object): string {
    const attributes = key as Record<string, unknown>;
    return `${table}\u0000${String(attributes[HASH_KEY[table]!])}\u0000${String(attributes.sk ?? '')}`;
  }

  /** Stores the item; answers the larger of its size before and after (what a write pays for). */
  put(table: string, item: object): number {
    const attributes = item as Record<string, unknown>;
    const identity = this.identity(table, item);
    const before = this.items.get(identity)?.bytes ?? 0;
    const bytes = itemSize(attributes);
    this.items.set(identity, { item: attributes, bytes });
    if (table === tables.inventory) {
      const range = rangeOf(String(attributes.pk), String(attributes.sk));
      this.rangeBytes.set(range, (this.rangeBytes.get(range) ?? 0) + bytes - before);
    }
    return Math.max(before, bytes);
  }

  private stored(table: string, key: object) {
    return this.items.get(this.identity(table, key));
  }

  /** A transaction that commits: each item pays two units per KB of the larger of before and after. */
  transact(second: number, transactItems: readonly TransactItem[]): void {
    for (const entry of transactItems) {
      if (entry.Put) {
        const { TableName: table, Item: item } = entry.Put as { TableName: string; Item: Record<string, unknown> };
        this.meter.charge(second, table, String(item[HASH_KEY[table]!]), writeUnits(this.put(table, item), true), 0);
      } else if (entry.Update) {
        const update = entry.Update as { TableName: string; Key: Record<string, unknown>; UpdateExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> };
        const after = applyUpdate(this.stored(update.TableName, update.Key)?.item, update);
        this.meter.charge(second, update.TableName, String(update.Key[HASH_KEY[update.TableName]!]), writeUnits(this.put(update.TableName, after), true), 0);
      } else {
        throw new Error('capacity model: only Put and Update items are metered');
      }
    }
  }

  /** A consistent GetItem or BatchGetItem of these keys: a unit per 4 KB per item. */
  getItems(second: number, keys: readonly ItemKey[]): void {
    for (const key of keys) this.meter.charge(second, tables.inventory, key.pk, 0, readUnits(this.stored(tables.inventory, key)?.bytes ?? 1, 'strong'));
  }

  /** An eventually consistent read of whole partitions (one Query each, 1 MB pages, each page
   * rounded up to 4 KB): the product's fan-out over an event's partitions, or the old single Query. */
  queryPartitions(second: number, ranges: ReadonlyArray<{ pk: string; skPrefix: string }>): void {
    for (const { pk, skPrefix } of ranges) {
      const bytes = this.rangeBytes.get(rangeOf(pk, skPrefix)) ?? 0;
      const pages = Math.max(1, Math.ceil(bytes / (1024 * 1024)));
      this.meter.charge(second, tables.inventory, pk, 0, pages * readUnits(Math.ceil(bytes / pages), 'eventual'));
    }
  }
}

interface PendingEnd {
  hold: HoldItem;
  pay: boolean;
}

export function simulateSale(shape: SaleShape = DEFAULT_SHAPE): CapacityResult {
  const random = seededRandom(shape.seed);
  const sectionCount = Math.ceil(shape.seats / (shape.rowsPerSection * shape.seatsPerRow));
  const sectionNames = Array.from({ length: sectionCount }, (_, index) => `S${String(index + 1).padStart(3, '0')}`);
  const full = gridLayout(sectionNames, shape.rowsPerSection, shape.seatsPerRow, (_, row) => (row <= 5 ? 'front' : 'main'));
  // Trim the last section so the venue has exactly `seats` seats.
  let excess = sectionCount * shape.rowsPerSection * shape.seatsPerRow - shape.seats;
  for (const row of [...full.sections[sectionCount - 1]!.rows].reverse()) {
    const cut = Math.min(excess, row.seats.length - 1);
    row.seats.splice(row.seats.length - cut, cut);
    excess -= cut;
  }
  if (excess > 0) throw new Error('capacity model: the venue shape cannot hold that few seats');
  const prices = { front: 12_000, main: 6_000 };
  const layouts = [new MeteredLayout(inventoryKeys), new MeteredLayout(eventWideKeys)];

  // The sale's seat state (what the seat map shows), shared by both layouts; items per layout.
  const seats = seatsOfLayout(EVENT_ID, full, prices);
  const sections = new Map<string, SeatItem[]>();
  for (const seat of seats) {
    const sectionSeats = sections.get(seat.section);
    if (sectionSeats) sectionSeats.push(seat);
    else sections.set(seat.section, [seat]);
  }
  const seatBySk = new Map(seats.map((seat) => [seat.sk, seat]));
  // What best-available looks at: the section's reservable seats (it ignores the others anyway).
  const freeSeats = new Map([...sections].map(([section, sectionSeats]) => [section, [...sectionSeats]]));
  for (const layout of layouts) {
    for (const seat of seatsOfLayout(EVENT_ID, full, prices, layout.keys)) layout.put(tables.inventory, seat);
    if (layout.keys === inventoryKeys) for (const section of sectionNames) layout.put(tables.inventory, { ...seatPartitionsKey(EVENT_ID, section), partitions: new Set<string>() });
  }
  // An event-wide seat read touches every partition its seats live in (and, in the layout in use,
  // the partition list under `EVENT#<id>` first).
  const seatReadPks = layouts.map((layout) => {
    const ranges = [...new Set(seats.map((seat) => layout.keys.seat(EVENT_ID, seat.sk).pk))].map((pk) => ({ pk, skPrefix: SEAT_SK_PREFIX }));
    if (layout.keys === inventoryKeys) ranges.unshift({ pk: seatPartitionsKey(EVENT_ID, sectionNames[0]!).pk, skPrefix: SEAT_PARTITIONS_SK_PREFIX });
    return ranges;
  });
  const eventWideRead = (second: number) => layouts.forEach((layout, position) => layout.queryPartitions(second, seatReadPks[position]!));

  const ends = new Map<number, PendingEnd[]>();
  const open = new Set(sectionNames);
  const sale = { seconds: 0, reservations: 0, rejected: 0, bookings: 0, releases: 0, seatsSold: 0 };
  let fan = 0;
  let soldOutRead = false;
  for (let second = 0; open.size > 0 || ends.size > 0; second += 1) {
    if (second > 3_600) throw new Error('capacity model: the sale did not end within an hour');
    sale.seconds = second + 1;
    if (second % shape.fillTtlSeconds === 0 && open.size > 0) for (let process = 0; process < shape.processes; process += 1) eventWideRead(second);
    if (open.size > 0) for (let recount = 0; recount < shape.indexers * 4; recount += 1) eventWideRead(second);

    for (let index = 0; index < shape.reservationsPerSecond && open.size > 0; index += 1) {
      const now = second * 1_000 + Math.floor((index * 1_000) / shape.reservationsPerSecond);
      const openSections = [...open];
      const section = openSections[Math.floor(random() * openSections.length)]!;
      const sectionSeats = freeSeats.get(section)!;
      const picked = pickAdjacentSeats(sectionSeats, shape.seatsPerReservation, now, new Set(), { spread: shape.bestAvailableSpread, random });
      if (!picked) {
        // The fan is told `unavailable` from the cache, with no DynamoDB request; the section is done.
        open.delete(section);
        sale.rejected += 1;
        continue;
      }
      fan += 1;
      const holdId = `h_capacity${String(fan).padStart(10, '0')}`;
      const chosen = picked.map((sk) => seatBySk.get(sk)!);
      let hold: HoldItem | undefined;
      for (const layout of layouts) {
        const transaction = reserveTransaction(layout.scope, { eventId: EVENT_ID, holdId, fanId: `fan-${fan}`, requestedAt: now, heldUntil: now + HOLD_TTL_MS, seats: chosen, maxSeatsPerFan: 8 });
        layout.transact(second, transaction.items);
        hold ??= transaction.hold;
      }
      for (const seat of chosen) Object.assign(seat, { status: 'HELD', holdId, heldUntil: now + HOLD_TTL_MS, version: seat.version + 1 });
      freeSeats.set(section, sectionSeats.filter((seat) => !picked.includes(seat.sk)));
      sale.reservations += 1;
      const due = second + shape.payAfterSeconds;
      ends.set(due, [...(ends.get(due) ?? []), { hold: hold!, pay: random() >= shape.releaseShare }]);
    }

    for (const { hold, pay } of ends.get(second) ?? []) {
      const now = second * 1_000 + 500;
      for (const layout of layouts) {
        // The step reads its hold (consistent), writes one transaction, then refreshes the seat map
        // from a consistent BatchGet of the seats (release also reads the seats before writing).
        layout.getItems(second, [layout.keys.hold(EVENT_ID, hold.holdId)]);
        const seatItemKeys = hold.seatKeys.map((sk) => layout.keys.seat(EVENT_ID, sk));
        if (pay) layout.transact(second, confirmTransaction(layout.scope, hold, `pay_${hold.holdId}`, now).items);
        else {
          layout.getItems(second, seatItemKeys);
          layout.transact(second, releaseTransaction(layout.scope, hold, hold.seatKeys, 'released', now));
        }
        layout.getItems(second, seatItemKeys);
      }
      for (const sk of hold.seatKeys) {
        const seat = seatBySk.get(sk)!;
        if (pay) Object.assign(seat, { status: 'SOLD', heldUntil: undefined, version: seat.version + 1 });
        else Object.assign(seat, { status: 'AVAILABLE', holdId: undefined, heldUntil: undefined, version: seat.version + 1 });
      }
      if (pay) {
        sale.bookings += 1;
        sale.seatsSold += hold.seatKeys.length;
      } else {
        sale.releases += 1;
        const section = parseSeatSk(hold.seatKeys[0]!).section;
        freeSeats.get(section)!.push(...hold.seatKeys.map((sk) => seatBySk.get(sk)!));
        open.add(section);
      }
    }
    ends.delete(second);
    // The payment that sells the last seat reads the whole event once (the sold-out check).
    if (!soldOutRead && seats.every((seat) => seat.status === 'SOLD')) {
      eventWideRead(second);
      soldOutRead = true;
    }
  }

  return {
    sale,
    layouts: layouts.map((layout) => ({ layout: layout.keys.name, ...layout.meter.report() })),
  };
}
