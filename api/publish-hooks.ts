// What publishing an event does outside MySQL: its seats into DynamoDB (one AVAILABLE item per
// seat of the venue layout, priced by tier) and its waiting room into Redis (opening at the sale
// time). Both are idempotent, so a publish that failed half-way is simply retried.
import { ActiveEvents } from '../waiting-room/active-events.js';
import { platformRoomControl, type RoomControl } from '../waiting-room/room-control.js';
import type { Platform } from '../lib/platform.js';
import { QueueStore } from '../waiting-room/queue-store.js';
import { RoomRecovery } from '../waiting-room/room-recovery.js';
import { bookingStore, type BookingStore } from '../booking/booking-store.js';
import { provisionSeats } from '../booking/seat-provisioning.js';
import type { PublishHooks, PublishedEvent } from '../catalog/catalog.js';

/** Defaults for a freshly published sale; the organizer tunes them from the dashboard. */
export interface RoomDefaults {
  admissionRatePerMinute: number;
  maxActiveShoppers: number;
  passTtlSeconds: number;
}

export const DEFAULT_ROOM: RoomDefaults = { admissionRatePerMinute: 600, maxActiveShoppers: 1_000, passTtlSeconds: 900 };

export interface PublishHookDeps {
  store: BookingStore;
  queueStore: QueueStore;
  roomControl: RoomControl;
  activeEvents: ActiveEvents;
  roomDefaults?: RoomDefaults;
  /** A room Redis lost comes back from its checkpoint (same settings, counters and seed commitment). */
  recovery?: RoomRecovery;
}

export function publishHooks(deps: PublishHookDeps): PublishHooks {
  const room = deps.roomDefaults ?? DEFAULT_ROOM;
  return {
    async provisionSeats(event: PublishedEvent) {
      await provisionSeats(deps.store, event.id, event.layout, event.priceCentsByTier);
    },
    async configureWaitingRoom(event: PublishedEvent) {
      // A retried publish must not overwrite what the organizer may already have changed, and a room
      // Redis lost is rebuilt from its checkpoint, not created anew (a new seed would break its commitment).
      if ((await deps.queueStore.readConfig(event.id)) !== null || (await deps.recovery?.ensureRoom(event.id))) {
        await deps.activeEvents.add(event.id);
        return;
      }
      await deps.roomControl.configureRoom(event.id, { opensAt: event.saleOpensAt.getTime(), ...room });
    },
  };
}

/** The hooks over the platform's own DynamoDB tables and Redis keys. */
export function platformPublishHooks(platform: Platform, roomControl: RoomControl = platformRoomControl(platform), roomDefaults?: RoomDefaults): PublishHooks {
  const redis = platform.redis();
  const queueStore = new QueueStore({ redis });
  const activeEvents = new ActiveEvents(redis);
  const store = bookingStore(platform.dynamo().doc, platform.config.DYNAMODB_TABLE_PREFIX);
  const recovery = new RoomRecovery({ redis, prisma: platform.prisma(), activeEvents, clock: Date.now, log: platform.log });
  return publishHooks({ store, queueStore, roomControl, activeEvents, recovery, ...(roomDefaults ? { roomDefaults } : {}) });
}
