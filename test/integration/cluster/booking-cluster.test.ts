// Booking on a real 3-master Redis Cluster: the reserve race through BullMQ workers built by the
// worker role's own runtime (and a forked worker process configured by REDIS_CLUSTER=true), seat
// locks and the seat-map cache, on events whose booking hash tags land on different masters.
// Zero double-booking is asserted by reading DynamoDB, never by trusting Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isCluster, type Cluster } from '../../../lib/redis.js';
import { auditEvent } from '../../../booking/booking-audit.js';
import { bookingRedisKeys, SEAT_SK_PREFIX, seatSk, type SeatItem } from '../../../booking/booking-keys.js';
import { querySeatPartitions } from '../../../booking/seat-partitions.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { bookingQueuePrefixes } from '../../../booking/booking-queues.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { reserveHold } from '../../../booking/reserve-hold.js';
import { readEventSeats, sectionAvailability } from '../../../booking/seat-availability.js';
import { acquireSeatLocks } from '../../../booking/seat-locks.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { layoutOf } from '../booking/booking-fixture.js';
import { jobResults, waitForJobs } from '../booking/race-helpers.js';
import { waitFor } from '../relay/booking-sale.js';
import { HEADLINE_PARTITIONS, PARTITIONS, startBookingOnCluster, type BookingOnCluster } from './booking-on-cluster.js';
import { startRedisCluster, type RedisClusterFixture } from './redis-cluster.js';

const BUYERS_PER_EVENT = 100;
const SEATS_PER_EVENT = 7;

describe('booking on a Redis Cluster (3 masters, real redis-server, real DynamoDB)', () => {
  let cluster: RedisClusterFixture;
  let booking: BookingOnCluster;
  let redis: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    booking = await startBookingOnCluster(cluster, { concurrency: 16 });
    if (!isCluster(booking.redis)) throw new Error('the platform did not make a cluster client from REDIS_CLUSTER=true');
    redis = booking.redis;
  }, 90_000);
  afterAll(async () => {
    await booking?.close();
    await cluster?.stop();
  }, 60_000);

  /** One event per master, by the slot of its section A's hash tag `{bk:<event>:A}`. */
  const eventsOnEveryMaster = (label: string) =>
    cluster.idsOnEveryMaster(redis, `${label}-${randomUUID().slice(0, 8)}`, (eventId) => bookingRedisKeys(booking.keyPrefix, eventId).seatMapSection('A'));

  it('the booking queues, the events and one event\'s sections spread over the masters, each queue and each section inside one slot', async () => {
    const prefixes = bookingQueuePrefixes(booking.keyPrefix, PARTITIONS, HEADLINE_PARTITIONS);
    const queuePorts = await Promise.all(prefixes.map((prefix) => cluster.masterPortOf(redis, `${prefix}:booking:wait`)));
    expect(new Set(queuePorts).size).toBeGreaterThan(1);
    // BullMQ's keys of one queue share the prefix's hash tag, so its scripts stay on one node.
    for (const prefix of prefixes) {
      const slots = await Promise.all(['wait', 'active', 'delayed', 'meta', 'id', 'some-job-id'].map((suffix) => redis.cluster('KEYSLOT', `${prefix}:booking:${suffix}`)));
      expect(new Set(slots).size).toBe(1);
    }
    const eventIds = await eventsOnEveryMaster('spread');
    const eventPorts = await Promise.all(eventIds.map((eventId) => cluster.masterPortOf(redis, bookingRedisKeys(booking.keyPrefix, eventId).seatLock('SEAT#A#1#1'))));
    expect(new Set(eventPorts).size).toBe(3);
    // One hot event is not one slot: its sections' seat locks and seat-map keys land on several
    // masters, while each section's own keys (one Lua call's worth) share a slot.
    const keys = bookingRedisKeys(booking.keyPrefix, eventIds[0]!);
    const sections = Array.from({ length: 12 }, (_, index) => `S${index}`);
    const sectionPorts = await Promise.all(sections.map((section) => cluster.masterPortOf(redis, keys.seatMapSection(section))));
    expect(new Set(sectionPorts).size).toBeGreaterThan(1);
    for (const section of sections) {
      const slots = await Promise.all([keys.seatMapSection(section), keys.seatMapHolds(section), keys.seatLock(seatSk({ section, row: '1', number: 1 })), keys.seatLock(seatSk({ section, row: '9', number: 40 }))].map((key) => redis.cluster('KEYSLOT', key)));
      expect(new Set(slots).size).toBe(1);
    }
  });

  it(`${BUYERS_PER_EVENT * 3} buyers racing for ${SEATS_PER_EVENT * 3} seats of three events on three masters, through in-process and forked workers: each seat held once`, async () => {
    const forked = await booking.forkWorker(8);
    const eventIds = await eventsOnEveryMaster('race');
    for (const eventId of eventIds) await provisionSeats(booking.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: SEATS_PER_EVENT } }));
    const requestedAt = booking.store.clock();
    // Every seat is wanted by many buyers; a third of them ask for "best available" instead.
    const jobs: ReserveJob[] = eventIds.flatMap((eventId) =>
      Array.from({ length: BUYERS_PER_EVENT }, (_, index) => ({
        holdId: holdIdFor(eventId, `fan-${index}`, 'race'),
        eventId,
        fanId: `fan-${index}`,
        request: index % 3 === 2 ? { section: 'A', quantity: 1 } : { seats: [{ section: 'A', row: '1', number: (index % SEATS_PER_EVENT) + 1 }] },
        requestedAt,
        holdTtlMs: 600_000,
      })),
    );
    await Promise.all(jobs.map((job) => booking.runtime.queues.enqueueReserve(job)));
    await waitForJobs(booking.runtime.queues, jobs, jobs.length, 170_000);

    // Both kinds of consumer took part: the runtime in this process and the forked process.
    await waitFor("the forked worker's log", 5_000, () => forked.processed() > 0);
    expect(forked.processed()).toBeLessThan(jobs.length);

    const results = await jobResults(booking.runtime.queues, jobs);
    const others = results.filter((result) => result.outcome !== 'held');
    expect(others.every((result) => result.outcome === 'rejected' && result.reason === 'unavailable')).toBe(true);
    for (const eventId of eventIds) {
      const held = results.filter((result, index) => result.outcome === 'held' && jobs[index]!.eventId === eventId);
      expect(held).toHaveLength(SEATS_PER_EVENT);
      // The database itself: every seat HELD, by distinct holds, each one a hold a buyer was told "held".
      const seats = await querySeatPartitions<SeatItem>(booking.store, eventId, SEAT_SK_PREFIX, { consistentRead: true });
      expect(seats).toHaveLength(SEATS_PER_EVENT);
      expect(seats.every((seat) => seat.status === 'HELD')).toBe(true);
      expect(new Set(seats.map((seat) => seat.holdId)).size).toBe(SEATS_PER_EVENT);
      const answered = new Set(held.map((result) => (result.outcome === 'held' ? result.holdId : '')));
      expect(seats.every((seat) => answered.has(seat.holdId!))).toBe(true);
      const report = await auditEvent(booking.store, eventId);
      expect(report.violations).toEqual([]);
      expect(report.holds).toBe(SEATS_PER_EVENT);
    }
  }, 180_000);

  it('the seat-map cache on every master: fill, section reads and the all-sections summary agree with DynamoDB, and a hold updates them', async () => {
    const eventIds = await eventsOnEveryMaster('seat-map');
    const now = booking.store.clock();
    for (const eventId of eventIds) {
      await provisionSeats(booking.store, eventId, ...layoutOf({ A: { rows: 2, seatsPerRow: 5 }, B: { rows: 1, seatsPerRow: 4 }, C: { rows: 3, seatsPerRow: 2 } }));
      // The summary reads each section's hash and holds set in one call per section (its own slot).
      expect(await booking.seatMap.sectionAvailability(eventId, now)).toEqual(sectionAvailability(await readEventSeats(booking.store, eventId), now));
      expect(await booking.seatMap.hasSection(eventId, 'B')).toBe(true);
      expect(await booking.seatMap.hasSection(eventId, 'Z')).toBe(false);
      expect((await booking.seatMap.seats(eventId, 'C')).map((seat) => seat.sk).sort()).toEqual(
        ['1', '2', '3'].flatMap((row) => [1, 2].map((number) => seatSk({ section: 'C', row, number }))).sort(),
      );

      const job: ReserveJob = { holdId: holdIdFor(eventId, 'fan-map', 'k'), eventId, fanId: 'fan-map', request: { section: 'B', quantity: 2 }, requestedAt: now, holdTtlMs: 600_000 };
      const result = await reserveHold({ store: booking.store, redis, keyPrefix: booking.keyPrefix, seatMap: booking.seatMap }, job);
      expect(result).toMatchObject({ outcome: 'held' });
      const cachedB = await booking.seatMap.seats(eventId, 'B');
      expect(cachedB.filter((seat) => seat.status === 'HELD').map((seat) => seat.sk).sort()).toEqual(result.outcome === 'held' ? [...result.seatKeys].sort() : []);
      const summary = await booking.seatMap.sectionAvailability(eventId, now);
      expect(summary.find((entry) => entry.section === 'B')).toMatchObject({ total: 4, available: 2, held: 2, sold: 0 });
      expect(summary).toEqual(sectionAvailability(await readEventSeats(booking.store, eventId), now));
    }
  });

  it('seat locks on several seats of one section share a slot: a competing buyer is turned away, then gets them once released; locks across sections release in every slot', async () => {
    for (const eventId of await eventsOnEveryMaster('locks')) {
      const keys = bookingRedisKeys(booking.keyPrefix, eventId);
      const seats = [3, 1, 4, 2].map((number) => keys.seatLock(seatSk({ section: 'A', row: '1', number })));
      expect(new Set(await Promise.all(seats.map((key) => redis.cluster('KEYSLOT', key)))).size).toBe(1);

      const first = await acquireSeatLocks(redis, seats, 10_000);
      expect(first.busyKey).toBeUndefined();
      const overlapping = [keys.seatLock(seatSk({ section: 'A', row: '1', number: 10 })), seats[2]!];
      // Seat 10 sorts before seat 4, so the competitor takes it, then meets the busy one.
      const second = await acquireSeatLocks(redis, overlapping, 10_000);
      expect(second.busyKey).toBe(seats[2]);
      // The competitor gave back the lock it had taken before the busy one.
      expect(await redis.exists(overlapping[0]!)).toBe(0);

      await first.release();
      expect(await Promise.all(seats.map((key) => redis.exists(key)))).toEqual([0, 0, 0, 0]);
      const retried = await acquireSeatLocks(redis, overlapping, 10_000);
      expect(retried.busyKey).toBeUndefined();
      await retried.release();

      // A hold of explicit seats may span sections, so its locks span slots: released per slot.
      const across = ['A', 'B', 'C', 'D', 'E', 'F'].map((section) => keys.seatLock(seatSk({ section, row: '1', number: 1 })));
      expect(new Set(await Promise.all(across.map((key) => redis.cluster('KEYSLOT', key)))).size).toBeGreaterThan(1);
      const spanning = await acquireSeatLocks(redis, across, 10_000);
      expect(spanning.busyKey).toBeUndefined();
      expect(await Promise.all(across.map((key) => redis.exists(key)))).toEqual(across.map(() => 1));
      await spanning.release();
      expect(await Promise.all(across.map((key) => redis.exists(key)))).toEqual(across.map(() => 0));
    }
  });
});
