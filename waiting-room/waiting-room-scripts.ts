// The named Lua scripts of the waiting room, one per atomic step, defined once per connection.
import type { RedisClient } from '../lib/redis.js';
import { defineScripts, type ScriptDefinition } from '../lib/redis-scripts.js';

const script = (name: string, file: string): ScriptDefinition => ({
  name,
  // Beside this module: in the source tree, and in dist/ where the build copies the .lua files.
  file: new URL(`./lua/${file}`, import.meta.url),
});

export const waitingRoomScripts = {
  configure: script('corralWrConfigure', 'configure.lua'),
  join: script('corralWrJoin', 'join.lua'),
  beginOpen: script('corralWrBeginOpen', 'begin-open.lua'),
  assignPrequeueBatch: script('corralWrAssignPrequeueBatch', 'assign-prequeue-batch.lua'),
  status: script('corralWrStatus', 'status.lua'),
  claimPass: script('corralWrClaimPass', 'claim-pass.lua'),
  releaseSession: script('corralWrReleaseSession', 'release-session.lua'),
  forgetOutboxEvent: script('corralWrForgetOutboxEvent', 'forget-outbox-event.lua'),
  transitionState: script('corralWrTransitionState', 'transition-state.lua'),
  readCheckpoint: script('corralWrReadCheckpoint', 'read-checkpoint.lua'),
  rebuildRoom: script('corralWrRebuildRoom', 'rebuild-room.lua'),
  restorePlace: script('corralWrRestorePlace', 'restore-place.lua'),
} as const;

export function defineWaitingRoomScripts(redis: RedisClient): void {
  defineScripts(redis, Object.values(waitingRoomScripts));
}
