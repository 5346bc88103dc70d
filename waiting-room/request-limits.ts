// Abuse limits on join and pass: one budget per client IP (generous: venues and mobile carriers put
// many fans behind one address) and a tighter one per visitor. Counted in Redis so every process of
// a role shares them; over budget is a RateLimitedError (429 with Retry-After).
import type { RedisClient } from '../lib/redis.js';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../lib/errors.js';

export interface LimitRule {
  points: number;
  durationSeconds: number;
}

export interface RequestLimitsOptions {
  redis: RedisClient;
  /** Names the limited action in the Redis keys, e.g. "join" or "pass". */
  action: string;
  perIp: LimitRule;
  perVisitor: LimitRule;
  keyPrefix?: string;
}

export const defaultJoinLimits = { perIp: { points: 600, durationSeconds: 60 }, perVisitor: { points: 30, durationSeconds: 60 } };
export const defaultPassLimits = { perIp: { points: 600, durationSeconds: 60 }, perVisitor: { points: 30, durationSeconds: 60 } };

export class RequestLimits {
  private readonly perIp: RateLimiterRedis;
  private readonly perVisitor: RateLimiterRedis;

  constructor(options: RequestLimitsOptions) {
    const prefix = `${options.keyPrefix ?? 'corral:'}limit:${options.action}`;
    this.perIp = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: `${prefix}:ip`,
      points: options.perIp.points,
      duration: options.perIp.durationSeconds,
    });
    this.perVisitor = new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: `${prefix}:visitor`,
      points: options.perVisitor.points,
      duration: options.perVisitor.durationSeconds,
    });
  }

  /** Spends one point of each budget; throws RateLimitedError when either is exhausted. Both points
   * are spent before it answers (allSettled, not all), so a caller that saw its answer sees the
   * budgets' counts with its own point in them. `visitorIsNew`: the visitor id was minted by this
   * very request, so its budget is full by construction and only the per-IP budget is spent (the
   * first join of every fan, i.e. most of a storm, saves a Redis round trip; a client that never
   * sends its cookie back gets a new id each time, so the per-visitor budget never held it anyway). */
  async check(ip: string, visitorId: string, visitorIsNew = false): Promise<void> {
    // Both at once: one round trip of latency instead of two on the hottest path.
    const outcomes = await Promise.allSettled(visitorIsNew ? [this.perIp.consume(ip)] : [this.perIp.consume(ip), this.perVisitor.consume(visitorId)]);
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    const failure = refusals.find((reason) => !(reason instanceof RateLimiterRes));
    if (failure !== undefined) throw failure;
    if (refusals.length > 0) {
      const msBeforeNext = Math.max(...refusals.map((reason) => (reason as RateLimiterRes).msBeforeNext));
      throw new RateLimitedError(Math.max(1, Math.ceil(msBeforeNext / 1000)));
    }
  }
}
