// Seat-map reads for fans: per-section counts (a lapsed hold counts as available, because the
// reserve condition will take it) and, for one section, each seat's state. Read from DynamoDB here,
// fanned out over the event's seat partitions (seat-partitions.ts); the Redis seat-map cache
// (seat-map-cache.ts) fills from readEventSeats and keeps the same counts.
import { isReservable, SEAT_SK_PREFIX, type SeatItem } from './booking-keys.js';
import type { BookingStore } from './booking-store.js';
import { querySeatPartitions } from './seat-partitions.js';

export interface SectionAvailability {
  section: string;
  total: number;
  available: number;
  held: number;
  sold: number;
  availableByTier: Record<string, number>;
}

export interface SeatState {
  section: string;
  row: string;
  number: number;
  priceTier: string;
  priceCents: number;
  state: 'available' | 'held' | 'sold';
}

/** An event bigger than the catalog allows (200,000 seats) is refused rather than read without end. */
export class TooManySeatsError extends Error {
  constructor(eventId: string, maxSeats: number) {
    super(`event ${eventId} has more than ${maxSeats} seats`);
    this.name = 'TooManySeatsError';
  }
}

export const MAX_EVENT_SEATS = 200_000;

/** The event's seats (or one section's), in partition order; eventually consistent unless asked. */
export async function readEventSeats(store: BookingStore, eventId: string, section?: string, maxSeats = MAX_EVENT_SEATS, options: { consistentRead?: boolean } = {}): Promise<SeatItem[]> {
  return querySeatPartitions<SeatItem>(store, eventId, SEAT_SK_PREFIX, {
    ...(section !== undefined ? { section } : {}),
    ...(options.consistentRead ? { consistentRead: true } : {}),
    afterPage: (seatsSoFar) => {
      if (seatsSoFar > maxSeats) throw new TooManySeatsError(eventId, maxSeats);
    },
  });
}

export function seatState(seat: SeatItem, nowMs: number): SeatState['state'] {
  if (seat.status === 'SOLD') return 'sold';
  return isReservable(seat, nowMs) ? 'available' : 'held';
}

export function sectionAvailability(seats: readonly SeatItem[], nowMs: number): SectionAvailability[] {
  const sections = new Map<string, SectionAvailability>();
  for (const seat of seats) {
    let entry = sections.get(seat.section);
    if (!entry) {
      entry = { section: seat.section, total: 0, available: 0, held: 0, sold: 0, availableByTier: {} };
      sections.set(seat.section, entry);
    }
    entry.total += 1;
    const state = seatState(seat, nowMs);
    entry[state] += 1;
    if (state === 'available') entry.availableByTier[seat.priceTier] = (entry.availableByTier[seat.priceTier] ?? 0) + 1;
  }
  return [...sections.values()].sort((a, b) => a.section.localeCompare(b.section));
}
