import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { SESSION_COOKIE } from '../../../accounts/sessions.js';
import { FanClient, startWaitingRoomStack, type WaitingRoomStack } from './http-stack.js';
import { uniqueEventId } from './redis-fixture.js';

describe('signed-in fans in the waiting room (real Redis)', () => {
  let stack: WaitingRoomStack;
  const organizer = new FanClient();

  beforeAll(async () => {
    stack = await startWaitingRoomStack();
  });
  afterAll(async () => stack.close());

  async function openEvent(): Promise<string> {
    const eventId = uniqueEventId('signed-in');
    const base = `${stack.admissionUrl}/api/organizer/events/${eventId}`;
    expect((await organizer.request(`${base}/room`, { method: 'PUT', token: stack.adminToken, body: { opensAt: 0, admissionRatePerMinute: 0, maxActiveShoppers: 100, passTtlSeconds: 600 } })).status).toBe(201);
    expect((await organizer.request(`${base}/open`, { method: 'POST', token: stack.adminToken })).status).toBe(200);
    return eventId;
  }

  const account = (id: string) => ({ id, email: `${id}@example.test`, role: 'fan' as const, displayName: null });

  it('keeps one place for a signed-in user across devices (no shared visitor cookie)', async () => {
    const eventId = await openEvent();
    const { token } = await stack.sessions.issue(account('user-1'));
    const laptop = new FanClient();
    const phone = new FanClient();
    const sessionCookie = { cookie: `${SESSION_COOKIE}=${token}` };
    const first = await laptop.request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { method: 'POST', headers: sessionCookie });
    const second = await phone.request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { method: 'POST', headers: sessionCookie });
    expect(first.status).toBe(200);
    expect(second.body?.number).toBe(first.body?.number);
    expect(decodeJwt(first.body?.queueToken as string).sub).toBe('u:user-1');
    // An anonymous visitor on another device is a different fan with a later number.
    const anonymous = await new FanClient().request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { method: 'POST' });
    expect(anonymous.body?.number).toBe((first.body?.number as number) + 1);
    expect(decodeJwt(anonymous.body?.queueToken as string).sub).toMatch(/^v:/);
  });

  it('treats a signed-out or forged session as an anonymous visitor', async () => {
    const eventId = await openEvent();
    const issued = await stack.sessions.issue(account('user-2'));
    await stack.sessions.revoke(await stack.sessions.verify(issued.token));
    for (const token of [issued.token, `${issued.token.slice(0, -4)}AAAA`]) {
      const joined = await new FanClient().request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { method: 'POST', headers: { cookie: `${SESSION_COOKIE}=${token}` } });
      expect(joined.status).toBe(200);
      expect(decodeJwt(joined.body?.queueToken as string).sub).toMatch(/^v:/);
    }
  });
});
