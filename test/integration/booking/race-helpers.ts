// Shared by the race suites: enqueue many reserve jobs and wait, bounded, for every one to finish.
import type { ReserveJob, ReserveResult } from '../../../booking/booking-jobs.js';
import type { BookingQueues } from '../../../booking/booking-queues.js';

/**
 * Waits until at least `count` of these jobs have finished (completed or failed). It looks at the
 * jobs themselves, not at the queue's totals: a partition queue is shared by every event that
 * hashes to it, so its counts include other tests' jobs.
 */
export async function waitForJobs(queues: BookingQueues, jobs: readonly ReserveJob[], count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(jobs.map((job) => job.holdId));
  const byHold = new Map(jobs.map((job) => [job.holdId, job]));
  for (;;) {
    for (const holdId of [...pending]) {
      const job = await queues.reserveJob(byHold.get(holdId)!);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'completed' || state === 'failed') pending.delete(holdId);
    }
    const finished = jobs.length - pending.size;
    if (finished >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${finished} of ${count} jobs finished in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function jobResults(queues: BookingQueues, jobs: readonly ReserveJob[]): Promise<Array<ReserveResult | { outcome: 'failed'; reason: string }>> {
  return Promise.all(
    jobs.map(async (job) => {
      const finished = await queues.reserveJob(job);
      if (!finished) return { outcome: 'failed' as const, reason: 'job missing' };
      if (await finished.isFailed()) return { outcome: 'failed' as const, reason: finished.failedReason };
      return finished.returnvalue as ReserveResult;
    }),
  );
}
