// Ends `npx playwright test` with the plain line CI reads, "N passed, N failed" (plus skipped when
// any), as test/summary-reporter.cjs does for Jest. Under `npm test` (CORRAL_SUMMARY_FILE set) it
// writes the counts there for test/run.mjs, which prints the one combined line, and labels its own.
import { writeFileSync } from 'node:fs';
import type { FullResult, Reporter, Suite } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private suite: Suite | undefined;
  private line = '';

  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: unknown, suite: Suite): void {
    this.suite = suite;
  }

  onEnd(result: FullResult): void {
    const tests = this.suite?.allTests() ?? [];
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const flaky: string[] = [];
    for (const test of tests) {
      const outcome = test.outcome();
      if (outcome === 'expected') passed += 1;
      else if (outcome === 'flaky') {
        passed += 1;
        flaky.push(test.titlePath().filter(Boolean).join(' › '));
      } else if (outcome === 'unexpected') failed += 1;
      else skipped += 1;
    }
    // A run that failed outside any test (global setup, a worker fixture, no test found) fails once.
    if (failed === 0 && (result.status !== 'passed' || tests.length === 0)) failed = 1;
    const file = process.env.CORRAL_SUMMARY_FILE;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
    const counts = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    const flakyNote = flaky.length > 0 ? `flaky (passed on retry): ${flaky.join('; ')}\n` : '';
    this.line = `\n${flakyNote}${file ? 'playwright: ' : ''}${counts}\n`;
  }

  async onExit(): Promise<void> {
    process.stdout.write(this.line);
  }
}
