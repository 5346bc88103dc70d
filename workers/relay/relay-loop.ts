// Runs a relay pass after pass until stopped: idle passes wait, failed passes back off (jittered,
// capped) and are remembered, so /readyz can say why the relay is behind (Kafka down, say).
import type { Producer } from 'kafkajs';
import type { Logger } from '../../lib/log.js';
import { backoffDelayMs } from '../../lib/retry.js';

export interface RelayLoop {
  stop(): Promise<void>;
  /** The last pass's failure, undefined once a pass succeeds again. */
  lastError(): string | undefined;
}

export interface RelayLoopOptions {
  name: string;
  producer: Producer;
  pass: () => Promise<{ published: number }>;
  log: Logger;
  idleMs?: number;
  maxBackoffMs?: number;
}

export function runRelayLoop(options: RelayLoopOptions): RelayLoop {
  const idleMs = options.idleMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  let stopped = false;
  let connected = false;
  let failure: string | undefined;
  let wake: (() => void) | undefined;
  options.producer.on(options.producer.events.CONNECT, () => {
    connected = true;
  });
  options.producer.on(options.producer.events.DISCONNECT, () => {
    connected = false;
  });
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
        if (!connected) await options.producer.connect();
        const { published } = await options.pass();
        failure = undefined;
        failures = 0;
        if (published === 0) await sleep(idleMs);
      } catch (error) {
        failures += 1;
        failure = (error as Error).message;
        const retryInMs = Math.max(idleMs, backoffDelayMs(failures, { baseDelayMs: idleMs * 2, maxDelayMs: maxBackoffMs }));
        options.log.warn({ err: error, relay: options.name, retryInMs }, 'relay pass failed');
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
