// Where a module's Lua scripts are read from: beside the module (`<folder>/lua/` in the source tree,
// and in dist once the build copies them), else the source tree next to dist/ — `tsc` alone does not
// copy .lua files, so `node dist/main.js` from a checkout still finds them.
import { existsSync } from 'node:fs';

export function luaFile(moduleUrl: string, folder: string, file: string): URL {
  const beside = new URL(`./lua/${file}`, moduleUrl);
  if (existsSync(beside)) return beside;
  return new URL(`../../${folder}/lua/${file}`, moduleUrl);
}
