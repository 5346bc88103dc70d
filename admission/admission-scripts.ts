// The named Lua scripts of admission, one per atomic step, defined once per connection.
import type { RedisClient } from '../lib/redis.js';
import { defineScripts, type ScriptDefinition } from '../lib/redis-scripts.js';

const script = (name: string, file: string): ScriptDefinition => ({
  name,
  // Beside this module: in the source tree, and in dist/ where the build copies the .lua files.
  file: new URL(`./lua/${file}`, import.meta.url),
});

export const admissionScripts = {
  acquireLease: script('corralAdmAcquireLease', 'acquire-lease.lua'),
  renewLease: script('corralAdmRenewLease', 'renew-lease.lua'),
  releaseLease: script('corralAdmReleaseLease', 'release-lease.lua'),
  advanceServing: script('corralAdmAdvanceServing', 'advance-serving.lua'),
} as const;

export function defineAdmissionScripts(redis: RedisClient): void {
  defineScripts(redis, Object.values(admissionScripts));
}
