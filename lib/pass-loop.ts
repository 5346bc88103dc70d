// A background loop of passes: run a pass, rest when it found nothing to do, back off (jittered,
// capped) after a failure and remember why, so /readyz can say what is behind. The relays and the
// ended-event sweep run on it; stop() wakes a resting loop and waits for the pass in flight. Each
// loop stamps its last successful pass in a gauge, so an alert sees a loop that stopped making progress.
import { Gauge } from 'prom-client';
import type { Logger } from './log.js';
import { metricsRegistry } from './metrics.js';
import { backoffDelayMs } from './retry.js';

export interface PassLoop {
  stop(): Promise<void>;
  /** The last pass's failure, undefined once a pass succeeds again. */
  lastError(): string | undefined;
}

export interface PassLoopOptions {
  /** Names the loop in its failure log line. */
  name: string;
  /** One pass; `idle: true` makes the loop rest `idleMs` before the next. */
  pass: () => Promise<{ idle: boolean }>;
  log: Logger;
  idleMs: number;
  /** Backoff after the n-th failure in a row: from `baseBackoffMs`, capped at `maxBackoffMs`, never under `minBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  minBackoffMs?: number;
}

let lastSuccess: Gauge<'loop'> | undefined;

/** Unix time (seconds) of each loop's last pass that did not fail (its start until one has),
 * labelled by loop name: a loop that never succeeds still shows up as stalled. */
export function passLoopLastSuccess(): Gauge<'loop'> {
  lastSuccess ??= new Gauge({
    name: 'corral_pass_loop_last_success_timestamp_seconds',
    help: "Unix time of the loop's last pass that did not fail, or of its start before any did (relays, sweeps)",
    labelNames: ['loop'],
    registers: [metricsRegistry()],
  });
  return lastSuccess;
}

export function runPassLoop(options: PassLoopOptions): PassLoop {
  const lastSuccessGauge = passLoopLastSuccess();
  lastSuccessGauge.set({ loop: options.name }, Date.now() / 1000);
  let stopped = false;
  let failure: string | undefined;
  let wake: (() => void) | undefined;
  // A stop() that lands while a pass runs finds no sleep to wake: the rest after it must not start.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
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
        const { idle } = await options.pass();
        lastSuccessGauge.set({ loop: options.name }, Date.now() / 1000);
        failure = undefined;
        failures = 0;
        if (idle) await sleep(options.idleMs);
      } catch (error) {
        failures += 1;
        failure = (error as Error).message;
        const retryInMs = Math.max(options.minBackoffMs ?? 0, backoffDelayMs(failures, { baseDelayMs: options.baseBackoffMs, maxDelayMs: options.maxBackoffMs }));
        options.log.warn({ err: error, loop: options.name, retryInMs }, `${options.name} pass failed`);
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
