// Shared by the race suites: enqueue many reserve jobs and wait, bounded, for every one to finish.
import type { ReserveJob, ReserveResult } from '../../../workers/booking/booking-jobs.js';
import type { BookingQueues } from '../../../workers/booking/booking-queues.js';

export async function waitForJobs(queues: BookingQueues, eventId: string, count: number, timeoutMs: number): Promise<void> {
  const queue = queues.queueFor(eventId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if ((counts.completed ?? 0) + (counts.failed ?? 0) >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(counts)} of ${count} jobs finished in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function jobResults(queues: BookingQueues, jobs: readonly ReserveJob[]): Promise<Array<ReserveResult | { outcome: 'failed'; reason: string }>> {
  return Promise.all(
    jobs.map(async (job) => {
      const finished = await queues.reserveJob(job.eventId, job.holdId);
      if (!finished) return { outcome: 'failed' as const, reason: 'job missing' };
      if (await finished.isFailed()) return { outcome: 'failed' as const, reason: finished.failedReason };
      return finished.returnvalue as ReserveResult;
    }),
  );
}
