// Live availability in the events index. `seat.changed` messages (one per hold, expiry, release or
// confirmation) say which event changed; the refresher then recounts that event's reservable seats
// and writes the count into its search document. Recounting instead of applying deltas makes
// duplicates and reordering harmless; a burst of messages for one event coalesces into one recount.
// With a seat-map cache (the indexer role) the recount reads its per-section counts in Redis, a
// call per section whatever the event's size; only a cold cache reads the seats in DynamoDB (one
// fill, which the cache keeps). Without one it reads every seat in DynamoDB: at 4 recounts a second
// of a 50,000-seat event that would be 200,000 seat reads a second for a search badge.
import type { Logger } from '../../lib/log.js';
import type { SearchClient } from '../../lib/search.js';
import { availabilityOf, eventsIndexNames } from '../../search/events-index.js';
import { isReservable } from '../../booking/booking-keys.js';
import type { BookingStore } from '../../booking/booking-store.js';
import { readEventSeats } from '../../booking/seat-availability.js';
import type { SeatMapCache } from '../../booking/seat-map-cache.js';

/** Seats a fan could reserve now (a lapsed hold counts, as the reserve condition takes it). */
export async function countReservableSeats(store: BookingStore, eventId: string): Promise<{ seatsAvailable: number; seatCount: number }> {
  const seats = await readEventSeats(store, eventId);
  const now = store.clock();
  return { seatsAvailable: seats.filter((seat) => isReservable(seat, now)).length, seatCount: seats.length };
}

/** The same count from the seat-map cache's per-section counts (a lapsed hold counts there too). */
export async function countReservableSeatsCached(seatMap: SeatMapCache, eventId: string, nowMs: number): Promise<{ seatsAvailable: number; seatCount: number }> {
  const sections = await seatMap.sectionAvailability(eventId, nowMs);
  return { seatsAvailable: sections.reduce((sum, section) => sum + section.available, 0), seatCount: sections.reduce((sum, section) => sum + section.total, 0) };
}

export interface AvailabilityRefresherOptions {
  store: BookingStore;
  /** Count from this cache instead of DynamoDB (see the top of this file). */
  seatMap?: SeatMapCache;
  search: SearchClient;
  log: Logger;
  indexPrefix?: string;
  debounceMs?: number;
}

export class AvailabilityRefresher {
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(private readonly options: AvailabilityRefresherOptions) {}

  /** Recount soon; calls within the debounce window share one recount. */
  schedule(eventId: string): void {
    if (this.scheduled.has(eventId)) return;
    if (this.running.has(eventId)) {
      this.again.add(eventId);
      return;
    }
    const timer = setTimeout(() => {
      this.scheduled.delete(eventId);
      const run = this.refresh(eventId)
        .then(() => undefined)
        .catch((error: unknown) => this.options.log.warn({ err: error, eventId }, 'availability refresh failed'))
        .finally(() => {
          this.running.delete(eventId);
          if (this.again.delete(eventId)) this.schedule(eventId);
        });
      this.running.set(eventId, run);
    }, this.options.debounceMs ?? 250);
    this.scheduled.set(eventId, timer);
  }

  /** Recounts now; false when the event has no seats or no search document (not published yet). */
  async refresh(eventId: string): Promise<boolean> {
    const { store, seatMap } = this.options;
    const { seatsAvailable, seatCount } = seatMap ? await countReservableSeatsCached(seatMap, eventId, store.clock()) : await countReservableSeats(store, eventId);
    if (seatCount === 0) return false;
    try {
      await this.options.search.update({
        index: eventsIndexNames(this.options.indexPrefix).alias,
        id: eventId,
        body: { doc: { seatsAvailable, availability: availabilityOf(seatsAvailable, seatCount) } },
        retry_on_conflict: 3,
      });
      return true;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return false;
      throw error;
    }
  }

  /** Waits for recounts in flight and drops those not started (stop). */
  async close(): Promise<void> {
    for (const timer of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
    await Promise.all(this.running.values());
  }
}
