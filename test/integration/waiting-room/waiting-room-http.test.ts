import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { requirePass, passOf } from '../../../admission/pass-middleware.js';
import { generatePassSigningKey, PassKeyRing } from '../../../lib/tokens/passes.js';
import { closeServer, createHttpApp, listen } from '../../../lib/http.js';
import { logger } from '../../../lib/log.js';
import { FanClient, ISSUER, startWaitingRoomStack, type WaitingRoomStack } from './http-stack.js';
import { uniqueEventId } from './redis-fixture.js';

const room = { opensAt: 0, admissionRatePerMinute: 0, maxActiveShoppers: 100, passTtlSeconds: 600 };

describe('waiting room over HTTP (real Redis, real servers)', () => {
  let stack: WaitingRoomStack;
  const organizer = new FanClient();

  beforeAll(async () => {
    stack = await startWaitingRoomStack();
  });
  afterAll(async () => stack.close());

  async function openEvent(settings: Partial<typeof room> = {}): Promise<string> {
    const eventId = uniqueEventId('http');
    const put = await organizer.request(`${stack.admissionUrl}/api/organizer/events/${eventId}/room`, {
      method: 'PUT',
      token: stack.adminToken,
      body: { ...room, ...settings },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ eventId, state: 'prequeue' });
    const open = await organizer.request(`${stack.admissionUrl}/api/organizer/events/${eventId}/open`, { method: 'POST', token: stack.adminToken });
    expect(open.status).toBe(200);
    return eventId;
  }

  const joinUrl = (eventId: string) => `${stack.waitingRoomUrl}/api/events/${eventId}/queue`;

  it('a fan joining twice over HTTP keeps one number, and the visitor cookie is signed, httpOnly and SameSite=Lax', async () => {
    const eventId = await openEvent();
    const fan = new FanClient();
    const first = await fan.request(joinUrl(eventId), { method: 'POST' });
    expect(first.status).toBe(200);
    const setCookie = first.headers.getSetCookie()[0] ?? '';
    expect(setCookie).toMatch(/^corral_vid=s%3A[0-9a-f-]{36}\./);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);

    const concurrent = await Promise.all(Array.from({ length: 50 }, () => fan.request(joinUrl(eventId), { method: 'POST' })));
    expect(new Set(concurrent.map((reply) => reply.body?.number))).toEqual(new Set([first.body?.number]));
    expect(concurrent.every((reply) => reply.headers.getSetCookie().length === 0)).toBe(true);

    const other = await new FanClient().request(joinUrl(eventId), { method: 'POST' });
    expect(other.body?.number).toBe((first.body?.number as number) + 1);
  });

  it('a tampered visitor cookie is a new visitor with a new number', async () => {
    const eventId = await openEvent();
    const fan = new FanClient();
    const first = await fan.request(joinUrl(eventId), { method: 'POST' });
    fan.cookie = fan.cookie!.replace(/%3A[0-9a-f]/, (match) => (match.endsWith('0') ? '%3A1' : '%3A0'));
    const second = await fan.request(joinUrl(eventId), { method: 'POST' });
    expect(second.headers.getSetCookie()).toHaveLength(1);
    expect(second.body?.number).not.toBe(first.body?.number);
  });

  it('join → organizer raises the rate → tick → pass issued; the pass verifies for its event only', async () => {
    const eventId = await openEvent();
    const otherEventId = await openEvent();
    const fan = new FanClient();
    const joined = await fan.request(joinUrl(eventId), { method: 'POST' });
    const queueToken = joined.body?.queueToken as string;
    expect(joined.body).toMatchObject({ eventId, number: 1, prequeue: false });

    const waiting = await fan.request(`${joinUrl(eventId)}/status`, { token: queueToken });
    expect(waiting.body).toMatchObject({ number: 1, serving: 0, position: 1, admitted: false, state: 'open', estimatedWaitSeconds: null });

    const early = await fan.request(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token: queueToken });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ type: 'https://corral.dev/problems/not-yet-admitted', number: 1, serving: 0 });

    await stack.loop.tick(); // first tick starts the measurement
    const rate = await organizer.request(`${stack.admissionUrl}/api/organizer/events/${eventId}/rate`, {
      method: 'POST',
      token: stack.adminToken,
      body: { admissionRatePerMinute: 600 },
    });
    expect(rate.body).toMatchObject({ admissionRatePerMinute: 600 });
    stack.clock.advance(1_000);
    await stack.loop.tick();

    // Without the token the cookie names the same fan.
    const admitted = await fan.request(`${joinUrl(eventId)}/status`);
    expect(admitted.body).toMatchObject({ number: 1, serving: 1, position: 0, admitted: true });

    const claimed = await fan.request(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token: queueToken });
    expect(claimed.status).toBe(200);
    const pass = claimed.body?.pass as string;
    const again = await fan.request(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token: queueToken });
    expect(again.body).toMatchObject({ sessionId: claimed.body?.sessionId, reused: true });

    const stats = await organizer.request(`${stack.admissionUrl}/api/organizer/events/${eventId}/stats`, { token: stack.adminToken });
    expect(stats.body).toMatchObject({ issued: 1, serving: 1, waiting: 0, activeShoppers: 1, admissionsLastMinute: 1, state: 'open' });

    // A booking endpoint as the api role will mount it, verifying against the published JWKS URL.
    const bookingApp = createHttpApp({
      role: 'api',
      log: logger(),
      checks: [],
      dependencyTimeoutMs: 2_000,
      routes: (app) => {
        app.get(
          '/api/events/:id/seats',
          requirePass({ jwks: new URL(`${stack.admissionUrl}/.well-known/jwks.json`), issuer: ISSUER, clock: stack.clock.now }),
          (_req, res) => res.json({ fanId: passOf(res).sub, sessionId: passOf(res).jti }),
        );
      },
    });
    const bookingServer = await listen(bookingApp, '127.0.0.1', 0, 'API_PORT');
    const bookingUrl = `http://127.0.0.1:${(bookingServer.address() as AddressInfo).port}`;
    try {
      const accepted = await fan.request(`${bookingUrl}/api/events/${eventId}/seats`, { token: pass });
      expect(accepted).toMatchObject({ status: 200, body: { sessionId: claimed.body?.sessionId } });

      const wrongEvent = await fan.request(`${bookingUrl}/api/events/${otherEventId}/seats`, { token: pass });
      expect(wrongEvent.status).toBe(401);
      expect(wrongEvent.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(wrongEvent.body).toMatchObject({ type: 'https://corral.dev/problems/pass-wrong-event', status: 401 });

      const forger = new PassKeyRing({ current: await generatePassSigningKey(stack.keys.current.kid), issuer: ISSUER, clock: stack.clock.now });
      const forged = await forger.signPass({ fanId: 'v:forger', eventId, ttlSeconds: 600, scope: 'reserve' });
      const refused = await fan.request(`${bookingUrl}/api/events/${eventId}/seats`, { token: forged.token });
      expect(refused.body).toMatchObject({ status: 401, type: 'https://corral.dev/problems/pass-bad-signature' });

      const queueTokenAsPass = await fan.request(`${bookingUrl}/api/events/${eventId}/seats`, { token: queueToken });
      expect(queueTokenAsPass.status).toBe(401);

      stack.clock.advance(601_000);
      const expired = await fan.request(`${bookingUrl}/api/events/${eventId}/seats`, { token: pass });
      expect(expired.body).toMatchObject({ status: 401, type: 'https://corral.dev/problems/pass-expired' });
    } finally {
      await closeServer(bookingServer);
    }
  });

  it('releasing a session with its pass returns the capacity at once', async () => {
    const eventId = await openEvent({ admissionRatePerMinute: 6_000 });
    const fan = new FanClient();
    const joined = await fan.request(joinUrl(eventId), { method: 'POST' });
    await stack.loop.tick();
    stack.clock.advance(1_000);
    await stack.loop.tick();
    const claimed = await fan.request(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token: joined.body?.queueToken });
    const releaseUrl = `${stack.admissionUrl}/api/events/${eventId}/sessions/${claimed.body?.sessionId}/release`;

    expect((await fan.request(releaseUrl, { method: 'POST', token: joined.body?.queueToken })).status).toBe(401);
    const released = await fan.request(releaseUrl, { method: 'POST', token: claimed.body?.pass });
    expect(released.body).toMatchObject({ released: true });
    const stats = await organizer.request(`${stack.admissionUrl}/api/organizer/events/${eventId}/stats`, { token: stack.adminToken });
    expect(stats.body).toMatchObject({ activeShoppers: 0 });
  });

  it('answers bad requests with problem JSON: 404 unknown event, 400 bad body, 401 bad tokens, 409 closed or sold out', async () => {
    const fan = new FanClient();
    const unknown = await fan.request(joinUrl(`nope-${randomUUID()}`), { method: 'POST' });
    expect(unknown).toMatchObject({ status: 404, body: { type: 'https://corral.dev/problems/not-found' } });
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const eventId = await openEvent();
    const badBody = await fan.request(joinUrl(eventId), { method: 'POST', body: { seats: 4 } });
    expect(badBody).toMatchObject({ status: 400, body: { type: 'https://corral.dev/problems/validation' } });
    expect(badBody.body?.issues).toEqual([expect.objectContaining({ message: expect.any(String) })]);

    const joined = await fan.request(joinUrl(eventId), { method: 'POST' });
    const token = joined.body?.queueToken as string;
    const tampered = `${token.slice(0, -4)}AAAA`;
    for (const [url, method] of [
      [`${joinUrl(eventId)}/status`, 'GET'],
      [`${stack.admissionUrl}/api/events/${eventId}/pass`, 'POST'],
    ] as const) {
      for (const bad of [tampered, 'not-a-jwt']) {
        const reply = await fan.request(url, { method, token: bad });
        expect(reply).toMatchObject({ status: 401, body: { type: 'https://corral.dev/problems/invalid-queue-token' } });
      }
    }
    const otherEventId = await openEvent();
    const crossEvent = await fan.request(`${stack.admissionUrl}/api/events/${otherEventId}/pass`, { method: 'POST', token });
    expect(crossEvent).toMatchObject({ status: 401, body: { type: 'https://corral.dev/problems/invalid-queue-token' } });
    expect((await fan.request(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST' })).status).toBe(401);

    const organizerUrl = `${stack.admissionUrl}/api/organizer/events/${eventId}`;
    expect((await fan.request(`${organizerUrl}/close`, { method: 'POST' })).status).toBe(401);
    expect((await fan.request(`${organizerUrl}/close`, { method: 'POST', token })).status).toBe(401);
    const badRoom = await organizer.request(`${organizerUrl}/room`, { method: 'PUT', token: stack.adminToken, body: { admissionRatePerMinute: -1 } });
    expect(badRoom).toMatchObject({ status: 400, body: { type: 'https://corral.dev/problems/validation' } });
    expect((badRoom.body?.issues as unknown[]).length).toBeGreaterThan(1);
    expect((await organizer.request(`${organizerUrl}/close`, { method: 'POST', token: stack.adminToken })).body).toMatchObject({ state: 'closed' });
    const closed = await new FanClient().request(joinUrl(eventId), { method: 'POST' });
    expect(closed).toMatchObject({ status: 409, body: { type: 'https://corral.dev/problems/room-closed' } });
    // A closed room stays closed: a late resume is refused, not applied.
    const resume = await organizer.request(`${organizerUrl}/resume`, { method: 'POST', token: stack.adminToken });
    expect(resume).toMatchObject({ status: 409, body: { type: 'https://corral.dev/problems/invalid-transition', state: 'closed' } });

    const soldOutId = await openEvent();
    await organizer.request(`${stack.admissionUrl}/api/organizer/events/${soldOutId}/soldout`, { method: 'POST', token: stack.adminToken });
    const soldOut = await new FanClient().request(joinUrl(soldOutId), { method: 'POST' });
    expect(soldOut).toMatchObject({ status: 409, body: { type: 'https://corral.dev/problems/sold-out' } });
  });
});
