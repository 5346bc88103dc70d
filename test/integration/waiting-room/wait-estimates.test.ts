// Estimate vs actual: the wait a fan's page showed at join (signed into the queue token) against the
// wait they had, recorded by the first pass claim and read back by the organizer. Real Redis, real
// servers, the stack's hand-moved clock; the admission ticker moves `serving`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { WAIT_SAMPLE_LIMIT } from '../../../waiting-room/wait-estimates.js';
import { FanClient, startWaitingRoomStack, type WaitingRoomStack } from './http-stack.js';
import { uniqueEventId } from './redis-fixture.js';

const room = { opensAt: 0, admissionRatePerMinute: 60, maxActiveShoppers: 100, passTtlSeconds: 600 };

describe('estimate vs actual wait of admitted fans (real Redis, real servers)', () => {
  let stack: WaitingRoomStack;
  const organizer = new FanClient();

  beforeAll(async () => {
    stack = await startWaitingRoomStack();
  });
  afterAll(async () => stack.close());

  async function openEvent(): Promise<string> {
    const eventId = uniqueEventId('waits');
    const organizerUrl = `${stack.admissionUrl}/api/organizer/events/${eventId}`;
    expect((await organizer.request(`${organizerUrl}/room`, { method: 'PUT', token: stack.adminToken, body: room })).status).toBe(201);
    expect((await organizer.request(`${organizerUrl}/open`, { method: 'POST', token: stack.adminToken })).status).toBe(200);
    return eventId;
  }

  async function join(eventId: string) {
    const reply = await new FanClient().request(`${stack.waitingRoomUrl}/api/events/${eventId}/queue`, { method: 'POST' });
    expect(reply.status).toBe(200);
    return { number: reply.body?.number as number, token: reply.body?.queueToken as string };
  }

  const claim = (eventId: string, token: string) => new FanClient().request(`${stack.admissionUrl}/api/events/${eventId}/pass`, { method: 'POST', token });
  const waits = (eventId: string, token?: string) =>
    organizer.request(`${stack.admissionUrl}/api/organizer/events/${eventId}/wait-estimates`, token === undefined ? {} : { token });

  it('each fan\'s first claim records the wait shown at join beside the wait from join to the admitting tick', async () => {
    const eventId = await openEvent();
    const fans = [await join(eventId), await join(eventId), await join(eventId)];
    // 60/min and nobody served yet: the page shows 1, 2 and 3 s; the token carries exactly that.
    expect(fans.map((fan) => decodeJwt(fan.token)['est'])).toEqual([1, 2, 3]);

    await stack.loop.tick(); // the first tick only starts the measurement
    for (let second = 0; second < 3; second += 1) {
      stack.clock.advance(1_000);
      await stack.loop.tick(); // one fan a second
    }
    // The fans claim late: the actual wait ends at the tick that let them in, not at the claim.
    stack.clock.advance(20_000);
    for (const fan of fans) expect((await claim(eventId, fan.token)).status).toBe(200);
    expect((await claim(eventId, fans[0]!.token)).status).toBe(200); // a repeat claim adds nothing

    const reply = await waits(eventId, stack.adminToken);
    expect(reply.status).toBe(200);
    expect(reply.body?.samples).toEqual(
      [3, 2, 1].map((number) => expect.objectContaining({ number, estimatedWaitSeconds: number, actualWaitSeconds: number, errorSeconds: 0 })),
    );
    expect(reply.body?.summary).toEqual({ count: 3, medianErrorSeconds: 0, medianAbsoluteErrorSeconds: 0, onTimeShare: 1 });
  });

  it('a slower line shows as a positive error, and the list keeps only the newest fans', async () => {
    const eventId = await openEvent();
    const fan = await join(eventId);
    const later = await join(eventId);
    await stack.loop.tick();
    stack.clock.advance(1_000);
    await stack.loop.tick(); // admits number 1
    const organizerUrl = `${stack.admissionUrl}/api/organizer/events/${eventId}`;
    await organizer.request(`${organizerUrl}/pause`, { method: 'POST', token: stack.adminToken });
    await stack.loop.tick();
    stack.clock.advance(10_000);
    await stack.loop.tick(); // paused: nobody
    await organizer.request(`${organizerUrl}/resume`, { method: 'POST', token: stack.adminToken });
    await stack.loop.tick();
    stack.clock.advance(1_000);
    await stack.loop.tick(); // admits number 2, 12 s after the join it was promised 2 s for
    expect((await claim(eventId, fan.token)).status).toBe(200);
    expect((await claim(eventId, later.token)).status).toBe(200);
    const samples = (await waits(eventId, stack.adminToken)).body?.samples as Array<Record<string, number>>;
    expect(samples[0]).toMatchObject({ number: 2, estimatedWaitSeconds: 2 });
    expect(samples[0]!['actualWaitSeconds']).toBeGreaterThanOrEqual(11);
    expect(samples[0]!['errorSeconds']).toBe(samples[0]!['actualWaitSeconds']! - 2);

    const key = stack.store.keys(eventId).waitSamples;
    await stack.fixture.redis.rpush(key, ...Array.from({ length: WAIT_SAMPLE_LIMIT }, (_, index) => `${index + 10}:0:1:1000`));
    const third = await join(eventId);
    await stack.loop.tick();
    stack.clock.advance(1_000);
    await stack.loop.tick();
    expect((await claim(eventId, third.token)).status).toBe(200);
    expect(await stack.fixture.redis.llen(key)).toBe(WAIT_SAMPLE_LIMIT);
    expect(await stack.fixture.redis.lindex(key, 0)).toMatch(/^3:/);
  });

  it('only organizers of the event read it', async () => {
    const eventId = await openEvent();
    expect((await waits(eventId)).status).toBe(401);
  });
});
