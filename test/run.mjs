// npm test: Jest (unit, integration, chart, load-scenario smoke), then the Playwright browser specs,
// then one combined closing line, "N passed, N failed", the line CI reads. The local stack is
// started once here (servers already listening are reused, as each runner's own global setup
// does) so the two runners share it instead of starting Kafka and OpenSearch twice; what this
// started is stopped at the end.
//   npm test                       both runners
//   npm test -- <jest args>        Jest only, with those arguments (a file, -t "name", ...)
//   CORRAL_TEST_RUNNERS=playwright npm test    one runner by name (jest | playwright)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/lib/config.js';
import { logger } from '../dist/lib/log.js';
import { provision } from '../dist/scripts/stack/provision.js';
import { startStack, stopServices } from '../dist/scripts/stack/stack.js';

const args = process.argv.slice(2);
const chosen = process.env.CORRAL_TEST_RUNNERS?.split(',').map((name) => name.trim()).filter(Boolean);
const runners = chosen ?? (args.length > 0 ? ['jest'] : ['jest', 'playwright']);
const unknown = runners.filter((name) => name !== 'jest' && name !== 'playwright');
if (unknown.length > 0) {
  process.stderr.write(`test/run.mjs: unknown runner ${unknown.join(', ')} in CORRAL_TEST_RUNNERS (jest, playwright)\n`);
  process.exit(2);
}

const commands = {
  jest: [process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', ...args]],
  playwright: [process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...(runners.includes('jest') ? [] : args)]],
};

function run(name, summaryFile) {
  const [command, commandArgs] = commands[name];
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { stdio: 'inherit', env: { ...process.env, CORRAL_SUMMARY_FILE: summaryFile } });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function countsOf(file, exitCode) {
  try {
    const counts = JSON.parse(readFileSync(file, 'utf8'));
    // A runner that exited non-zero with every test green still failed (a setup error, an open
    // handle, a crash after the tests): that counts once.
    if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  } catch {
    // No counts: the runner died before reporting.
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

process.env.NODE_ENV ??= 'test';
const config = loadConfig();
const log = logger().child({ component: 'test-stack' });
const scratch = mkdtempSync(join(tmpdir(), 'corral-test-'));
const total = { passed: 0, failed: 0, skipped: 0 };
let services = [];
try {
  const started = Date.now();
  services = await startStack(config, log);
  await provision(config, log);
  const owned = services.filter((service) => service.pid).map((service) => service.name);
  process.stdout.write(`local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (started: ${owned.join(', ') || 'none'}; reused the rest)\n`);
  for (const name of runners) {
    const file = join(scratch, `${name}.json`);
    const counts = countsOf(file, await run(name, file));
    for (const key of Object.keys(total)) total[key] += counts[key] ?? 0;
  }
} catch (error) {
  process.stderr.write(`npm test: the local stack did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  total.failed += 1;
} finally {
  await stopServices(services);
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`\n${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}\n`);
process.exit(total.failed > 0 ? 1 : 0);
