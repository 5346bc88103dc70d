// Where the booking Lua scripts are read from: `lua/` beside this module in the source tree, or,
// when running from dist/ (tsc does not copy .lua files), the same folder in the source tree.
import { existsSync } from 'node:fs';
import type { ScriptDefinition } from '../../lib/redis-scripts.js';

export function bookingScript(name: string, file: string): ScriptDefinition {
  const beside = new URL(`./lua/${file}`, import.meta.url);
  return { name, file: existsSync(beside) ? beside : new URL(`../../../workers/booking/lua/${file}`, import.meta.url) };
}
