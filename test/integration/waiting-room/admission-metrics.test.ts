// The admission gauges the CorralAdmissionRateOff alert and the waiting-room dashboard read: set by
// the event's ticker leader from what the tick really did, the rate 0 while the sale admits nobody,
// and dropped by a process once another replica leads the event (real Redis, hand-moved clock).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdmissionLoop } from '../../../admission/admission-loop.js';
import { logger } from '../../../lib/log.js';
import { metricsRegistry } from '../../../lib/metrics.js';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { RoomControl } from '../../../waiting-room/room-control.js';
import { ServingBroadcaster } from '../../../waiting-room/serving-broadcast.js';
import { createRedisFixture, openRoom, uniqueEventId, type RedisFixture } from './redis-fixture.js';

const START_MS = 1_700_000_000_000;

async function gauge(name: string, eventId: string): Promise<number | undefined> {
  const metric = (await metricsRegistry().getMetricsAsJSON()).find((entry) => entry.name === name);
  return (metric?.values as Array<{ labels: Record<string, string>; value: number }> | undefined)?.find((value) => value.labels.event === eventId)?.value;
}

describe('admission gauges (real Redis)', () => {
  let fixture: RedisFixture;
  let store: QueueStore;
  let activeEvents: ActiveEvents;
  let control: RoomControl;
  let nowMs = START_MS;
  const clock = () => nowMs;

  beforeAll(() => {
    fixture = createRedisFixture();
    store = new QueueStore({ redis: fixture.redis, keyPrefix: fixture.keyPrefix });
    activeEvents = new ActiveEvents(fixture.redis, fixture.keyPrefix);
    const broadcaster = new ServingBroadcaster(fixture.redis, `${fixture.keyPrefix}socket.io`);
    control = new RoomControl({ redis: fixture.redis, store, activeEvents, broadcaster, clock, openSeed: () => 'fixed-seed' });
  });
  afterAll(async () => fixture.close());

  function loopAs(holderId: string): AdmissionLoop {
    const broadcaster = new ServingBroadcaster(fixture.redis, `${fixture.keyPrefix}socket.io`);
    return new AdmissionLoop({ redis: fixture.redis, store, control, activeEvents, broadcaster, holderId, leaseTtlMs: 5_000, clock, log: logger(), keyPrefix: fixture.keyPrefix });
  }

  it('report the set rate, serving, issued and shoppers while open, a rate of 0 once paused, and leave with the leadership', async () => {
    const eventId = uniqueEventId('gauges');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 120, maxActiveShoppers: 500 });
    await activeEvents.add(eventId);
    await Promise.all(Array.from({ length: 50 }, (_, fan) => store.join(eventId, `fan-${fan}`, 0)));
    const leader = loopAs('replica-a');
    await leader.tick();
    nowMs += 10_000; // 120/min for 10 s: 20 admitted
    await leader.tick();
    expect(await gauge('corral_admission_rate_per_minute', eventId)).toBe(120);
    expect(await gauge('corral_waiting_room_issued', eventId)).toBe(50);
    expect(await gauge('corral_waiting_room_serving', eventId)).toBe(20);
    expect(await gauge('corral_waiting_room_fans_waiting', eventId)).toBe(30);
    expect(await gauge('corral_admission_max_active_shoppers', eventId)).toBe(500);
    // As the tick found them, before it admitted: the 20 of the last tick, admitted but not claimed yet.
    expect(await gauge('corral_admission_active_shoppers', eventId)).toBe(0);
    nowMs += 1_000;
    await leader.tick();
    expect(await gauge('corral_admission_active_shoppers', eventId)).toBe(20);
    expect(await gauge('corral_waiting_room_serving', eventId)).toBe(22);

    await control.pause(eventId);
    nowMs += 1_000;
    await leader.tick();
    expect(await gauge('corral_admission_rate_per_minute', eventId)).toBe(0);

    // replica-a's lease lapses (it stopped ticking); replica-b takes the event over.
    nowMs += 6_000;
    const successor = loopAs('replica-b');
    await successor.tick();
    expect(successor.ticker.isLeader(eventId)).toBe(true);
    // Now a follower, replica-a drops its gauges for the event (one registry in this test process;
    // in production each replica has its own, and replica-b's stay).
    await leader.tick();
    expect(await gauge('corral_waiting_room_fans_waiting', eventId)).toBeUndefined();
    expect(await gauge('corral_admission_rate_per_minute', eventId)).toBeUndefined();
    await successor.stop();
    await leader.stop();
  });
});
