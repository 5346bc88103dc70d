// Sold out, by itself: after a sale commits, if the seat-map counts say nothing is left to buy (no
// seat available, none held), the seats are read once from DynamoDB and, only if every one is SOLD,
// the waiting room is marked sold out, so fans still in line are told at once (and the catalog
// follows through queue.state-changed). Held seats are not sold out: a hold may still lapse.
import type { Logger } from '../lib/log.js';
import type { BookingStore } from './booking-store.js';
import { readEventSeats } from './seat-availability.js';
import type { SeatMapCache } from './seat-map-cache.js';

export interface SoldOutCheckOptions {
  store: BookingStore;
  seatMap: SeatMapCache;
  /** The waiting room's transition (RoomControl.markSoldOut): idempotent, final. */
  markSoldOut: (eventId: string) => Promise<unknown>;
  log?: Logger;
}

export class SoldOutCheck {
  constructor(private readonly options: SoldOutCheckOptions) {}

  /** True when this call found the event sold out and marked its room. Never throws. */
  async afterSale(eventId: string): Promise<boolean> {
    const { store, seatMap, markSoldOut, log } = this.options;
    try {
      // The cheap gate: cached counts. Cheap enough to run after every sale, and it only lets the
      // last few sales through to the DynamoDB read below.
      const sections = await seatMap.sectionAvailability(eventId, store.clock());
      if (sections.length === 0 || sections.some((section) => section.available > 0 || section.held > 0)) return false;
      // The truth: the cache may lag; a seat that is not SOLD (a hold, even a lapsed one) keeps the sale open.
      const seats = await readEventSeats(store, eventId);
      if (seats.length === 0 || seats.some((seat) => seat.status !== 'SOLD')) return false;
      await markSoldOut(eventId);
      log?.info({ eventId, seats: seats.length }, 'every seat sold: waiting room marked sold out');
      return true;
    } catch (error) {
      log?.warn({ err: error, eventId }, 'sold-out check failed; the organizer can still mark it');
      return false;
    }
  }
}
