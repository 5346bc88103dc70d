// Runs a relay pass after pass until stopped (lib/pass-loop.ts): idle passes wait, failed passes
// back off and are remembered, so /readyz can say why the relay is behind (Kafka down, say). The
// producer is (re)connected before a pass whenever it is not connected.
import type { Producer } from 'kafkajs';
import type { Logger } from '../../lib/log.js';
import { runPassLoop, type PassLoop } from '../../lib/pass-loop.js';

export type RelayLoop = PassLoop;

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
  let connected = false;
  options.producer.on(options.producer.events.CONNECT, () => {
    connected = true;
  });
  options.producer.on(options.producer.events.DISCONNECT, () => {
    connected = false;
  });
  return runPassLoop({
    name: options.name,
    log: options.log,
    idleMs,
    baseBackoffMs: idleMs * 2,
    maxBackoffMs: options.maxBackoffMs ?? 10_000,
    minBackoffMs: idleMs,
    pass: async () => {
      if (!connected) await options.producer.connect();
      const { published } = await options.pass();
      return { idle: published === 0 };
    },
  });
}
