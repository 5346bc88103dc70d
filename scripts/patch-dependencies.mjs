// postinstall: the one-line fixes to dependencies that Corral carries until upstream ships them.
// Each names the package version it was written for and the exact text it replaces; a different
// version or text fails the install loudly rather than patching blind. See
// docs/decisions/0012-node-24.md.
//  - kafkajs 2.2.4 (unmaintained; tulios/kafkajs#1751, fix PRs #1755/#1756 unmerged): an idle
//    request queue schedules its check at `throttledUntil - Date.now()` with throttledUntil = -1,
//    a negative delay that Node clamps to 1 ms. Node 24 prints a TimeoutNegativeWarning for it on
//    every Kafka connection; clamping it ourselves keeps the behaviour and drops the warning.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const patches = [
  {
    name: 'kafkajs',
    version: '2.2.4',
    file: 'src/network/requestQueue/index.js',
    from: '        this.checkPendingRequests()\n      }, scheduleAt)\n',
    to: '        this.checkPendingRequests()\n      }, Math.max(1, scheduleAt))\n',
  },
];

const require = createRequire(path.join(root, 'package.json'));
let failed = false;
for (const patch of patches) {
  const dir = path.join(root, 'node_modules', patch.name);
  if (!existsSync(dir)) continue; // pruned from this install (npm ci --omit=...)
  const { version } = require(`${patch.name}/package.json`);
  const file = path.join(dir, patch.file);
  const text = readFileSync(file, 'utf8');
  if (text.includes(patch.to)) continue;
  if (version !== patch.version || !text.includes(patch.from)) {
    process.stderr.write(`patch-dependencies: ${patch.name} ${version} is not the ${patch.version} this patch was written for (or ${patch.file} changed): review scripts/patch-dependencies.mjs\n`);
    failed = true;
    continue;
  }
  writeFileSync(file, text.replace(patch.from, patch.to));
  process.stdout.write(`patch-dependencies: ${patch.name} ${version} ${patch.file} patched\n`);
}
process.exit(failed ? 1 : 0);
