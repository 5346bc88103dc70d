// The events the admission ticker runs for: a Redis set, written when an organizer configures a room,
// read once per tick by every admission process (one SMEMBERS: O(events), not O(fans)).
import type { RedisClient } from '../lib/redis.js';
import { DEFAULT_KEY_PREFIX, eventIdSchema } from './queue-keys.js';

export class ActiveEvents {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string = DEFAULT_KEY_PREFIX,
  ) {
    this.key = `${keyPrefix}admission:events`;
  }

  async add(eventId: string): Promise<void> {
    await this.redis.sadd(this.key, eventIdSchema.parse(eventId));
  }

  async remove(eventId: string): Promise<void> {
    await this.redis.srem(this.key, eventId);
  }

  list(): Promise<string[]> {
    return this.redis.smembers(this.key);
  }
}
