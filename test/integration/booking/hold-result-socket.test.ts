import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { generatePassSigningKey, PassKeyRing } from '../../../lib/tokens/passes.js';
import type { SigningKeys } from '../../../lib/tokens/signing-keys.js';
import { logger } from '../../../lib/log.js';
import { fanIdentifier, type IdentifyAck } from '../../../waiting-room/fan-rooms.js';
import { QueueStore } from '../../../waiting-room/queue-store.js';
import { signQueueToken } from '../../../waiting-room/queue-tokens.js';
import { attachServingGateway, type ServingGateway } from '../../../waiting-room/serving-gateway.js';
import type { ReserveJob } from '../../../booking/booking-jobs.js';
import { holdIdFor } from '../../../booking/hold-requests.js';
import { HOLD_RESULT_EVENT, HoldResultPublisher, type HoldResultMessage } from '../../../booking/hold-result-publisher.js';
import { provisionSeats } from '../../../booking/seat-provisioning.js';
import { createBookingFixture, layoutOf, uniqueEventId, type BookingFixture } from './booking-fixture.js';

describe('hold results pushed to the fan over Socket.IO (real Redis, gateway and workers)', () => {
  let fixture: BookingFixture;
  let server: Server;
  let gateway: ServingGateway;
  let url: string;
  const sockets: Socket[] = [];
  let keys: SigningKeys;
  const eventId = uniqueEventId('socket');

  beforeAll(async () => {
    fixture = await createBookingFixture();
    const channelKey = `${fixture.keyPrefix}socket.io`;
    fixture.startWorkers({ concurrency: 4, publisher: new HoldResultPublisher(fixture.redis, channelKey) });
    const current = await generatePassSigningKey('k1');
    const passRing = new PassKeyRing({ current, issuer: 'test-admission' });
    keys = { current, issuer: 'test-admission', passRing, jwks: passRing.jwks() };
    await provisionSeats(fixture.store, eventId, ...layoutOf({ A: { rows: 1, seatsPerRow: 4 } }));
    server = createServer();
    gateway = attachServingGateway({
      server,
      redis: fixture.redis,
      store: new QueueStore({ redis: fixture.redis, keyPrefix: `${fixture.keyPrefix}wr:` }),
      log: logger(),
      channelKey,
      identifyFan: fanIdentifier(keys),
    });
    await gateway.ready;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/queue`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await gateway.close();
    await fixture.close();
  });

  async function identifiedPage(token: string): Promise<{ ack: IdentifyAck; results: HoldResultMessage[] }> {
    const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    const results: HoldResultMessage[] = [];
    socket.on(HOLD_RESULT_EVENT, (message: HoldResultMessage) => results.push(message));
    const ack = (await socket.timeout(5_000).emitWithAck('identify', { eventId, token })) as IdentifyAck;
    return { ack, results };
  }
  async function firstResult(results: HoldResultMessage[], holdId: string): Promise<HoldResultMessage> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const found = results.find((message) => message.holdId === holdId);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no hold.result for ${holdId} within 15 s; got ${JSON.stringify(results)}`);
  }
  const reserve = (fanId: string, number: number): ReserveJob => ({
    holdId: holdIdFor(eventId, fanId, 'k'),
    eventId,
    fanId,
    request: { seats: [{ section: 'A', row: '1', number }] },
    requestedAt: fixture.store.clock(),
    holdTtlMs: 600_000,
  });

  it('a fan identified by its pass hears its own hold result, held or rejected, and nobody else does', async () => {
    const winner = await identifiedPage((await keys.passRing.signPass({ fanId: 'fan-1', eventId, ttlSeconds: 600, scope: 'reserve' })).token);
    const queueToken = await signQueueToken(keys, { fanId: 'fan-2', eventId, number: 7, prequeue: false }, Date.now());
    const loser = await identifiedPage(queueToken);
    expect(winner.ack).toEqual({ ok: true, fanId: 'fan-1' });
    expect(loser.ack).toEqual({ ok: true, fanId: 'fan-2' });

    const first = reserve('fan-1', 2);
    await fixture.queues.enqueueReserve(first);
    expect(await firstResult(winner.results, first.holdId)).toMatchObject({ eventId, holdId: first.holdId, status: 'held', seats: [{ section: 'A', row: '1', number: 2 }] });
    const second = reserve('fan-2', 2);
    await fixture.queues.enqueueReserve(second);
    expect(await firstResult(loser.results, second.holdId)).toEqual({ eventId, holdId: second.holdId, status: 'rejected', reason: 'unavailable' });
    expect(winner.results.map((message) => message.holdId)).toEqual([first.holdId]);
    expect(loser.results.map((message) => message.holdId)).toEqual([second.holdId]);
  });

  it('a forged token or one for another event joins no fan room', async () => {
    const otherRing = new PassKeyRing({ current: await generatePassSigningKey('forger'), issuer: keys.issuer });
    const forged = (await otherRing.signPass({ fanId: 'fan-1', eventId, ttlSeconds: 600, scope: 'reserve' })).token;
    expect((await identifiedPage(forged)).ack).toEqual({ ok: false, error: 'invalid token' });
    const elsewhere = (await keys.passRing.signPass({ fanId: 'fan-1', eventId: `${eventId}-other`, ttlSeconds: 600, scope: 'reserve' })).token;
    expect((await identifiedPage(elsewhere)).ack).toEqual({ ok: false, error: 'invalid token' });
  });
});
