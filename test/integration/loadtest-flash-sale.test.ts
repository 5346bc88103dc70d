// Smoke run of the Artillery flash sale (loadtests/scenarios/flash-sale.yml) through its wrapper,
// `npm run loadtest -- flash-sale`, against the real roles started here on free ports: the
// organizer's setup, fans arriving in phases into the pre-queue and after the open, the Socket.IO
// wait, passes, holds and payments, then the double-booking audit of DynamoDB and the seat map.
// Small on purpose (a few dozen fans): it shows the scenario and the audit work end to end. The
// latency threshold is set out of reach here, as tests never depend on the machine's speed; the
// 500 ms promise is measured by real runs (loadtests/README.md). More fans than seats, so some are
// told it sold out and the audit has a contested sale to check.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startSaleStack, type SaleStack } from '../sale-stack.js';

const id = randomUUID().slice(0, 8);
let stack: SaleStack;
let apiUrl = '';
const organizer = { email: `loadtest-${id}@loadtest.test`, password: `loadtest-password-${id}` };

beforeAll(async () => {
  stack = await startSaleStack();
  apiUrl = stack.apiUrl;
  const signUp = await fetch(`${apiUrl}/api/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...organizer, displayName: 'Load test organizer' }),
  });
  expect(signUp.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

function loadtest(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/scripts/loadtest-cli.js', ...args], {
      env: { ...process.env, ...stack.env, FLASH_ORGANIZER_EMAIL: organizer.email, FLASH_ORGANIZER_PASSWORD: organizer.password },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the Artillery flash sale runs its phases, books seats and passes the double-booking audit', async () => {
  const run = await loadtest([
    'flash-sale',
    '--target', apiUrl,
    '--warm-up', '2', '--warm-up-rate', '4',
    '--ramp', '0',
    '--fans-per-second', '6', '--sustain', '3',
    '--sections', '1', '--rows', '2', '--seats-per-row', '10', '--seats-per-fan', '2',
    '--opens-in', '3', '--rate', '6000', '--wait-seconds', '60',
    '--hold-p99-ms', '120000',
  ]);
  if (run.code !== 0) process.stderr.write(run.stderr.slice(-4000));
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout) as {
    seats: number;
    thresholds: { passed: boolean };
    fans: { arrived: number; failed: number };
    funnel: Record<string, number>;
    http5xx: number;
    holdRequestToResultMs: { count: number } | null;
    doubleBooking: { ok: boolean; bookings: number; seatsBooked: number; soldOnSeatMap: number; dynamoAudit: { violations?: number; skipped?: string } };
  };
  expect(report.seats).toBe(20);
  expect(report.thresholds.passed).toBe(true);
  expect(report.http5xx).toBe(0);
  // 2 s × 4 + 3 s × 6 arrivals: 26 fans for 10 pairs of seats.
  expect(report.fans.arrived).toBe(26);
  expect(report.fans.failed).toBe(0);
  expect(report.funnel['corral.booked']).toBeGreaterThan(0);
  expect(report.holdRequestToResultMs?.count).toBeGreaterThan(0);
  expect(report.doubleBooking.ok).toBe(true);
  expect(report.doubleBooking.dynamoAudit.violations).toBe(0);
  expect(report.doubleBooking.soldOnSeatMap).toBe(report.doubleBooking.seatsBooked);
  expect(report.doubleBooking.seatsBooked).toBeLessThanOrEqual(20);
}, 180_000);

test('a scenario that does not exist, or a bad flag, is a clear message and exit 2', async () => {
  const missing = await loadtest(['no-such-sale']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('no scenario "no-such-sale"');
  expect(missing.stderr).toContain('scenarios: flash-sale');
  const bad = await loadtest(['flash-sale', '--fans-per-second', 'lots']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--fans-per-second');
});
