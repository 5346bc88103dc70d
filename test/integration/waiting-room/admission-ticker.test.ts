import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdmissionTicker } from '../../../admission/admission-ticker.js';
import { advanceServing } from '../../../admission/serving-advance.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { createSeededRandom, randomBelow } from '../../../waiting-room/seeded-random.js';
import { createRedisFixture, openRoom, uniqueEventId, type RedisFixture } from './redis-fixture.js';

const START_MS = 1_700_000_000_000;

/** A clock the test moves by hand: no sleeping. */
function manualClock(startMs = START_MS) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
      return nowMs;
    },
  };
}

describe('admission ticker (real Redis, injected clock)', () => {
  let fixture: RedisFixture;
  let store: QueueStore;

  beforeAll(() => {
    fixture = createRedisFixture();
    store = new QueueStore({ redis: fixture.redis, keyPrefix: fixture.keyPrefix });
  });
  afterAll(async () => fixture.close());

  function tickerFor(eventId: string, holderId: string, clock: () => number, leaseTtlMs = 5_000) {
    return new AdmissionTicker({ redis: fixture.redis, keyPrefix: fixture.keyPrefix, holderId, leaseTtlMs, clock, listEventIds: () => [eventId] });
  }

  async function fillQueue(eventId: string, fans: number): Promise<void> {
    await Promise.all(Array.from({ length: fans }, (_, fan) => store.join(eventId, `fan-${fan}`, 0)));
  }

  async function serving(eventId: string): Promise<number> {
    return Number((await fixture.redis.get(store.keys(eventId).serving)) ?? '0');
  }

  it.each([
    { ratePerMinute: 7, tickMs: 1_000 },
    { ratePerMinute: 600, tickMs: 1_000 },
    { ratePerMinute: 1_000, tickMs: 333 },
    { ratePerMinute: 45, tickMs: 250 },
  ])('admits $ratePerMinute/min over a simulated minute, ticking every $tickMs ms', async ({ ratePerMinute, tickMs }) => {
    const eventId = uniqueEventId('rate');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: ratePerMinute });
    await fillQueue(eventId, ratePerMinute * 2);
    const clock = manualClock();
    const ticker = tickerFor(eventId, 'leader', clock.now);
    await ticker.tick(); // the first tick only starts the measurement
    while (clock.now() - START_MS < 60_000) {
      clock.advance(Math.min(tickMs, START_MS + 60_000 - clock.now()));
      await ticker.tick();
    }
    const admitted = await serving(eventId);
    expect(Math.abs(admitted - ratePerMinute)).toBeLessThanOrEqual(ratePerMinute * 0.02);
    // Integer carry arithmetic makes it exact, not just within 2%.
    expect(admitted).toBe(ratePerMinute);
    expect(await store.admissionsInLastMinute(eventId, clock.now())).toBe(ratePerMinute);
  });

  it('keeps the rate exact with irregular tick intervals', async () => {
    const eventId = uniqueEventId('jitter');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 97 });
    await fillQueue(eventId, 300);
    const clock = manualClock();
    const ticker = tickerFor(eventId, 'leader', clock.now);
    await ticker.tick();
    const intervals = [137, 1_013, 2_503, 7, 991, 4_999, 350];
    let step = 0;
    while (clock.now() - START_MS < 60_000) {
      clock.advance(Math.min(intervals[step % intervals.length] as number, START_MS + 60_000 - clock.now()));
      step += 1;
      await ticker.tick();
    }
    expect(await serving(eventId)).toBe(97);
  });

  it('serving never exceeds issued, and the unused allowance is not banked into a burst', async () => {
    const eventId = uniqueEventId('issued-cap');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 6_000 });
    await fillQueue(eventId, 30);
    const clock = manualClock();
    const ticker = tickerFor(eventId, 'leader', clock.now);
    await ticker.tick();
    for (let tick = 0; tick < 10; tick += 1) {
      clock.advance(1_000);
      await ticker.tick();
      expect(await serving(eventId)).toBeLessThanOrEqual(Number(await fixture.redis.get(store.keys(eventId).issued)));
    }
    expect(await serving(eventId)).toBe(30);
    // 10 idle seconds at 100/s must not turn into 1,000 admissions when new fans arrive.
    await Promise.all(Array.from({ length: 500 }, (_, fan) => store.join(eventId, `late-${fan}`, 0)));
    clock.advance(1_000);
    await ticker.tick();
    expect(await serving(eventId)).toBe(130);
  });

  it('paused, closed and sold-out rooms admit nobody, and resuming does not burst', async () => {
    const eventId = uniqueEventId('paused');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 60 });
    await fillQueue(eventId, 500);
    const clock = manualClock();
    const ticker = tickerFor(eventId, 'leader', clock.now);
    await ticker.tick();
    clock.advance(10_000);
    await ticker.tick();
    expect(await serving(eventId)).toBe(10);
    for (const state of ['paused', 'closed', 'soldout'] as const) {
      await store.configure(eventId, { state });
      clock.advance(30_000);
      await ticker.tick();
      expect(await serving(eventId)).toBe(10);
    }
    await store.configure(eventId, { state: 'open' });
    await ticker.tick();
    clock.advance(1_000);
    await ticker.tick();
    expect(await serving(eventId)).toBe(11);
  });

  it('admits no more than the capacity left under maxActiveShoppers', async () => {
    const eventId = uniqueEventId('capacity');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 60_000, maxActiveShoppers: 25, passTtlSeconds: 60, claimWindowSeconds: 30 });
    await fillQueue(eventId, 1_000);
    const clock = manualClock();
    const ticker = tickerFor(eventId, 'leader', clock.now);
    await ticker.tick();
    clock.advance(1_000);
    await ticker.tick();
    // 1,000 are due, but only 25 places exist; admitted-but-unclaimed places hold capacity too.
    expect(await serving(eventId)).toBe(25);
    clock.advance(1_000);
    await ticker.tick();
    expect(await serving(eventId)).toBe(25);

    // 20 fans claim: capacity is still held by their sessions plus 5 unclaimed places.
    for (let fan = 0; fan < 20; fan += 1) expect((await store.claimPass(eventId, `fan-${fan}`, clock.now())).status).toBe('admitted');
    clock.advance(1_000);
    await ticker.tick();
    expect(await serving(eventId)).toBe(25);

    // Unclaimed places are abandoned after the claim window; sessions expire after the pass TTL.
    clock.advance(30_000);
    await ticker.tick();
    expect(await serving(eventId)).toBe(30);
    clock.advance(60_000);
    await ticker.tick();
    expect(await serving(eventId)).toBeGreaterThanOrEqual(50);
    expect(await store.activeSessionCount(eventId, clock.now())).toBe(0);
  });

  it('under mixed joins, claims and releases, serving <= issued and active <= maxActiveShoppers after every tick', async () => {
    const eventId = uniqueEventId('invariants');
    const maxActiveShoppers = 40;
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 3_000, maxActiveShoppers, passTtlSeconds: 20, claimWindowSeconds: 10 });
    const clock = manualClock();
    const ticker = tickerFor(eventId, 'leader', clock.now);
    const random = createSeededRandom('invariants');
    const sessions: string[] = [];
    let joined = 0;
    let busiestActive = 0;
    await ticker.tick();
    for (let tick = 0; tick < 150; tick += 1) {
      clock.advance(250 + randomBelow(random, 1_000));
      const arrivals = randomBelow(random, 40);
      await Promise.all(Array.from({ length: arrivals }, (_, offset) => store.join(eventId, `fan-${joined + offset}`, clock.now())));
      joined += arrivals;
      await ticker.tick();
      const servingNow = await serving(eventId);
      const claims = await Promise.all(
        Array.from({ length: 30 }, () => store.claimPass(eventId, `fan-${randomBelow(random, Math.max(1, servingNow))}`, clock.now())),
      );
      for (const claim of claims) if (claim.status === 'admitted' && !claim.reused) sessions.push(claim.sessionId);
      if (sessions.length > 0 && randomBelow(random, 3) === 0) {
        await store.releaseSession(eventId, sessions.splice(randomBelow(random, sessions.length), 1)[0] as string);
      }
      const issued = Number(await fixture.redis.get(store.keys(eventId).issued));
      expect(servingNow).toBeLessThanOrEqual(issued);
      const active = await store.activeSessionCount(eventId, clock.now());
      expect(active).toBeLessThanOrEqual(maxActiveShoppers);
      busiestActive = Math.max(busiestActive, active);
    }
    // The loop did press on the limits: capacity filled up, and sessions turned over several times.
    expect(busiestActive).toBe(maxActiveShoppers);
    expect(sessions.length).toBeGreaterThan(2 * maxActiveShoppers);
    expect(joined).toBeGreaterThan(await serving(eventId));
  });

  it('a leader that stops renewing is replaced within one lease period', async () => {
    const eventId = uniqueEventId('failover');
    await store.createRoom(eventId, { ...openRoom, admissionRatePerMinute: 60 });
    await fillQueue(eventId, 500);
    const clock = manualClock();
    const leaseTtlMs = 5_000;
    const first = tickerFor(eventId, 'ticker-a', clock.now, leaseTtlMs);
    const second = tickerFor(eventId, 'ticker-b', clock.now, leaseTtlMs);

    const [firstReport] = await first.tick();
    const [secondReport] = await second.tick();
    expect(firstReport).toMatchObject({ role: 'leader' });
    // A follower learns when the lease lapses (the loop ticks again at that moment).
    expect(secondReport).toEqual({ eventId, role: 'follower', leaderId: 'ticker-a', leaseExpiresAtMs: START_MS + leaseTtlMs });
    const staleToken = firstReport?.role === 'leader' ? firstReport.fencingToken : '';
    clock.advance(1_000);
    await first.tick();
    const lastRenewalMs = clock.now();

    // ticker-a freezes (GC pause, partition). ticker-b keeps ticking every second.
    let takeoverMs: number | null = null;
    while (takeoverMs === null && clock.now() - lastRenewalMs <= leaseTtlMs + 1_000) {
      clock.advance(1_000);
      const [report] = await second.tick();
      if (report?.role === 'leader') takeoverMs = clock.now();
    }
    expect(takeoverMs).not.toBeNull();
    expect((takeoverMs as number) - lastRenewalMs).toBeLessThanOrEqual(leaseTtlMs);

    // The deposed leader wakes up with its old token: its advance is refused by fencing.
    const before = await serving(eventId);
    const staleAdvance = await advanceServing(fixture.redis, eventId, staleToken, clock.now() + 500, fixture.keyPrefix);
    expect(staleAdvance).toMatchObject({ outcome: 'fenced' });
    expect(await serving(eventId)).toBe(before);
    // And its tick loop discovers it is a follower now.
    const [wokenReport] = await first.tick(clock.now() + 500);
    expect(wokenReport).toEqual({ eventId, role: 'follower', leaderId: 'ticker-b', leaseExpiresAtMs: (takeoverMs as number) + leaseTtlMs });
  });

  it('a lapsed lease cannot advance even if nobody took it over', async () => {
    const eventId = uniqueEventId('lapsed');
    await store.createRoom(eventId, openRoom);
    const clock = manualClock();
    const ticker = tickerFor(eventId, 'solo', clock.now, 2_000);
    const [report] = await ticker.tick();
    const token = report?.role === 'leader' ? report.fencingToken : '';
    expect(await advanceServing(fixture.redis, eventId, token, clock.now() + 2_000, fixture.keyPrefix)).toMatchObject({ outcome: 'fenced' });
  });

  it('a stopped ticker hands its lease over immediately', async () => {
    const eventId = uniqueEventId('handover');
    await store.createRoom(eventId, openRoom);
    const clock = manualClock();
    const first = tickerFor(eventId, 'ticker-a', clock.now);
    const second = tickerFor(eventId, 'ticker-b', clock.now);
    await first.tick();
    await first.stop();
    const [report] = await second.tick();
    expect(report).toMatchObject({ role: 'leader' });
  });
});
