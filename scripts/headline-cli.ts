// Ops: route an event's booking jobs to the dedicated headline queue, or back to its partition.
//   node dist/scripts/headline-cli.js pin <eventId> | unpin <eventId> | list
// A pin takes effect for new jobs within a second (each process caches the pinned set that long);
// jobs already queued finish where they are. Prints JSON; exits 2 on bad usage.
import { loadConfig } from '../lib/config.js';
import { createRedis } from '../lib/redis.js';
import { loadBookingConfig } from '../booking/booking-config.js';
import { eventIdSchema } from '../booking/booking-keys.js';
import { listHeadlineEvents, pinHeadlineEvent } from '../booking/booking-queues.js';

const USAGE = 'usage: node dist/scripts/headline-cli.js pin <eventId> | unpin <eventId> | list';

async function main(): Promise<number> {
  const [command, eventIdArgument] = process.argv.slice(2);
  const eventId = eventIdSchema.safeParse(eventIdArgument);
  const needsEvent = command === 'pin' || command === 'unpin';
  if (!(needsEvent || command === 'list') || (needsEvent && !eventId.success) || (command === 'list' && eventIdArgument !== undefined && !eventId.success)) {
    console.error(USAGE);
    return 2;
  }
  const redis = createRedis(loadConfig());
  const keyPrefix = loadBookingConfig().BOOKING_KEY_PREFIX;
  try {
    if (needsEvent) await pinHeadlineEvent(redis, keyPrefix, eventId.data!, command === 'pin');
    const pinned = await listHeadlineEvents(redis, keyPrefix);
    // `list <eventId>` answers for that one event; `list` alone lists every pinned event.
    const report = eventId.success ? { eventId: eventId.data, pinned: pinned.includes(eventId.data) } : { pinned };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`headline: ${error.message}`);
    process.exit(1);
  },
);
