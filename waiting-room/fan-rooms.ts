// Per-fan Socket.IO rooms on the `/queue` namespace: a page proves who it is with its queue token
// or admission pass (`identify {eventId, token}`) and joins `fan:<fanId>`, where booking workers
// push that fan's hold results through the Redis emitter. A socket joins only its own fan's room.
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { Logger } from '../lib/log.js';
import { createPassVerifier } from '../lib/tokens/passes.js';
import type { SigningKeys } from '../lib/tokens/signing-keys.js';
import { eventIdSchema } from './queue-keys.js';
import { createQueueTokenVerifier } from './queue-tokens.js';

export const IDENTIFY_EVENT = 'identify';

export function fanRoom(fanId: string): string {
  return `fan:${fanId}`;
}

/** The fan a token (queue token or pass for `eventId`) belongs to; rejects a bad token. */
export type FanIdentifier = (token: string, eventId: string) => Promise<string>;

export type IdentifyAck = { ok: true; fanId: string } | { ok: false; error: string };

const identifySchema = z.object({ eventId: eventIdSchema, token: z.string().min(1).max(4096) });

export function fanIdentifier(keys: Pick<SigningKeys, 'jwks' | 'issuer'>, clock: () => number = Date.now): FanIdentifier {
  const verifyQueueToken = createQueueTokenVerifier(keys);
  const verifyPass = createPassVerifier({ jwks: keys.jwks, issuer: keys.issuer, clock });
  return async (token, eventId) => {
    try {
      return (await verifyQueueToken(token, eventId, clock())).fanId;
    } catch {
      return (await verifyPass(token, eventId)).sub;
    }
  };
}

/** Adds the `identify` handler to a `/queue` socket. */
export function handleFanIdentify(socket: Socket, identify: FanIdentifier, log: Logger): void {
  socket.on(IDENTIFY_EVENT, async (payload: unknown, ack: unknown) => {
    const reply = (answer: IdentifyAck) => {
      if (typeof ack === 'function') ack(answer);
    };
    const parsed = identifySchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: 'invalid identify request' });
    let fanId: string;
    try {
      fanId = await identify(parsed.data.token, parsed.data.eventId);
    } catch (error) {
      log.debug({ err: error, eventId: parsed.data.eventId }, 'identify refused');
      return reply({ ok: false, error: 'invalid token' });
    }
    await socket.join(fanRoom(fanId));
    reply({ ok: true, fanId });
  });
}
