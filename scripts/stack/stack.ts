// Starts the local stack: for each server, reuse a healthy one already listening at its address,
// or start one as a child process (its own process group, log under .local/logs) and wait until it
// answers. Stopping sends SIGTERM to each group we started, then SIGKILL after a bounded wait.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../../lib/config.js';
import { withDeadline } from '../../lib/health.js';
import type { Logger } from '../../lib/log.js';
import { stackServices, type ServiceSpec } from './services.js';
import { stackPaths, type StackPaths } from './stack-config.js';

export interface RunningService {
  name: ServiceSpec['name'];
  address: string;
  /** Set when this stack started the server; absent when it reused one already listening. */
  pid?: number;
  log?: string;
}

export class StackError extends Error {
  override name = 'StackError';
}

export function isListening(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lastLines(file: string, count = 5): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

export async function startService(spec: ServiceSpec, paths: StackPaths, log: Logger): Promise<RunningService> {
  const { host, port, variable } = spec.endpoint;
  const address = `${host}:${port}`;
  if (await isListening(host, port)) {
    try {
      await withDeadline(spec.probe(), 5_000, `${spec.name} health check`);
    } catch (error) {
      throw new StackError(`${variable}: ${address} is in use by something that is not a usable ${spec.name} (${(error as Error).message})`);
    }
    log.info({ service: spec.name, address }, 'reusing server already listening');
    return { name: spec.name, address };
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new StackError(`${variable}: nothing answers at ${address}, and the stack only starts servers on this machine`);
  }

  const launch = spec.prepare();
  mkdirSync(paths.logs, { recursive: true });
  const logFile = path.join(paths.logs, `${spec.name}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    env: launch.env ?? process.env,
    uid: launch.uid,
    gid: launch.gid,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (error) => {
    exited = error.message;
  });
  child.unref();
  const running: RunningService = { name: spec.name, address, pid: child.pid, log: logFile };
  log.info({ service: spec.name, address, pid: child.pid }, 'starting server');

  const deadline = Date.now() + spec.startupTimeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      await withDeadline((spec.startedProbe ?? spec.probe)(), 5_000, `${spec.name} health check`);
      await spec.bootstrap?.();
      await withDeadline(spec.probe(), 5_000, `${spec.name} health check`);
      return running;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(500);
  }
  if (!exited) await stopServices([running]);
  const why = exited ?? `did not become healthy within ${spec.startupTimeoutMs / 1000} s (${lastError})`;
  throw new StackError(`${spec.name} ${why}; see ${logFile}:\n${lastLines(logFile)}`);
}

/** Starts (or reuses) every server; on any failure stops what it started and throws one StackError. */
export async function startStack(config: Config, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<RunningService[]> {
  const paths = stackPaths(env);
  const specs = stackServices(config, env, paths, log);
  const results = await Promise.allSettled(specs.map((spec) => startService(spec, paths, log)));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
  if (failures.length > 0) {
    await stopServices(started);
    const messages = [...new Set(failures.map((failure) => failure.message))];
    throw new StackError(messages.join('\n'));
  }
  recordStarted(paths, started);
  return started;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Stops the servers this stack started (reused ones are left alone). */
export async function stopServices(services: RunningService[], graceMs = 20_000): Promise<void> {
  const owned = services.filter((service): service is RunningService & { pid: number } => service.pid !== undefined);
  for (const service of owned) signalGroup(service.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (owned.some((service) => pidAlive(service.pid)) && Date.now() < deadline) await sleep(200);
  for (const service of owned) if (pidAlive(service.pid)) signalGroup(service.pid, 'SIGKILL');
}

function recordFile(paths: StackPaths): string {
  return path.join(paths.run, 'stack.json');
}

function recordStarted(paths: StackPaths, started: RunningService[]): void {
  mkdirSync(paths.run, { recursive: true });
  const previous = readRecorded(paths).filter((service) => service.pid !== undefined && pidAlive(service.pid));
  const owned = started.filter((service) => service.pid !== undefined);
  writeFileSync(recordFile(paths), JSON.stringify([...previous, ...owned], null, 2));
}

export function readRecorded(paths: StackPaths = stackPaths()): RunningService[] {
  try {
    return JSON.parse(readFileSync(recordFile(paths), 'utf8')) as RunningService[];
  } catch {
    return [];
  }
}

export function clearRecorded(paths: StackPaths = stackPaths()): void {
  writeFileSync(recordFile(paths), '[]');
}
