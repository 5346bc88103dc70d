// Queue tokens and sign-in sessions: short ES256 JWTs signed by the same key ring as passes, kept
// apart from passes and from each other by their audience, so none can stand in for another.
import { createLocalJWKSet, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { PASS_ALGORITHM } from './passes.js';
import type { SigningKeys } from './signing-keys.js';

export interface TokenToSign {
  audience: string;
  subject: string;
  claims: Record<string, unknown>;
  ttlSeconds: number;
  nowMs: number;
}

export function signToken(keys: SigningKeys, token: TokenToSign): Promise<string> {
  const issuedAtSeconds = Math.floor(token.nowMs / 1000);
  return new SignJWT(token.claims)
    .setProtectedHeader({ alg: PASS_ALGORITHM, kid: keys.current.kid, typ: 'JWT' })
    .setSubject(token.subject)
    .setIssuer(keys.issuer)
    .setAudience(token.audience)
    .setIssuedAt(issuedAtSeconds)
    .setExpirationTime(issuedAtSeconds + token.ttlSeconds)
    .sign(keys.current.privateKey);
}

export type TokenVerifier<Claims> = (token: string, nowMs: number) => Promise<Claims>;

/**
 * Verifies locally against the published keys; any failure is a 401 whose code names the token kind
 * (`invalid-queue-token`, …) and whose detail says why (expired, bad signature, wrong audience).
 */
export function createTokenVerifier<Schema extends z.ZodType<JWTPayload>>(
  keys: Pick<SigningKeys, 'jwks' | 'issuer'>,
  audience: string,
  claimsSchema: Schema,
  problemCode: string,
): TokenVerifier<z.infer<Schema>> {
  const keySet = createLocalJWKSet(keys.jwks);
  return async (token, nowMs) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: [PASS_ALGORITHM],
        audience,
        issuer: keys.issuer,
        currentDate: new Date(nowMs),
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw new AppError(401, problemCode, `token refused: ${refusalOf(error)}`);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new AppError(401, problemCode, 'token refused: claims do not match');
    return claims.data;
  };
}

function refusalOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} is invalid`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  return 'malformed';
}
