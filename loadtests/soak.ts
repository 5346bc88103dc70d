// A soak: one continuous sale for SOAK_SECONDS (default 600) with every role in its own process
// (`node dist/main.js <role>`, as in Kubernetes), against the local stack (started here when it is
// not up). Fans arrive at SOAK_FANS_PER_SECOND, join, are admitted, claim a pass, hold one seat,
// then pay (most) or release it, and hand their slot back; when an event runs low on seats the
// organizer publishes the next one. Every SOAK_SAMPLE_SECONDS it samples each role's RSS, RssAnon
// and V8 heap in use, and Redis `INFO memory`. Prints JSON: the series, drift after the warm-up per role and for Redis, fans and
// errors per minute, and the raw limit measured in the same run (pipelined Redis INCRs/s).
//   flock /tmp/corral-stack.lock npx node dist/loadtests/soak.js
//   SOAK_SECONDS=600 SOAK_WARMUP_SECONDS=120 SOAK_SAMPLE_SECONDS=10 SOAK_FANS_PER_SECOND=25
//   SOAK_SEATS_PER_EVENT=300 SOAK_PAY_SHARE=0.7 SOAK_MAX_FANS_IN_FLIGHT=400
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { z } from 'zod';
import { gridLayout } from '../catalog/venue-layout.js';
import { loadConfig } from '../lib/config.js';
import { DeleteTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamo, ensureTables, tableNames } from '../lib/dynamo.js';
import { ROLES, type RoleName } from '../lib/role.js';
import { provision } from '../scripts/stack/provision.js';
import { startStack, stopServices } from '../scripts/stack/stack.js';
import { driftOf, sampleMemory, type MemorySample } from './soak-memory.js';
import { call, HttpProblem } from './http-call.js';

const settingsSchema = z.object({
  SOAK_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
  SOAK_WARMUP_SECONDS: z.coerce.number().int().min(0).max(3_600).default(120),
  SOAK_SAMPLE_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  SOAK_FANS_PER_SECOND: z.coerce.number().min(0.1).max(500).default(25),
  SOAK_SEATS_PER_EVENT: z.coerce.number().int().min(20).max(20_000).default(300),
  SOAK_PAY_SHARE: z.coerce.number().min(0).max(1).default(0.7),
  SOAK_MAX_FANS_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(400),
  SOAK_RAW_SECONDS: z.coerce.number().int().min(1).max(60).default(3),
});

const TEST_CARD = '4242424242424242';
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface RoleProcess {
  role: RoleName;
  url: string;
  child: ChildProcess;
}

const portVariable: Record<RoleName, string> = {
  api: 'API_PORT',
  'waiting-room': 'WAITING_ROOM_PORT',
  admission: 'ADMISSION_PORT',
  worker: 'WORKER_PORT',
  relay: 'RELAY_PORT',
  indexer: 'INDEXER_PORT',
  notifier: 'NOTIFIER_PORT',
};

async function startRoleProcesses(env: Record<string, string>, logDir: string): Promise<RoleProcess[]> {
  const ports = Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, await freePort()] as const))) as Record<RoleName, number>;
  const portEnv = Object.fromEntries(ROLES.map((role) => [portVariable[role], String(ports[role])]));
  const shared = { ...process.env, ...env, ...portEnv, WEB_ORIGIN: `http://127.0.0.1:${ports.api}`, PUBLIC_WAITING_ROOM_URL: `http://127.0.0.1:${ports['waiting-room']}`, PUBLIC_ADMISSION_URL: `http://127.0.0.1:${ports.admission}` };
  const roles = ROLES.map((role): RoleProcess => {
    const log = createWriteStream(path.join(logDir, `${role}.log`));
    const child = spawn(process.execPath, [MAIN, role], { env: shared, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return { role, url: `http://127.0.0.1:${ports[role]}`, child };
  });
  const deadline = Date.now() + 90_000;
  for (const role of roles) {
    for (;;) {
      const ready = await fetch(`${role.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((response) => response.ok, () => false);
      if (ready) break;
      if (role.child.exitCode !== null || Date.now() > deadline) throw new Error(`${role.role} did not become ready (log: ${logDir}/${role.role}.log)`);
      await sleep(250);
    }
  }
  return roles;
}

async function stopRoleProcesses(roles: readonly RoleProcess[]): Promise<void> {
  await Promise.all(
    roles.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** The raw limit of the same run: pipelined INCRs on one scratch key for `seconds`. */
async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** Redis keys by family (ids replaced by `*`, numbers by `#`) and how many of each carry a TTL. */
async function redisKeyFamilies(redis: Redis): Promise<Array<{ family: string; keys: number; withTtl: number }>> {
  const families = new Map<string, { keys: number; withTtl: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1_000);
    cursor = next;
    const ttls = keys.length === 0 ? [] : ((await redis.pipeline(keys.map((key) => ['pttl', key])).exec()) ?? []);
    keys.forEach((key, index) => {
      const family = key.replace(/[0-9A-Za-z_-]{16,}/g, '*').replace(/\d+/g, '#');
      const entry = families.get(family) ?? { keys: 0, withTtl: 0 };
      entry.keys += 1;
      if (Number(ttls[index]?.[1]) > 0) entry.withTtl += 1;
      families.set(family, entry);
    });
  } while (cursor !== '0');
  return [...families.entries()].map(([family, counts]) => ({ family, ...counts })).sort((a, b) => b.keys - a.keys).slice(0, 25);
}

async function rawRedisOpsPerSecond(redis: Redis, key: string, seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  const startedAt = Date.now();
  let ops = 0;
  while (Date.now() < until) {
    const pipeline = redis.pipeline();
    for (let index = 0; index < 1_000; index += 1) pipeline.incr(key);
    await pipeline.exec();
    ops += 1_000;
  }
  await redis.del(key);
  return Math.round(ops / ((Date.now() - startedAt) / 1000));
}

type Outcome = 'booked' | 'released' | 'rejected' | 'sold-out' | `error:${string}`;

async function main(): Promise<void> {
  const settings = settingsSchema.parse(process.env);
  const config = loadConfig();
  // Only the JSON report goes to stdout: the soak's own log (and the stack's) goes to stderr.
  const log = pino({ level: 'info', base: { component: 'soak' } }, pino.destination(2));
  const run = randomUUID().slice(0, 8);
  const logDir = path.resolve('.local/loadtests', `soak-${run}`);
  mkdirSync(logDir, { recursive: true });
  const services = await startStack(config, log);
  await provision(config, log);
  const env = { DYNAMODB_TABLE_PREFIX: `soak-${run}-`, BOOKING_KEY_PREFIX: `soak-${run}:`, LOG_LEVEL: 'warn' };
  const dynamo = createDynamo(config);
  const redis = new Redis(config.REDIS_URL);
  // What an interrupted earlier soak left behind (only soaks use the `soak-` prefixes; the lock
  // keeps two from running at once).
  await deleteKeys(redis, '*soak-*');
  for (const table of (await dynamo.client.send(new ListTablesCommand({}))).TableNames ?? []) {
    if (table.startsWith('soak-')) await dynamo.client.send(new DeleteTableCommand({ TableName: table }));
  }
  await ensureTables(dynamo.client, env.DYNAMODB_TABLE_PREFIX);
  let roles: RoleProcess[] = [];
  try {
    roles = await startRoleProcesses(env, logDir);
    const url = Object.fromEntries(roles.map((role) => [role.role, role.url])) as Record<RoleName, string>;
    const sampled = Object.fromEntries(roles.map((role) => [role.role, { pid: role.child.pid!, url: role.url }]));

    // The organizer: an account of the run's own, one venue, then one event after another.
    const organizer = { email: `soak-${run}@soak.test`, password: `soak-password-${run}` };
    await call(`${url.api}/api/accounts`, { body: { ...organizer, displayName: 'Soak organizer' } });
    const { token } = await call<{ token: string }>(`${url.api}/api/sessions`, { body: organizer });
    const organization = await call<{ id: string }>(`${url.api}/api/organizations`, { token, body: { name: `Soak ${run}` } });
    const sections = ['A', 'B', 'C'];
    const seatsPerRow = 10;
    const rows = Math.max(1, Math.ceil(settings.SOAK_SEATS_PER_EVENT / (sections.length * seatsPerRow)));
    const venue = await call<{ id: string }>(`${url.api}/api/organizations/${organization.id}/venues`, {
      token,
      body: { name: `Soak hall ${run}`, city: 'Lisbon', layout: gridLayout(sections, rows, seatsPerRow, () => 'std') },
    });
    let eventNumber = 0;
    const published: string[] = [];
    async function publishEvent(): Promise<string> {
      eventNumber += 1;
      const event = await call<{ id: string }>(`${url.api}/api/organizations/${organization.id}/events`, {
        token,
        body: {
          venueId: venue.id,
          name: `Soak sale ${run} #${eventNumber}`,
          description: 'A soak-test sale (loadtests/soak.ts).',
          category: 'load-test',
          startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          saleOpensAt: new Date(Date.now() + 2_000).toISOString(),
          priceTiers: [{ code: 'std', name: 'Standard', priceCents: 5_000, currency: 'EUR' }],
        },
      });
      await call(`${url.api}/api/events/${event.id}/publish`, { token, body: {} });
      published.push(event.id);
      await call(`${url.admission}/api/organizer/events/${event.id}/rate`, { token, body: { admissionRatePerMinute: 60_000 } });
      return event.id;
    }
    let currentEvent = await publishEvent();
    const sectionsOf = (eventId: string) => call<{ sections: Array<{ section: string; available: number }> }>(`${url.api}/api/events/${eventId}/seats`).then((reply) => reply.sections);

    const startedAt = Date.now();
    const endAt = startedAt + settings.SOAK_SECONDS * 1000;
    const minute = () => Math.floor((Date.now() - startedAt) / 60_000);
    const perMinute: Array<{ fans: number; errors: number; outcomes: Record<string, number> }> = [];
    const bucket = (index: number) => (perMinute[index] ??= { fans: 0, errors: 0, outcomes: {} });
    let shed = 0;
    let retries429 = 0;
    let inFlight = 0;
    let ipCounter = 0;

    async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
      for (let tries = 0; ; tries += 1) {
        try {
          return await attempt();
        } catch (error) {
          const busy = error instanceof HttpProblem && (error.status === 429 || error.code === 'capacity-full');
          if (!busy || tries >= 20) throw error;
          retries429 += 1;
          await sleep(250 + Math.random() * 500);
        }
      }
    }

    async function fan(eventId: string): Promise<Outcome> {
      ipCounter += 1;
      const headers = { 'x-forwarded-for': `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}` };
      let joined: { number: number | null; queueToken: string };
      try {
        joined = await retrying(() => call(`${url['waiting-room']}/api/events/${eventId}/queue`, { body: {}, headers }));
      } catch (error) {
        if (error instanceof HttpProblem && error.status === 409) return 'sold-out';
        throw error;
      }
      for (const waitUntil = Date.now() + 60_000; ; ) {
        const status = await call<{ number: number | null; serving: number; state: string }>(`${url['waiting-room']}/api/events/${eventId}/queue/status`, { token: joined.queueToken, headers });
        if (status.state === 'soldout' || status.state === 'closed') return 'sold-out';
        if (status.number !== null && status.serving >= status.number) break;
        if (Date.now() > waitUntil) return 'error:not-admitted-in-60s';
        await sleep(300);
      }
      const pass = await retrying(() => call<{ pass: string; sessionId: string }>(`${url.admission}/api/events/${eventId}/pass`, { method: 'POST', token: joined.queueToken, headers }));
      try {
        const open = (await sectionsOf(eventId)).filter((section) => section.available > 0);
        if (open.length === 0) return 'sold-out';
        const section = open[Math.floor(Math.random() * open.length)]!.section;
        const { holdId } = await call<{ holdId: string }>(`${url.api}/api/events/${eventId}/holds`, { token: pass.pass, headers: { ...headers, 'idempotency-key': randomUUID() }, body: { section, quantity: 1 } });
        let view: { status: string } = { status: 'pending' };
        for (const waitUntil = Date.now() + 30_000; view.status === 'pending'; ) {
          if (Date.now() > waitUntil) return 'error:hold-pending-30s';
          await sleep(200);
          view = await call<{ status: string }>(`${url.api}/api/holds/${holdId}`, { token: pass.pass, headers });
        }
        if (view.status === 'rejected') return 'rejected';
        if (view.status !== 'held') return `error:hold-${view.status}`;
        if (Math.random() < settings.SOAK_PAY_SHARE) {
          await call(`${url.api}/api/holds/${holdId}/confirm`, { token: pass.pass, headers, body: { paymentToken: TEST_CARD } });
          return 'booked';
        }
        await call(`${url.api}/api/holds/${holdId}`, { method: 'DELETE', token: pass.pass, headers });
        return 'released';
      } finally {
        await call(`${url.admission}/api/events/${eventId}/sessions/${pass.sessionId}/release`, { token: pass.pass, headers, body: {} }).catch(() => undefined);
      }
    }

    function launch(): void {
      if (inFlight >= settings.SOAK_MAX_FANS_IN_FLIGHT) {
        shed += 1;
        return;
      }
      inFlight += 1;
      const eventId = currentEvent;
      void fan(eventId)
        .catch((error: unknown): Outcome => {
          // A sale that sold out between two steps (the pass claim, the hold) is an answer, not an error.
          if (error instanceof HttpProblem && error.status === 409 && error.code === 'sold-out') return 'sold-out';
          return `error:${error instanceof HttpProblem ? `${error.status}-${error.code}` : (error as Error).name}`;
        })
        .then((outcome) => {
          const counts = bucket(minute());
          counts.fans += 1;
          counts.outcomes[outcome] = (counts.outcomes[outcome] ?? 0) + 1;
          if (outcome.startsWith('error:')) counts.errors += 1;
        })
        .finally(() => (inFlight -= 1));
    }

    // The organizer's side: a new event once the current one is nearly sold (the old one sells out).
    const publisher = (async () => {
      while (Date.now() < endAt) {
        await sleep(2_000);
        try {
          const available = (await sectionsOf(currentEvent)).reduce((sum, section) => sum + section.available, 0);
          if (available < settings.SOAK_SEATS_PER_EVENT * 0.1) {
            const next = await publishEvent();
            await sleep(2_500); // its sale opens 2 s after publishing
            currentEvent = next;
          }
        } catch (error) {
          log.warn({ err: error }, 'soak organizer step failed');
        }
      }
    })();

    const samples: MemorySample[] = [];
    const sampler = (async () => {
      for (let next = startedAt; next <= endAt; next += settings.SOAK_SAMPLE_SECONDS * 1000) {
        await sleep(Math.max(0, next - Date.now()));
        samples.push(await sampleMemory(Math.round((Date.now() - startedAt) / 1000), sampled, redis));
      }
    })();

    const intervalMs = 1000 / settings.SOAK_FANS_PER_SECOND;
    for (let next = Date.now(); Date.now() < endAt; next += intervalMs) {
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      launch();
    }
    await Promise.all([publisher, sampler]);
    for (const drainUntil = Date.now() + 60_000; inFlight > 0 && Date.now() < drainUntil; ) await sleep(200);
    const keyFamilies = await redisKeyFamilies(redis);
    const rawRedisIncrPerSecond = await rawRedisOpsPerSecond(redis, `soak-${run}:raw`, settings.SOAK_RAW_SECONDS);

    const drift: Record<string, unknown> = {};
    for (const role of ROLES) {
      drift[role] = {
        rss: driftOf(samples, (sample) => sample.rssMb[role] ?? null, settings.SOAK_WARMUP_SECONDS),
        heapUsed: driftOf(samples, (sample) => sample.heapUsedMb[role] ?? null, settings.SOAK_WARMUP_SECONDS),
        rssAnon: driftOf(samples, (sample) => sample.anonMb[role] ?? null, settings.SOAK_WARMUP_SECONDS),
      };
    }
    drift['redisUsedMemory'] = driftOf(samples, (sample) => sample.redisUsedMb, settings.SOAK_WARMUP_SECONDS);
    drift['redisRss'] = driftOf(samples, (sample) => sample.redisRssMb, settings.SOAK_WARMUP_SECONDS);
    const totals: Record<string, number> = {};
    for (const counts of perMinute) for (const [outcome, count] of Object.entries(counts?.outcomes ?? {})) totals[outcome] = (totals[outcome] ?? 0) + count;
    const seconds = (Date.now() - startedAt) / 1000;
    const holds = (totals['booked'] ?? 0) + (totals['released'] ?? 0) + (totals['rejected'] ?? 0);
    const report = {
      settings,
      run: { id: run, seconds: Math.round(seconds), events: eventNumber, logs: logDir },
      outcomes: totals,
      holdsPerSecond: Math.round((holds / settings.SOAK_SECONDS) * 10) / 10,
      shedAtTheDoor: shed,
      retriesOn429: retries429,
      perMinute: perMinute.map((counts, index) => ({ minute: index, fans: counts?.fans ?? 0, errors: counts?.errors ?? 0, errorRatePercent: counts && counts.fans > 0 ? Math.round((counts.errors / counts.fans) * 1000) / 10 : 0 })),
      memoryDriftAfterWarmUp: drift,
      redisKeyFamiliesAtEnd: keyFamilies,
      rawLimit: { redisPipelinedIncrPerSecond: rawRedisIncrPerSecond, seconds: settings.SOAK_RAW_SECONDS },
      samples,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    // Leave the shared stack as found: no room of this run left ticking (the catalog keeps the events).
    for (const eventId of published) await call(`${url.admission}/api/organizer/events/${eventId}/close`, { token, body: {} }).catch(() => undefined);
  } finally {
    await stopRoleProcesses(roles);
    // ... and no booking keys or tables of this run.
    await deleteKeys(redis, `*${env.BOOKING_KEY_PREFIX}*`).catch(() => undefined);
    for (const table of Object.values(tableNames(env.DYNAMODB_TABLE_PREFIX))) await dynamo.client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    redis.disconnect();
    dynamo.client.destroy();
    await stopServices(services);
  }
  process.exit(0);
}

main().catch((error: Error) => {
  console.error(`soak: ${error.message}`);
  process.exit(2);
});
