import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadSigningKeys, loadVisitorCookieSecret } from '../../../lib/tokens/signing-keys.js';
import { loadConfig } from '../../../lib/config.js';
import { signQueueToken } from '../../../waiting-room/queue-tokens.js';
import { FanClient, startWaitingRoomStack, type WaitingRoomStack } from './http-stack.js';
import { createRedisFixture, uniqueEventId } from './redis-fixture.js';

const room = { opensAt: 0, admissionRatePerMinute: 0, maxActiveShoppers: 10, passTtlSeconds: 600 };

describe('abuse limits on join and pass (real Redis)', () => {
  let stack: WaitingRoomStack;

  beforeAll(async () => {
    stack = await startWaitingRoomStack({
      join: { perIp: { points: 5, durationSeconds: 60 }, perVisitor: { points: 2, durationSeconds: 60 } },
      pass: { perIp: { points: 100, durationSeconds: 60 }, perVisitor: { points: 1, durationSeconds: 60 } },
    });
  });
  afterAll(async () => stack.close());

  async function openEvent(): Promise<string> {
    const eventId = uniqueEventId('limits');
    await stack.control.configureRoom(eventId, room);
    await stack.control.open(eventId);
    return eventId;
  }

  it('a visitor over its join budget gets 429 with Retry-After, then the IP budget stops new visitors', async () => {
    const eventId = await openEvent();
    const joinUrl = `${stack.waitingRoomUrl}/api/events/${eventId}/queue`;
    const fan = new FanClient();
    // The first request mints the visitor, whose budget is untouched by construction: only the IP's
    // is spent; the visitor's two points go to the two requests that come back with its cookie.
    expect((await fan.request(joinUrl, { method: 'POST' })).status).toBe(200);
    expect((await fan.request(joinUrl, { method: 'POST' })).status).toBe(200);
    expect((await fan.request(joinUrl, { method: 'POST' })).status).toBe(200);
    const limited = await fan.request(joinUrl, { method: 'POST' });
    expect(limited).toMatchObject({ status: 429, body: { type: 'https://corral.dev/problems/rate-limited', retryAfterSeconds: expect.any(Number) } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Cookie-less requests are new visitors each time: only the per-IP budget (5, four spent) catches them.
    expect((await new FanClient().request(joinUrl, { method: 'POST' })).status).toBe(200);
    expect((await new FanClient().request(joinUrl, { method: 'POST' })).status).toBe(429);
  });

  it('a visitor over its pass budget gets 429, checked after the token and before Redis is asked for a claim', async () => {
    const eventId = await openEvent();
    const joined = await stack.store.join(eventId, 'v:pass-fan', stack.clock.now());
    expect(joined.status).toBe('numbered');
    const queueToken = await signQueueToken(stack.keys, { fanId: 'v:pass-fan', eventId, number: 1, prequeue: false }, stack.clock.now());
    const passUrl = `${stack.admissionUrl}/api/events/${eventId}/pass`;
    const fan = new FanClient();
    expect((await fan.request(passUrl, { method: 'POST', token: queueToken })).status).toBe(409); // not yet admitted
    const limited = await fan.request(passUrl, { method: 'POST', token: queueToken });
    expect(limited).toMatchObject({ status: 429, body: { type: 'https://corral.dev/problems/rate-limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('signing keys and the visitor cookie secret', () => {
  it('outside production every process shares one dev key and one cookie secret through Redis', async () => {
    const fixture = createRedisFixture();
    try {
      const config = loadConfig({ NODE_ENV: 'test' });
      const [first, second] = await Promise.all([loadSigningKeys(config, fixture.redis), loadSigningKeys(config, fixture.redis)]);
      expect(first.current.kid).toBe(second.current.kid);
      expect(first.jwks).toEqual(second.jwks);
      const secrets = await Promise.all([loadVisitorCookieSecret(config, fixture.redis), loadVisitorCookieSecret(config, fixture.redis)]);
      expect(secrets[0]).toBe(secrets[1]);
      expect(secrets[0].length).toBeGreaterThanOrEqual(32);
    } finally {
      await fixture.close();
    }
  });

  it('production refuses to start without PASS_SIGNING_JWKS or VISITOR_COOKIE_SECRET', async () => {
    const fixture = createRedisFixture();
    try {
      const config = loadConfig({ NODE_ENV: 'production' });
      await expect(loadSigningKeys(config, fixture.redis)).rejects.toThrow('config: PASS_SIGNING_JWKS is required when NODE_ENV=production');
      await expect(loadVisitorCookieSecret(config, fixture.redis)).rejects.toThrow(/VISITOR_COOKIE_SECRET is required/);
    } finally {
      await fixture.close();
    }
  });
});
