// The process's signing keys: passes, queue tokens and sign-in sessions are all ES256 JWTs signed by
// the first key of one private JWK set, and every key of the set is published. Production reads
// PASS_SIGNING_JWKS; elsewhere the first local process generates a dev key and shares it via Redis.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis.js';
import type { JSONWebKeySet, JWK } from 'jose';
import { ConfigError, type Config } from '../config.js';
import { exportPassSigningKey, generatePassSigningKey, importPassSigningKey, PassKeyRing, type PassSigningKey } from './passes.js';

export interface SigningKeys {
  current: PassSigningKey;
  issuer: string;
  /** Signs admission passes with `current`. */
  passRing: PassKeyRing;
  /** Public keys, current first: what /.well-known/jwks.json serves and local verifiers use. */
  jwks: JSONWebKeySet;
}

// Shared by every local process, so a pass signed by one role verifies in all the others.
const DEV_SIGNING_JWKS_KEY = 'corral:dev:pass-signing-jwks';
const DEV_COOKIE_SECRET_KEY = 'corral:dev:visitor-cookie-secret';

/** Builds the ring from a private JWK set: the first key signs, the others are only published. */
export async function signingKeysFromJwks(privateJwks: { keys: JWK[] }, issuer: string, clock?: () => number): Promise<SigningKeys> {
  const [first, ...older] = privateJwks.keys;
  if (first === undefined) throw new ConfigError('PASS_SIGNING_JWKS', 'holds no key');
  const current = await importPassSigningKey(first);
  const previousPublicJwks = await Promise.all(older.map(async (jwk) => (await importPassSigningKey(jwk)).publicJwk));
  const passRing = new PassKeyRing({ current, previousPublicJwks, issuer, ...(clock ? { clock } : {}) });
  return { current, issuer, passRing, jwks: passRing.jwks() };
}

export async function loadSigningKeys(config: Config, redis: RedisClient): Promise<SigningKeys> {
  if (config.PASS_SIGNING_JWKS !== undefined) {
    return signingKeysFromJwks(JSON.parse(config.PASS_SIGNING_JWKS) as { keys: JWK[] }, config.PASS_ISSUER);
  }
  if (config.NODE_ENV === 'production') throw new ConfigError('PASS_SIGNING_JWKS', 'is required when NODE_ENV=production');
  const candidate = await generatePassSigningKey(`dev-${randomBytes(6).toString('hex')}`);
  const candidateJwks = JSON.stringify({ keys: [await exportPassSigningKey(candidate)] });
  // SET NX then GET: whichever process came first wins, and everyone reads its key.
  await redis.set(DEV_SIGNING_JWKS_KEY, candidateJwks, 'NX');
  const shared = (await redis.get(DEV_SIGNING_JWKS_KEY)) ?? candidateJwks;
  return signingKeysFromJwks(JSON.parse(shared) as { keys: JWK[] }, config.PASS_ISSUER);
}

/** What requirePass verifies against in this process: the configured JWKS URL, else the local keys. */
export async function passJwksSource(config: Config, redis: RedisClient): Promise<JSONWebKeySet | URL> {
  if (config.PASS_JWKS_URL !== undefined) return new URL(config.PASS_JWKS_URL);
  return (await loadSigningKeys(config, redis)).jwks;
}

export async function loadVisitorCookieSecret(config: Config, redis: RedisClient): Promise<string> {
  if (config.VISITOR_COOKIE_SECRET !== undefined) return config.VISITOR_COOKIE_SECRET;
  if (config.NODE_ENV === 'production') throw new ConfigError('VISITOR_COOKIE_SECRET', 'is required when NODE_ENV=production');
  const candidate = randomBytes(32).toString('base64url');
  await redis.set(DEV_COOKIE_SECRET_KEY, candidate, 'NX');
  return (await redis.get(DEV_COOKIE_SECRET_KEY)) ?? candidate;
}
