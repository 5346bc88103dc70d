// Booking workers as child processes (dist/workers/booking-worker-process.js, built by
// `npm test`'s pretest) against the fixture's tables and key prefix, so a test can SIGKILL them.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HEADLINE_PARTITIONS, PARTITIONS, type BookingFixture } from './booking-fixture.js';
import { childReady } from '../../child-ready.js';

const WORKER_ENTRY = fileURLToPath(new URL('../../../dist/workers/booking-worker-process.js', import.meta.url));

export interface WorkerProcessOptions {
  concurrency: number;
  /** Short job locks so a killed worker's jobs come back within seconds. */
  jobLockMs: number;
}

export async function forkBookingWorker(fixture: BookingFixture, options: WorkerProcessOptions): Promise<ChildProcess> {
  if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run npm run build (npm test does)`);
  const child = fork(WORKER_ENTRY, [], {
    env: {
      ...process.env,
      DYNAMODB_TABLE_PREFIX: fixture.tablePrefix,
      BOOKING_KEY_PREFIX: fixture.keyPrefix,
      BOOKING_PARTITIONS: String(PARTITIONS),
      BOOKING_HEADLINE_PARTITIONS: String(HEADLINE_PARTITIONS),
      BOOKING_WORKER_CONCURRENCY: String(options.concurrency),
      BOOKING_JOB_LOCK_MS: String(options.jobLockMs),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await childReady(child, 'booking worker');
  return child;
}

export async function killWorker(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
  clearTimeout(timer);
  // A worker that would not stop politely is stopped for good (it is ours: we forked it).
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}
