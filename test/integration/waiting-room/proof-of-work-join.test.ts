// The join's proof of work through the real waiting-room and admission routes on real Redis: a room
// that asks for it refuses a join without a solution (handing out a challenge), takes an honest one
// once, and gives every kind of bad proof a clear 4xx; a room without it joins as before.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { CHALLENGE_TTL_MS, leadingZeroBits } from '../../../waiting-room/proof-of-work.js';
import { FanClient, startWaitingRoomStack, type WaitingRoomStack } from './http-stack.js';
import { uniqueEventId } from './redis-fixture.js';

const room = { opensAt: 0, admissionRatePerMinute: 0, maxActiveShoppers: 100, passTtlSeconds: 600 };
const BITS = 10;

function solve(challenge: string, bits: number): string {
  for (let nonce = 0; ; nonce += 1) {
    if (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) >= bits) return String(nonce);
  }
}

describe('proof of work at join (real Redis, real servers)', () => {
  let stack: WaitingRoomStack;
  const organizer = new FanClient();

  beforeAll(async () => {
    stack = await startWaitingRoomStack();
  });
  afterAll(async () => stack.close());

  const organizerUrl = (eventId: string, path: string) => `${stack.admissionUrl}/api/organizer/events/${eventId}/${path}`;
  const joinUrl = (eventId: string) => `${stack.waitingRoomUrl}/api/events/${eventId}/queue`;

  async function createEvent(settings: Record<string, unknown> = {}, open = true): Promise<string> {
    const eventId = uniqueEventId('pow');
    const put = await organizer.request(organizerUrl(eventId, 'room'), { method: 'PUT', token: stack.adminToken, body: { ...room, ...settings } });
    expect(put.status).toBe(201);
    if (open) expect((await organizer.request(organizerUrl(eventId, 'open'), { method: 'POST', token: stack.adminToken })).status).toBe(200);
    return eventId;
  }

  async function challengeFor(eventId: string): Promise<string> {
    const reply = await new FanClient().request(`${joinUrl(eventId)}/challenge`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    return reply.body?.challenge as string;
  }

  it('a join without a solution gets 428 with a challenge; solved, the fan joins; the same solution never buys a second place', async () => {
    const eventId = await createEvent({ proofOfWorkBits: BITS });
    const fan = new FanClient();
    const refused = await fan.request(joinUrl(eventId), { method: 'POST' });
    expect(refused.status).toBe(428);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'https://corral.dev/problems/proof-of-work-required', title: 'Precondition Required', status: 428, eventId, bits: BITS, challenge: expect.any(String) });
    expect(Date.parse(refused.body?.expiresAt)).toBe(stack.clock.now() + CHALLENGE_TTL_MS);

    const proofOfWork = { challenge: refused.body?.challenge as string, solution: solve(refused.body?.challenge, BITS) };
    const joined = await fan.request(joinUrl(eventId), { method: 'POST', body: { proofOfWork } });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ eventId, number: 1, prequeue: false, queueToken: expect.any(String) });

    // The fan already holds a place: a repeat join (a reload) needs no new work and keeps the number.
    const again = await fan.request(joinUrl(eventId), { method: 'POST' });
    expect(again.status).toBe(200);
    expect(again.body?.number).toBe(1);

    // Another visitor (a bot sharing solutions) replaying the spent one is refused, and no number is issued.
    const replayed = await new FanClient().request(joinUrl(eventId), { method: 'POST', body: { proofOfWork } });
    expect(replayed.status).toBe(409);
    expect(replayed.body).toMatchObject({ type: 'https://corral.dev/problems/proof-of-work-replayed' });
    const replayedConcurrently = await Promise.all(Array.from({ length: 10 }, () => new FanClient().request(joinUrl(eventId), { method: 'POST', body: { proofOfWork } })));
    expect(replayedConcurrently.map((reply) => reply.status)).toEqual(Array(10).fill(409));
    expect((await stack.control.stats(eventId)).issued).toBe(1);
  });

  it('one fresh challenge, raced by many visitors, gives exactly one of them a place', async () => {
    const eventId = await createEvent({ proofOfWorkBits: BITS });
    const challenge = await challengeFor(eventId);
    const proofOfWork = { challenge, solution: solve(challenge, BITS) };
    const replies = await Promise.all(Array.from({ length: 20 }, () => new FanClient().request(joinUrl(eventId), { method: 'POST', body: { proofOfWork } })));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(1);
    expect(replies.filter((reply) => reply.status === 409)).toHaveLength(19);
    expect((await stack.control.stats(eventId)).issued).toBe(1);
  });

  it('bad proofs get clear 4xx problems: malformed, forged, wrong event, expired, too little work, bad body', async () => {
    const eventId = await createEvent({ proofOfWorkBits: BITS });
    const otherEventId = await createEvent({ proofOfWorkBits: BITS });
    const join = (body: unknown) => new FanClient().request(joinUrl(eventId), { method: 'POST', body });
    const codeOf = (reply: { status: number; body?: Record<string, any> | undefined }) => [reply.status, String(reply.body?.type).split('/').pop()];

    expect(codeOf(await join({ proofOfWork: { challenge: 'not-a-challenge', solution: '1' } }))).toEqual([400, 'proof-of-work-malformed']);
    const challenge = await challengeFor(eventId);
    const [payload, signature] = challenge.split('.') as [string, string];
    const easier = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace(`"b":${BITS}`, '"b":0')).toString('base64url');
    expect(codeOf(await join({ proofOfWork: { challenge: `${easier}.${signature}`, solution: '0' } }))).toEqual([400, 'proof-of-work-forged']);
    const foreign = await challengeFor(otherEventId);
    expect(codeOf(await join({ proofOfWork: { challenge: foreign, solution: solve(foreign, BITS) } }))).toEqual([400, 'proof-of-work-wrong-event']);
    let unsolved = 0;
    while (leadingZeroBits(createHash('sha256').update(`${challenge}:${unsolved}`).digest()) >= BITS) unsolved += 1;
    expect(codeOf(await join({ proofOfWork: { challenge, solution: String(unsolved) } }))).toEqual([400, 'proof-of-work-insufficient']);
    expect(codeOf(await join({ proofOfWork: { challenge, solution: 'abc' } }))).toEqual([400, 'validation']);
    expect(codeOf(await join({ proofOfWork: { challenge }, extra: true }))).toEqual([400, 'validation']);
    expect(codeOf(await join({ proofOfWork: { challenge: 'x'.repeat(100_000), solution: '1' } }))).toEqual([413, 'bad-body']);

    const solved = { challenge, solution: solve(challenge, BITS) };
    stack.clock.advance(CHALLENGE_TTL_MS);
    expect(codeOf(await join({ proofOfWork: solved }))).toEqual([400, 'proof-of-work-expired']);
    expect((await stack.control.stats(eventId)).issued).toBe(0);
  });

  it('a challenge solved before the organizer raised the difficulty gets a new one (428), not a place', async () => {
    const eventId = await createEvent({ proofOfWorkBits: 4 });
    const challenge = await challengeFor(eventId);
    const raised = await organizer.request(organizerUrl(eventId, 'proof-of-work'), { method: 'POST', token: stack.adminToken, body: { proofOfWorkBits: BITS } });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ eventId, proofOfWorkBits: BITS });
    const fan = new FanClient();
    const outdated = await fan.request(joinUrl(eventId), { method: 'POST', body: { proofOfWork: { challenge, solution: solve(challenge, 4) } } });
    expect(outdated.status).toBe(428);
    expect(outdated.body).toMatchObject({ type: 'https://corral.dev/problems/proof-of-work-required', bits: BITS });
    const fresh = outdated.body?.challenge as string;
    expect((await fan.request(joinUrl(eventId), { method: 'POST', body: { proofOfWork: { challenge: fresh, solution: solve(fresh, BITS) } } })).status).toBe(200);
    expect((await stack.control.stats(eventId)).proofOfWorkBits).toBe(BITS);
  });

  it('a pre-queued fan who rejoins keeps the place without new work', async () => {
    const eventId = await createEvent({ opensAt: stack.clock.now() + 60_000, proofOfWorkBits: BITS }, false);
    const fan = new FanClient();
    const refused = await fan.request(joinUrl(eventId), { method: 'POST' });
    expect(refused.status).toBe(428);
    const challenge = refused.body?.challenge as string;
    const joined = await fan.request(joinUrl(eventId), { method: 'POST', body: { proofOfWork: { challenge, solution: solve(challenge, BITS) } } });
    expect(joined.body).toMatchObject({ prequeue: true, number: null });
    const again = await fan.request(joinUrl(eventId), { method: 'POST' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ prequeue: true });
  });

  it('with proof of work off (the default) a join needs nothing, the challenge says so, and turning it off again works', async () => {
    const eventId = await createEvent();
    expect((await new FanClient().request(joinUrl(eventId), { method: 'POST' })).body).toMatchObject({ number: 1 });
    const offChallenge = await new FanClient().request(`${joinUrl(eventId)}/challenge`);
    expect(offChallenge.body).toEqual({ eventId, bits: 0, challenge: null, expiresAt: null });
    expect((await new FanClient().request(`${joinUrl(uniqueEventId('none'))}/challenge`)).status).toBe(404);

    await organizer.request(organizerUrl(eventId, 'proof-of-work'), { method: 'POST', token: stack.adminToken, body: { proofOfWorkBits: BITS } });
    expect((await new FanClient().request(joinUrl(eventId), { method: 'POST' })).status).toBe(428);
    await organizer.request(organizerUrl(eventId, 'proof-of-work'), { method: 'POST', token: stack.adminToken, body: { proofOfWorkBits: 0 } });
    expect((await new FanClient().request(joinUrl(eventId), { method: 'POST' })).body).toMatchObject({ number: 2 });
  });

  it('the organizer cannot set a difficulty outside 0-24 bits (400), and only an organizer may set it', async () => {
    const eventId = await createEvent();
    for (const proofOfWorkBits of [25, -1, 1.5, '8']) {
      const reply = await organizer.request(organizerUrl(eventId, 'proof-of-work'), { method: 'POST', token: stack.adminToken, body: { proofOfWorkBits } });
      expect([reply.status, reply.body?.type]).toEqual([400, 'https://corral.dev/problems/validation']);
    }
    const put = await organizer.request(organizerUrl(eventId, 'room'), { method: 'PUT', token: stack.adminToken, body: { ...room, proofOfWorkBits: 30 } });
    expect(put.status).toBe(400);
    const anonymous = await new FanClient().request(organizerUrl(eventId, 'proof-of-work'), { method: 'POST', body: { proofOfWorkBits: 20 } });
    expect(anonymous.status).toBe(401);
    expect((await stack.control.stats(eventId)).proofOfWorkBits).toBe(0);
  });
});
