// A broken page must fail the browser run, and the failure must leave what QA debugs with: a
// trace and a screenshot. Runs the project's Playwright configuration (test/e2e/broken-page/) on a
// page whose script bundle is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test('a spec on a broken page fails the run and keeps a trace and a screenshot', () => {
  const output = mkdtempSync(join(tmpdir(), 'corral-broken-page-'));
  try {
    // Playwright refuses to run when it sees Jest's worker variable.
    const { JEST_WORKER_ID: _worker, ...env } = process.env;
    const run = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '--config', 'test/e2e/broken-page/playwright.config.ts'], {
      encoding: 'utf8',
      env: { ...env, CI: '', CORRAL_BROKEN_OUTPUT: output, CORRAL_SUMMARY_FILE: '' },
      timeout: 120_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('1 failed');
    expect(run.stdout).toContain('the fan home page lists events');
    expect(existsSync(output)).toBe(true);
    const files = filesUnder(output).map((file) => file.slice(output.length + 1));
    expect(files.some((file) => file.endsWith('trace.zip'))).toBe(true);
    expect(files.some((file) => file.endsWith('.png'))).toBe(true);
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
}, 150_000);
