// Rebuilding a waiting room Redis lost, against real Redis and MariaDB: the room comes back from its
// checkpoint with the same seed commitment, its counters and its admitted capacity (so nobody is
// admitted past maxActiveShoppers), new numbers start above every number a token may carry, and a
// fan's token restores their number once. An event the catalog no longer has on sale stays gone.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../lib/config.js';
import { createPrisma } from '../../../lib/mysql.js';
import { deleteKeysByPrefix } from '../../../lib/redis.js';
import { ActiveEvents } from '../../../waiting-room/active-events.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { RoomRecovery } from '../../../waiting-room/room-recovery.js';
import { createRedisFixture, type RedisFixture } from './redis-fixture.js';

const prisma = createPrisma(loadConfig().DATABASE_URL);
let fixture: RedisFixture;
let organizationId: string;
let venueId: string;
const created: string[] = [];

beforeAll(async () => {
  fixture = createRedisFixture();
  organizationId = (await prisma.organization.create({ data: { name: `recovery ${randomUUID()}` } })).id;
  venueId = (await prisma.venue.create({ data: { organizationId, name: 'Recovery hall', city: 'Porto', layout: { sections: [] }, seatCount: 0 } })).id;
});

afterAll(async () => {
  // Closed checkpoints: no admission sweep elsewhere rebuilds these rooms into its own Redis.
  await prisma.waitingRoomCheckpoint.updateMany({ where: { eventId: { in: created } }, data: { state: 'closed' } });
  await fixture.close();
  await prisma.$disconnect();
});

async function catalogEvent(status: string): Promise<string> {
  const event = await prisma.event.create({
    data: { organizationId, venueId, name: 'Recovery sale', description: 'room-recovery.test.ts', category: 'test', city: 'Porto', startsAt: new Date(Date.now() + 86_400_000), saleOpensAt: new Date(), status },
  });
  created.push(event.id);
  return event.id;
}

function parts(now: () => number) {
  const store = new QueueStore({ redis: fixture.redis, keyPrefix: fixture.keyPrefix });
  const activeEvents = new ActiveEvents(fixture.redis, fixture.keyPrefix);
  const recovery = new RoomRecovery({ redis: fixture.redis, prisma, activeEvents, clock: now, keyPrefix: fixture.keyPrefix });
  return { store, recovery };
}

async function loseRoom(store: QueueStore, eventId: string): Promise<void> {
  const keys = Object.values(store.keys(eventId));
  await fixture.redis.del(...keys);
}

test('a lost room comes back from its checkpoint: same commitment, counters, admitted capacity; tokens restore their numbers once', async () => {
  const nowMs = Date.now();
  const { store, recovery } = parts(() => nowMs);
  const eventId = await catalogEvent('on_sale');
  await store.createRoom(eventId, { state: 'open', admissionRatePerMinute: 0, maxActiveShoppers: 2, passTtlSeconds: 600, opensAt: nowMs - 1_000 }, nowMs);
  const numbers = new Map<string, number>();
  for (const fan of ['fan-a', 'fan-b', 'fan-c']) {
    const joined = await store.join(eventId, fan, nowMs);
    if (joined.status === 'numbered') numbers.set(fan, joined.number);
  }
  await fixture.redis.set(store.keys(eventId).serving, '3');
  expect((await store.claimPass(eventId, 'fan-a', nowMs)).status).toBe('admitted');
  expect((await store.claimPass(eventId, 'fan-b', nowMs)).status).toBe('admitted');
  const commitment = (await store.fairnessRecord(eventId))?.commitment;
  expect(await recovery.checkpoints.checkpoint(eventId, nowMs)).toBe(true);

  await loseRoom(store, eventId);
  expect(await store.snapshot(eventId)).toBeNull();
  expect(await recovery.ensureRoom(eventId)).toBe(true);

  const rebuilt = await store.snapshot(eventId);
  expect(rebuilt).toMatchObject({ state: 'open', serving: 3 });
  expect(rebuilt!.issued).toBeGreaterThan(3);
  expect((await store.fairnessRecord(eventId))?.commitment).toBe(commitment);
  // Two sessions were live: the third admitted fan finds the shop full, as before the loss.
  expect(await recovery.restorePlace({ fanId: 'fan-c', eventId, number: numbers.get('fan-c')!, prequeue: false })).toBe('restored');
  expect(await store.claimPass(eventId, 'fan-c', nowMs)).toMatchObject({ status: 'refused', reason: 'capacity_full' });
  // Restored once: the same token again, or a forged other number for the same fan, changes nothing.
  expect(await recovery.restorePlace({ fanId: 'fan-c', eventId, number: numbers.get('fan-c')!, prequeue: false })).toBe('kept');
  expect(await recovery.restorePlace({ fanId: 'fan-c', eventId, number: 1, prequeue: false })).toBe('kept');
  expect((await store.status(eventId, 'fan-c')).number).toBe(numbers.get('fan-c'));
  // A fan who joins now gets a number above every number handed out before the loss.
  const late = await store.join(eventId, 'fan-late', nowMs);
  expect(late.status === 'numbered' && late.number > Math.max(...numbers.values())).toBe(true);
});

test('an event the catalog has ended is not rebuilt', async () => {
  const nowMs = Date.now();
  const { store, recovery } = parts(() => nowMs);
  const eventId = await catalogEvent('ended');
  await store.createRoom(eventId, { state: 'open', admissionRatePerMinute: 60, maxActiveShoppers: 10, passTtlSeconds: 600, opensAt: nowMs }, nowMs);
  await recovery.checkpoints.checkpoint(eventId, nowMs);
  await loseRoom(store, eventId);
  expect(await recovery.ensureRoom(eventId)).toBe(false);
  expect(await store.snapshot(eventId)).toBeNull();
  await deleteKeysByPrefix(fixture.redis, fixture.keyPrefix);
});
