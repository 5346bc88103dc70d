// Runs a Kafka consumer that may not be able to start yet (a broker still loading its partitions, a
// database not up): the start is retried with capped backoff until the consumer joins its group, and
// a readiness check says why it is not consuming meanwhile. Shared by the consuming roles.
import type { Consumer } from 'kafkajs';
import type { DependencyCheck } from './health.js';
import type { Logger } from './log.js';
import { backoffDelayMs, sleep } from './retry.js';

export interface ConsumerLoop {
  /** Fails while the consumer is not in its group, saying why. */
  check: DependencyCheck;
  stop(): Promise<void>;
}

/** Connects and runs a consumer, retrying the start with capped backoff until it joins its group. */
export function keepConsuming(name: string, consumer: Consumer, log: Logger, start: () => Promise<void>): ConsumerLoop {
  let notConsuming: string | undefined = 'starting';
  let stopped = false;
  consumer.on(consumer.events.CRASH, (event) => {
    notConsuming = `consumer crashed: ${event.payload.error.message}`;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    notConsuming = undefined;
  });
  const starting = (async () => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        await consumer.connect();
        await start();
        return;
      } catch (error) {
        notConsuming = (error as Error).message;
        const retryInMs = Math.max(500, backoffDelayMs(attempt, { baseDelayMs: 1_000, maxDelayMs: 10_000 }));
        log.warn({ err: error, consumer: name, retryInMs }, 'consumer could not start yet');
        await sleep(retryInMs);
      }
    }
  })();
  return {
    check: {
      name,
      check: async () => {
        if (notConsuming) throw new Error(notConsuming);
      },
    },
    stop: async () => {
      stopped = true;
      await starting;
      await consumer.disconnect();
    },
  };
}
