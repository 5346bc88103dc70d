// Moves events whose start has passed to `ended`, a bounded batch per pass, each flip with its
// `event.updated` in its own transaction. The flip re-checks status and start time on the locked
// row, so an organizer moving the start later at the same moment, or a second sweeper (every
// indexer replica runs one), cannot end an event twice or end one that no longer started.
import type { Logger } from '../lib/log.js';
import type { PrismaClient } from '../lib/mysql.js';
import { backoffDelayMs } from '../lib/retry.js';
import { changeEventStatus, LISTED_STATUSES } from './event-status.js';

export interface EndSweepOptions {
  prisma: PrismaClient;
  clock?: () => Date;
  batchSize?: number;
}

export interface EndSweepPass {
  /** Events this pass ended (another sweeper may have ended some of the batch first). */
  ended: string[];
  /** The batch was full: more may be due right away. */
  more: boolean;
}

export async function endStartedEvents(options: EndSweepOptions): Promise<EndSweepPass> {
  const clock = options.clock ?? (() => new Date());
  const batchSize = options.batchSize ?? 100;
  const now = clock();
  const due = await options.prisma.event.findMany({
    where: { status: { in: [...LISTED_STATUSES] }, startsAt: { lte: now } },
    select: { id: true },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: batchSize,
  });
  const ended: string[] = [];
  for (const { id } of due) {
    const changed = await changeEventStatus(options.prisma, { eventId: id, from: LISTED_STATUSES, to: 'ended', where: { startsAt: { lte: now } } }, clock);
    if (changed) ended.push(id);
  }
  return { ended, more: due.length === batchSize };
}

export interface EndSweepLoop {
  stop(): Promise<void>;
  /** The last pass's failure, undefined once a pass succeeds again. */
  lastError(): string | undefined;
}

/** Sweeps every `intervalMs` (at once again after a full batch); failures back off, capped. */
export function runEndSweep(options: EndSweepOptions & { log: Logger; intervalMs?: number; maxBackoffMs?: number }): EndSweepLoop {
  const intervalMs = options.intervalMs ?? 30_000;
  let stopped = false;
  let failure: string | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const pass = await endStartedEvents(options);
        failure = undefined;
        failures = 0;
        if (pass.ended.length > 0) options.log.info({ count: pass.ended.length, eventIds: pass.ended }, 'events ended');
        // A full batch that ended nothing (another sweeper took it) must not spin.
        if (!pass.more || pass.ended.length === 0) await sleep(intervalMs);
      } catch (error) {
        failures += 1;
        failure = (error as Error).message;
        const retryInMs = Math.max(1_000, backoffDelayMs(failures, { baseDelayMs: 2_000, maxDelayMs: options.maxBackoffMs ?? intervalMs }));
        options.log.warn({ err: error, retryInMs }, 'ended-event sweep failed');
        await sleep(retryInMs);
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
    lastError: () => failure,
  };
}
