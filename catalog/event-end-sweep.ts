// Moves events whose start has passed to `ended`, a bounded batch per pass, each flip with its
// `event.updated` in its own transaction. The flip re-checks status and start time on the locked
// row, so an organizer moving the start later at the same moment, or a second sweeper (every
// indexer replica runs one), cannot end an event twice or end one that no longer started.
import type { Logger } from '../lib/log.js';
import type { PrismaClient } from '../lib/mysql.js';
import { runPassLoop, type PassLoop } from '../lib/pass-loop.js';
import { changeEventStatus } from './event-status.js';
import { LISTED_STATUSES } from './event-statuses.js';

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

/** Sweeps every `intervalMs` (at once again after a full batch); failures back off, capped. */
export function runEndSweep(options: EndSweepOptions & { log: Logger; intervalMs?: number; maxBackoffMs?: number }): PassLoop {
  const intervalMs = options.intervalMs ?? 30_000;
  return runPassLoop({
    name: 'ended-event sweep',
    log: options.log,
    idleMs: intervalMs,
    baseBackoffMs: 2_000,
    maxBackoffMs: options.maxBackoffMs ?? intervalMs,
    minBackoffMs: 1_000,
    pass: async () => {
      const pass = await endStartedEvents(options);
      if (pass.ended.length > 0) options.log.info({ count: pass.ended.length, eventIds: pass.ended }, 'events ended');
      // A full batch that ended nothing (another sweeper took it) must not spin.
      return { idle: !pass.more || pass.ended.length === 0 };
    },
  });
}
