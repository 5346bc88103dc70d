import type { ChildProcess } from 'node:child_process';
import type { Queue } from 'bullmq';
import { auditEvent } from '../../../booking/booking-audit.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { holdIdFor, holdView } from '../../../booking/hold-requests.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';
import { waitForJobs } from './race-helpers.js';
import { forkBookingWorker, killWorker } from './worker-processes.js';

const REQUESTS = Number(process.env.BOOKING_RACE_REQUESTS ?? 300);
const SEATS = Number(process.env.BOOKING_RACE_SEATS ?? 20);
const WORKERS = 3;
const KILL_ROUNDS = 3;
const worker = { concurrency: 8, jobLockMs: 1_500 };

/**
 * Freezes every worker (SIGSTOP) at a moment when jobs are active, and returns how many stay active
 * while frozen: those are in flight inside a stopped process. 0 when nothing is left to run. The
 * fixture's key prefix is its own, so the queue's counts are this test's jobs.
 */
async function freezeWhileInFlight(children: readonly ChildProcess[], queue: Queue, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Delayed jobs are not counted: the holds' expiry jobs wait there for minutes.
    const counts = await queue.getJobCounts('active', 'wait', 'prioritized');
    if ((counts.active ?? 0) > 0) {
      for (const child of children) child.kill('SIGSTOP');
      const frozen = (await queue.getJobCounts('active')).active ?? 0;
      if (frozen > 0) return frozen;
      for (const child of children) child.kill('SIGCONT');
    } else if (Object.values(counts).every((count) => count === 0)) {
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`no job was seen in flight within ${timeoutMs} ms`);
}

describe('reserve race with worker processes SIGKILLed mid-run (real Redis and DynamoDB)', () => {
  let fixture: BookingFixture;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    fixture = await createBookingFixture();
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => killWorker(child, 'SIGTERM')));
    await fixture.close();
  });

  it(`${REQUESTS} fans for ${SEATS} seats while workers are killed and restarted: audit clean, every request answered`, async () => {
    const eventId = uniqueEventId('race-killed');
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: SEATS } }));
    for (let index = 0; index < WORKERS; index += 1) children.push(await forkBookingWorker(fixture, worker));

    const requestedAt = fixture.store.clock();
    const jobs: ReserveJob[] = Array.from({ length: REQUESTS }, (_, index) => ({
      holdId: holdIdFor(eventId, `fan-${index}`, 'race'),
      eventId,
      fanId: `fan-${index}`,
      request: index % 3 === 2 ? { section: 'A', quantity: 1 } : { seats: [{ section: 'A', row: '1', number: (index % SEATS) + 1 }] },
      requestedAt,
      holdTtlMs: 600_000,
    }));
    // Acknowledged = the enqueue resolved (what the api does before answering 202). The workers are
    // frozen while the jobs go in, so the sale starts with every request queued, however fast the database.
    for (const child of children) child.kill('SIGSTOP');
    await Promise.all(jobs.map((job) => fixture.queues.enqueueReserve(job)));
    for (const child of children) child.kill('SIGCONT');

    const queue = fixture.queues.queueFor(eventId, 'A');
    let killsWhileActive = 0;
    let jobsInFlightAtKills = 0;
    let lastKillAtMs = Date.now();
    for (let round = 1; round <= KILL_ROUNDS; round += 1) {
      // Later rounds first let the restarted workers get on with the sale (15%, 30% of the jobs done).
      if (round > 1) await waitForJobs(fixture.queues, jobs, Math.floor((REQUESTS * (round - 1) * 15) / 100), 60_000);
      // Observed, not timed: every worker is frozen at a moment some jobs are in flight inside them,
      // then all of them are SIGKILLed, so those jobs die mid-step (before their locks, between the
      // transaction and its reply, ...) and come back to the new workers as stalled jobs.
      const frozenInFlight = await freezeWhileInFlight(children, queue, 60_000);
      if (frozenInFlight === 0) break;
      killsWhileActive += 1;
      jobsInFlightAtKills += frozenInFlight;
      lastKillAtMs = Date.now();
      for (let index = 0; index < WORKERS; index += 1) {
        const victim = children[index]!;
        await killWorker(victim, 'SIGKILL');
        expect(victim.signalCode).toBe('SIGKILL');
        children[index] = await forkBookingWorker(fixture, worker);
      }
    }
    await waitForJobs(fixture.queues, jobs, REQUESTS, 150_000);
    const allAnsweredAfterLastKillMs = Date.now() - lastKillAtMs;
    expect(killsWhileActive).toBeGreaterThan(0);

    // What each fan would read at GET /api/holds/:id: a final answer for every acknowledged request.
    const views = await Promise.all(jobs.map((job) => holdView(fixture.store, fixture.queues, job)));
    const statuses = new Map<string, number>();
    for (const view of views) {
      const key = view.status === 'rejected' ? `rejected:${view.reason}` : view.status;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ held: SEATS, 'rejected:unavailable': REQUESTS - SEATS });
    const heldSeats = views.flatMap((view) => (view.status === 'held' ? view.seats.map((seat) => `${seat.row}#${seat.number}`) : []));
    expect(new Set(heldSeats).size).toBe(SEATS);

    const report = await auditEvent(fixture.store, eventId);
    expect(report.violations).toEqual([]);
    expect(report.seats).toEqual({ total: SEATS, available: 0, held: SEATS, sold: 0 });
    expect(report.holds).toBe(SEATS);
    // The figures docs/reliability.md quotes (one JSON line; the bounds above are the test).
    const figures = {
      scenario: 'worker-sigkill',
      acknowledged: REQUESTS,
      answered: views.filter((view) => view.status !== 'pending').length,
      doubleSold: report.violations.length,
      killRounds: killsWhileActive,
      jobsInFlightAtKills,
      jobLockMs: worker.jobLockMs,
      allAnsweredAfterLastKillMs,
    };
    process.stdout.write(`chaos figures ${JSON.stringify(figures)}\n`);
  }, 240_000);
});
