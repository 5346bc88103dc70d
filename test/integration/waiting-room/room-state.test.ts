// The public waiting-room state (GET /api/events/:id/queue/state) as a CDN sees it: cacheable headers,
// a strong ETag with 304 on If-None-Match, no cookie, nothing per fan; clear 404 and 400 otherwise.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { exportPassSigningKey, generatePassSigningKey } from '../../../lib/tokens/passes.js';
import { signingKeysFromJwks } from '../../../lib/tokens/signing-keys.js';
import { waitingRoomRoutes } from '../../../waiting-room/join-routes.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { RequestLimits } from '../../../waiting-room/request-limits.js';
import { createRedisFixture, uniqueEventId, type RedisFixture } from './redis-fixture.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs the built verify-shuffle CLI against this test's server. */
function verifyShuffleCli(eventId: string, base: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'dist/scripts/verify-shuffle-cli.js'), eventId, '--url', base], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const room = { state: 'open', admissionRatePerMinute: 120, maxActiveShoppers: 10, passTtlSeconds: 600, opensAt: 0 } as const;

describe('the public waiting-room state (real Redis)', () => {
  let fixture: RedisFixture;
  let store: QueueStore;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    fixture = createRedisFixture();
    const { redis, keyPrefix } = fixture;
    store = new QueueStore({ redis, keyPrefix });
    const keys = await signingKeysFromJwks({ keys: [await exportPassSigningKey(await generatePassSigningKey('state-test'))] }, 'https://corral.test');
    const generous = { points: 1_000, durationSeconds: 60 };
    const app = createHttpApp({
      role: 'waiting-room',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 2_000,
      routes: waitingRoomRoutes({
        store,
        keys,
        joinLimits: new RequestLimits({ redis, action: 'join', keyPrefix, perIp: generous, perVisitor: generous }),
        visitorCookieSecret: 'a-test-secret-that-is-long-enough-0123456789',
        secureCookies: false,
        clock: Date.now,
      }),
    });
    server = await listen(app, '127.0.0.1', 0, 'WAITING_ROOM_PORT');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await fixture.close();
  });

  const stateUrl = (eventId: string) => `${base}/api/events/${encodeURIComponent(eventId)}/queue/state`;

  it('answers the event-wide numbers, cacheable by anyone, with no cookie and nothing per fan', async () => {
    const eventId = uniqueEventId('state');
    await store.createRoom(eventId, room);
    // A fan joins first: their number must not leak into the shared answer.
    const joined = await fetch(`${base}/api/events/${eventId}/queue`, { method: 'POST' });
    expect(joined.status).toBe(200);
    const response = await fetch(stateUrl(eventId), { headers: { cookie: joined.headers.get('set-cookie')!.split(';')[0]! } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=1, stale-while-revalidate=5');
    expect(response.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.json()).toEqual({ eventId, serving: 0, issued: 1, admissionRatePerMinute: 120, state: 'open', soldOut: false });
  });

  it('answers 304 without a body to a matching If-None-Match, and 200 with a new ETag once the state moved', async () => {
    const eventId = uniqueEventId('state-etag');
    await store.createRoom(eventId, room);
    const first = await fetch(stateUrl(eventId));
    const etag = first.headers.get('etag')!;
    await first.text();
    const revalidated = await fetch(stateUrl(eventId), { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toMatch(/^public, max-age=1/);
    // Another tag in the list, or the weak form of ours, still matches (RFC 9110 weak comparison).
    expect((await fetch(stateUrl(eventId), { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);

    await fixture.redis.set(store.keys(eventId).serving, '0');
    await store.configure(eventId, { state: 'soldout' });
    const moved = await fetch(stateUrl(eventId), { headers: { 'if-none-match': etag } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
    expect(await moved.json()).toMatchObject({ state: 'soldout', soldOut: true });
  });

  it('answers 404 for an event without a waiting room and 400 for a malformed id', async () => {
    const unknown = await fetch(stateUrl(uniqueEventId('state-unknown')));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(unknown.headers.get('cache-control')).toBeNull();
    const malformed = await fetch(stateUrl('bad id!'));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ status: 400, detail: 'event id is malformed' });
  });

  it('publishes the fairness record, and npm run verify-shuffle checks it: verified, then FAILED once a number is moved', async () => {
    const eventId = uniqueEventId('fairness-cli');
    await store.createRoom(eventId, { ...room, state: 'prequeue', opensAt: 1_000_000 });
    const committed = await fetch(`${base}/api/events/${eventId}/queue/fairness`);
    expect(committed.headers.get('cache-control')).toBe('public, max-age=5');
    expect(await committed.json()).toMatchObject({ seed: null, membership: [], commitment: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await verifyShuffleCli(eventId, base)).code).toBe(2); // not opened: nothing to verify yet

    for (let fan = 0; fan < 40; fan += 1) await fetch(`${base}/api/events/${eventId}/queue`, { method: 'POST' });
    await store.openSale(eventId, { seed: 'unused' });
    const opened = await fetch(`${base}/api/events/${eventId}/queue/fairness`);
    expect(opened.headers.get('cache-control')).toBe('public, max-age=3600');
    const record = (await opened.json()) as { firstNumber: number; membership: Array<{ fan: string; number: number }> };
    expect(record.firstNumber).toBe(1);
    expect(record.membership).toHaveLength(40);
    expect(record.membership.map((entry) => entry.number).sort((left, right) => left - right)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    const honest = await verifyShuffleCli(eventId, base);
    expect(honest).toMatchObject({ code: 0, stdout: expect.stringContaining(`event ${eventId}: verified.`) });
    expect(honest.stdout).toContain('40 pre-queued fans');

    const [someFan] = Object.keys(await fixture.redis.hgetall(store.keys(eventId).fans));
    await fixture.redis.hset(store.keys(eventId).fans, someFan!, 4_000);
    const tampered = await verifyShuffleCli(eventId, base);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('FAILED verification');
    expect(tampered.stderr).toMatch(/holds number 4000, the shuffle gives \d+/);

    expect((await fetch(`${base}/api/events/${uniqueEventId('no-room')}/queue/fairness`)).status).toBe(404);
    expect((await fetch(`${base}/api/events/bad%20id!/queue/fairness`)).status).toBe(400);
  }, 30_000);
});
