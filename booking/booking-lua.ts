// Where the booking Lua scripts are read from: `lua/` beside this module, in the source tree and in
// dist/ (the build copies every module's .lua files beside its compiled JavaScript).
import type { ScriptDefinition } from '../lib/redis-scripts.js';

export function bookingScript(name: string, file: string): ScriptDefinition {
  return { name, file: new URL(`./lua/${file}`, import.meta.url) };
}
