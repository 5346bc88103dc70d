// Loads Lua scripts from `.lua` files beside their owning module and calls them by name.
// ioredis `defineCommand` sends EVALSHA and falls back to EVAL once per connection on NOSCRIPT (on a
// cluster: per node, and the call goes to the node of its first key). Every KEYS of one call must
// share a hash slot, which the modules' key layouts guarantee with one hash tag per owner.
import { readFileSync } from 'node:fs';
import type { RedisClient } from './redis.js';

export interface ScriptDefinition {
  /** Command name on the ioredis instance; prefixed so modules never collide. */
  readonly name: string;
  readonly file: URL;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

const scriptSources = new Map<string, string>();
const definedOn = new WeakMap<RedisClient, Set<string>>();

function scriptSource(file: URL): string {
  let source = scriptSources.get(file.href);
  if (source === undefined) {
    source = readFileSync(file, 'utf8');
    scriptSources.set(file.href, source);
  }
  return source;
}

/** Idempotent: each script is defined once per ioredis instance. */
export function defineScripts(redis: RedisClient, definitions: readonly ScriptDefinition[]): void {
  let defined = definedOn.get(redis);
  if (defined === undefined) {
    defined = new Set();
    definedOn.set(redis, defined);
  }
  for (const definition of definitions) {
    if (defined.has(definition.name)) continue;
    // No fixed numberOfKeys: the caller passes the key count, so one helper serves every script.
    redis.defineCommand(definition.name, { lua: scriptSource(definition.file) });
    defined.add(definition.name);
  }
}

export function runScript(
  redis: RedisClient,
  name: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const command = (redis as unknown as Record<string, ScriptCommand | undefined>)[name];
  if (command === undefined) throw new Error(`Redis script ${name} is not defined on this connection`);
  return command.call(redis, keys.length, ...keys, ...args);
}
