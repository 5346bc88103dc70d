import { describe, expect, it } from '@jest/globals';
import { SignJWT, UnsecuredJWT } from 'jose';
import { PassError } from './pass-error.js';
import {
  PASS_AUDIENCE,
  PassKeyRing,
  createPassVerifier,
  exportPassSigningKey,
  generatePassSigningKey,
  importPassSigningKey,
  verifyPass,
} from './passes.js';

const ISSUER = 'https://corral.test';
const NOW_MS = 1_700_000_000_000;
const pass = { fanId: 'fan-1', eventId: 'event-a', ttlSeconds: 300, scope: 'reserve' };

async function ringAt(nowMs: number, kid = 'key-1'): Promise<PassKeyRing> {
  return new PassKeyRing({ current: await generatePassSigningKey(kid), issuer: ISSUER, clock: () => nowMs });
}

async function refusalOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PassError) return error.reason;
    throw error;
  }
  throw new Error('the pass was accepted');
}

describe('admission passes', () => {
  it('a signed pass verifies and carries sub, evt, jti, scope, iat, exp, aud and iss', async () => {
    const ring = await ringAt(NOW_MS);
    const signed = await ring.signPass({ ...pass, jti: 'session-1' });
    const claims = await verifyPass(signed.token, 'event-a', { jwks: ring.jwks(), issuer: ISSUER, clock: () => NOW_MS + 1_000 });
    expect(claims).toEqual({
      sub: 'fan-1',
      evt: 'event-a',
      jti: 'session-1',
      scope: 'reserve',
      iat: NOW_MS / 1000,
      exp: NOW_MS / 1000 + 300,
      aud: PASS_AUDIENCE,
      iss: ISSUER,
    });
    expect(signed).toMatchObject({ jti: 'session-1', expiresAtMs: NOW_MS + 300_000 });
  });

  it('refuses an expired pass', async () => {
    const ring = await ringAt(NOW_MS);
    const { token } = await ring.signPass(pass);
    const verify = createPassVerifier({ jwks: ring.jwks(), issuer: ISSUER, clock: () => NOW_MS + 300_000 });
    expect(await refusalOf(verify(token, 'event-a'))).toBe('expired');
  });

  it('refuses a pass for another event', async () => {
    const ring = await ringAt(NOW_MS);
    const { token } = await ring.signPass(pass);
    expect(await refusalOf(verifyPass(token, 'event-b', { jwks: ring.jwks(), issuer: ISSUER, clock: () => NOW_MS }))).toBe('wrong_event');
  });

  it('refuses a pass signed by an unpublished key', async () => {
    const published = await ringAt(NOW_MS, 'key-1');
    const stranger = await ringAt(NOW_MS, 'key-x');
    const { token } = await stranger.signPass(pass);
    expect(await refusalOf(verifyPass(token, 'event-a', { jwks: published.jwks(), issuer: ISSUER, clock: () => NOW_MS }))).toBe('unknown_key');
  });

  it('refuses a pass signed by another key that reuses a published kid', async () => {
    const published = await ringAt(NOW_MS, 'key-1');
    const impostor = await ringAt(NOW_MS, 'key-1');
    const { token } = await impostor.signPass(pass);
    expect(await refusalOf(verifyPass(token, 'event-a', { jwks: published.jwks(), issuer: ISSUER, clock: () => NOW_MS }))).toBe('bad_signature');
  });

  it('after a key rotation, passes signed with the previous key stay valid and new ones use the new kid', async () => {
    const before = await ringAt(NOW_MS, 'key-1');
    const oldPass = await before.signPass(pass);
    const after = before.rotatedTo(await generatePassSigningKey('key-2'));
    const newPass = await after.signPass(pass);
    const verify = createPassVerifier({ jwks: after.jwks(), issuer: ISSUER, clock: () => NOW_MS });
    await expect(verify(oldPass.token, 'event-a')).resolves.toMatchObject({ sub: 'fan-1' });
    await expect(verify(newPass.token, 'event-a')).resolves.toMatchObject({ sub: 'fan-1' });
    expect(after.jwks().keys.map((key) => key.kid)).toEqual(['key-2', 'key-1']);
    expect(JSON.parse(Buffer.from(newPass.token.split('.')[0] as string, 'base64url').toString())).toMatchObject({ kid: 'key-2', alg: 'ES256' });
  });

  it('refuses alg "none"', async () => {
    const ring = await ringAt(NOW_MS);
    const unsecured = new UnsecuredJWT({ evt: 'event-a', scope: 'reserve' })
      .setSubject('fan-1')
      .setJti('forged')
      .setIssuer(ISSUER)
      .setAudience(PASS_AUDIENCE)
      .setIssuedAt(NOW_MS / 1000)
      .setExpirationTime(NOW_MS / 1000 + 300)
      .encode();
    expect(await refusalOf(verifyPass(unsecured, 'event-a', { jwks: ring.jwks(), issuer: ISSUER, clock: () => NOW_MS }))).toBe('alg_not_allowed');
  });

  it('refuses an HS256 token keyed with the public JWK (algorithm confusion)', async () => {
    const ring = await ringAt(NOW_MS);
    const publicJwkBytes = new TextEncoder().encode(JSON.stringify(ring.jwks().keys[0]));
    const confused = await new SignJWT({ evt: 'event-a', scope: 'reserve' })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setSubject('fan-1')
      .setJti('forged')
      .setIssuer(ISSUER)
      .setAudience(PASS_AUDIENCE)
      .setIssuedAt(NOW_MS / 1000)
      .setExpirationTime(NOW_MS / 1000 + 300)
      .sign(publicJwkBytes);
    expect(await refusalOf(verifyPass(confused, 'event-a', { jwks: ring.jwks(), issuer: ISSUER, clock: () => NOW_MS }))).toBe('alg_not_allowed');
  });

  it('refuses a tampered pass (payload changed to another event)', async () => {
    const ring = await ringAt(NOW_MS);
    const { token } = await ring.signPass(pass);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, evt: 'event-b' })).toString('base64url');
    const verify = createPassVerifier({ jwks: ring.jwks(), issuer: ISSUER, clock: () => NOW_MS });
    expect(await refusalOf(verify(`${header}.${forgedPayload}.${signature}`, 'event-b'))).toBe('bad_signature');
    expect(await refusalOf(verify(`${header}.${payload}.${signature.slice(0, -4)}AAAA`, 'event-a'))).toBe('bad_signature');
    expect(await refusalOf(verify('not-a-jwt', 'event-a'))).toBe('malformed');
  });

  it('refuses a pass from another issuer or audience', async () => {
    const ring = await ringAt(NOW_MS);
    const { token } = await ring.signPass(pass);
    expect(await refusalOf(verifyPass(token, 'event-a', { jwks: ring.jwks(), issuer: 'https://elsewhere', clock: () => NOW_MS }))).toBe('invalid_claims');
  });

  it('the JWKS publishes public keys only', async () => {
    const ring = await ringAt(NOW_MS);
    for (const key of ring.jwks().keys) {
      expect(key).not.toHaveProperty('d');
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
  });

  it('a signing key survives export and import (as kept in the secret)', async () => {
    const original = await generatePassSigningKey('key-1');
    const imported = await importPassSigningKey(await exportPassSigningKey(original));
    expect(imported.publicJwk).toEqual(original.publicJwk);
    const ring = new PassKeyRing({ current: imported, issuer: ISSUER, clock: () => NOW_MS });
    const { token } = await ring.signPass(pass);
    await expect(verifyPass(token, 'event-a', { jwks: { keys: [original.publicJwk] }, issuer: ISSUER, clock: () => NOW_MS })).resolves.toBeDefined();
    await expect(importPassSigningKey({ kty: 'EC', crv: 'P-384', d: 'x', kid: 'bad' })).rejects.toBeInstanceOf(PassError);
  });
});
