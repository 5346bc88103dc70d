// A flash sale end to end, black-box over HTTP and Socket.IO as QA runs it against a deployment
// (the local `npm start` by default): an organizer creates and publishes an event whose sale opens
// in a few seconds and sets the admission rate; FLASH_FANS fans join the pre-queue, each on its own
// Socket.IO connection, wait for their turn on the live `serving` feed, claim a pass, ask for the
// best seats available, pay with the test card and hand their slot back. Prints JSON: the funnel,
// latency per step, memory, and a double-booking check read back through the API (no seat in two
// bookings; sold count = booked seats), plus the audit of DynamoDB when it is reachable from here,
// beside the raw limit measured in the same run (the api's bare HTTP throughput on /healthz).
//   node dist/loadtests/flash-sale.js
//   FLASH_API_URL=http://127.0.0.1:3000 FLASH_FANS=400 FLASH_SEATS_PER_ROW=10 FLASH_ROWS=10 FLASH_SECTIONS=2
//   FLASH_SEATS_PER_FAN=2 FLASH_RATE=1200 FLASH_OPENS_IN_SECONDS=8 FLASH_MAX_SECONDS=240
//   FLASH_ORGANIZER_EMAIL / FLASH_ORGANIZER_PASSWORD (default: the demo organizer npm start seeds)
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { gridLayout } from '../catalog/venue-layout.js';
import { loadConfig } from '../lib/config.js';
import { createDynamo } from '../lib/dynamo.js';
import { DEMO_ORGANIZER } from '../scripts/demo-seed.js';
import { auditEvent } from '../booking/booking-audit.js';
import { bookingStore } from '../booking/booking-store.js';
import { percentile } from './bench-stats.js';
import { call, HttpProblem } from './http-call.js';

const settingsSchema = z.object({
  FLASH_API_URL: z.url().optional(),
  FLASH_FANS: z.coerce.number().int().min(1).max(50_000).default(400),
  FLASH_SECTIONS: z.coerce.number().int().min(1).max(26).default(2),
  FLASH_ROWS: z.coerce.number().int().min(1).max(200).default(10),
  FLASH_SEATS_PER_ROW: z.coerce.number().int().min(1).max(200).default(10),
  FLASH_SEATS_PER_FAN: z.coerce.number().int().min(1).max(8).default(2),
  FLASH_RATE: z.coerce.number().int().min(1).max(1_000_000).default(1_200),
  FLASH_OPENS_IN_SECONDS: z.coerce.number().int().min(3).max(3_600).default(8),
  FLASH_MAX_SECONDS: z.coerce.number().int().min(10).max(7_200).default(240),
  FLASH_ORGANIZER_EMAIL: z.string().default(DEMO_ORGANIZER.email),
  FLASH_ORGANIZER_PASSWORD: z.string().default(DEMO_ORGANIZER.password),
  FLASH_RAW_SECONDS: z.coerce.number().int().min(1).max(60).default(4),
});

const HOLD_POLL_MS = 200;
const HOLD_ATTEMPTS = 3;
const TEST_CARD = '4242424242424242';


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentiles(samples: number[]): { count: number; p50: number | null; p99: number | null } {
  if (samples.length === 0) return { count: 0, p50: null, p99: null };
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: samples.length, p50: Math.round(percentile(sorted, 0.5)), p99: Math.round(percentile(sorted, 0.99)) };
}

interface SeatRef {
  section: string;
  row: string;
  number: number;
}
type HoldView =
  | { status: 'pending' }
  | { status: 'held'; seats: SeatRef[] }
  | { status: 'rejected'; reason: string }
  | { status: 'expired' | 'released' }
  | { status: 'confirmed'; bookingId: string; seats: SeatRef[] };
interface SectionSummary {
  section: string;
  available: number;
  held: number;
  sold: number;
}
interface ServingUpdate {
  eventId: string;
  serving: number;
  state: string;
}

type Outcome = 'booked' | 'sold-out' | 'no-seats-after-retries' | 'timeout' | `error:${string}`;

async function main(): Promise<void> {
  const settings = settingsSchema.parse(process.env);
  const config = loadConfig();
  const apiUrl = (settings.FLASH_API_URL ?? `http://127.0.0.1:${config.API_PORT}`).replace(/\/$/, '');
  const web = await call<{ waitingRoomUrl: string; admissionUrl: string }>(`${apiUrl}/config.json`);
  const deadline = Date.now() + settings.FLASH_MAX_SECONDS * 1000;

  // The organizer's side, through the same API the dashboard uses.
  const { token: organizer } = await call<{ token: string }>(`${apiUrl}/api/sessions`, { body: { email: settings.FLASH_ORGANIZER_EMAIL, password: settings.FLASH_ORGANIZER_PASSWORD } });
  const { organizations } = await call<{ organizations: Array<{ id: string }> }>(`${apiUrl}/api/organizations`, { token: organizer });
  const organizationId = organizations[0]?.id ?? (await call<{ id: string }>(`${apiUrl}/api/organizations`, { token: organizer, body: { name: 'Flash sale QA' } })).id;
  const run = randomUUID().slice(0, 8);
  const sections = Array.from({ length: settings.FLASH_SECTIONS }, (_, index) => String.fromCharCode(65 + index));
  const seatCount = sections.length * settings.FLASH_ROWS * settings.FLASH_SEATS_PER_ROW;
  const venue = await call<{ id: string }>(`${apiUrl}/api/organizations/${organizationId}/venues`, {
    token: organizer,
    body: { name: `Flash sale hall ${run}`, city: 'Lisbon', layout: gridLayout(sections, settings.FLASH_ROWS, settings.FLASH_SEATS_PER_ROW, () => 'std') },
  });
  const opensAtMs = Date.now() + settings.FLASH_OPENS_IN_SECONDS * 1000;
  const event = await call<{ id: string }>(`${apiUrl}/api/organizations/${organizationId}/events`, {
    token: organizer,
    body: {
      venueId: venue.id,
      name: `Flash sale test ${run}`,
      description: 'A load-test sale (loadtests/flash-sale.ts).',
      category: 'load-test',
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      saleOpensAt: new Date(opensAtMs).toISOString(),
      priceTiers: [{ code: 'std', name: 'Standard', priceCents: 5_000, currency: 'EUR' }],
    },
  });
  const eventId = event.id;
  const publishStartedMs = Date.now();
  await call(`${apiUrl}/api/events/${eventId}/publish`, { token: organizer, body: {} });
  const publishMs = Date.now() - publishStartedMs;
  await call(`${web.admissionUrl}/api/organizer/events/${eventId}/rate`, { token: organizer, body: { admissionRatePerMinute: settings.FLASH_RATE } });
  if (Date.now() >= opensAtMs) throw new Error(`publishing took ${publishMs} ms, past the opening: raise FLASH_OPENS_IN_SECONDS`);

  const latency = { joinMs: [] as number[], admittedAfterOpenMs: [] as number[], passMs: [] as number[], holdResultMs: [] as number[], confirmMs: [] as number[] };
  const retries = { join429: 0, pass429: 0, passBusy: 0, holdUnavailable: 0 };
  const bookings: Array<{ holdId: string; seats: SeatRef[] }> = [];
  let openedAtMs: number | undefined;
  let soldOutAtMs: number | undefined;

  async function summary(): Promise<SectionSummary[]> {
    return (await call<{ sections: SectionSummary[] }>(`${apiUrl}/api/events/${eventId}/seats`)).sections;
  }

  /** Waits for `number <= serving` on the fan's own socket; pre-queued fans learn their number at open. */
  function admission(queueToken: string, knownNumber: number | null): Promise<void> {
    return new Promise((resolve, reject) => {
      let number = knownNumber;
      let settled = false;
      const socket: Socket = io(`${web.waitingRoomUrl}/queue`, { transports: ['websocket'], reconnectionDelay: 500, timeout: 10_000 });
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        socket.close();
        if (error) reject(error);
        else resolve();
      };
      const learnNumber = async () => {
        const status = await call<{ number: number | null; serving: number; state: string }>(`${web.waitingRoomUrl}/api/events/${eventId}/queue/status`, { token: queueToken });
        number = status.number;
        consider({ eventId, serving: status.serving, state: status.state });
      };
      const consider = (update: ServingUpdate) => {
        if (update.state === 'open' && openedAtMs === undefined) openedAtMs = Date.now();
        if (update.state === 'soldout' || update.state === 'closed') return finish(new Error(update.state));
        if (number === null) {
          if (update.state === 'open') void learnNumber().catch(() => undefined);
          return;
        }
        if (update.serving >= number) finish();
      };
      // The socket is the fast path; a status poll every few seconds covers a dropped packet.
      const poll = setInterval(() => void learnNumber().catch(() => undefined), 3_000);
      socket.on('connect', () => socket.emit('subscribe', { eventId }, (ack: { ok: boolean; update?: ServingUpdate }) => ack.ok && ack.update && consider(ack.update)));
      socket.on('serving', (update: ServingUpdate) => update.eventId === eventId && consider(update));
      setTimeout(() => finish(new Error('timeout')), Math.max(0, deadline - Date.now()));
    });
  }

  async function withRetryAfter<T>(attempt: () => Promise<T>, onRetry: (problem: HttpProblem) => void): Promise<T> {
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        const retryable = error instanceof HttpProblem && (error.status === 429 || error.status === 503 || error.code === 'capacity-full');
        if (!retryable || Date.now() > deadline) throw error;
        onRetry(error);
        await sleep(((error as HttpProblem).retryAfterSeconds ?? 1) * 1000 * (0.5 + Math.random()));
      }
    }
  }

  async function fan(index: number): Promise<Outcome> {
    const joinStarted = Date.now();
    const joined = await withRetryAfter(
      () => call<{ number: number | null; queueToken: string }>(`${web.waitingRoomUrl}/api/events/${eventId}/queue`, { body: {} }),
      () => (retries.join429 += 1),
    );
    latency.joinMs.push(Date.now() - joinStarted);
    try {
      await admission(joined.queueToken, joined.number);
    } catch (error) {
      const reason = (error as Error).message;
      return reason === 'timeout' ? 'timeout' : reason === 'soldout' ? 'sold-out' : `error:${reason}`;
    }
    if (openedAtMs !== undefined) latency.admittedAfterOpenMs.push(Date.now() - openedAtMs);
    const passStarted = Date.now();
    const pass = await withRetryAfter(
      () => call<{ pass: string; sessionId: string }>(`${web.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token: joined.queueToken }),
      (problem) => (problem.status === 429 ? (retries.pass429 += 1) : (retries.passBusy += 1)),
    );
    latency.passMs.push(Date.now() - passStarted);
    try {
      for (let attempt = 1; attempt <= HOLD_ATTEMPTS; attempt += 1) {
        const open = (await summary()).filter((section) => section.available >= settings.FLASH_SEATS_PER_FAN).sort((a, b) => b.available - a.available);
        if (open.length === 0) {
          soldOutAtMs ??= Date.now();
          return 'sold-out';
        }
        // Spread fans over the sections that still have room, as people pick different ones.
        const section = open[index % Math.min(open.length, 3)]!.section;
        const holdStarted = Date.now();
        const { holdId } = await call<{ holdId: string }>(`${apiUrl}/api/events/${eventId}/holds`, {
          token: pass.pass,
          headers: { 'idempotency-key': randomUUID() },
          body: { section, quantity: settings.FLASH_SEATS_PER_FAN },
        });
        let view: HoldView = { status: 'pending' };
        while (view.status === 'pending' && Date.now() < deadline) {
          await sleep(HOLD_POLL_MS);
          view = await call<HoldView>(`${apiUrl}/api/holds/${holdId}`, { token: pass.pass });
        }
        latency.holdResultMs.push(Date.now() - holdStarted);
        if (view.status === 'pending') return 'timeout';
        if (view.status === 'rejected') {
          retries.holdUnavailable += 1;
          continue;
        }
        if (view.status !== 'held') return `error:hold-${view.status}`;
        const confirmStarted = Date.now();
        await call(`${apiUrl}/api/holds/${holdId}/confirm`, { token: pass.pass, body: { paymentToken: TEST_CARD } });
        latency.confirmMs.push(Date.now() - confirmStarted);
        const booked = await call<HoldView>(`${apiUrl}/api/holds/${holdId}`, { token: pass.pass });
        if (booked.status !== 'confirmed') return `error:booking-${booked.status}`;
        bookings.push({ holdId, seats: booked.seats });
        return 'booked';
      }
      return 'no-seats-after-retries';
    } finally {
      await call(`${web.admissionUrl}/api/events/${eventId}/sessions/${pass.sessionId}/release`, { token: pass.pass, body: {} }).catch(() => undefined);
    }
  }

  const startedMs = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: settings.FLASH_FANS }, (_, index) =>
      fan(index).catch((error: unknown): Outcome => `error:${error instanceof HttpProblem ? `${error.status}-${error.code}` : (error as Error).message}`),
    ),
  );
  const elapsedSeconds = (Date.now() - startedMs) / 1000;

  // Zero double-booking, read back through the API: every booked seat once, and the seat map agrees.
  const seatLabels = bookings.flatMap((booking) => booking.seats.map((seat) => `${seat.section}#${seat.row}#${seat.number}`));
  const soldOnMap = (await summary()).reduce((sum, section) => sum + section.sold, 0);
  let dynamoAudit: { seats: unknown; violations: number } | { skipped: string };
  try {
    const report = await auditEvent(bookingStore(createDynamo(config).doc, config.DYNAMODB_TABLE_PREFIX), eventId);
    dynamoAudit = { seats: report.seats, violations: report.violations.length };
  } catch (error) {
    dynamoAudit = { skipped: `DynamoDB not reachable from here (${(error as Error).message})` };
  }

  // The raw limit in the same run: the api's bare HTTP throughput (no Redis, DynamoDB or Kafka).
  const raw = await autocannon({ url: `${apiUrl}/healthz`, connections: 50, duration: settings.FLASH_RAW_SECONDS });

  const memory: Record<string, number | null> = { loadGeneratorRssMb: Math.round(process.memoryUsage().rss / 1e6) };
  for (const [role, url] of [['api', apiUrl], ['waitingRoom', web.waitingRoomUrl], ['admission', web.admissionUrl]] as const) {
    const metrics = await fetch(`${url}/metrics`).then((response) => response.text()).catch(() => '');
    const rss = /^process_resident_memory_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(metrics)?.[1];
    memory[`${role}RssMb`] = rss === undefined ? null : Math.round(Number(rss) / 1e6);
  }

  const funnel: Record<string, number> = {};
  for (const outcome of outcomes) funnel[outcome] = (funnel[outcome] ?? 0) + 1;
  const report = {
    event: { eventId, seats: seatCount, seatsPerFan: settings.FLASH_SEATS_PER_FAN, fans: settings.FLASH_FANS, admissionRatePerMinute: settings.FLASH_RATE, publishMs },
    funnel,
    retries,
    latencyMs: {
      join: percentiles(latency.joinMs),
      admittedAfterOpen: percentiles(latency.admittedAfterOpenMs),
      passClaim: percentiles(latency.passMs),
      holdRequestToResult: percentiles(latency.holdResultMs),
      confirm: percentiles(latency.confirmMs),
    },
    throughput: {
      elapsedSeconds,
      bookingsPerSecond: Math.round((bookings.length / elapsedSeconds) * 10) / 10,
      sellOutSecondsAfterOpen: soldOutAtMs !== undefined && openedAtMs !== undefined ? (soldOutAtMs - openedAtMs) / 1000 : null,
    },
    doubleBookingCheck: {
      bookings: bookings.length,
      seatsBooked: seatLabels.length,
      distinctSeatsBooked: new Set(seatLabels).size,
      soldOnSeatMap: soldOnMap,
      ok: new Set(seatLabels).size === seatLabels.length && soldOnMap === seatLabels.length,
      dynamoAudit,
    },
    rawLimit: { apiHealthzRequestsPerSecond: Math.round(raw.requests.average), latencyMs: { p50: raw.latency.p50, p99: raw.latency.p99 }, connections: 50, seconds: settings.FLASH_RAW_SECONDS },
    memory,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  // Exit 1 on any double-booking evidence; exit explicitly, as pooled keep-alive sockets linger.
  process.exit(!report.doubleBookingCheck.ok || ('violations' in dynamoAudit && dynamoAudit.violations > 0) ? 1 : 0);
}

main().catch((error: Error) => {
  console.error(`flash-sale: ${error.message}`);
  process.exit(2);
});
