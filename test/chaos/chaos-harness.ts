// Chaos harness: a redis-server of the scenario's own (free port, its own append-only file under a
// temp folder) that the scenario may SIGKILL and restart, the real roles started in-process against
// it, and a small flash sale driven over HTTP as the pages drive it. Faults only ever hit servers
// started here; MariaDB, DynamoDB and Kafka are the shared local stack, under this run's own prefixes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { gridLayout } from '../../catalog/venue-layout.js';
import { freePort } from '../free-port.js';
export { freePort };
import type { SaleStack } from '../sale-stack.js';
export { startSaleStack, type SaleStack } from '../sale-stack.js';


export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGKILL a server the scenario started (no shutdown, no flush) and wait until it is gone. */
export async function killServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** A redis-server owned by one scenario: production's durability profile (AOF, fsync every second). */
export class OwnRedis {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'corral-chaos-redis-'));

  /** `appendOnly: false` starts it without an append-only file: a restart comes back empty (redis-lost.test.ts). */
  constructor(
    readonly port: number,
    private readonly options: { appendOnly?: boolean } = {},
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', this.options.appendOnly === false ? 'no' : (process.env.CHAOS_REDIS_APPENDONLY ?? 'yes'), '--appendfsync', 'everysec', '--maxclients', '2000'];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      try {
        await probe.connect();
        // Loading the AOF answers -LOADING; ready means the dataset is back.
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not listening or still loading
      } finally {
        probe.disconnect();
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await sleep(20);
    }
  }

  /** SIGKILL: no shutdown save, no AOF flush beyond what the kernel already has. */
  async kill(): Promise<void> {
    await killServer(this.child);
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`${status} ${code}`);
  }
}

interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP call as the pages make it; a problem (or no answer) is an error. */
export async function call<T>(url: string, options: CallOptions = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  const reply = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (!response.ok) {
    const code = typeof reply['type'] === 'string' ? String(reply['type']).split('/').pop()! : `http-${response.status}`;
    throw new HttpProblem(response.status, code);
  }
  return { status: response.status, body: reply as T };
}

/** Retries what a page retries (429, 5xx, capacity-full, a dropped connection) until the deadline. */
export async function persist<T>(attempt: () => Promise<T>, deadline: number, onRetry: () => void = () => undefined): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = !(error instanceof HttpProblem) || error.status === 429 || error.status >= 500 || error.code === 'capacity-full';
      if (!retryable || Date.now() > deadline) throw error;
      onRetry();
      await sleep(100 + Math.random() * 200);
    }
  }
}

export interface PublishedSale {
  eventId: string;
  organizerToken: string;
  seats: number;
}

/** The organizer's side through the public API: account, organization, venue, event, publish, rate. */
export async function publishSale(stack: SaleStack, options: { rows: number; seatsPerRow: number; opensInMs: number; ratePerMinute: number; /** Several sales on one stack: each its own organizer. */ tag?: string }): Promise<PublishedSale> {
  const who = options.tag === undefined ? stack.id : `${stack.id}-${options.tag}`;
  const organizer = { email: `chaos-${who}@chaos.test`, password: `chaos-password-${who}` };
  await call(`${stack.apiUrl}/api/accounts`, { body: { ...organizer, displayName: 'Chaos organizer' } });
  const { body: session } = await call<{ token: string }>(`${stack.apiUrl}/api/sessions`, { body: organizer });
  const token = session.token;
  const { body: organization } = await call<{ id: string }>(`${stack.apiUrl}/api/organizations`, { token, body: { name: `Chaos ${stack.id}` } });
  const { body: venue } = await call<{ id: string }>(`${stack.apiUrl}/api/organizations/${organization.id}/venues`, {
    token,
    body: { name: `Chaos hall ${stack.id}`, city: 'Lisbon', layout: gridLayout(['A'], options.rows, options.seatsPerRow, () => 'std') },
  });
  const { body: event } = await call<{ id: string }>(`${stack.apiUrl}/api/organizations/${organization.id}/events`, {
    token,
    body: {
      venueId: venue.id,
      name: `Chaos sale ${stack.id}`,
      description: 'A chaos-suite sale (test/chaos/).',
      category: 'chaos-test',
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      saleOpensAt: new Date(Date.now() + options.opensInMs).toISOString(),
      priceTiers: [{ code: 'std', name: 'Standard', priceCents: 5_000, currency: 'EUR' }],
    },
  });
  await call(`${stack.apiUrl}/api/events/${event.id}/publish`, { token, body: {} });
  await call(`${stack.admissionUrl}/api/organizer/events/${event.id}/rate`, { token, body: { admissionRatePerMinute: options.ratePerMinute } });
  return { eventId: event.id, organizerToken: token, seats: options.rows * options.seatsPerRow };
}
