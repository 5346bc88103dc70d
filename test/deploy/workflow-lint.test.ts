// The GitHub Actions workflow is checked by actionlint (built by setup from the Go module proxy):
// the shipped workflow passes, and a copy with typical mistakes fails with each one named.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(new URL('../..', import.meta.url).pathname);
const actionlint = path.join(repoRoot, '.local/vendor/bin/actionlint');
const workflow = path.join(repoRoot, '.github/workflows/ci.yml');

function lint(file: string) {
  // -shellcheck= and -pyflakes= : only actionlint's own checks, whatever else the machine has.
  const run = spawnSync(actionlint, ['-no-color', '-shellcheck=', '-pyflakes=', file], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  expect(run.error).toBeUndefined();
  return run;
}

test('the CI workflow passes actionlint', () => {
  const run = lint(workflow);
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
});

test('actionlint fails a broken copy of the workflow and names each mistake', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'corral-actionlint-'));
  try {
    const broken = readFileSync(workflow, 'utf8')
      .replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.04\n    runs-after: build')
      .replace('if: failure()', 'if: ${{ failure( }}')
      .replace('timeout-minutes: 45', "timeout-minutes: 'soon'");
    const file = path.join(dir, 'ci.yml');
    writeFileSync(file, broken);
    const run = lint(file);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/unexpected key "runs-after"/);
    expect(run.stdout).toMatch(/timeout-minutes/);
    expect(run.stdout).toMatch(/failure\(/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
