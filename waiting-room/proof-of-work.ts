// Proof of work at join (hashcash over SHA-256): the server hands out a stateless challenge, signed
// with an HMAC and bound to one event, a difficulty and an expiry; the fan's browser searches for a
// solution whose SHA-256(challenge ":" solution) starts with that many zero bits. Issuing costs no
// Redis write and verifying costs one HMAC and one SHA-256 (O(1)); single use is enforced by the join
// script (join.lua), which spends the challenge's salt once. Decision 0015.
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../lib/errors.js';
import { eventIdSchema } from './queue-keys.js';

/** The most an organizer may ask for: 2^24 hashes is already tens of seconds on a phone. */
export const MAX_PROOF_OF_WORK_BITS = 24;
export const proofOfWorkBitsSchema = z.number().int().min(0).max(MAX_PROOF_OF_WORK_BITS);
/** Long enough to solve the hardest challenge on a slow phone, short enough that a stockpile goes stale. */
export const CHALLENGE_TTL_MS = 120_000;

const SALT_BYTES = 16;
const saltSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
const payloadSchema = z
  .object({ e: eventIdSchema, b: proofOfWorkBitsSchema, x: z.number().int().min(0), s: saltSchema })
  .strict();

/** What the join body carries; bounded so a bad body is refused before any hashing. */
export const proofOfWorkBodySchema = z
  .object({
    challenge: z.string().min(1).max(512),
    solution: z.string().regex(/^[0-9]{1,16}$/, 'solution: 1-16 decimal digits'),
  })
  .strict();
export type ProofOfWorkBody = z.infer<typeof proofOfWorkBodySchema>;

export interface IssuedChallenge {
  challenge: string;
  bits: number;
  expiresAtMs: number;
}

/** A verified solution: what the join script needs to spend it once and compare its difficulty. */
export interface VerifiedProof {
  salt: string;
  bits: number;
  expiresAtMs: number;
}

export type ProofOfWorkProblem = 'required' | 'malformed' | 'forged' | 'expired' | 'wrong-event' | 'insufficient' | 'replayed';

const problemStatus: Record<ProofOfWorkProblem, number> = {
  required: 428,
  malformed: 400,
  forged: 400,
  expired: 400,
  'wrong-event': 400,
  insufficient: 400,
  replayed: 409,
};

/** Rendered as problem JSON `https://corral.dev/problems/proof-of-work-<problem>`. */
export class ProofOfWorkError extends AppError {
  constructor(
    readonly problem: ProofOfWorkProblem,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(problemStatus[problem], `proof-of-work-${problem}`, message, extensions);
  }
}

/** Separate from the cookie's own key: the same secret, but an HMAC over a challenge can never pass as a cookie signature. */
export function proofOfWorkKey(visitorCookieSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', visitorCookieSecret, 'corral', 'proof-of-work challenge v1', 32));
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** Zero bits at the front of a digest, up to `atMost` (no need to count further). */
export function leadingZeroBits(digest: Uint8Array, atMost: number = digest.length * 8): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      if (bits >= atMost) return bits;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export class ProofOfWork {
  constructor(
    private readonly key: Buffer,
    private readonly clock: () => number,
    private readonly salt: () => string = () => randomBytes(SALT_BYTES).toString('base64url'),
  ) {}

  issue(eventId: string, bits: number): IssuedChallenge {
    const expiresAtMs = this.clock() + CHALLENGE_TTL_MS;
    const payload = Buffer.from(JSON.stringify({ e: eventIdSchema.parse(eventId), b: proofOfWorkBitsSchema.parse(bits), x: expiresAtMs, s: this.salt() })).toString('base64url');
    return { challenge: `${payload}.${mac(this.key, payload)}`, bits, expiresAtMs };
  }

  /** Throws ProofOfWorkError unless the challenge is ours, unexpired, for this event, and solved. */
  verify(eventId: string, proof: ProofOfWorkBody): VerifiedProof {
    const [payload, signature, extra] = proof.challenge.split('.');
    if (payload === undefined || signature === undefined || extra !== undefined) {
      throw new ProofOfWorkError('malformed', 'the challenge is not one this server issued');
    }
    const expected = Buffer.from(mac(this.key, payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProofOfWorkError('forged', 'the challenge was not signed by this server (or was altered)');
    }
    // Signed by us, so well formed unless the format changed under it.
    const claims = payloadSchema.safeParse(safeJson(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!claims.success) throw new ProofOfWorkError('malformed', 'the challenge is not one this server issued');
    const { e: challengeEventId, b: bits, x: expiresAtMs, s: salt } = claims.data;
    if (challengeEventId !== eventId) throw new ProofOfWorkError('wrong-event', `the challenge was issued for another event`, { eventId });
    if (this.clock() >= expiresAtMs) throw new ProofOfWorkError('expired', 'the challenge has expired; fetch a new one', { eventId });
    const digest = createHash('sha256').update(`${proof.challenge}:${proof.solution}`).digest();
    if (leadingZeroBits(digest, bits) < bits) throw new ProofOfWorkError('insufficient', `the solution does not give ${bits} leading zero bits`, { eventId, bits });
    return { salt, bits, expiresAtMs };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
