// Admission passes: ES256 JWTs signed with the current key of a key ring; verified locally against a
// published JWKS, so booking endpoints need no Redis round trip. Old keys stay in the JWKS after a
// rotation, so passes signed before it remain valid until they expire.
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';
import { eventIdSchema, fanIdSchema } from '../ids.js';
import { UnavailableError } from '../errors.js';
import { PassError } from './pass-error.js';

export const PASS_ALGORITHM = 'ES256';
export const PASS_AUDIENCE = 'corral-pass';

export interface PassSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const kidSchema = z.string().min(1).max(128);

export async function generatePassSigningKey(kid: string): Promise<PassSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(PASS_ALGORITHM, { extractable: true });
  return { kid: kidSchema.parse(kid), privateKey, publicJwk: publicJwkOf(await exportJWK(publicKey), kid) };
}

/** Private JWK (with `kid` and `d`) as kept in the signing-keys secret. */
export async function exportPassSigningKey(key: PassSigningKey): Promise<JWK> {
  return { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: PASS_ALGORITHM };
}

export async function importPassSigningKey(privateJwk: JWK): Promise<PassSigningKey> {
  const kid = kidSchema.parse(privateJwk.kid);
  if (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256' || typeof privateJwk.d !== 'string') {
    throw new PassError('malformed', `signing key ${kid} is not a private P-256 EC key`);
  }
  const privateKey = await importJWK(privateJwk, PASS_ALGORITHM);
  if (privateKey instanceof Uint8Array) throw new PassError('malformed', `signing key ${kid} is not asymmetric`);
  const { d: _privatePart, ...publicPart } = privateJwk;
  return { kid, privateKey, publicJwk: publicJwkOf(publicPart, kid) };
}

function publicJwkOf(jwk: JWK, kid: string): JWK {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y, kid, alg: PASS_ALGORITHM, use: 'sig' };
}

export const passInputSchema = z.object({
  fanId: fanIdSchema,
  eventId: eventIdSchema,
  ttlSeconds: z.number().int().min(1).max(24 * 3600),
  scope: z.string().min(1).max(200),
  /** The admitted session id, so a pass and its capacity slot share one id. */
  jti: z.string().min(1).max(128).optional(),
});
export type PassInput = z.input<typeof passInputSchema>;

export interface SignedPass {
  token: string;
  jti: string;
  expiresAtMs: number;
}

export interface PassKeyRingOptions {
  current: PassSigningKey;
  /** Public keys of earlier signing keys, still published so their passes verify until expiry. */
  previousPublicJwks?: readonly JWK[];
  issuer: string;
  clock?: () => number;
}

export class PassKeyRing {
  readonly issuer: string;
  private readonly current: PassSigningKey;
  private readonly previousPublicJwks: readonly JWK[];
  private readonly clock: () => number;

  constructor(options: PassKeyRingOptions) {
    this.current = options.current;
    this.previousPublicJwks = (options.previousPublicJwks ?? []).filter((jwk) => jwk.kid !== options.current.kid);
    this.issuer = z.string().min(1).parse(options.issuer);
    this.clock = options.clock ?? Date.now;
  }

  /** A ring that signs with `next` and still publishes the current key. */
  rotatedTo(next: PassSigningKey): PassKeyRing {
    return new PassKeyRing({
      current: next,
      previousPublicJwks: [this.current.publicJwk, ...this.previousPublicJwks],
      issuer: this.issuer,
      clock: this.clock,
    });
  }

  async signPass(input: PassInput): Promise<SignedPass> {
    const pass = passInputSchema.parse(input);
    const issuedAtSeconds = Math.floor(this.clock() / 1000);
    const expiresAtSeconds = issuedAtSeconds + pass.ttlSeconds;
    const jti = pass.jti ?? randomUUID();
    const token = await new SignJWT({ evt: pass.eventId, scope: pass.scope })
      .setProtectedHeader({ alg: PASS_ALGORITHM, kid: this.current.kid, typ: 'JWT' })
      .setSubject(pass.fanId)
      .setJti(jti)
      .setIssuer(this.issuer)
      .setAudience(PASS_AUDIENCE)
      .setIssuedAt(issuedAtSeconds)
      .setExpirationTime(expiresAtSeconds)
      .sign(this.current.privateKey);
    return { token, jti, expiresAtMs: expiresAtSeconds * 1000 };
  }

  /** The public JWKS served at /.well-known/jwks.json. */
  jwks(): JSONWebKeySet {
    return { keys: [this.current.publicJwk, ...this.previousPublicJwks] };
  }
}

const passClaimsSchema = z.object({
  sub: fanIdSchema,
  evt: eventIdSchema,
  jti: z.string().min(1),
  scope: z.string().min(1),
  iat: z.number(),
  exp: z.number(),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
});
export type PassClaims = z.infer<typeof passClaimsSchema>;

export interface PassVerifierOptions {
  /** A JWKS object (same process) or the admission role's /.well-known/jwks.json URL (fetched, cached). */
  jwks: JSONWebKeySet | URL;
  issuer: string;
  clock?: () => number;
}

/** Builds the JWKS lookup once; the returned function verifies without I/O (a remote JWKS is cached). */
export function createPassVerifier(options: PassVerifierOptions): (token: string, expectedEventId: string) => Promise<PassClaims> {
  const keySet = options.jwks instanceof URL ? remoteKeySet(options.jwks) : createLocalJWKSet(options.jwks);
  const clock = options.clock ?? Date.now;
  return async (token, expectedEventId) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: [PASS_ALGORITHM], // pinning the algorithm is what refuses `alg: none` and HS256 confusion
        audience: PASS_AUDIENCE,
        issuer: options.issuer,
        currentDate: new Date(clock()),
        requiredClaims: ['sub', 'evt', 'jti', 'scope', 'iat', 'exp'],
      }));
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      throw toPassError(error);
    }
    const claims = passClaimsSchema.safeParse(payload);
    if (!claims.success) throw new PassError('invalid_claims', 'pass claims do not match the pass schema');
    if (claims.data.evt !== expectedEventId) {
      throw new PassError('wrong_event', `pass is for event ${claims.data.evt}, not ${expectedEventId}`);
    }
    return claims.data;
  };
}

export function verifyPass(token: string, expectedEventId: string, options: PassVerifierOptions): Promise<PassClaims> {
  return createPassVerifier(options)(token, expectedEventId);
}

/**
 * Fetched once and cached; an unknown `kid` (a key rotated in) triggers a refetch, at most every 30 s.
 * Failing to reach the JWKS is our outage (503), not the fan's bad pass (401).
 */
function remoteKeySet(url: URL): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new UnavailableError('pass keys could not be fetched');
    }
  };
}

function toPassError(error: unknown): PassError {
  if (error instanceof errors.JWTExpired) return new PassError('expired', 'pass has expired');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new PassError('unknown_key', 'pass was not signed by a published key');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new PassError('bad_signature', 'pass signature is invalid');
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new PassError('alg_not_allowed', 'pass algorithm is not allowed');
  }
  if (error instanceof errors.JWTClaimValidationFailed) return new PassError('invalid_claims', `pass claim check failed: ${error.claim}`);
  if (error instanceof errors.JOSEError) return new PassError('malformed', `pass is malformed: ${error.code}`);
  if (error instanceof PassError) return error;
  return new PassError('malformed', 'pass could not be parsed');
}
