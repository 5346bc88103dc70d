import type { ChildProcess } from 'node:child_process';
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
    // Acknowledged = the enqueue resolved (what the api does before answering 202).
    await Promise.all(jobs.map((job) => fixture.queues.enqueueReserve(job)));

    const queue = fixture.queues.queueFor(eventId);
    let killsWhileActive = 0;
    for (let round = 1; round <= KILL_ROUNDS; round += 1) {
      // Kill at 15%, 30%, 45% of the jobs done: the middle of the run, with jobs in flight.
      await waitForJobs(fixture.queues, jobs, Math.floor((REQUESTS * round * 15) / 100), 60_000);
      const victim = children[round % WORKERS]!;
      if (((await queue.getJobCounts('active')).active ?? 0) > 0) killsWhileActive += 1;
      await killWorker(victim, 'SIGKILL');
      expect(victim.signalCode).toBe('SIGKILL');
      children[round % WORKERS] = await forkBookingWorker(fixture, worker);
    }
    await waitForJobs(fixture.queues, jobs, REQUESTS, 150_000);
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
  }, 240_000);
});
