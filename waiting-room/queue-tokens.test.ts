import { describe, expect, it } from '@jest/globals';
import { UnsecuredJWT } from 'jose';
import { SESSION_AUDIENCE } from '../accounts/sessions.js';
import { exportPassSigningKey, generatePassSigningKey } from '../lib/tokens/passes.js';
import { signToken } from '../lib/tokens/signed-tokens.js';
import { signingKeysFromJwks } from '../lib/tokens/signing-keys.js';
import { AppError } from '../lib/errors.js';
import { createQueueTokenVerifier, QUEUE_TOKEN_TTL_SECONDS, signQueueToken } from './queue-tokens.js';

const NOW_MS = 1_700_000_000_000;

async function keysFor(kid: string) {
  return signingKeysFromJwks({ keys: [await exportPassSigningKey(await generatePassSigningKey(kid))] }, 'corral-test');
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.message}`;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('queue tokens', () => {
  it('round-trip the fan, event, number and prequeue flag', async () => {
    const keys = await keysFor('k1');
    const verify = createQueueTokenVerifier(keys);
    const numbered = await signQueueToken(keys, { fanId: 'v:a', eventId: 'e1', number: 7, prequeue: false }, NOW_MS);
    const prequeued = await signQueueToken(keys, { fanId: 'v:b', eventId: 'e1', number: null, prequeue: true }, NOW_MS);
    expect(await verify(numbered, 'e1', NOW_MS)).toEqual({ fanId: 'v:a', eventId: 'e1', number: 7, prequeue: false, issuedAtMs: NOW_MS });
    expect(await verify(prequeued, 'e1', NOW_MS)).toEqual({ fanId: 'v:b', eventId: 'e1', number: null, prequeue: true, issuedAtMs: NOW_MS });
  });

  it('carry the wait the page showed at join, for the organizer\'s estimate-vs-actual', async () => {
    const keys = await keysFor('k1');
    const verify = createQueueTokenVerifier(keys);
    const token = await signQueueToken(keys, { fanId: 'v:a', eventId: 'e1', number: 7, prequeue: false, estimatedWaitSeconds: 42 }, NOW_MS + 999);
    expect(await verify(token, 'e1', NOW_MS + 999)).toMatchObject({ estimatedWaitSeconds: 42, issuedAtMs: NOW_MS });
  });

  it('are refused for another event, after expiry, from another key, with another audience or alg none', async () => {
    const keys = await keysFor('k1');
    const verify = createQueueTokenVerifier(keys);
    const token = await signQueueToken(keys, { fanId: 'v:a', eventId: 'e1', number: 1, prequeue: false }, NOW_MS);
    const foreign = await signQueueToken(await keysFor('k1'), { fanId: 'v:a', eventId: 'e1', number: 1, prequeue: false }, NOW_MS);
    // Same keys and issuer, another audience: a sign-in session.
    const session = await signToken(keys, { audience: SESSION_AUDIENCE, subject: 'user-1', claims: { role: 'fan', email: 'fan@example.test', jti: 'j1' }, ttlSeconds: 3600, nowMs: NOW_MS });
    const unsigned = new UnsecuredJWT({ evt: 'e1' }).setSubject('v:a').setAudience('corral-queue').setIssuer('corral-test').setExpirationTime('1h').encode();

    expect(await refusal(verify(token, 'e2', NOW_MS))).toBe('401 token refused: it is for event e1, not e2');
    expect(await refusal(verify(token, 'e1', NOW_MS + (QUEUE_TOKEN_TTL_SECONDS + 1) * 1000))).toBe('401 token refused: expired');
    expect(await refusal(verify(foreign, 'e1', NOW_MS))).toBe('401 token refused: bad signature');
    expect(await refusal(verify(session, 'e1', NOW_MS))).toBe('401 token refused: claim aud is invalid');
    expect(await refusal(verify(unsigned, 'e1', NOW_MS))).toMatch(/^401 token refused: /);
  });
});
